//! The resource side: may a service principal (SNS, EventBridge, S3, ...) deliver to a queue,
//! topic or function? `AWS::SQS::QueuePolicy`/`QueueInlinePolicy`,
//! `AWS::SNS::TopicPolicy`/`TopicInlinePolicy`, `AWS::Lambda::Permission` (principal,
//! `SourceArn`, `SourceAccount`), the permissions SAM events and connectors generate, and KMS
//! key policies. Conditions on `aws:SourceArn` / `aws:SourceAccount` are honoured, a Deny on
//! `aws:SecureTransport: false` never applies to a service (it calls over TLS); any other
//! condition makes a statement uncertain.

use super::eval::{Decision, resource_matches};
use super::glob;
use crate::model::{Node, ResHandle, System, TplId, presence};
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

impl Tri {
    /// All of them hold.
    fn all(items: &[Tri]) -> Tri {
        if items.contains(&Tri::No) {
            Tri::No
        } else if items.contains(&Tri::Maybe) {
            Tri::Maybe
        } else {
            Tri::Yes
        }
    }

    /// Any of them holds.
    fn any(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Maybe, _) | (_, Tri::Maybe) => Tri::Maybe,
            _ => Tri::No,
        }
    }
}

fn list(n: Option<&Node>) -> Vec<&Node> {
    match n {
        Some(n) if n.is_seq() => n.items().iter().collect(),
        Some(n) => vec![n],
        None => Vec::new(),
    }
}

/// Whether a principal value (`sns.amazonaws.com`, `sns.${AWS::URLSuffix}`) names the service.
fn names_service(pattern: &str, service: &str) -> bool {
    glob(&pattern.to_ascii_lowercase(), &service.to_ascii_lowercase())
}

/// Whether a resource-policy `Principal` covers the service (`NotPrincipal` is uncertain).
fn principal_matches(sys: &System, tpl: TplId, st: &Node, service: &str) -> Tri {
    let Some(p) = st.get("Principal") else {
        return if st.get("NotPrincipal").is_some() {
            Tri::Maybe
        } else {
            Tri::No
        };
    };
    if p.as_str() == Some("*") {
        return Tri::Yes;
    }
    if p.intrinsic().is_some() {
        return Tri::Maybe;
    }
    let mut out = Tri::No;
    for e in p.entries() {
        for v in list(Some(&e.value)) {
            match sys.sym(tpl, v).pattern() {
                Some(s) if e.key == "Service" && names_service(&s, service) => return Tri::Yes,
                Some(s) if e.key == "AWS" && s == "*" => return Tri::Yes,
                Some(_) => {}
                None => out = Tri::Maybe,
            }
        }
    }
    out
}

