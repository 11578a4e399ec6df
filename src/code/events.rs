//! What handler code publishes, language-neutral: EventBridge `PutEvents` entries, SNS
//! `Publish`/`PublishBatch` messages and SQS `SendMessage`/`SendMessageBatch` messages, each with
//! its destination resolved against the template and the statically known parts of its content.
//!
//! Entries built in a variable or a loop are not known: the call is recorded in
//! [`Published::unknown`] and yields no event.

use super::facts::{SdkCall, Val};
use super::resolve::{CallTarget, call_targets};
use crate::model::pattern::{detail_node_from_val, json_object_val};
use crate::model::{Node, ResHandle, System, TplId};
use crate::source::Span;

/// Where a call delivers: an in-scope resource, the default bus, or not known here.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dest {
    Resource { tpl: TplId, id: String },
    DefaultBus,
    Unknown(String),
}

impl Dest {
    fn of(t: &CallTarget<'_>) -> Self {
        match t {
            CallTarget::Resource(h) => Dest::Resource {
                tpl: h.tpl,
                id: h.res.id.clone(),
            },
            CallTarget::DefaultBus => Dest::DefaultBus,
            CallTarget::Unknown(r) => Dest::Unknown(r.clone()),
        }
    }

    /// The logical ID (or `default`) for messages; `None` when unknown.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        match self {
            Dest::Resource { id, .. } => Some(id),
            Dest::DefaultBus => Some("default"),
            Dest::Unknown(_) => None,
        }
    }
}

/// One `PutEvents` entry.
#[derive(Clone, Debug)]
pub struct BusEvent {
    /// The function whose code publishes it.
    pub tpl: TplId,
    pub function: String,
    /// Index of the call in the function's `FileFacts::calls`.
    pub call: usize,
    /// The call expression (findings point here).
    pub span: Span,
    /// The entry (its first field), for listings.
    pub entry_span: Span,
    pub bus: Dest,
    /// `Source`, `DetailType`: [`Val::Unknown`] when absent.
    pub source: Val,
    pub detail_type: Val,
    /// `Detail` as written: `Val::Json(Object)` for `json.dumps({...})`/`JSON.stringify({...})`,
    /// `Val::Str` for a string literal.
    pub detail: Val,
    /// The object a string literal `Detail` spells, when it is a valid JSON object (see
    /// [`json_object_val`]); `None` otherwise.
    pub literal_detail: Option<Val>,
}

impl BusEvent {
    #[must_use]
    pub fn source(&self) -> Option<&str> {
        self.source.as_str()
    }

    #[must_use]
    pub fn detail_type(&self) -> Option<&str> {
        self.detail_type.as_str()
    }

    /// The detail object, when its keys are statically known: the object of
    /// `json.dumps({...})`/`JSON.stringify({...})` or of a JSON object string literal.
    #[must_use]
    pub fn detail_object(&self) -> Option<&Val> {
        match &self.detail {
            Val::Json(inner) if matches!(**inner, Val::Object(_)) => Some(inner),
            Val::Str(_) => self.literal_detail.as_ref(),
            _ => None,
        }
    }

    /// The detail as a pattern-matching node ([`detail_node_from_val`]: unknown parts are
    /// `{"Fn::Unknown": null}`, which the matcher treats as unknown); `None` when the detail is
    /// not a known object.
    #[must_use]
    pub fn detail_node(&self) -> Option<Node> {
        Some(detail_node_from_val(&self.detail, self.span)).filter(|n| n.intrinsic().is_none())
    }
}

/// The service of a [`Message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageService {
    Sns,
    Sqs,
}

/// One SNS or SQS message (one per batch entry).
#[derive(Clone, Debug)]
pub struct Message {
    pub tpl: TplId,
    pub function: String,
    pub call: usize,
    /// The call expression.
    pub span: Span,
    pub service: MessageService,
    /// The topic or queue.
    pub dest: Dest,
    /// SNS `Message` / SQS `MessageBody` ([`Val::Unknown`] when absent).
    pub body: Val,
    /// `MessageAttributes`, `MessageGroupId`, `MessageDeduplicationId`: `None` when absent.
    pub attributes: Option<Val>,
    pub group_id: Option<Val>,
    pub dedup_id: Option<Val>,
    /// Sent with `PublishBatch` / `SendMessageBatch`.
    pub batch: bool,
}

/// A publishing call whose entries are not statically known.
#[derive(Clone, Debug)]
pub struct UnknownCall {
    pub tpl: TplId,
    pub function: String,
    pub span: Span,
    /// `events`, `sns` or `sqs`.
    pub service: String,
    pub reason: String,
}

