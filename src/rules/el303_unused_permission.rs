use std::collections::BTreeSet;

use super::rule::prelude::*;
use super::util_code_access::plain_allow;
use crate::code::locate::Located;
use crate::code::resolve::{CallTarget, call_targets};
use crate::model::iam::{Decision, PolicySet, Statement, allows, identity_policies};
use crate::model::{ResHandle, System};

declare_rule! {
    /// ## What it does
    /// Reports a statement of a function's role that allows publishing, sending or invoking
    /// (`sns:Publish`, `sqs:SendMessage`, `events:PutEvents`, `lambda:InvokeFunction`,
    /// `states:StartExecution`) on a resource of the template that the function's code never
    /// calls (with any operation of that service). Only when every file of the code was read and
    /// understood, no import may lead to code eventlint does not read (a module of a layer, a
    /// package of the repository outside `CodeUri`, a workspace package), and no call of the
    /// same service has a target eventlint cannot resolve.
    ///
    /// ## Why it matters
    /// Least privilege: a permission nobody uses is one more thing a compromised or buggy function
    /// can do (flood a queue, invoke a function, start workflows), and it is often a leftover of
    /// code that moved elsewhere.
    ///
    /// ## Example
    /// ```yaml
    /// ReportFunction:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Handler: app.handler
    ///     CodeUri: src/
    ///     Policies:
    ///       - SQSSendMessagePolicy:          # app.py never sends to AuditQueue
    ///           QueueName: !GetAtt AuditQueue.QueueName
    /// ```
    ///
    /// ## How to fix
    /// Remove the statement (or the policy template), or suppress the finding with the reason
    /// when the permission is used in a way eventlint cannot see.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html>
    pub UnusedPermission { code: "EL303", name: "unused-permission", severity: Info }
}

/// The publish/send/invoke action for a resource type.
fn action_for(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "AWS::SNS::Topic" => "sns:Publish",
        "AWS::SQS::Queue" => "sqs:SendMessage",
        "AWS::Events::EventBus" => "events:PutEvents",
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "lambda:InvokeFunction",
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
            "states:StartExecution"
        }
        _ => return None,
    })
}

/// How many resources name `role` as their `Role`/`RoleArn`.
fn role_users(sys: &System, role: ResHandle<'_>) -> usize {
    sys.resources()
        .filter(|h| {
            ["Role", "RoleArn"].iter().any(|p| {
                h.res
                    .prop(p)
                    .and_then(|n| sys.target(h.tpl, n, None))
                    .is_some_and(|r| r.tpl == role.tpl && r.res.id == role.res.id)
            })
        })
        .count()
}

/// The statement belongs to this function alone: its SAM `Policies`, or a role only it uses.
fn owned(sys: &System, f: ResHandle<'_>, st: &Statement) -> bool {
    if st.source.starts_with("managed policy") || st.source.starts_with("the policy SAM adds") {
        return false;
    }
    if st.holder == f.res.id {
        return true;
    }
    f.res
        .prop("Role")
        .and_then(|n| sys.target(f.tpl, n, None))
        .is_some_and(|r| r.res.id == st.holder && role_users(sys, r) == 1)
}

/// Resources the service itself reaches with the function's role (DLQ, async destinations).
fn service_used(cx: &Context<'_>, f: ResHandle<'_>) -> BTreeSet<(TplId, String)> {
    let mut out = BTreeSet::new();
    if let Some(ix) = cx.graph.of(f.tpl, &f.res.id) {
        for kind in [
            EdgeKind::DeadLetters,
            EdgeKind::Publishes,
            EdgeKind::Invokes,
        ] {
            for (to, _) in cx.graph.outgoing(ix, kind) {
                if let Some(n) = cx.graph.node(to) {
                    if let Some(t) = n.tpl {
                        out.insert((t, n.id.clone()));
                    }
                }
            }
        }
    }
    out
}

impl Rule for UnusedPermission {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ((tpl, id), code) in &cx.sys.code {
            let Some(f) = cx.sys.resource(*tpl, id) else {
                continue;
            };
            if !code.complete
                || code.facts.syntax_error.is_some()
                || !matches!(code.located, Located::File { .. } | Located::Inline { .. })
            {
                continue;
            }
            // what the code targets, and the services with a call it cannot resolve
            let mut used: BTreeSet<(&str, TplId, String)> = BTreeSet::new();
            let mut unknown: BTreeSet<&str> = BTreeSet::new();
            for call in &code.facts.calls {
                for t in call_targets(cx.sys, f, call) {
                    match t {
                        CallTarget::Resource(h) => {
                            used.insert((call.service.as_str(), h.tpl, h.res.id.clone()));
                        }
                        CallTarget::Unknown(_) => {
                            unknown.insert(call.service.as_str());
                        }
                        CallTarget::DefaultBus => {}
                    }
                }
            }
            let by_service = service_used(cx, f);
            let set = identity_policies(cx.sys, f);
            let mut seen = BTreeSet::new();
            for st in set.statements.iter().filter(|s| plain_allow(&s.node)) {
                if !owned(cx.sys, f, st) {
                    continue;
                }
                let one = PolicySet {
                    statements: vec![st.clone()],
                    ..PolicySet::default()
                };
                let resources: Vec<&Node> = match st.node.get("Resource") {
                    Some(r) if r.is_seq() => r.items().iter().collect(),
                    Some(r) => vec![r],
                    None => Vec::new(),
                };
                for r in resources {
                    let Some(target) = cx
                        .sys
                        .sym(st.tpl, r)
                        .resource()
                        .and_then(|rr| cx.sys.resource(rr.tpl, &rr.id))
                    else {
                        continue;
                    };
                    let Some(action) = action_for(&target.res.ty) else {
                        continue;
                    };
                    let service = action.split(':').next().unwrap_or("");
                    let key = (target.tpl, target.res.id.clone());
                    if unknown.contains(service)
                        || by_service.contains(&key)
                        || used.contains(&(service, key.0, key.1.clone()))
                        || !matches!(allows(cx.sys, &one, action, target), Decision::Allowed(_))
                        || !seen.insert((st.span, action, key.1.clone()))
                    {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            st.span,
                            format!(
                                "the role of `{id}` allows `{action}` on `{}`, which its code never calls",
                                target.res.id
                            ),
                        )
                        .resource(&st.holder)
                        .label(target.res.id_span, "the resource no call targets")
                        .help("remove the permission, or suppress this finding with the reason it is needed")
                        .key(format!("{action}:{}", target.res.id)),
                    );
                }
            }
        }
        out
    }
}
