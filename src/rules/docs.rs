//! Rule documentation generated from the registry: the catalogue table (README, `rules/README.md`,
//! `eventlint rules`) and one page per rule (`rules/docs/<CODE>.md`, `eventlint rule CODE`).

use std::fmt::Write as _;

use super::ALL;
use super::rule::RuleMeta;

/// The catalogue as a Markdown table.
#[must_use]
pub fn catalogue_table() -> String {
    let mut out = String::from("| code | name | severity | what it checks |\n|---|---|---|---|\n");
    for r in ALL {
        let m = r.meta();
        let _ = writeln!(
            out,
            "| [{}](rules/docs/{}.md) | `{}` | {} | {} |",
            m.code,
            m.code,
            m.name,
            m.severity.as_str(),
            m.summary().replace('|', "\\|")
        );
    }
    out
}

/// `eventlint rules --format md`.
#[must_use]
pub fn catalogue_md() -> String {
    let mut out = String::from("# eventlint rules\n\n");
    out.push_str(&catalogue_table());
    out
}

/// `eventlint rules --format json`.
#[must_use]
pub fn catalogue_json() -> String {
    let rules: Vec<serde_json::Value> = ALL
        .iter()
        .map(|r| {
            let m = r.meta();
            serde_json::json!({"code": m.code, "name": m.name, "severity": m.severity.as_str(), "summary": m.summary()})
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({"rules": rules})).unwrap_or_default() + "\n"
}

/// One rule's page; the rule's options get an `## Options` section before `## References`.
#[must_use]
pub fn rule_md(m: &RuleMeta) -> String {
    let mut out = format!(
        "# {} {}\n\nDefault severity: {}\n\n",
        m.code,
        m.name,
        m.severity.as_str()
    );
    out.push_str(&doc_body(m));
    out
}

/// The rule's documentation as Markdown (its doc comment without the leading space of each
/// line): the body of [`rule_md`] and the SARIF `fullDescription`.
#[must_use]
pub fn doc_body(m: &RuleMeta) -> String {
    let mut out = String::with_capacity(m.doc.len());
    for line in m.doc.lines() {
        // doc comments carry one leading space
        let line = line.strip_prefix(' ').unwrap_or(line);
        if line == "## References" {
            out.push_str(&options_md(m));
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `## Options`: each option's `eventlint.toml` key, default and meaning.
fn options_md(m: &RuleMeta) -> String {
    if m.options.is_empty() && m.lists.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "## Options\nSet in `eventlint.toml` under `[rules.{}]`:\n",
        m.code
    );
    for o in m.options {
        let _ = writeln!(out, "- `{}` (default {}): {}.", o.name, o.default, o.doc);
    }
    for o in m.lists {
        let quoted: Vec<String> = o.default.iter().map(|d| format!("\"{d}\"")).collect();
        let _ = writeln!(
            out,
            "- `{}` (default `[{}]`): {}.",
            o.name,
            quoted.join(", "),
            o.doc
        );
    }
    out.push('\n');
    out
}
