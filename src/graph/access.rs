//! Permissions on the graph:
//! - the decision of the permission model for each delivery edge it can check: a Step Functions
//!   task against the state machine's role; a plain-CloudFormation rule target, SNS subscription,
//!   S3 notification or rule-target/subscription DLQ against the queue policy, topic policy or
//!   Lambda permission. Edges SAM declares are not checked: SAM creates their permissions.
//! - `allows` edges: from the holder of an identity statement (role, policy, SAM function or
//!   state machine) or of a resource policy (queue/topic policy, Lambda permission) to each
//!   in-scope resource the statement names.

use std::collections::HashSet;

use super::build::Builder;
use super::{Cfg, DlqKind, EdgeKind, GEdge, Graph, NodeIx, NodeKind, Owner};
use crate::model::iam::{
    self, Decision, Delivery, PolicySet, Statement, identity_policies, role_policies,
};
use crate::model::sfn::tasks;
use crate::model::{Node, Part, ResHandle, System, presence};
use crate::source::Span;

/// A call a Step Functions task makes on an in-scope resource.
#[derive(Clone, Debug)]
pub struct TaskCall<'a> {
    /// The IAM action the state machine's role needs (`lambda:InvokeFunction`, ...).
    pub action: &'static str,
    /// The resource called.
    pub target: ResHandle<'a>,
    /// The state machine.
    pub machine: ResHandle<'a>,
    /// The task state's name, its path in the definition and where it is declared.
    pub state: String,
    pub path: String,
    pub span: Span,
    /// Whether the definition lives in its own file (`DefinitionUri`).
    pub in_file: bool,
}

/// The action a task needs on a resource it calls, by the resource's type.
#[must_use]
pub fn task_action(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "lambda:InvokeFunction",
        "AWS::SNS::Topic" => "sns:Publish",
        "AWS::SQS::Queue" => "sqs:SendMessage",
        "AWS::Events::EventBus" => "events:PutEvents",
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
            "states:StartExecution"
        }
        _ => return None,
    })
}

/// The call a task edge (`Cfg::Task`) makes, when it names an in-scope function, topic, queue,
/// bus or state machine as a whole. A Lambda alias or version (`${Fn.Arn}:live`) is left out:
/// IAM matches it by its own ARN.
#[must_use]
pub fn task_call<'a>(
    sys: &'a System,
    g: &Graph<'a>,
    to: NodeIx,
    e: &GEdge<'a>,
) -> Option<TaskCall<'a>> {
    let Cfg::Task { path, .. } = &e.cfg else {
        return None;
    };
    let n = g.node(to)?;
    let (NodeKind::Resource, Some(tpl), Some(res)) = (n.kind, n.tpl, n.res) else {
        return None;
    };
    let action = task_action(&res.ty)?;
    let def = sys
        .definitions
        .get(&(e.owner.tpl, e.owner.res.id.clone()))?;
    let task = tasks(&def.root).into_iter().find(|t| &t.path == path)?;
    if action == "lambda:InvokeFunction" {
        let sym = sys.sym(e.owner.tpl, &def.with_vars(task.target?));
        // the last non-empty part: the function itself, or a qualifier after it
        let last = sym
            .parts
            .iter()
            .rev()
            .find(|p| !matches!(p, Part::Lit(s) if s.is_empty()));
        let whole = match last {
            Some(Part::Res(r)) => r.attr.as_deref().is_none_or(|a| a == "Arn"),
            _ => sym
                .pattern()
                .is_some_and(|p| match p.split_once("function:") {
                    Some((_, name)) => !name.contains(':'),
                    None => !p.contains(':'),
                }),
        };
        if !whole {
            return None;
        }
    }
    Some(TaskCall {
        action,
        target: ResHandle { tpl, res },
        machine: ResHandle {
            tpl: e.owner.tpl,
            res: e.owner.res,
        },
        state: task.name.clone(),
        path: task.path.clone(),
        span: task.name_span,
        in_file: def.in_file,
    })
}

