//! SNS subscription filter policies: checking against SNS's constraints, and static matching
//! of known messages.
//!
//! Filter policies use the EventBridge pattern syntax (the same `aws/event-ruler` engine), so
//! syntax checks and matching reuse [`crate::model::pattern`]. What SNS adds, after the SNS
//! developer guide ("Amazon SNS message filtering", "Filter policy constraints", "String value
//! matching", "Numeric value matching", "Key matching", "AND/OR logic"):
//!
//! - the scope (`FilterPolicyScope`): `MessageAttributes` (default; no nested policies; only
//!   `String`, `String.Array` and `Number` attributes are compared, `Binary` ones are ignored)
//!   or `MessageBody` (a JSON body, nested keys as in event patterns);
//! - at most five keys, at most 150 combinations of values (the product of the array sizes),
//!   numbers from -1e9 to 1e9 with five decimal digits;
//! - no `wildcard` operator.
//!
//! Values not known statically make matching [`Match::Unknown`].

use crate::code::facts::Val;
use crate::model::node::{Entry, Kind, Node};
use crate::model::pattern::{
    self, Match, NumLimits, PatternProblem, detail_node_from_val, json_object, unknown_node,
};
use crate::source::Span;

/// "A filter policy can have a maximum of five keys."
pub const MAX_KEYS: usize = 5;
/// "The total combination of values in a filter policy must not exceed 150."
pub const MAX_COMBINATIONS: u64 = 150;
/// "The value can range from -10^9 to 10^9 ..., with five digits of accuracy after the decimal
/// point."
const SNS_NUMBERS: NumLimits = NumLimits {
    max: 1.0e9,
    precision: 1e-5,
};
/// Guard against pathological nesting.
const MAX_DEPTH: usize = 64;
/// The field name code extractors give an unknown spread (`{...rest}`).
const UNKNOWN_FIELD: &str = "...";

/// What a subscription's filter policy applies to (`FilterPolicyScope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    MessageAttributes,
    MessageBody,
}

