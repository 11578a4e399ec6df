use super::rule::prelude::*;
use super::util_alarms::{DEPTH, Metric, Watch, failure_queues, senders, watchers};
use super::util_queue::{handle, list_ids};

declare_rule! {
    /// ## What it does
    /// Reports a queue that is the redrive dead-letter queue of another queue when the only
    /// alarms on it watch `AWS/SQS` `NumberOfMessagesSent`, with no alarm on
    /// `ApproximateNumberOfMessagesVisible` (or `ApproximateAgeOfOldestMessage`). Queues that
    /// receive failures only from services that send them (a function's dead-letter queue, an
    /// EventBridge or SNS dead-letter queue) are not reported: those sends are counted.
    ///
    /// ## Why it matters
    /// `NumberOfMessagesSent` counts messages sent with `SendMessage`. A message that SQS moves
    /// to the dead-letter queue after `maxReceiveCount` failed receives is not sent, so the
    /// metric stays at 0 and the alarm never goes off, however many messages fail: the alarm
    /// looks like protection and gives none.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Jobs:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       RedrivePolicy: {deadLetterTargetArn: !GetAtt JobsDlq.Arn, maxReceiveCount: 5}
    ///   JobsDlq:               # expect: EL202
    ///     Type: AWS::SQS::Queue
    ///   JobsDlqAlarm:
    ///     Type: AWS::CloudWatch::Alarm
    ///     Properties:
    ///       Namespace: AWS/SQS
    ///       MetricName: NumberOfMessagesSent
    ///       Dimensions: [{Name: QueueName, Value: !GetAtt JobsDlq.QueueName}]
    ///       Statistic: Sum
    ///       Period: 60
    ///       EvaluationPeriods: 1
    ///       Threshold: 0
    ///       ComparisonOperator: GreaterThanThreshold
    /// ```
    ///
    /// ## How to fix
    /// Change the alarm's `MetricName` to `ApproximateNumberOfMessagesVisible` with
    /// `Statistic: Maximum`: it counts the messages in the queue however they got there.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html>
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/dead-letter-queues-alarms-cloudwatch.html>
    pub DlqAlarmWrongMetric { code: "EL202", name: "dlq-alarm-wrong-metric", severity: Warning }
}

impl Rule for DlqAlarmWrongMetric {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ix in failure_queues(cx.graph) {
            let redriven_from: Vec<String> = cx
                .graph
                .incoming(ix, EdgeKind::DeadLetters)
                .into_iter()
                .filter(|(_, e)| {
                    matches!(
                        e.cfg,
                        Cfg::DeadLetter {
                            kind: DlqKind::Redrive,
                            ..
                        }
                    )
                })
                .map(|(_, e)| e.owner.res.id.clone())
                .collect();
            if redriven_from.is_empty() {
                continue;
            }
            let metric = |names| Metric {
                namespace: "AWS/SQS",
                names,
                dimensions: &["QueueName"],
            };
            if !matches!(watchers(cx.sys, cx.graph, ix, &metric(DEPTH)), Watch::None) {
                continue;
            }
            let Watch::Watched(sent) =
                watchers(cx.sys, cx.graph, ix, &metric(&["NumberOfMessagesSent"]))
            else {
                continue;
            };
            let Some(q) = cx.graph.node(ix).and_then(handle) else {
                continue;
            };
            let mut alarms: Vec<String> = Vec::new();
            for w in &sent {
                if !alarms.contains(&w.alarm.id) {
                    alarms.push(w.alarm.id.clone());
                }
            }
            let (only, verb) = if alarms.len() == 1 {
                ("the only alarm", "watches")
            } else {
                ("the only alarms", "watch")
            };
            let mut f = Finding::new(
                q.res.id_span,
                format!(
                    "{only} on dead-letter queue `{}`, {}, {verb} NumberOfMessagesSent, which does not count the messages SQS moves there from {}: it stays silent when they fail",
                    q.res.id,
                    list_ids(&alarms),
                    list_ids(&redriven_from)
                ),
            )
            .resource(&q.res.id)
            .help(format!(
                "change `MetricName` of {} to `ApproximateNumberOfMessagesVisible` with `Statistic: Maximum`",
                list_ids(&alarms)
            ))
            .key("alarm-metric");
            for w in &sent {
                f = f.label(
                    w.span,
                    format!("`{}` watches NumberOfMessagesSent here", w.alarm.id),
                );
            }
            let (_, labels) = senders(cx.graph, ix);
            for (s, m) in labels {
                f = f.label(s, m);
            }
            out.push(f);
        }
        out
    }
}