/// Everything the code of the system publishes.
#[derive(Clone, Debug, Default)]
pub struct Published {
    pub events: Vec<BusEvent>,
    pub messages: Vec<Message>,
    /// Calls whose entries are computed (a variable, a loop).
    pub unknown: Vec<UnknownCall>,
    /// Functions whose code is not fully known (not located, unsupported runtime, an import not
    /// found, a syntax error): they may publish anything.
    pub incomplete: Vec<(TplId, String)>,
}

impl Published {
    /// Whether every function's publishing is fully known.
    #[must_use]
    pub fn complete(&self) -> bool {
        self.unknown.is_empty() && self.incomplete.is_empty()
    }
}

/// What the code of every function publishes, in a stable order (function, call, entry).
#[must_use]
pub fn published(sys: &System) -> Published {
    let mut out = Published::default();
    for ((tpl, id), code) in &sys.code {
        let Some(f) = sys.resource(*tpl, id) else {
            continue;
        };
        let readable = matches!(
            code.located,
            super::Located::File { .. } | super::Located::Inline { .. }
        );
        if !readable || !code.complete {
            out.incomplete.push((*tpl, id.clone()));
        }
        let inline = matches!(code.located, super::Located::Inline { .. });
        for (i, call) in code.facts.calls.iter().enumerate() {
            let first = out.events.len();
            from_call(sys, f, i, call, &mut out);
            if inline {
                // spans of values inside inline code are offsets into the code, not the template
                for ev in out.events.iter_mut().skip(first) {
                    ev.entry_span = ev.span;
                }
            }
        }
    }
    out
}

fn from_call(sys: &System, f: ResHandle<'_>, i: usize, call: &SdkCall, out: &mut Published) {
    let unknown = |reason: &str| UnknownCall {
        tpl: f.tpl,
        function: f.res.id.clone(),
        span: call.span,
        service: call.service.clone(),
        reason: reason.to_string(),
    };
    let field = |v: &Val, k: &str| v.get(k).cloned().unwrap_or(Val::Unknown);
    match (call.service.as_str(), call.operation.as_str()) {
        ("events", "PutEvents") => {
            let Some(Val::List(entries)) = call.params.get("Entries") else {
                out.unknown.push(unknown("the entries are computed"));
                return;
            };
            let targets = call_targets(sys, f, call);
            for (n, e) in entries.iter().enumerate() {
                if !matches!(e, Val::Object(_)) {
                    out.unknown.push(unknown("an entry is computed"));
                    continue;
                }
                let entry_span = match e {
                    Val::Object(fields) => fields.first().map_or(call.span, |(_, _, s)| *s),
                    _ => call.span,
                };
                out.events.push(BusEvent {
                    tpl: f.tpl,
                    function: f.res.id.clone(),
                    call: i,
                    span: call.span,
                    entry_span,
                    bus: targets
                        .get(n)
                        .map_or(Dest::Unknown("not resolved".into()), Dest::of),
                    source: field(e, "Source"),
                    detail_type: field(e, "DetailType"),
                    literal_detail: match e.get("Detail") {
                        Some(Val::Str(text)) => json_object_val(text, call.span),
                        _ => None,
                    },
                    detail: field(e, "Detail"),
                });
            }
        }
        (svc @ ("sns" | "sqs"), op) => {
            let (service, body_key, batch_key) = match (svc, op) {
                ("sns", "Publish") => (MessageService::Sns, "Message", None),
                ("sns", "PublishBatch") => (
                    MessageService::Sns,
                    "Message",
                    Some("PublishBatchRequestEntries"),
                ),
                ("sqs", "SendMessage") => (MessageService::Sqs, "MessageBody", None),
                ("sqs", "SendMessageBatch") => {
                    (MessageService::Sqs, "MessageBody", Some("Entries"))
                }
                _ => return,
            };
            let dest = call_targets(sys, f, call)
                .first()
                .map_or(Dest::Unknown("no target".into()), Dest::of);
            let entries: Vec<&Val> = match batch_key {
                None => vec![&call.params],
                Some(k) => match call.params.get(k) {
                    Some(Val::List(items)) => items.iter().collect(),
                    _ => {
                        out.unknown.push(unknown("the batch entries are computed"));
                        return;
                    }
                },
            };
            for e in entries {
                if !matches!(e, Val::Object(_)) {
                    out.unknown.push(unknown("a batch entry is computed"));
                    continue;
                }
                out.messages.push(Message {
                    tpl: f.tpl,
                    function: f.res.id.clone(),
                    call: i,
                    span: call.span,
                    service,
                    dest: dest.clone(),
                    body: field(e, body_key),
                    attributes: e.get("MessageAttributes").cloned(),
                    group_id: e.get("MessageGroupId").cloned(),
                    dedup_id: e.get("MessageDeduplicationId").cloned(),
                    batch: batch_key.is_some(),
                });
            }
        }
        _ => {}
    }
}

