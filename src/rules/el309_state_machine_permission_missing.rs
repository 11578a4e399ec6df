use std::collections::HashMap;

use super::rule::prelude::*;
use crate::graph::{TaskCall, task_call};
use crate::model::iam::{Decision, PolicySet, allows, identity_policies};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports a Step Functions `Task` state that calls an in-scope Lambda function
    /// (`lambda:InvokeFunction`), SNS topic (`sns:Publish`), SQS queue (`sqs:SendMessage`),
    /// event bus (`events:PutEvents`) or state machine (`states:StartExecution`) that the state
    /// machine's role does not allow. The role is read from SAM `Policies` (policy templates,
    /// inline statements, known managed policies), connectors, or the in-scope `AWS::IAM::Role`
    /// named by `Role`/`RoleArn` with its inline, managed and attached policies.
    ///
    /// Nothing is reported when any part of the role cannot be known (a role from a parameter,
    /// a managed policy eventlint does not know, a condition), when the task names its target at
    /// run time, or when it calls a Lambda alias or version. For `.sync` executions only
    /// `states:StartExecution` is checked.
    ///
    /// ## Why it matters
    /// Step Functions calls the service with the state machine's role. Without the permission
    /// the task fails with an access-denied error on every execution; unless a `Catch` handles
    /// it, the execution fails and the event that started it is not processed.
    ///
    /// ## Example
    /// ```yaml
    /// OrderWorkflow:
    ///   Type: AWS::Serverless::StateMachine
    ///   Properties:
    ///     Definition:
    ///       StartAt: Charge
    ///       States:
    ///         Charge:  # expect: EL309
    ///           Type: Task
    ///           Resource: arn:aws:states:::lambda:invoke
    ///           Parameters: {FunctionName: !GetAtt PaymentFunction.Arn}
    ///           End: true
    ///     Policies:
    ///       - LambdaInvokePolicy: {FunctionName: !Ref InventoryFunction}
    /// ```
    ///
    /// ## How to fix
    /// Allow the action on the resource: with SAM, a policy template (`LambdaInvokePolicy`,
    /// `SNSPublishMessagePolicy`, `SQSSendMessagePolicy`, `EventBridgePutEventsPolicy`,
    /// `StepFunctionsExecutionPolicy`) or a connector; otherwise a statement on the role.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html>
    /// - <https://docs.aws.amazon.com/step-functions/latest/dg/sns-iam.html>
    /// - <https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-iam.html>
    /// - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html>
    pub StateMachinePermissionMissing {
        code: "EL309",
        name: "state-machine-permission-missing",
        severity: Error,
    }
}

impl Rule for StateMachinePermissionMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut sets: HashMap<(TplId, String), PolicySet> = HashMap::new();
        let mut out = Vec::new();
        for kind in [EdgeKind::Invokes, EdgeKind::Publishes] {
            for (_, to, e) in cx.graph.edges(kind) {
                let Some(call) = task_call(cx.sys, cx.graph, to, e) else {
                    continue;
                };
                let m = call.machine;
                let set = sets
                    .entry((m.tpl, m.res.id.clone()))
                    .or_insert_with(|| identity_policies(cx.sys, m));
                if let Decision::Denied(deny) = allows(cx.sys, set, call.action, call.target) {
                    out.push(finding(cx, &call, deny));
                }
            }
        }
        out
    }
}

/// The SAM policy template granting an action on a resource, as the user would write it.
fn template(action: &str, target: &str) -> String {
    match action {
        "lambda:InvokeFunction" => format!("LambdaInvokePolicy: {{FunctionName: !Ref {target}}}"),
        "sns:Publish" => {
            format!("SNSPublishMessagePolicy: {{TopicName: !GetAtt {target}.TopicName}}")
        }
        "sqs:SendMessage" => {
            format!("SQSSendMessagePolicy: {{QueueName: !GetAtt {target}.QueueName}}")
        }
        "events:PutEvents" => {
            format!("EventBridgePutEventsPolicy: {{EventBusName: !Ref {target}}}")
        }
        _ => format!("StepFunctionsExecutionPolicy: {{StateMachineName: !GetAtt {target}.Name}}"),
    }
}

fn finding(cx: &Context<'_>, call: &TaskCall<'_>, deny: Option<Span>) -> Finding {
    let sm = call.machine.res;
    let target = &call.target.res.id;
    let action = call.action;
    // where the permissions are declared: the role reference, else SAM `Policies`
    let role_key = if sm.ty == "AWS::Serverless::StateMachine" {
        "Role"
    } else {
        "RoleArn"
    };
    let role = sm
        .prop(role_key)
        .and_then(|r| cx.sys.target(call.machine.tpl, r, None))
        .filter(|r| r.res.ty == "AWS::IAM::Role");
    let declared = sm
        .props()
        .entry(role_key)
        .or_else(|| sm.props().entry("Policies"))
        .map_or(sm.id_span, |e| e.key_span);
    let span = if call.in_file { declared } else { call.span };
    let what = match deny {
        Some(_) => "denies",
        None => "does not allow",
    };
    let mut finding = Finding::new(
        span,
        format!(
            "task `{}` of state machine `{}` calls `{target}`, but the state machine's role \
             {what} `{action}` on it: the task fails with an access-denied error",
            call.state, sm.id
        ),
    )
    .resource(sm.id.clone())
    .key(format!("{}:{target}", call.path));
    finding = if call.in_file {
        finding.label(call.span, format!("task `{}` calls `{target}`", call.state))
    } else {
        finding.label(declared, "the state machine's permissions")
    };
    if let Some(r) = role {
        finding = finding.label(r.res.id_span, format!("role `{}`", r.res.id));
    }
    if let Some(at) = deny {
        finding = finding.label(at, format!("`{action}` is denied here"));
    }
    let help = match (role, sm.ty.as_str(), deny) {
        (_, _, Some(_)) => format!("remove `{target}` from the Deny, or stop calling it"),
        (None, "AWS::Serverless::StateMachine", None) => format!(
            "add `{}` to the state machine's `Policies`",
            template(action, target)
        ),
        (Some(r), _, None) => format!(
            "add a statement allowing `{action}` on `{target}` to role `{}`",
            r.res.id
        ),
        (None, _, None) => format!("allow `{action}` on `{target}` in the state machine's role"),
    };
    finding.help(help)
}
