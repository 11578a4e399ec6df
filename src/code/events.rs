//! What handler code publishes, language-neutral: EventBridge `PutEvents` entries, SNS
//! `Publish`/`PublishBatch` messages and SQS `SendMessage`/`SendMessageBatch` messages, each with
//! its destination resolved against the template and the statically known parts of its content.
//!
//! Entries built in a variable or a loop are not known: the call is recorded in
//! [`Published::unknown`] and yields no event.

use super::facts::{SdkCall, Val};
use super::resolve::{CallTarget, call_targets};
use crate::model::{Entry, Kind, Node, ResHandle, System, TplId};
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
    /// `Detail` as written: `Val::Json(Object)` for `json.dumps({...})`/`JSON.stringify({...})`.
    pub detail: Val,
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

    /// The detail object, when its keys are statically known.
    #[must_use]
    pub fn detail_object(&self) -> Option<&Val> {
        match &self.detail {
            Val::Json(inner) if matches!(**inner, Val::Object(_)) => Some(inner),
            _ => None,
        }
    }

    /// The detail as a pattern-matching node (unknown parts are `{"Fn::Unknown": null}`, which
    /// the matcher treats as unknown); `None` when the detail is not a known object.
    #[must_use]
    pub fn detail_node(&self) -> Option<Node> {
        self.detail_object().map(|d| val_node(d, self.span, 0))
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

fn unknown_node(at: Span) -> Node {
    Node::new(
        at,
        Kind::Map(vec![Entry {
            key: "Fn::Unknown".into(),
            key_span: at,
            value: Node::new(at, Kind::Null),
        }]),
    )
}

/// A code value as a template-like node for the pattern matcher: literals as themselves,
/// anything not known as a single-key `{"Fn::Unknown": null}` map (an intrinsic to the model).
fn val_node(v: &Val, at: Span, depth: usize) -> Node {
    if depth > MAX_DEPTH {
        return unknown_node(at);
    }
    match v {
        Val::Str(s) => Node::new(at, Kind::Str(s.clone())),
        Val::Num(n) => Node::new(at, Kind::Num(n.clone())),
        Val::Bool(b) => Node::new(at, Kind::Bool(*b)),
        Val::Object(fields) => Node::new(
            at,
            Kind::Map(
                fields
                    .iter()
                    .map(|(k, v, s)| Entry {
                        key: k.clone(),
                        key_span: *s,
                        value: val_node(v, *s, depth + 1),
                    })
                    .collect(),
            ),
        ),
        Val::List(items) => Node::new(
            at,
            Kind::Seq(items.iter().map(|x| val_node(x, at, depth + 1)).collect()),
        ),
        Val::Env { .. } | Val::Concat(_) | Val::Json(_) | Val::Unknown => unknown_node(at),
    }
}

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
}
