use super::rule::prelude::*;
use super::util_consumer::fifo_sends;
use crate::code::Field;

declare_rule! {
    /// ## What it does
    /// Reports handler code that sends a message to a FIFO queue (`SendMessage`,
    /// `SendMessageBatch` entries) or publishes to a FIFO topic (`Publish`, `PublishBatch`
    /// entries) without `MessageGroupId`. The queue or topic must be in scope and known to be
    /// FIFO (`FifoQueue`/`FifoTopic: true` or a `.fifo` name); parameters built from something
    /// unknown (`**kwargs`, a spread of a computed object) are left alone.
    ///
    /// ## Why it matters
    /// `MessageGroupId` is required for FIFO queues and topics: every such call is rejected
    /// with `MissingParameter`, so the message is never sent. The error only shows at run time,
    /// typically on the first real event.
    ///
    /// ## Example
    /// ```python
    /// sqs.send_message(QueueUrl=os.environ["ORDERS_QUEUE_URL"], MessageBody=body)  # expect: EL602
    /// ```
    ///
    /// ## How to fix
    /// Pass `MessageGroupId`: messages with the same group ID are delivered in order, one group
    /// at a time, so use the entity the order matters for (an order ID, a customer ID).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html>
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagegroupid-property.html>
    /// - <https://docs.aws.amazon.com/sns/latest/api/API_Publish.html>
    pub FifoMissingGroupId { code: "EL602", name: "fifo-missing-group-id", severity: Error }
}

impl Rule for FifoMissingGroupId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for send in fifo_sends(cx) {
            if send.message.field("MessageGroupId") != Field::Absent {
                continue;
            }
            let (kind, target, f) = (send.kind(), &send.target.res.id, &send.function.res.id);
            out.push(
                Finding::new(
                    send.span(),
                    format!(
                        "`{f}` sends to FIFO {kind} `{target}` without `MessageGroupId`{}: the call is rejected and the message is not sent",
                        send.which()
                    ),
                )
                .resource(f)
                .label(send.target.res.id_span, format!("FIFO {kind}"))
                .help("pass `MessageGroupId` (the entity whose messages must stay in order, e.g. the order ID)")
                .key(format!("group-id:{target}")),
            );
        }
        out
    }
}
