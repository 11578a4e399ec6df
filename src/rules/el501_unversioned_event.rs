use super::rule::prelude::*;
use crate::code::events::{has_path, names_version};

/// Field paths of the detail that carry the event's version.
pub const VERSION_FIELDS: ListOption = ListOption {
    name: "version-fields",
    default: &[
        "version",
        "schemaVersion",
        "schema_version",
        "specversion",
        "metadata.version",
    ],
    doc: "detail field paths (dotted) that carry the event's version; names compare ignoring case, `_` and `-`",
};

declare_rule! {
    /// ## What it does
    /// Reports an event that handler code puts on an EventBridge bus whose detail is a
    /// statically known object without a version field (`version`, `schemaVersion`,
    /// `schema_version`, `specversion`, `metadata.version`; configurable) and whose detail-type
    /// and source carry no version either (`OrderPlaced.v2`, `order-placed-v1`).
    ///
    /// ## Why it matters
    /// Events are a contract with consumers you may not know. Without a version, the first
    /// incompatible change to the detail breaks every consumer at once, and rules cannot route
    /// old and new shapes to different targets during a migration.
    ///
    /// ## Example
    /// ```yaml
    /// # handler code
    /// events.put_events(Entries=[{
    ///     "Source": "com.example.orders",
    ///     "DetailType": "Order Placed",
    ///     "Detail": json.dumps({"orderId": order_id}),
    /// }])
    /// ```
    ///
    /// ## How to fix
    /// Add a version to the detail (`"version": "1"`, or `metadata.version`) or to the
    /// detail-type (`Order Placed.v1`), and bump it on every incompatible change.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html>
    pub UnversionedEvent { code: "EL501", name: "unversioned-event", severity: Warning, lists: [VERSION_FIELDS] }
}

impl Rule for UnversionedEvent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let fields = cx.options.list(Self::META.code, &VERSION_FIELDS);
        let mut out = Vec::new();
        for ev in &cx.contracts().published.events {
            let (Some(dt), Some(detail)) = (ev.detail_type(), ev.detail_object()) else {
                continue;
            };
            if names_version(dt) || ev.source().is_some_and(names_version) {
                continue;
            }
            // every configured path known to be absent
            let absent = fields.iter().all(|f| has_path(detail, f) == Some(false));
            if !absent {
                continue;
            }
            out.push(
                Finding::new(
                    ev.span,
                    format!(
                        "`{}` publishes `{dt}` without a version: no `{}` field in the detail and none in the detail-type",
                        ev.function,
                        fields.first().map_or("version", String::as_str)
                    ),
                )
                .resource(&ev.function)
                .label(ev.entry_span, "the event entry")
                .help("add a version field to the detail (e.g. `\"version\": \"1\"`) or a version to the detail-type (`Order Placed.v1`)")
                .key(format!("{}/{dt}", ev.source().unwrap_or("?"))),
            );
        }
        out
    }
}
