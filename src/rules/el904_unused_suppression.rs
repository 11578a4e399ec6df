use super::rule::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an entry of a `Metadata: {eventlint: {ignore: [...]}}` list, on a resource or at
    /// the template's top level, that names no rule (not a code or name of any rule), or that
    /// silenced no finding in this run. Entries whose rule did not run (not selected, or
    /// ignored for the file by `per-path-ignores`) are not reported as unused.
    ///
    /// An entry `EL903:<rule>` naming one Guard rule is reported when no loaded policy (nor the
    /// shipped pack) defines that rule, and as unused when Guard evaluated the rule on the
    /// template but it silenced nothing. Where Guard did not run the rule (the policies are off,
    /// the policy is not about any resource of the template), the entry is not reported; nor is
    /// a plain `EL903` entry where Guard ran no policy.
    ///
    /// ## Why it matters
    /// A suppression outlives the defect it was written for: once the queue has its dead-letter
    /// queue, a forgotten `ignore: [EL101]` silently hides the next regression. A misspelt
    /// entry never worked at all, and the finding it was meant for is still reported, or worse,
    /// the reader believes it is handled.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Jobs:
    ///     Type: AWS::SQS::Queue
    ///     Metadata:
    ///       eventlint:
    ///         ignore:
    ///           - queue-without-dlq   # expect: EL904 (the queue has a RedrivePolicy)
    ///           - EL10                # expect: EL904 (no such rule; prefixes are not accepted)
    ///     Properties:
    ///       RedrivePolicy:
    ///         deadLetterTargetArn: !GetAtt JobsDlq.Arn
    ///         maxReceiveCount: 5
    ///   JobsDlq:
    ///     Type: AWS::SQS::Queue
    /// ```
    ///
    /// ## How to fix
    /// Remove the entry, or correct it to the code (`EL101`) or name (`queue-without-dlq`) of
    /// the rule it is meant for (in `EL903:<rule>`, the exact name of a Guard rule). To keep an
    /// entry that is unused on purpose, add `EL904` to the same list.
    ///
    /// ## References
    /// - <https://docs.astral.sh/ruff/rules/unused-noqa/> (RUF100, the model followed here)
    pub UnusedSuppression { code: "EL904", name: "unused-suppression", severity: Warning }
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// The engine runs this rule after all others, with each suppression marked as used or
    /// not (`cx.suppressions`).
    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for s in cx.suppressions {
            let place = s
                .resource
                .as_deref()
                .map_or_else(|| "this template".to_string(), |id| format!("`{id}`"));
            let finding = match (s.rule, s.policy.as_deref()) {
                (None, _) => Finding::new(
                    s.span,
                    format!(
                        "suppression `{}` on {place} names no rule: it silences nothing",
                        s.text
                    ),
                )
                .help("use a rule code (`EL101`) or name (`queue-without-dlq`); `eventlint rules` lists them"),
                (Some(_), Some(policy)) if cx.policy_runs.unknown(policy) => Finding::new(
                    s.span,
                    format!(
                        "suppression `{}` on {place} names no Guard rule: no policy defines `{policy}`, it silences nothing",
                        s.text
                    ),
                )
                .help(guard_rules_help(&cx.policy_runs.defined)),
                (Some(rule), Some(policy)) if s.checked && !s.used => {
                    Finding::new(
                        s.span,
                        format!(
                            "suppression of {} ({}) for Guard rule `{policy}` on {place} is unused: there is no `{policy}` finding to silence",
                            rule.code, rule.name
                        ),
                    )
                    .help("remove the entry")
                }
                (Some(rule), None) if s.checked && !s.used => Finding::new(
                    s.span,
                    format!(
                        "suppression of {} ({}) on {place} is unused: there is no {} finding to silence",
                        rule.code, rule.name, rule.code
                    ),
                )
                .help("remove the entry"),
                _ => continue,
            };
            let scope = s.resource.as_deref().unwrap_or("");
            let mut finding = finding.key(format!("{scope}:{}", s.text));
            if let Some(id) = &s.resource {
                finding = finding.resource(id.clone());
            }
            out.push(finding);
        }
        out
    }
}

/// The Guard rules there are, when they are few enough to list.
fn guard_rules_help(defined: &std::collections::BTreeSet<String>) -> String {
    const LISTED: usize = 12;
    if defined.is_empty() {
        return "no loaded policy defines a rule; use `EL903` for every policy finding".into();
    }
    if defined.len() > LISTED {
        return format!(
            "the policies define {} rules (`rule <name>` in the policy files); Guard rule names are case-sensitive",
            defined.len()
        );
    }
    let names: Vec<String> = defined.iter().map(|n| format!("`{n}`")).collect();
    format!("the policies define {}", names.join(", "))
}