/// The permission model's decision on a delivery edge, when it checks that kind of edge.
#[must_use]
pub fn delivery(
    sys: &System,
    g: &Graph<'_>,
    from: NodeIx,
    to: NodeIx,
    e: &GEdge<'_>,
) -> Option<Decision> {
    if matches!(e.cfg, Cfg::Task { .. }) {
        let call = task_call(sys, g, to, e)?;
        let set = identity_policies(sys, call.machine);
        return Some(iam::allows(sys, &set, call.action, call.target));
    }
    if e.owner.event.is_some() {
        return None; // SAM creates the permission of the events it expands
    }
    let src = g.node(from)?;
    let source = match (src.kind, src.tpl, src.res) {
        (NodeKind::Resource, Some(tpl), Some(res)) => Some(ResHandle { tpl, res }),
        _ => None,
    };
    let service = match (&e.cfg, src.ty.as_str()) {
        (
            Cfg::Target {
                target: Some(t),
                sam: false,
                ..
            },
            "AWS::Events::Rule",
        ) => {
            if presence(t.get("RoleArn")) != Some(false) {
                return None; // delivered with a role, not a resource policy
            }
            "events.amazonaws.com"
        }
        (Cfg::Subscription { .. }, "AWS::SNS::Topic") => "sns.amazonaws.com",
        (Cfg::S3 { .. }, "AWS::S3::Bucket") => "s3.amazonaws.com",
        (
            Cfg::DeadLetter {
                kind: DlqKind::TargetDlq,
                ..
            },
            "AWS::Events::Rule",
        ) => "events.amazonaws.com",
        (
            Cfg::DeadLetter {
                kind: DlqKind::SubscriptionDlq,
                ..
            },
            "AWS::SNS::Topic",
        ) => "sns.amazonaws.com",
        _ => return None,
    };
    let n = g.node(to)?;
    let (NodeKind::Resource, Some(tpl), Some(res)) = (n.kind, n.tpl, n.res) else {
        return None;
    };
    let target = ResHandle { tpl, res };
    let d = |action| Delivery {
        service,
        action,
        target,
        source,
    };
    match res.ty.as_str() {
        "AWS::SQS::Queue" => Some(iam::resource_policy_allows(sys, d("sqs:SendMessage"))),
        "AWS::SNS::Topic" => Some(iam::resource_policy_allows(sys, d("sns:Publish"))),
        _ if res.is_function() && !matches!(e.cfg, Cfg::DeadLetter { .. }) => Some(
            iam::lambda_permission_allows(sys, d("lambda:InvokeFunction")),
        ),
        _ => None,
    }
}

/// The service prefix of the actions that apply to a resource type.
fn service_prefix(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "AWS::SQS::Queue" => "sqs",
        "AWS::SNS::Topic" => "sns",
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => "lambda",
        "AWS::Events::EventBus" => "events",
        "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => "states",
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => "dynamodb",
        "AWS::S3::Bucket" => "s3",
        "AWS::Kinesis::Stream" => "kinesis",
        "AWS::KinesisFirehose::DeliveryStream" => "firehose",
        _ => return None,
    })
}

fn list(n: Option<&Node>) -> Vec<&Node> {
    match n {
        Some(n) if n.is_seq() => n.items().iter().collect(),
        Some(n) => vec![n],
        None => Vec::new(),
    }
}

