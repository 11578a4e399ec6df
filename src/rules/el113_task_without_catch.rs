use super::rule::prelude::*;
use super::util_sfn::{caught, tasks_of};

declare_rule! {
    /// ## What it does
    /// Reports a Step Functions `Task` state that has no `Catch` and is not nested in a
    /// `Parallel` or `Map` state that has one.
    ///
    /// An error a nested task does not catch fails its branch or iteration, and with it the
    /// enclosing `Parallel` or `Map` state, whose `Catch` then handles it.
    ///
    /// ## Why it matters
    /// When retries are exhausted (or there are none), an uncaught error fails the whole
    /// execution: no compensation runs and nothing records which event was being processed.
    ///
    /// ## Example
    /// ```json
    /// "ChargeCard": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
    ///                "Retry": [{"ErrorEquals": ["States.ALL"]}], "End": true}
    /// ```
    ///
    /// ## How to fix
    /// Add a `Catch` that routes `States.ALL` to a failure-handling state (notify, compensate,
    /// or send the input to a queue) before failing.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html>
    pub TaskWithoutCatch { code: "EL113", name: "task-without-catch", severity: Info }
}

impl Rule for TaskWithoutCatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        tasks_of(cx)
            .into_iter()
            .filter(|(_, t)| !caught(t))
            .map(|(sm, t)| {
                Finding::new(
                    t.name_span,
                    format!(
                        "task state `{}` of state machine `{sm}` has no `Catch`",
                        t.name
                    ),
                )
                .resource(sm)
                .help("add a `Catch` on `States.ALL` that routes to a failure-handling state")
                .key(t.path.clone())
            })
            .collect()
    }
}
