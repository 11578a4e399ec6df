use super::rule::prelude::*;
use crate::code::resolve::{CallTarget, call_targets, invocation_is_async};

declare_rule! {
    /// ## What it does
    /// Reports handler code that invokes another Lambda function synchronously: `Invoke` with no
    /// `InvocationType` or with `RequestResponse`.
    ///
    /// ## Why it matters
    /// The caller waits (and pays) for the callee, its timeout must cover the callee's, errors
    /// and throttles of the callee become the caller's, and a chain of such calls couples the
    /// availability of every function in it. AWS lists Lambda-to-Lambda synchronous calls as an
    /// anti-pattern: put a queue, a topic, an event bus or a Step Functions workflow in between.
    ///
    /// ## Example
    /// ```python
    /// lambda_client.invoke(FunctionName=os.environ["PRICING_FN"], Payload=json.dumps(order))
    /// ```
    ///
    /// ## How to fix
    /// Publish an event (EventBridge, SNS, SQS) the other function consumes, orchestrate both
    /// with Step Functions, or invoke asynchronously (`InvocationType='Event'`) when no answer is
    /// needed.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/operatorguide/functions-calling-functions.html>
    /// - <https://serverlessland.com/content/service/lambda/guides/aws-lambda-operator-guide/anti-patterns>
    pub SyncLambdaInvoke { code: "EL401", name: "sync-lambda-invoke", severity: Warning }
}

impl Rule for SyncLambdaInvoke {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ((tpl, id), code) in &cx.sys.code {
            let Some(f) = cx.sys.resource(*tpl, id) else {
                continue;
            };
            for call in code
                .facts
                .calls
                .iter()
                .filter(|c| c.service == "lambda" && c.operation == "Invoke")
            {
                if invocation_is_async(call) != Some(false) {
                    continue;
                }
                let target = call_targets(cx.sys, f, call)
                    .into_iter()
                    .find_map(|t| match t {
                        CallTarget::Resource(h) => Some(h),
                        _ => None,
                    });
                let name = target.map_or_else(
                    || "another function".to_string(),
                    |h| format!("`{}`", h.res.id),
                );
                let mut finding = Finding::new(call.span, format!("`{id}` invokes {name} synchronously and waits for its answer"))
                    .resource(id)
                    .help("publish an event the other function consumes, orchestrate both with Step Functions, or pass `InvocationType='Event'` if no answer is needed")
                    .key(format!("invoke:{}", target.map_or("?", |h| h.res.id.as_str())));
                if let Some(h) = target {
                    finding = finding.label(h.res.id_span, "the function invoked");
                }
                out.push(finding);
            }
        }
        out
    }
}
