//! The rule catalogue: the registry agrees with ../shared/RULES.md (code, name, default
//! severity), every rule documents the required sections, and the generated files (the rule
//! module list, rules/README.md, rules/docs/*.md, the README table) are up to date.
//! A stale generated file is rewritten and the test fails ("re-run"), as rust-analyzer's
//! `ensure_file_contents` does; on CI it only fails.

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly and say what they skip"
)]

use std::path::{Path, PathBuf};

use eventlint::rules::{ALL, docs};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compare a generated file with its committed copy; rewrite it (outside CI) and report.
fn ensure(path: &Path, contents: &str, stale: &mut Vec<String>) {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current.replace("\r\n", "\n") == contents {
        return;
    }
    stale.push(path.display().to_string());
    if std::env::var_os("CI").is_none() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, contents).unwrap();
    }
}

/// Rules added within a family since ../shared/RULES.md was written ("New rules may be added
/// within a family"): code, name and default severity, as they would stand there.
const ADDED: &[(&str, &str, &str)] = &[
    // unknown and unused template suppressions, as ruff's RUF100 reports unused `noqa`
    ("EL904", "unused-suppression", "warning"),
];

#[test]
fn registry_matches_rules_md() {
    let path = root().join("../shared/RULES.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    let mut catalogue = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() == 6 && cells[1].starts_with("EL") && cells[1].len() == 5 {
            catalogue.push((
                cells[1].to_string(),
                cells[2].to_string(),
                cells[3].to_string(),
            ));
        }
    }
    assert!(catalogue.len() > 40, "RULES.md table not found");
    for (code, name, sev) in ADDED {
        assert!(
            !catalogue.iter().any(|(c, _, _)| c == code),
            "{code} is now in RULES.md: remove it from ADDED"
        );
        catalogue.push((code.to_string(), name.to_string(), sev.to_string()));
    }
    for rule in ALL {
        let m = rule.meta();
        let Some((_, name, sev)) = catalogue.iter().find(|(c, _, _)| c == m.code) else {
            panic!("{} is not in RULES.md", m.code);
        };
        assert_eq!(name, m.name, "{}: name differs from RULES.md", m.code);
        // "per policy" (EL903): each Guard rule may set its own; the rule's default stands
        if sev == "per policy" {
            continue;
        }
        let default = sev.split('/').next().unwrap_or("");
        assert_eq!(
            default,
            m.severity.as_str(),
            "{}: default severity differs from RULES.md",
            m.code
        );
    }
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes: Vec<&str> = ALL.iter().map(|r| r.meta().code).collect();
    let sorted = {
        let mut s = codes.clone();
        s.sort_unstable();
        s
    };
    assert_eq!(codes, sorted, "ALL must be sorted by code");
    codes.dedup();
    assert_eq!(codes.len(), ALL.len(), "duplicate codes");
    for r in ALL {
        let m = r.meta();
        assert!(
            m.code.len() == 5
                && m.code.starts_with("EL")
                && m.code[2..].bytes().all(|b| b.is_ascii_digit()),
            "{}",
            m.code
        );
        assert!(
            m.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{} is not kebab-case",
            m.name
        );
    }
}

#[test]
fn every_rule_documents_the_required_sections() {
    for r in ALL {
        let m = r.meta();
        for section in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## How to fix",
            "## References",
        ] {
            assert!(m.doc.contains(section), "{} lacks `{section}`", m.code);
        }
        assert!(!m.summary().is_empty(), "{} has an empty summary", m.code);
    }
}

/// The module list and registry, from the rule files present.
fn rules_mod() -> String {
    let dir = root().join("src/rules");
    let mut rules: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let module = name.strip_suffix(".rs")?.to_string();
            if !module.starts_with("el") {
                return None;
            }
            let text = std::fs::read_to_string(e.path()).ok()?;
            let ty = text.lines().find_map(|l| {
                let l = l.trim();
                let rest = l.strip_prefix("pub ")?;
                let (ident, tail) = rest.split_once(' ')?;
                (tail.starts_with("{ code:") || tail == "{").then(|| ident.to_string())
            })?;
            Some((module, ty))
        })
        .collect();
    rules.sort();
    let mut utils: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".rs")
                .filter(|m| m.starts_with("util_"))
                .map(str::to_string)
        })
        .collect();
    utils.sort();
    let mut out = String::from(
        "//! @generated by tests/catalog.rs: do not edit. One module per rule, and the registry.\n\npub mod docs;\npub mod rule;\n",
    );
    for u in &utils {
        out.push_str(&format!("pub mod {u};\n"));
    }
    out.push('\n');
    for (m, _) in &rules {
        out.push_str(&format!("pub mod {m};\n"));
    }
    out.push_str("\n/// Every rule, sorted by code.\npub static ALL: &[&dyn rule::Rule] = &[\n");
    for (m, t) in &rules {
        out.push_str(&format!("    &{m}::{t},\n"));
    }
    out.push_str("];\n");
    out
}

#[test]
fn generated_files_are_up_to_date() {
    let mut stale = Vec::new();
    ensure(&root().join("src/rules/mod.rs"), &rules_mod(), &mut stale);
    let banner = "<!-- @generated by tests/catalog.rs: do not edit -->\n";
    ensure(
        &root().join("rules/README.md"),
        &format!(
            "{banner}{}",
            docs::catalogue_md().replace("](rules/docs/", "](docs/")
        ),
        &mut stale,
    );
    for r in ALL {
        let m = r.meta();
        ensure(
            &root().join(format!("rules/docs/{}.md", m.code)),
            &format!("{banner}{}", docs::rule_md(m)),
            &mut stale,
        );
    }
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap_or_default();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    if let (Some(a), Some(b)) = (readme.find(start), readme.find(end)) {
        let new = format!(
            "{}{start}{}{}",
            &readme[..a],
            docs::catalogue_table(),
            &readme[b..]
        );
        ensure(&readme_path, &new, &mut stale);
    } else {
        stale.push("README.md has no <!-- rules:start --> / <!-- rules:end --> markers".into());
    }
    assert!(
        stale.is_empty(),
        "generated files were not up to date (updated; re-run): {stale:?}"
    );
}
