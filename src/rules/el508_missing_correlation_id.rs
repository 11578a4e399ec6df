use super::rule::prelude::*;
use crate::code::events::has_path;

/// Field paths of the detail that carry a correlation id.
pub const CORRELATION_FIELDS: ListOption = ListOption {
    name: "correlation-fields",
    default: &[
        "correlationId",
        "correlation_id",
        "traceId",
        "metadata.correlationId",
    ],
    doc: "detail field paths (dotted) that carry a correlation id; names compare ignoring case, `_` and `-`",
};

declare_rule! {
    /// ## What it does
    /// Reports an event that handler code puts on an EventBridge bus whose detail is a
    /// statically known object without a correlation id (`correlationId`, `correlation_id`,
    /// `traceId`, `metadata.correlationId`; configurable).
    ///
    /// ## Why it matters
    /// Asynchronous flows lose the request that started them at every hop. Without an id that
    /// travels in the event, the logs of the producer and of each consumer cannot be joined
    /// when something fails or is retried.
    ///
    /// ## Example
    /// ```yaml
    /// # handler code
    /// events.put_events(Entries=[{
    ///     "Source": "com.example.orders",
    ///     "DetailType": "Order Placed.v1",
    ///     "Detail": json.dumps({"orderId": order_id}),
    /// }])
    /// ```
    ///
    /// ## How to fix
    /// Pass the id of the incoming request (or a new one) in the detail, e.g.
    /// `"metadata": {"correlationId": context.aws_request_id}`, and log it in every consumer.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/operatorguide/monitoring-observability.html>
    pub MissingCorrelationId { code: "EL508", name: "missing-correlation-id", severity: Info, lists: [CORRELATION_FIELDS] }
}

impl Rule for MissingCorrelationId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let fields = cx.options.list(Self::META.code, &CORRELATION_FIELDS);
        let mut out = Vec::new();
        for ev in &cx.contracts().published.events {
            let Some(detail) = ev.detail_object() else {
                continue;
            };
            if !fields.iter().all(|f| has_path(detail, f) == Some(false)) {
                continue;
            }
            let what = ev.detail_type().unwrap_or("an event");
            out.push(
                Finding::new(
                    ev.span,
                    format!(
                        "`{}` publishes `{what}` without a correlation id (`{}` or similar) in the detail",
                        ev.function,
                        fields.first().map_or("correlationId", String::as_str)
                    ),
                )
                .resource(&ev.function)
                .label(ev.entry_span, "the event entry")
                .help("carry the id of the request that caused the event in the detail, e.g. `metadata.correlationId`")
                .key(format!("{}/{what}", ev.source().unwrap_or("?"))),
            );
        }
        out
    }
}
