//! Baselines: the fingerprints of the findings a project accepts for now
//! (`--write-baseline FILE`), so that a run with `--baseline FILE` reports only new ones.
//! Fingerprints are built from the code, file, resource and a property path, never line numbers
//! ([`Diagnostic::fingerprint`]), so a baseline survives edits elsewhere in the file.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::report::locate;
use crate::source::SourceDb;

/// Bump when an entry changes meaning.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    fingerprints: BTreeSet<Entry>,
}

/// Field order is the sort order: code, file, fingerprint.
#[derive(Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Entry {
    code: String,
    file: String,
    fingerprint: String,
}

/// A baseline that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("not a baseline: {0}")]
    Json(#[from] serde_json::Error),
    #[error("baseline version {0} is not supported (expected {VERSION})")]
    Version(u32),
}

/// The baseline document for `diagnostics`: sorted, one entry per fingerprint, with a trailing
/// newline.
#[must_use]
pub fn write(diagnostics: &[Diagnostic], db: &SourceDb) -> String {
    let fingerprints = diagnostics
        .iter()
        .map(|d| {
            let file = locate(db, d.finding.span).file;
            Entry {
                code: d.code.to_string(),
                file: file.to_string(),
                fingerprint: d.fingerprint(file),
            }
        })
        .collect();
    let doc = File {
        version: VERSION,
        fingerprints,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The fingerprints of a baseline document.
///
/// # Errors
/// When the text is not a baseline of this version.
pub fn parse(text: &str) -> Result<BTreeSet<String>, BaselineError> {
    let doc: File = serde_json::from_str(text)?;
    if doc.version != VERSION {
        return Err(BaselineError::Version(doc.version));
    }
    Ok(doc
        .fingerprints
        .into_iter()
        .map(|e| e.fingerprint)
        .collect())
}

/// Drop the diagnostics whose fingerprint is in `known`; returns how many were dropped.
pub fn apply(diagnostics: &mut Vec<Diagnostic>, db: &SourceDb, known: &BTreeSet<String>) -> usize {
    let before = diagnostics.len();
    diagnostics.retain(|d| !known.contains(&d.fingerprint(locate(db, d.finding.span).file)));
    before - diagnostics.len()
}
