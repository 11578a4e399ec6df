use super::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports that eventlint itself failed on a file or in a rule: a bug in eventlint, never in
    /// the analysed code. The finding names the rule and the file; the rest of the run goes on.
    ///
    /// ## Why it matters
    /// A crash must not hide every other finding, and a silent failure must not look like a
    /// clean result.
    ///
    /// ## Example
    /// ```text
    /// error[EL900]: rule EL106 failed on template.yaml: index out of bounds
    /// ```
    ///
    /// ## How to fix
    /// Report it to the eventlint maintainers with the file; suppress the failing rule meanwhile.
    ///
    /// ## References
    /// - <https://github.com/astral-sh/ruff> (panics turned into diagnostics, the model followed here)
    pub InternalError { code: "EL900", name: "internal-error", severity: Error }
}

impl Rule for InternalError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// The engine produces EL900 findings when a rule panics; the rule itself checks nothing.
    fn check(&self, _cx: &Context<'_>) -> Vec<Finding> {
        Vec::new()
    }
}
