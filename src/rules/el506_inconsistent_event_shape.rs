use std::collections::BTreeMap;

use super::el501_unversioned_event::VERSION_FIELDS;
use super::rule::prelude::*;
use crate::code::Val;
use crate::code::events::{BusEvent, get_path};

declare_rule! {
    /// ## What it does
    /// Reports an event type (source and detail-type, and version when the detail carries
    /// one) that handler code publishes in several places with different sets of top-level
    /// detail fields. Only events whose detail keys are all statically known are compared;
    /// different versions of an event may differ.
    ///
    /// ## Why it matters
    /// Consumers and patterns are written against one shape. When two producers disagree, some
    /// events miss fields a consumer needs (a `KeyError` in production) or never match a
    /// pattern that filters on them.
    ///
    /// ## Example
    /// ```yaml
    /// # checkout handler: json.dumps({"orderId": oid, "total": total})
    /// # import handler:   json.dumps({"order_id": oid, "total": total})
    /// ```
    ///
    /// ## How to fix
    /// Build the event in one shared function (or from one schema), or give the new shape a
    /// new version.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-schema.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html>
    pub InconsistentEventShape { code: "EL506", name: "inconsistent-event-shape", severity: Warning }
}

/// (source, detail-type, version) -> each producer with its sorted top-level detail keys.
type Groups<'a> = BTreeMap<(String, String, String), Vec<(&'a BusEvent, Vec<String>)>>;

/// The literal text of a version value.
fn version_text(v: &Val) -> Option<String> {
    match v {
        Val::Str(s) | Val::Num(s) => Some(s.clone()),
        _ => None,
    }
}

impl Rule for InconsistentEventShape {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let version_fields = cx.options.list("EL501", &VERSION_FIELDS);
        let mut groups = Groups::new();
        for ev in &cx.contracts().published.events {
            let (Some(src), Some(dt), Some(Val::Object(fields))) =
                (ev.source(), ev.detail_type(), ev.detail_object())
            else {
                continue;
            };
            let mut version = String::new();
            let mut known = true;
            for f in &version_fields {
                if let Some(v) = ev.detail_object().and_then(|d| get_path(d, f)) {
                    match version_text(v) {
                        Some(t) => version = t,
                        None => known = false,
                    }
                    break;
                }
            }
            if !known {
                continue;
            }
            let mut keys: Vec<String> = fields.iter().map(|(k, _, _)| k.clone()).collect();
            keys.sort();
            keys.dedup();
            let key = (src.to_string(), dt.to_string(), version);
            groups.entry(key).or_default().push((ev, keys));
        }
        let mut out = Vec::new();
        for ((src, dt, _), list) in &groups {
            let Some((first, base)) = list.first() else {
                continue;
            };
            for (ev, keys) in list.iter().skip(1) {
                if keys == base {
                    continue;
                }
                let missing: Vec<String> = base
                    .iter()
                    .filter(|k| !keys.contains(k))
                    .map(|k| format!("`{k}`"))
                    .collect();
                let extra: Vec<String> = keys
                    .iter()
                    .filter(|k| !base.contains(k))
                    .map(|k| format!("`{k}`"))
                    .collect();
                let mut diff = Vec::new();
                if !missing.is_empty() {
                    diff.push(format!("without {}", missing.join(", ")));
                }
                if !extra.is_empty() {
                    diff.push(format!("with {}", extra.join(", ")));
                }
                out.push(
                    Finding::new(
                        ev.span,
                        format!(
                            "`{}` publishes `{dt}` from `{src}` {} compared with `{}`",
                            ev.function,
                            diff.join(" and "),
                            first.function
                        ),
                    )
                    .resource(&ev.function)
                    .label(first.span, format!("`{}` publishes it with {}", first.function, base.join(", ")))
                    .help("build the event in one shared place, or publish the new shape under a new version")
                    .key(format!("{src}/{dt}:{}", keys.join(","))),
                );
            }
        }
        out
    }
}
