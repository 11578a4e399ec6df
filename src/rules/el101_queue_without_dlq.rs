use super::rule::prelude::*;
use super::util_queue::{handle, list_ids, named_like_dlq, sqs_consumers};
use crate::graph::Graph;
use crate::model::presence;

declare_rule! {
    /// ## What it does
    /// Reports an SQS queue that has no `RedrivePolicy` and is not itself a dead-letter queue or
    /// failure destination. The queue SAM creates for an SNS event with `SqsSubscription: true`
    /// is reported on the function. The message names the queue's consumers and the topics
    /// subscribed to it.
    ///
    /// ## Why it matters
    /// A message that its consumer keeps failing on becomes visible again after every failure
    /// and is received over and over until `MessageRetentionPeriod` expires (4 days by default),
    /// then it is deleted without a trace. Meanwhile it costs invocations, and on a FIFO queue
    /// it blocks its message group.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Jobs:                     # expect: EL101
    ///     Type: AWS::SQS::Queue
    ///   Worker:
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
    /// Declare a second queue as the dead-letter queue and set
    /// `RedrivePolicy: {deadLetterTargetArn: !GetAtt JobsDlq.Arn, maxReceiveCount: 5}`. For
    /// `SqsSubscription: true`, declare the queue yourself and pass it as
    /// `SqsSubscription: {QueueArn, QueueUrl}`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html>
    pub QueueWithoutDlq { code: "EL101", name: "queue-without-dlq", severity: Warning }
}

impl Rule for QueueWithoutDlq {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (ix, node) in cx.graph.nodes_of_type("AWS::SQS::Queue") {
            if cx.graph.is_failure_target(ix) {
                continue;
            }
            match node.kind {
                NodeKind::Resource => {
                    let Some(q) = handle(node) else { continue };
                    if presence(q.res.prop("RedrivePolicy")) != Some(false)
                        || is_redrive_target(cx, q.tpl, q.res)
                        || named_like_dlq(cx.sys, q)
                    {
                        continue;
                    }
                    let (who, labels) = consumers(cx.graph, ix);
                    let mut f = Finding::new(
                        q.res.id_span,
                        format!(
                            "queue `{}`{who} has no RedrivePolicy: a message that keeps failing is received again and again until it expires",
                            q.res.id
                        ),
                    )
                    .resource(&q.res.id)
                    .help("add a dead-letter queue: `RedrivePolicy: {deadLetterTargetArn: !GetAtt <Dlq>.Arn, maxReceiveCount: 5}`")
                    .key("RedrivePolicy");
                    for (span, msg) in labels {
                        f = f.label(span, msg);
                    }
                    out.push(f);
                }
                NodeKind::Generated => {
                    // the queue SAM creates for `SqsSubscription: true`: no properties at all
                    let Some(parent) = node.parent.as_deref() else {
                        continue;
                    };
                    if sqs_consumers(cx.graph, ix).is_empty() {
                        continue;
                    }
                    let (who, labels) = consumers(cx.graph, ix);
                    let mut f = Finding::new(
                        node.span,
                        format!(
                            "queue `{}` that SAM creates for `SqsSubscription`{who} has no RedrivePolicy: a message that keeps failing is received again and again until it expires",
                            node.id
                        ),
                    )
                    .resource(parent)
                    .help("SAM cannot give this queue a RedrivePolicy: declare the queue with one and pass it as `SqsSubscription: {QueueArn, QueueUrl}`")
                    .key(format!("{}.RedrivePolicy", node.id));
                    for (span, msg) in labels {
                        f = f.label(span, msg);
                    }
                    out.push(f);
                }
                NodeKind::External => {}
            }
        }
        out
    }
}

/// A queue that an SQS `RedriveAllowPolicy` opens to source queues (other than `denyAll`) is
/// meant to be a dead-letter queue.
fn is_redrive_target(cx: &Context<'_>, tpl: TplId, res: &Resource) -> bool {
    let Some(p) = res.prop("RedriveAllowPolicy") else {
        return false;
    };
    match p.get("redrivePermission") {
        Some(perm) => cx.sys.string(tpl, perm).value().map(String::as_str) != Some("denyAll"),
        None => presence(Some(p)) != Some(false),
    }
}

type Labels = Vec<(crate::source::Span, String)>;

/// " (consumed by `A`, fed by topic `T`)" and labels at the event sources and subscriptions.
fn consumers(graph: &Graph<'_>, queue: NodeIx) -> (String, Labels) {
    let mut labels = Vec::new();
    let mut readers = Vec::new();
    for (to, e) in graph.outgoing(queue, EdgeKind::Polls) {
        let Some(n) = graph.node(to).filter(|n| n.kind != NodeKind::External) else {
            continue;
        };
        if !readers.contains(&n.id) {
            readers.push(n.id.clone());
        }
        labels.push((e.span, format!("`{}` reads the queue here", n.id)));
    }
    let mut topics = Vec::new();
    for (from, e) in graph.incoming(queue, EdgeKind::Subscribes) {
        let Some(n) = graph.node(from).filter(|n| n.kind != NodeKind::External) else {
            continue;
        };
        if !topics.contains(&n.id) {
            topics.push(n.id.clone());
        }
        labels.push((
            e.span,
            format!("topic `{}` delivers to the queue here", n.id),
        ));
    }
    let mut parts = Vec::new();
    if !readers.is_empty() {
        parts.push(format!("consumed by {}", list_ids(&readers)));
    }
    if !topics.is_empty() {
        parts.push(format!("subscribed to {}", list_ids(&topics)));
    }
    let who = if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    };
    (who, labels)
}