/// Deepest value nesting converted.
const MAX_DEPTH: usize = 64;

/// Field names compare case-insensitively, ignoring `_` and `-` (`correlation_id` is
/// `correlationId`).
fn norm(k: &str) -> String {
    k.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether an object value has a field at a dotted path (`metadata.version`); `None` when a
/// part on the way is not a known object.
#[must_use]
pub fn has_path(obj: &Val, path: &str) -> Option<bool> {
    let mut cur = obj;
    for part in path.split('.') {
        let Val::Object(fields) = cur else {
            return None;
        };
        let want = norm(part);
        match fields.iter().find(|(k, _, _)| norm(k) == want) {
            Some((_, v, _)) => cur = v,
            None => return Some(false),
        }
    }
    Some(true)
}

/// The value at a dotted path of an object value, when present.
#[must_use]
pub fn get_path<'v>(obj: &'v Val, path: &str) -> Option<&'v Val> {
    let mut cur = obj;
    for part in path.split('.') {
        let want = norm(part);
        let Val::Object(fields) = cur else {
            return None;
        };
        cur = fields
            .iter()
            .find(|(k, _, _)| norm(k) == want)
            .map(|(_, v, _)| v)?;
    }
    Some(cur)
}

/// Every field path of an object value (nested objects flattened with `.`; list elements
/// share their list's path), in order. `None` when some part's keys are not known.
#[must_use]
pub fn field_paths(obj: &Val) -> Option<Vec<String>> {
    let mut out = Vec::new();
    collect_paths(obj, "", &mut out, 0).then_some(out)
}

fn collect_paths(v: &Val, prefix: &str, out: &mut Vec<String>, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        Val::Object(fields) => fields.iter().all(|(k, v, _)| {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            out.push(p.clone());
            collect_paths(v, &p, out, depth + 1)
        }),
        Val::List(items) => items
            .iter()
            .all(|x| collect_paths(x, prefix, out, depth + 1)),
        _ => true,
    }
}

