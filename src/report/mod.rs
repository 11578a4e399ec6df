//! Rendering diagnostics for people and machines.
//!
//! [`render`] is the single entry point: it picks the renderer for a [`Format`] and writes to the
//! given writer only (never to stdout directly). Each format lives in its own module; adding one
//! means a variant in [`Format`], a name in [`Format::as_str`], and an arm in [`render`].
//!
//! Renderers never panic on bad spans: a span past the end of its file is clamped to the file, a
//! span inside a UTF-8 sequence is widened to the surrounding code point, and a span whose file is
//! not in the [`SourceDb`] is reported at `<unknown>` line 1, column 1.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::ops::Range;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceDb, SourceFile, Span};

pub mod github;
pub mod json;
pub mod matcher;
pub mod pretty;
pub mod sarif;

/// An output format for `eventlint check --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// rustc-style snippets with labels in every file involved (codespan-reporting).
    Pretty,
    /// The stable machine format (`{"version": 1, ...}`).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::warning file=...::message`): annotations in a run.
    Github,
    /// `path:line:col: severity CODE message`, for problem matchers (GitHub Actions, VS Code).
    Matcher,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: &'static [Format] = &[
        Format::Pretty,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Matcher,
    ];

    /// The name used on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pretty => "pretty",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Matcher => "matcher",
        }
    }

    /// Parse a command-line name (`pretty`, `json`, `sarif`, `github`, `matcher`); `None` for
    /// anything else (names are case-sensitive).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Format::ALL.iter().copied().find(|f| f.as_str() == s)
    }

    /// Every name, comma-separated, for help texts and error messages.
    #[must_use]
    pub fn names() -> String {
        Format::ALL
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a renderer needs: the (already sorted) diagnostics and the files they point into.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// In output order: the engine sorts them, renderers keep the order.
    pub diagnostics: &'a [Diagnostic],
    pub db: &'a SourceDb,
    /// How many input files the run analysed (for the summary).
    pub files_analyzed: usize,
    /// How many findings `--baseline` dropped (for the summary).
    pub baselined: usize,
}

/// Write `report` to `w` in `format`. `color` turns on ANSI colours where the format has any
/// (the caller decides: TTY and `NO_COLOR`; only `pretty` has colours).
///
/// # Errors
///
/// Only errors from writing to `w`.
pub fn render(
    report: &Report<'_>,
    format: Format,
    color: bool,
    w: &mut dyn io::Write,
) -> io::Result<()> {
    match format {
        Format::Pretty => pretty::render(report, color, w),
        Format::Json => json::render(report, w),
        Format::Sarif => sarif::render(report, w),
        Format::Github => github::render(report, w),
        Format::Matcher => matcher::render(report, w),
    }
}

/// Counts for summaries: per severity and per code (sorted by code).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub by_code: BTreeMap<&'static str, usize>,
}

impl Counts {
    #[must_use]
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let mut counts = Counts::default();
        for d in diagnostics {
            counts.total += 1;
            match d.severity {
                Severity::Error => counts.error += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
            *counts.by_code.entry(d.code).or_insert(0) += 1;
        }
        counts
    }
}

/// Display path used when a span's file is not in the database (an engine bug, never a panic).
pub const UNKNOWN_FILE: &str = "<unknown>";

/// A span resolved to a path and 1-based line/column (columns in code points).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location<'a> {
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// Resolve `span` against `db`, clamping it to its file.
#[must_use]
pub fn locate<'a>(db: &'a SourceDb, span: Span) -> Location<'a> {
    match db.get(span.file) {
        Some(file) => {
            let range = clamp_range(file, span);
            let (line, column) = file.line_col(to_u32(range.start));
            let (end_line, end_column) = file.line_col(to_u32(range.end));
            Location {
                file: &file.path,
                line,
                column,
                end_line,
                end_column,
            }
        }
        None => Location {
            file: UNKNOWN_FILE,
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        },
    }
}

/// The byte range of `span` inside `file`: clamped to the text, `start <= end`, and on code point
/// boundaries (start rounded down, end rounded up unless the span is empty).
#[must_use]
pub fn clamp_range(file: &SourceFile, span: Span) -> Range<usize> {
    let text = file.text.as_str();
    let len = text.len();
    let start = usize::try_from(span.start).unwrap_or(len).min(len);
    let end = usize::try_from(span.end).unwrap_or(len).clamp(start, len);
    let empty = start == end;
    let start = text.floor_char_boundary(start);
    // An empty span stays empty; a non-empty one covers every code point it touches.
    let end = if empty {
        start
    } else {
        text.ceil_char_boundary(end)
    };
    start..end
}

