//! The engine: select rules, run them in parallel (a panicking rule becomes an EL900 finding),
//! stamp code/name/severity, drop what per-path ignores and suppressions silence, then run the
//! rules about suppressions (EL904) with what was silenced, and sort.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Finding, Severity};
use crate::rules::el903_policy_violation::PolicyViolation;
use crate::rules::el904_unused_suppression::UnusedSuppression;
use crate::rules::rule::{Context, Rule, RuleMeta, RuleOptions, lookup};
use crate::rules::{ALL, el900_internal_error::InternalError};
use crate::source::{FileId, Span};
use crate::suppress;

/// Which rules run, where, how severe their findings are, and with which options.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Codes, names or code prefixes to run (empty: all).
    pub select: Vec<String>,
    /// Codes, names or code prefixes not to run.
    pub ignore: Vec<String>,
    /// Per-rule severity overrides (code or name -> severity).
    pub severities: Vec<(String, Severity)>,
    /// Rules whose findings are dropped in the files a glob matches.
    pub per_path: Vec<PathIgnore>,
    /// Rule thresholds (`[rules.EL106] visibility-factor = 4`).
    pub options: RuleOptions,
}

/// `per-path-ignores = { "legacy/**" = ["EL101"] }`: a glob over file paths relative to `base`
/// (the configuration file's folder) and the rules it silences there.
#[derive(Clone, Debug)]
pub struct PathIgnore {
    pub glob: globset::GlobMatcher,
    pub base: PathBuf,
    /// Codes, names or code prefixes.
    pub rules: Vec<String>,
}

impl PathIgnore {
    /// Whether the glob matches `path` relative to `base` (never when it is outside `base`).
    #[must_use]
    pub fn matches(&self, path: &Path) -> bool {
        absolute(path)
            .strip_prefix(absolute(&self.base))
            .is_ok_and(|rel| self.glob.is_match(rel))
    }
}

/// `path` made absolute, with `.` and `..` resolved lexically (symlinks are not followed).
fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether a selector (code, name or code prefix such as `EL1`) names a rule.
#[must_use]
pub fn selector_matches(sel: &str, meta: &RuleMeta) -> bool {
    let sel = sel.trim();
    sel.eq_ignore_ascii_case(meta.name)
        || (!sel.is_empty() && meta.code.starts_with(&sel.to_ascii_uppercase()))
}

/// Whether a selector names at least one rule.
#[must_use]
pub fn selector_known(sel: &str) -> bool {
    ALL.iter().any(|r| selector_matches(sel, r.meta()))
}

/// The Guard rule an ignore entry `EL903:<rule>` or `policy-violation:<rule>` names: it
/// silences the policy findings (EL903) of that rule only. The code or name is matched in any
/// case, the rule name exactly (Guard's names are case-sensitive); `None` for anything else.
#[must_use]
pub fn policy_selector(sel: &str) -> Option<&str> {
    let (rule, name) = sel.trim().split_once(':')?;
    let name = name.trim();
    let meta = &PolicyViolation::META;
    let names_el903 =
        rule.trim().eq_ignore_ascii_case(meta.code) || rule.trim().eq_ignore_ascii_case(meta.name);
    let ident = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (names_el903 && ident).then_some(name)
}

