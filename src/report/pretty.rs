//! rustc-style output for people, rendered with codespan-reporting.
//!
//! ```text
//! warning[EL101 queue-without-dlq]: queue `Jobs` has no dead-letter queue
//!   ┌─ template.yaml:2:3
//!   │
//! 2 │   Jobs:
//!   │   ^^^^
//!   │
//!   ┌─ src/app.py:4:25
//!   │
//! 4 │     boto3.client("sqs").send_message(QueueUrl=URL)
//!   │                         ------------ messages are sent here
//!   │
//!   = help: add a `RedrivePolicy` with a `deadLetterTargetArn`
//!
//! 1 finding: 0 errors, 1 warning, 0 info
//! ```
//!
//! The rule name sits next to the code in the header, so the name to put in a suppression is on
//! screen. Info findings are rendered as codespan notes with the header word `info`. codespan is
//! used only in this module.

use std::io::{self, Write};
use std::ops::Range;

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity,
};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::termcolor::{Ansi, ColorSpec, NoColor, WriteColor};
use codespan_reporting::term::{self, Config};

use super::{Counts, Report, clamp_range, locate};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, SourceDb};

/// [`SourceDb`] as a codespan file database (no copies of the texts).
struct DbFiles<'db>(&'db SourceDb);

impl<'a, 'db: 'a> Files<'a> for DbFiles<'db> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.0
            .get(id)
            .map(|f| f.path.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.0
            .get(id)
            .map(|f| f.text.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let file = self.0.get(id).ok_or(FilesError::FileMissing)?;
        // line_col clamps past-the-end offsets to the last line, as the trait asks.
        let (line, _) = file.line_col(u32::try_from(byte_index).unwrap_or(u32::MAX));
        Ok((line as usize).saturating_sub(1))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.0.get(id).ok_or(FilesError::FileMissing)?;
        let line_start = |index: usize| {
            u32::try_from(index.saturating_add(1))
                .ok()
                .and_then(|line| file.line_start(line))
                .map(|start| start as usize)
        };
        let start = line_start(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: file.line_count().saturating_sub(1),
        })?;
        let end = line_start(line_index.saturating_add(1)).unwrap_or(file.text.len());
        Ok(start..end)
    }
}

fn cs_severity(severity: Severity) -> CsSeverity {
    match severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        // Rendered as `note` by codespan; the header word is rewritten to `info` afterwards.
        Severity::Info => CsSeverity::Note,
    }
}

/// The codespan diagnostic for `d`. With `labels == false` every location becomes a note (the
/// fallback when codespan cannot render a label).
fn to_codespan(db: &SourceDb, d: &Diagnostic, labels: bool) -> CsDiagnostic<FileId> {
    let mut cs_labels = Vec::new();
    let mut notes = Vec::new();
    let span = d.finding.span;
    match db.get(span.file) {
        Some(file) if labels => {
            cs_labels.push(CsLabel::primary(span.file, clamp_range(file, span)));
        }
        _ => {
            let at = locate(db, span);
            notes.push(format!("at {}:{}:{}", at.file, at.line, at.column));
        }
    }
    for label in &d.finding.related {
        match db.get(label.span.file) {
            Some(file) if labels => cs_labels.push(
                CsLabel::secondary(label.span.file, clamp_range(file, label.span))
                    .with_message(&label.message),
            ),
            _ => {
                let at = locate(db, label.span);
                notes.push(format!(
                    "{}:{}:{}: {}",
                    at.file, at.line, at.column, label.message
                ));
            }
        }
    }
    if let Some(help) = &d.finding.help {
        notes.push(format!("help: {help}"));
    }
    let code = if d.name.is_empty() {
        d.code.to_owned()
    } else {
        format!("{} {}", d.code, d.name)
    };
    CsDiagnostic::new(cs_severity(d.severity))
        .with_code(code)
        .with_message(&d.finding.message)
        .with_labels(cs_labels)
        .with_notes(notes)
}

fn emit(
    buf: &mut Vec<u8>,
    color: bool,
    config: &Config,
    files: &DbFiles<'_>,
    diagnostic: &CsDiagnostic<FileId>,
) -> Result<(), FilesError> {
    if color {
        term::emit_to_write_style(&mut Ansi::new(buf), config, files, diagnostic)
    } else {
        term::emit_to_write_style(&mut NoColor::new(buf), config, files, diagnostic)
    }
}

/// Render one diagnostic into `buf` (cleared first).
fn render_one(
    buf: &mut Vec<u8>,
    db: &SourceDb,
    d: &Diagnostic,
    color: bool,
    config: &Config,
) -> io::Result<()> {
    let files = DbFiles(db);
    buf.clear();
    match emit(buf, color, config, &files, &to_codespan(db, d, true)) {
        Ok(()) => {}
        Err(FilesError::Io(e)) => return Err(e),
        Err(_) => {
            // Spans are clamped, so this should not happen; never lose the finding over it.
            buf.clear();
            emit(buf, color, config, &files, &to_codespan(db, d, false)).map_err(|e| match e {
                FilesError::Io(e) => e,
                other => io::Error::other(other.to_string()),
            })?;
        }
    }
    if d.severity == Severity::Info {
        rename_header(buf, b"note[", b"info[");
    }
    Ok(())
}

