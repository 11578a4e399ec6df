use super::rule::prelude::*;
use crate::code::Val;

declare_rule! {
    /// ## What it does
    /// Reports handler code that puts an event on EventBridge with a `Source` beginning with
    /// `aws.` (a literal, or a template string whose literal start is `aws.`).
    ///
    /// ## Why it matters
    /// Sources beginning with `aws.` are reserved for AWS services. `PutEvents` rejects the
    /// entry (the call succeeds with `FailedEntryCount` > 0 and an error per entry), so the event
    /// is lost unless the code checks the response.
    ///
    /// ## Example
    /// ```yaml
    /// # handler code
    /// events.put_events(Entries=[{"Source": "aws.orders", "DetailType": "Order Placed", "Detail": "{}"}])
    /// ```
    ///
    /// ## How to fix
    /// Use your own reverse-domain source (`com.example.orders`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html>
    pub ReservedEventSource { code: "EL507", name: "reserved-event-source", severity: Error }
}

/// The literal start of a value.
fn literal_start(v: &Val) -> Option<&str> {
    match v {
        Val::Str(s) => Some(s),
        Val::Concat(parts) => parts.first().and_then(Val::as_str),
        _ => None,
    }
}

impl Rule for ReservedEventSource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ev in &cx.contracts().published.events {
            let Some(start) = literal_start(&ev.source) else {
                continue;
            };
            if !start.starts_with("aws.") {
                continue;
            }
            let shown = ev
                .source()
                .map_or_else(|| format!("{start}…"), str::to_string);
            out.push(
                Finding::new(
                    ev.span,
                    format!(
                        "`{}` puts events with source `{shown}`: sources beginning with `aws.` are reserved and PutEvents rejects the entry",
                        ev.function
                    ),
                )
                .resource(&ev.function)
                .label(ev.entry_span, "the event entry")
                .help("use a source of your own, such as `com.example.orders`")
                .key(format!("source:{shown}")),
            );
        }
        out
    }
}
