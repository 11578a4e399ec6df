use super::rule::prelude::*;
use super::util_esm::esms;

declare_rule! {
    /// ## What it does
    /// Reports a Kinesis or DynamoDB Streams event source (a SAM `Kinesis`/`DynamoDB` event or
    /// an `AWS::Lambda::EventSourceMapping` reading a stream) without `StartingPosition`.
    ///
    /// ## Why it matters
    /// `StartingPosition` is required for stream sources and has no default: SAM rejects the
    /// event when it transforms the template, and CloudFormation fails to create the event
    /// source mapping.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Clicks:
    ///     Type: AWS::Kinesis::Stream
    ///     Properties: {ShardCount: 1}
    ///   Processor:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       CodeUri: src/
    ///       Events:
    ///         Stream:          # expect: EL704
    ///           Type: Kinesis
    ///           Properties:
    ///             Stream: !GetAtt Clicks.Arn
    ///             BatchSize: 100
    /// ```
    ///
    /// ## How to fix
    /// Set `StartingPosition` to `LATEST` (only records written from now on) or `TRIM_HORIZON`
    /// (every record still in the stream); Kinesis also accepts `AT_TIMESTAMP` with
    /// `StartingPositionTimestamp`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html>
    pub MissingStartingPosition { code: "EL704", name: "missing-starting-position", severity: Error }
}

impl Rule for MissingStartingPosition {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for esm in esms(cx) {
            if !esm.is_stream() || esm.has("StartingPosition") != Some(false) {
                continue;
            }
            let mut f = Finding::new(
                esm.anchor(),
                format!(
                    "{} reads {} but has no `StartingPosition`, which streams require: the deployment fails",
                    esm.describe(),
                    esm.reads()
                ),
            )
            .resource(esm.resource())
            .help(if esm.source == "Kinesis" {
                "set `StartingPosition: LATEST` (new records only), `TRIM_HORIZON` (every record still in the stream) or `AT_TIMESTAMP` with `StartingPositionTimestamp`"
            } else {
                "set `StartingPosition: LATEST` (new records only) or `TRIM_HORIZON` (every record still in the stream)"
            })
            .key(esm.key("StartingPosition"));
            if let Some(src) = esm.source_ref() {
                f = f.label(src.span, "the stream read from");
            }
            out.push(f);
        }
        out
    }
}
