//! Helpers shared by the alarm rules (EL201-EL206): which alarms watch a node on which metric
//! (or may, through a dimension not known here), which functions have event sources, and
//! whether an alarm tells anybody (its actions, a composite alarm with actions, something else
//! that acts on its state).

use std::collections::HashSet;

use super::util_refs;
use crate::graph::{Cfg, DlqKind, EdgeKind, GEdge, Graph, NodeIx, NodeKind};
use crate::model::alarm::{self, Actions, COMPOSITE};
use crate::model::{Node, Resource, System, TplId};
use crate::source::Span;

/// Metrics that rise while a message sits in the queue.
pub const DEPTH: &[&str] = &[
    "ApproximateNumberOfMessagesVisible",
    "ApproximateAgeOfOldestMessage",
];
/// The metric a rule asks about: a namespace, the metric names that count, and the dimensions
/// that name the resource.
pub struct Metric<'s> {
    pub namespace: &'s str,
    pub names: &'s [&'s str],
    pub dimensions: &'s [&'s str],
}

/// An alarm watching a resource on one of the asked metrics.
#[derive(Clone, Debug)]
pub struct Watcher<'a> {
    pub alarm: &'a Resource,
    pub metric: String,
    /// Where the metric is named.
    pub span: Span,
}

/// Whether alarms watch a resource.
#[derive(Debug)]
pub enum Watch<'a> {
    Watched(Vec<Watcher<'a>>),
    /// An alarm of its template, or one naming it, reads a metric or dimension not known here.
    Unknown,
    None,
}

/// The alarms that watch a node on a metric: alarms whose dimension names it, and (for
/// AWS/Lambda, which also publishes metrics over all functions) alarms with none of the
/// dimensions. `Unknown` when an alarm naming the node reads a namespace or metric not known
/// here, or an alarm of the node's template names the resource through a dimension not known
/// here (a parameter, another stack, a Metrics Insights query).
#[must_use]
pub fn watchers<'a>(
    sys: &'a System,
    graph: &Graph<'a>,
    ix: NodeIx,
    want: &Metric<'_>,
) -> Watch<'a> {
    let mut found = Vec::new();
    let mut unknown = false;
    for (from, e) in graph.alarms_on(ix) {
        let Cfg::Alarm {
            namespace,
            metric,
            dimension,
            used: true,
            metric_span,
            ..
        } = &e.cfg
        else {
            continue;
        };
        if !want.dimensions.contains(dimension) {
            continue;
        }
        match (namespace.as_deref(), metric.as_deref()) {
            (Some(ns), Some(m)) if ns == want.namespace && want.names.contains(&m) => {
                if let Some(res) = graph.node(from).and_then(|n| n.res) {
                    found.push(Watcher {
                        alarm: res,
                        metric: m.to_string(),
                        span: *metric_span,
                    });
                }
            }
            (Some(ns), _) if ns != want.namespace => {}
            (Some(_), Some(_)) => {}
            _ => unknown = true,
        }
    }
    if !found.is_empty() {
        return Watch::Watched(found);
    }
    if unknown || unknown_in_template(graph, ix, want) {
        return Watch::Unknown;
    }
    if want.namespace == "AWS/Lambda" {
        let all = aggregate(sys, graph, want);
        if !all.is_empty() {
            return Watch::Watched(all);
        }
    }
    Watch::None
}

/// An alarm with a dimension not known here that may name the node: one of the node's
/// template, or of a template that declares nothing of the node's kind (a monitoring stack
/// whose alarms take the names of what they watch as parameters).
fn unknown_in_template(graph: &Graph<'_>, ix: NodeIx, want: &Metric<'_>) -> bool {
    let Some((tpl, kind)) = graph.node(ix).and_then(|n| Some((n.tpl?, family(&n.ty)))) else {
        return false;
    };
    let declares_kind = |t: TplId| {
        graph
            .nodes()
            .any(|(_, n)| n.tpl == Some(t) && n.kind != NodeKind::External && family(&n.ty) == kind)
    };
    graph.alarm_edges().any(|(_, _, e)| match &e.cfg {
        Cfg::Alarm {
            namespace,
            metric,
            dimension,
            used: true,
            known: false,
            ..
        } => {
            (*dimension == "*" || want.dimensions.contains(dimension))
                && namespace.as_deref().is_none_or(|n| n == want.namespace)
                && metric.as_deref().is_none_or(|m| want.names.contains(&m))
                && (e.owner.tpl == tpl || !declares_kind(e.owner.tpl))
        }
        _ => false,
    })
}

/// Resource types that are the same thing for CloudWatch (SAM and plain functions, state
/// machines, tables).
fn family(ty: &str) -> &str {
    match ty {
        "AWS::Serverless::Function" => "AWS::Lambda::Function",
        "AWS::Serverless::StateMachine" => "AWS::StepFunctions::StateMachine",
        "AWS::Serverless::SimpleTable" => "AWS::DynamoDB::Table",
        _ => ty,
    }
}

