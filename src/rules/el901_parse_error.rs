use super::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a template, state machine definition or handler file that cannot be parsed, at
    /// the offending line: a YAML or JSON syntax error, a duplicate mapping key, an alias bomb,
    /// nesting deeper than 200 levels, invalid UTF-8, or a file too large to be a template.
    ///
    /// ## Why it matters
    /// CloudFormation rejects the file, and nothing in it can be checked. Duplicate keys are
    /// accepted by some YAML loaders (the last value wins) and rejected by others, so the
    /// template means different things to different tools.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Queue:
    ///     Type: AWS::SQS::Queue
    ///   Queue:            # expect: EL901 (duplicate key)
    ///     Type: AWS::SNS::Topic
    /// ```
    ///
    /// ## How to fix
    /// Fix the syntax at the reported position; rename or remove the duplicate key.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html>
    pub ParseError { code: "EL901", name: "parse-error", severity: Error }
}

impl Rule for ParseError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        // The key is the message and its rank among equal messages of the same file, never the
        // position: a fingerprint must survive edits that only move lines.
        let mut seen: std::collections::BTreeMap<(u32, &str), usize> = Default::default();
        cx.problems
            .iter()
            .map(|p| {
                let rank = seen.entry((p.span.file, p.message.as_str())).or_insert(0);
                *rank += 1;
                let f =
                    Finding::new(p.span, p.message.clone()).key(format!("{}#{rank}", p.message));
                match p.related {
                    Some(r) => f.label(r, "first defined here"),
                    None => f,
                }
            })
            .collect()
    }
}
