//! The stable machine format (DESIGN.md "Output contract"), what snapshots and scripts read.
//!
//! Field order is fixed by the structs below, `by_code` is a `BTreeMap` (sorted), and the output is
//! pretty-printed with two-space indentation and a trailing newline, so it is byte-identical
//! across runs.

use std::collections::BTreeMap;
use std::io;

use serde::Serialize;

use super::{Counts, Report, locate};
use crate::diagnostic::{Diagnostic, Severity};

/// Bump when a field changes meaning or disappears (adding fields keeps the version).
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    resource: Option<&'a str>,
    related: Vec<Related<'a>>,
    help: Option<&'a str>,
    /// The Guard rule that failed (EL903 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a str>,
    fingerprint: String,
}

#[derive(Serialize)]
struct Related<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
    error: usize,
    warning: usize,
    info: usize,
    /// Findings dropped by `--baseline`.
    baselined: usize,
    by_code: BTreeMap<&'static str, usize>,
}

fn finding<'a>(report: &Report<'a>, d: &'a Diagnostic) -> JsonFinding<'a> {
    let loc = locate(report.db, d.finding.span);
    let related = d
        .finding
        .related
        .iter()
        .map(|label| {
            let at = locate(report.db, label.span);
            Related {
                file: at.file,
                line: at.line,
                column: at.column,
                message: &label.message,
            }
        })
        .collect();
    JsonFinding {
        code: d.code,
        name: d.name,
        severity: d.severity,
        message: &d.finding.message,
        file: loc.file,
        line: loc.line,
        column: loc.column,
        end_line: loc.end_line,
        end_column: loc.end_column,
        resource: d.finding.resource.as_deref(),
        related,
        help: d.finding.help.as_deref(),
        policy: d.finding.policy.as_deref(),
        fingerprint: d.fingerprint(loc.file),
    }
}

