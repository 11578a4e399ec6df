//! Events published from handler code: their detail, a [`Val`], as a [`Node`] the matcher reads.

use crate::code::facts::Val;
use crate::model::json;
use crate::model::node::{Entry, Kind, Node};
use crate::source::Span;

/// The key of the one-entry map standing for a value not known statically. Any `Fn::` key makes
/// [`Node::intrinsic`] true, so the matcher treats the value as unknown.
pub const UNKNOWN_KEY: &str = "Fn::Unknown";

/// The field name code extractors give an unknown spread or computed key (`{...rest}`).
const UNKNOWN_FIELD: &str = "...";

/// Most nesting followed; deeper values are unknown.
const MAX_DEPTH: usize = 64;

/// The detail of a code-published event (`Detail=json.dumps({...})`, `JSON.stringify({...})`,
/// a JSON string literal, or an object value) as a node for [`super::matches`]. Values not
/// known statically (unknown, environment variables, concatenations, a nested `json.dumps`,
/// which is a string of unknown text) become unknown nodes; an unknown spread keeps its place as
/// an unknown field, so the detail is not "fully known" and absent fields stay unknown. Every
/// node carries `span`, or the span of its field when the value has one.
#[must_use]
pub fn detail_node_from_val(v: &Val, span: Span) -> Node {
    match v {
        Val::Json(inner) => match inner.as_ref() {
            Val::Object(_) => node(inner, span, 0),
            _ => unknown(span),
        },
        Val::Object(_) => node(v, span, 0),
        Val::Str(text) => json_object(text, span).unwrap_or_else(|| unknown(span)),
        _ => unknown(span),
    }
}

/// A JSON object text as a node with every span set to `span`; `None` unless it is an object.
pub(crate) fn json_object(text: &str, span: Span) -> Option<Node> {
    let out = json::load(text, span.file);
    if out.problems.iter().any(|p| p.fatal) {
        return None;
    }
    let mut root = out.root.filter(Node::is_map)?;
    root.walk_mut(&mut |n| {
        n.span = span;
        if let Kind::Map(entries) = &mut n.kind {
            for e in entries {
                e.key_span = span;
            }
        }
    });
    Some(root)
}

/// A node standing for a value not known statically.
#[must_use]
pub fn unknown(span: Span) -> Node {
    Node::new(
        span,
        Kind::Map(vec![Entry {
            key: UNKNOWN_KEY.to_string(),
            key_span: span,
            value: Node::new(span, Kind::Null),
        }]),
    )
}

