use super::rule::prelude::*;
use super::util_delivery::{
    Canon, canon, condition, decl_name, decl_span, function_of, is_known_node, maybe_present,
};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports a consumer wired twice to the same events:
    /// - an `AWS::Events::Rule` targeting a function that also declares a SAM `EventBridgeRule`
    ///   or `CloudWatchEvent` event with an equivalent pattern on the same bus, or two rules with
    ///   equivalent patterns on one bus targeting the same function (patterns are compared
    ///   structurally, ignoring key order and the order of values in arrays);
    /// - a function subscribed to one SNS topic both directly and through a queue it polls, or
    ///   through two endpoints (the function and an alias or version of it);
    /// - two declarations of the identical subscription (same topic, protocol and endpoint):
    ///   SNS merges them into one, so delivery is single, but removing either declaration
    ///   deletes the shared subscription.
    ///
    /// ## Why it matters
    /// Each path delivers its own copy, so the function processes every event twice: double
    /// charges, duplicate emails, conflicting writes. This often happens halfway through a
    /// migration from plain CloudFormation to SAM events.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Billing:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.12
    ///       Events:
    ///         OrderPlaced:
    ///           Type: EventBridgeRule
    ///           Properties:
    ///             Pattern: {source: [shop.orders], detail-type: [OrderPlaced]}
    ///   LegacyOrderRule:
    ///     Type: AWS::Events::Rule
    ///     Properties:
    ///       EventPattern: {detail-type: [OrderPlaced], source: [shop.orders]}
    ///       Targets:
    ///         - Arn: !GetAtt Billing.Arn  # expect: EL510
    ///           Id: Billing
    /// ```
    ///
    /// ## How to fix
    /// Keep one path: remove the extra rule, target, subscription or SAM event.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rules.html>
    /// - <https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html>
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html>
    pub DuplicateDelivery {
        code: "EL510",
        name: "duplicate-delivery",
        severity: Warning,
    }
}

impl Rule for DuplicateDelivery {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = rules_twice(cx);
        out.extend(subscriptions_twice(cx));
        out
    }
}

/// Order declarations by file and position.
fn pos(s: Span) -> (usize, usize) {
    (s.file as usize, s.start as usize)
}

fn node_id(cx: &Context<'_>, ix: NodeIx) -> String {
    cx.graph.node(ix).map(|n| n.id.clone()).unwrap_or_default()
}