/// The literal actions of a statement that apply to a resource type (all of them when the type
/// is not one eventlint knows the service of).
fn actions_for(sys: &System, tpl: usize, actions: Option<&Node>, ty: &str) -> Vec<String> {
    let prefix = service_prefix(ty);
    let mut out: Vec<String> = Vec::new();
    for a in list(actions) {
        let Some(a) = sys.sym(tpl, a).literal() else {
            continue;
        };
        let applies = a == "*"
            || prefix.is_none_or(|p| {
                a.split_once(':')
                    .is_some_and(|(svc, _)| svc.eq_ignore_ascii_case(p))
            });
        if applies && !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// A resource-policy principal, for labels: service names, `*`, or "an AWS principal".
fn principal_label(sys: &System, tpl: usize, p: Option<&Node>) -> String {
    let Some(p) = p else {
        return "?".into();
    };
    if let Some(s) = sys.sym(tpl, p).literal() {
        return s;
    }
    let mut names = Vec::new();
    for e in p.entries() {
        for v in list(Some(&e.value)) {
            match sys.sym(tpl, v).pattern() {
                Some(s) if e.key == "Service" => names.push(s),
                Some(s) if s == "*" => names.push(s),
                _ => names.push(format!("an {} principal", e.key)),
            }
        }
    }
    names.dedup();
    names.join(", ")
}

/// Adds `allows` edges, each (holder, resource, actions, principal) once.
struct Allows<'b, 'a> {
    b: &'b mut Builder<'a>,
    seen: HashSet<(NodeIx, NodeIx, Vec<String>, Option<String>)>,
}

/// What an `allows` edge says: the actions, and for a resource policy the principal.
struct Grant {
    actions: Vec<String>,
    principal: Option<String>,
}

impl<'a> Allows<'_, 'a> {
    fn add(&mut self, from: NodeIx, to: NodeIx, span: Span, owner: Owner<'a>, grant: Grant) {
        if from == to || grant.actions.is_empty() {
            return;
        }
        let key = (from, to, grant.actions.clone(), grant.principal.clone());
        if self.seen.insert(key) {
            let cfg = Cfg::Allows {
                actions: grant.actions,
                principal: grant.principal,
            };
            self.b.edge(from, to, EdgeKind::Allows, span, owner, cfg);
        }
    }

    /// The `allows` edges of identity statements.
    fn identity(&mut self, principal: ResHandle<'a>, set: &PolicySet) {
        let sys = self.b.sys;
        for st in &set.statements {
            let Statement { tpl, node, .. } = st;
            let effect = node.get("Effect").and_then(|e| sys.sym(*tpl, e).literal());
            if effect.as_deref() != Some("Allow") {
                continue;
            }
            let holder = sys.resource(*tpl, &st.holder).unwrap_or(principal);
            let Some(from) = self.b.g.of(holder.tpl, &holder.res.id) else {
                continue;
            };
            let owner = Owner {
                tpl: holder.tpl,
                res: holder.res,
                event: None,
            };
            for r in list(node.get("Resource")) {
                let Some(t) = sys.target(*tpl, r, None) else {
                    continue;
                };
                let Some(to) = self.b.g.of(t.tpl, &t.res.id) else {
                    continue;
                };
                let grant = Grant {
                    actions: actions_for(sys, *tpl, node.get("Action"), &t.res.ty),
                    principal: None,
                };
                self.add(from, to, st.span, owner.clone(), grant);
            }
        }
    }

    /// The `allows` edges of queue policies, topic policies and Lambda permissions.
    fn resource(&mut self, h: ResHandle<'a>) {
        let sys = self.b.sys;
        let (targets, hint): (Vec<&Node>, &str) = match h.res.ty.as_str() {
            "AWS::SQS::QueuePolicy" => (list(h.res.prop("Queues")), "sqs"),
            "AWS::SNS::TopicPolicy" => (list(h.res.prop("Topics")), "sns"),
            "AWS::Lambda::Permission" => {
                (h.res.prop("FunctionName").into_iter().collect(), "lambda")
            }
            _ => return,
        };
        let Some(from) = self.b.g.of(h.tpl, &h.res.id) else {
            return;
        };
        let owner = Owner {
            tpl: h.tpl,
            res: h.res,
            event: None,
        };
        for t in targets
            .into_iter()
            .filter_map(|n| sys.target(h.tpl, n, Some(hint)))
        {
            let Some(to) = self.b.g.of(t.tpl, &t.res.id) else {
                continue;
            };
            if h.res.ty == "AWS::Lambda::Permission" {
                let grant = Grant {
                    actions: actions_for(sys, h.tpl, h.res.prop("Action"), &t.res.ty),
                    principal: Some(principal_label(sys, h.tpl, h.res.prop("Principal"))),
                };
                self.add(from, to, h.res.id_span, owner.clone(), grant);
                continue;
            }
            let doc = h.res.prop("PolicyDocument");
            for st in list(doc.and_then(|d| d.get("Statement"))) {
                if st.get("Effect").and_then(Node::as_str) != Some("Allow") {
                    continue;
                }
                let grant = Grant {
                    actions: actions_for(sys, h.tpl, st.get("Action"), &t.res.ty),
                    principal: Some(principal_label(sys, h.tpl, st.get("Principal"))),
                };
                self.add(from, to, st.span, owner.clone(), grant);
            }
        }
    }
}

/// Add the `allows` edges of every identity and resource policy of the system.
pub(super) fn allows_edges(b: &mut Builder<'_>) {
    let sys = b.sys;
    let mut a = Allows {
        b,
        seen: HashSet::new(),
    };
    for h in sys.resources() {
        if h.res.is_function() || h.res.is_state_machine() {
            a.identity(h, &identity_policies(sys, h));
        } else if h.res.ty == "AWS::IAM::Role" {
            a.identity(h, &role_policies(sys, h));
        } else {
            a.resource(h);
        }
    }
}
