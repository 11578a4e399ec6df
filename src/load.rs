//! Finding and loading templates: walk the given paths (honouring `.gitignore`), pick template
//! files by content, parse them in parallel, and collect syntax problems as findings (EL901).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::model::{LoadOutcome, Problem, System, Template, parse_text};
use crate::source::{SourceDb, SourceFile, Span};

/// Largest file read as a template by default. CloudFormation accepts at most 1 MB from S3.
pub const MAX_TEMPLATE_BYTES: u64 = 8 * 1024 * 1024;

/// How templates are read.
#[derive(Clone, Copy, Debug)]
pub struct LoadOptions {
    /// Larger files are not read: one that looks like a template is reported (EL901) from its
    /// first 64 KiB, others are skipped. `max-file-size` in `eventlint.toml`.
    pub max_file_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: MAX_TEMPLATE_BYTES,
        }
    }
}

/// What loading produced.
#[derive(Debug, Default)]
pub struct Loaded {
    pub system: System,
    pub problems: Vec<Problem>,
    /// Number of template files analysed.
    pub templates: usize,
}

/// Candidate files under the given paths, sorted (deterministic).
#[must_use]
pub fn discover(paths: &[PathBuf]) -> Vec<PathBuf> {
    discover_reporting(paths).0
}

/// [`discover`], and the folders and candidate files that could not be read, with the reason.
/// Symbolic links are never followed (so neither loops nor links out of the scanned root are).
#[must_use]
pub fn discover_reporting(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut out = Vec::new();
    let mut unreadable = Vec::new();
    for root in paths {
        if root.is_file() {
            out.push(root.clone());
            continue;
        }
        // both lists are sorted below: the order the walker's threads find entries in is lost
        let found = std::sync::Mutex::new((Vec::new(), Vec::new()));
        ignore::WalkBuilder::new(root)
            .follow_links(false)
            .hidden(true)
            // a `.gitignore` is honoured in a folder that is not (or not yet) a git checkout too
            .require_git(false)
            .threads(rayon::current_num_threads())
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                let in_cdk_out = e
                    .path()
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|p| p == "cdk.out");
                !(name == "node_modules"
                    || name == ".aws-sam"
                    || name == ".git"
                    || (in_cdk_out && name.starts_with("asset.")))
            })
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    let add = |file: Option<PathBuf>, error: Option<(PathBuf, String)>| {
                        if let Ok(mut lists) = found.lock() {
                            lists.0.extend(file);
                            lists.1.extend(error);
                        }
                    };
                    match entry {
                        Ok(entry) => {
                            if entry.file_type().is_some_and(|t| t.is_file())
                                && has_template_extension(entry.path())
                            {
                                add(Some(entry.into_path()), None);
                            }
                        }
                        Err(e) => {
                            if let Some((path, reason)) = walk_error(&e)
                                && (path.is_dir() || has_template_extension(&path))
                            {
                                add(None, Some((path, reason)));
                            }
                        }
                    }
                    ignore::WalkState::Continue
                })
            });
        let (files, errors) = found
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        out.extend(files);
        unreadable.extend(errors);
    }
    out.sort();
    out.dedup();
    unreadable.sort();
    unreadable.dedup();
    (out, unreadable)
}

/// The path and I/O reason of a walk error, if it has both.
fn walk_error(e: &ignore::Error) -> Option<(PathBuf, String)> {
    let mut e = e;
    let mut path = None;
    loop {
        match e {
            ignore::Error::WithPath { path: p, err } => {
                path = Some(p.clone());
                e = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                e = err;
            }
            ignore::Error::Io(io) => {
                // the walker's own text repeats the path: keep the operating system's reason
                let reason = io.raw_os_error().map_or_else(
                    || io.kind().to_string(),
                    |n| std::io::Error::from_raw_os_error(n).to_string(),
                );
                return path.map(|p| (p, reason));
            }
            _ => return None,
        }
    }
}

fn has_template_extension(p: &Path) -> bool {
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let in_cdk_out = p
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "cdk.out");
    if in_cdk_out {
        return p.to_string_lossy().ends_with(".template.json");
    }
    matches!(ext.as_str(), "yaml" | "yml" | "json" | "template")
}

/// The path shown to users: relative to the current directory when possible, `/` separators.
#[must_use]
pub fn display_path(p: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    let s = rel
        .unwrap_or_else(|| p.to_path_buf())
        .to_string_lossy()
        .replace('\\', "/");
    s.strip_prefix("./").map_or(s.clone(), str::to_string)
}

/// Why [`read_text`] did not return a file's text.
#[derive(Debug)]
pub enum ReadError {
    /// Missing, unreadable, or not a regular file (a FIFO, a device, a folder): never opened
    /// for reading, so `/dev/zero` or a named pipe cannot hang or exhaust the run.
    Unavailable,
    /// A regular file that cannot be opened or read (permissions, I/O error): the reason.
    Unreadable(String),
    /// Larger than the limit (its size in bytes); not read.
    TooLarge(u64),
    /// Not UTF-8: the text with replacement characters and the byte offset of the first error.
    NotUtf8(String, usize),
}

