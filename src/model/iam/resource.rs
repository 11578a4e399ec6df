//! The resource side: may a service principal (SNS, EventBridge, S3, ...) deliver to a queue,
//! topic or function? `AWS::SQS::QueuePolicy`, `AWS::SNS::TopicPolicy`, `AWS::Lambda::Permission`
//! (principal, `SourceArn`, `SourceAccount`), `AWS::Events::EventBusPolicy`, and the policies and
//! permissions SAM connectors generate. Conditions on `aws:SourceArn` / `aws:SourceAccount` are
//! honoured; any other condition makes a statement uncertain.

use super::eval::{Decision, resource_matches};
use super::glob;
use crate::model::{Node, ResHandle, System, TplId};
use crate::source::Span;

/// A delivery to check: who sends (a service principal such as `sns.amazonaws.com`), which
/// action, to which resource, from which source resource (the topic, rule or bucket) if known.
#[derive(Clone, Copy)]
pub struct Delivery<'a> {
    pub service: &'a str,
    pub action: &'a str,
    pub target: ResHandle<'a>,
    pub source: Option<ResHandle<'a>>,
}

/// Yes / no / cannot tell.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tri {
    Yes,
    No,
    Maybe,
}

fn list(n: Option<&Node>) -> Vec<&Node> {
    match n {
        Some(n) if n.is_seq() => n.items().iter().collect(),
        Some(n) => vec![n],
        None => Vec::new(),
    }
}

/// Whether a resource-policy `Principal` covers the service.
fn principal_matches(sys: &System, tpl: TplId, principal: Option<&Node>, service: &str) -> Tri {
    let Some(p) = principal else { return Tri::No };
    if p.as_str() == Some("*") {
        return Tri::Yes;
    }
    let mut out = Tri::No;
    for (key, values) in p
        .entries()
        .iter()
        .map(|e| (e.key.as_str(), list(Some(&e.value))))
    {
        for v in values {
            match sys.sym(tpl, v).pattern() {
                Some(s) if key == "Service" && s.eq_ignore_ascii_case(service) => return Tri::Yes,
                Some(s) if key == "AWS" && s == "*" => return Tri::Yes,
                Some(_) => {}
                None => out = Tri::Maybe,
            }
        }
    }
    out
}

fn action_matches(sys: &System, tpl: TplId, actions: Option<&Node>, action: &str) -> Tri {
    let action = action.to_ascii_lowercase();
    let mut out = Tri::No;
    for a in list(actions) {
        match sys.sym(tpl, a).literal() {
            Some(pat) if glob(&pat.to_ascii_lowercase(), &action) => return Tri::Yes,
            Some(_) => {}
            None => out = Tri::Maybe,
        }
    }
    out
}

/// Whether a value (a condition's `aws:SourceArn`, a permission's `SourceArn`) names the source.
fn source_matches(sys: &System, tpl: TplId, value: &Node, source: Option<ResHandle<'_>>) -> Tri {
    let Some(src) = source else { return Tri::Maybe };
    match resource_matches(sys, tpl, value, src) {
        Some(true) => Tri::Yes,
        Some(false) => Tri::No,
        None => Tri::Maybe,
    }
}

