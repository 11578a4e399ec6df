//! One line per finding for problem matchers (GitHub Actions, VS Code tasks):
//!
//! ```text
//! template.yaml:2:3: warning EL101 queue `Jobs` has no dead-letter queue
//! ```
//!
//! `path:line:col: severity CODE message`. A problem matcher's `severity` group understands only
//! `error` and `warning`, so info findings are printed as `warning` here (the other formats keep
//! `info`/`note`; `--fail-on` still uses the real severity). Line breaks in the message or path
//! become spaces, so every finding is exactly one line. The matcher shipped in
//! `.github/eventlint-matcher.json` parses this format; [`REGEX`] is its expression.

use std::io;

use super::{Report, locate};
use crate::diagnostic::Severity;

/// The regular expression of `.github/eventlint-matcher.json` (groups: file, line, column,
/// severity, code, message). A test checks the two agree and that it matches real output.
pub const REGEX: &str = r"^(.+?):(\d+):(\d+): (error|warning) (EL\d+) (.*)$";

/// The word a problem matcher sees for a severity.
#[must_use]
pub fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning | Severity::Info => "warning",
    }
}

fn one_line(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\r', '\n'], " ")
}

/// Write one line per diagnostic to `w`.
///
/// # Errors
///
/// Only errors from writing to `w`.
pub fn render(report: &Report<'_>, w: &mut dyn io::Write) -> io::Result<()> {
    for d in report.diagnostics {
        let loc = locate(report.db, d.finding.span);
        writeln!(
            w,
            "{}:{}:{}: {} {} {}",
            one_line(loc.file),
            loc.line,
            loc.column,
            severity_word(d.severity),
            d.code,
            one_line(&d.finding.message),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{bad_spans, db, diagnostics};
    use super::*;

    fn to_string(report: &Report<'_>) -> String {
        let mut out = Vec::new();
        render(report, &mut out).unwrap_or_else(|e| panic!("render: {e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("utf-8: {e}"))
    }

    #[test]
    fn exact_output_with_info_as_warning() {
        let db = db();
        let diagnostics = diagnostics(&db);
        let out = to_string(&Report {
            diagnostics: &diagnostics,
            db: &db,
            files_analyzed: 2,
            baselined: 0,
        });
        assert_eq!(
            out,
            "template.yaml:2:3: warning EL101 queue `Jobs` has no dead-letter queue\n\
             template.yaml:7:28: warning EL110 function `Worker` has no error alarm\n"
        );
    }

    #[test]
    fn one_line_per_finding() {
        let db = db();
        let mut diagnostics = bad_spans();
        diagnostics[0].finding.message = "a\r\nb\nc\rd".into();
        let out = to_string(&Report {
            diagnostics: &diagnostics,
            db: &db,
            files_analyzed: 2,
            baselined: 0,
        });
        assert_eq!(out.lines().count(), diagnostics.len());
        assert!(
            out.starts_with("template.yaml:8:1: error EL901 a b c d\n"),
            "{out}"
        );
        assert!(out.contains("<unknown>:1:1: error EL901 unknown file\n"));
    }
}
