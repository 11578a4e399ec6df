use super::rule::prelude::*;
use crate::code::Located;

declare_rule! {
    /// ## What it does
    /// Reports a function whose handler source cannot be found from `CodeUri` + `Handler` +
    /// `Runtime` (SAM `Globals` applied) or `InlineCode`/`Code.ZipFile`: the folder or file
    /// does not exist, the code is in S3 or an archive, or the handler is missing. Functions on
    /// runtimes eventlint does not read (Java, Go, .NET, container images) are not reported.
    ///
    /// ## Why it matters
    /// The code-based rules (permissions the code needs, synchronous chains, loops, event
    /// contracts) skip the function: what it does is unknown, so nothing is reported about it.
    ///
    /// ## Example
    /// ```yaml
    /// Worker:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Runtime: python3.12
    ///     Handler: app.handler
    ///     CodeUri: workers/      # expect: EL902 (no workers/app.py)
    /// ```
    ///
    /// ## How to fix
    /// Point `CodeUri` at the folder holding the handler module, or run eventlint on the
    /// repository that contains the source. Suppress the rule for code built elsewhere.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html>
    pub UnresolvedHandler { code: "EL902", name: "unresolved-handler", severity: Info }
}

impl Rule for UnresolvedHandler {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        cx.sys
            .code
            .values()
            .filter_map(|c| match &c.located {
                Located::Missing { reason, span } => Some(
                    Finding::new(*span, format!("handler source of `{}` not found: {reason}; code rules skip it", c.id))
                        .resource(&c.id)
                        .help("point `CodeUri` and `Handler` at the source, or analyse the repository that holds it")
                        .key("handler"),
                ),
                _ => None,
            })
            .collect()
    }
}
