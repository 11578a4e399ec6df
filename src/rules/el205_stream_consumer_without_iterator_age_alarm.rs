use super::rule::prelude::*;
use super::util_alarms::{Metric, Watch, watchers};
use super::util_queue::FUNCTION;

declare_rule! {
    /// ## What it does
    /// Reports a function that reads a Kinesis or DynamoDB stream (SAM `Kinesis`/`DynamoDB`
    /// events, `AWS::Lambda::EventSourceMapping`) when no `AWS::CloudWatch::Alarm` watches its
    /// `AWS/Lambda` `IteratorAge` (by `FunctionName`, or `Resource` for an alias). For a Kinesis
    /// source an alarm on the stream's `GetRecords.IteratorAgeMilliseconds` or
    /// `SubscribeToShardEvent.MillisBehindLatest` counts too. Functions of a template with an
    /// `IteratorAge` alarm whose dimension is not known here are not reported, nor any
    /// function when such an alarm is in a template that declares no function.
    ///
    /// ## Why it matters
    /// `IteratorAge` is how far behind the stream the function is. A consumer that keeps
    /// retrying a poison record, or is too slow, falls behind without a single error, and
    /// records older than the stream's retention (24 hours for DynamoDB Streams and by default
    /// for Kinesis) are deleted before it reads them.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Clicks:
    ///     Type: AWS::Kinesis::Stream
    ///     Properties:
    ///       ShardCount: 1
    ///   ClickCounter:          # expect: EL205
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       Events:
    ///         Stream:
    ///           Type: Kinesis
    ///           Properties:
    ///             Stream: !GetAtt Clicks.Arn
    ///             StartingPosition: LATEST
    /// ```
    ///
    /// ## How to fix
    /// Add an alarm: `Namespace: AWS/Lambda`, `MetricName: IteratorAge`,
    /// `Dimensions: [{Name: FunctionName, Value: !Ref ClickCounter}]`, `Statistic: Maximum`,
    /// a `Threshold` in milliseconds well below the stream's retention, `AlarmActions`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html>
    pub StreamConsumerWithoutIteratorAgeAlarm {
        code: "EL205",
        name: "stream-consumer-without-iterator-age-alarm",
        severity: Info,
    }
}

impl Rule for StreamConsumerWithoutIteratorAgeAlarm {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let lambda = Metric {
            namespace: "AWS/Lambda",
            names: &["IteratorAge"],
            dimensions: &["FunctionName", "Resource"],
        };
        let kinesis = Metric {
            namespace: "AWS/Kinesis",
            names: &[
                "GetRecords.IteratorAgeMilliseconds",
                "SubscribeToShardEvent.MillisBehindLatest",
            ],
            dimensions: &["StreamName"],
        };
        for (ix, node) in cx.graph.nodes() {
            if node.kind != NodeKind::Resource || !FUNCTION.contains(&node.ty.as_str()) {
                continue;
            }
            let streams: Vec<_> = cx
                .graph
                .incoming(ix, EdgeKind::Polls)
                .into_iter()
                .filter(|(_, e)| {
                    matches!(
                        e.cfg,
                        Cfg::Esm {
                            source: "Kinesis" | "DynamoDB",
                            ..
                        }
                    )
                })
                .collect();
            if streams.is_empty() || !matches!(watchers(cx.sys, cx.graph, ix, &lambda), Watch::None)
            {
                continue;
            }
            // an alarm on how far readers of the stream lag covers a Kinesis source
            let all_watched = streams.iter().all(|(from, e)| {
                matches!(
                    e.cfg,
                    Cfg::Esm {
                        source: "Kinesis",
                        ..
                    }
                ) && !matches!(watchers(cx.sys, cx.graph, *from, &kinesis), Watch::None)
            });
            if all_watched {
                continue;
            }
            let names: Vec<String> = streams
                .iter()
                .filter_map(|(from, _)| cx.graph.node(*from))
                .filter(|n| n.kind != NodeKind::External)
                .map(|n| format!("`{}`", n.id))
                .collect();
            let reading = match names.first() {
                Some(first) if names.len() == 1 => format!(" (reading {first})"),
                _ => String::new(),
            };
            let mut f = Finding::new(
                node.span,
                format!(
                    "stream consumer `{}`{reading} has no alarm on AWS/Lambda IteratorAge: when it falls behind nobody is told, and records expire from the stream unread",
                    node.id
                ),
            )
            .resource(&node.id)
            .help(format!(
                "add an `AWS::CloudWatch::Alarm` with `Namespace: AWS/Lambda`, `MetricName: IteratorAge`, `Dimensions: [{{Name: FunctionName, Value: !Ref {}}}]`, `Statistic: Maximum`, a `Threshold` in milliseconds well below the stream's retention, and `AlarmActions`",
                node.id
            ))
            .key("IteratorAge-alarm");
            for (_, e) in &streams {
                f = f.label(e.span, "the function reads the stream here");
            }
            out.push(f);
        }
        out
    }
}