/// Any value as a node: literals and containers as they are, the rest unknown.
pub(crate) fn node(v: &Val, span: Span, depth: usize) -> Node {
    if depth > MAX_DEPTH {
        return unknown(span);
    }
    let kind = match v {
        Val::Str(s) => Kind::Str(s.clone()),
        Val::Num(n) => Kind::Num(n.clone()),
        Val::Bool(b) => Kind::Bool(*b),
        Val::List(items) => Kind::Seq(items.iter().map(|x| node(x, span, depth + 1)).collect()),
        Val::Object(fields) => Kind::Map(
            fields
                .iter()
                .map(|(k, x, s)| Entry {
                    key: k.clone(),
                    key_span: *s,
                    // an unknown spread: its value is unknown, so the object is not fully known
                    value: if k == UNKNOWN_FIELD {
                        unknown(*s)
                    } else {
                        node(x, *s, depth + 1)
                    },
                })
                .collect(),
        ),
        Val::Env { .. } | Val::Concat(_) | Val::Json(_) | Val::Unknown => return unknown(span),
    };
    Node::new(span, kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pattern::{EventShape, Match, matches};

    fn sp() -> Span {
        Span::new(3, 10, 20)
    }

    fn s(x: &str) -> Val {
        Val::Str(x.into())
    }

    fn obj(fields: Vec<(&str, Val)>) -> Val {
        Val::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v, Span::new(3, 1, 2)))
                .collect(),
        )
    }

    fn check(detail: &Val, pattern: &str, want: Match) {
        let node = detail_node_from_val(detail, sp());
        let p = json::load(pattern, 0).root.expect("pattern");
        let ev = EventShape {
            source: Some("app.orders"),
            detail_type: Some("OrderPlaced"),
            detail: Some(&node),
        };
        assert_eq!(matches(&p, &ev), want, "{pattern} on {detail:?}");
    }

    #[test]
    fn literals_become_nodes() {
        let d = Val::Json(Box::new(obj(vec![
            ("orderId", s("o-1")),
            ("total", Val::Num("12.5".into())),
            ("gift", Val::Bool(true)),
            ("tags", Val::List(vec![s("a"), s("b")])),
            ("customer", obj(vec![("tier", s("gold"))])),
        ])));
        check(
            &d,
            r#"{"detail": {"orderId": [{"prefix": "o-"}]}}"#,
            Match::Yes,
        );
        check(
            &d,
            r#"{"detail": {"total": [{"numeric": [">", 10]}]}}"#,
            Match::Yes,
        );
        check(&d, r#"{"detail": {"gift": [false]}}"#, Match::No);
        check(&d, r#"{"detail": {"tags": ["b"]}}"#, Match::Yes);
        check(
            &d,
            r#"{"detail": {"customer": {"tier": ["gold"]}}}"#,
            Match::Yes,
        );
        // fully known: an absent field is absent
        check(
            &d,
            r#"{"detail": {"version": [{"exists": true}]}}"#,
            Match::No,
        );
        check(
            &d,
            r#"{"detail": {"version": [{"exists": false}]}}"#,
            Match::Yes,
        );
        // field spans are kept
        let node = detail_node_from_val(&d, sp());
        assert_eq!(node.span, sp());
        assert_eq!(
            node.get("orderId").map(|n| n.span),
            Some(Span::new(3, 1, 2))
        );
    }

    #[test]
    fn unknown_values_stay_unknown() {
        let env = Val::Env {
            name: "STAGE".into(),
            default: None,
        };
        let d = Val::Json(Box::new(obj(vec![
            ("orderId", Val::Unknown),
            ("stage", env),
            ("label", Val::Concat(vec![s("a"), Val::Unknown])),
            ("inner", Val::Json(Box::new(obj(vec![("x", s("y"))])))),
            ("state", s("placed")),
        ])));
        check(&d, r#"{"detail": {"orderId": ["o-1"]}}"#, Match::Unknown);
        check(&d, r#"{"detail": {"stage": ["prod"]}}"#, Match::Unknown);
        check(
            &d,
            r#"{"detail": {"label": [{"prefix": "a"}]}}"#,
            Match::Unknown,
        );
        // a nested json.dumps is a string, not an object
        check(&d, r#"{"detail": {"inner": {"x": ["y"]}}}"#, Match::Unknown);
        // known fields still decide
        check(&d, r#"{"detail": {"state": ["placed"]}}"#, Match::Yes);
        check(&d, r#"{"detail": {"state": ["shipped"]}}"#, Match::No);
        // with unknown values around, an absent field is unknown
        check(&d, r#"{"detail": {"missing": ["x"]}}"#, Match::Unknown);
    }

    #[test]
    fn unknown_spreads_and_whole_details() {
        let d = Val::Json(Box::new(obj(vec![("...", Val::Unknown), ("a", s("1"))])));
        check(&d, r#"{"detail": {"b": ["x"]}}"#, Match::Unknown);
        check(&d, r#"{"detail": {"a": ["1"]}}"#, Match::Yes);
        for whole in [
            Val::Unknown,
            Val::Concat(vec![s("{")]),
            Val::Json(Box::new(Val::List(vec![]))),
            Val::Json(Box::new(Val::Unknown)),
            s("not json"),
            s("[1, 2]"),
        ] {
            check(&whole, r#"{"detail": {"a": ["1"]}}"#, Match::Unknown);
            check(&whole, r#"{"source": ["other"]}"#, Match::No);
        }
    }

    #[test]
    fn json_string_details_are_parsed() {
        let d = s(r#"{"state": "placed", "n": 3}"#);
        check(&d, r#"{"detail": {"state": ["placed"]}}"#, Match::Yes);
        check(
            &d,
            r#"{"detail": {"n": [{"numeric": ["<", 3]}]}}"#,
            Match::No,
        );
        let node = detail_node_from_val(&d, sp());
        assert!(
            node.entries()
                .iter()
                .all(|e| e.key_span == sp() && e.value.span == sp())
        );
    }

    #[test]
    fn depth_is_bounded() {
        let mut v = s("leaf");
        for _ in 0..200 {
            v = obj(vec![("k", v)]);
        }
        let node = detail_node_from_val(&Val::Json(Box::new(v)), sp());
        let mut depth = 0;
        node.walk(&mut |_| depth += 1);
        assert!(depth < 200);
    }
}
