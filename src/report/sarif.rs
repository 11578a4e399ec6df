//! SARIF 2.1.0 (OASIS) for GitHub code scanning and other SARIF viewers.
//!
//! Hand-written serde structs, as ruff and cfn-guard do: only the part of SARIF we emit, field
//! order fixed by the structs, maps as `BTreeMap`, no timestamps or absolute paths, so the output
//! is byte-identical across runs. One run per invocation:
//!
//! - `tool.driver.rules`: every rule of the registry sorted by id (plus, defensively, any code a
//!   diagnostic carries that the registry lacks), with the first paragraph of the doc as
//!   `shortDescription`, the whole doc as `fullDescription` and `help` (GitHub shows
//!   `help.markdown` beside an alert), `helpUri` to `rules/docs/<CODE>.md` and the default level.
//! - each result: `ruleId`/`ruleIndex`, `level`, `message.text`, one physical location (URI
//!   relative to `%SRCROOT%`, 1-based region, end column exclusive) whose logical location is
//!   the resource (SARIF puts `logicalLocations` inside the location, not on the result), secondary labels as `relatedLocations`, and `partialFingerprints` from
//!   [`Diagnostic::fingerprint`] (code, file, resource, key: never line numbers).
//! - a Guard policy finding (EL903) has the Guard rule's name as `ruleId`, with a rules entry
//!   per Guard rule met (documented by EL903's doc, `helpUri` to EL903.md).
//! - `columnKind` is `unicodeCodePoints`: [`locate`] counts columns in code points.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use serde::Serialize;

use super::{Report, locate};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::ALL;
use crate::rules::docs::doc_body;

/// `$schema` of the log: the OASIS schema the output validates against.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// `tool.driver.informationUri`.
pub const INFORMATION_URI: &str = "https://github.com/eventlint/eventlint";
/// `helpUri` of a rule is this followed by `<CODE>.md`.
pub const RULE_DOCS_URI: &str = "https://github.com/eventlint/eventlint/blob/main/rules/docs/";
/// The key of our fingerprint in `partialFingerprints` (bump the suffix if its recipe changes).
pub const FINGERPRINT_KEY: &str = "eventlint/v1";
/// `run.automationDetails.id`: the code-scanning category (the trailing `/` means "no run id").
pub const AUTOMATION_ID: &str = "eventlint/";
/// The base every relative artifact URI is resolved against (the checkout root on GitHub).
pub const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: Id,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Id {
    id: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Level,
}

#[derive(Serialize)]
struct Text<'a> {
    text: Cow<'a, str>,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

/// A result's location (no `id`, no `message`; the resource as its logical location) or a
/// related one (`id` and `message`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
struct LogicalLocation<'a> {
    name: &'a str,
    kind: &'static str,
}

/// The SARIF level of a severity (`error`, `warning`, `note`).
#[must_use]
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The rules table: the registry, plus a bare entry for any code only a diagnostic knows.
fn rules<'a>(diagnostics: &'a [Diagnostic]) -> Vec<Rule<'a>> {
    let mut rules: Vec<Rule<'a>> = ALL
        .iter()
        .map(|r| {
            let m = r.meta();
            let doc = doc_body(m).trim().to_string();
            let summary = m.summary();
            Rule {
                id: m.code,
                name: m.name,
                short_description: text(if summary.is_empty() { m.name } else { &summary }),
                full_description: text(&doc),
                help: Some(Help {
                    text: doc.clone(),
                    markdown: doc,
                }),
                help_uri: Some(format!("{RULE_DOCS_URI}{}.md", m.code)),
                default_configuration: Level {
                    level: level(m.severity),
                },
            }
        })
        .collect();
    // a Guard rule is a reporting descriptor of its own, documented by EL903
    let policy_doc = ALL
        .iter()
        .map(|r| r.meta())
        .find(|m| m.code == POLICY_CODE)
        .map(|m| doc_body(m).trim().to_string());
    for d in diagnostics {
        let Some(id) = policy_rule_id(d) else {
            continue;
        };
        if rules.iter().any(|r| r.id == id) {
            continue;
        }
        let doc = policy_doc.clone().unwrap_or_default();
        rules.push(Rule {
            id,
            name: id,
            short_description: text(&format!(
                "Guard policy rule `{id}` ({POLICY_CODE} {})",
                d.name
            )),
            full_description: text(if doc.is_empty() { id } else { &doc }),
            help: (!doc.is_empty()).then(|| Help {
                text: doc.clone(),
                markdown: doc,
            }),
            help_uri: Some(format!("{RULE_DOCS_URI}{POLICY_CODE}.md")),
            default_configuration: Level {
                level: level(d.severity),
            },
        });
    }
    for d in diagnostics {
        if !rules.iter().any(|r| r.id == d.code) {
            rules.push(Rule {
                id: d.code,
                name: d.name,
                short_description: text(d.name),
                full_description: text(d.name),
                help: None,
                help_uri: None,
                default_configuration: Level {
                    level: level(d.severity),
                },
            });
        }
    }
    rules.sort_by(|a, b| a.id.cmp(b.id));
    rules
}