/// Whether the statement's `Action` covers the action (`NotAction` is uncertain).
fn action_matches(sys: &System, tpl: TplId, st: &Node, action: &str) -> Tri {
    let Some(actions) = st.get("Action") else {
        return if st.get("NotAction").is_some() {
            Tri::Maybe
        } else {
            Tri::No
        };
    };
    let action = action.to_ascii_lowercase();
    let mut out = Tri::No;
    for a in list(Some(actions)) {
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

/// Whether a value is the stack's own account (`!Ref AWS::AccountId`).
fn own_account(n: &Node) -> bool {
    matches!(n.intrinsic(), Some(("Ref", a)) if a.as_str() == Some("AWS::AccountId"))
}

/// Conditions: `aws:SourceArn` must name the source; `aws:SourceAccount`/`aws:SourceOwner` with
/// the stack's own account match; `aws:SecureTransport` is true for service deliveries;
/// negated operators and anything else are uncertain.
fn conditions_match(sys: &System, tpl: TplId, st: &Node, source: Option<ResHandle<'_>>) -> Tri {
    let Some(cond) = st.get("Condition") else {
        return Tri::Yes;
    };
    if cond.intrinsic().is_some() {
        return Tri::Maybe;
    }
    let mut out = Tri::Yes;
    for op in cond.entries() {
        let name = op.key.trim_end_matches("IfExists");
        let positive = matches!(
            name,
            "ArnEquals" | "ArnLike" | "StringEquals" | "StringLike" | "StringEqualsIgnoreCase"
        );
        for kv in op.value.entries() {
            let values = list(Some(&kv.value));
            let t = match (kv.key.to_ascii_lowercase().as_str(), positive) {
                ("aws:sourcearn", true) => values
                    .into_iter()
                    .map(|v| source_matches(sys, tpl, v, source))
                    .fold(Tri::No, Tri::any),
                ("aws:sourceaccount" | "aws:sourceowner", true) => {
                    let own = values.iter().any(|v| {
                        own_account(v) || sys.sym(tpl, v).pattern().as_deref() == Some("*")
                    });
                    if own { Tri::Yes } else { Tri::Maybe }
                }
                ("aws:securetransport", false) if name == "Bool" => {
                    match sys.sym(tpl, &kv.value).literal().as_deref() {
                        Some("false") => Tri::No,
                        Some("true") => Tri::Yes,
                        _ => Tri::Maybe,
                    }
                }
                _ => Tri::Maybe,
            };
            out = Tri::all(&[out, t]);
        }
    }
    out
}

/// Whether one statement applies to the delivery of `action` by `service` to `target`.
fn statement_applies(
    sys: &System,
    tpl: TplId,
    st: &Node,
    service: &str,
    action: &str,
    target: ResHandle<'_>,
    source: Option<ResHandle<'_>>,
) -> Tri {
    let resource = match (st.get("Resource"), st.get("NotResource")) {
        (Some(r), _) => list(Some(r))
            .into_iter()
            .map(|n| match resource_matches(sys, tpl, n, target) {
                Some(true) => Tri::Yes,
                Some(false) => Tri::No,
                None => Tri::Maybe,
            })
            .fold(Tri::No, Tri::any),
        (None, Some(_)) => Tri::Maybe,
        (None, None) => Tri::Yes,
    };
    Tri::all(&[
        principal_matches(sys, tpl, st, service),
        action_matches(sys, tpl, st, action),
        resource,
        conditions_match(sys, tpl, st, source),
    ])
}

/// A policy document that applies to a resource.
struct Doc<'a> {
    tpl: TplId,
    doc: Option<&'a Node>,
    /// The policy resource has a CloudFormation `Condition`: it may not exist.
    conditional: bool,
}

/// What the statements of some documents decide, as IAM does: an explicit Deny wins, then an
/// Allow; an uncertain Deny makes an Allow uncertain.
#[derive(Default)]
struct Verdict {
    allowed: Option<Span>,
    maybe_allow: Option<String>,
    maybe_deny: Option<String>,
}

impl Verdict {
    fn add(
        &mut self,
        sys: &System,
        docs: &[Doc<'_>],
        d: Delivery<'_>,
        target: ResHandle<'_>,
    ) -> Option<Decision> {
        for doc in docs {
            let Some(node) = doc.doc else { continue };
            if node.intrinsic().is_some() || node.as_str().is_some() {
                self.maybe_deny
                    .get_or_insert_with(|| "a computed policy document".into());
                continue;
            }
            for st in list(node.get("Statement")) {
                let applies =
                    statement_applies(sys, doc.tpl, st, d.service, d.action, target, d.source);
                let effect = st.get("Effect").and_then(|e| sys.sym(doc.tpl, e).literal());
                match (effect.as_deref(), applies) {
                    (_, Tri::No) => {}
                    (Some("Deny"), Tri::Yes) if !doc.conditional => {
                        return Some(Decision::Denied(Some(st.span)));
                    }
                    (Some("Allow"), Tri::Yes) if !doc.conditional => {
                        self.allowed.get_or_insert(st.span);
                    }
                    (Some("Allow"), _) => {
                        self.maybe_allow
                            .get_or_insert_with(|| "an Allow statement may apply".into());
                    }
                    _ => {
                        self.maybe_deny
                            .get_or_insert_with(|| "a statement may deny it".into());
                    }
                }
            }
        }
        None
    }

    fn decide(self) -> Decision {
        match (self.allowed, self.maybe_deny, self.maybe_allow) {
            (Some(span), None, _) => Decision::Allowed(span),
            (_, Some(why), _) | (None, None, Some(why)) => Decision::Unknown(why),
            (None, None, None) => Decision::Denied(None),
        }
    }
}

/// Whether a value of template `tpl` that eventlint cannot resolve (a parameter, an import)
/// may name the target: a resource of another template may be passed in; one of the same
/// template only if its physical name is fixed (a generated name is not known before the
/// stack creates it).
fn unknown_may_name(tpl: TplId, target: ResHandle<'_>) -> bool {
    let name = match target.res.ty.as_str() {
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        _ => "FunctionName",
    };
    tpl != target.tpl || target.res.prop(name).is_some()
}

/// Resource policy types: (target type, policy type, property naming the targets, hint).
const POLICY_KINDS: &[(&str, &str, &str, &str)] = &[
    ("AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "Queues", "sqs"),
    (
        "AWS::SQS::Queue",
        "AWS::SQS::QueueInlinePolicy",
        "Queue",
        "sqs",
    ),
    ("AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "Topics", "sns"),
    (
        "AWS::SNS::Topic",
        "AWS::SNS::TopicInlinePolicy",
        "TopicArn",
        "sns",
    ),
];

/// The policy resources (`AWS::SQS::QueuePolicy`, `AWS::SNS::TopicPolicy`, and their inline
/// variants) of the run that name a queue or topic, and whether a policy of another template
/// names a resource that cannot be resolved (it may be this one).
#[must_use]
pub fn resource_policies<'a>(sys: &'a System, target: ResHandle<'_>) -> (Vec<ResHandle<'a>>, bool) {
    let mut out = Vec::new();
    let mut unknown = false;
    for &(target_ty, ty, key, hint) in POLICY_KINDS {
        if target.res.ty != target_ty {
            continue;
        }
        for h in sys.resources().filter(|h| h.res.ty == ty) {
            let mut applies = false;
            for item in list(h.res.prop(key)) {
                match sys.target(h.tpl, item, Some(hint)) {
                    Some(t) => applies |= t.tpl == target.tpl && t.res.id == target.res.id,
                    // a literal URL or ARN compared with the target's name; a parameter
                    None => match resource_matches(sys, h.tpl, item, target) {
                        Some(true) => applies = true,
                        Some(false) => {}
                        None => unknown |= unknown_may_name(h.tpl, target),
                    },
                }
            }
            if applies {
                out.push(h);
            }
        }
    }
    (out, unknown)
}

/// May the service deliver to the target queue or topic?
#[must_use]
pub fn resource_policy_allows(sys: &System, d: Delivery<'_>) -> Decision {
    match d.target.res.ty.as_str() {
        "AWS::SQS::Queue" | "AWS::SNS::Topic" => {}
        "AWS::Events::EventBus" => {
            return Decision::Unknown("event bus policies are not evaluated".into());
        }
        _ => return Decision::Unknown("not a queue or topic".into()),
    }
    let (policies, unknown) = resource_policies(sys, d.target);
    let docs: Vec<Doc<'_>> = policies
        .iter()
        .map(|h| Doc {
            tpl: h.tpl,
            doc: h.res.prop("PolicyDocument"),
            conditional: h.res.node.get("Condition").is_some(),
        })
        .collect();
    let mut v = Verdict::default();
    if unknown {
        v.maybe_allow = Some("a resource policy names a resource eventlint cannot resolve".into());
    }
    if let Some(denied) = v.add(sys, &docs, d, d.target) {
        return denied;
    }
    match connector_grants(sys, d) {
        Tri::Yes if v.allowed.is_none() => v.allowed = Some(d.target.res.id_span),
        Tri::Maybe => {
            v.maybe_allow
                .get_or_insert_with(|| "a SAM connector may grant it".into());
        }
        _ => {}
    }
    v.decide()
}

/// Whether a connector endpoint (`{Id}` or `{Arn, Type}`) is the resource.
fn endpoint_is(sys: &System, tpl: TplId, end: &Node, res: ResHandle<'_>) -> Tri {
    if let Some(id) = end.get("Id").and_then(Node::as_str) {
        return if tpl == res.tpl && id == res.res.id {
            Tri::Yes
        } else {
            Tri::No
        };
    }
    match end.get("Arn") {
        Some(arn) => match resource_matches(sys, tpl, arn, res) {
            Some(true) => Tri::Yes,
            Some(false) => Tri::No,
            None => Tri::Maybe,
        },
        None => Tri::No,
    }
}

/// A SAM connector from the source to the target with `Write` generates the needed policy or
/// permission (embedded `Connectors` on the source, or an `AWS::Serverless::Connector`).
fn connector_grants(sys: &System, d: Delivery<'_>) -> Tri {
    let writes = |tpl: TplId, props: &Node, source: Tri| {
        let dest = list(props.get("Destination"))
            .into_iter()
            .map(|dst| endpoint_is(sys, tpl, dst, d.target))
            .fold(Tri::No, Tri::any);
        let write = list(props.get("Permissions"))
            .iter()
            .any(|p| p.as_str() == Some("Write"));
        if write {
            Tri::all(&[dest, source])
        } else {
            Tri::No
        }
    };
    let mut out = Tri::No;
    if let Some(src) = d.source {
        for c in src
            .res
            .node
            .get("Connectors")
            .map(Node::entries)
            .unwrap_or_default()
        {
            if let Some(props) = c.value.get("Properties") {
                out = out.any(writes(src.tpl, props, Tri::Yes));
            }
        }
    }
    for h in sys
        .resources()
        .filter(|h| h.res.ty == "AWS::Serverless::Connector")
    {
        let source = match (h.res.prop("Source"), d.source) {
            (Some(s), Some(src)) => endpoint_is(sys, h.tpl, s, src),
            (Some(_), None) => Tri::Maybe,
            (None, _) => Tri::No,
        };
        out = out.any(writes(h.tpl, h.res.props(), source));
    }
    out
}

/// The `AWS::Lambda::Permission` resources of the run whose `FunctionName` is the target.
#[must_use]
pub fn lambda_permissions<'a>(sys: &'a System, target: ResHandle<'_>) -> Vec<ResHandle<'a>> {
    sys.resources()
        .filter(|h| h.res.ty == "AWS::Lambda::Permission")
        .filter(|h| {
            h.res
                .prop("FunctionName")
                .and_then(|f| sys.target(h.tpl, f, Some("lambda")))
                .is_some_and(|t| t.tpl == target.tpl && t.res.id == target.res.id)
        })
        .collect()
}

/// The permissions SAM generates for the target function's own events: an `SNS` event's is
/// scoped to its topic, an `S3` event's to the account only (any bucket of it); rule and
/// schedule events' permissions name SAM's own rule, never another. With `AutoPublishAlias`
/// they are on the alias, so whether they cover this delivery is uncertain.
fn sam_event_permissions(sys: &System, d: Delivery<'_>) -> (Tri, Option<Span>) {
    if d.target.res.ty != "AWS::Serverless::Function" {
        return (Tri::No, None);
    }
    let alias = presence(d.target.res.prop("AutoPublishAlias")) != Some(false);
    let mut out = (Tri::No, None);
    for ev in d
        .target
        .res
        .prop("Events")
        .map(Node::entries)
        .unwrap_or_default()
    {
        let props = ev.value.get("Properties");
        let t = match (ev.value.get("Type").and_then(Node::as_str), d.service) {
            (Some("S3"), "s3.amazonaws.com") => Tri::Yes,
            (Some("SNS"), "sns.amazonaws.com") => {
                // with `SqsSubscription` SNS delivers to a queue the function polls: no permission
                let via_queue = match props.and_then(|p| p.get("SqsSubscription")) {
                    None => Tri::No,
                    Some(n) if n.as_bool() == Some(false) => Tri::No,
                    Some(n) if n.as_bool() == Some(true) => Tri::Yes,
                    Some(n) if n.is_map() && n.intrinsic().is_none() => Tri::Yes,
                    Some(_) => Tri::Maybe,
                };
                match (via_queue, props.and_then(|p| p.get("Topic"))) {
                    (Tri::Yes, _) | (_, None) => Tri::No,
                    (Tri::Maybe, _) => Tri::Maybe,
                    (Tri::No, Some(topic)) => source_matches(sys, d.target.tpl, topic, d.source),
                }
            }
            _ => Tri::No,
        };
        let t = if t == Tri::Yes && alias {
            Tri::Maybe
        } else {
            t
        };
        if t != Tri::No && out.0 != Tri::Yes {
            out = (t.any(out.0), Some(ev.key_span));
        }
    }
    out
}

/// May the service invoke the target function (`AWS::Lambda::Permission`, what SAM events and
/// connectors generate)?
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
                if sym.pattern().is_none()
                    && sym.resource().is_none()
                    && unknown_may_name(h.tpl, d.target)
                {
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
            Some(Some(p)) if p == "*" || names_service(&p, d.service) => Tri::Yes,
            Some(Some(_)) => Tri::No,
            _ => Tri::Maybe,
        };
        let source = match h.res.prop("SourceArn") {
            Some(arn) => source_matches(sys, h.tpl, arn, d.source),
            None => Tri::Yes,
        };
        let account = match h.res.prop("SourceAccount") {
            Some(a) if own_account(a) => Tri::Yes,
            Some(_) => Tri::Maybe,
            None => Tri::Yes,
        };
        let conditional = if h.res.node.get("Condition").is_some() {
            Tri::Maybe
        } else {
            Tri::Yes
        };
        match Tri::all(&[principal, source, account, conditional]) {
            Tri::No => {}
            Tri::Maybe => {
                maybe.get_or_insert_with(|| format!("permission `{}` may apply", h.res.id));
            }
            Tri::Yes => return Decision::Allowed(h.res.id_span),
        }
    }
    match sam_event_permissions(sys, d) {
        (Tri::Yes, Some(span)) => return Decision::Allowed(span),
        (Tri::Maybe, _) => {
            maybe.get_or_insert_with(|| "a permission SAM generates may apply".into());
        }
        _ => {}
    }
    match connector_grants(sys, d) {
        Tri::Yes => return Decision::Allowed(d.target.res.id_span),
        Tri::Maybe => {
            maybe.get_or_insert_with(|| "a SAM connector may grant it".into());
        }
        Tri::No => {}
    }
    match maybe {
        Some(r) => Decision::Unknown(r),
        None => Decision::Denied(None),
    }
}

/// May the service use an in-scope `AWS::KMS::Key` for `action` (`kms:GenerateDataKey`,
/// `kms:Decrypt`) when it delivers from `source`? Without a `KeyPolicy` the default key
/// policy applies, which trusts the account's IAM principals and no service.
#[must_use]
pub fn key_policy_allows(
    sys: &System,
    key: ResHandle<'_>,
    service: &str,
    action: &str,
    source: Option<ResHandle<'_>>,
) -> Decision {
    if key.res.ty != "AWS::KMS::Key" {
        return Decision::Unknown("not a KMS key".into());
    }
    let doc = Doc {
        tpl: key.tpl,
        doc: key.res.prop("KeyPolicy"),
        conditional: false,
    };
    if doc.doc.is_some_and(|n| presence(Some(n)) != Some(true)) {
        return Decision::Unknown("the key policy depends on a condition".into());
    }
    let d = Delivery {
        service,
        action,
        target: key,
        source,
    };
    let mut v = Verdict::default();
    if let Some(denied) = v.add(sys, &[doc], d, key) {
        return denied;
    }
    v.decide()
}
