use super::rule::prelude::*;
use super::util_alarms::{Metric, Watch, failure_queues, key_of, senders, watchers};
use super::util_queue::{handle, list_ids, readable_secs};
use crate::model::aws::SQS_RETENTION_DEFAULT;

/// Depth metrics and `NumberOfMessagesSent` (which misses redriven messages: EL202).
const ANY_ARRIVAL: &[&str] = &[
    "ApproximateNumberOfMessagesVisible",
    "ApproximateAgeOfOldestMessage",
    "NumberOfMessagesSent",
];

declare_rule! {
    /// ## What it does
    /// Reports an SQS queue that receives failures (the redrive target of a queue, a function's
    /// `DeadLetterQueue`/`DeadLetterConfig`, an async or event source mapping `OnFailure`
    /// destination, a rule target's, schedule's, pipe's or subscription's dead-letter queue, or
    /// a queue SAM creates for one) when no `AWS::CloudWatch::Alarm` watches it:
    /// no plain or metric-math alarm on `AWS/SQS` `ApproximateNumberOfMessagesVisible` (or
    /// `ApproximateAgeOfOldestMessage`) whose `QueueName` dimension names it. A queue that SAM
    /// creates is reported on the function or state machine whose property creates it. A
    /// dead-letter queue that a function or pipe consumes is not reported (its failures are
    /// handled by code), nor are the queues of a template with an alarm whose `QueueName` is
    /// not known here (a parameter), or of any template when such an alarm is in a template
    /// that declares no queue (a monitoring stack).
    ///
    /// ## Why it matters
    /// A dead-letter queue keeps what failed so that someone can look at it and redrive it. If
    /// nobody is told when messages arrive, they sit there until `MessageRetentionPeriod`
    /// deletes them (4 days by default), and the failure is noticed, if at all, from its
    /// consequences.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Orders:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       RedrivePolicy:
    ///         deadLetterTargetArn: !GetAtt OrdersDlq.Arn
    ///         maxReceiveCount: 5
    ///   OrdersDlq:             # expect: EL201
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       MessageRetentionPeriod: 1209600
    /// ```
    ///
    /// ## How to fix
    /// Add an alarm on the queue's depth and give it an action:
    /// `Namespace: AWS/SQS`, `MetricName: ApproximateNumberOfMessagesVisible`,
    /// `Dimensions: [{Name: QueueName, Value: !GetAtt OrdersDlq.QueueName}]`,
    /// `Statistic: Maximum`, `Threshold: 0`, `ComparisonOperator: GreaterThanThreshold`,
    /// `AlarmActions: [!Ref AlarmTopic]`. For a queue SAM creates, refer to it by the logical
    /// ID SAM gives it (`!GetAtt WorkerScheduleQueue.QueueName`), or declare it yourself.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/dead-letter-queues-alarms-cloudwatch.html>
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html>
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html>
    pub DlqWithoutAlarm { code: "EL201", name: "dlq-without-alarm", severity: Warning }
}

impl Rule for DlqWithoutAlarm {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ix in failure_queues(cx.graph) {
            let Some(node) = cx.graph.node(ix) else {
                continue;
            };
            // a consumed dead-letter queue is processed by code, not by people
            if !cx.graph.outgoing(ix, EdgeKind::Polls).is_empty() {
                continue;
            }
            let want = Metric {
                namespace: "AWS/SQS",
                names: ANY_ARRIVAL,
                dimensions: &["QueueName"],
            };
            if !matches!(watchers(cx.sys, cx.graph, ix, &want), Watch::None) {
                continue;
            }
            let (senders, labels) = senders(cx.graph, ix);
            let (span, resource, what, key, retention) = match node.kind {
                NodeKind::Resource => {
                    let Some(q) = handle(node) else { continue };
                    let retention = match cx.sys.retention(q) {
                        Fact::Known(v, _) => format!(" after {}", readable_secs(v)),
                        Fact::Unknown(_) => String::new(),
                    };
                    (
                        q.res.id_span,
                        q.res.id.clone(),
                        format!("dead-letter queue `{}`", q.res.id),
                        "alarm".to_string(),
                        retention,
                    )
                }
                NodeKind::Generated => {
                    let Some(parent) = node.parent.clone() else {
                        continue;
                    };
                    // the key of the property that makes SAM create the queue
                    let span = cx
                        .sys
                        .resource(node.tpl.unwrap_or_default(), &parent)
                        .and_then(|h| key_of(h.res.props(), node.span))
                        .unwrap_or(node.span);
                    (
                        span,
                        parent.clone(),
                        format!(
                            "dead-letter queue `{}` that SAM creates for `{parent}`",
                            node.id
                        ),
                        format!("{}.alarm", node.id),
                        format!(" after {}", readable_secs(SQS_RETENTION_DEFAULT)),
                    )
                }
                NodeKind::External => continue,
            };
            let from = if senders.is_empty() {
                String::new()
            } else {
                format!(" from {}", list_ids(&senders))
            };
            let mut f = Finding::new(
                span,
                format!(
                    "{what} has no alarm on ApproximateNumberOfMessagesVisible: failures{from} pile up there unnoticed until they expire{retention}"
                ),
            )
            .resource(&resource)
            .help(format!(
                "add an `AWS::CloudWatch::Alarm` with `Namespace: AWS/SQS`, `MetricName: ApproximateNumberOfMessagesVisible`, `Dimensions: [{{Name: QueueName, Value: !GetAtt {}.QueueName}}]`, `Statistic: Maximum`, `Threshold: 0`, `ComparisonOperator: GreaterThanThreshold` and `AlarmActions`",
                node.id
            ))
            .key(key);
            for (s, m) in labels {
                if s != node.span {
                    f = f.label(s, m);
                }
            }
            out.push(f);
        }
        out
    }
}
