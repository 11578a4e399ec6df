//! Amazon States Language: the `Task` states of a state machine definition, flattened.
//!
//! [`tasks`] walks `States` (and, inside them, every `Parallel` branch and `Map`
//! `ItemProcessor`/`Iterator`) and classifies each `Task` by its `Resource`:
//!
//! * optimized integrations `arn:<partition>:states:::<service>:<action>[.<pattern>]`, where the
//!   partition may be literal (`aws`, `aws-cn`, ...) or `${AWS::Partition}` and the pattern is
//!   `.sync`, `.sync:2` or `.waitForTaskToken` ([`Mode`]);
//! * SDK integrations `arn:<partition>:states:::aws-sdk:<service>:<action>[.<pattern>]`;
//! * legacy direct Lambda resources (a function ARN, a `${Placeholder}` filled from
//!   `DefinitionSubstitutions`, or a `Ref`/`Fn::GetAtt` in an inline SAM `Definition`);
//! * activities `arn:<partition>:states:<region>:<account>:activity:<name>`.
//!
//! The task's *target* (the function, topic, queue, bus, state machine or table it calls) is
//! read from `Parameters` (JSONPath) or `Arguments` (JSONata). A target given by a `Key.$` path
//! or a `{% ... %}` expression is only known at run time; [`Task::target_dynamic`] says so.
//!
//! Nothing here resolves intrinsics or substitutions: callers holding the template do that.

use super::node::{Entry, Kind, Node};
use super::{LoadOutcome, json, yaml};
use crate::source::{FileId, Span};

/// How a service integration waits (the `Resource` suffix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// No suffix: call the API and continue on its HTTP response. Also used for direct Lambda
    /// resources, activities and unclassified resources.
    RequestResponse,
    /// `.sync` or `.sync:N` (e.g. `states:startExecution.sync:2`): wait for the job to finish.
    Sync,
    /// `.waitForTaskToken`: wait until the task token is returned.
    WaitForTaskToken,
}

/// What a `Task` state calls, from its `Resource`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Integration {
    /// `arn:aws:states:::lambda:invoke`
    LambdaInvoke,
    /// `Resource` is the function itself: a Lambda function ARN, a lone `${Placeholder}`, or a
    /// `Ref`/`Fn::GetAtt` (assumed to name a function; an activity `Ref` also yields an ARN, so
    /// callers with the template may refine this).
    LambdaDirect,
    /// `arn:aws:states:::sns:publish`
    SnsPublish,
    /// `arn:aws:states:::sqs:sendMessage`
    SqsSendMessage,
    /// `arn:aws:states:::events:putEvents`
    EventBridgePutEvents,
    /// `arn:aws:states:::states:startExecution`
    StartExecution,
    /// `arn:aws:states:::dynamodb:<op>` with the operation as written (`putItem`, `getItem`, ...).
    DynamoDb(String),
    /// `arn:aws:states:::aws-sdk:<service>:<action>`, names as written (`sqs`, `sendMessage`).
    Sdk { service: String, action: String },
    /// `arn:aws:states:<region>:<account>:activity:<name>`
    Activity,
    /// Anything else: the resource text when it is a string, the intrinsic function name when
    /// it is an intrinsic (`Fn::Join`), or empty when missing or of another kind.
    Other(String),
}

impl Integration {
    /// Whether the task runs a Lambda function (optimized, direct, or `aws-sdk:lambda:invoke`).
    #[must_use]
    pub fn invokes_lambda(&self) -> bool {
        match self {
            Integration::LambdaInvoke | Integration::LambdaDirect => true,
            Integration::Sdk { service, action } => service == "lambda" && action == "invoke",
            _ => false,
        }
    }
}

