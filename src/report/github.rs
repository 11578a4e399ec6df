//! GitHub Actions workflow commands: one annotation per finding.
//!
//! ```text
//! ::warning file=template.yaml,line=2,col=3,endLine=2,endColumn=7,title=EL101 queue-without-dlq::queue `Jobs` has no dead-letter queue
//! ```
//!
//! Errors are `::error`, warnings `::warning`, info `::notice`. Values are escaped as the Actions
//! toolkit does (`escapeData`/`escapeProperty` in `@actions/core`): `%`, CR and LF in the message,
//! and in addition `:` and `,` in property values. GitHub shows at most 10 annotations of each
//! type per step (50 per job), so CI should upload SARIF for the full list.

use std::io;

use super::{Report, locate};
use crate::diagnostic::Severity;

/// The workflow command of a severity.
#[must_use]
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escape a command's message (`escapeData`).
#[must_use]
pub fn escape_data(s: &str) -> String {
    escape(s, false)
}

/// Escape a property value such as `file` or `title` (`escapeProperty`).
#[must_use]
pub fn escape_property(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Write one workflow command per diagnostic to `w`.
///
/// # Errors
///
/// Only errors from writing to `w`.
pub fn render(report: &Report<'_>, w: &mut dyn io::Write) -> io::Result<()> {
    for d in report.diagnostics {
        let loc = locate(report.db, d.finding.span);
        writeln!(
            w,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(d.severity),
            escape_property(loc.file),
            loc.line,
            loc.column,
            loc.end_line,
            loc.end_column,
            escape_property(&format!("{} {}", d.code, d.name)),
            escape_data(&d.finding.message),
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
    fn exact_output() {
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
            "::warning file=template.yaml,line=2,col=3,endLine=2,endColumn=7,\
             title=EL101 queue-without-dlq::queue `Jobs` has no dead-letter queue\n\
             ::notice file=template.yaml,line=7,col=28,endLine=7,endColumn=34,\
             title=EL110 function-without-alarm::function `Worker` has no error alarm\n"
        );
    }

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
        assert_eq!(
            escape_property("100% a:b,c\r\nd"),
            "100%25 a%3Ab%2Cc%0D%0Ad"
        );
        // `%` first: an already-escaped sequence is escaped again, not decoded
        assert_eq!(escape_data("%0A"), "%250A");

        let db = db();
        let mut diagnostics = diagnostics(&db);
        diagnostics[0].finding.message = "line one\nline two: 50%, done".into();
        let out = to_string(&Report {
            diagnostics: &diagnostics[..1],
            db: &db,
            files_analyzed: 1,
            baselined: 0,
        });
        assert!(
            out.ends_with("::line one%0Aline two: 50%25, done\n"),
            "{out}"
        );
        assert_eq!(out.lines().count(), 1);
    }

    #[test]
    fn error_and_bad_spans() {
        let db = db();
        let diagnostics = bad_spans();
        let out = to_string(&Report {
            diagnostics: &diagnostics,
            db: &db,
            files_analyzed: 2,
            baselined: 0,
        });
        assert_eq!(out.lines().count(), diagnostics.len());
        assert!(out.lines().all(|l| l.starts_with("::error file=")));
        assert!(out.contains("::error file=<unknown>,line=1,col=1,endLine=1,endColumn=1,"));
    }
}