/// Read a regular file of at most `max` bytes as text, reading no more than `max` + 1 bytes
/// even if the file grows meanwhile.
pub fn read_text(path: &Path, max: u64) -> Result<String, ReadError> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path).map_err(|_| ReadError::Unavailable)?;
    if !meta.is_file() {
        return Err(ReadError::Unavailable);
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        ReadError::NotUtf8(String::from_utf8_lossy(e.as_bytes()).into_owned(), at)
    })
}

/// Whether text may be a template (cheap check before parsing).
fn may_be_template(text: &[u8]) -> bool {
    let has = |needle: &[u8]| text.windows(needle.len()).any(|w| w == needle);
    has(b"AWSTemplateFormatVersion")
        || has(b"AWS::Serverless")
        || (has(b"Resources") && (has(b"AWS::") || has(b"Custom::")))
}

enum Read {
    Skip,
    Text(PathBuf, String),
    Broken(PathBuf, String, String, usize),
}

fn read_candidate(path: &Path, max: u64) -> Read {
    let looks_binary = |text: &str| text.bytes().take(8192).any(|b| b == 0);
    match read_text(path, max) {
        Err(ReadError::Unavailable) => Read::Skip,
        Err(ReadError::Unreadable(reason)) => Read::Broken(
            path.to_path_buf(),
            String::new(),
            format!("cannot read the file ({reason}); not analysed"),
            0,
        ),
        Err(ReadError::TooLarge(len)) => {
            let head = std::fs::File::open(path).ok().and_then(|f| {
                use std::io::Read as _;
                let mut buf = Vec::new();
                f.take(65_536).read_to_end(&mut buf).ok().map(|_| buf)
            });
            match head {
                Some(h) if may_be_template(&h) && !h.contains(&0) => Read::Broken(
                    path.to_path_buf(),
                    String::new(),
                    format!(
                        "file is {len} bytes, larger than the limit of {max} bytes for a template (`max-file-size` in eventlint.toml); not analysed"
                    ),
                    0,
                ),
                _ => Read::Skip,
            }
        }
        Ok(text) if may_be_template(text.as_bytes()) && !looks_binary(&text) => {
            Read::Text(path.to_path_buf(), text)
        }
        Err(ReadError::NotUtf8(text, at))
            if may_be_template(text.as_bytes()) && !looks_binary(&text) =>
        {
            Read::Broken(
                path.to_path_buf(),
                text,
                "file is not valid UTF-8".into(),
                at,
            )
        }
        Ok(_) | Err(ReadError::NotUtf8(..)) => Read::Skip,
    }
}

/// Load every template under `paths` with the default [`LoadOptions`].
#[must_use]
pub fn load(paths: &[PathBuf]) -> Loaded {
    load_with(paths, &LoadOptions::default())
}

/// Load every template under `paths`.
#[must_use]
pub fn load_with(paths: &[PathBuf], options: &LoadOptions) -> Loaded {
    let (candidates, unreadable) = discover_reporting(paths);
    let max = options.max_file_bytes;
    let mut reads: Vec<Read> = unreadable
        .into_iter()
        .map(|(p, reason)| {
            let what = if p.is_dir() { "folder" } else { "file" };
            let msg = format!("cannot read the {what} ({reason}); not analysed");
            Read::Broken(p, String::new(), msg, 0)
        })
        .collect();
    reads.par_extend(candidates.par_iter().map(|p| read_candidate(p, max)));
    let mut db = SourceDb::default();
    let mut problems = Vec::new();
    let mut texts = Vec::new();
    for r in reads {
        match r {
            Read::Skip => {}
            Read::Text(p, text) => {
                let id = db.add(SourceFile::new(display_path(&p), p, text));
                texts.push(id);
            }
            Read::Broken(p, text, msg, at) => {
                let id = db.add(SourceFile::new(display_path(&p), p, text));
                problems.push(Problem::fatal(msg, Span::new(id, at, at)));
            }
        }
    }
    let mut loaded = assemble(db, &texts);
    problems.append(&mut loaded.problems);
    loaded.problems = problems;
    loaded
}

/// Parse the files `texts` of `db`, keep those that are templates, and build the system: exports,
/// state machine definitions and handler code (read from disk relative to each template).
#[must_use]
pub fn assemble(db: SourceDb, texts: &[u32]) -> Loaded {
    let mut problems = Vec::new();
    let parsed: Vec<(u32, LoadOutcome)> = texts
        .par_iter()
        .filter_map(|&id| db.get(id).map(|f| (id, parse_text(&f.text, id))))
        .collect();
    let mut templates = Vec::new();
    for (id, outcome) in parsed {
        let Some(file) = db.get(id) else { continue };
        match outcome.root {
            Some(root) if Template::is_template(&root) => {
                problems.extend(outcome.problems);
                let dir = file
                    .disk_path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                templates.push(Template::new(id, dir, root));
            }
            Some(_) => {}
            None => problems.extend(outcome.problems),
        }
    }
    let n = templates.len();
    let mut system = System::new(db, templates);
    problems.extend(system.load_definitions());
    system.load_code();
    Loaded {
        system,
        problems,
        templates: n,
    }
}
