use super::rule::prelude::*;
use super::util_channels::{CHANNELS, usage};
use crate::graph::Graph;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports an SQS queue, SNS topic or custom event bus that is wired on one side only:
    /// something in scope sends to it but nothing consumes it (no event source mapping or pipe
    /// polls the queue, the topic has no subscription, no rule is on the bus), or it has
    /// consumers but nothing in scope sends to it. Dead-letter queues and failure destinations
    /// are exempt, and so are the default bus and resources SAM generates. Handler code is not
    /// analysed, so the rule stays silent when something may use the channel in ways the event
    /// graph does not show: a function or state machine that refers to it outside its event
    /// sources (an environment variable, a policy, a definition substitution), any other
    /// resource that refers to it (an IAM role, an API Gateway integration, a connector), an
    /// export of it, or a policy of its template that allows sending to, publishing to or
    /// reading from every queue, topic or bus (`Resource: "*"`).
    ///
    /// ## Why it matters
    /// Messages sent to a queue that nobody polls expire unprocessed; SNS and EventBridge drop
    /// what no subscription or rule takes. A consumer with no producer is often a leftover of a
    /// refactoring, or a sign that the producer lives elsewhere and should be in the analysis.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   AuditQueue:
    ///     Type: AWS::SQS::Queue
    ///   AuditRule:
    ///     Type: AWS::Events::Rule
    ///     Properties:
    ///       EventPattern: {source: [shop.orders]}
    ///       Targets:
    ///         - Id: audit
    ///           Arn: !GetAtt AuditQueue.Arn
    /// ```
    ///
    /// ## How to fix
    /// Add the missing consumer or producer, or remove the channel. When the other side lives in
    /// another stack, account or outside CloudFormation, analyse that template too or suppress
    /// the finding on the resource.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html>
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rules.html>
    pub DanglingChannel { code: "EL706", name: "dangling-channel", severity: Info }
}

impl Rule for DanglingChannel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let usage = usage(cx.sys, cx.graph);
        let mut out = Vec::new();
        for (ix, n) in cx.graph.nodes() {
            let (Some(tpl), Some(res)) = (n.tpl, n.res) else {
                continue;
            };
            if n.kind != NodeKind::Resource
                || !CHANNELS.contains(&n.ty.as_str())
                || cx.graph.is_failure_target(ix)
            {
                continue;
            }
            let u = usage.get(&(tpl, n.id.clone()));
            if u.is_some_and(|u| u.unknown) {
                continue;
            }
            let mut producers = edges(cx.graph, ix, true);
            producers.extend(u.map(|u| u.alarms.clone()).unwrap_or_default());
            let consumers = edges(cx.graph, ix, false);
            if producers.is_empty() == consumers.is_empty() {
                continue;
            }
            out.push(finding(res, &producers, &consumers));
        }
        out
    }
}

/// Producers (incoming) or consumers (outgoing) of a channel: (edge span, other party).
fn edges(graph: &Graph<'_>, ix: NodeIx, incoming: bool) -> Vec<(Span, String)> {
    let kinds: &[EdgeKind] = if incoming {
        &[
            EdgeKind::Routes,
            EdgeKind::Subscribes,
            EdgeKind::Publishes,
            EdgeKind::Invokes,
        ]
    } else {
        &[EdgeKind::Polls, EdgeKind::Subscribes, EdgeKind::Routes]
    };
    let mut out = Vec::new();
    for &kind in kinds {
        let list = if incoming {
            graph.incoming(ix, kind)
        } else {
            graph.outgoing(ix, kind)
        };
        for (other, e) in list {
            let owner = &e.owner.res.id;
            let inline = match &e.cfg {
                Cfg::Subscription {
                    inline: true,
                    protocol,
                    ..
                } => Some(protocol),
                _ => None,
            };
            let name = match (graph.node(other), e.owner.event, inline) {
                (_, Some((ev, _)), _) => format!("SAM event `{ev}` of `{owner}`"),
                (Some(n), None, _) if n.kind != NodeKind::External => format!("`{}`", n.id),
                (_, None, Some(protocol)) => format!("an inline `{protocol}` subscription"),
                _ => format!("`{owner}`"),
            };
            out.push((e.span, name));
        }
    }
    out
}

fn finding(res: &Resource, producers: &[(Span, String)], consumers: &[(Span, String)]) -> Finding {
    let id = &res.id;
    let list = |v: &[(Span, String)]| {
        let mut names: Vec<&str> = v.iter().map(|(_, n)| n.as_str()).collect();
        names.dedup();
        names.join(", ")
    };
    let (message, help, key) = if consumers.is_empty() {
        let (nobody, fate) = match res.ty.as_str() {
            "AWS::SQS::Queue" => (
                "nothing in scope polls it",
                "messages stay until MessageRetentionPeriod expires and are deleted unread",
            ),
            "AWS::SNS::Topic" => (
                "it has no subscription in scope",
                "SNS drops messages that no subscription takes",
            ),
            _ => (
                "no rule in scope matches events on it",
                "events that no rule matches are dropped",
            ),
        };
        (
            format!(
                "`{id}` receives events from {} but {nobody}",
                list(producers)
            ),
            format!(
                "add a consumer or remove the producer: {fate}; if the consumer lives in another stack, analyse it too or suppress EL706 on `{id}`"
            ),
            "no-consumer",
        )
    } else {
        let verb = match res.ty.as_str() {
            "AWS::SQS::Queue" => "sends to it",
            "AWS::SNS::Topic" => "publishes to it",
            _ => "puts events on it",
        };
        (
            format!(
                "`{id}` is consumed by {} but nothing in scope {verb}",
                list(consumers)
            ),
            format!(
                "remove the unused consumer, or if the producer lives in another stack, account or application, analyse its template too or suppress EL706 on `{id}`"
            ),
            "no-producer",
        )
    };
    let mut f = Finding::new(res.id_span, message)
        .resource(id.clone())
        .help(help)
        .key(key);
    for (span, name) in producers {
        f = f.label(*span, format!("{name} sends here"));
    }
    for (span, name) in consumers {
        f = f.label(*span, format!("{name} consumes from here"));
    }
    f
}