/// One `Task` state, wherever it is nested.
#[derive(Clone, Debug, PartialEq)]
pub struct Task<'a> {
    /// State name (its key in `States`).
    pub name: String,
    pub name_span: Span,
    /// The whole state object.
    pub state: &'a Node,
    /// The `Resource` value.
    pub resource: Option<&'a Node>,
    pub integration: Integration,
    pub mode: Mode,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata), whichever is present.
    pub parameters: Option<&'a Node>,
    /// The called resource: `FunctionName`, `TopicArn` (or `TargetArn`), `QueueUrl`,
    /// `EventBusName` (first of `Entries[*]` that has one), `StateMachineArn` or `TableName`
    /// from [`Task::parameters`]; or the `Resource` itself for [`Integration::LambdaDirect`].
    /// For `Key.$` parameters this is the path string.
    pub target: Option<&'a Node>,
    /// The target is computed at run time (`Key.$` path or `{% ... %}` JSONata expression).
    pub target_dynamic: bool,
    pub retry: Option<&'a Node>,
    pub catch: Option<&'a Node>,
    /// Where the state sits, e.g. `States.Process` or `States.Par.Branches[0].States.X`.
    pub path: String,
    /// The `Parallel` and `Map` states this task is nested in, outermost first: an error the
    /// task does not handle fails them, so their `Retry` and `Catch` apply to it as well.
    pub enclosing: Vec<&'a Node>,
}

/// All `Task` states of a definition in document order (a `Parallel` or `Map` state's tasks
/// follow it directly). Malformed parts are skipped; this never panics.
#[must_use]
pub fn tasks(definition: &Node) -> Vec<Task<'_>> {
    struct Frame<'a> {
        entries: &'a [Entry],
        next: usize,
        container: String,
        enclosing: Vec<&'a Node>,
    }

    let mut out = Vec::new();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    if let Some(states) = definition.get("States") {
        stack.push(Frame {
            entries: states.entries(),
            next: 0,
            container: String::new(),
            enclosing: Vec::new(),
        });
    }
    // Iterative depth-first walk: nesting depth only grows the heap-allocated stack.
    while let Some(frame) = stack.last_mut() {
        let entries = frame.entries;
        let Some(entry) = entries.get(frame.next) else {
            stack.pop();
            continue;
        };
        frame.next += 1;
        let path = if frame.container.is_empty() {
            format!("States.{}", entry.key)
        } else {
            format!("{}.States.{}", frame.container, entry.key)
        };
        let state = &entry.value;
        // the states around this one, and around its branches or iterations
        let mut enclosing = frame.enclosing.clone();
        let mut children: Vec<(&Node, String)> = Vec::new();
        match state.get("Type").and_then(literal) {
            Some("Task") => out.push(task(entry, path, enclosing.clone())),
            Some("Parallel") => {
                if let Some(branches) = state.get("Branches") {
                    for (i, branch) in branches.items().iter().enumerate() {
                        children.push((branch, format!("{path}.Branches[{i}]")));
                    }
                }
            }
            Some("Map") => {
                for key in ["ItemProcessor", "Iterator"] {
                    if let Some(processor) = state.get(key) {
                        children.push((processor, format!("{path}.{key}")));
                    }
                }
            }
            _ => {}
        }
        enclosing.push(state);
        for (sub, container) in children.into_iter().rev() {
            if let Some(states) = sub.get("States") {
                stack.push(Frame {
                    entries: states.entries(),
                    next: 0,
                    container,
                    enclosing: enclosing.clone(),
                });
            }
        }
    }
    out
}

/// Parse a definition file (`DefinitionUri` target or `DefinitionString` text): JSON when the
/// first non-blank character is `{`, YAML otherwise. A leading byte order mark is accepted;
/// spans stay offsets into `text`.
#[must_use]
pub fn parse_definition_text(text: &str, file: FileId) -> LoadOutcome {
    let (body, skipped) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, text.len() - rest.len()),
        None => (text, 0),
    };
    if !body.trim_start().starts_with('{') {
        return yaml::load(text, file);
    }
    let mut out = json::load(body, file);
    if skipped > 0 {
        let by = u32::try_from(skipped).unwrap_or(0);
        if let Some(root) = &mut out.root {
            shift_spans(root, by);
        }
        for p in &mut out.problems {
            p.span = shifted(p.span, by);
            p.related = p.related.map(|r| shifted(r, by));
        }
    }
    out
}

