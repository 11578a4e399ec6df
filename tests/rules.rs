//! Fixture-driven rule tests: every `fixtures/rules/<CODE>/bad*` fires exactly where its
//! `expect:` markers say, and every `good*` near miss stays silent. Each rule alone, as
//! ruff's `for_rule` settings do.

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly and say what they skip"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use eventlint::engine::Selection;

mod common;
use common::markers;
use eventlint::rules::ALL;
use eventlint::rules::el904_unused_suppression::UnusedSuppression;

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules")
}

/// Fixture cases of a rule: `bad*`/`good*` files or folders.
fn cases(code: &str, prefix: &str) -> Vec<PathBuf> {
    let dir = fixtures_root().join(code);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn run(case: &Path, code: &str) -> BTreeSet<(String, u32, String)> {
    // EL904 reports suppressions that silenced nothing, so the rules they name must run too
    let select = if code == UnusedSuppression::META.code {
        Vec::new()
    } else {
        vec![code.to_string()]
    };
    let sel = Selection {
        select,
        ..Selection::default()
    };
    let analysis = eventlint::analyze(&[case.to_path_buf()], &sel);
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .filter_map(|d| {
            let f = analysis.loaded.system.db.get(d.finding.span.file)?;
            let line = f.line_col(d.finding.span.start).0;
            Some((
                f.disk_path.to_string_lossy().replace('\\', "/"),
                line,
                d.code.to_string(),
            ))
        })
        .collect()
}

#[test]
fn every_rule_has_good_and_bad_fixtures() {
    let mut missing = Vec::new();
    for rule in ALL {
        let code = rule.meta().code;
        if code == "EL900" {
            continue; // produced by the engine when a rule panics: tested in tests/engine.rs
        }
        if cases(code, "bad").is_empty() {
            missing.push(format!("{code}: no bad fixture"));
        }
        if cases(code, "good").is_empty() {
            missing.push(format!("{code}: no good fixture"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn bad_fixtures_fire_where_marked() {
    let mut failures = Vec::new();
    for rule in ALL {
        let code = rule.meta().code;
        for case in cases(code, "bad") {
            let expected: BTreeSet<_> =
                markers(&case).into_iter().filter(|m| m.2 == code).collect();
            let got = run(&case, code);
            if expected.is_empty() {
                failures.push(format!("{}: no `expect: {code}` marker", case.display()));
            } else if got != expected {
                failures.push(format!(
                    "{}:\n  expected {expected:?}\n  got      {got:?}",
                    case.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn good_fixtures_stay_silent() {
    let mut failures = Vec::new();
    for rule in ALL {
        let code = rule.meta().code;
        for case in cases(code, "good") {
            let got = run(&case, code);
            if !got.is_empty() {
                failures.push(format!("{}: unexpected {got:?}", case.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
