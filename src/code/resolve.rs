//! Joining code to the template: which resource an SDK call targets, through literals and the
//! function's environment variables (SAM `Globals` merged) resolved in the template.

use super::facts::{SdkCall, Val};
use crate::model::names::parse_reference;
use crate::model::{Entry, Kind, Node, ResHandle, System, TplId};
use crate::source::Span;

/// What a call targets.
#[derive(Clone, Debug)]
pub enum CallTarget<'a> {
    /// An in-scope resource.
    Resource(ResHandle<'a>),
    /// The account's default event bus (`PutEvents` without `EventBusName`, or `default`).
    DefaultBus,
    /// Not known here (a computed value, a parameter, another stack), with the reason.
    Unknown(String),
}

/// The parameter naming the target of an operation, and the service hint for names.
fn target_param(call: &SdkCall) -> Option<(&'static [&'static str], &'static str)> {
    Some(match call.service.as_str() {
        "sns" => (&["TopicArn", "TargetArn"], "sns"),
        "sqs" => (&["QueueUrl"], "sqs"),
        "lambda" => (&["FunctionName"], "lambda"),
        "states" => (&["stateMachineArn", "StateMachineArn"], "states"),
        "dynamodb" => (&["TableName"], "dynamodb"),
        "s3" => (&["Bucket"], "s3"),
        "kinesis" => (&["StreamName", "StreamARN"], "kinesis"),
        "firehose" => (&["DeliveryStreamName"], "firehose"),
        _ => return None,
    })
}

/// The template node behind an environment variable of the function.
fn env_node<'a>(f: ResHandle<'a>, name: &str) -> Option<&'a Node> {
    f.res.prop_path(&["Environment", "Variables", name])
}

/// A code value as a template node, when it can be expressed as one: a literal string, an
/// environment variable's template value, or a concatenation of those (as an `Fn::Join`).
#[must_use]
pub fn as_node(f: ResHandle<'_>, v: &Val, at: Span) -> Option<Node> {
    match v {
        Val::Str(s) => Some(Node::new(at, Kind::Str(s.clone()))),
        Val::Env { name, default } => match env_node(f, name) {
            Some(n) => Some(n.clone()),
            None => default.as_deref().and_then(|d| as_node(f, d, at)),
        },
        Val::Concat(parts) => {
            let items: Option<Vec<Node>> = parts.iter().map(|p| as_node(f, p, at)).collect();
            let list = Node::new(at, Kind::Seq(items?));
            let args = Node::new(
                at,
                Kind::Seq(vec![Node::new(at, Kind::Str(String::new())), list]),
            );
            Some(Node::new(
                at,
                Kind::Map(vec![Entry {
                    key: "Fn::Join".into(),
                    key_span: at,
                    value: args,
                }]),
            ))
        }
        _ => None,
    }
}

/// Resolve a value to an in-scope resource of a service.
fn resolve<'a>(
    sys: &'a System,
    tpl: TplId,
    f: ResHandle<'a>,
    v: &Val,
    hint: &str,
    at: Span,
) -> CallTarget<'a> {
    let Some(node) = as_node(f, v, at) else {
        return CallTarget::Unknown(match v {
            Val::Env { name, .. } => {
                format!("environment variable `{name}` is not set on the function")
            }
            _ => "the target is computed at run time".into(),
        });
    };
    if let Some(h) = sys.target(tpl, &node, Some(hint)) {
        return CallTarget::Resource(h);
    }
    let sym = sys.sym(tpl, &node);
    if hint == "events-bus" && sym.literal().as_deref() == Some("default") {
        return CallTarget::DefaultBus;
    }
    match (sym.pattern(), sym.unknown_reason()) {
        (_, Some(r)) => CallTarget::Unknown(r.to_string()),
        (Some(p), None) if parse_reference(&p, Some(hint)).is_some() => {
            CallTarget::Unknown(format!("`{p}` is not a resource of the analysed templates"))
        }
        _ => CallTarget::Unknown("not a resource of the analysed templates".into()),
    }
}

/// The targets of one call (`PutEvents` has one per entry).
#[must_use]
pub fn call_targets<'a>(sys: &'a System, f: ResHandle<'a>, call: &SdkCall) -> Vec<CallTarget<'a>> {
    let tpl = f.tpl;
    if call.service == "events" && call.operation == "PutEvents" {
        let entries = match call.params.get("Entries") {
            Some(Val::List(items)) => items.clone(),
            Some(_) | None => return vec![CallTarget::Unknown("the entries are computed".into())],
        };
        return entries
            .iter()
            .map(|e| match e.get("EventBusName") {
                None => CallTarget::DefaultBus,
                Some(v) => resolve(sys, tpl, f, v, "events-bus", call.span),
            })
            .collect();
    }
    let Some((keys, hint)) = target_param(call) else {
        return Vec::new();
    };
    match keys.iter().find_map(|k| call.params.get(k)) {
        Some(v) => vec![resolve(sys, tpl, f, v, hint, call.span)],
        None => vec![CallTarget::Unknown("the call names no target".into())],
    }
}

/// Whether a Lambda `Invoke` call is asynchronous (`InvocationType='Event'`); `None` when the
/// invocation type is computed.
#[must_use]
pub fn invocation_is_async(call: &SdkCall) -> Option<bool> {
    if call.operation == "InvokeAsync" {
        return Some(true);
    }
    match call.params.get("InvocationType") {
        None => Some(false),
        Some(Val::Str(s)) => Some(s == "Event"),
        Some(_) => None,
    }
}