/// Whether a detail-type (or source) carries a version: a `v2`/`V2` token at a word boundary
/// (`OrderPlaced.v2`, `order-placed-v1`, `OrderPlacedV2`, `orders/v1/placed`).
#[must_use]
pub fn names_version(name: &str) -> bool {
    let b = name.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        if c != b'v' && c != b'V' {
            return false;
        }
        let prev = i.checked_sub(1).and_then(|p| b.get(p));
        let before_ok = prev
            .is_none_or(|p| !p.is_ascii_alphanumeric() || (c == b'V' && p.is_ascii_lowercase()));
        let digits = b
            .iter()
            .skip(i + 1)
            .take_while(|d| d.is_ascii_digit())
            .count();
        let after = b.get(i + 1 + digits);
        before_ok
            && digits > 0
            && after.is_none_or(|a| !a.is_ascii_alphabetic() || a.is_ascii_uppercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_in_names() {
        for yes in [
            "OrderPlaced.v2",
            "order-placed-v1",
            "OrderPlacedV2",
            "v1.OrderPlaced",
            "orders/v10/placed",
        ] {
            assert!(names_version(yes), "{yes}");
        }
        for no in [
            "Order Placed",
            "OrderPlaced",
            "Reviews",
            "Moved",
            "dev1",
            "level2",
        ] {
            assert!(!names_version(no), "{no}");
        }
    }

    #[test]
    fn paths_of_objects() {
        let s = Span::default();
        let meta = Val::Object(vec![("correlation_id".into(), Val::Unknown, s)]);
        let obj = Val::Object(vec![
            ("orderId".into(), Val::Str("1".into()), s),
            ("metadata".into(), meta, s),
        ]);
        assert_eq!(has_path(&obj, "metadata.correlationId"), Some(true));
        assert_eq!(has_path(&obj, "version"), Some(false));
        assert_eq!(has_path(&obj, "orderId.x"), None);
        assert_eq!(
            field_paths(&obj),
            Some(vec![
                "orderId".to_string(),
                "metadata".into(),
                "metadata.correlation_id".into()
            ])
        );
    }

    // One conversion for the EL50x rules and the matcher. Each case below was decided one way
    // by the old `val_node` here (PutEvents entries, EL501-EL508) and another, or wrongly, by
    // the matcher's `detail_node_from_val`; both paths now go through the latter.

    use crate::model::json;
    use crate::model::pattern::{EventShape, Match, matches};

    fn event(detail: Val) -> BusEvent {
        let literal_detail = match &detail {
            Val::Str(text) => json_object_val(text, Span::default()),
            _ => None,
        };
        BusEvent {
            tpl: 0,
            function: "Checkout".into(),
            call: 0,
            span: Span::new(0, 5, 9),
            entry_span: Span::new(0, 5, 9),
            bus: Dest::DefaultBus,
            source: Val::Str("app.orders".into()),
            detail_type: Val::Str("OrderPlaced".into()),
            detail,
            literal_detail,
        }
    }

    /// How a pattern matches the event through the rules' path ([`BusEvent::detail_node`]) and
    /// the matcher's ([`detail_node_from_val`]); they must agree.
    fn both(detail: &Val, pattern: &str) -> Match {
        let p = json::load(pattern, 0).root.expect("pattern");
        let ev = event(detail.clone());
        let rules_node = ev.detail_node();
        let matcher_node = detail_node_from_val(detail, ev.span);
        let shape = |d| EventShape {
            source: ev.source(),
            detail_type: ev.detail_type(),
            detail: d,
        };
        let via_rules = matches(&p, &shape(rules_node.as_ref()));
        let via_matcher = matches(&p, &shape(Some(&matcher_node)));
        assert_eq!(via_rules, via_matcher, "{pattern} on {detail:?}");
        via_rules
    }

    fn s(x: &str) -> Val {
        Val::s(x)
    }

    fn json_of(fields: Vec<(&str, Val)>) -> Val {
        Val::Json(Box::new(Val::obj(fields, Span::default())))
    }

    #[test]
    fn json_string_literal_details_are_the_detail() {
        // before: unknown for the rules (EL502 silent), parsed by the matcher
        let d = s(r#"{"orderId": "1", "state": "placed", "gift": null}"#);
        assert_eq!(both(&d, r#"{"detail": {"state": ["placed"]}}"#), Match::Yes);
        assert_eq!(both(&d, r#"{"detail": {"state": ["shipped"]}}"#), Match::No);
        // closed: a field the literal lacks is absent
        assert_eq!(
            both(&d, r#"{"detail": {"version": [{"exists": true}]}}"#),
            Match::No
        );
        // JSON null is a value the matcher reads
        assert_eq!(both(&d, r#"{"detail": {"gift": [null]}}"#), Match::Yes);
        // the field-reading rules (EL501, EL505, EL506, EL508) see it too
        let ev = event(d);
        let obj = ev.detail_object().expect("a known object");
        assert_eq!(has_path(obj, "orderId"), Some(true));
        assert_eq!(has_path(obj, "version"), Some(false));
        assert_eq!(get_path(obj, "gift"), Some(&Val::Unknown));
    }

    #[test]
    fn literals_that_are_not_json_objects_are_unknown() {
        // EventBridge rejects such entries (MalformedDetail): no rule may decide on them.
        // before: the matcher kept a literal with a duplicate key (the last value)
        for text in [
            "not json",
            "[1, 2]",
            r#""x""#,
            "null",
            "{'a': 1}",
            r#"{"a": 1,}"#,
            r#"{"a": 1} // c"#,
            r#"{"a": "1", "a": "2"}"#,
            "",
        ] {
            let d = s(text);
            assert_eq!(
                both(&d, r#"{"detail": {"a": ["2"]}}"#),
                Match::Unknown,
                "{text}"
            );
            assert_eq!(both(&d, r#"{"source": ["other"]}"#), Match::No, "{text}");
            let ev = event(d);
            assert!(ev.detail_node().is_none() && ev.detail_object().is_none());
        }
    }

    #[test]
    fn objects_passed_as_detail_are_unknown() {
        // `Detail={...}` without json.dumps: boto3 rejects it (Detail is a string).
        // before: unknown for the rules, a fully known detail for the matcher
        let obj = Val::Object(vec![("a".into(), s("1"), Span::default())]);
        assert_eq!(both(&obj, r#"{"detail": {"b": ["x"]}}"#), Match::Unknown);
        assert_eq!(both(&obj, r#"{"detail": {"a": ["1"]}}"#), Match::Unknown);
        // json.dumps of something that is not an object: unknown in both (before: `None`
        // here, an unknown node there)
        for d in [
            Val::Json(Box::new(Val::List(vec![]))),
            Val::Json(Box::new(Val::Unknown)),
            Val::Unknown,
            Val::Concat(vec![s("{\"a\": "), Val::Unknown, s("}")]),
        ] {
            assert_eq!(both(&d, r#"{"detail": {"a": ["1"]}}"#), Match::Unknown);
            assert!(event(d).detail_node().is_none());
        }
    }

    #[test]
    fn code_number_literals_compare_as_numbers() {
        // before (both paths): `0x10` and `1_000` kept as written, so `[16]` was a definite
        // non-match (EL502/EL505 could fire) and `anything-but` a definite match
        let d = json_of(vec![
            ("hex", Val::Num("0x10".into())),
            ("big", Val::Num("1_000".into())),
            ("neg", Val::Num("-0b11".into())),
            ("exp", Val::Num("1e3".into())),
            ("frac", Val::Num(".5".into())),
            ("bigint", Val::Num("10n".into())),
            ("complex", Val::Num("2j".into())),
            ("octal", Val::Num("017".into())),
        ]);
        let on = |f: &str, m: &str| both(&d, &format!(r#"{{"detail": {{"{f}": [{m}]}}}}"#));
        assert_eq!(on("hex", "16"), Match::Yes);
        assert_eq!(on("hex", r#"{"anything-but": 16}"#), Match::No);
        assert_eq!(on("big", r#"{"numeric": [">=", 1000]}"#), Match::Yes);
        assert_eq!(on("neg", "-3"), Match::Yes);
        assert_eq!(on("exp", "1000"), Match::Yes);
        assert_eq!(on("frac", r#"{"numeric": ["<", 1]}"#), Match::Yes);
        // JSON cannot hold these (or we do not read them): unknown, not "no"
        for f in ["bigint", "complex", "octal"] {
            assert_eq!(on(f, "10"), Match::Unknown, "{f}");
        }
    }

    #[test]
    fn unknown_parts_stay_unknown() {
        // the same in both paths before and after; pinned so it stays so
        let env = Val::Env {
            name: "STAGE".into(),
            default: Some(Box::new(s("dev"))),
        };
        let d = json_of(vec![
            ("stage", env),
            ("label", Val::Concat(vec![s("a-"), Val::Unknown])),
            ("tags", Val::List(vec![Val::Unknown, s("gift")])),
            ("ids", Val::List(vec![Val::Unknown])),
            ("ok", Val::Bool(true)),
            ("n", Val::Num("3".into())),
            ("inner", json_of(vec![("x", s("y"))])),
        ]);
        assert_eq!(
            both(&d, r#"{"detail": {"stage": ["dev"]}}"#),
            Match::Unknown
        );
        assert_eq!(
            both(&d, r#"{"detail": {"label": [{"prefix": "a-"}]}}"#),
            Match::Unknown
        );
        // an array: one known element decides a match, unknown ones never a non-match
        assert_eq!(both(&d, r#"{"detail": {"tags": ["gift"]}}"#), Match::Yes);
        assert_eq!(both(&d, r#"{"detail": {"tags": ["vip"]}}"#), Match::Unknown);
        assert_eq!(both(&d, r#"{"detail": {"ids": ["1"]}}"#), Match::Unknown);
        assert_eq!(
            both(&d, r#"{"detail": {"ids": [{"exists": true}]}}"#),
            Match::Unknown
        );
        assert_eq!(both(&d, r#"{"detail": {"ok": [true]}}"#), Match::Yes);
        assert_eq!(both(&d, r#"{"detail": {"ok": ["true"]}}"#), Match::No);
        assert_eq!(both(&d, r#"{"detail": {"n": ["3"]}}"#), Match::No);
        // a nested json.dumps is a string of unknown text
        assert_eq!(
            both(&d, r#"{"detail": {"inner": {"x": ["y"]}}}"#),
            Match::Unknown
        );
        // unknown values around: an absent field may be there
        assert_eq!(
            both(&d, r#"{"detail": {"missing": ["x"]}}"#),
            Match::Unknown
        );
    }

    #[test]
    fn open_objects_leave_absent_fields_unknown() {
        let d = json_of(vec![("...", Val::Unknown), ("a", s("1"))]);
        assert_eq!(both(&d, r#"{"detail": {"a": ["1"]}}"#), Match::Yes);
        assert_eq!(both(&d, r#"{"detail": {"b": ["x"]}}"#), Match::Unknown);
        assert_eq!(
            both(&d, r#"{"detail": {"b": [{"exists": false}]}}"#),
            Match::Unknown
        );
        // a closed object: absent is absent
        let closed = json_of(vec![("a", s("1"))]);
        assert_eq!(both(&closed, r#"{"detail": {"b": ["x"]}}"#), Match::No);
    }
}