/// Conditions: `aws:SourceArn` must name the source; `aws:SourceAccount`/`aws:SourceOwner` with
/// the stack's own account match; anything else is uncertain.
fn conditions_match(
    sys: &System,
    tpl: TplId,
    cond: Option<&Node>,
    source: Option<ResHandle<'_>>,
) -> Tri {
    let Some(cond) = cond else { return Tri::Yes };
    let mut out = Tri::Yes;
    for op in cond.entries() {
        for kv in op.value.entries() {
            let key = kv.key.to_ascii_lowercase();
            let t = match key.as_str() {
                "aws:sourcearn" => list(Some(&kv.value))
                    .into_iter()
                    .map(|v| source_matches(sys, tpl, v, source))
                    .fold(Tri::No, |a, b| match (a, b) {
                        (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
                        (Tri::Maybe, _) | (_, Tri::Maybe) => Tri::Maybe,
                        _ => Tri::No,
                    }),
                "aws:sourceaccount" | "aws:sourceowner" => {
                    let own = list(Some(&kv.value)).iter().any(|v| matches!(v.intrinsic(), Some(("Ref", a)) if a.as_str() == Some("AWS::AccountId")))
                        || list(Some(&kv.value)).iter().any(|v| sys.sym(tpl, v).pattern().as_deref() == Some("*"));
                    if own { Tri::Yes } else { Tri::Maybe }
                }
                _ => Tri::Maybe,
            };
            out = match (out, t) {
                (Tri::No, _) | (_, Tri::No) => Tri::No,
                (Tri::Maybe, _) | (_, Tri::Maybe) => Tri::Maybe,
                _ => Tri::Yes,
            };
        }
    }
    out
}

/// Policies of a resource-policy resource type that apply to the target: (template, document).
fn policies_for<'a>(
    sys: &'a System,
    target: ResHandle<'_>,
    ty: &str,
    list_key: &str,
    hint: &str,
) -> (Vec<(TplId, &'a Node, Span)>, bool) {
    let mut out = Vec::new();
    let mut unknown = false;
    for h in sys.resources().filter(|h| h.res.ty == ty) {
        let mut applies = false;
        for item in list(h.res.prop(list_key)) {
            match sys.target(h.tpl, item, Some(hint)) {
                Some(t) if t.tpl == target.tpl && t.res.id == target.res.id => applies = true,
                Some(_) => {}
                None if sys.sym(h.tpl, item).resource().is_none()
                    && sys.sym(h.tpl, item).pattern().is_none() =>
                {
                    unknown = true
                }
                None => {}
            }
        }
        if applies {
            if let Some(doc) = h.res.prop("PolicyDocument") {
                out.push((h.tpl, doc, h.res.id_span));
            }
        }
    }
    (out, unknown)
}

/// May the service deliver to the target queue, topic or bus?
#[must_use]
pub fn resource_policy_allows(sys: &System, d: Delivery<'_>) -> Decision {
    let (ty, key, hint) = match d.target.res.ty.as_str() {
        "AWS::SQS::Queue" => ("AWS::SQS::QueuePolicy", "Queues", "sqs"),
        "AWS::SNS::Topic" => ("AWS::SNS::TopicPolicy", "Topics", "sns"),
        "AWS::Events::EventBus" => {
            return Decision::Unknown("event bus policies are not evaluated".into());
        }
        _ => return Decision::Unknown("not a queue or topic".into()),
    };
    let (docs, unknown_policy) = policies_for(sys, d.target, ty, key, hint);
    let mut maybe =
        unknown_policy.then(|| format!("an `{ty}` names a resource eventlint cannot resolve"));
    for (tpl, doc, _) in docs {
        if doc.intrinsic().is_some() || doc.as_str().is_some() {
            maybe.get_or_insert_with(|| "a computed policy document".into());
            continue;
        }
        for st in list(doc.get("Statement")) {
            let effect = st.get("Effect").and_then(Node::as_str);
            let tri = [
                principal_matches(sys, tpl, st.get("Principal"), d.service),
                action_matches(sys, tpl, st.get("Action"), d.action),
                match st.get("Resource") {
                    Some(r) => list(Some(r))
                        .into_iter()
                        .map(|n| match resource_matches(sys, tpl, n, d.target) {
                            Some(true) => Tri::Yes,
                            Some(false) => Tri::No,
                            None => Tri::Maybe,
                        })
                        .fold(Tri::No, |a, b| {
                            if a == Tri::Yes || b == Tri::Yes {
                                Tri::Yes
                            } else if a == Tri::Maybe || b == Tri::Maybe {
                                Tri::Maybe
                            } else {
                                Tri::No
                            }
                        }),
                    None => Tri::Yes,
                },
                conditions_match(sys, tpl, st.get("Condition"), d.source),
            ];
            let all = if tri.contains(&Tri::No) {
                Tri::No
            } else if tri.contains(&Tri::Maybe) {
                Tri::Maybe
            } else {
                Tri::Yes
            };
            match (effect, all) {
                (_, Tri::No) => {}
                (Some("Deny"), Tri::Yes) => return Decision::Denied(Some(st.span)),
                (Some("Allow"), Tri::Yes) if maybe.is_none() => return Decision::Allowed(st.span),
                _ => {
                    maybe.get_or_insert_with(|| "a policy statement may apply".into());
                }
            }
        }
    }
    if connector_grants(sys, d) {
        return Decision::Allowed(d.target.res.id_span);
    }
    match maybe {
        Some(r) => Decision::Unknown(r),
        None => Decision::Denied(None),
    }
}

/// A SAM connector from the source to the target with `Write` generates the needed policy.
fn connector_grants(sys: &System, d: Delivery<'_>) -> bool {
    let Some(src) = d.source else { return false };
    let Some(t) = sys.templates.get(src.tpl) else {
        return false;
    };
    let writes = |props: &Node| {
        let dest_ok = list(props.get("Destination"))
            .iter()
            .any(|dst| dst.get("Id").and_then(Node::as_str) == Some(d.target.res.id.as_str()));
        let write = list(props.get("Permissions"))
            .iter()
            .any(|p| p.as_str() == Some("Write"));
        dest_ok && write
    };
    let embedded = src
        .res
        .node
        .get("Connectors")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .any(|c| c.value.get("Properties").is_some_and(writes));
    let standalone = t
        .resources
        .iter()
        .filter(|r| r.ty == "AWS::Serverless::Connector")
        .any(|r| {
            r.prop_path(&["Source", "Id"]).and_then(Node::as_str) == Some(src.res.id.as_str())
                && writes(&r.props)
        });
    (embedded || standalone) && src.tpl == d.target.tpl
}

/// May the service invoke the target function (`AWS::Lambda::Permission`, connectors)?
#[must_use]
pub fn lambda_permission_allows(sys: &System, d: Delivery<'_>) -> Decision {
    let mut maybe: Option<String> = None;
    for h in sys
        .resources()
        .filter(|h| h.res.ty == "AWS::Lambda::Permission")
    {
        let Some(func) = h.res.prop("FunctionName") else {
            continue;
        };
        let names_target = match sys.target(h.tpl, func, Some("lambda")) {
            Some(t) => t.tpl == d.target.tpl && t.res.id == d.target.res.id,
            None => {
                // an alias or version of the target (`!Ref FnAliaslive`), or unknown
                let sym = sys.sym(h.tpl, func);
                if sym.pattern().is_none() && sym.resource().is_none() {
                    maybe.get_or_insert_with(|| {
                        format!("`{}` names a function eventlint cannot resolve", h.res.id)
                    });
                }
                false
            }
        };
        if !names_target {
            continue;
        }
        let action = h
            .res
            .prop("Action")
            .and_then(|a| sys.sym(h.tpl, a).literal())
            .unwrap_or_default();
        if !glob(&action.to_ascii_lowercase(), "lambda:invokefunction") {
            continue;
        }
        let principal = match h.res.prop("Principal").map(|p| sys.sym(h.tpl, p).pattern()) {
            Some(Some(p)) if p == "*" || p.eq_ignore_ascii_case(d.service) => Tri::Yes,
            Some(Some(_)) => Tri::No,
            _ => Tri::Maybe,
        };
        let source = match h.res.prop("SourceArn") {
            Some(arn) => source_matches(sys, h.tpl, arn, d.source),
            None => Tri::Yes,
        };
        let account = match h.res.prop("SourceAccount") {
            Some(a) if matches!(a.intrinsic(), Some(("Ref", v)) if v.as_str() == Some("AWS::AccountId")) => {
                Tri::Yes
            }
            Some(_) => Tri::Maybe,
            None => Tri::Yes,
        };
        match [principal, source, account] {
            t if t.contains(&Tri::No) => {}
            t if t.contains(&Tri::Maybe) => {
                maybe.get_or_insert_with(|| format!("permission `{}` may apply", h.res.id));
            }
            _ => return Decision::Allowed(h.res.id_span),
        }
    }
    if connector_grants(sys, d) {
        return Decision::Allowed(d.target.res.id_span);
    }
    match maybe {
        Some(r) => Decision::Unknown(r),
        None => Decision::Denied(None),
    }
}
