//! IAM evaluation for the questions eventlint asks: explicit Deny wins, action wildcards,
//! resource ARNs built with Sub/Join/GetAtt matched against the target's ARN or name; anything
//! undecidable (a condition, a parameter, `NotResource`) is unknown.

use super::{PolicySet, Statement};
use crate::model::names::parse_reference;
use crate::model::{Node, ResHandle, System, TplId};
use crate::source::Span;

/// The answer to "does this principal allow this action on this resource".
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Allowed by the statement at this span.
    Allowed(Span),
    /// Denied: by an explicit Deny at the span, or (None) because nothing allows it.
    Denied(Option<Span>),
    /// Cannot be decided here, with the reason.
    Unknown(String),
}

/// Yes / no / cannot tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Maybe,
}

pub(super) fn glob(pat: &str, text: &str) -> bool {
    let (p, t) = (pat.as_bytes(), text.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some(pi);
                mark = ti;
                pi += 1;
            }
            Some(&c) if c == b'?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    ti = mark;
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

fn strings(n: Option<&Node>) -> Vec<&Node> {
    match n {
        Some(n) if n.is_seq() => n.items().iter().collect(),
        Some(n) => vec![n],
        None => Vec::new(),
    }
}

/// Whether the statement's actions cover `action` (case-insensitive, wildcards).
fn action_matches(sys: &System, st: &Statement, action: &str) -> Tri {
    let action = action.to_ascii_lowercase();
    let (list, negated) = match (st.node.get("Action"), st.node.get("NotAction")) {
        (Some(a), _) => (strings(Some(a)), false),
        (None, Some(na)) => (strings(Some(na)), true),
        (None, None) => return Tri::No,
    };
    let mut any = Tri::No;
    for a in list {
        match sys.sym(st.tpl, a).literal() {
            Some(pat) if glob(&pat.to_ascii_lowercase(), &action) => {
                any = Tri::Yes;
                break;
            }
            Some(_) => {}
            None => any = Tri::Maybe,
        }
    }
    match (negated, any) {
        (false, t) => t,
        (true, Tri::Yes) => Tri::No,
        (true, Tri::No) => Tri::Yes,
        (true, Tri::Maybe) => Tri::Maybe,
    }
}

/// The service prefix and name property of a resource type, for matching ARNs.
fn service_of(ty: &str) -> Option<(&'static str, &'static str)> {
    Some(match ty {
        "AWS::SQS::Queue" => ("sqs", "QueueName"),
        "AWS::SNS::Topic" => ("sns", "TopicName"),
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => ("lambda", "FunctionName"),
        "AWS::Events::EventBus" => ("events-bus", "Name"),
        "AWS::StepFunctions::StateMachine" => ("states", "StateMachineName"),
        "AWS::Serverless::StateMachine" => ("states", "Name"),
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => ("dynamodb", "TableName"),
        "AWS::S3::Bucket" => ("s3", "BucketName"),
        "AWS::Kinesis::Stream" => ("kinesis", "Name"),
        _ => return None,
    })
}

/// Whether a statement `Resource` value names the target resource.
#[must_use]
pub fn resource_matches(
    sys: &System,
    tpl: TplId,
    node: &Node,
    target: ResHandle<'_>,
) -> Option<bool> {
    match resource_tri(sys, tpl, node, target) {
        Tri::Yes => Some(true),
        Tri::No => Some(false),
        Tri::Maybe => None,
    }
}

fn resource_tri(sys: &System, tpl: TplId, node: &Node, target: ResHandle<'_>) -> Tri {
    let sym = sys.sym(tpl, node);
    if let Some(r) = sym.resource() {
        if r.tpl == target.tpl && r.id == target.res.id {
            return Tri::Yes;
        }
        // a different resource of the run, unless unknown parts make it anything
        return if sym.unknown_reason().is_some() {
            Tri::Maybe
        } else {
            Tri::No
        };
    }
    let Some(text) = sym.pattern() else {
        return Tri::Maybe;
    };
    if text == "*" {
        return Tri::Yes;
    }
    let Some((svc, name_prop)) = service_of(&target.res.ty) else {
        return Tri::Maybe;
    };
    let Some((stmt_svc, stmt_name)) = parse_reference(&text, None) else {
        // e.g. `arn:aws:sqs:*:*:*` or an ARN of another service
        let service = text.split(':').nth(2).unwrap_or("");
        let want = svc.split('-').next().unwrap_or(svc);
        return if !service.is_empty() && service != "*" && service != want {
            Tri::No
        } else if text.ends_with(":*") || text.ends_with("/*") {
            Tri::Yes
        } else {
            Tri::Maybe
        };
    };
    if stmt_svc != svc {
        return Tri::No;
    }
    if stmt_name == "*" {
        return Tri::Yes;
    }
    let target_name = target
        .res
        .prop(name_prop)
        .and_then(|n| sys.sym(target.tpl, n).pattern());
    match target_name {
        Some(tn) if !tn.contains('*') && !stmt_name.contains('*') => {
            if tn == stmt_name {
                Tri::Yes
            } else {
                Tri::No
            }
        }
        Some(tn) if !tn.contains('*') => {
            if glob(&stmt_name, &tn) {
                Tri::Yes
            } else {
                Tri::No
            }
        }
        // the target's name is generated or holds a deploy-time value
        Some(_) | None if stmt_name.contains('*') => Tri::Maybe,
        Some(tn) => {
            if glob(&tn, &stmt_name) {
                Tri::Maybe
            } else {
                Tri::No
            }
        }
        // a generated name (`stack-Id-RANDOM`) is never a plain literal name
        None => Tri::No,
    }
}

/// Evaluate `action` on `target` for a principal's identity policies.
#[must_use]
pub fn allows(sys: &System, set: &PolicySet, action: &str, target: ResHandle<'_>) -> Decision {
    allows_by(sys, set, action, &|tpl, n| {
        resource_tri(sys, tpl, n, target)
    })
}

/// Evaluate `action` (`events:PutEvents`) on the account's `default` event bus, which is never a
/// template resource but always exists. A statement `Resource` covers it when it is `*` or an
/// ARN pattern whose service matches `events` and whose resource matches `event-bus/default`
/// (`arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default`, or
/// `event-bus/*`). A literal region or account cannot be compared with the deployment's, so it
/// makes the answer unknown; a reference to a template resource (another bus) does not cover it.
#[must_use]
pub fn allows_default_bus(sys: &System, set: &PolicySet, action: &str) -> Decision {
    allows_by(sys, set, action, &|tpl, n| default_bus_tri(sys, tpl, n))
}

fn default_bus_tri(sys: &System, tpl: TplId, node: &Node) -> Tri {
    let sym = sys.sym(tpl, node);
    if sym.resource().is_some() {
        return if sym.unknown_reason().is_some() {
            Tri::Maybe
        } else {
            Tri::No
        };
    }
    let Some(text) = sym.pattern() else {
        return Tri::Maybe;
    };
    if text == "*" {
        return Tri::Yes;
    }
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [arn, _partition, service, region, account, resource] = parts.as_slice() else {
        return if glob(&text, "arn:aws:events:region:account:event-bus/default") {
            Tri::Maybe
        } else {
            Tri::No
        };
    };
    if !glob(arn, "arn") || !glob(service, "events") || !glob(resource, "event-bus/default") {
        return Tri::No;
    }
    if region.contains('*') && account.contains('*') {
        Tri::Yes
    } else {
        Tri::Maybe
    }
}

fn allows_by(
    sys: &System,
    set: &PolicySet,
    action: &str,
    matches: &dyn Fn(TplId, &Node) -> Tri,
) -> Decision {
    let mut allowed: Option<Span> = None;
    let mut maybe: Option<String> = None;
    for st in &set.statements {
        let effect = st
            .node
            .get("Effect")
            .and_then(|e| sys.sym(st.tpl, e).literal());
        let deny = match effect.as_deref() {
            Some("Allow") => false,
            Some("Deny") => true,
            _ => {
                maybe.get_or_insert_with(|| {
                    format!("a statement in {} has a computed Effect", st.source)
                });
                continue;
            }
        };
        let act = action_matches(sys, st, action);
        if act == Tri::No {
            continue;
        }
        let res = match (st.node.get("Resource"), st.node.get("NotResource")) {
            (Some(r), _) => strings(Some(r))
                .into_iter()
                .map(|n| matches(st.tpl, n))
                .fold(Tri::No, |acc, t| match (acc, t) {
                    (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
                    (Tri::Maybe, _) | (_, Tri::Maybe) => Tri::Maybe,
                    _ => Tri::No,
                }),
            _ => Tri::Maybe,
        };
        if res == Tri::No {
            continue;
        }
        let conditional = st.node.get("Condition").is_some();
        let certain = act == Tri::Yes && res == Tri::Yes && !conditional;
        match (deny, certain) {
            (true, true) => return Decision::Denied(Some(st.span)),
            (false, true) => {
                allowed.get_or_insert(st.span);
            }
            (_, false) => {
                maybe.get_or_insert_with(|| format!("a statement in {} may apply", st.source));
            }
        }
    }
    if let Some(reason) = maybe {
        // an uncertain Deny could still win; an uncertain Allow could be the one that allows
        if allowed.is_none()
            || set
                .statements
                .iter()
                .any(|s| s.node.get("Effect").and_then(Node::as_str) == Some("Deny"))
        {
            return Decision::Unknown(reason);
        }
    }
    match (allowed, set.unknown.first()) {
        (Some(_), _) if set.boundary => Decision::Unknown("a permissions boundary applies".into()),
        (Some(span), _) => Decision::Allowed(span),
        (None, Some(why)) => Decision::Unknown(why.clone()),
        (None, None) => Decision::Denied(None),
    }
}