/// Alarms on the metric with none of the dimensions that name a resource: over all functions.
fn aggregate<'a>(sys: &'a System, graph: &Graph<'a>, want: &Metric<'_>) -> Vec<Watcher<'a>> {
    let mut out = Vec::new();
    for (tpl, res) in graph.alarm_resources() {
        for m in alarm::metrics(sys, tpl, res) {
            let (Some(ns), Some(name)) = (m.namespace.as_deref(), m.name.as_deref()) else {
                continue;
            };
            if m.used
                && ns == want.namespace
                && want.names.contains(&name)
                && !m
                    .dimensions
                    .iter()
                    .any(|d| want.dimensions.contains(&d.name.as_str()))
            {
                out.push(Watcher {
                    alarm: res,
                    metric: name.to_string(),
                    span: m.span,
                });
            }
        }
    }
    out
}

/// The edges that bring events to a function with nobody waiting for its answer: event source
/// mappings, rule, schedule and pipe targets, subscriptions, S3 notifications, destinations and
/// asynchronous invocations (IoT rules, log subscriptions, asynchronous API integrations).
/// Synchronous callers (API Gateway, Cognito triggers, pipe enrichment) and Step Functions
/// Tasks are not: the caller sees the error.
#[must_use]
pub fn event_sources<'g, 'a>(graph: &'g Graph<'a>, ix: NodeIx) -> Vec<(NodeIx, &'g GEdge<'a>)> {
    let mut out = Vec::new();
    for kind in [
        EdgeKind::Polls,
        EdgeKind::Subscribes,
        EdgeKind::Routes,
        EdgeKind::Publishes,
        EdgeKind::Invokes,
    ] {
        out.extend(
            graph
                .incoming(ix, kind)
                .into_iter()
                .filter(|(_, e)| !matches!(e.cfg, Cfg::Task { .. } | Cfg::Invoke { sync: true })),
        );
    }
    out
}

