use super::rule::prelude::*;
use super::util_esm::{Retries, esms, retries};

declare_rule! {
    /// ## What it does
    /// Reports a Kinesis or DynamoDB Streams event source (SAM `Kinesis`/`DynamoDB` event or
    /// `AWS::Lambda::EventSourceMapping`) that bounds its retries (`MaximumRetryAttempts` >= 0
    /// or `MaximumRecordAgeInSeconds` set) but has no `DestinationConfig.OnFailure`.
    ///
    /// ## Why it matters
    /// When the retries run out, Lambda skips the batch and moves on. Without an on-failure
    /// destination nothing records which records were skipped: they are lost without a trace.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Clicks:
    ///     Type: AWS::Kinesis::Stream
    ///     Properties: {ShardCount: 2}
    ///   Aggregator:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: nodejs20.x
    ///       Handler: index.handler
    ///       CodeUri: src/
    ///       Events:
    ///         Stream:                        # expect: EL115
    ///           Type: Kinesis
    ///           Properties:
    ///             Stream: !GetAtt Clicks.Arn
    ///             StartingPosition: TRIM_HORIZON
    ///             MaximumRetryAttempts: 2
    /// ```
    ///
    /// ## How to fix
    /// Add `DestinationConfig.OnFailure` with a standard SQS queue or SNS topic, or an S3 bucket
    /// (SAM: `Type: SQS`, `SNS` or `S3` and `Destination`). Lambda sends it the shard,
    /// sequence numbers and error of every batch it gives up on, so the records can be read
    /// again from the stream while they are kept.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html>
    pub StreamFailuresDiscarded {
        code: "EL115",
        name: "stream-failures-discarded",
        severity: Warning,
    }
}

impl Rule for StreamFailuresDiscarded {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for esm in esms(cx) {
            if !esm.is_stream() || esm.has_on_failure() != Some(false) {
                continue;
            }
            let Retries::Bounded { what, span } = retries(cx, &esm) else {
                continue;
            };
            let help = if esm.edge.owner.event.is_some() {
                "add `DestinationConfig: {OnFailure: {Type: SQS, Destination: <queue ARN>}}` (or `Type: SNS` with a topic ARN) to keep a record of the skipped batches"
            } else {
                "add `DestinationConfig: {OnFailure: {Destination: <queue, topic or bucket ARN>}}` to keep a record of the skipped batches"
            };
            let mut f = Finding::new(
                esm.at("DestinationConfig"),
                format!(
                    "{} gives up on a failing batch of {} {what} but has no `DestinationConfig.OnFailure`: the skipped {} are lost without a trace",
                    esm.describe(),
                    esm.reads(),
                    esm.items(),
                ),
            )
            .resource(esm.resource())
            .label(span, "retries end here")
            .help(help)
            .key(esm.key("DestinationConfig.OnFailure"));
            if let Some(src) = esm.source_ref() {
                f = f.label(src.span, "the stream read from");
            }
            out.push(f);
        }
        out
    }
}
