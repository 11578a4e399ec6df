//! Helpers shared by the delivery rules (EL102, EL103, EL104, EL510): where a declaration is,
//! how to name an edge's source, and structural comparison of event patterns and filter
//! policies.

use crate::graph::{GEdge, Graph, NodeIx, NodeKind, Owner};
use crate::model::{Kind, Node, System, presence};
use crate::source::Span;

/// The key of the SAM event that declared an edge, when it was declared by one.
#[must_use]
pub fn event_key_span(owner: &Owner<'_>) -> Option<Span> {
    let (name, _) = owner.event?;
    owner.res.prop("Events")?.entry(name).map(|e| e.key_span)
}

/// Where an edge is declared, as a user sees it: the SAM event key, else the edge's span.
#[must_use]
pub fn decl_span(edge: &GEdge<'_>) -> Span {
    event_key_span(&edge.owner).unwrap_or(edge.span)
}

/// How to name the declaration of an edge in a message: "event `Nightly` of `Worker`" or
/// "`OrdersRule`".
#[must_use]
pub fn decl_name(edge: &GEdge<'_>) -> String {
    match edge.owner.event {
        Some((name, _)) => format!("event `{name}` of `{}`", edge.owner.res.id),
        None => format!("`{}`", edge.owner.res.id),
    }
}

/// A property is present or may be (`Fn::If` with `AWS::NoValue` counts as maybe): `false` only
/// when it is certainly absent.
#[must_use]
pub fn maybe_present(node: Option<&Node>) -> bool {
    presence(node) != Some(false)
}

/// Whether a graph node stands for one known thing: a resource, a generated resource, or an
/// external one named by a literal (not an unresolved parameter or import).
#[must_use]
pub fn is_known_node(graph: &Graph<'_>, ix: NodeIx) -> bool {
    graph.node(ix).is_some_and(|n| match n.kind {
        NodeKind::Resource | NodeKind::Generated => true,
        NodeKind::External => !n.id.starts_with("unknown"),
    })
}

/// The function a node invokes: the function itself, or the function of an
/// `AWS::Lambda::Alias`/`AWS::Lambda::Version` in scope.
#[must_use]
pub fn function_of(sys: &System, graph: &Graph<'_>, ix: NodeIx) -> Option<NodeIx> {
    let n = graph.node(ix)?;
    let res = n.res?;
    if res.is_function() {
        return Some(ix);
    }
    if res.ty != "AWS::Lambda::Alias" && res.ty != "AWS::Lambda::Version" {
        return None;
    }
    let tpl = n.tpl?;
    let h = sys.target(tpl, res.prop("FunctionName")?, Some("lambda"))?;
    h.res
        .is_function()
        .then(|| graph.of(h.tpl, &h.res.id))
        .flatten()
}

/// Whether the rule, schedule or pipe that declares an edge is certainly switched off: an
/// `AWS::Events::Rule` or `AWS::Scheduler::Schedule` with `State: DISABLED`, a SAM event with
/// `Enabled: false` or `State: DISABLED`, a pipe with `DesiredState: STOPPED`, an IoT topic rule
/// with `RuleDisabled: true`. It delivers nothing, so nothing is lost on the way. A value from a
/// parameter is not known: `false`.
#[must_use]
pub fn is_disabled(sys: &System, owner: &Owner<'_>) -> bool {
    let (props, sam) = match owner.event {
        Some((_, ev)) => (ev.get("Properties"), true),
        None => (Some(owner.res.props()), false),
    };
    let Some(props) = props else { return false };
    let text = |n: Option<&Node>| n.and_then(|n| sys.string(owner.tpl, n).value().cloned());
    let flag = |n: Option<&Node>| n.and_then(|n| sys.boolean(owner.tpl, n).value().copied());
    let state = text(props.get("State"));
    if sam {
        return state.as_deref() == Some("DISABLED") || flag(props.get("Enabled")) == Some(false);
    }
    match owner.res.ty.as_str() {
        "AWS::Events::Rule" | "AWS::Scheduler::Schedule" | "AWS::EventsV2::Subscriber" => {
            state.as_deref() == Some("DISABLED")
        }
        "AWS::Pipes::Pipe" => text(props.get("DesiredState")).as_deref() == Some("STOPPED"),
        "AWS::IoT::TopicRule" => {
            flag(props.path(&["TopicRulePayload", "RuleDisabled"])) == Some(true)
        }
        _ => false,
    }
}

