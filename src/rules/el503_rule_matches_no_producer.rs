use super::rule::prelude::*;
use super::util_events::{near_miss, rule_name};
use crate::model::pattern::{Match, literal_values};

declare_rule! {
    /// ## What it does
    /// Reports an EventBridge rule whose pattern names a custom (not `aws.`) source when no
    /// producer in scope emits an event with that source and detail-type, while every producer
    /// in scope is statically known. When a produced name is a near miss of the pattern's
    /// (`Order Placed` vs `OrderPlaced`, `OrderPlaced.v2`, a transposed letter), the finding is
    /// a warning and says which name was probably meant.
    ///
    /// ## Why it matters
    /// A rule that matches nothing is dead wiring: its target never runs, and usually the
    /// producer and the pattern were meant to agree but drifted apart.
    ///
    /// ## Example
    /// ```yaml
    /// OrderRule:
    ///   Type: AWS::Events::Rule
    ///   Properties:
    ///     EventPattern: {source: [com.example.orders], detail-type: [Order Placed]}
    /// # the only producer: events.put_events(Entries=[{"Source": "com.example.orders", "DetailType": "OrderPlaced", ...}])
    /// ```
    ///
    /// ## How to fix
    /// Correct the pattern (or the producer) so that the names agree, or delete the rule if its
    /// events are gone.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html>
    pub RuleMatchesNoProducer { code: "EL503", name: "rule-matches-no-producer", severity: Info }
}

impl Rule for RuleMatchesNoProducer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let c = cx.contracts();
        if !c.producers_all_known() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (r, pattern) in c.rules_on_known_buses() {
            let Some(sources) = literal_values(pattern, "source") else {
                continue;
            };
            if sources.iter().any(|s| s.starts_with("aws.")) {
                continue;
            }
            if c.producers_for(r)
                .any(|p| r.envelope_matches(p) != Match::No)
            {
                continue;
            }
            let produced_sources: Vec<&str> =
                c.producers.iter().filter_map(|p| p.ev.source()).collect();
            let rule = rule_name(cx.graph, r);
            let (field, wanted, candidates) =
                if sources.iter().any(|s| produced_sources.contains(s)) {
                    let types: Vec<&str> = c
                        .producers
                        .iter()
                        .filter(|p| p.ev.source().is_some_and(|s| sources.contains(&s)))
                        .filter_map(|p| p.ev.detail_type())
                        .collect();
                    (
                        "detail-type",
                        literal_values(pattern, "detail-type").unwrap_or_default(),
                        types,
                    )
                } else {
                    ("source", sources.clone(), produced_sources)
                };
            let Some(at) = pattern.get(field) else {
                continue;
            };
            let guess = wanted
                .iter()
                .find_map(|w| near_miss(w, &candidates).map(|g| (*w, g)));
            let names: Vec<String> = wanted.iter().map(|w| format!("`{w}`")).collect();
            let shown = if names.is_empty() {
                "its".to_string()
            } else {
                names.join(", ")
            };
            let mut msg =
                format!("no producer in scope emits the {field} {shown} that `{rule}` matches");
            if let Some((_, g)) = guess {
                msg.push_str(&format!(": did you mean `{g}`?"));
            }
            let mut f = Finding::new(at.span, msg)
                .resource(&r.owner)
                .key(format!("{rule}:{field}"));
            if let Some((w, g)) = guess {
                f = f.severity(Severity::Warning).help(format!(
                    "replace `{w}` with `{g}`, the {field} the code publishes"
                ));
                if let Some(p) = c.producers.iter().find(|p| {
                    (if field == "source" {
                        p.ev.source()
                    } else {
                        p.ev.detail_type()
                    }) == Some(g)
                }) {
                    f = f.label(p.ev.span, format!("`{}` publishes `{g}`", p.ev.function));
                }
            } else {
                f = f.help("make the pattern name what a producer publishes, or remove the rule if nothing publishes these events any more");
            }
            out.push(f);
        }
        out
    }
}
