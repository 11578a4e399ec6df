//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test binary uses a part of it")]

use eventlint::Analysis;
use eventlint::engine::Selection;
use eventlint::model::{Kind, Node};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// The checked-in fixtures of these tests.
#[must_use]
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/model")
        .join(rel)
}

/// A scratch folder under the system temp dir (outside any git checkout), removed on drop.
pub struct Scratch {
    pub root: PathBuf,
}

impl Scratch {
    #[must_use]
    pub fn new(name: &str) -> Self {
        let root =
            std::env::temp_dir().join(format!("eventlint-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Scratch { root }
    }

    /// Write a file (creating its folders) and return its path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.root.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }

    #[must_use]
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Path of a file of the run relative to this folder, `/`-separated.
    #[must_use]
    pub fn rel(&self, p: &Path) -> String {
        p.strip_prefix(&self.root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// One diagnostic as `(file name, line, column, code, message)`.
pub type Pos = (String, u32, u32, String, String);

/// Every diagnostic of an analysis, in output order, with 1-based line and column.
#[must_use]
pub fn positions(a: &Analysis) -> Vec<Pos> {
    a.diagnostics
        .iter()
        .map(|d| {
            let f = a.loaded.system.db.get(d.finding.span.file).unwrap();
            let (line, col) = f.line_col(d.finding.span.start);
            let name = f
                .disk_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                name,
                line,
                col,
                d.code.to_string(),
                d.finding.message.clone(),
            )
        })
        .collect()
}

/// Analyse with only the given rules (all when empty).
#[must_use]
pub fn analyze(paths: &[PathBuf], select: &[&str]) -> Analysis {
    let sel = Selection {
        select: select.iter().map(ToString::to_string).collect(),
        ..Selection::default()
    };
    eventlint::analyze(paths, &sel)
}

/// Run `f` on another thread; fail if it takes longer than `limit` (a hang or a blow-up).
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(_) => panic!("{what}: not finished after {:?}", start.elapsed()),
    }
}

/// A node tree without spans, for comparing what two files mean.
#[derive(Clone, Debug, PartialEq)]
pub enum Tree {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

#[must_use]
pub fn tree(n: &Node) -> Tree {
    match &n.kind {
        Kind::Null => Tree::Null,
        Kind::Bool(b) => Tree::Bool(*b),
        Kind::Num(s) => Tree::Num(s.clone()),
        Kind::Str(s) => Tree::Str(s.clone()),
        Kind::Seq(items) => Tree::Seq(items.iter().map(tree).collect()),
        Kind::Map(entries) => Tree::Map(
            entries
                .iter()
                .map(|e| (e.key.clone(), tree(&e.value)))
                .collect(),
        ),
    }
}

/// The first place two trees differ, as a key path, or `None` when equal.
#[must_use]
pub fn first_difference(a: &Tree, b: &Tree, path: &str) -> Option<String> {
    match (a, b) {
        (Tree::Seq(x), Tree::Seq(y)) => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(p, q, &format!("{path}[{i}]")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} vs {} items", x.len(), y.len()))
        }
        (Tree::Map(x), Tree::Map(y)) => {
            for ((k1, v1), (k2, v2)) in x.iter().zip(y) {
                if k1 != k2 {
                    return Some(format!("{path}: key `{k1}` vs `{k2}`"));
                }
                if let Some(d) = first_difference(v1, v2, &format!("{path}.{k1}")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} vs {} keys", x.len(), y.len()))
        }
        _ => (a != b).then(|| format!("{path}: {a:?} vs {b:?}")),
    }
}

/// `eventlint check ARGS --format json` run in the repository root: exit code, findings (`None`
/// when stdout is not a JSON report) and stderr.
pub fn check_json(args: &[&str]) -> (i32, Option<Vec<serde_json::Value>>, String) {
    let out = assert_cmd::Command::cargo_bin("eventlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let findings = serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .ok()
        .and_then(|doc| doc["findings"].as_array().cloned());
    (code, findings, stderr)
}