fn shifted(span: Span, by: u32) -> Span {
    Span {
        file: span.file,
        start: span.start.saturating_add(by),
        end: span.end.saturating_add(by),
    }
}

fn shift_spans(root: &mut Node, by: u32) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        n.span = shifted(n.span, by);
        match &mut n.kind {
            Kind::Seq(items) => stack.extend(items.iter_mut()),
            Kind::Map(entries) => {
                for e in entries {
                    e.key_span = shifted(e.key_span, by);
                    stack.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
}

/// The name inside a string that is exactly one `${Name}` placeholder (`${ProcessFunctionArn}`).
#[must_use]
pub fn placeholder(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("${")?.strip_suffix('}')?;
    let ok = !inner.is_empty() && !inner.contains(['$', '{', '}']) && !inner.starts_with('!');
    ok.then_some(inner)
}

fn task<'a>(entry: &'a Entry, path: String, enclosing: Vec<&'a Node>) -> Task<'a> {
    let state = &entry.value;
    let resource = state.get("Resource");
    let (integration, mode) = resource.map_or_else(
        || (Integration::Other(String::new()), Mode::RequestResponse),
        classify,
    );
    let parameters = state.get("Arguments").or_else(|| state.get("Parameters"));
    let (target, target_dynamic) = match (&integration, parameters) {
        (Integration::LambdaDirect, _) => (resource, false),
        (_, Some(params)) => {
            target_in(&integration, params).map_or((None, false), |(n, d)| (Some(n), d))
        }
        (_, None) => (None, false),
    };
    Task {
        name: entry.key.clone(),
        name_span: entry.key_span,
        state,
        resource,
        integration,
        mode,
        parameters,
        target,
        target_dynamic,
        retry: state.get("Retry"),
        catch: state.get("Catch"),
        path,
        enclosing,
    }
}

/// Classify a `Resource` value.
fn classify(resource: &Node) -> (Integration, Mode) {
    if let Some(s) = literal(resource) {
        return classify_str(s);
    }
    match resource.intrinsic() {
        Some(("Ref", arg)) => {
            if literal(arg).is_some_and(|r| r.starts_with("AWS::")) {
                (Integration::Other("Ref".into()), Mode::RequestResponse)
            } else {
                (Integration::LambdaDirect, Mode::RequestResponse)
            }
        }
        Some(("Fn::GetAtt", _)) => (Integration::LambdaDirect, Mode::RequestResponse),
        Some(("Fn::Sub", arg)) => {
            let template = literal(arg).or_else(|| arg.items().first().and_then(literal));
            match template.map(classify_str) {
                Some((Integration::Other(_), _)) | None => {
                    (Integration::Other("Fn::Sub".into()), Mode::RequestResponse)
                }
                Some(found) => found,
            }
        }
        Some((name, _)) => (Integration::Other(name.into()), Mode::RequestResponse),
        None => (Integration::Other(String::new()), Mode::RequestResponse),
    }
}

fn classify_str(s: &str) -> (Integration, Mode) {
    let other = || (Integration::Other(s.into()), Mode::RequestResponse);
    if let Some(tail) = after_partition(s) {
        if let Some(service) = tail.strip_prefix("states:::") {
            return classify_service(service, s);
        }
        if tail.starts_with("lambda:") && tail.contains(":function:") {
            return (Integration::LambdaDirect, Mode::RequestResponse);
        }
        if tail.starts_with("states:") && tail.contains(":activity:") {
            return (Integration::Activity, Mode::RequestResponse);
        }
        return other();
    }
    if placeholder(s).is_some_and(|name| !name.starts_with("AWS::")) {
        return (Integration::LambdaDirect, Mode::RequestResponse);
    }
    other()
}

/// `<service>:<action>[.<pattern>]` after `arn:<partition>:states:::`.
fn classify_service(service: &str, raw: &str) -> (Integration, Mode) {
    let (base, mode) = match service.split_once('.') {
        None => (service, Mode::RequestResponse),
        Some((base, "waitForTaskToken")) => (base, Mode::WaitForTaskToken),
        Some((base, suffix)) if is_sync(suffix) => (base, Mode::Sync),
        Some(_) => return (Integration::Other(raw.into()), Mode::RequestResponse),
    };
    let mut parts = base.split(':');
    let integration = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("lambda"), Some("invoke"), None, _) => Integration::LambdaInvoke,
        (Some("sns"), Some("publish"), None, _) => Integration::SnsPublish,
        (Some("sqs"), Some("sendMessage"), None, _) => Integration::SqsSendMessage,
        (Some("events"), Some("putEvents"), None, _) => Integration::EventBridgePutEvents,
        (Some("states"), Some("startExecution"), None, _) => Integration::StartExecution,
        (Some("dynamodb"), Some(op), None, _) if !op.is_empty() => Integration::DynamoDb(op.into()),
        (Some("aws-sdk"), Some(svc), Some(action), None)
            if !svc.is_empty() && !action.is_empty() =>
        {
            Integration::Sdk {
                service: svc.into(),
                action: action.into(),
            }
        }
        _ => Integration::Other(raw.into()),
    };
    (integration, mode)
}

