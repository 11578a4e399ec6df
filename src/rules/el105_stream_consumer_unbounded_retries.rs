use super::rule::prelude::*;
use super::util_esm::{Esm, Retries, esms, retries};
use crate::model::ResHandle;

declare_rule! {
    /// ## What it does
    /// Reports a Kinesis or DynamoDB Streams event source (SAM `Kinesis`/`DynamoDB` event or
    /// `AWS::Lambda::EventSourceMapping`) that leaves both `MaximumRetryAttempts` and
    /// `MaximumRecordAgeInSeconds` unset or -1 and has no `DestinationConfig.OnFailure`.
    ///
    /// ## Why it matters
    /// Both settings default to -1: Lambda retries a failing batch until its records expire
    /// from the stream (24 h for DynamoDB Streams, the retention period for Kinesis). Records
    /// of a shard are processed in order, so one record the function cannot handle blocks
    /// its whole shard for that time (AWS: "up to one week" with the default settings), the
    /// iterator age grows, and the records behind it may expire unprocessed.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Orders:
    ///     Type: AWS::DynamoDB::Table
    ///     Properties:
    ///       BillingMode: PAY_PER_REQUEST
    ///       AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
    ///       KeySchema: [{AttributeName: pk, KeyType: HASH}]
    ///       StreamSpecification: {StreamViewType: NEW_IMAGE}
    ///   Indexer:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       CodeUri: src/
    ///       Events:
    ///         Changes:                     # expect: EL105
    ///           Type: DynamoDB
    ///           Properties:
    ///             Stream: !GetAtt Orders.StreamArn
    ///             StartingPosition: LATEST
    /// ```
    ///
    /// ## How to fix
    /// Bound the retries with `MaximumRetryAttempts` (or `MaximumRecordAgeInSeconds`), set
    /// `BisectBatchOnFunctionError: true` so the failing record is isolated from the rest of
    /// its batch, and send what is given up to a `DestinationConfig.OnFailure` queue or topic.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html>
    pub StreamConsumerUnboundedRetries {
        code: "EL105",
        name: "stream-consumer-unbounded-retries",
        severity: Warning,
    }
}

impl Rule for StreamConsumerUnboundedRetries {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for esm in esms(cx) {
            if !esm.is_stream() || esm.has_on_failure() != Some(false) {
                continue;
            }
            let Retries::Unbounded { attempts, age } = retries(cx, &esm) else {
                continue;
            };
            let setting = |name: &str, fact: &Fact<i64>| {
                if fact.is_default() {
                    format!("no `{name}`")
                } else {
                    format!("`{name}` -1")
                }
            };
            let expiry = expiry(cx, &esm);
            let mut f = Finding::new(
                esm.at("MaximumRetryAttempts"),
                format!(
                    "{} retries a failing batch of {} without limit ({}, {}, no `DestinationConfig.OnFailure`): one bad record blocks its shard {expiry}",
                    esm.describe(),
                    esm.reads(),
                    setting("MaximumRetryAttempts", &attempts),
                    setting("MaximumRecordAgeInSeconds", &age),
                ),
            )
            .resource(esm.resource())
            .help(
                "set `MaximumRetryAttempts` (for example 3) or `MaximumRecordAgeInSeconds`, `BisectBatchOnFunctionError: true` to isolate the bad record, and a `DestinationConfig.OnFailure` destination (SQS queue, SNS topic or S3 bucket) to keep a record of what is given up",
            )
            .key(esm.key("MaximumRetryAttempts"));
            if let Some(o) = age.origin().filter(|o| !o.default) {
                f = f.label(o.span, "-1: no age limit either");
            }
            if let Some(src) = esm.source_ref() {
                f = f.label(src.span, "the stream read from");
            }
            out.push(f);
        }
        out
    }
}

/// How long a poison record can block its shard: until it leaves the stream.
fn expiry(cx: &Context<'_>, esm: &Esm<'_>) -> String {
    if esm.source == "DynamoDB" {
        return "for up to 24 h, until it expires from the stream".into();
    }
    let stream = cx.graph.node(esm.from).and_then(|n| {
        Some(ResHandle {
            tpl: n.tpl?,
            res: n.res.filter(|r| r.ty == "AWS::Kinesis::Stream")?,
        })
    });
    match stream.map(|h| cx.sys.int_or_default(h, "RetentionPeriodHours", 24)) {
        Some(Fact::Known(h, o)) if !o.default => {
            format!("until it expires from the stream ({h} h retention)")
        }
        _ => "until it expires from the stream".into(),
    }
}
