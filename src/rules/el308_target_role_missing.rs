use super::rule::prelude::*;
use crate::model::{Part, Sym, presence};

declare_rule! {
    /// ## What it does
    /// Reports an `AWS::Events::Rule` target without `RoleArn` whose `Arn` is a Step Functions
    /// state machine, Kinesis stream, Firehose delivery stream, ECS cluster, CodeBuild project,
    /// CodePipeline pipeline, Batch job queue or API destination: an in-scope resource of that
    /// type, or an ARN whose service and resource type are literal (`arn:aws:states:...:stateMachine:...`).
    ///
    /// An event bus target is reported as a warning, and only when the bus is certainly in the
    /// same account (a bus of the same template, or an ARN built with `${AWS::AccountId}`): a
    /// bus of another account accepts events without a role when its policy names the sending
    /// account. SAM events need no check (SAM creates the role of a state machine's events),
    /// nor do Lambda, SNS, SQS and CloudWatch Logs targets, which use resource policies. The
    /// rule-level `RoleArn` does not count: EventBridge uses the target's.
    ///
    /// ## Why it matters
    /// These targets accept events only through a role EventBridge assumes. Without one,
    /// `PutTargets` rejects the target (`RoleArn is required for target ...`) and the stack
    /// fails to deploy, or, for a bus, events are not delivered.
    ///
    /// ## Example
    /// ```yaml
    /// OrderPlacedRule:
    ///   Type: AWS::Events::Rule
    ///   Properties:
    ///     EventPattern: {source: [shop.orders]}
    ///     Targets:
    ///       - Id: Workflow  # expect: EL308
    ///         Arn: !Ref OrderWorkflow
    /// ```
    ///
    /// ## How to fix
    /// Add `RoleArn` to the target: a role that `events.amazonaws.com` may assume, allowing the
    /// action on the target (`states:StartExecution`, `kinesis:PutRecord`,
    /// `firehose:PutRecord`, `ecs:RunTask` with `iam:PassRole`, `codebuild:StartBuild`,
    /// `codepipeline:StartPipelineExecution`, `batch:SubmitJob`,
    /// `events:InvokeApiDestination`, `events:PutEvents`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-iam-roles.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-bus-to-bus.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html>
    pub TargetRoleMissing { code: "EL308", name: "target-role-missing", severity: Error }
}

/// A target kind that needs a role: resource types, ARN service and resource prefix, what to
/// call it, and the action the role must allow.
struct Needs {
    types: &'static [&'static str],
    service: &'static str,
    prefix: &'static str,
    what: &'static str,
    action: &'static str,
}

const KINDS: &[Needs] = &[
    Needs {
        types: &[
            "AWS::StepFunctions::StateMachine",
            "AWS::Serverless::StateMachine",
        ],
        service: "states",
        prefix: "stateMachine:",
        what: "state machine",
        action: "states:StartExecution",
    },
    Needs {
        types: &["AWS::Kinesis::Stream"],
        service: "kinesis",
        prefix: "stream/",
        what: "Kinesis stream",
        action: "kinesis:PutRecord",
    },
    Needs {
        types: &["AWS::KinesisFirehose::DeliveryStream"],
        service: "firehose",
        prefix: "deliverystream/",
        what: "Firehose delivery stream",
        action: "firehose:PutRecord",
    },
    Needs {
        types: &["AWS::ECS::Cluster"],
        service: "ecs",
        prefix: "cluster/",
        what: "ECS cluster",
        action: "ecs:RunTask",
    },
    Needs {
        types: &["AWS::CodeBuild::Project"],
        service: "codebuild",
        prefix: "project/",
        what: "CodeBuild project",
        action: "codebuild:StartBuild",
    },
    Needs {
        types: &["AWS::CodePipeline::Pipeline"],
        service: "codepipeline",
        prefix: "",
        what: "CodePipeline pipeline",
        action: "codepipeline:StartPipelineExecution",
    },
    Needs {
        types: &["AWS::Batch::JobQueue"],
        service: "batch",
        prefix: "job-queue/",
        what: "Batch job queue",
        action: "batch:SubmitJob",
    },
    Needs {
        types: &["AWS::Events::ApiDestination"],
        service: "events",
        prefix: "api-destination/",
        what: "API destination",
        action: "events:InvokeApiDestination",
    },
];

