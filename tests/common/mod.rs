//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test binary uses a part of it")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `(file, line, code)` of every `expect: ELxxx[, ELyyy]` marker under a fixture.
pub fn markers(case: &Path) -> BTreeSet<(String, u32, String)> {
    let files: Vec<PathBuf> = if case.is_dir() {
        let mut f: Vec<PathBuf> = ignore::WalkBuilder::new(case)
            .build()
            .flatten()
            .map(|e| e.into_path())
            .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
            .collect();
        f.sort();
        f
    } else {
        vec![case.to_path_buf()]
    };
    let mut out = BTreeSet::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let Some(pos) = line.find("expect: EL") else {
                continue;
            };
            for code in line[pos + 8..]
                .split([',', ' '])
                .map(str::trim)
                .filter(|c| c.starts_with("EL") && c.len() == 5)
            {
                out.insert((
                    f.to_string_lossy().replace('\\', "/"),
                    u32::try_from(i + 1).unwrap_or(0),
                    code.to_string(),
                ));
            }
        }
    }
    out
}

/// `(file, line, code)` of every finding of a run, with the file's disk path.
pub fn findings(analysis: &eventlint::Analysis) -> BTreeSet<(String, u32, String)> {
    analysis
        .diagnostics
        .iter()
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
