use super::rule::prelude::*;
use super::util_alarms::{Metric, Watch, event_sources, watchers};

declare_rule! {
    /// ## What it does
    /// Reports a state machine (`AWS::Serverless::StateMachine`,
    /// `AWS::StepFunctions::StateMachine`) that no `AWS::CloudWatch::Alarm` watches on
    /// `AWS/States` `ExecutionsFailed` with a `StateMachineArn` dimension naming it (plain or
    /// metric-math alarm). State machines of a template with such an alarm whose
    /// `StateMachineArn` is not known here are not reported, nor any state machine when such
    /// an alarm is in a template that declares no state machine.
    ///
    /// ## Why it matters
    /// A failed execution ends quietly: the error is in the execution history, and whatever
    /// the workflow was to do for the event is not done. Without an alarm nobody looks.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   OrderWorkflow:         # expect: EL206
    ///     Type: AWS::Serverless::StateMachine
    ///     Properties:
    ///       Definition:
    ///         StartAt: Done
    ///         States:
    ///           Done: {Type: Succeed}
    ///       Events:
    ///         Placed:
    ///           Type: EventBridgeRule
    ///           Properties:
    ///             Pattern: {source: [com.example.orders]}
    /// ```
    ///
    /// ## How to fix
    /// Add an alarm: `Namespace: AWS/States`, `MetricName: ExecutionsFailed`,
    /// `Dimensions: [{Name: StateMachineArn, Value: !Ref OrderWorkflow}]`, `Statistic: Sum`,
    /// `Threshold: 0`, `ComparisonOperator: GreaterThanThreshold`, `AlarmActions`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html>
    /// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html>
    pub StateMachineWithoutFailureAlarm {
        code: "EL206",
        name: "state-machine-without-failure-alarm",
        severity: Info,
    }
}

impl Rule for StateMachineWithoutFailureAlarm {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let want = Metric {
            namespace: "AWS/States",
            names: &["ExecutionsFailed"],
            dimensions: &["StateMachineArn"],
        };
        for (ix, node) in cx.graph.nodes() {
            let is_sm = matches!(
                node.ty.as_str(),
                "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine"
            );
            if node.kind != NodeKind::Resource
                || !is_sm
                || !matches!(watchers(cx.sys, cx.graph, ix, &want), Watch::None)
            {
                continue;
            }
            let mut f = Finding::new(
                node.span,
                format!(
                    "state machine `{}` has no alarm on AWS/States ExecutionsFailed: failed executions go unnoticed",
                    node.id
                ),
            )
            .resource(&node.id)
            .help(format!(
                "add an `AWS::CloudWatch::Alarm` with `Namespace: AWS/States`, `MetricName: ExecutionsFailed`, `Dimensions: [{{Name: StateMachineArn, Value: !Ref {}}}]`, `Statistic: Sum`, `Threshold: 0`, `ComparisonOperator: GreaterThanThreshold` and `AlarmActions`",
                node.id
            ))
            .key("ExecutionsFailed-alarm");
            for (_, e) in event_sources(cx.graph, ix).iter().take(2) {
                f = f.label(e.span, "executions start here");
            }
            out.push(f);
        }
        out
    }
}
