//! The identity side: the statements of a function's or state machine's role.
//! - SAM `Policies` (managed policy names/ARNs, policy templates, inline documents), plus what
//!   SAM adds itself (send permission to `DeadLetterQueue`, async destinations);
//! - `Role`/`RoleArn` pointing at an in-scope `AWS::IAM::Role` (inline `Policies`,
//!   `ManagedPolicyArns`) and every `AWS::IAM::Policy`/`ManagedPolicy` attached to it;
//! - `AWS::Serverless::Connector` and embedded `Connectors` (data/sam/connector_profiles.json).

use super::{PolicySet, Statement, managed, templates};
use crate::model::{Entry, Kind, Node, ResHandle, System, TplId};
use crate::source::Span;

/// The identity statements of a function or state machine.
#[must_use]
pub fn identity_policies(sys: &System, h: ResHandle<'_>) -> PolicySet {
    let mut set = PolicySet::default();
    let role_prop = if h.res.is_function() || h.res.ty == "AWS::Serverless::StateMachine" {
        "Role"
    } else {
        "RoleArn"
    };
    match h.res.prop(role_prop) {
        Some(role) => match sys
            .target(h.tpl, role, None)
            .filter(|r| r.res.ty == "AWS::IAM::Role")
        {
            Some(r) => collect_role(sys, r, &mut set),
            None => set.unknown.push(format!(
                "the role of `{}` is not defined in the analysed templates",
                h.res.id
            )),
        },
        None if h.res.ty.starts_with("AWS::Serverless::") => {
            sam_policies(sys, h, &mut set);
            // policies attached to the role SAM generates (`<Id>Role`)
            attached(sys, h.tpl, &format!("{}Role", h.res.id), &mut set);
        }
        None => set.unknown.push(format!("`{}` has no role", h.res.id)),
    }
    connectors(sys, h, &mut set);
    set
}

fn stmt(tpl: TplId, node: Node, span: Span, source: String, holder: &str) -> Statement {
    Statement {
        tpl,
        node,
        span,
        source,
        holder: holder.to_string(),
    }
}

/// A policy document's statements (`Statement` a list or a single mapping).
fn document(sys: &System, tpl: TplId, doc: &Node, source: &str, holder: &str, set: &mut PolicySet) {
    if doc.intrinsic().is_some() || doc.as_str().is_some() {
        set.unknown
            .push(format!("{source} is not a literal policy document"));
        return;
    }
    let Some(statements) = doc.get("Statement") else {
        return;
    };
    let list: Vec<&Node> = if statements.is_seq() {
        statements.items().iter().collect()
    } else {
        vec![statements]
    };
    for s in list {
        if s.intrinsic().is_some() {
            set.unknown
                .push(format!("{source} has a computed statement"));
            continue;
        }
        set.statements
            .push(stmt(tpl, s.clone(), s.span, source.to_string(), holder));
    }
    let _ = sys;
}

/// Statements of a managed policy by name or ARN (AWS managed ones known here, customer
/// managed ones in scope).
fn managed_policy(sys: &System, tpl: TplId, node: &Node, holder: &str, set: &mut PolicySet) {
    if let Some(h) = sys
        .target(tpl, node, None)
        .filter(|h| h.res.ty == "AWS::IAM::ManagedPolicy")
    {
        if let Some(doc) = h.res.prop("PolicyDocument") {
            document(
                sys,
                h.tpl,
                doc,
                &format!("managed policy `{}`", h.res.id),
                &h.res.id,
                set,
            );
        }
        return;
    }
    let Some(name) = sys.sym(tpl, node).pattern() else {
        set.unknown.push("a managed policy from a parameter".into());
        return;
    };
    match managed::lookup(&name) {
        Some(stmts) => {
            for (action, resource) in stmts {
                let n = synthetic(action, resource, node.span);
                set.statements.push(stmt(
                    tpl,
                    n,
                    node.span,
                    format!("managed policy `{name}`"),
                    holder,
                ));
            }
        }
        None => set
            .unknown
            .push(format!("managed policy `{name}` is not known to eventlint")),
    }
}

