//! What handler code calls, as the IAM actions its role needs (EL301, EL303).

use crate::code::facts::SdkCall;
use crate::model::{Node, Resource};
use crate::source::Span;

/// The IAM action an SDK call needs on its target, for the operations EL301 checks
/// (`PublishBatch` needs `sns:Publish`, `CopyObject` needs `s3:PutObject` on the target bucket).
#[must_use]
pub fn required_action(call: &SdkCall) -> Option<&'static str> {
    Some(match (call.service.as_str(), call.operation.as_str()) {
        ("events", "PutEvents") => "events:PutEvents",
        ("sns", "Publish" | "PublishBatch") => "sns:Publish",
        ("sqs", "SendMessage" | "SendMessageBatch") => "sqs:SendMessage",
        ("lambda", "Invoke") => "lambda:InvokeFunction",
        ("states", "StartExecution") => "states:StartExecution",
        ("states", "StartSyncExecution") => "states:StartSyncExecution",
        ("dynamodb", "PutItem") => "dynamodb:PutItem",
        ("dynamodb", "UpdateItem") => "dynamodb:UpdateItem",
        ("dynamodb", "DeleteItem") => "dynamodb:DeleteItem",
        ("dynamodb", "BatchWriteItem") => "dynamodb:BatchWriteItem",
        ("s3", "PutObject" | "CopyObject") => "s3:PutObject",
        ("kinesis", "PutRecord") => "kinesis:PutRecord",
        ("kinesis", "PutRecords") => "kinesis:PutRecords",
        ("firehose", "PutRecord") => "firehose:PutRecord",
        ("firehose", "PutRecordBatch") => "firehose:PutRecordBatch",
        _ => return None,
    })
}

/// The SAM policy template that grants an action.
#[must_use]
pub fn sam_template(action: &str) -> &'static str {
    match action.split(':').next().unwrap_or("") {
        "events" => "EventBridgePutEventsPolicy",
        "sns" => "SNSPublishMessagePolicy",
        "sqs" => "SQSSendMessagePolicy",
        "lambda" => "LambdaInvokePolicy",
        "states" => "StepFunctionsExecutionPolicy",
        "dynamodb" => "DynamoDBWritePolicy` (or `DynamoDBCrudPolicy",
        "s3" => "S3WritePolicy",
        "kinesis" => "KinesisCrudPolicy",
        "firehose" => "FirehoseWritePolicy",
        _ => "a policy template",
    }
}

/// The key of a property of a resource (`Policies`, `Role`), if written.
#[must_use]
pub fn prop_key(res: &Resource, name: &str) -> Option<Span> {
    res.props()
        .entries()
        .iter()
        .find(|e| e.key == name)
        .map(|e| e.key_span)
}

/// Whether a node is an `Allow` statement without conditions (literal effect).
#[must_use]
pub fn plain_allow(node: &Node) -> bool {
    node.get("Effect").and_then(Node::as_str) == Some("Allow") && node.get("Condition").is_none()
}