/// The code of Guard policy findings, whose SARIF `ruleId` is the Guard rule's name.
const POLICY_CODE: &str = "EL903";

/// The `ruleId` of a Guard policy finding: the Guard rule's name (unless it is also the code
/// of one of eventlint's rules).
fn policy_rule_id(d: &Diagnostic) -> Option<&str> {
    let name = d.finding.policy.as_deref()?;
    (d.code == POLICY_CODE && !name.is_empty() && !ALL.iter().any(|r| r.meta().code == name))
        .then_some(name)
}

fn text(s: &str) -> Text<'static> {
    Text {
        text: Cow::Owned(s.to_string()),
    }
}

fn physical(report: &Report<'_>, span: crate::source::Span) -> PhysicalLocation {
    let loc = locate(report.db, span);
    PhysicalLocation {
        artifact_location: artifact(loc.file),
        region: Region {
            start_line: loc.line,
            start_column: loc.column,
            end_line: loc.end_line,
            end_column: loc.end_column,
        },
    }
}

/// A display path as an artifact location: relative paths become a relative URI reference
/// under `%SRCROOT%`; absolute ones (a path outside the current directory) a `file:` URI.
fn artifact(path: &str) -> ArtifactLocation {
    let drive = matches!(path.as_bytes(), [d, b':', ..] if d.is_ascii_alphabetic());
    if path.starts_with('/') || drive {
        let slash = if drive { "/" } else { "" };
        ArtifactLocation {
            uri: format!("file://{slash}{}", encode(path, true)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode(path.strip_prefix("./").unwrap_or(path), false),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// Percent-encode a `/`-separated path for a URI: unreserved characters, sub-delimiters, `@`
/// and `/` stay; `:` stays only in an absolute path (in a relative one it could read as a
/// scheme); everything else (spaces, `%`, `#`, `?`, non-ASCII) becomes `%XX` per UTF-8 byte.
fn encode(path: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&b)
            || (keep_colon && b == b':');
        if keep {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn result<'a>(report: &Report<'a>, rules: &[Rule<'_>], d: &'a Diagnostic) -> SarifResult<'a> {
    let file = locate(report.db, d.finding.span).file;
    let related = d.finding.related.iter().enumerate();
    let rule_id = policy_rule_id(d).unwrap_or(d.code);
    SarifResult {
        rule_id,
        rule_index: rules.iter().position(|r| r.id == rule_id),
        level: level(d.severity),
        message: Text {
            text: Cow::Borrowed(&d.finding.message),
        },
        locations: [Location {
            id: None,
            physical_location: physical(report, d.finding.span),
            logical_locations: d
                .finding
                .resource
                .as_deref()
                .map(|name| LogicalLocation {
                    name,
                    kind: "resource",
                })
                .into_iter()
                .collect(),
            message: None,
        }],
        related_locations: related
            .map(|(i, label)| Location {
                id: Some(i),
                physical_location: physical(report, label.span),
                logical_locations: Vec::new(),
                message: Some(Text {
                    text: Cow::Borrowed(&label.message),
                }),
            })
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, d.fingerprint(file))]),
    }
}

/// Write the SARIF log for `report` to `w` (pretty-printed, trailing newline).
///
/// # Errors
///
/// Only errors from writing to `w`.
pub fn render(report: &Report<'_>, w: &mut dyn io::Write) -> io::Result<()> {
    let rules = rules(report.diagnostics);
    let results = report
        .diagnostics
        .iter()
        .map(|d| result(report, &rules, d))
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "eventlint",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            automation_details: Id { id: AUTOMATION_ID },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *w, &log)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::testutil::{bad_spans, db, diagnostics};
    use super::*;
    use crate::diagnostic::Finding;
    use crate::source::Span;

    fn to_value(report: &Report<'_>) -> (String, Value) {
        let mut out = Vec::new();
        render(report, &mut out).unwrap_or_else(|e| panic!("render: {e}"));
        let text = String::from_utf8(out).unwrap_or_else(|e| panic!("utf-8: {e}"));
        let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("json: {e}"));
        (text, v)
    }

    fn assert_schema_valid(v: &Value) {
        let schema: Value =
            serde_json::from_str(include_str!("../../tests/data/sarif-schema-2.1.0.json"))
                .unwrap_or_else(|e| panic!("schema: {e}"));
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("schema: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn results_carry_every_field() {
        let db = db();
        let diagnostics = diagnostics(&db);
        let (text, v) = to_value(&Report {
            diagnostics: &diagnostics,
            db: &db,
            files_analyzed: 2,
            baselined: 0,
        });
        assert!(text.ends_with("}\n"));
        assert_schema_valid(&v);
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(run["automationDetails"]["id"], "eventlint/");
        assert_eq!(run["tool"]["driver"]["name"], "eventlint");
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "EL101");
        assert_eq!(
            run["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().map_or(999, |i| i as usize)]["id"],
            "EL101"
        );
        assert_eq!(r["level"], "warning");
        assert_eq!(
            r["message"]["text"],
            "queue `Jobs` has no dead-letter queue"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "template.yaml");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            loc["region"],
            serde_json::json!({"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 7})
        );
        assert_eq!(
            r["locations"][0]["logicalLocations"],
            serde_json::json!([{"name": "Jobs", "kind": "resource"}])
        );
        let rel = &r["relatedLocations"][0];
        assert_eq!(rel["id"], 0);
        assert_eq!(rel["message"]["text"], "messages are sent here");
        assert_eq!(
            rel["physicalLocation"]["artifactLocation"]["uri"],
            "src/app.py"
        );
        assert_eq!(rel["physicalLocation"]["region"]["startLine"], 4);
        assert_eq!(rel["physicalLocation"]["region"]["startColumn"], 25);
        assert_eq!(
            r["partialFingerprints"]["eventlint/v1"],
            diagnostics[0].fingerprint("template.yaml")
        );
        // info is `note`; code-point columns after the multi-byte `tâche – `
        let r = &run["results"][1];
        assert_eq!(r["level"], "note");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            28
        );
        assert!(r.get("relatedLocations").is_none());
    }

    #[test]
    fn rules_come_from_the_registry_sorted() {
        let db = db();
        let (_, v) = to_value(&Report {
            diagnostics: &[],
            db: &db,
            files_analyzed: 0,
            baselined: 0,
        });
        assert_schema_valid(&v);
        let rules = v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(rules.len(), ALL.len());
        let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);
        let el106 = rules
            .iter()
            .find(|r| r["id"] == "EL106")
            .cloned()
            .unwrap_or_default();
        assert_eq!(el106["name"], "visibility-timeout-too-short");
        assert_eq!(
            el106["helpUri"],
            "https://github.com/eventlint/eventlint/blob/main/rules/docs/EL106.md"
        );
        assert_eq!(el106["defaultConfiguration"]["level"], "warning");
        let full = el106["fullDescription"]["text"].as_str().unwrap_or("");
        assert!(
            full.starts_with("## What it does\nChecks that a queue"),
            "{full}"
        );
        assert!(full.contains("## How to fix"));
        assert_eq!(el106["help"]["markdown"].as_str(), Some(full));
        assert!(
            el106["shortDescription"]["text"]
                .as_str()
                .is_some_and(|s| s.starts_with("Checks that a queue consumed by a function"))
        );
        let levels: Vec<&str> = rules
            .iter()
            .filter_map(|r| r["defaultConfiguration"]["level"].as_str())
            .collect();
        assert!(levels.contains(&"note") && levels.contains(&"error"));
    }

    #[test]
    fn a_code_outside_the_registry_gets_a_rule() {
        let db = db();
        let d = Diagnostic {
            code: "EL999",
            name: "from-elsewhere",
            severity: Severity::Info,
            finding: Finding::new(Span::new(0, 0, 9), "x"),
        };
        let (_, v) = to_value(&Report {
            diagnostics: std::slice::from_ref(&d),
            db: &db,
            files_analyzed: 1,
            baselined: 0,
        });
        assert_schema_valid(&v);
        let run = &v["runs"][0];
        let index = run["results"][0]["ruleIndex"].as_u64().unwrap_or(u64::MAX);
        let rule = &run["tool"]["driver"]["rules"][usize::try_from(index).unwrap_or(usize::MAX)];
        assert_eq!(rule["id"], "EL999");
        assert_eq!(rule["defaultConfiguration"]["level"], "note");
        assert!(rule.get("helpUri").is_none());
        // no resource: no logical location
        assert!(
            run["results"][0]["locations"][0]
                .get("logicalLocations")
                .is_none()
        );
    }

    #[test]
    fn bad_spans_stay_valid() {
        let db = db();
        let diagnostics = bad_spans();
        let (_, v) = to_value(&Report {
            diagnostics: &diagnostics,
            db: &db,
            files_analyzed: 2,
            baselined: 0,
        });
        assert_schema_valid(&v);
        let results = v["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(results.len(), diagnostics.len());
        for r in &results {
            assert!(
                r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64() >= Some(1)
            );
        }
        assert_eq!(
            results[5]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "%3Cunknown%3E"
        );
    }

    #[test]
    fn paths_become_uri_references() {
        let rel = |p: &str| {
            let a = artifact(p);
            assert_eq!(a.uri_base_id, Some(SRCROOT), "{p}");
            a.uri
        };
        assert_eq!(rel("a/b-c_d.~e/template.yaml"), "a/b-c_d.~e/template.yaml");
        assert_eq!(rel("./x.yaml"), "x.yaml");
        assert_eq!(rel("my dir/t 1.yaml"), "my%20dir/t%201.yaml");
        assert_eq!(rel("cd:x/100%#?.yaml"), "cd%3Ax/100%25%23%3F.yaml");
        assert_eq!(rel("tâche.yaml"), "t%C3%A2che.yaml");
        assert_eq!(rel("../other/t.yaml"), "../other/t.yaml");
        let abs = artifact("/tmp/a b/t.yaml");
        assert_eq!(abs.uri, "file:///tmp/a%20b/t.yaml");
        assert_eq!(abs.uri_base_id, None);
        assert_eq!(artifact("C:/x/t.yaml").uri, "file:///C:/x/t.yaml");
    }
}