/// `{Effect: Allow, Action: action, Resource: resource}` at a span.
fn synthetic(action: &str, resource: &str, span: Span) -> Node {
    let s = |v: &str| Node::new(span, Kind::Str(v.to_string()));
    let e = |k: &str, v: Node| Entry {
        key: k.to_string(),
        key_span: span,
        value: v,
    };
    Node::new(
        span,
        Kind::Map(vec![
            e("Effect", s("Allow")),
            e("Action", s(action)),
            e("Resource", s(resource)),
        ]),
    )
}

/// The identity statements of an in-scope `AWS::IAM::Role` (a target role of a rule, schedule
/// or pipe): inline `Policies`, `ManagedPolicyArns` and the policies attached to it.
#[must_use]
pub fn role_policies(sys: &System, role: ResHandle<'_>) -> PolicySet {
    let mut set = PolicySet::default();
    collect_role(sys, role, &mut set);
    set
}

fn collect_role(sys: &System, role: ResHandle<'_>, set: &mut PolicySet) {
    let id = role.res.id.as_str();
    for p in role
        .res
        .prop("Policies")
        .map(Node::items)
        .unwrap_or_default()
    {
        let name = p
            .get("PolicyName")
            .and_then(Node::as_str)
            .unwrap_or("inline");
        match p.get("PolicyDocument") {
            Some(doc) => document(
                sys,
                role.tpl,
                doc,
                &format!("inline policy `{name}` of role `{id}`"),
                id,
                set,
            ),
            None => set
                .unknown
                .push(format!("a computed inline policy of role `{id}`")),
        }
    }
    if role.res.prop("Policies").is_some_and(|p| !p.is_seq()) {
        set.unknown
            .push(format!("the policies of role `{id}` are computed"));
    }
    for arn in role
        .res
        .prop("ManagedPolicyArns")
        .map(Node::items)
        .unwrap_or_default()
    {
        managed_policy(sys, role.tpl, arn, id, set);
    }
    if role
        .res
        .prop("ManagedPolicyArns")
        .is_some_and(|p| !p.is_seq())
    {
        set.unknown
            .push(format!("the managed policies of role `{id}` are computed"));
    }
    if role.res.prop("PermissionsBoundary").is_some() {
        set.boundary = true;
    }
    attached(sys, role.tpl, id, set);
}

/// `AWS::IAM::Policy` / `ManagedPolicy` resources whose `Roles` name the role, and
/// `AWS::IAM::RolePolicy` resources whose `RoleName` does (by `Ref`, or by the role's literal
/// `RoleName`). A policy attached to a role eventlint cannot resolve (a parameter) may be attached
/// to this one when it has a `RoleName`: the set is then not complete. Generated role names
/// (SAM's `<Id>Role`, roles without `RoleName`) cannot be known when the template is written.
fn attached(sys: &System, tpl: TplId, role_id: &str, set: &mut PolicySet) {
    let Some(t) = sys.templates.get(tpl) else {
        return;
    };
    let name_node = t.resource(role_id).and_then(|r| r.prop("RoleName"));
    let role_name = name_node.and_then(|n| sys.sym(tpl, n).literal());
    for r in t.resources.iter().filter(|r| {
        matches!(
            r.ty.as_str(),
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy"
        )
    }) {
        let (items, mut unknown): (Vec<&Node>, bool) = if r.ty == "AWS::IAM::RolePolicy" {
            (r.prop("RoleName").into_iter().collect(), false)
        } else {
            match r.prop("Roles") {
                Some(n) if n.is_seq() => (n.items().iter().collect(), false),
                Some(_) => (Vec::new(), true),
                None => (Vec::new(), false),
            }
        };
        let mut names_role = false;
        for n in items {
            if matches!(n.intrinsic(), Some(("Ref", v)) if v.as_str() == Some(role_id)) {
                names_role = true;
                continue;
            }
            let sym = sys.sym(tpl, n);
            if let Some(res) = sym.resource() {
                names_role |= res.tpl == tpl && res.id == role_id;
            } else if let Some(name) = sym.literal() {
                names_role |= role_name.as_deref() == Some(name.as_str());
            } else if !matches!(n.intrinsic(), Some(("Ref", _)))
                || sym
                    .unknown_reason()
                    .is_some_and(|r| r.starts_with("parameter"))
            {
                unknown = true;
            }
        }
        if names_role {
            if let Some(doc) = r.prop("PolicyDocument") {
                document(sys, tpl, doc, &format!("policy `{}`", r.id), &r.id, set);
            }
        } else if unknown && name_node.is_some() {
            set.unknown.push(format!(
                "policy `{}` is attached to a role eventlint cannot resolve",
                r.id
            ));
        }
    }
}