fn to_u32(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

#[cfg(test)]
pub(crate) mod testutil {
    //! A two-file project and three diagnostics shared by the renderer tests.

    use std::path::PathBuf;

    use crate::diagnostic::{Diagnostic, Finding, Severity};
    use crate::source::{FileId, SourceDb, SourceFile, Span};

    pub const TEMPLATE: &str = "\
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Description: tâche – worker
";

    pub const APP: &str = "\
import boto3

def handler(event, context):
    boto3.client(\"sqs\").send_message(QueueUrl=URL)
";

    pub fn db() -> SourceDb {
        let mut db = SourceDb::default();
        db.add(SourceFile::new(
            "template.yaml".into(),
            PathBuf::from("template.yaml"),
            TEMPLATE.into(),
        ));
        db.add(SourceFile::new(
            "src/app.py".into(),
            PathBuf::from("src/app.py"),
            APP.into(),
        ));
        db
    }

    /// The span of the first occurrence of `needle` in file `file`.
    pub fn span_of(db: &SourceDb, file: FileId, needle: &str) -> Span {
        let text = db.get(file).map_or("", |f| f.text.as_str());
        let start = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not found"));
        Span::new(file, start, start + needle.len())
    }

    /// EL101 (warning, related label in the other file, help) and EL110 (info, help, on a line
    /// with non-ASCII text before the span).
    pub fn diagnostics(db: &SourceDb) -> Vec<Diagnostic> {
        vec![
            Diagnostic {
                code: "EL101",
                name: "queue-without-dlq",
                severity: Severity::Warning,
                finding: Finding::new(
                    span_of(db, 0, "Jobs"),
                    "queue `Jobs` has no dead-letter queue",
                )
                .resource("Jobs")
                .label(span_of(db, 1, "send_message"), "messages are sent here")
                .help("add a `RedrivePolicy` with a `deadLetterTargetArn`")
                .key("RedrivePolicy"),
            },
            Diagnostic {
                code: "EL110",
                name: "function-without-alarm",
                severity: Severity::Info,
                finding: Finding::new(
                    span_of(db, 0, "worker"),
                    "function `Worker` has no error alarm",
                )
                .resource("Worker")
                .help("add an `AWS::CloudWatch::Alarm` on `Errors`"),
            },
        ]
    }

    /// Spans that do not fit their file: past the end, empty, inside a code point, reversed, and
    /// in a file that does not exist.
    pub fn bad_spans() -> Vec<Diagnostic> {
        let at = |span: Span, message: &str| Diagnostic {
            code: "EL901",
            name: "invalid-template",
            severity: Severity::Error,
            finding: Finding::new(span, message).label(
                Span {
                    file: 1,
                    start: 5000,
                    end: 4000,
                },
                "related past the end",
            ),
        };
        vec![
            at(Span::new(0, 10_000, 20_000), "past the end"),
            at(Span::new(0, 0, 0), "empty at the start"),
            at(Span::new(0, 144, 144), "empty at the end"),
            // byte 128 is inside `â` (bytes 127..129)
            at(Span::new(0, 128, 128), "inside a code point"),
            at(
                Span {
                    file: 0,
                    start: 20,
                    end: 3,
                },
                "reversed",
            ),
            at(Span::new(7, 1, 2), "unknown file"),
            at(
                Span {
                    file: 0,
                    start: u32::MAX,
                    end: u32::MAX,
                },
                "at u32::MAX",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::{TEMPLATE, db};
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(*f));
            assert_eq!(f.to_string(), f.as_str());
        }
        assert_eq!(Format::parse("pretty"), Some(Format::Pretty));
        assert_eq!(Format::parse("json"), Some(Format::Json));
        assert_eq!(Format::parse("sarif"), Some(Format::Sarif));
        assert_eq!(Format::parse("github"), Some(Format::Github));
        assert_eq!(Format::parse("matcher"), Some(Format::Matcher));
        assert_eq!(Format::names(), "pretty, json, sarif, github, matcher");
        assert_eq!(Format::parse("JSON"), None);
        assert_eq!(Format::parse(""), None);
    }

    #[test]
    fn locate_clamps() {
        let db = db();
        let len = TEMPLATE.len();
        assert_eq!(len, 144);
        // past the end: the position after the final newline (line 8, column 1)
        let loc = locate(&db, Span::new(0, 10_000, 20_000));
        assert_eq!(
            (loc.line, loc.column, loc.end_line, loc.end_column),
            (8, 1, 8, 1)
        );
        // reversed: collapsed onto the start (byte 20 is line 3, column 2)
        let loc = locate(
            &db,
            Span {
                file: 0,
                start: 20,
                end: 3,
            },
        );
        assert_eq!(
            (loc.line, loc.column, loc.end_line, loc.end_column),
            (3, 2, 3, 2)
        );
        let loc = locate(&db, Span::new(9, 0, 1));
        assert_eq!(loc.file, UNKNOWN_FILE);
        assert_eq!((loc.line, loc.column), (1, 1));
    }

    #[test]
    fn clamp_range_snaps_to_code_points() {
        let db = db();
        let file = db.get(0).unwrap_or_else(|| panic!("file 0"));
        let a = TEMPLATE.find('â').unwrap_or_else(|| panic!("â"));
        assert_eq!(a, 127);
        assert_eq!(clamp_range(file, Span::new(0, a + 1, a + 1)), a..a);
        assert_eq!(clamp_range(file, Span::new(0, a, a + 1)), a..a + 2);
    }

    #[test]
    fn counts() {
        let db = db();
        let c = Counts::of(&super::testutil::diagnostics(&db));
        assert_eq!((c.total, c.error, c.warning, c.info), (2, 0, 1, 1));
        assert_eq!(
            c.by_code.into_iter().collect::<Vec<_>>(),
            [("EL101", 1), ("EL110", 1)]
        );
    }
}
