//! Values published from handler code (an EventBridge `Detail`, an SNS `Message`): the one
//! conversion from a code [`Val`] to the [`Node`] the matchers read.
//!
//! The SDKs send these as strings. The text is known when it is `json.dumps({...})` /
//! `JSON.stringify({...})` of a known object, or a string literal: a literal is parsed as strict
//! JSON and is the event detail only when it is a JSON object. EventBridge rejects an entry
//! whose `Detail` is not valid JSON (`MalformedDetail`), so anything else is unknown and the
//! rules that need the detail stay silent. Parts not known statically stay unknown: they never
//! make a pattern a definite non-match.

use crate::code::facts::{OPEN_FIELD, Val};
use crate::model::json;
use crate::model::node::{Entry, Kind, Node};
use crate::source::Span;

/// The key of the one-entry map standing for a value not known statically. Any `Fn::` key makes
/// [`Node::intrinsic`] true, so the matcher treats the value as unknown.
pub const UNKNOWN_KEY: &str = "Fn::Unknown";

/// Most nesting followed; deeper values are unknown.
const MAX_DEPTH: usize = 64;

/// The detail of a code-published event (or the body of a message) as a node for
/// [`super::matches`]:
/// - `json.dumps({...})` / `JSON.stringify({...})` of an object: that object;
/// - a string literal holding a JSON object (`'{"orderId": "1"}'`): the parsed object, every
///   span set to `span`;
/// - anything else (unknown text, a JSON literal that is not an object or not valid JSON, a
///   dict or object passed where the SDK wants a string, which it rejects): unknown.
///
/// Inside a known object, values not known statically (unknown, environment variables,
/// concatenations, a nested `json.dumps`, which is a string of unknown text, a number literal
/// JSON cannot spell) are unknown nodes; an open object's [`OPEN_FIELD`] keeps its place as an
/// unknown field, so the detail is not "fully known" and absent fields stay unknown. Every node
/// carries `span`, or the span of its field when the value has one.
#[must_use]
pub fn detail_node_from_val(v: &Val, span: Span) -> Node {
    match v {
        Val::Json(inner) if matches!(**inner, Val::Object(_)) => node(inner, span, 0),
        Val::Str(text) => json_object(text, span).unwrap_or_else(|| unknown(span)),
        _ => unknown(span),
    }
}

/// The object a string literal `Detail` spells, as a code value (for the rules that read
/// field names and values rather than match patterns): `None` unless `text` is a valid JSON
/// object. JSON `null`, which code values cannot hold, is [`Val::Unknown`]; spans are `span`.
#[must_use]
pub fn json_object_val(text: &str, span: Span) -> Option<Val> {
    json_object(text, span).map(|n| val_of(&n, 0))
}

/// A JSON object text as a node with every span set to `span`; `None` unless it is strict,
/// valid JSON without problems (a duplicate key too) whose root is an object.
pub(crate) fn json_object(text: &str, span: Span) -> Option<Node> {
    let out = json::load(text, span.file);
    if !out.problems.is_empty() {
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

/// A JSON node as a code value (`null` unknown); depth-bounded.
fn val_of(n: &Node, depth: usize) -> Val {
    if depth > MAX_DEPTH {
        return Val::Unknown;
    }
    match &n.kind {
        Kind::Str(s) => Val::Str(s.clone()),
        Kind::Num(x) => Val::Num(x.clone()),
        Kind::Bool(b) => Val::Bool(*b),
        Kind::Null => Val::Unknown,
        Kind::Seq(items) => Val::List(items.iter().map(|x| val_of(x, depth + 1)).collect()),
        Kind::Map(entries) => Val::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), val_of(&e.value, depth + 1), e.key_span))
                .collect(),
        ),
    }
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
        Val::Num(n) => match json_number(n) {
            Some(n) => Kind::Num(n),
            None => return unknown(span),
        },
        Val::Bool(b) => Kind::Bool(*b),
        Val::List(items) => Kind::Seq(items.iter().map(|x| node(x, span, depth + 1)).collect()),
        Val::Object(fields) => Kind::Map(
            fields
                .iter()
                .map(|(k, x, s)| Entry {
                    key: k.clone(),
                    key_span: *s,
                    // an open object: its unlisted part is unknown, so it is not fully known
                    value: if k == OPEN_FIELD {
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

/// A number literal as written in Python or JavaScript, as the number `json.dumps` /
/// `JSON.stringify` writes: digit separators dropped, `0x`/`0o`/`0b` integers in decimal.
/// `None` for what JSON cannot hold or we do not read (a BigInt `10n`, which `JSON.stringify`
/// rejects, a complex `1j`, a legacy octal `017`, an overflowing radix literal, infinity).
fn json_number(text: &str) -> Option<String> {
    let t: String = text.chars().filter(|c| *c != '_').collect();
    let (sign, body) = match t.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", t.as_str()),
    };
    let radix = |p: &str| {
        body.get(..2)
            .filter(|x| x.eq_ignore_ascii_case(p))
            .and_then(|_| body.get(2..))
    };
    for (p, r) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(digits) = radix(p) {
            let n = u64::from_str_radix(digits, r).ok()?;
            return Some(format!("{sign}{n}"));
        }
    }
    let decimal = body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    let legacy_octal = body.starts_with('0')
        && body
            .get(1..)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    match body.parse::<f64>() {
        Ok(x) if decimal && !legacy_octal && x.is_finite() => Some(format!("{sign}{body}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pattern::{EventShape, Match, matches};

    fn sp() -> Span {
        Span::new(3, 10, 20)
    }

    fn s(x: &str) -> Val {
        Val::s(x)
    }

    fn obj(fields: Vec<(&str, Val)>) -> Val {
        Val::obj(fields, Span::new(3, 1, 2))
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

    #[test]
    fn json_literals_as_code_values() {
        let v = json_object_val(r#"{"a": [1, {"b": null}], "c": true}"#, sp()).expect("object");
        let want = Val::Object(vec![
            (
                "a".into(),
                Val::List(vec![
                    Val::Num("1".into()),
                    Val::Object(vec![("b".into(), Val::Unknown, sp())]),
                ]),
                sp(),
            ),
            ("c".into(), Val::Bool(true), sp()),
        ]);
        assert_eq!(v, want);
        for bad in ["[1]", "1", "{", r#"{"a": 1, "a": 2}"#, "{\"a\": 01}"] {
            assert_eq!(json_object_val(bad, sp()), None, "{bad}");
        }
    }

    #[test]
    fn number_literals_as_json_numbers() {
        let n = |t: &str| json_number(t);
        assert_eq!(n("12.5").as_deref(), Some("12.5"));
        assert_eq!(n("-3").as_deref(), Some("-3"));
        assert_eq!(n("1_000_000").as_deref(), Some("1000000"));
        assert_eq!(n("0xFF").as_deref(), Some("255"));
        assert_eq!(n("0O17").as_deref(), Some("15"));
        assert_eq!(n("-0b101").as_deref(), Some("-5"));
        assert_eq!(n("1e3").as_deref(), Some("1e3"));
        assert_eq!(n("0").as_deref(), Some("0"));
        assert_eq!(n("0.25").as_deref(), Some("0.25"));
        for none in [
            "10n",
            "3j",
            "017",
            "0x",
            "0xFFFFFFFFFFFFFFFFFF",
            "inf",
            "NaN",
            "1e999",
            "",
        ] {
            assert_eq!(n(none), None, "{none}");
        }
    }
}