/// The resource `Condition` of the resource that owns a declaration.
#[must_use]
pub fn condition<'a>(owner: &Owner<'a>) -> Option<&'a str> {
    owner.res.node.get("Condition").and_then(Node::as_str)
}

/// A JSON value in a canonical form: maps sorted by key, arrays sorted and de-duplicated
/// (event pattern and filter policy arrays are sets of alternatives), numbers normalised.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Canon {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Seq(Vec<Canon>),
    Map(Vec<(String, Canon)>),
}

/// The canonical form of a literal pattern or policy: a mapping, or a JSON document in a
/// string. `None` when it holds an intrinsic function or cannot be parsed.
#[must_use]
pub fn canon(node: &Node) -> Option<Canon> {
    match &node.kind {
        Kind::Str(text) => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .filter(serde_json::Value::is_object)
            .and_then(|v| canon_json(&v, 0)),
        Kind::Map(_) => canon_node(node, 0),
        _ => None,
    }
}

const MAX_DEPTH: usize = 64;

fn canon_node(node: &Node, depth: usize) -> Option<Canon> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match &node.kind {
        Kind::Null => Canon::Null,
        Kind::Bool(b) => Canon::Bool(*b),
        Kind::Num(s) => Canon::Num(number(s)),
        Kind::Str(s) => Canon::Str(s.clone()),
        Kind::Seq(items) => set(items
            .iter()
            .map(|i| canon_node(i, depth + 1))
            .collect::<Option<_>>()?),
        Kind::Map(entries) => {
            if node.intrinsic().is_some() {
                return None;
            }
            let mut m = entries
                .iter()
                .map(|e| Some((e.key.clone(), canon_node(&e.value, depth + 1)?)))
                .collect::<Option<Vec<_>>>()?;
            m.sort();
            Canon::Map(m)
        }
    })
}

fn canon_json(v: &serde_json::Value, depth: usize) -> Option<Canon> {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match v {
        Value::Null => Canon::Null,
        Value::Bool(b) => Canon::Bool(*b),
        Value::Number(n) => Canon::Num(number(&n.to_string())),
        Value::String(s) => Canon::Str(s.clone()),
        Value::Array(items) => set(items
            .iter()
            .map(|i| canon_json(i, depth + 1))
            .collect::<Option<_>>()?),
        Value::Object(map) => {
            let mut m = map
                .iter()
                .map(|(k, v)| Some((k.clone(), canon_json(v, depth + 1)?)))
                .collect::<Option<Vec<_>>>()?;
            m.sort();
            Canon::Map(m)
        }
    })
}

fn set(mut items: Vec<Canon>) -> Canon {
    items.sort();
    items.dedup();
    Canon::Seq(items)
}

/// `5`, `5.0` and `5e0` are the same number.
fn number(text: &str) -> String {
    match text.trim().parse::<f64>() {
        Ok(f) if f.is_finite() => format!("{f}"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::yaml;

    fn node(text: &str) -> Node {
        yaml::load(text, 0)
            .root
            .unwrap_or(Node::new(Span::default(), Kind::Null))
    }

    #[test]
    fn patterns_compare_without_order() {
        let a = node("source: [b, a]\ndetail-type: [X]\ndetail: {n: [{numeric: ['>', 5]}]}\n");
        let b = node("detail: {n: [{numeric: ['>', 5.0]}]}\ndetail-type: [X]\nsource: [a, b]\n");
        assert!(canon(&a).is_some());
        assert_eq!(canon(&a), canon(&b));
        let json = Node::new(
            Span::default(),
            Kind::Str(
                r#"{"detail-type":["X"],"source":["a","b"],"detail":{"n":[{"numeric":[">",5]}]}}"#
                    .into(),
            ),
        );
        assert_eq!(canon(&a), canon(&json));
    }

    #[test]
    fn intrinsics_and_type_differences() {
        assert!(canon(&node("source: [!Ref Source]\n")).is_none());
        assert_ne!(
            canon(&node("detail: {n: [5]}\n")),
            canon(&node("detail: {n: ['5']}\n"))
        );
        assert!(canon(&node("just text")).is_none());
    }
}
