use super::rule::prelude::*;
use super::util_esm::{REPORT, batch_size, esms};

declare_rule! {
    /// ## What it does
    /// Reports an SQS, Kinesis or DynamoDB Streams event source (SAM event or
    /// `AWS::Lambda::EventSourceMapping`) with a batch size above 1 (SQS default 10, streams
    /// 100) and without `FunctionResponseTypes: [ReportBatchItemFailures]`.
    ///
    /// ## Why it matters
    /// Without partial batch responses, one record the function cannot process fails the
    /// whole batch: every SQS message of the batch is received again (and counts towards
    /// `maxReceiveCount`), and a stream batch is retried from its first record. Records that
    /// were processed are processed again, and a poison record takes its neighbours to the
    /// dead-letter queue with it.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Jobs:
    ///     Type: AWS::SQS::Queue
    ///     Properties: {VisibilityTimeout: 180}
    ///   Worker:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       CodeUri: src/
    ///       Timeout: 30
    ///       Events:
    ///         Queue:                       # expect: EL110
    ///           Type: SQS
    ///           Properties:
    ///             Queue: !GetAtt Jobs.Arn
    ///             BatchSize: 10
    /// ```
    ///
    /// ## How to fix
    /// Set `FunctionResponseTypes: [ReportBatchItemFailures]` and return the failed items as
    /// `batchItemFailures` from the handler (Powertools' batch utility does this), or use a
    /// batch size of 1.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html>
    pub BatchFailuresNotReported {
        code: "EL110",
        name: "batch-failures-not-reported",
        severity: Warning,
    }
}

impl Rule for BatchFailuresNotReported {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for esm in esms(cx) {
            // SAM's mapping for an SNS `SqsSubscription` cannot take `FunctionResponseTypes`
            if !matches!(esm.source, "SQS" | "Kinesis" | "DynamoDB")
                || esm.is_sns_subscription_queue()
                || esm.reports_failures(cx) != Some(false)
            {
                continue;
            }
            let Fact::Known(size, origin) = batch_size(cx, &esm) else {
                continue;
            };
            if size <= 1 {
                continue;
            }
            let size_text = if origin.default {
                format!("up to {size} {} (the default)", esm.items())
            } else {
                format!("up to {size} {}", esm.items())
            };
            let effect = if esm.source == "SQS" {
                "one failed message makes the whole batch visible again"
            } else {
                "one failed record makes Lambda retry the whole batch"
            };
            let mut f = Finding::new(
                esm.at("FunctionResponseTypes"),
                format!(
                    "{} reads batches of {size_text} from {} without `FunctionResponseTypes: [{REPORT}]`: {effect}",
                    esm.describe(),
                    esm.reads(),
                ),
            )
            .resource(esm.resource())
            .help(format!(
                "set `FunctionResponseTypes: [{REPORT}]` and return the failed items as `batchItemFailures`, or set `BatchSize: 1`"
            ))
            .key(esm.key("FunctionResponseTypes"));
            if !origin.default {
                f = f.label(
                    origin.span,
                    format!("batches of up to {size} {}", esm.items()),
                );
            }
            out.push(f);
        }
        out
    }
}