static BUS: Needs = Needs {
    types: &["AWS::Events::EventBus"],
    service: "events",
    prefix: "event-bus/",
    what: "event bus",
    action: "events:PutEvents",
};

impl Rule for TargetRoleMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (from, to, e) in cx.graph.edges(EdgeKind::Routes) {
            let Cfg::Target {
                target: Some(t),
                sam: false,
                ..
            } = e.cfg
            else {
                continue;
            };
            let rule = e.owner.res;
            let from_rule = cx
                .graph
                .node(from)
                .is_some_and(|n| n.kind == NodeKind::Resource && n.ty == "AWS::Events::Rule");
            if rule.ty != "AWS::Events::Rule"
                || !from_rule
                || presence(t.get("RoleArn")) != Some(false)
            {
                continue;
            }
            let Some(node) = cx.graph.node(to) else {
                continue;
            };
            // an in-scope resource of a kind that needs a role (a bus only in the same
            // template: same account), else what a literal ARN says
            let in_scope = match (node.kind, node.res) {
                (NodeKind::Resource, Some(res)) => KINDS
                    .iter()
                    .find(|k| k.types.contains(&res.ty.as_str()))
                    .or_else(|| {
                        (node.tpl == Some(e.owner.tpl) && BUS.types.contains(&res.ty.as_str()))
                            .then_some(&BUS)
                    })
                    .map(|k| (k, Some(res))),
                _ => None,
            };
            let by_text = || {
                t.get("Arn")
                    .and_then(|a| by_arn(&cx.sys.sym(e.owner.tpl, a)))
                    .map(|k| (k, None))
            };
            let Some((kind, res)) = in_scope.or_else(by_text) else {
                continue;
            };
            let id = t.get("Id").and_then(Node::as_str).unwrap_or_default();
            let name = match res {
                Some(r) => format!(" (`{}`)", r.id),
                None => String::new(),
            };
            let bus = std::ptr::eq(kind, &BUS);
            let why = if bus {
                "EventBridge sends to another bus of the same account only with a role"
            } else {
                "EventBridge delivers to it only with a role, so `PutTargets` rejects the target"
            };
            let article = if kind.what.starts_with(['a', 'e', 'A', 'E']) {
                "an"
            } else {
                "a"
            };
            // the target's first key: the target is where `RoleArn` goes
            let span = t.entries().first().map_or(e.span, |en| en.key_span);
            let mut f = Finding::new(
                span,
                format!(
                    "target `{id}` of rule `{}` is {article} {}{name} and has no RoleArn: {why}",
                    rule.id, kind.what
                ),
            )
            .resource(rule.id.clone())
            .help(format!(
                "add `RoleArn` to the target: a role `events.amazonaws.com` may assume that \
                 allows `{}` on it",
                kind.action
            ))
            .key(format!("target:{id}"));
            if let Some(r) = res {
                f = f.label(r.id_span, format!("the {}", kind.what));
            }
            if let Some(entry) = rule.props().entry("RoleArn") {
                f = f.label(
                    entry.key_span,
                    "the rule's RoleArn is not used to deliver to targets",
                );
            }
            if bus {
                f = f.severity(Severity::Warning);
            }
            out.push(f);
        }
        out
    }
}

/// The kind of target a literal ARN names, from its service and resource type: deploy-time
/// values stand for themselves, anything else unknown. A bus counts only when its account is
/// the stack's own (`${AWS::AccountId}`).
fn by_arn(sym: &Sym) -> Option<&'static Needs> {
    let mut text = String::new();
    for p in &sym.parts {
        match p {
            Part::Lit(s) => text.push_str(s),
            Part::Pseudo(name) => {
                text.push('\u{1}');
                text.push_str(name.trim_start_matches("AWS::"));
            }
            _ => text.push('\u{0}'),
        }
    }
    let f: Vec<&str> = text.splitn(6, ':').collect();
    let (Some(&"arn"), Some(&service), Some(&account), Some(&resource)) =
        (f.first(), f.get(2), f.get(4), f.get(5))
    else {
        return None;
    };
    let matches = |k: &Needs| {
        k.service == service && resource.starts_with(k.prefix) && !resource.starts_with('\u{0}')
    };
    if let Some(k) = KINDS.iter().find(|k| matches(k)) {
        return Some(k);
    }
    (matches(&BUS) && account == "\u{1}AccountId").then_some(&BUS)
}
