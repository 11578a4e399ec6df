use super::rule::prelude::*;
use super::util_queue::{QUEUE, readable_secs, resource_of};

/// The longest `MessageRetentionPeriod` SQS allows (14 days).
const SQS_RETENTION_MAX: i64 = 1_209_600;

declare_rule! {
    /// ## What it does
    /// Checks that the dead-letter queue of a standard queue keeps messages longer than the
    /// source queue does: the DLQ's `MessageRetentionPeriod` must be greater than the source
    /// queue's (both default to 4 days). FIFO queues are not checked: they reset the timestamp
    /// on redrive.
    ///
    /// ## Why it matters
    /// For standard queues the enqueue timestamp of a message is kept when it moves to the
    /// dead-letter queue, so its age in the DLQ counts from when it was first sent. With equal
    /// retention, a message that failed for 3 days has one day left in the DLQ; with a shorter
    /// one it may be deleted as soon as it arrives, before anyone can inspect or redrive it.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Jobs:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       MessageRetentionPeriod: 604800
    ///       RedrivePolicy:
    ///         deadLetterTargetArn: !GetAtt JobsDlq.Arn
    ///         maxReceiveCount: 5
    ///   JobsDlq:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       MessageRetentionPeriod: 345600   # expect: EL107
    /// ```
    ///
    /// ## How to fix
    /// Give the dead-letter queue a longer `MessageRetentionPeriod` than its source queue (the
    /// maximum, 1209600 s = 14 days, is common for DLQs), or shorten the source queue's.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html>
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html>
    pub DlqRetentionTooShort { code: "EL107", name: "dlq-retention-too-short", severity: Warning }
}

impl Rule for DlqRetentionTooShort {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (from, to, edge) in cx.graph.edges(EdgeKind::DeadLetters) {
            if !matches!(
                edge.cfg,
                Cfg::DeadLetter {
                    kind: DlqKind::Redrive,
                    ..
                }
            ) || from == to
            {
                continue;
            }
            let (Some(src), Some(dlq)) = (
                resource_of(cx.graph, from, QUEUE),
                resource_of(cx.graph, to, QUEUE),
            ) else {
                continue;
            };
            // standard source queue only; a FIFO DLQ of a standard queue is EL108's business
            if cx.sys.is_fifo(src).value() != Some(&false)
                || cx.sys.is_fifo(dlq).value() == Some(&true)
            {
                continue;
            }
            let (src_ret, dlq_ret) = (cx.sys.retention(src), cx.sys.retention(dlq));
            let (Fact::Known(s, s_at), Fact::Known(d, d_at)) = (&src_ret, &dlq_ret) else {
                continue;
            };
            if d > s {
                continue;
            }
            let (sid, did) = (&src.res.id, &dlq.res.id);
            let help = if *s >= SQS_RETENTION_MAX {
                format!(
                    "`{sid}` already keeps messages for the maximum 14 days: lower its MessageRetentionPeriod below that of `{did}`"
                )
            } else {
                format!(
                    "set MessageRetentionPeriod of `{did}` above {}; the maximum, {}, is usual for a dead-letter queue",
                    readable_secs(*s),
                    readable_secs(SQS_RETENTION_MAX)
                )
            };
            let describe = |v: i64, default: bool| {
                if default {
                    format!("the default {}", readable_secs(v))
                } else {
                    readable_secs(v)
                }
            };
            let (src_desc, dlq_desc) = (describe(*s, s_at.default), describe(*d, d_at.default));
            out.push(
                Finding::new(
                    d_at.span,
                    format!(
                        "dead-letter queue `{did}` keeps messages for {dlq_desc} and its standard source queue `{sid}` for {src_desc}: moved messages keep their first enqueue time, so they expire in the dead-letter queue early"
                    ),
                )
                .resource(did)
                .label(s_at.span, format!("`{sid}` keeps messages for {src_desc}"))
                .label(edge.span, format!("`{sid}` moves failed messages to `{did}` here"))
                .help(help)
                .key(format!("MessageRetentionPeriod:{sid}")),
            );
        }
        out
    }
}