/// Replace the first `from` in the first line of `buf` (the header) with `to` (same length).
fn rename_header(buf: &mut [u8], from: &[u8], to: &[u8]) {
    let first_line = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    let Some(header) = buf.get_mut(..first_line) else {
        return;
    };
    if let Some(pos) = header.windows(from.len()).position(|w| w == from)
        && let Some(target) = header.get_mut(pos..pos + to.len())
        && target.len() == to.len()
    {
        target.copy_from_slice(to);
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The last line: `3 findings: 1 error, 2 warnings, 0 info` or `no findings in 12 files`, with
/// `(4 baselined)` when `--baseline` dropped some.
#[must_use]
pub fn summary_line(report: &Report<'_>) -> String {
    let line = counts_line(report);
    if report.baselined == 0 {
        line
    } else {
        format!("{line} ({} baselined)", report.baselined)
    }
}

fn counts_line(report: &Report<'_>) -> String {
    let counts = Counts::of(report.diagnostics);
    if counts.total == 0 {
        format!(
            "no findings in {}",
            plural(report.files_analyzed, "file", "files")
        )
    } else {
        format!(
            "{}: {}, {}, {} info",
            plural(counts.total, "finding", "findings"),
            plural(counts.error, "error", "errors"),
            plural(counts.warning, "warning", "warnings"),
            counts.info,
        )
    }
}

/// Write every diagnostic as a rustc-style snippet, then the summary line.
///
/// # Errors
///
/// Only errors from writing to `w`.
pub fn render(report: &Report<'_>, color: bool, w: &mut dyn io::Write) -> io::Result<()> {
    let config = Config::default();
    let mut buf = Vec::new();
    for d in report.diagnostics {
        render_one(&mut buf, report.db, d, color, &config)?;
        w.write_all(&buf)?;
    }
    let summary = summary_line(report);
    if color {
        let mut out = Ansi::new(&mut *w);
        out.set_color(ColorSpec::new().set_bold(true))?;
        out.write_all(summary.as_bytes())?;
        out.reset()?;
        out.write_all(b"\n")
    } else {
        writeln!(w, "{summary}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{bad_spans, db, diagnostics};
    use super::*;

    fn to_string(report: &Report<'_>, color: bool) -> String {
        let mut out = Vec::new();
        render(report, color, &mut out).unwrap_or_else(|e| panic!("render: {e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("utf-8: {e}"))
    }

    #[test]
    fn exact_output() {
        let db = db();
        let diagnostics = diagnostics(&db);
        let out = to_string(
            &Report {
                diagnostics: &diagnostics,
                db: &db,
                files_analyzed: 2,
                baselined: 0,
            },
            false,
        );
        // `worker` is at column 28 (`tâche – ` has multi-byte characters), each one column wide.
        let expected = "\
warning[EL101 queue-without-dlq]: queue `Jobs` has no dead-letter queue
  ┌─ template.yaml:2:3
  │
2 │   Jobs:
  │   ^^^^
  │
  ┌─ src/app.py:4:25
  │
4 │     boto3.client(\"sqs\").send_message(QueueUrl=URL)
  │                         ------------ messages are sent here
  │
  = help: add a `RedrivePolicy` with a `deadLetterTargetArn`

info[EL110 function-without-alarm]: function `Worker` has no error alarm
  ┌─ template.yaml:7:28
  │
7 │       Description: tâche – worker
  │                            ^^^^^^
  │
  = help: add an `AWS::CloudWatch::Alarm` on `Errors`

2 findings: 0 errors, 1 warning, 1 info
";
        assert_eq!(out, expected);
    }

    #[test]
    fn summary_lines() {
        let db = db();
        let diagnostics = diagnostics(&db);
        let report = |diagnostics, files_analyzed| Report {
            diagnostics,
            db: &db,
            files_analyzed,
            baselined: 0,
        };
        assert_eq!(
            to_string(&report(&[], 2), false),
            "no findings in 2 files\n"
        );
        assert_eq!(to_string(&report(&[], 1), false), "no findings in 1 file\n");
        assert_eq!(
            summary_line(&report(&diagnostics[..1], 1)),
            "1 finding: 0 errors, 1 warning, 0 info"
        );
        let mut three = diagnostics.clone();
        three.push(diagnostics[0].clone());
        three[2].severity = Severity::Error;
        assert_eq!(
            summary_line(&report(&three, 5)),
            "3 findings: 1 error, 1 warning, 1 info"
        );
        let baselined = Report {
            baselined: 4,
            ..report(&three, 5)
        };
        assert_eq!(
            summary_line(&baselined),
            "3 findings: 1 error, 1 warning, 1 info (4 baselined)"
        );
        let all_baselined = Report {
            baselined: 1,
            ..report(&[], 2)
        };
        assert_eq!(
            summary_line(&all_baselined),
            "no findings in 2 files (1 baselined)"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let db = db();
        let diagnostics = diagnostics(&db);
        let report = Report {
            diagnostics: &diagnostics,
            db: &db,
            files_analyzed: 2,
            baselined: 0,
        };
        let plain = to_string(&report, false);
        assert!(!plain.contains('\x1b'));
        let coloured = to_string(&report, true);
        assert!(coloured.contains("\x1b["));
        assert!(coloured.contains("info[EL110 function-without-alarm]"));
        assert!(!coloured.contains("note["));
        // Same text once the escape sequences are removed.
        let mut stripped = String::new();
        let mut chars = coloured.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                stripped.push(c);
            }
        }
        assert_eq!(stripped, plain);
    }

    #[test]
    fn bad_spans_do_not_panic() {
        let db = db();
        let diagnostics = bad_spans();
        for color in [false, true] {
            let out = to_string(
                &Report {
                    diagnostics: &diagnostics,
                    db: &db,
                    files_analyzed: 2,
                    baselined: 0,
                },
                color,
            );
            assert!(out.contains("7 findings: 7 errors, 0 warnings, 0 info"));
        }
        let out = to_string(
            &Report {
                diagnostics: &diagnostics,
                db: &db,
                files_analyzed: 2,
                baselined: 0,
            },
            false,
        );
        // The finding in a file that is not in the database keeps its message and related label.
        // (line 5 is the empty line after the final newline: `5 │ ` ends with a space)
        assert!(
            out.contains(concat!(
                "error[EL901 invalid-template]: unknown file\n",
                "  ┌─ src/app.py:5:1\n",
                "  │\n",
                "5 │ \n",
                "  │ - related past the end\n",
                "  │\n",
                "  = at <unknown>:1:1\n",
            )),
            "{out}"
        );
    }

    #[test]
    fn empty_span_gets_one_caret() {
        let db = db();
        let diagnostics = bad_spans();
        let out = to_string(
            &Report {
                diagnostics: &diagnostics[1..2],
                db: &db,
                files_analyzed: 2,
                baselined: 0,
            },
            false,
        );
        assert!(
            out.starts_with(
                "\
error[EL901 invalid-template]: empty at the start
  ┌─ template.yaml:1:1
  │
1 │ Resources:
  │ ^
"
            ),
            "{out}"
        );
    }

    #[test]
    fn empty_file_and_crlf() {
        use crate::diagnostic::Finding;
        use crate::source::{SourceFile, Span};
        let mut db = SourceDb::default();
        db.add(SourceFile::new(
            "empty.yaml".into(),
            "empty.yaml".into(),
            String::new(),
        ));
        db.add(SourceFile::new(
            "crlf.yaml".into(),
            "crlf.yaml".into(),
            "a: 1\r\nb: 2\r\n".into(),
        ));
        let d = |span, message: &str| Diagnostic {
            code: "EL901",
            name: "",
            severity: Severity::Error,
            finding: Finding::new(span, message),
        };
        let diagnostics = [
            d(Span::new(0, 5, 9), "empty"),
            d(Span::new(1, 6, 12), "crlf"),
        ];
        let out = to_string(
            &Report {
                diagnostics: &diagnostics,
                db: &db,
                files_analyzed: 2,
                baselined: 0,
            },
            false,
        );
        // An empty name leaves the bare code; `\r` is not shown; the span `b: 2\r\n` runs onto the
        // empty third line, so codespan draws it as a multi-line label.
        let expected = concat!(
            "error[EL901]: empty\n",
            "  ┌─ empty.yaml:1:1\n",
            "  │\n",
            "1 │ \n",
            "  │ ^\n",
            "\n",
            "error[EL901]: crlf\n",
            "  ┌─ crlf.yaml:2:1\n",
            "  │  \n", // the multi-line gutter column leaves a space here
            "2 │ ╭ b: 2\n",
            "3 │ │ \n",
            "  │ ╰^\n",
            "\n",
            "2 findings: 2 errors, 0 warnings, 0 info\n",
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn rename_header_only_touches_the_first_line() {
        let mut buf = b"note[X]: a\n= note[Y]\n".to_vec();
        rename_header(&mut buf, b"note[", b"info[");
        assert_eq!(buf, b"info[X]: a\n= note[Y]\n");
        let mut buf = b"x\nnote[".to_vec();
        rename_header(&mut buf, b"note[", b"info[");
        assert_eq!(buf, b"x\nnote[");
        let mut empty: Vec<u8> = Vec::new();
        rename_header(&mut empty, b"note[", b"info[");
        assert!(empty.is_empty());
    }
}