/// `sync` or `sync:<digits>`.
fn is_sync(suffix: &str) -> bool {
    match suffix.strip_prefix("sync") {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix(':')
            .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}

/// The text after `arn:<partition>:`, where the partition may be `${AWS::Partition}`.
fn after_partition(s: &str) -> Option<&str> {
    let rest = s.strip_prefix("arn:")?;
    if let Some(sub) = rest.strip_prefix("${") {
        let (_, after) = sub.split_once('}')?;
        return after.strip_prefix(':');
    }
    let (partition, tail) = rest.split_once(':')?;
    (!partition.is_empty()).then_some(tail)
}

/// The target parameter of an integration, and whether it is computed at run time.
fn target_in<'a>(integration: &Integration, params: &'a Node) -> Option<(&'a Node, bool)> {
    let key = match integration {
        Integration::LambdaInvoke => "FunctionName",
        Integration::SnsPublish => {
            return field(params, "TopicArn").or_else(|| field(params, "TargetArn"));
        }
        Integration::SqsSendMessage => "QueueUrl",
        Integration::EventBridgePutEvents => return event_bus(params),
        Integration::StartExecution => "StateMachineArn",
        Integration::DynamoDb(_) => "TableName",
        Integration::Sdk { service, .. } => match service.as_str() {
            "lambda" => "FunctionName",
            "sns" => return field(params, "TopicArn").or_else(|| field(params, "TargetArn")),
            "sqs" => "QueueUrl",
            "eventbridge" => return event_bus(params),
            "sfn" => "StateMachineArn",
            "dynamodb" => "TableName",
            _ => return None,
        },
        Integration::LambdaDirect | Integration::Activity | Integration::Other(_) => return None,
    };
    field(params, key)
}

/// `EventBusName` of the first `Entries` item that names one.
fn event_bus(params: &Node) -> Option<(&Node, bool)> {
    params
        .get("Entries")?
        .items()
        .iter()
        .find_map(|entry| field(entry, "EventBusName"))
}

/// `key` in a parameters map, or `key.$` (a JSONPath, so dynamic).
fn field<'a>(map: &'a Node, key: &str) -> Option<(&'a Node, bool)> {
    if let Some(n) = map.get(key) {
        return Some((n, is_jsonata(n)));
    }
    map.entries()
        .iter()
        .rev()
        .find(|e| e.key.strip_suffix(".$") == Some(key))
        .map(|e| (&e.value, true))
}

fn is_jsonata(n: &Node) -> bool {
    literal(n).is_some_and(|s| {
        let t = s.trim();
        t.starts_with("{%") && t.ends_with("%}")
    })
}

/// Text of a string node (numbers and booleans are not resource names).
fn literal(n: &Node) -> Option<&str> {
    match &n.kind {
        Kind::Str(s) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
