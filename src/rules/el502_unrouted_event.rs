use super::rule::prelude::*;
use super::util_events::{bus_name, rule_name};
use crate::model::pattern::{Match, detail_fields, literal_values};

declare_rule! {
    /// ## What it does
    /// Reports an event that handler code puts on a bus (with a literal source and
    /// detail-type) when a rule in scope on that bus listens to the same source, but no rule,
    /// on that bus or any other, matches the event. Sources no rule here listens to are
    /// consumed elsewhere and not reported.
    ///
    /// ## Why it matters
    /// EventBridge accepts every event and silently drops the ones no rule matches. A typo in
    /// the detail-type, a renamed event or a narrowed pattern loses events without an error in
    /// the producer, the bus or the consumer.
    ///
    /// ## Example
    /// ```yaml
    /// OrderRule:
    ///   Type: AWS::Events::Rule
    ///   Properties:
    ///     EventPattern: {source: [com.example.orders], detail-type: [Order Placed]}
    /// # handler code
    /// # events.put_events(Entries=[{"Source": "com.example.orders", "DetailType": "OrderPlaced", ...}])
    /// ```
    ///
    /// ## How to fix
    /// Make the producer's source and detail-type and the rule's pattern agree, or add the
    /// rule that should receive the event. When a rule on the bus matches the source and
    /// detail-type and only its `detail` filter excludes the event, the finding names that rule
    /// and the detail fields it filters on: send them with the values it expects, or widen the
    /// pattern.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rules.html>
    pub UnroutedEvent { code: "EL502", name: "unrouted-event", severity: Warning }
}

impl Rule for UnroutedEvent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let c = cx.contracts();
        // a rule on a bus not known here may be the one that routes the event
        if !c.buses_known() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (p, bus, src, dt) in c.known_events() {
            // the contract of this source is kept here only when a rule on the bus in scope
            // listens to it; otherwise its consumers are elsewhere (another stack, account)
            let source_consumed_here = c.rules_for(p).any(|r| {
                r.bus == Some(bus)
                    && r.pattern
                        .as_ref()
                        .and_then(|p| literal_values(p, "source"))
                        .is_some_and(|v| v.contains(&src))
            });
            if !source_consumed_here {
                continue;
            }
            let routed = c.rules_for(p).any(|r| r.matches(p) != Match::No);
            if routed {
                continue;
            }
            let name = bus_name(cx.graph, bus);
            let mut f = Finding::new(
                p.ev.span,
                format!(
                    "`{}` puts `{dt}` events from `{src}` on `{name}`, but no rule matches them: EventBridge drops them",
                    p.ev.function
                ),
            )
            .resource(&p.ev.function)
            .label(p.ev.entry_span, "the event entry")
            .key(format!("{name}:{src}/{dt}"));
            // a rule whose source and detail-type agree: its `detail` filter is what fails
            let by_detail = c
                .rules_for(p)
                .find(|r| r.bus == Some(bus) && r.envelope_matches(p) == Match::Yes);
            f = match by_detail.and_then(|r| Some((r, r.pattern.as_ref()?))) {
                Some((r, pattern)) => {
                    let rule = rule_name(cx.graph, r);
                    let fields: Vec<String> = detail_fields(pattern)
                        .into_iter()
                        .map(|(path, _)| format!("`detail.{}`", path.join(".")))
                        .collect();
                    f.label(r.span, format!("`{rule}` matches the source and detail-type"))
                        .help(format!(
                            "`{rule}` listens to this source and detail-type, but its `detail` filter ({}) excludes the event: send the fields and values it filters on, or widen the pattern",
                            fields.join(", ")
                        ))
                }
                None => f.help("make the source and detail-type agree with the pattern of the rule that should receive the event, or add that rule"),
            };
            out.push(f);
        }
        out
    }
}