/// Write the JSON document for `report` to `w`.
///
/// # Errors
///
/// Only errors from writing to `w`.
pub fn render(report: &Report<'_>, w: &mut dyn io::Write) -> io::Result<()> {
    let counts = Counts::of(report.diagnostics);
    let doc = JsonReport {
        version: VERSION,
        tool: Tool {
            name: "eventlint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: report
            .diagnostics
            .iter()
            .map(|d| finding(report, d))
            .collect(),
        summary: Summary {
            files: report.files_analyzed,
            findings: counts.total,
            error: counts.error,
            warning: counts.warning,
            info: counts.info,
            baselined: report.baselined,
            by_code: counts.by_code,
        },
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::testutil::{bad_spans, db, diagnostics};
    use super::*;

    fn to_string(report: &Report<'_>) -> String {
        let mut out = Vec::new();
        render(report, &mut out).unwrap_or_else(|e| panic!("render: {e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("utf-8: {e}"))
    }

    #[test]
    fn exact_output() {
        let db = db();
        let diagnostics = diagnostics(&db);
        let out = to_string(&Report {
            diagnostics: &diagnostics,
            db: &db,
            files_analyzed: 2,
            baselined: 0,
        });
        let fp0 = diagnostics[0].fingerprint("template.yaml");
        let fp1 = diagnostics[1].fingerprint("template.yaml");
        let version = env!("CARGO_PKG_VERSION");
        // EL101: `Jobs` is line 2, columns 3..7; the related `send_message` is line 4, column 25.
        // EL110: `worker` follows `tâche – ` (multi-byte), so it is column 28 (byte 30), to 34.
        let expected = format!(
            r#"{{
  "version": 1,
  "tool": {{
    "name": "eventlint",
    "version": "{version}"
  }},
  "findings": [
    {{
      "code": "EL101",
      "name": "queue-without-dlq",
      "severity": "warning",
      "message": "queue `Jobs` has no dead-letter queue",
      "file": "template.yaml",
      "line": 2,
      "column": 3,
      "end_line": 2,
      "end_column": 7,
      "resource": "Jobs",
      "related": [
        {{
          "file": "src/app.py",
          "line": 4,
          "column": 25,
          "message": "messages are sent here"
        }}
      ],
      "help": "add a `RedrivePolicy` with a `deadLetterTargetArn`",
      "fingerprint": "{fp0}"
    }},
    {{
      "code": "EL110",
      "name": "function-without-alarm",
      "severity": "info",
      "message": "function `Worker` has no error alarm",
      "file": "template.yaml",
      "line": 7,
      "column": 28,
      "end_line": 7,
      "end_column": 34,
      "resource": "Worker",
      "related": [],
      "help": "add an `AWS::CloudWatch::Alarm` on `Errors`",
      "fingerprint": "{fp1}"
    }}
  ],
  "summary": {{
    "files": 2,
    "findings": 2,
    "error": 0,
    "warning": 1,
    "info": 1,
    "baselined": 0,
    "by_code": {{
      "EL101": 1,
      "EL110": 1
    }}
  }}
}}
"#
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn parses_with_positions() {
        let db = db();
        let diagnostics = diagnostics(&db);
        let out = to_string(&Report {
            diagnostics: &diagnostics,
            db: &db,
            files_analyzed: 2,
            baselined: 0,
        });
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("json: {e}"));
        assert_eq!(v["version"], 1);
        assert_eq!(v["tool"]["name"], "eventlint");
        let f = &v["findings"];
        assert_eq!(f.as_array().map(Vec::len), Some(2));
        assert_eq!(f[0]["code"], "EL101");
        assert_eq!(
            [
                &f[0]["line"],
                &f[0]["column"],
                &f[0]["end_line"],
                &f[0]["end_column"]
            ],
            [2, 3, 2, 7]
        );
        assert_eq!(f[0]["related"][0]["file"], "src/app.py");
        assert_eq!(
            [&f[0]["related"][0]["line"], &f[0]["related"][0]["column"]],
            [4, 25]
        );
        assert_eq!(f[1]["severity"], "info");
        assert_eq!(
            [
                &f[1]["line"],
                &f[1]["column"],
                &f[1]["end_line"],
                &f[1]["end_column"]
            ],
            [7, 28, 7, 34]
        );
        assert!(f[1]["related"].as_array().is_some_and(Vec::is_empty));
        assert_eq!(f[1]["help"], "add an `AWS::CloudWatch::Alarm` on `Errors`");
        assert_eq!(v["summary"]["by_code"]["EL101"], 1);
        assert!(
            f[0]["fingerprint"]
                .as_str()
                .is_some_and(|s| s.len() == 16 && s.chars().all(|c| c.is_ascii_hexdigit()))
        );
    }

    #[test]
    fn nulls_and_empty_report() {
        let db = db();
        let mut diagnostics = diagnostics(&db);
        diagnostics[0].finding.resource = None;
        diagnostics[0].finding.help = None;
        let out = to_string(&Report {
            diagnostics: &diagnostics[..1],
            db: &db,
            files_analyzed: 1,
            baselined: 0,
        });
        assert!(out.contains("\n      \"resource\": null,\n"), "{out}");
        assert!(out.contains("\n      \"help\": null,\n"), "{out}");

        let out = to_string(&Report {
            diagnostics: &[],
            db: &db,
            files_analyzed: 3,
            baselined: 0,
        });
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("json: {e}"));
        assert_eq!(v["findings"], serde_json::json!([]));
        assert_eq!(v["summary"]["files"], 3);
        assert_eq!(v["summary"]["findings"], 0);
        assert_eq!(v["summary"]["by_code"], serde_json::json!({}));
        assert!(out.ends_with("}\n"));
    }

    #[test]
    fn bad_spans_do_not_panic() {
        let db = db();
        let diagnostics = bad_spans();
        let out = to_string(&Report {
            diagnostics: &diagnostics,
            db: &db,
            files_analyzed: 2,
            baselined: 0,
        });
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("json: {e}"));
        let f = &v["findings"];
        let pos = |i: usize| {
            (
                f[i]["line"].as_u64(),
                f[i]["column"].as_u64(),
                f[i]["end_line"].as_u64(),
                f[i]["end_column"].as_u64(),
            )
        };
        // past the end and at u32::MAX: after the last newline
        assert_eq!(pos(0), (Some(8), Some(1), Some(8), Some(1)));
        assert_eq!(pos(6), (Some(8), Some(1), Some(8), Some(1)));
        assert_eq!(pos(1), (Some(1), Some(1), Some(1), Some(1)));
        assert_eq!(pos(2), (Some(8), Some(1), Some(8), Some(1)));
        // inside `â` (line 7, column 21): rounded down to the start of the code point
        assert_eq!(pos(3), (Some(7), Some(21), Some(7), Some(21)));
        assert_eq!(pos(4), (Some(3), Some(2), Some(3), Some(2)));
        assert_eq!(f[5]["file"], "<unknown>");
        assert_eq!(pos(5), (Some(1), Some(1), Some(1), Some(1)));
        // related past the end of src/app.py (4 lines + final newline)
        assert_eq!(f[0]["related"][0]["line"], 5);
        assert_eq!(f[0]["related"][0]["column"], 1);
    }
}
