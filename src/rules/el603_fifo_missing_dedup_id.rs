use super::rule::prelude::*;
use super::util_consumer::fifo_sends;
use crate::code::Field;

declare_rule! {
    /// ## What it does
    /// Reports handler code that sends to a FIFO queue or publishes to a FIFO topic without
    /// `MessageDeduplicationId` when the queue or topic does not enable
    /// `ContentBasedDeduplication`. Only a literal `ContentBasedDeduplication` (or its absence)
    /// counts as known; parameters built from something unknown are left alone.
    ///
    /// ## Why it matters
    /// A FIFO queue or topic needs a deduplication ID for every message: either the sender
    /// passes `MessageDeduplicationId` or the queue/topic derives one from the body
    /// (`ContentBasedDeduplication: true`). With neither, every call fails with
    /// `InvalidParameterValue` and the message is lost.
    ///
    /// ## Example
    /// ```python
    /// # OrdersQueue: FifoQueue: true, no ContentBasedDeduplication
    /// sqs.send_message(QueueUrl=URL, MessageBody=body, MessageGroupId=order_id)  # expect: EL603
    /// ```
    ///
    /// ## How to fix
    /// Pass `MessageDeduplicationId` (a stable ID of the business event, so retries of the same
    /// send are dropped), or set `ContentBasedDeduplication: true` on the queue or topic.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html>
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html>
    /// - <https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html>
    pub FifoMissingDedupId { code: "EL603", name: "fifo-missing-dedup-id", severity: Error }
}

impl Rule for FifoMissingDedupId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for send in fifo_sends(cx) {
            let Fact::Known(false, origin) = &send.content_dedup else {
                continue;
            };
            if send.message.field("MessageDeduplicationId") != Field::Absent {
                continue;
            }
            let (kind, target, f) = (send.kind(), &send.target.res.id, &send.function.res.id);
            let why = if origin.default {
                format!("FIFO {kind} without `ContentBasedDeduplication`")
            } else {
                "`ContentBasedDeduplication` is false".to_string()
            };
            out.push(
                Finding::new(
                    send.span(),
                    format!(
                        "`{f}` sends to FIFO {kind} `{target}` without `MessageDeduplicationId`{} and the {kind} does not deduplicate by content: the call is rejected",
                        send.which()
                    ),
                )
                .resource(f)
                .label(origin.span, why)
                .help(format!(
                    "pass `MessageDeduplicationId` (a stable ID of the event) or set `ContentBasedDeduplication: true` on `{target}`"
                ))
                .key(format!("dedup-id:{target}")),
            );
        }
        out
    }
}
