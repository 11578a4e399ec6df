use super::rule::prelude::*;
use super::util_events::{bus_name, rule_name};
use crate::model::pattern::Match;

declare_rule! {
    /// ## What it does
    /// Reports an event that handler code puts on one bus when the only rules in scope that
    /// match it listen on a different bus: `PutEvents` without `EventBusName` goes to the
    /// account's `default` bus, not to the custom bus the rule is on (or the reverse).
    ///
    /// ## Why it matters
    /// The event reaches a bus where nothing routes it and is dropped; the consumer's rule
    /// waits on the other bus forever. Nothing reports an error.
    ///
    /// ## Example
    /// ```yaml
    /// OrderRule:
    ///   Type: AWS::Events::Rule
    ///   Properties:
    ///     EventBusName: !Ref OrdersBus
    ///     EventPattern: {source: [com.example.orders]}
    /// # handler code: no EventBusName, so the default bus
    /// # events.put_events(Entries=[{"Source": "com.example.orders", ...}])
    /// ```
    ///
    /// ## How to fix
    /// Set `EventBusName` in the entry (usually from an environment variable holding the bus
    /// name), or put the rule on the bus the producer uses.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus.html>
    pub BusMismatch { code: "EL504", name: "bus-mismatch", severity: Error }
}

impl Rule for BusMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let c = cx.contracts();
        if !c.buses_known() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (p, bus, src, dt) in c.known_events() {
            let on_bus = c
                .rules_for(p)
                .filter(|r| r.bus == Some(bus))
                .any(|r| r.matches(p) != Match::No);
            if on_bus {
                continue;
            }
            let Some(other) = c
                .rules_for(p)
                .find(|r| r.bus.is_some_and(|b| b != bus) && r.matches(p) == Match::Yes)
            else {
                continue;
            };
            let here = bus_name(cx.graph, bus);
            let there = other.bus.map(|b| bus_name(cx.graph, b)).unwrap_or_default();
            let rule = rule_name(cx.graph, other);
            let how = if p.ev.bus == crate::code::events::Dest::DefaultBus {
                " (no `EventBusName`)"
            } else {
                ""
            };
            out.push(
                Finding::new(
                    p.ev.span,
                    format!(
                        "`{}` puts `{dt}` events from `{src}` on `{here}`{how}, but the rule that matches them, `{rule}`, is on `{there}`",
                        p.ev.function
                    ),
                )
                .resource(&p.ev.function)
                .label(other.span, format!("`{rule}` listens on `{there}`"))
                .help(format!("put the events on `{there}` (set `EventBusName`), or move the rule to `{here}`"))
                .key(format!("{here}->{there}:{src}/{dt}")),
            );
        }
        out
    }
}