/// SAM `Policies`: a name, a list of names/templates/documents, or one document.
fn sam_policies(sys: &System, h: ResHandle<'_>, set: &mut PolicySet) {
    let id = h.res.id.as_str();
    let Some(p) = h.res.prop("Policies") else {
        return sam_implicit(sys, h, set);
    };
    let items: Vec<&Node> = if p.is_seq() {
        p.items().iter().collect()
    } else {
        vec![p]
    };
    for item in items {
        if item.as_str().is_some() || item.intrinsic().is_some() {
            managed_policy(sys, h.tpl, item, id, set);
        } else if item.get("Statement").is_some() {
            document(
                sys,
                h.tpl,
                item,
                &format!("an inline policy of `{id}`"),
                id,
                set,
            );
        } else if let [entry] = item.entries() {
            let source = format!("SAM policy template `{}`", entry.key);
            match templates::expand(&entry.key, &entry.value, entry.key_span) {
                Some(stmts) => {
                    for s in stmts {
                        set.statements
                            .push(stmt(h.tpl, s, entry.key_span, source.clone(), id));
                    }
                }
                None => set.unknown.push(format!("{source} could not be expanded")),
            }
        } else {
            set.unknown
                .push(format!("a policy of `{id}` that eventlint does not read"));
        }
    }
    sam_implicit(sys, h, set);
}

/// What SAM adds to the role it generates: send permission to the function's `DeadLetterQueue`
/// and to async destinations (`EventInvokeConfig.DestinationConfig`).
fn sam_implicit(sys: &System, h: ResHandle<'_>, set: &mut PolicySet) {
    let id = h.res.id.as_str();
    let mut add = |kind: Option<&str>, target: Option<&Node>, span: Span, source: &str| {
        let action = match kind {
            Some("SQS") => "sqs:SendMessage",
            Some("SNS") => "sns:Publish",
            Some("Lambda") => "lambda:InvokeFunction",
            Some("EventBridge") => "events:PutEvents",
            _ => return,
        };
        let mut n = synthetic(action, "*", span);
        if let (Some(t), Kind::Map(entries)) = (target, &mut n.kind) {
            if let Some(e) = entries.iter_mut().find(|e| e.key == "Resource") {
                e.value = t.clone();
            }
        }
        set.statements
            .push(stmt(h.tpl, n, span, source.to_string(), id));
    };
    if let Some(dlq) = h.res.prop("DeadLetterQueue") {
        add(
            dlq.get("Type").and_then(Node::as_str),
            dlq.get("TargetArn"),
            dlq.span,
            "the policy SAM adds for `DeadLetterQueue`",
        );
    }
    if let Some(dc) = h.res.prop_path(&["EventInvokeConfig", "DestinationConfig"]) {
        for key in ["OnSuccess", "OnFailure"] {
            if let Some(d) = dc.get(key) {
                add(
                    d.get("Type").and_then(Node::as_str),
                    d.get("Destination"),
                    d.span,
                    "the policy SAM adds for an async destination",
                );
            }
        }
    }
    let _ = sys;
}