impl Scope {
    /// The scope a subscription's `FilterPolicyScope` value gives: `MessageAttributes` when
    /// absent; `None` when unknown (an intrinsic) or not a scope name.
    #[must_use]
    pub fn of(value: Option<&Node>) -> Option<Scope> {
        match value.map(|v| &v.kind) {
            None => Some(Scope::MessageAttributes),
            Some(Kind::Str(s)) if s == "MessageAttributes" => Some(Scope::MessageAttributes),
            Some(Kind::Str(s)) if s == "MessageBody" => Some(Scope::MessageBody),
            Some(_) => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// Check a filter policy: the pattern syntax, then SNS's constraints for `scope`. A policy that
/// is an intrinsic function yields nothing.
#[must_use]
pub fn validate(policy: &Node, scope: Scope) -> Vec<PatternProblem> {
    if policy.intrinsic().is_some() {
        return Vec::new();
    }
    if !policy.is_map() {
        return vec![PatternProblem {
            span: policy.span,
            message: "filter policy must be an object".into(),
        }];
    }
    let mut problems = pattern::validate_fields(policy);
    let mut keys: Vec<Vec<String>> = Vec::new();
    sns_checks(policy, scope, &mut Vec::new(), &mut keys, &mut problems, 0);
    if keys.len() > MAX_KEYS {
        problems.push(PatternProblem {
            span: policy.span,
            message: format!(
                "filter policy has {} keys; SNS allows at most {MAX_KEYS}",
                keys.len()
            ),
        });
    }
    let combos = combinations(policy, 0);
    if combos > MAX_COMBINATIONS {
        problems.push(PatternProblem {
            span: policy.span,
            message: format!(
                "filter policy has {combos} combinations of values (the product of its array \
                 sizes); SNS allows at most {MAX_COMBINATIONS}"
            ),
        });
    }
    problems
}

/// Nested objects under the attribute scope, `wildcard`, numeric bounds; collects the distinct
/// key paths.
fn sns_checks(
    obj: &Node,
    scope: Scope,
    path: &mut Vec<String>,
    keys: &mut Vec<Vec<String>>,
    problems: &mut Vec<PatternProblem>,
    depth: usize,
) {
    if depth > MAX_DEPTH || obj.intrinsic().is_some() {
        return;
    }
    for e in obj.entries() {
        let v = &e.value;
        if v.intrinsic().is_some() {
            continue;
        }
        if e.key == "$or" {
            for branch in v.items().iter().filter(|b| b.is_map()) {
                sns_checks(branch, scope, path, keys, problems, depth + 1);
            }
            continue;
        }
        path.push(e.key.clone());
        match &v.kind {
            Kind::Map(_) if scope == Scope::MessageAttributes => problems.push(PatternProblem {
                span: v.span,
                message: format!(
                    "`{}`: SNS does not accept nested filter policies on message attributes; \
                     set `FilterPolicyScope: MessageBody` to filter on the body",
                    e.key
                ),
            }),
            Kind::Map(_) => sns_checks(v, scope, path, keys, problems, depth + 1),
            _ => {
                if !keys.contains(path) {
                    keys.push(path.clone());
                }
                for item in v.items() {
                    item_checks(item, problems);
                }
            }
        }
        path.pop();
    }
}

/// One value of a field's array: operators SNS lacks, numbers beyond its range.
fn item_checks(item: &Node, problems: &mut Vec<PatternProblem>) {
    let [e] = item.entries() else { return };
    if item.intrinsic().is_some() {
        return;
    }
    let uses_wildcard = e.key == "wildcard"
        || (e.key == "anything-but" && e.value.entries().iter().any(|x| x.key == "wildcard"));
    if uses_wildcard {
        problems.push(PatternProblem {
            span: e.key_span,
            message: "SNS filter policies do not support `wildcard`".into(),
        });
    }
    if e.key == "numeric" {
        for n in e.value.items() {
            if let Kind::Num(t) = &n.kind
                && t.parse::<f64>().is_ok_and(|x| x.abs() > SNS_NUMBERS.max)
            {
                problems.push(PatternProblem {
                    span: n.span,
                    message: format!(
                        "`numeric` value {t} is outside the range SNS matches (-1e9 to 1e9)"
                    ),
                });
            }
        }
    }
}

/// The total combination of values: the product of the array sizes, `$or` branches adding up.
fn combinations(obj: &Node, depth: usize) -> u64 {
    if depth > MAX_DEPTH || obj.intrinsic().is_some() {
        return 1;
    }
    obj.entries().iter().fold(1u64, |acc, e| {
        let v = &e.value;
        let n = if v.intrinsic().is_some() {
            1
        } else if e.key == "$or" {
            v.items()
                .iter()
                .map(|b| combinations(b, depth + 1))
                .fold(0u64, u64::saturating_add)
                .max(1)
        } else {
            match &v.kind {
                Kind::Seq(items) => u64::try_from(items.len()).unwrap_or(u64::MAX).max(1),
                Kind::Map(_) => combinations(v, depth + 1),
                _ => 1,
            }
        };
        acc.saturating_mul(n)
    })
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

/// A published message as filter policies see it. Unknown parts are unknown nodes
/// ([`pattern::unknown_node`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Attribute name to value: `String` as a string node, `Number` as a number node,
    /// `String.Array` as an array node; `Binary` attributes left out (SNS ignores them). An
    /// entry named `...` (an unknown spread) means more attributes may exist.
    pub attributes: Node,
    /// The JSON body (an object).
    pub body: Node,
}

impl Message {
    /// A message nothing is known about.
    #[must_use]
    pub fn unknown(span: Span) -> Self {
        Message {
            attributes: unknown_node(span),
            body: unknown_node(span),
        }
    }

    /// The node for one message attribute from its `DataType` and `StringValue`; `None` for a
    /// `Binary` attribute, which filtering ignores. A value that does not fit its type is
    /// unknown.
    #[must_use]
    pub fn attribute(data_type: &str, value: &str, span: Span) -> Option<Node> {
        let t = data_type.trim();
        let kind = if t == "String.Array" {
            match crate::model::json::load(value, span.file).root {
                Some(n) if n.is_seq() => Kind::Seq(
                    n.items()
                        .iter()
                        .map(|x| {
                            let mut x = x.clone();
                            x.walk_mut(&mut |y| y.span = span);
                            x
                        })
                        .collect(),
                ),
                _ => return Some(unknown_node(span)),
            }
        } else if t == "Number" || t.starts_with("Number.") {
            let v = value.trim();
            if v.parse::<f64>().is_ok_and(f64::is_finite) {
                Kind::Num(v.to_string())
            } else {
                return Some(unknown_node(span));
            }
        } else if t == "String" || t.starts_with("String.") {
            Kind::Str(value.to_string())
        } else if t == "Binary" || t.starts_with("Binary.") {
            return None;
        } else {
            return Some(unknown_node(span));
        };
        Some(Node::new(span, kind))
    }

    /// The message of an SNS `Publish` call from its parameters (boto3 keyword arguments, SDK
    /// input): `MessageAttributes={'a': {'DataType': 'String', 'StringValue': 'x'}}` and
    /// `Message` (`json.dumps({...})`, `JSON.stringify({...})` or a JSON string literal for the
    /// body scope). Unknown, environment and concatenated values are unknown.
    #[must_use]
    pub fn from_publish(params: &Val, span: Span) -> Self {
        let Val::Object(fields) = params else {
            return Message::unknown(span);
        };
        let spread = fields.iter().any(|(k, _, _)| k == UNKNOWN_FIELD);
        let field = |name: &str| {
            fields
                .iter()
                .rev()
                .find(|(k, _, _)| k == name)
                .map(|(_, v, s)| (v, *s))
        };
        let attributes = match field("MessageAttributes") {
            Some((Val::Object(attrs), s)) => {
                let entries = attrs
                    .iter()
                    .filter_map(|(name, v, s)| {
                        let value = if name == UNKNOWN_FIELD {
                            Some(unknown_node(*s))
                        } else {
                            attribute_from_val(v, *s)
                        };
                        value.map(|value| Entry {
                            key: name.clone(),
                            key_span: *s,
                            value,
                        })
                    })
                    .collect();
                Node::new(s, Kind::Map(entries))
            }
            Some((_, s)) => unknown_node(s),
            None if spread => unknown_node(span),
            None => Node::new(span, Kind::Map(Vec::new())),
        };
        let body = match field("Message") {
            _ if field("MessageStructure").is_some() => unknown_node(span),
            Some((v, s)) => detail_node_from_val(v, s),
            None => unknown_node(span),
        };
        Message { attributes, body }
    }

    /// The message of a publish written in a template (a Step Functions `sns:publish` task's
    /// `Parameters`): `MessageAttributes` and `Message` (a JSON string or an object). JSONPath
    /// fields (`Message.$`, `StringValue.$`, `orderId.$`) and intrinsics are unknown.
    #[must_use]
    pub fn from_publish_node(params: &Node) -> Self {
        let span = params.span;
        if params.intrinsic().is_some() || !params.is_map() {
            return Message::unknown(span);
        }
        let attributes = if params.get("MessageAttributes.$").is_some() {
            unknown_node(span)
        } else {
            match params.get("MessageAttributes") {
                None => Node::new(span, Kind::Map(Vec::new())),
                Some(a) if a.intrinsic().is_some() || !a.is_map() => unknown_node(a.span),
                Some(a) => {
                    let entries = a
                        .entries()
                        .iter()
                        .filter_map(|e| {
                            attribute_from_node(&e.value).map(|value| Entry {
                                key: e.key.clone(),
                                key_span: e.key_span,
                                value,
                            })
                        })
                        .collect();
                    Node::new(a.span, Kind::Map(entries))
                }
            }
        };
        let body = if params.get("Message.$").is_some() || params.get("MessageStructure").is_some()
        {
            unknown_node(span)
        } else {
            match params.get("Message") {
                Some(m) if m.intrinsic().is_some() => unknown_node(m.span),
                Some(Node {
                    kind: Kind::Str(text),
                    span,
                }) => json_object(text, *span).unwrap_or_else(|| unknown_node(*span)),
                Some(m) if m.is_map() => dynamic_fields_unknown(m, 0),
                Some(m) => unknown_node(m.span),
                None => unknown_node(span),
            }
        };
        Message { attributes, body }
    }
}

/// `{'DataType': 'String', 'StringValue': 'x'}` as an attribute node.
fn attribute_from_val(v: &Val, span: Span) -> Option<Node> {
    let (Some(Val::Str(t)), Some(value)) = (v.get("DataType"), v.get("StringValue")) else {
        // a Binary attribute carries BinaryValue; anything else is not known
        return match v.get("DataType") {
            Some(Val::Str(t)) if t.starts_with("Binary") => None,
            _ => Some(unknown_node(span)),
        };
    };
    match value {
        Val::Str(s) => Message::attribute(t, s, span),
        Val::Num(n) if t.starts_with("Number") => Message::attribute(t, n, span),
        _ => Some(unknown_node(span)),
    }
}

/// `{DataType: String, StringValue: x}` (a template node) as an attribute node.
fn attribute_from_node(v: &Node) -> Option<Node> {
    let span = v.span;
    if v.intrinsic().is_some() || v.get("StringValue.$").is_some() {
        return Some(unknown_node(span));
    }
    let t = match v.get("DataType").map(|t| &t.kind) {
        Some(Kind::Str(t)) => t.as_str(),
        _ => return Some(unknown_node(span)),
    };
    match v.get("StringValue").map(|x| &x.kind) {
        Some(Kind::Str(s) | Kind::Num(s)) => Message::attribute(t, s, span),
        None if t.starts_with("Binary") => None,
        _ => Some(unknown_node(span)),
    }
}

/// A template object with JSONPath fields (`key.$`) and intrinsics made unknown.
fn dynamic_fields_unknown(n: &Node, depth: usize) -> Node {
    if n.intrinsic().is_some() || depth > MAX_DEPTH {
        return unknown_node(n.span);
    }
    let kind = match &n.kind {
        Kind::Map(entries) => Kind::Map(
            entries
                .iter()
                .map(|e| match e.key.strip_suffix(".$") {
                    Some(k) => Entry {
                        key: k.to_string(),
                        key_span: e.key_span,
                        value: unknown_node(e.value.span),
                    },
                    None => Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: dynamic_fields_unknown(&e.value, depth + 1),
                    },
                })
                .collect(),
        ),
        Kind::Seq(items) => Kind::Seq(
            items
                .iter()
                .map(|x| dynamic_fields_unknown(x, depth + 1))
                .collect(),
        ),
        other => other.clone(),
    };
    Node::new(n.span, kind)
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/// Would a subscription with `policy` (for `scope`) receive `msg`? A policy that is an
/// intrinsic, or a part of the message not known statically, gives [`Match::Unknown`] where it
/// matters.
#[must_use]
pub fn matches(policy: &Node, scope: Scope, msg: &Message) -> Match {
    match scope {
        Scope::MessageAttributes => {
            let a = &msg.attributes;
            // attribute names are known unless the map is unknown or has an unknown spread;
            // unknown values stay unknown where a policy looks at them
            let known = a.intrinsic().is_none() && a.get(UNKNOWN_FIELD).is_none();
            pattern::match_object(policy, a, known, SNS_NUMBERS)
        }
        Scope::MessageBody => {
            let b = &msg.body;
            pattern::match_object(policy, b, pattern::fully_known(b), SNS_NUMBERS)
        }
    }
}

#[cfg(test)]
mod tests;