/// "`Orders`", "`Orders`, `Returns` and 2 more", "a source outside the templates": the sources
/// of events, in-scope ones by ID.
#[must_use]
pub fn describe_sources(graph: &Graph<'_>, sources: &[(NodeIx, &GEdge<'_>)]) -> String {
    let mut ids: Vec<String> = Vec::new();
    let mut others = 0;
    for (from, _) in sources {
        match graph.node(*from) {
            Some(n) if n.kind != NodeKind::External => {
                if !ids.contains(&n.id) {
                    ids.push(n.id.clone());
                }
            }
            _ => others += 1,
        }
    }
    let mut parts: Vec<String> = ids.iter().take(2).map(|i| format!("`{i}`")).collect();
    let more = ids.len().saturating_sub(2);
    if more > 0 {
        parts.push(format!("{more} more"));
    }
    match others {
        0 => {}
        1 => parts.push("a source outside the templates".into()),
        n => parts.push(format!("{n} sources outside the templates")),
    }
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether anybody learns that an alarm went off.
#[derive(Clone, Debug, PartialEq)]
pub enum Told {
    Yes,
    /// No: the actions are missing (`None`: no `AlarmActions`; `Some`: an empty list or
    /// `ActionsEnabled: false`, with the span to change).
    No(Actions),
    Unknown,
}

/// Whether an alarm tells anybody: its own `AlarmActions`, a composite alarm with actions that
/// names it (transitively), something else that acts on its state (a deployment preference, a
/// Route 53 health check, a rule on `aws.cloudwatch` alarm state changes of its template).
#[must_use]
pub fn told(sys: &System, graph: &Graph<'_>, ix: NodeIx) -> Told {
    told_inner(sys, graph, ix, &mut HashSet::new())
}

fn told_inner(sys: &System, graph: &Graph<'_>, ix: NodeIx, seen: &mut HashSet<NodeIx>) -> Told {
    let Some((tpl, res)) = graph.node(ix).and_then(|n| Some((n.tpl?, n.res?))) else {
        return Told::Unknown;
    };
    if !seen.insert(ix) {
        return Told::No(Actions::None(None));
    }
    let own = alarm::actions(sys, tpl, res);
    match own {
        Actions::Notify(_) => return Told::Yes,
        Actions::Unknown(_) => return Told::Unknown,
        Actions::None(_) | Actions::Disabled(_) => {}
    }
    if acted_on(sys, graph, tpl, &res.id) {
        return Told::Yes;
    }
    let mut unknown = false;
    for (parent, e) in graph.incoming(ix, EdgeKind::Alarms) {
        if matches!(e.cfg, Cfg::Composite { .. }) {
            match told_inner(sys, graph, parent, seen) {
                Told::Yes => return Told::Yes,
                Told::Unknown => unknown = true,
                Told::No(_) => {}
            }
        }
    }
    // a composite alarm of the template whose rule names alarms not known here
    for (from, _, e) in graph.alarm_edges() {
        if matches!(e.cfg, Cfg::Composite { known: false })
            && e.owner.tpl == tpl
            && from != ix
            && !seen.contains(&from)
            && !matches!(told_inner(sys, graph, from, seen), Told::No(_))
        {
            unknown = true;
        }
    }
    if unknown {
        Told::Unknown
    } else {
        Told::No(own)
    }
}

/// Whether a resource of the template other than a dashboard or composite alarm refers to the
/// alarm (SAM `DeploymentPreference.Alarms`, `AWS::CodeDeploy::DeploymentGroup`,
/// `AWS::Route53::HealthCheck`, ...), an exported output names it (for a composite alarm of
/// another stack), or a rule of the template routes CloudWatch alarm state changes.
fn acted_on(sys: &System, graph: &Graph<'_>, tpl: TplId, id: &str) -> bool {
    let Some(t) = sys.templates.get(tpl) else {
        return false;
    };
    for r in &t.resources {
        if r.id == id || matches!(r.ty.as_str(), COMPOSITE | "AWS::CloudWatch::Dashboard") {
            continue;
        }
        let mut found = false;
        // `props` too: SAM `Globals` (a `DeploymentPreference` with `Alarms`) are merged there
        util_refs::visit(&r.node, "", &mut |site| found |= site.name == id);
        util_refs::visit(r.props(), "", &mut |site| found |= site.name == id);
        if found {
            return true;
        }
    }
    // exported for a composite alarm of another stack
    let exported = t.section("Outputs").entries().iter().any(|o| {
        let mut found = false;
        if o.value.get("Export").is_some()
            && let Some(v) = o.value.get("Value")
        {
            util_refs::visit(v, "", &mut |site| found |= site.name == id);
        }
        found
    });
    if exported {
        return true;
    }
    graph.edges(EdgeKind::Routes).any(|(_, _, e)| {
        e.owner.tpl == tpl
            && matches!(&e.cfg, Cfg::Target { target: None, pattern: Some(p), .. }
            if p.get("source").is_some_and(|s| {
                s.items().iter().any(|i| i.as_str() == Some("aws.cloudwatch"))
                    || s.as_str() == Some("aws.cloudwatch")
            }))
    })
}

/// What kind of event-path resource a node is, for messages: queue, topic, function with event
/// sources, state machine, rule, stream, event bus.
#[must_use]
pub fn event_path_kind(graph: &Graph<'_>, ix: NodeIx) -> Option<&'static str> {
    let n = graph.node(ix)?;
    if n.kind == NodeKind::External {
        return None;
    }
    match n.ty.as_str() {
        "AWS::SQS::Queue" => Some("queue"),
        "AWS::SNS::Topic" => Some("topic"),
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
            (!event_sources(graph, ix).is_empty()).then_some("function")
        }
        "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine" => {
            Some("state machine")
        }
        "AWS::Events::Rule" => Some("rule"),
        "AWS::Kinesis::Stream" => Some("stream"),
        "AWS::Events::EventBus" => Some("event bus"),
        _ => None,
    }
}

/// The in-scope queues (declared or SAM-generated) that receive failures, in edge order.
pub fn failure_queues(graph: &Graph<'_>) -> Vec<NodeIx> {
    let mut out: Vec<NodeIx> = Vec::new();
    for (_, to, _) in graph.edges(EdgeKind::DeadLetters) {
        let is_queue = graph
            .node(to)
            .is_some_and(|n| n.ty == "AWS::SQS::Queue" && n.kind != NodeKind::External);
        if is_queue && !out.contains(&to) {
            out.push(to);
        }
    }
    out
}

type Labels = Vec<(Span, String)>;

/// Who sends failures to a queue (the resources that configure it) and a label at each place.
pub fn senders(graph: &Graph<'_>, ix: NodeIx) -> (Vec<String>, Labels) {
    let mut ids = Vec::new();
    let mut labels = Vec::new();
    for (_, e) in graph.incoming(ix, EdgeKind::DeadLetters) {
        let o = &e.owner.res.id;
        if !ids.contains(o) {
            ids.push(o.clone());
        }
        let what = match e.cfg {
            Cfg::DeadLetter {
                kind: DlqKind::Redrive,
                ..
            } => "moves messages that keep failing here",
            Cfg::DeadLetter {
                kind: DlqKind::FunctionDlq,
                ..
            } => "sends asynchronous events that failed every attempt here",
            Cfg::DeadLetter {
                kind: DlqKind::AsyncOnFailure,
                ..
            } => "sends failed asynchronous invocations here",
            Cfg::DeadLetter {
                kind: DlqKind::EsmOnFailure,
                ..
            } => "sends the records of batches that exhausted their retries here",
            Cfg::DeadLetter {
                kind: DlqKind::SubscriptionDlq,
                ..
            } => "sends messages SNS could not deliver here",
            _ => "sends events it could not deliver here",
        };
        labels.push((e.span, format!("`{o}` {what}")));
    }
    (ids, labels)
}

/// The span of the key whose value is the node at `span` (the `DeadLetterConfig` key of a SAM
/// event, the `OnFailure` key of an `EventInvokeConfig`): a single line to point at instead of a
/// whole block.
#[must_use]
pub fn key_of(tree: &Node, span: Span) -> Option<Span> {
    let mut stack = vec![tree];
    while let Some(n) = stack.pop() {
        for e in n.entries() {
            if e.value.span == span {
                return Some(e.key_span);
            }
            stack.push(&e.value);
        }
        stack.extend(n.items());
    }
    None
}