/// Connectors whose source is this resource: `AWS::Serverless::Connector` and embedded
/// `Connectors`. Each grants the profile's Read/Write statements on the destination.
fn connectors(sys: &System, h: ResHandle<'_>, set: &mut PolicySet) {
    let Some(t) = sys.templates.get(h.tpl) else {
        return;
    };
    let mut found: Vec<(&Node, Option<&Node>, Span, String)> = Vec::new();
    for c in h
        .res
        .node
        .get("Connectors")
        .map(Node::entries)
        .unwrap_or_default()
    {
        if let Some(p) = c.value.get("Properties") {
            found.push((p, None, c.key_span, format!("{}{}", h.res.id, c.key)));
        }
    }
    for r in t
        .resources
        .iter()
        .filter(|r| r.ty == "AWS::Serverless::Connector")
    {
        let source_id = r.prop_path(&["Source", "Id"]).and_then(Node::as_str);
        if source_id == Some(h.res.id.as_str()) {
            found.push((r.props(), r.prop("Source"), r.id_span, r.id.clone()));
        }
    }
    for (props, _, span, holder) in found {
        let dests: Vec<&Node> = match (
            props.get("Destination"),
            props.get("Destination").map(Node::is_seq),
        ) {
            (Some(d), Some(true)) => d.items().iter().collect(),
            (Some(d), _) => vec![d],
            (None, _) => Vec::new(),
        };
        let perms: Vec<String> = props
            .get("Permissions")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect();
        for d in dests {
            let target = match (d.get("Id").and_then(Node::as_str), d.get("Arn")) {
                (Some(id), _) => sys.resource(h.tpl, id).map(|r| {
                    (
                        r.res.ty.clone(),
                        Node::new(
                            span,
                            Kind::Map(vec![Entry {
                                key: "Ref".into(),
                                key_span: span,
                                value: Node::new(span, Kind::Str(id.to_string())),
                            }]),
                        ),
                    )
                }),
                (None, Some(arn)) => d
                    .get("Type")
                    .and_then(Node::as_str)
                    .map(|ty| (ty.to_string(), arn.clone())),
                _ => None,
            };
            let Some((ty, target)) = target else {
                set.unknown.push(format!(
                    "connector `{holder}` has a destination eventlint cannot resolve"
                ));
                continue;
            };
            for action in connector_actions(&h.res.ty, &ty, &perms) {
                let mut n = synthetic(&action, "*", span);
                if let Kind::Map(entries) = &mut n.kind {
                    if let Some(e) = entries.iter_mut().find(|e| e.key == "Resource") {
                        e.value = target.clone();
                    }
                }
                set.statements.push(stmt(
                    h.tpl,
                    n,
                    span,
                    format!("connector `{holder}`"),
                    &holder,
                ));
            }
        }
    }
}

static PROFILES: std::sync::OnceLock<Option<Node>> = std::sync::OnceLock::new();

/// The CloudFormation type a connector profile is keyed by.
fn profile_type(ty: &str) -> &str {
    match ty {
        "AWS::Serverless::Function" => "AWS::Lambda::Function",
        "AWS::Serverless::StateMachine" => "AWS::StepFunctions::StateMachine",
        "AWS::Serverless::SimpleTable" => "AWS::DynamoDB::Table",
        "AWS::Serverless::Api" => "AWS::ApiGateway::RestApi",
        "AWS::Serverless::HttpApi" => "AWS::ApiGatewayV2::Api",
        other => other,
    }
}

/// The actions a connector grants from a source type to a destination type for the given
/// permissions (`Read`, `Write`), from SAM's connector profiles.
fn connector_actions(source: &str, dest: &str, perms: &[String]) -> Vec<String> {
    let profiles = PROFILES
        .get_or_init(|| {
            crate::model::json::load(
                include_str!("../../../data/sam/connector_profiles.json"),
                u32::MAX,
            )
            .root
        })
        .as_ref();
    let Some(categories) = profiles.and_then(|p| {
        p.path(&[
            "Permissions",
            profile_type(source),
            profile_type(dest),
            "Properties",
            "AccessCategories",
        ])
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for perm in perms {
        for st in categories
            .get(perm)
            .and_then(|c| c.get("Statement"))
            .map(Node::items)
            .unwrap_or_default()
        {
            let actions = st.get("Action");
            let list: Vec<&Node> = match actions {
                Some(a) if a.is_seq() => a.items().iter().collect(),
                Some(a) => vec![a],
                None => Vec::new(),
            };
            out.extend(
                list.into_iter()
                    .filter_map(|a| a.as_str().map(str::to_string)),
            );
        }
    }
    out
}
