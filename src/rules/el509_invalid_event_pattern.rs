use super::rule::prelude::*;
use crate::model::pattern::validate;
use crate::model::{Kind, json};

declare_rule! {
    /// ## What it does
    /// Validates EventBridge event patterns (`AWS::Events::Rule` `EventPattern`, SAM
    /// `EventBridgeRule`/`CloudWatchEvent` `Pattern`): every leaf must be an array, operators
    /// must exist (`prefix`, `suffix`, `anything-but`, `numeric`, `exists`, `cidr`,
    /// `equals-ignore-case`, `wildcard`, `$or`), `exists` must be a boolean, and `numeric`,
    /// `cidr` and `wildcard` must have their documented shapes.
    ///
    /// ## Why it matters
    /// CloudFormation rejects a malformed pattern when the rule is created, so the whole stack
    /// fails to deploy; a pattern that is well-formed but not what was meant matches nothing.
    ///
    /// ## Example
    /// ```yaml
    /// OrderRule:
    ///   Type: AWS::Events::Rule
    ///   Properties:
    ///     EventPattern:
    ///       source: orders.service      # expect: EL509 (must be [orders.service])
    /// ```
    ///
    /// ## How to fix
    /// Write every value as a list (`source: [orders.service]`) and use only documented
    /// operators with their documented shapes.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html>
    pub InvalidEventPattern { code: "EL509", name: "invalid-event-pattern", severity: Error }
}

impl Rule for InvalidEventPattern {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (_, rule, e) in cx.graph.edges(EdgeKind::Routes) {
            let Cfg::Target {
                target: None,
                pattern: Some(pattern),
                ..
            } = &e.cfg
            else {
                continue;
            };
            let rule_id = cx.graph.node(rule).map_or("", |n| n.id.as_str());
            // A plain-CloudFormation pattern may be a JSON string: parse it, spans on the string.
            let parsed;
            let node = if let Kind::Str(text) = &pattern.kind {
                let Some(mut root) = json::load(text, pattern.span.file).root else {
                    continue;
                };
                root.walk_mut(&mut |n| n.span = pattern.span);
                parsed = root;
                &parsed
            } else {
                *pattern
            };
            for p in validate(node) {
                out.push(
                    Finding::new(p.span, format!("event pattern of `{rule_id}`: {}", p.message))
                        .resource(&e.owner.res.id)
                        .help("write every value as a list and use only documented operators; CloudFormation rejects this pattern")
                        .key(format!("{rule_id}:{}", p.message)),
                );
            }
        }
        out
    }
}
