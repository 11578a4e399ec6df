use super::rule::prelude::*;
use super::util_alarms::{Told, event_path_kind, told};
use crate::model::alarm::{ALARM, Actions};

declare_rule! {
    /// ## What it does
    /// Reports an `AWS::CloudWatch::Alarm` on an event-path resource (a queue, topic, function
    /// that consumes events, state machine, rule, Kinesis stream or event bus, named by a
    /// dimension of a plain or metric-math alarm) that tells nobody when it goes off: no
    /// `AlarmActions`, an empty list, or `ActionsEnabled: false`. An alarm that a composite
    /// alarm with actions names in its `AlarmRule` notifies through it, and an alarm that
    /// another resource acts on (a SAM `DeploymentPreference`, a CodeDeploy deployment group, a
    /// Route 53 health check, a rule on CloudWatch alarm state changes) is not reported.
    ///
    /// ## Why it matters
    /// An alarm without actions only changes colour in the console. The dead-letter queue fills,
    /// the function fails, and nobody learns of it until the damage shows elsewhere.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   OrdersDlq:
    ///     Type: AWS::SQS::Queue
    ///   OrdersDlqAlarm:        # expect: EL203
    ///     Type: AWS::CloudWatch::Alarm
    ///     Properties:
    ///       Namespace: AWS/SQS
    ///       MetricName: ApproximateNumberOfMessagesVisible
    ///       Dimensions: [{Name: QueueName, Value: !GetAtt OrdersDlq.QueueName}]
    ///       Statistic: Maximum
    ///       Period: 60
    ///       EvaluationPeriods: 1
    ///       Threshold: 0
    ///       ComparisonOperator: GreaterThanThreshold
    /// ```
    ///
    /// ## How to fix
    /// Add `AlarmActions: [!Ref AlarmTopic]` with an SNS topic that someone subscribes to (or
    /// another action), or name the alarm in the `AlarmRule` of an
    /// `AWS::CloudWatch::CompositeAlarm` that has actions.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html>
    /// - <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html>
    /// - <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html>
    pub AlarmWithoutAction { code: "EL203", name: "alarm-without-action", severity: Warning }
}

impl Rule for AlarmWithoutAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (ix, node) in cx.graph.nodes_of_type(ALARM) {
            let Some(res) = node.res.filter(|_| node.kind == NodeKind::Resource) else {
                continue;
            };
            let mut watched: Vec<(NodeIx, String)> = Vec::new();
            let mut labels = Vec::new();
            for (to, e) in cx.graph.outgoing(ix, EdgeKind::Alarms) {
                if !matches!(e.cfg, Cfg::Alarm { known: true, .. }) {
                    continue;
                }
                let (Some(kind), Some(n)) = (event_path_kind(cx.graph, to), cx.graph.node(to))
                else {
                    continue;
                };
                let what = format!("{kind} `{}`", n.id);
                labels.push((e.span, format!("`{}` watches {what} here", res.id)));
                if !watched.iter().any(|(w, _)| *w == to) {
                    watched.push((to, what));
                }
            }
            if watched.is_empty() {
                continue;
            }
            let Told::No(actions) = told(cx.sys, cx.graph, ix) else {
                continue;
            };
            let (span, why, help) = match actions {
                Actions::Disabled(s) => (
                    s,
                    "has ActionsEnabled false",
                    "remove `ActionsEnabled: false` so that its actions run",
                ),
                Actions::None(Some(s)) => (
                    s,
                    "has an empty AlarmActions list",
                    "add an action to `AlarmActions`, such as `!Ref AlarmTopic` with an SNS topic that someone subscribes to, or name the alarm in the `AlarmRule` of a composite alarm that has actions",
                ),
                _ => (
                    res.id_span,
                    "has no AlarmActions",
                    "add `AlarmActions: [!Ref AlarmTopic]` with an SNS topic that someone subscribes to, or name the alarm in the `AlarmRule` of a composite alarm that has actions",
                ),
            };
            let names: Vec<String> = watched.into_iter().map(|(_, w)| w).collect();
            let on = match names.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => continue,
            };
            let mut f = Finding::new(
                span,
                format!(
                    "alarm `{}` on {on} {why}: when it goes off nobody is told",
                    res.id
                ),
            )
            .resource(&res.id)
            .help(help)
            .key("AlarmActions");
            for (s, m) in labels {
                f = f.label(s, m);
            }
            out.push(f);
        }
        out
    }
}
