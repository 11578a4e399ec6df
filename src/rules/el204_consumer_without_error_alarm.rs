use super::rule::prelude::*;
use super::util_alarms::{Metric, Watch, describe_sources, event_sources, watchers};
use super::util_queue::FUNCTION;

declare_rule! {
    /// ## What it does
    /// Reports a function that consumes events (an event source mapping, a rule, schedule or
    /// pipe target, an SNS subscription, an S3 notification, an async destination, an
    /// asynchronous invocation by an IoT rule, a log subscription or an API integration) that
    /// no `AWS::CloudWatch::Alarm` watches on `AWS/Lambda` `Errors`: no plain or metric-math
    /// alarm whose `FunctionName` (or `Resource`, for an alias) dimension names it, and no
    /// alarm on `Errors` over all functions. Functions called only synchronously (API Gateway,
    /// Cognito triggers) or by a state machine are not reported: the caller sees the error.
    /// Functions of a template with an `Errors` alarm whose `FunctionName` is not known here
    /// (a parameter) are not reported, nor any function when such an alarm is in a template
    /// that declares no function (a monitoring stack).
    ///
    /// ## Why it matters
    /// An event-driven function fails out of sight: nobody waits for its answer. Retries, a
    /// dead-letter queue or a failure destination keep the events, but without an alarm on
    /// `Errors` nobody learns that the function is failing until the consequences show.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Jobs:
    ///     Type: AWS::SQS::Queue
    ///   Worker:                # expect: EL204
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       Events:
    ///         Job:
    ///           Type: SQS
    ///           Properties:
    ///             Queue: !GetAtt Jobs.Arn
    /// ```
    ///
    /// ## How to fix
    /// Add an alarm: `Namespace: AWS/Lambda`, `MetricName: Errors`,
    /// `Dimensions: [{Name: FunctionName, Value: !Ref Worker}]`, `Statistic: Sum`,
    /// `Threshold: 0`, `ComparisonOperator: GreaterThanThreshold`, `AlarmActions`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html>
    /// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html>
    pub ConsumerWithoutErrorAlarm { code: "EL204", name: "consumer-without-error-alarm", severity: Info }
}

impl Rule for ConsumerWithoutErrorAlarm {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let want = Metric {
            namespace: "AWS/Lambda",
            names: &["Errors"],
            dimensions: &["FunctionName", "Resource"],
        };
        for (ix, node) in cx.graph.nodes() {
            if node.kind != NodeKind::Resource || !FUNCTION.contains(&node.ty.as_str()) {
                continue;
            }
            let sources = event_sources(cx.graph, ix);
            if sources.is_empty() || !matches!(watchers(cx.sys, cx.graph, ix, &want), Watch::None) {
                continue;
            }
            let mut f = Finding::new(
                node.span,
                format!(
                    "function `{}` handles events from {} but no alarm watches its AWS/Lambda Errors: failing invocations go unnoticed",
                    node.id,
                    describe_sources(cx.graph, &sources)
                ),
            )
            .resource(&node.id)
            .help(format!(
                "add an `AWS::CloudWatch::Alarm` with `Namespace: AWS/Lambda`, `MetricName: Errors`, `Dimensions: [{{Name: FunctionName, Value: !Ref {}}}]`, `Statistic: Sum`, `Threshold: 0`, `ComparisonOperator: GreaterThanThreshold` and `AlarmActions`",
                node.id
            ))
            .key("Errors-alarm");
            for (from, e) in sources.iter().take(3) {
                let msg = match cx.graph.node(*from) {
                    Some(n) if n.kind != NodeKind::External => {
                        format!("events from `{}` arrive here", n.id)
                    }
                    _ => "events arrive here".to_string(),
                };
                f = f.label(e.span, msg);
            }
            out.push(f);
        }
        out
    }
}
