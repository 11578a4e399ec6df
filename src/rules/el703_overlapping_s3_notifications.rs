use super::rule::prelude::*;
use crate::graph::Graph;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports two notifications on one S3 bucket whose event types overlap (equal, or one is a
    /// wildcard such as `s3:ObjectCreated:*` that covers the other) and whose key filters
    /// overlap: the prefixes overlap (one is a prefix of the other, or either is absent) and so
    /// do the suffixes. SAM `S3` events count: SAM appends them to the bucket's
    /// `NotificationConfiguration`.
    ///
    /// ## Why it matters
    /// S3 refuses such a notification configuration ("Configurations overlap" or "Configuration
    /// is ambiguously defined"), so the stack fails to create or update. S3 never delivers one
    /// object event to two notifications of the same bucket.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Uploads:
    ///     Type: AWS::S3::Bucket
    ///   Thumbnailer:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       Events:
    ///         Images:
    ///           Type: S3
    ///           Properties:
    ///             Bucket: !Ref Uploads
    ///             Events: s3:ObjectCreated:*
    ///   Indexer:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       Events:
    ///         All:
    ///           Type: S3
    ///           Properties:
    ///             Bucket: !Ref Uploads
    ///             Events: s3:ObjectCreated:Put
    /// ```
    ///
    /// ## How to fix
    /// Give the notifications disjoint filters (prefixes where neither is a prefix of the other,
    /// or suffixes where neither ends the other), or send the events to one destination and fan
    /// out from there (an SNS topic, or EventBridge with `EventBridgeConfiguration`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html>
    /// - <https://repost.aws/knowledge-center/lambda-s3-event-configuration-error>
    pub OverlappingS3Notifications { code: "EL703", name: "overlapping-s3-notifications", severity: Error }
}

/// One notification configuration, as read from an edge.
struct Notification<'g> {
    event: &'g str,
    prefix: Option<&'g str>,
    suffix: Option<&'g str>,
    edge: &'g GEdge<'g>,
    target: &'g str,
}

impl Rule for OverlappingS3Notifications {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (ix, bucket) in cx.graph.nodes_of_type("AWS::S3::Bucket") {
            let Some(res) = bucket.res.filter(|_| bucket.kind == NodeKind::Resource) else {
                continue;
            };
            let list = notifications(cx.graph, ix);
            for (i, a) in list.iter().enumerate() {
                for b in list.iter().skip(i + 1) {
                    if overlap(a, b) && coexist(a.edge, b.edge) {
                        out.push(finding(res, a, b));
                    }
                }
            }
        }
        out
    }
}

/// The bucket's notifications with fully known filters, one per event type.
fn notifications<'g>(graph: &'g Graph<'g>, bucket: NodeIx) -> Vec<Notification<'g>> {
    let mut out = Vec::new();
    for (to, edge) in graph.outgoing(bucket, EdgeKind::Publishes) {
        let Cfg::S3 {
            events,
            prefix,
            suffix,
            filter_known: true,
        } = &edge.cfg
        else {
            continue;
        };
        let target = graph.node(to).map_or("?", |n| n.id.as_str());
        for event in events {
            out.push(Notification {
                event,
                prefix: prefix.as_deref(),
                suffix: suffix.as_deref(),
                edge,
                target,
            });
        }
    }
    out
}

fn overlap(a: &Notification<'_>, b: &Notification<'_>) -> bool {
    let covers = |w: &str, e: &str| w.strip_suffix('*').is_some_and(|p| e.starts_with(p));
    let events = a.event == b.event || covers(a.event, b.event) || covers(b.event, a.event);
    let prefixes = match (a.prefix, b.prefix) {
        (Some(x), Some(y)) => x.starts_with(y) || y.starts_with(x),
        _ => true,
    };
    let suffixes = match (a.suffix, b.suffix) {
        (Some(x), Some(y)) => x.ends_with(y) || y.ends_with(x),
        _ => true,
    };
    events && prefixes && suffixes
}

/// Notifications declared under different `Condition`s may never exist together.
fn coexist(a: &GEdge<'_>, b: &GEdge<'_>) -> bool {
    fn cond<'a>(e: &GEdge<'a>) -> Option<&'a str> {
        e.owner.res.node.get("Condition").and_then(Node::as_str)
    }
    cond(a) == cond(b)
}

fn describe(n: &Notification<'_>) -> String {
    let filter = match (n.prefix, n.suffix) {
        (None, None) => "no key filter".to_string(),
        (Some(p), None) => format!("prefix `{p}`"),
        (None, Some(s)) => format!("suffix `{s}`"),
        (Some(p), Some(s)) => format!("prefix `{p}` and suffix `{s}`"),
    };
    let from = match n.edge.owner.event {
        Some((ev, _)) => format!(" (SAM event `{ev}` of `{}`)", n.edge.owner.res.id),
        None => String::new(),
    };
    format!("`{}` with {filter} to `{}`{from}", n.event, n.target)
}

fn finding(bucket: &Resource, a: &Notification<'_>, b: &Notification<'_>) -> Finding {
    let span: Span = bucket
        .node
        .get("Properties")
        .and_then(|p| p.entry("NotificationConfiguration"))
        .map_or(bucket.id_span, |e| e.key_span);
    let (da, db) = (describe(a), describe(b));
    let same = std::ptr::eq(a.edge, b.edge);
    let mut f = Finding::new(
        span,
        format!(
            "`{}` has overlapping notifications: {da} and {db}; S3 rejects the configuration",
            bucket.id
        ),
    )
    .resource(bucket.id.clone())
    .label(a.edge.span, format!("notification {da}"))
    .help(
        "give the notifications disjoint filters (neither prefix starts the other, or neither \
         suffix ends the other), or deliver to one destination and fan out with SNS or EventBridge",
    )
    .key(format!("{}|{}", key(a), key(b)));
    if !same {
        f = f.label(b.edge.span, format!("notification {db}"));
    }
    f
}

fn key(n: &Notification<'_>) -> String {
    let ev = n.edge.owner.event.map_or("", |(e, _)| e);
    format!("{}:{}:{}:{}", n.edge.owner.res.id, ev, n.target, n.event)
}
