use super::rule::prelude::*;
use super::util_delivery::{event_key_span, is_known_node, maybe_present};

declare_rule! {
    /// ## What it does
    /// Reports an SNS subscription without a `RedrivePolicy`: a SAM `SNS` event, an
    /// `AWS::SNS::Subscription`, or an inline `Subscription` entry of an `AWS::SNS::Topic`
    /// (which cannot have one at all).
    ///
    /// ## Why it matters
    /// SNS retries delivery to Lambda and SQS endpoints 100,015 times over 23 days, but a
    /// client-side error (a deleted endpoint, a missing queue or function policy, a KMS key SNS
    /// cannot use) fails at once. Without a dead-letter queue the message is discarded and only
    /// the `NumberOfNotificationsFailed` metric records it.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Orders:
    ///     Type: AWS::SNS::Topic
    ///   Audit:
    ///     Type: AWS::SQS::Queue
    ///   AuditSubscription:  # expect: EL104
    ///     Type: AWS::SNS::Subscription
    ///     Properties:
    ///       TopicArn: !Ref Orders
    ///       Protocol: sqs
    ///       Endpoint: !GetAtt Audit.Arn
    /// ```
    ///
    /// ## How to fix
    /// Add `RedrivePolicy: {deadLetterTargetArn: <SQS queue ARN>}` to the subscription (SAM:
    /// to the `SNS` event's Properties), plus a queue policy letting `sns.amazonaws.com` send
    /// to that queue. Move inline `Subscription` entries to `AWS::SNS::Subscription` resources.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html>
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html>
    pub SubscriptionWithoutDlq {
        code: "EL104",
        name: "subscription-without-dlq",
        severity: Warning,
    }
}

impl Rule for SubscriptionWithoutDlq {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (from, to, e) in cx.graph.edges(EdgeKind::Subscribes) {
            let Cfg::Subscription {
                props,
                inline,
                ref protocol,
            } = e.cfg
            else {
                continue;
            };
            let name = |ix| {
                cx.graph
                    .node(ix)
                    .filter(|_| is_known_node(cx.graph, ix))
                    .map(|n| format!("`{}`", n.id))
            };
            let topic = name(from).unwrap_or_else(|| "its topic".into());
            let endpoint = name(to).unwrap_or_else(|| format!("its {protocol} endpoint"));
            let owner = &e.owner;
            let finding = if inline {
                let key = inline_key(cx, (from, to), props, protocol);
                Finding::new(
                    e.span,
                    format!(
                        "the inline subscription of {endpoint} to topic `{}` has no dead-letter \
                         queue, and inline subscriptions cannot have one: messages SNS cannot \
                         deliver are dropped",
                        owner.res.id
                    ),
                )
                .help(
                    "replace the inline `Subscription` entry with an `AWS::SNS::Subscription` \
                     resource that has a `RedrivePolicy`",
                )
                .key(format!("inline:{key}"))
            } else {
                if props.is_some_and(|p| p.intrinsic().is_some())
                    || maybe_present(props.and_then(|p| p.get("RedrivePolicy")))
                {
                    continue;
                }
                match owner.event {
                    Some((ev, _)) => Finding::new(
                        event_key_span(owner).unwrap_or(e.span),
                        format!(
                            "event `{ev}` of `{}` subscribes to {topic} without a RedrivePolicy: \
                             messages SNS cannot deliver are dropped",
                            owner.res.id
                        ),
                    )
                    .help(
                        "add `RedrivePolicy: {deadLetterTargetArn: <SQS queue ARN>}` to the \
                         event's Properties (and a queue policy allowing sns.amazonaws.com)",
                    )
                    .key(format!("event:{ev}")),
                    None => Finding::new(
                        owner.res.id_span,
                        format!(
                            "subscription `{}` of {endpoint} to {topic} has no RedrivePolicy: \
                             messages SNS cannot deliver are dropped",
                            owner.res.id
                        ),
                    )
                    .help(
                        "add `RedrivePolicy: {deadLetterTargetArn: <SQS queue ARN>}` (and a \
                         queue policy allowing sns.amazonaws.com)",
                    )
                    .key("RedrivePolicy"),
                }
            };
            let finding = finding.resource(owner.res.id.clone());
            out.push(match cx.graph.node(to) {
                Some(n) if n.kind != NodeKind::External && n.id != owner.res.id => {
                    finding.label(n.span, "the endpoint")
                }
                _ => finding,
            });
        }
        out
    }
}

/// A stable identity for an inline subscription: its endpoint's logical ID when it is in scope,
/// else the protocol and how the endpoint is written (a parameter name, a literal), so that two
/// email subscriptions of one topic do not share a fingerprint.
fn inline_key(
    cx: &Context<'_>,
    (topic, to): (NodeIx, NodeIx),
    props: Option<&Node>,
    protocol: &str,
) -> String {
    if is_known_node(cx.graph, to)
        && let Some(n) = cx.graph.node(to)
    {
        return n.id.clone();
    }
    let ep = props.and_then(|p| p.get("Endpoint"));
    let written = ep.and_then(|n| match n.intrinsic() {
        Some(("Ref", name)) => name.as_str().map(str::to_string),
        _ => {
            let tpl = cx.graph.node(topic).and_then(|t| t.tpl)?;
            cx.sys.string(tpl, n).value().cloned()
        }
    });
    format!("{protocol}:{}", written.unwrap_or_default())
}
