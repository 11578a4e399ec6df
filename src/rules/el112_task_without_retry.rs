use super::rule::prelude::*;
use super::util_sfn::tasks_of;

declare_rule! {
    /// ## What it does
    /// Reports a Step Functions `Task` state (in an inline `Definition`, a `DefinitionString`
    /// or the file at `DefinitionUri`) that has no `Retry`.
    ///
    /// A `Retry` on an enclosing `Parallel` or `Map` state does not count: it runs the whole
    /// branch, or every iteration, again.
    ///
    /// ## Why it matters
    /// Service integrations fail transiently (`Lambda.ServiceException`,
    /// `Lambda.TooManyRequestsException`, throttling). Without `Retry` one transient error fails
    /// the state and, without a `Catch`, the whole execution: the event it was processing is lost
    /// unless something re-drives the execution.
    ///
    /// ## Example
    /// ```json
    /// "ProcessOrder": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}
    /// ```
    ///
    /// ## How to fix
    /// Add a `Retry` with backoff, e.g. for Lambda `ErrorEquals: [Lambda.ServiceException,
    /// Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.TooManyRequestsException]`,
    /// `IntervalSeconds: 2`, `MaxAttempts: 6`, `BackoffRate: 2`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html>
    /// - <https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html>
    pub TaskWithoutRetry { code: "EL112", name: "task-without-retry", severity: Warning }
}

impl Rule for TaskWithoutRetry {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        tasks_of(cx)
            .into_iter()
            .filter(|(_, t)| t.retry.is_none())
            .map(|(sm, t)| {
                Finding::new(t.name_span, format!("task state `{}` of state machine `{sm}` has no `Retry`", t.name))
                    .resource(sm)
                    .help("add a `Retry` with backoff for transient errors (for Lambda: Lambda.ServiceException, Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.TooManyRequestsException)")
                    .key(t.path.clone())
            })
            .collect()
    }
}
