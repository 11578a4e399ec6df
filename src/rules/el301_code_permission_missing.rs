use super::rule::prelude::*;
use super::util_code_access::{prop_key, required_action, sam_template};
use crate::code::resolve::{CallTarget, call_targets};
use crate::model::iam::{Decision, allows, allows_default_bus, identity_policies};

declare_rule! {
    /// ## What it does
    /// Reports handler code that calls an operation (`events:PutEvents`, `sns:Publish`,
    /// `sqs:SendMessage`, `lambda:InvokeFunction`, `states:StartExecution`, DynamoDB writes,
    /// `s3:PutObject`, `kinesis:PutRecord[s]`, `firehose:PutRecord[Batch]`) on a resource of the
    /// template (or on the account's `default` event bus) that the function's role does not
    /// allow. The role is read from SAM `Policies` (policy templates, inline statements, known
    /// managed policies), `Role` to a role of the template with its attached policies, and
    /// connectors; when any of it cannot be known, nothing is reported.
    ///
    /// ## Why it matters
    /// The call fails at run time with `AccessDenied`. A SAM function without `Policies` gets
    /// only the basic execution role (CloudWatch Logs): every event it publishes is lost, and the
    /// error often surfaces only in production, after the deploy succeeded.
    ///
    /// ## Example
    /// ```yaml
    /// OrderFunction:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Handler: app.handler
    ///     CodeUri: src/
    ///     Environment:
    ///       Variables:
    ///         TOPIC_ARN: !Ref OrderTopic   # app.py: sns.publish(TopicArn=os.environ["TOPIC_ARN"], ...)
    /// ```
    ///
    /// ## How to fix
    /// Grant the action on the resource: a SAM policy template (`SNSPublishMessagePolicy:
    /// {TopicName: !GetAtt OrderTopic.TopicName}`, `EventBridgePutEventsPolicy: {EventBusName:
    /// default}`, `SQSSendMessagePolicy`, ...), a connector, or a statement in the role.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html>
    pub CodePermissionMissing { code: "EL301", name: "code-permission-missing", severity: Error }
}

impl Rule for CodePermissionMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ((tpl, id), code) in &cx.sys.code {
            let Some(f) = cx.sys.resource(*tpl, id) else {
                continue;
            };
            let mut set = None;
            for call in &code.facts.calls {
                let Some(action) = required_action(call) else {
                    continue;
                };
                let mut seen: Vec<String> = Vec::new();
                for target in call_targets(cx.sys, f, call) {
                    let set = set.get_or_insert_with(|| identity_policies(cx.sys, f));
                    let (decision, name, at) = match target {
                        CallTarget::Resource(h) => (
                            allows(cx.sys, set, action, h),
                            h.res.id.clone(),
                            Some(h.res.id_span),
                        ),
                        CallTarget::DefaultBus => (
                            allows_default_bus(cx.sys, set, action),
                            "default".to_string(),
                            None,
                        ),
                        CallTarget::Unknown(_) => continue,
                    };
                    let Decision::Denied(deny) = decision else {
                        continue;
                    };
                    if seen.contains(&name) {
                        continue;
                    }
                    seen.push(name.clone());
                    let what = if at.is_some() {
                        format!("`{name}`")
                    } else {
                        "the `default` event bus".to_string()
                    };
                    let mut finding = Finding::new(
                        call.span,
                        format!("`{id}` calls `{action}` on {what}, which its role does not allow"),
                    )
                    .resource(id)
                    .key(format!("{action}:{name}"));
                    if let Some(span) = at {
                        finding = finding.label(span, "the resource the code calls");
                    }
                    if let Some(span) = deny {
                        finding = finding.label(span, "the statement that denies it");
                    }
                    let role_key = prop_key(f.res, "Role");
                    finding =
                        match (role_key, prop_key(f.res, "Policies")) {
                            (Some(k), _) => finding
                                .label(k, "the role, which does not allow it")
                                .help(format!(
                                    "add a statement allowing `{action}` on {what} to the role"
                                )),
                            (None, Some(k)) => finding
                                .label(k, "the policies, none of which allows it")
                                .help(format!(
                                    "add `{}` for {what} to `Policies`",
                                    sam_template(action)
                                )),
                            (None, None) => finding
                                .label(
                                    f.res.id_span,
                                    "no `Policies`: only the basic execution role",
                                )
                                .help(format!(
                                    "add `Policies` with `{}` for {what}",
                                    sam_template(action)
                                )),
                        };
                    out.push(finding);
                }
            }
        }
        out
    }
}
