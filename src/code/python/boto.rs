//! boto3 names: service names to IAM prefixes, snake_case methods to operation names, and the
//! methods of boto3 resources (DynamoDB `Table`, S3 `Bucket`/`Object`, SQS `Queue`, SNS `Topic`)
//! with the request parameters they fill in.

/// The IAM service prefix of a boto3 service name (`stepfunctions` -> `states`).
pub(super) fn iam_prefix(service: &str) -> &str {
    match service {
        "stepfunctions" | "sfn" => "states",
        "dynamodbstreams" => "dynamodb",
        "apigatewaymanagementapi" => "execute-api",
        "apigatewayv2" => "apigateway",
        "sesv2" => "ses",
        "iot-data" => "iot",
        "timestream-write" | "timestream-query" => "timestream",
        "kinesisanalyticsv2" => "kinesisanalytics",
        "elbv2" => "elasticloadbalancing",
        "s3control" => "s3",
        "lex-runtime" | "lexv2-runtime" => "lex",
        "sagemaker-runtime" => "sagemaker",
        "bedrock-runtime" | "bedrock-agent-runtime" => "bedrock",
        "appconfigdata" => "appconfig",
        "kinesis-video-media" => "kinesisvideo",
        other => other,
    }
}

/// `put_record_batch` -> `PutRecordBatch`, `list_objects_v2` -> `ListObjectsV2`. None for what
/// is not a plain method name (`_private`, dunders, non-ASCII).
pub(super) fn pascal(snake: &str) -> Option<String> {
    let ok = snake.starts_with(|c: char| c.is_ascii_lowercase())
        && snake
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return None;
    }
    let mut out = String::with_capacity(snake.len());
    for part in snake.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    Some(out)
}

/// Client methods that are not service operations.
const NOT_OPERATIONS: &[&str] = &[
    "can_paginate",
    "close",
    "exceptions",
    "generate_db_auth_token",
    "generate_presigned_post",
    "generate_presigned_url",
    "get_paginator",
    "get_waiter",
    "meta",
    "waiter_names",
];

/// Operations whose boto3 name does not convert back to the API name.
const SPECIAL: &[(&str, &str, &str)] = &[
    ("sns", "get_sms_attributes", "GetSMSAttributes"),
    ("sns", "set_sms_attributes", "SetSMSAttributes"),
    (
        "sns",
        "get_sms_sandbox_account_status",
        "GetSMSSandboxAccountStatus",
    ),
    ("sts", "assume_role_with_saml", "AssumeRoleWithSAML"),
];

/// The operation a client method calls and the names of its positional arguments (boto3 API
/// methods take keyword arguments only; the S3 transfer methods also take positional ones).
pub(super) fn client_op(service: &str, method: &str) -> Option<(String, &'static [&'static str])> {
    if NOT_OPERATIONS.contains(&method) {
        return None;
    }
    if service == "s3" {
        let transfer: Option<(&str, &'static [&'static str])> = match method {
            "upload_file" => Some(("PutObject", &["Filename", "Bucket", "Key"])),
            "upload_fileobj" => Some(("PutObject", &["Fileobj", "Bucket", "Key"])),
            "download_file" => Some(("GetObject", &["Bucket", "Key", "Filename"])),
            "download_fileobj" => Some(("GetObject", &["Bucket", "Key", "Fileobj"])),
            "copy" => Some(("CopyObject", &["CopySource", "Bucket", "Key"])),
            _ => None,
        };
        if let Some((op, names)) = transfer {
            return Some((op.to_string(), names));
        }
    }
    if let Some((_, _, op)) = SPECIAL
        .iter()
        .find(|(s, m, _)| *s == service && *m == method)
    {
        return Some(((*op).to_string(), &[]));
    }
    Some((pascal(method)?, &[]))
}

/// A service-level method of a boto3 resource (`dynamodb.batch_write_item`, `s3.create_bucket`);
/// sub-resource constructors (`Table`, `Bucket`) are not operations.
pub(super) fn resource_op(method: &str) -> Option<String> {
    match method {
        "get_available_subresources" | "meta" => None,
        "get_queue_by_name" => Some("GetQueueUrl".into()),
        m => pascal(m),
    }
}

/// A method of a DynamoDB `Table` (the call gets `TableName`).
pub(super) fn table_op(method: &str) -> Option<String> {
    match method {
        "batch_writer"
        | "get_available_subresources"
        | "wait_until_exists"
        | "wait_until_not_exists"
        | "meta" => None,
        "load" | "reload" => Some("DescribeTable".into()),
        "delete" => Some("DeleteTable".into()),
        "update" => Some("UpdateTable".into()),
        m => pascal(m),
    }
}

/// A method of an S3 `Bucket` (the call gets `Bucket`) and its positional argument names.
pub(super) fn bucket_op(method: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match method {
        "put_object" => ("PutObject", &[]),
        "upload_file" => ("PutObject", &["Filename", "Key"]),
        "upload_fileobj" => ("PutObject", &["Fileobj", "Key"]),
        "download_file" => ("GetObject", &["Key", "Filename"]),
        "download_fileobj" => ("GetObject", &["Key", "Fileobj"]),
        "copy" => ("CopyObject", &["CopySource", "Key"]),
        "delete_objects" => ("DeleteObjects", &[]),
        "delete" => ("DeleteBucket", &[]),
        "create" => ("CreateBucket", &[]),
        _ => return None,
    })
}

/// A method of an S3 `Object` (the call gets `Bucket` and `Key`).
pub(super) fn object_op(method: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match method {
        "put" => ("PutObject", &[]),
        "get" => ("GetObject", &[]),
        "delete" => ("DeleteObject", &[]),
        "upload_file" => ("PutObject", &["Filename"]),
        "upload_fileobj" => ("PutObject", &["Fileobj"]),
        "download_file" => ("GetObject", &["Filename"]),
        "download_fileobj" => ("GetObject", &["Fileobj"]),
        "copy_from" => ("CopyObject", &[]),
        "copy" => ("CopyObject", &["CopySource"]),
        "load" | "reload" => ("HeadObject", &[]),
        "restore_object" => ("RestoreObject", &[]),
        _ => return None,
    })
}

/// A method of an SQS `Queue` (the call gets `QueueUrl`).
pub(super) fn queue_op(method: &str) -> Option<&'static str> {
    Some(match method {
        "send_message" => "SendMessage",
        "send_messages" => "SendMessageBatch",
        "receive_messages" => "ReceiveMessage",
        "delete_messages" => "DeleteMessageBatch",
        "change_message_visibility_batch" => "ChangeMessageVisibilityBatch",
        "purge" => "PurgeQueue",
        "delete" => "DeleteQueue",
        "load" | "reload" => "GetQueueAttributes",
        "set_attributes" => "SetQueueAttributes",
        _ => return None,
    })
}

/// A method of an SNS `Topic` (the call gets `TopicArn`).
pub(super) fn topic_op(method: &str) -> Option<&'static str> {
    Some(match method {
        "publish" => "Publish",
        "subscribe" => "Subscribe",
        "delete" => "DeleteTopic",
        "load" | "reload" => "GetTopicAttributes",
        "set_attributes" => "SetTopicAttributes",
        _ => return None,
    })
}
