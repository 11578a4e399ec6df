//! The engine: select rules, run them in parallel (a panicking rule becomes an EL900 finding),
//! stamp code/name/severity, apply suppressions, sort.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Finding, Severity};
use crate::rules::rule::{Context, Rule, RuleMeta};
use crate::rules::{ALL, el900_internal_error::InternalError};
use crate::source::Span;
use crate::suppress;

/// Which rules run and how severe their findings are.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Codes, names or code prefixes to run (empty: all).
    pub select: Vec<String>,
    /// Codes, names or code prefixes not to run.
    pub ignore: Vec<String>,
    /// Per-rule severity overrides (code or name -> severity).
    pub severities: Vec<(String, Severity)>,
}

/// Whether a selector (code, name or code prefix such as `EL1`) names a rule.
#[must_use]
pub fn selector_matches(sel: &str, meta: &RuleMeta) -> bool {
    let sel = sel.trim();
    sel.eq_ignore_ascii_case(meta.name)
        || (!sel.is_empty() && meta.code.starts_with(&sel.to_ascii_uppercase()))
}

impl Selection {
    #[must_use]
    pub fn enabled(&self, meta: &RuleMeta) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, meta)))
            && !self.ignore.iter().any(|s| selector_matches(s, meta))
    }

    fn severity(&self, meta: &RuleMeta, finding: &Finding) -> Severity {
        self.severities
            .iter()
            .rev()
            .find(|(s, _)| selector_matches(s, meta))
            .map_or_else(
                || finding.severity.unwrap_or(meta.severity),
                |(_, sev)| *sev,
            )
    }
}

/// Run the selected rules of the registry and return sorted, suppressed diagnostics.
#[must_use]
pub fn run(cx: &Context<'_>, selection: &Selection) -> Vec<Diagnostic> {
    run_rules(cx, ALL, selection)
}

/// Run the rules of `rules` that `selection` enables: a rule that panics becomes an EL900
/// finding (unless EL900 is deselected) and the others still run. Findings are stamped,
/// suppressed, sorted and deduplicated. [`run`] passes the registry; tests pass their own rules.
#[must_use]
pub fn run_rules(cx: &Context<'_>, rules: &[&dyn Rule], selection: &Selection) -> Vec<Diagnostic> {
    let rules: Vec<&dyn Rule> = rules
        .iter()
        .copied()
        .filter(|r| selection.enabled(r.meta()))
        .collect();
    let internal_enabled = selection.enabled(&InternalError::META);
    let mut out: Vec<Diagnostic> = rules
        .par_iter()
        .flat_map_iter(|rule| {
            let meta = rule.meta();
            match catch_unwind(AssertUnwindSafe(|| rule.check(cx))) {
                Ok(findings) => findings
                    .into_iter()
                    .map(|f| Diagnostic {
                        code: meta.code,
                        name: meta.name,
                        severity: selection.severity(meta, &f),
                        finding: f,
                    })
                    .collect::<Vec<_>>(),
                Err(panic) if internal_enabled => vec![internal_error(meta, &panic, cx)],
                Err(_) => Vec::new(),
            }
        })
        .collect();
    out.retain(|d| !suppress::is_suppressed(cx.sys, d));
    sort(cx, &mut out);
    out.dedup_by(|a, b| {
        a.code == b.code
            && a.finding.span == b.finding.span
            && a.finding.message == b.finding.message
    });
    out
}

fn internal_error(
    meta: &RuleMeta,
    panic: &Box<dyn std::any::Any + Send>,
    cx: &Context<'_>,
) -> Diagnostic {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into());
    // Point at the first template: rules work on the whole system.
    let span = cx.sys.templates.first().map_or(Span::default(), |t| Span {
        file: t.file,
        start: 0,
        end: 0,
    });
    let files: Vec<&str> = cx
        .sys
        .templates
        .iter()
        .filter_map(|t| cx.sys.db.get(t.file).map(|f| f.path.as_str()))
        .collect();
    let finding = Finding::new(
        span,
        format!("rule {} ({}) failed: {what}", meta.code, meta.name),
    )
    .help(format!(
        "this is a bug in eventlint; analysed files: {}",
        files.join(", ")
    ))
    .key(meta.code);
    Diagnostic {
        code: InternalError::META.code,
        name: InternalError::META.name,
        severity: Severity::Error,
        finding,
    }
}

/// Sort by file, line, column, code, message.
pub fn sort(cx: &Context<'_>, diags: &mut [Diagnostic]) {
    let path = |d: &Diagnostic| {
        cx.sys
            .db
            .get(d.finding.span.file)
            .map_or("", |f| f.path.as_str())
    };
    diags.sort_by(|a, b| {
        path(a)
            .cmp(path(b))
            .then(a.finding.span.start.cmp(&b.finding.span.start))
            .then(a.code.cmp(b.code))
            .then(a.finding.message.cmp(&b.finding.message))
            .then(a.finding.span.end.cmp(&b.finding.span.end))
    });
}
