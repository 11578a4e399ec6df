//! Suppressions: `Metadata: {eventlint: {ignore: [EL101, queue-without-dlq]}}` on a resource
//! (findings whose resource it is, wherever they point: the template or the resource's
//! definition file) or at the template's top level (the whole file).

use crate::diagnostic::Diagnostic;
use crate::model::{Node, System, Template};

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

/// Whether a diagnostic is suppressed by template metadata: the top-level `Metadata` of its
/// template, or the `Metadata` of its resource. A finding in a state machine's definition file
/// (`DefinitionUri`) belongs to the template of that state machine; when several templates use
/// the file for a state machine of that name, every one of them must suppress it.
#[must_use]
pub fn is_suppressed(sys: &System, d: &Diagnostic) -> bool {
    let owners = templates_of(sys, d);
    !owners.is_empty()
        && owners.iter().all(|t| {
            ignores(t.root.get("Metadata"), d)
                || d.finding
                    .resource
                    .as_deref()
                    .and_then(|id| t.resource(id))
                    .is_some_and(|r| ignores(r.node.get("Metadata"), d))
        })
}

/// The templates a diagnostic belongs to (see [`is_suppressed`]), in template order.
fn templates_of<'a>(sys: &'a System, d: &Diagnostic) -> Vec<&'a Template> {
    let file = d.finding.span.file;
    if let Some(t) = sys.templates.iter().find(|t| t.file == file) {
        return vec![t];
    }
    let Some(id) = d.finding.resource.as_deref() else {
        return Vec::new();
    };
    let mut tpls: Vec<usize> = sys
        .definitions
        .iter()
        .filter(|((_, sm), def)| def.in_file && def.root.span.file == file && sm == id)
        .map(|((tpl, _), _)| *tpl)
        .collect();
    tpls.sort_unstable();
    tpls.dedup();
    tpls.into_iter()
        .filter_map(|t| sys.templates.get(t))
        .collect()
}
