use super::rule::prelude::*;
use super::util_events::rule_name;
use crate::code::Val;
use crate::model::pattern::{Match, detail_fields};
use crate::model::{Kind, Node};

declare_rule! {
    /// ## What it does
    /// Reports a field under `detail` that an EventBridge pattern filters on when none of the
    /// producers in scope whose source and detail-type the pattern matches sets that field,
    /// and the detail of every one of them is statically known. A field tested with
    /// `{"exists": false}` is not reported.
    ///
    /// ## Why it matters
    /// A filter on a field nobody sends never matches: the rule's target never runs. Usually the
    /// field was renamed (`orderTotal` -> `total`) or lives at another depth (`order.total`).
    ///
    /// ## Example
    /// ```yaml
    /// BigOrders:
    ///   Type: AWS::Events::Rule
    ///   Properties:
    ///     EventPattern:
    ///       source: [com.example.orders]
    ///       detail-type: [Order Placed]
    ///       detail: {orderTotal: [{numeric: [">", 1000]}]}
    /// # the producer: "Detail": json.dumps({"orderId": oid, "total": total})
    /// ```
    ///
    /// ## How to fix
    /// Filter on a field the producers set (with the same nesting), or add the field to the
    /// event.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html>
    pub PatternFieldNeverProduced { code: "EL505", name: "pattern-field-never-produced", severity: Warning }
}

/// Whether a detail value has a field at `path` (case-sensitive, as EventBridge matches; lists
/// are searched element by element); `None` when it cannot be known.
fn has(v: &Val, path: &[String], depth: usize) -> Option<bool> {
    let Some((first, rest)) = path.split_first() else {
        return Some(true);
    };
    if depth > 64 {
        return None;
    }
    match v {
        Val::Object(fields) => match fields.iter().find(|(k, _, _)| k == first) {
            Some((_, inner, _)) => has(inner, rest, depth + 1),
            None => Some(false),
        },
        Val::List(items) => {
            let mut out = Some(false);
            for x in items {
                match has(x, path, depth + 1) {
                    Some(true) => return Some(true),
                    None => out = None,
                    Some(false) => {}
                }
            }
            out
        }
        Val::Unknown => None,
        // strings, numbers, booleans have no fields
        _ => Some(false),
    }
}

/// Whether the pattern tests the field at `path` (under `detail`) with `exists: false`.
fn tests_absence(pattern: &Node, path: &[String]) -> bool {
    let mut cur = pattern.get("detail");
    for p in path {
        cur = cur.and_then(|n| n.get(p));
    }
    cur.is_some_and(|leaf| {
        leaf.items().iter().any(|it| {
            it.get("exists")
                .is_some_and(|e| matches!(e.kind, Kind::Bool(false)))
        })
    })
}

impl Rule for PatternFieldNeverProduced {
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
            if !r.has_envelope() {
                continue;
            }
            let candidates: Vec<(&_, Match)> = c
                .producers_for(r)
                .map(|p| (p, r.envelope_matches(p)))
                .collect();
            let ours: Vec<_> = candidates
                .iter()
                .filter(|(_, m)| *m == Match::Yes)
                .map(|(p, _)| *p)
                .collect();
            if ours.is_empty() || candidates.iter().any(|(_, m)| *m == Match::Unknown) {
                continue;
            }
            let Some(details) = ours
                .iter()
                .map(|p| p.ev.detail_object())
                .collect::<Option<Vec<&Val>>>()
            else {
                continue;
            };
            let rule = rule_name(cx.graph, r);
            for (path, span) in detail_fields(pattern) {
                if tests_absence(pattern, &path) {
                    continue;
                }
                if details.iter().any(|d| has(d, &path, 0) != Some(false)) {
                    continue;
                }
                let dotted = path.join(".");
                let what = ours
                    .first()
                    .and_then(|p| p.ev.detail_type())
                    .unwrap_or("these events");
                let mut f = Finding::new(
                    span,
                    format!("`{rule}` filters on `detail.{dotted}`, which no producer of `{what}` sets: the rule never matches"),
                )
                .resource(&r.owner)
                .help("filter on a field the producers set (with the same nesting), or add the field to the event")
                .key(format!("{rule}:detail.{dotted}"));
                if let Some(p) = ours.first() {
                    f = f.label(
                        p.ev.span,
                        format!("`{}` publishes `{what}` without it", p.ev.function),
                    );
                }
                out.push(f);
            }
        }
        out
    }
}