impl Selection {
    #[must_use]
    pub fn enabled(&self, meta: &RuleMeta) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, meta)))
            && !self.ignore.iter().any(|s| selector_matches(s, meta))
    }

    /// Whether an `ignore` entry, or a per-path ignore for the file at `path`, names the Guard
    /// rule `rule` (`EL903:<rule>`).
    #[must_use]
    pub fn ignores_policy_rule(&self, rule: &str, path: Option<&Path>) -> bool {
        let names = |list: &[String]| list.iter().any(|s| policy_selector(s) == Some(rule));
        names(&self.ignore)
            || path.is_some_and(|path| {
                self.per_path
                    .iter()
                    .any(|p| names(&p.rules) && p.matches(path))
            })
    }

    /// Whether a per-path ignore silences `meta` in the file at `path`.
    #[must_use]
    pub fn ignored_in(&self, meta: &RuleMeta, path: &Path) -> bool {
        self.per_path
            .iter()
            .any(|p| p.rules.iter().any(|s| selector_matches(s, meta)) && p.matches(path))
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
    let late = |meta: &RuleMeta| meta.code == UnusedSuppression::META.code;
    let rules: Vec<&dyn Rule> = rules
        .iter()
        .copied()
        .filter(|r| selection.enabled(r.meta()) && !late(r.meta()))
        .collect();
    let mut out: Vec<Diagnostic> = rules
        .par_iter()
        .flat_map_iter(|rule| check(*rule, cx, selection))
        .collect();
    let ignored = |d: &Diagnostic| {
        (!selection.per_path.is_empty()
            && lookup(d.code)
                .is_some_and(|m| ignored_in_file(cx, selection, m, d.finding.span.file)))
            || policy_rule_ignored(cx, selection, d)
    };
    out.retain(|d| !ignored(d));
    let mut sups = suppress::collect(cx.sys);
    let owners = suppress::Owners::new(cx.sys);
    out.retain(|d| !suppress::silence(cx.sys, &owners, &mut sups, d));
    if selection.enabled(&UnusedSuppression::META) {
        for s in &mut sups {
            let file = cx.sys.templates.get(s.tpl).map(|t| t.file);
            // an entry naming EL904 itself keeps the others' reports quiet: never unused
            s.checked = s.rule.is_some_and(|r| {
                !late(r)
                    && selection.enabled(r)
                    && file.is_none_or(|f| !ignored_in_file(cx, selection, r, f))
            });
            // `EL903:<rule>`: only where Guard ran that rule and the configuration keeps it;
            // plain `EL903`: only where Guard ran at all
            if let Some(rule) = &s.policy {
                let path = file
                    .and_then(|f| cx.sys.db.get(f))
                    .map(|f| f.disk_path.as_path());
                s.checked = s.checked
                    && cx.policy_runs.ran(s.tpl, rule)
                    && !selection.ignores_policy_rule(rule, path);
            } else if s.rule.is_some_and(|r| r.code == PolicyViolation::META.code) {
                s.checked = s.checked && cx.policy_runs.ran_any(s.tpl);
            }
        }
        let late_cx = Context {
            suppressions: &sups,
            ..*cx
        };
        let mut found = check(&UnusedSuppression, &late_cx, selection);
        found.retain(|d| !ignored(d) && !suppress::silence(cx.sys, &owners, &mut sups, d));
        out.extend(found);
    }
    sort(cx, &mut out);
    out.dedup_by(|a, b| {
        a.code == b.code
            && a.finding.span == b.finding.span
            && a.finding.message == b.finding.message
    });
    out
}

/// Run one rule, stamping its findings; a panic becomes an EL900 finding when EL900 is selected.
fn check(rule: &dyn Rule, cx: &Context<'_>, selection: &Selection) -> Vec<Diagnostic> {
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
            .collect(),
        Err(panic) if selection.enabled(&InternalError::META) => {
            vec![internal_error(meta, &panic, cx)]
        }
        Err(_) => Vec::new(),
    }
}

/// Whether the configuration ignores the Guard rule of a policy finding, everywhere or in its
/// file.
fn policy_rule_ignored(cx: &Context<'_>, selection: &Selection, d: &Diagnostic) -> bool {
    let Some(rule) = d.finding.policy.as_deref() else {
        return false;
    };
    let path = cx
        .sys
        .db
        .get(d.finding.span.file)
        .map(|f| f.disk_path.as_path());
    d.code == PolicyViolation::META.code && selection.ignores_policy_rule(rule, path)
}

fn ignored_in_file(cx: &Context<'_>, selection: &Selection, meta: &RuleMeta, file: FileId) -> bool {
    cx.sys
        .db
        .get(file)
        .is_some_and(|f| selection.ignored_in(meta, &f.disk_path))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_selectors_name_one_guard_rule() {
        assert_eq!(
            policy_selector("EL903:sqs_queue_encrypted"),
            Some("sqs_queue_encrypted")
        );
        assert_eq!(policy_selector(" el903 : Rule_1 "), Some("Rule_1"));
        assert_eq!(policy_selector("policy-violation:r"), Some("r"));
        for not in [
            "EL903",
            "EL903:",
            "EL101:r",
            "EL90:r",
            "EL903:a-b",
            "EL903:a b",
            "x:r",
        ] {
            assert_eq!(policy_selector(not), None, "{not}");
        }
        // a Guard rule selector is no rule selector: it never turns EL903 off
        let sel = Selection {
            ignore: vec!["EL903:r".into()],
            ..Selection::default()
        };
        assert!(sel.enabled(&PolicyViolation::META));
        assert!(!selector_known("EL903:r"));
        assert!(sel.ignores_policy_rule("r", None));
        assert!(!sel.ignores_policy_rule("R", None));
    }
}
