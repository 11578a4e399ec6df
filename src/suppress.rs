//! Suppressions: `Metadata: {eventlint: {ignore: [EL101, queue-without-dlq]}}` on a resource
//! (findings whose resource it is) or at the template's top level (the whole file).

use crate::diagnostic::Diagnostic;
use crate::model::{Node, System};

fn ignores(metadata: Option<&Node>, d: &Diagnostic) -> bool {
    metadata
        .and_then(|m| m.path(&["eventlint", "ignore"]))
        .map(|list| {
            if list.is_seq() {
                list.items().iter().collect::<Vec<_>>()
            } else {
                vec![list]
            }
        })
        .is_some_and(|items| {
            items.iter().filter_map(|n| n.as_str()).any(|s| {
                let s = s.trim();
                s.eq_ignore_ascii_case(d.code) || s.eq_ignore_ascii_case(d.name)
            })
        })
}

/// Whether a diagnostic is suppressed by template metadata.
#[must_use]
pub fn is_suppressed(sys: &System, d: &Diagnostic) -> bool {
    let Some(t) = sys.templates.iter().find(|t| t.file == d.finding.span.file) else {
        return false;
    };
    if ignores(t.root.get("Metadata"), d) {
        return true;
    }
    d.finding
        .resource
        .as_deref()
        .and_then(|id| t.resource(id))
        .is_some_and(|r| ignores(r.node.get("Metadata"), d))
}