/// The `Id` of a plain rule target (SAM events have one target).
fn target_id(e: &GEdge<'_>) -> String {
    match e.cfg {
        Cfg::Target {
            target: Some(t),
            sam: false,
            ..
        } => t
            .get("Id")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

/// Whether a rule delivers: no `State`/`Enabled`, or an enabled literal.
fn enabled(state: Option<&Node>, flag: Option<&Node>) -> bool {
    state.is_none_or(|s| s.as_str().is_some_and(|s| s.starts_with("ENABLED")))
        && flag.is_none_or(|f| f.as_bool() == Some(true))
}

/// Rules (plain or SAM events) on one bus with equivalent patterns targeting one function.
fn rules_twice(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (fix, fnode) in cx.graph.nodes() {
        if fnode.kind != NodeKind::Resource || !fnode.res.is_some_and(Resource::is_function) {
            continue;
        }
        let mut ds: Vec<(&GEdge<'_>, NodeIx, Canon, bool)> = Vec::new();
        for (rule, e) in cx.graph.incoming(fix, EdgeKind::Routes) {
            let Cfg::Target {
                target: Some(t),
                pattern: Some(p),
                sam,
            } = e.cfg
            else {
                continue;
            };
            let live = if sam {
                enabled(t.get("State"), t.get("Enabled"))
            } else {
                enabled(e.owner.res.prop("State"), None)
            };
            let bus = cx
                .graph
                .incoming(rule, EdgeKind::Routes)
                .into_iter()
                .find(|(_, b)| matches!(b.cfg, Cfg::Target { target: None, .. }))
                .map(|(b, _)| b);
            let is_rule = cx
                .graph
                .node(rule)
                .is_some_and(|n| n.ty == "AWS::Events::Rule");
            if let (true, true, Some(bus), Some(c)) = (is_rule, live, bus, canon(p))
                && is_known_node(cx.graph, bus)
            {
                ds.push((e, bus, c, sam));
            }
        }
        // SAM events first: a plain rule duplicating one is the declaration to remove
        ds.sort_by_key(|(e, _, _, sam)| (!sam, pos(decl_span(e))));
        for (i, (e, bus, c, sam)) in ds.iter().enumerate() {
            let Some((first, ..)) = ds[..i].iter().find(|(o, b, oc, _)| {
                b == bus && oc == c && condition(&o.owner) == condition(&e.owner)
            }) else {
                continue;
            };
            let fid = node_id(cx, fix);
            let help = if first.owner.event.is_some() && !sam {
                "remove this target or rule: the SAM event already delivers these events (and \
                 creates the permission)"
            } else {
                "remove one of the two rules or targets"
            };
            out.push(
                Finding::new(
                    decl_span(e),
                    format!(
                        "{} sends `{fid}` the same events as {} (same bus, equivalent pattern): \
                         every matching event is delivered twice",
                        decl_name(e),
                        decl_name(first)
                    ),
                )
                .resource(fid.clone())
                .label(decl_span(first), "the same events are routed here")
                .help(help)
                .key(format!(
                    "rule:{}:{}",
                    decl_name(e).replace('`', ""),
                    target_id(e)
                )),
            );
        }
    }
    out
}

/// One SNS subscription, as far as duplicates are concerned.
struct Sub<'g> {
    edge: &'g GEdge<'g>,
    topic: NodeIx,
    protocol: String,
    /// The endpoint node and, for a SAM event of a function with `AutoPublishAlias`, the alias.
    endpoint: (NodeIx, Option<String>),
    /// The canonical `FilterPolicy` and scope; `None` (outer) when unknown.
    filter: Option<Option<(Canon, String)>>,
}

fn subs<'g>(cx: &'g Context<'g>) -> Vec<Sub<'g>> {
    let mut v = Vec::new();
    for (topic, to, e) in cx.graph.edges(EdgeKind::Subscribes) {
        let Cfg::Subscription {
            props, protocol, ..
        } = &e.cfg
        else {
            continue;
        };
        let protocol = protocol.to_ascii_lowercase();
        if protocol.is_empty() || !is_known_node(cx.graph, topic) || !is_known_node(cx.graph, to) {
            continue;
        }
        let alias = match (e.owner.event, protocol.as_str()) {
            (Some(_), "lambda") => match presence_alias(e.owner.res.prop("AutoPublishAlias")) {
                Some(a) => a,
                None => continue,
            },
            _ => None,
        };
        let filter = match props.and_then(|p| p.get("FilterPolicy")) {
            None => Some(None),
            Some(f) => canon(f).and_then(|c| {
                let scope = props
                    .and_then(|p| p.get("FilterPolicyScope"))
                    .map_or(Some("MessageAttributes"), Node::as_str)?;
                Some(Some((c, scope.to_string())))
            }),
        };
        v.push(Sub {
            edge: e,
            topic,
            protocol,
            endpoint: (to, alias),
            filter,
        });
    }
    v.sort_by_key(|s| pos(decl_span(s.edge)));
    v
}

/// `AutoPublishAlias`: `Some(None)` when absent, `Some(Some(name))` when set, `None` when unknown.
fn presence_alias(n: Option<&Node>) -> Option<Option<String>> {
    match n {
        None => Some(None),
        Some(n) if !maybe_present(Some(n)) => Some(None),
        Some(n) => n.as_str().map(|s| Some(s.to_string())),
    }
}

/// How a subscription reaches a function: directly, through an alias, or through a queue the
/// function polls (the only consumer, enabled, unfiltered).
fn reaches(cx: &Context<'_>, s: &Sub<'_>) -> Option<(NodeIx, String)> {
    let (to, ref alias) = s.endpoint;
    let node_id = node_id(cx, to);
    match s.protocol.as_str() {
        "lambda" => {
            let f = function_of(cx.sys, cx.graph, to)?;
            let how = match alias {
                Some(a) => format!("through alias `{a}`"),
                None if f == to => "directly".into(),
                None => format!("through `{node_id}`"),
            };
            Some((f, how))
        }
        "sqs" => {
            let polls = cx.graph.outgoing(to, EdgeKind::Polls);
            let [(f, esm)] = polls.as_slice() else {
                return None;
            };
            let Cfg::Esm { props, .. } = esm.cfg else {
                return None;
            };
            let on = props
                .get("Enabled")
                .is_none_or(|n| n.as_bool() == Some(true));
            let f = function_of(cx.sys, cx.graph, *f)?;
            (on && props.get("FilterCriteria").is_none()
                && condition(&esm.owner) == condition(&s.edge.owner))
            .then(|| (f, format!("through queue `{node_id}`")))
        }
        _ => None,
    }
}

/// SNS subscriptions declared twice, and functions reached twice from one topic.
fn subscriptions_twice(cx: &Context<'_>) -> Vec<Finding> {
    let subs = subs(cx);
    let mut out = Vec::new();
    // identical subscriptions: merged by SNS into one
    for (i, s) in subs.iter().enumerate() {
        let Some(first) = subs[..i].iter().find(|o| {
            o.topic == s.topic
                && o.protocol == s.protocol
                && o.endpoint == s.endpoint
                && condition(&o.edge.owner) == condition(&s.edge.owner)
        }) else {
            continue;
        };
        let (to, _) = s.endpoint;
        let resource = function_of(cx.sys, cx.graph, to)
            .map_or_else(|| s.edge.owner.res.id.clone(), |f| node_id(cx, f));
        out.push(
            Finding::new(
                decl_span(s.edge),
                format!(
                    "{} declares the same subscription as {} (topic `{}`, protocol {}, endpoint \
                     `{}`): SNS merges them into one, so delivery is single, but removing either \
                     declaration deletes the shared subscription",
                    decl_name(s.edge),
                    decl_name(first.edge),
                    node_id(cx, s.topic),
                    s.protocol,
                    node_id(cx, to),
                ),
            )
            .resource(resource)
            .label(decl_span(first.edge), "the same subscription")
            .help("keep one of the two declarations")
            .key(format!(
                "same-subscription:{}",
                decl_name(s.edge).replace('`', "")
            )),
        );
    }
    // one function reached from one topic through two different endpoints
    let mut firsts: Vec<(&Sub<'_>, NodeIx, String)> = Vec::new();
    for s in &subs {
        let Some((f, how)) = reaches(cx, s) else {
            continue;
        };
        let same_topic = |o: &&(&Sub<'_>, NodeIx, String)| o.0.topic == s.topic && o.1 == f;
        let Some((first, _, first_how)) = firsts.iter().find(same_topic) else {
            firsts.push((s, f, how));
            continue;
        };
        if first.endpoint == s.endpoint
            || s.filter.is_none()
            || first.filter != s.filter
            || condition(&first.edge.owner) != condition(&s.edge.owner)
        {
            continue;
        }
        let fid = node_id(cx, f);
        out.push(
            Finding::new(
                decl_span(s.edge),
                format!(
                    "`{fid}` receives every message of topic `{}` twice: {how} ({}) and \
                     {first_how} ({})",
                    node_id(cx, s.topic),
                    decl_name(s.edge),
                    decl_name(first.edge),
                ),
            )
            .resource(fid)
            .label(decl_span(first.edge), format!("delivers {first_how}"))
            .help("keep one path: remove either this subscription or the other one")
            .key(format!(
                "topic-twice:{}",
                decl_name(s.edge).replace('`', "")
            )),
        );
    }
    out
}
