use super::rule::prelude::*;
use super::util_consumer::{code_of, complete};

declare_rule! {
    /// ## What it does
    /// Reports a function triggered by an at-least-once source (an SQS queue, a Kinesis or
    /// DynamoDB stream or another event source mapping, an SNS subscription, an EventBridge
    /// rule with an event pattern) whose handler code has side effects (an AWS SDK call that is
    /// not a read — `Get*`, `List*`, `Describe*`, `Query`, `Scan`, ... — or an HTTP request with
    /// a known method other than `GET`/`HEAD`/`OPTIONS`) and shows no idempotency: no Powertools
    /// idempotency (`@idempotent`, `@idempotent_function`, `makeIdempotent`,
    /// `makeHandlerIdempotent`) and no conditional create (`ConditionExpression` with
    /// `attribute_not_exists`). FIFO deduplication on the sending side does not count: it only
    /// covers five minutes of sends, not redeliveries to the consumer. Reported only when all
    /// of the handler's code was read (no layer other than Powertools). Schedules are left alone.
    ///
    /// ## Why it matters
    /// These sources deliver every event at least once: a timeout, a throttled batch, a
    /// partial batch failure or an EventBridge retry delivers the same event again, and a
    /// handler that charges a card, sends an e-mail or increments a counter does it twice.
    ///
    /// ## Example
    /// ```python
    /// def handler(event, context):          # consumes the Orders queue
    ///     for record in event["Records"]:
    ///         charge(json.loads(record["body"]))   # runs again on redelivery
    /// ```
    ///
    /// ## How to fix
    /// Make the side effects idempotent: Powertools' idempotency utility (keyed on the message
    /// or event ID, or a business key), or a conditional write
    /// (`ConditionExpression="attribute_not_exists(pk)"`) that records each event once.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html>
    /// - <https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/>
    /// - <https://docs.aws.amazon.com/powertools/typescript/latest/utilities/idempotency/>
    pub NonIdempotentConsumer { code: "EL601", name: "non-idempotent-consumer", severity: Info }
}

/// Operations that only read.
const READS: &[&str] = &[
    "Get", "List", "Describe", "Query", "Scan", "Head", "BatchGet", "Select", "Receive", "Lookup",
    "Search", "Check", "Filter", "Peek",
];

/// The first side effect of a function's code: a write through an SDK or an unsafe HTTP
/// request.
fn side_effect(code: &crate::code::FunctionCode) -> Option<(crate::source::Span, String)> {
    let sdk = code
        .facts
        .calls
        .iter()
        .find(|c| !READS.iter().any(|r| c.operation.starts_with(r)))
        .map(|c| (c.span, format!("`{}` here", c.action())));
    let http = || {
        code.facts
            .http
            .iter()
            .find(|h| {
                h.method
                    .as_deref()
                    .is_some_and(|m| !matches!(m, "GET" | "HEAD" | "OPTIONS"))
            })
            .map(|h| (h.span, "an HTTP request here".to_string()))
    };
    sdk.or_else(http)
}

/// What one trigger delivers, for messages.
fn trigger(cx: &Context<'_>, from: NodeIx, edge: &GEdge<'_>) -> Option<String> {
    let name = cx.graph.node(from).map_or("?", |n| n.id.as_str());
    match (&edge.kind, &edge.cfg) {
        (EdgeKind::Polls, Cfg::Esm { source, .. }) => Some(match *source {
            "SQS" => format!("queue `{name}`"),
            "Kinesis" | "DynamoDB" => format!("the {source} stream of `{name}`"),
            other => format!("the {other} source `{name}`"),
        }),
        (EdgeKind::Subscribes, _) => Some(format!("topic `{name}`")),
        (
            EdgeKind::Routes,
            Cfg::Target {
                target: Some(_),
                pattern: Some(_),
                ..
            },
        ) => Some(format!("rule `{name}`")),
        _ => None,
    }
}

impl Rule for NonIdempotentConsumer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (ix, node) in cx.graph.nodes() {
            if !node.res.is_some_and(Resource::is_function) {
                continue;
            }
            let Some(code) = code_of(cx, ix) else {
                continue;
            };
            if !complete(cx, code) || !code.facts.idempotency.is_empty() {
                continue;
            }
            let Some((effect_at, effect)) = side_effect(code) else {
                continue;
            };
            let mut triggers = Vec::new();
            for kind in [EdgeKind::Polls, EdgeKind::Subscribes, EdgeKind::Routes] {
                for (from, edge) in cx.graph.incoming(ix, kind) {
                    if let Some(what) = trigger(cx, from, edge) {
                        triggers.push((what, edge.span));
                    }
                }
            }
            let Some((first, _)) = triggers.first() else {
                continue;
            };
            let Some(res) = node.res else { continue };
            let at = res
                .props()
                .entry("Handler")
                .map_or(res.id_span, |e| e.key_span);
            let more = match triggers.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            let mut f = Finding::new(
                at,
                format!(
                    "`{}` consumes {first}{more}, which delivers at least once, but its handler has side effects and shows no idempotency: a redelivered event is processed again",
                    res.id
                ),
            )
            .resource(&res.id)
            .help("make the side effects idempotent: Powertools idempotency keyed on the event ID, or a conditional write with `attribute_not_exists`")
            .key("idempotency")
            .label(effect_at, format!("side effect: {effect}"));
            for (what, span) in &triggers {
                f = f.label(*span, format!("delivers from {what} at least once"));
            }
            out.push(f);
        }
        out
    }
}
