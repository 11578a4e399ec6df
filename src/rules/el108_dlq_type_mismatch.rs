use super::rule::prelude::*;
use super::util_queue::{QUEUE, resource_of};

declare_rule! {
    /// ## What it does
    /// Checks that a queue's `RedrivePolicy` points at a dead-letter queue of the same type: a
    /// FIFO queue needs a FIFO dead-letter queue, a standard queue a standard one. FIFO-ness
    /// comes from `FifoQueue` or a `QueueName` ending in `.fifo`; unknown values are skipped.
    ///
    /// ## Why it matters
    /// SQS rejects the redrive policy, so creating or updating the source queue fails and the
    /// stack rolls back.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Orders:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       FifoQueue: true
    ///       RedrivePolicy:
    ///         deadLetterTargetArn: !GetAtt OrdersDlq.Arn   # expect: EL108
    ///         maxReceiveCount: 5
    ///   OrdersDlq:
    ///     Type: AWS::SQS::Queue
    /// ```
    ///
    /// ## How to fix
    /// Make the dead-letter queue the same type as its source: `FifoQueue: true` (and a name
    /// ending in `.fifo`, if it has a name) for the DLQ of a FIFO queue, no `FifoQueue` for the
    /// DLQ of a standard queue.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html>
    pub DlqTypeMismatch { code: "EL108", name: "dlq-type-mismatch", severity: Error }
}

impl Rule for DlqTypeMismatch {
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
            ) {
                continue;
            }
            let (Some(src), Some(dlq)) = (
                resource_of(cx.graph, from, QUEUE),
                resource_of(cx.graph, to, QUEUE),
            ) else {
                continue;
            };
            let (Fact::Known(src_fifo, src_at), Fact::Known(dlq_fifo, dlq_at)) =
                (cx.sys.is_fifo(src), cx.sys.is_fifo(dlq))
            else {
                continue;
            };
            if src_fifo == dlq_fifo {
                continue;
            }
            let kind = |fifo: bool| if fifo { "a FIFO" } else { "a standard" };
            let (sid, did) = (&src.res.id, &dlq.res.id);
            let help = if src_fifo {
                format!(
                    "make `{did}` a FIFO queue (`FifoQueue: true`, a name ending in `.fifo`), or point the RedrivePolicy at a FIFO queue"
                )
            } else {
                format!(
                    "make `{did}` a standard queue (no `FifoQueue`), or point the RedrivePolicy at a standard queue"
                )
            };
            out.push(
                Finding::new(
                    edge.span,
                    format!(
                        "queue `{sid}` is {} queue but its dead-letter queue `{did}` is {} queue: SQS rejects the RedrivePolicy and the deployment fails",
                        kind(src_fifo),
                        kind(dlq_fifo)
                    ),
                )
                .resource(sid)
                .label(dlq_at.span, format!("`{did}` is {} queue", kind(dlq_fifo)))
                .label(src_at.span, format!("`{sid}` is {} queue", kind(src_fifo)))
                .help(help)
                .key(format!("RedrivePolicy:{did}")),
            );
        }
        out
    }
}
