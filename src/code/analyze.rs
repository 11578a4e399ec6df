//! Reading every function's handler code: locate it, load the entry file and the local files
//! it imports into the source database, extract facts in parallel (each file once, however many
//! functions share it), and keep per-function results for the graph and the rules.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::imports::{Project, dynamic_import};
use super::locate::{Lang, Located, locate};
use super::{Extractor, FileFacts, js::Js, python::Python};
use crate::model::{System, TplId};
use crate::source::{FileId, SourceFile, Span};

/// Most local files followed from one handler.
const MAX_FILES: usize = 200;
/// Largest source file read.
const MAX_SOURCE_BYTES: u64 = 2 * 1024 * 1024;

/// What eventlint knows of one function's code.
#[derive(Debug)]
pub struct FunctionCode {
    pub tpl: TplId,
    pub id: String,
    pub located: Located,
    /// The files read (entry first).
    pub files: Vec<FileId>,
    /// Facts of every file read, merged.
    pub facts: FileFacts,
    /// Every file was read and parsed, and no import may hide project code eventlint did not
    /// read (a layer module, a shared package outside `CodeUri`): facts are complete for the
    /// code, so rules may conclude from what it does not call (EL303).
    pub complete: bool,
}

fn extractor(lang: Lang) -> &'static dyn Extractor {
    static PY: Python = Python;
    static JS: Js = Js { typescript: false };
    static TS: Js = Js { typescript: true };
    match lang {
        Lang::Python => &PY,
        Lang::JavaScript => &JS,
        Lang::TypeScript => &TS,
    }
}

/// A local import specifier resolved to a file under `root`, if there is one.
fn resolve_import(from: &Path, root: &Path, spec: &str, lang: Lang) -> Option<PathBuf> {
    let dir = from.parent()?;
    let candidates: Vec<PathBuf> = match lang {
        Lang::Python => {
            let dots = spec.chars().take_while(|&c| c == '.').count();
            let rel = spec[dots..].replace('.', "/");
            let base = if dots > 0 {
                (1..dots).try_fold(dir.to_path_buf(), |d, _| d.parent().map(Path::to_path_buf))?
            } else {
                root.to_path_buf()
            };
            let mut v = vec![
                base.join(format!("{rel}.py")),
                base.join(&rel).join("__init__.py"),
            ];
            if dots == 0 {
                v.push(dir.join(format!("{rel}.py")));
            }
            v
        }
        _ => {
            if !spec.starts_with('.') {
                return None;
            }
            let base = dir.join(spec);
            let mut v = vec![base.clone()];
            for ext in ["js", "mjs", "cjs", "ts", "mts", "cts"] {
                v.push(PathBuf::from(format!("{}.{ext}", base.display())));
                v.push(base.join(format!("index.{ext}")));
            }
            // `./util.js` written in TypeScript sources means `./util.ts`
            if let Some(stem) = spec.strip_suffix(".js") {
                v.push(dir.join(format!("{stem}.ts")));
            }
            v
        }
    };
    candidates
        .into_iter()
        .find(|p| p.is_file() && p.starts_with(root))
}

/// A Python package folder without `__init__.py` (a namespace package) under `root`.
fn python_dir(from: &Path, root: &Path, spec: &str, lang: Lang) -> bool {
    if lang != Lang::Python {
        return false;
    }
    let Some(dir) = from.parent() else {
        return false;
    };
    let dots = spec.chars().take_while(|&c| c == '.').count();
    let rel = spec.get(dots..).unwrap_or("").replace('.', "/");
    let base = if dots > 0 {
        (1..dots).try_fold(dir.to_path_buf(), |d, _| d.parent().map(Path::to_path_buf))
    } else {
        Some(root.to_path_buf())
    };
    base.is_some_and(|b| {
        let p = b.join(&rel);
        p.is_dir() && p.starts_with(root)
    })
}

/// Move every span of inline-code facts onto the template node that holds the code.
fn respan(facts: &mut FileFacts, at: Span) {
    facts.calls.iter_mut().for_each(|c| c.span = at);
    facts.http.iter_mut().for_each(|c| c.span = at);
    facts.env.iter_mut().for_each(|c| c.span = at);
    facts.batch_failures.iter_mut().for_each(|s| *s = at);
    facts.images.iter_mut().for_each(|(_, s)| *s = at);
    facts.idempotency.iter_mut().for_each(|s| *s = at);
    if let Some(s) = &mut facts.syntax_error {
        *s = at;
    }
}

/// Why a handler's entry file (which the locator found) was not read.
fn unread_reason(path: &Path, e: &crate::load::ReadError) -> String {
    use crate::load::ReadError;
    let shown = crate::load::display_path(path);
    match e {
        ReadError::Unavailable => format!("`{shown}` is not a readable file"),
        ReadError::Unreadable(why) => format!("`{shown}` cannot be read ({why})"),
        ReadError::TooLarge(n) => format!(
            "`{shown}` is {n} bytes, larger than the {MAX_SOURCE_BYTES} bytes read of a handler file"
        ),
        ReadError::NotUtf8(_, at) => {
            format!("`{shown}` is not UTF-8 text (invalid byte at offset {at})")
        }
    }
}

fn merge(into: &mut FileFacts, f: &FileFacts) {
    into.calls.extend(f.calls.iter().cloned());
    into.http.extend(f.http.iter().cloned());
    into.env.extend(f.env.iter().cloned());
    into.imports.extend(f.imports.iter().cloned());
    into.batch_failures.extend(f.batch_failures.iter().copied());
    into.images.extend(f.images.iter().cloned());
    into.idempotency.extend(f.idempotency.iter().copied());
    if into.syntax_error.is_none() {
        into.syntax_error = f.syntax_error;
    }
}

impl System {
    /// Locate and read the handler code of every function.
    pub fn load_code(&mut self) {
        let functions: Vec<(TplId, String, Located)> = self
            .resources()
            .filter(|h| h.res.is_function())
            .map(|h| (h.tpl, h.res.id.clone(), locate(self, h)))
            .collect();
        let layers: Vec<bool> = self
            .resources()
            .filter(|h| h.res.is_function())
            .map(|h| {
                h.res
                    .prop("Layers")
                    .is_some_and(|l| !l.is_seq() || !l.items().is_empty())
            })
            .collect();
        let mut projects: HashMap<(PathBuf, Lang), Project> = HashMap::new();
        let mut dynamic_files: HashSet<FileId> = HashSet::new();
        // file path -> (file id, language)
        let mut by_path: HashMap<PathBuf, FileId> = HashMap::new();
        let mut facts: HashMap<FileId, FileFacts> = HashMap::new();
        let mut out = Vec::new();
        let mut pending: Vec<(usize, PathBuf, Lang)> = Vec::new();
        let mut per_fn_files: Vec<Vec<FileId>> = Vec::new();
        let mut complete = Vec::new();
        // function -> why its entry file exists but was not read (EL902)
        let mut unreadable: HashMap<usize, String> = HashMap::new();
        for (i, (_, _, located)) in functions.iter().enumerate() {
            per_fn_files.push(Vec::new());
            complete.push(true);
            if let Located::File { entry, .. } = located {
                if let Some(lang) = Lang::of_path(entry) {
                    pending.push((i, entry.clone(), lang));
                }
            }
        }
        // breadth-first over imports, extracting each new file once, in parallel per round
        let mut rounds = 0;
        while !pending.is_empty() && rounds < 32 {
            rounds += 1;
            let mut new_files: Vec<(FileId, Lang)> = Vec::new();
            for (i, path, lang) in &pending {
                let id = match by_path.get(path) {
                    Some(&id) => id,
                    None => {
                        // never opens a FIFO or a device; reads at most the limit
                        let text = match crate::load::read_text(path, MAX_SOURCE_BYTES) {
                            Ok(text) => text,
                            Err(e) => {
                                if let Some(c) = complete.get_mut(*i) {
                                    *c = false;
                                }
                                if rounds == 1 {
                                    unreadable.insert(*i, unread_reason(path, &e));
                                }
                                continue;
                            }
                        };
                        let id = self.db.add(SourceFile::new(
                            crate::load::display_path(path),
                            path.clone(),
                            text,
                        ));
                        by_path.insert(path.clone(), id);
                        new_files.push((id, *lang));
                        id
                    }
                };
                if let Some(files) = per_fn_files.get_mut(*i) {
                    if !files.contains(&id) && files.len() < MAX_FILES {
                        files.push(id);
                    }
                }
            }
            let db = &self.db;
            let extracted: Vec<(FileId, FileFacts, bool)> = new_files
                .par_iter()
                .filter_map(|&(id, lang)| {
                    db.get(id).map(|f| {
                        let facts = extractor(lang).extract(&f.text, id);
                        (id, facts, dynamic_import(&f.text, lang))
                    })
                })
                .collect();
            for (id, ff, dynamic) in extracted {
                if dynamic {
                    dynamic_files.insert(id);
                }
                facts.insert(id, ff);
            }
            // the imports of files just read, per function
            let mut next = Vec::new();
            for (i, _, _) in &pending {
                let Some((_, _, Located::File { root, .. })) = functions.get(*i) else {
                    continue;
                };
                let Some(files) = per_fn_files.get(*i) else {
                    continue;
                };
                for &id in files {
                    let (Some(f), Some(ff)) = (self.db.get(id), facts.get(&id)) else {
                        continue;
                    };
                    if dynamic_files.contains(&id) {
                        if let Some(c) = complete.get_mut(*i) {
                            *c = false;
                        }
                    }
                    let lang = Lang::of_path(&f.disk_path).unwrap_or(Lang::JavaScript);
                    for spec in &ff.imports {
                        if let Some(p) = resolve_import(&f.disk_path, root, spec, lang) {
                            let seen = by_path.get(&p).is_some_and(|pid| files.contains(pid));
                            if !seen {
                                next.push((*i, p.clone(), Lang::of_path(&p).unwrap_or(lang)));
                            }
                            continue;
                        }
                        let project = projects
                            .entry((root.clone(), lang))
                            .or_insert_with(|| Project::load(root, lang));
                        let layered = layers.get(*i).copied().unwrap_or(false);
                        let resolves = |s: &str| {
                            resolve_import(&f.disk_path, root, s, lang).is_some()
                                || python_dir(&f.disk_path, root, s, lang)
                        };
                        if project.opaque(spec, &ff.imports, lang, layered, resolves) {
                            if let Some(c) = complete.get_mut(*i) {
                                *c = false;
                            }
                        }
                    }
                }
            }
            next.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            next.dedup();
            pending = next;
        }
        for (i, (tpl, id, mut located)) in functions.into_iter().enumerate() {
            if let Some(reason) = unreadable.remove(&i) {
                let span = self.resource(tpl, &id).map(|h| {
                    h.res
                        .props()
                        .entry("Handler")
                        .map_or(h.res.id_span, |e| e.value.span)
                });
                if let Some(span) = span {
                    located = Located::Missing { reason, span };
                }
            }
            let files = per_fn_files.get(i).cloned().unwrap_or_default();
            let mut merged = FileFacts::default();
            match &located {
                Located::File { .. } => {
                    for f in &files {
                        if let Some(ff) = facts.get(f) {
                            merge(&mut merged, ff);
                        }
                    }
                }
                Located::Inline {
                    lang, text, span, ..
                } => {
                    merged = extractor(*lang).extract(text, span.file);
                    respan(&mut merged, *span);
                    // inline code has no folder: any import that is not a known package is opaque
                    let project = Project::default();
                    let layered = layers.get(i).copied().unwrap_or(false);
                    if dynamic_import(text, *lang)
                        || merged
                            .imports
                            .iter()
                            .any(|s| project.opaque(s, &merged.imports, *lang, layered, |_| false))
                    {
                        if let Some(c) = complete.get_mut(i) {
                            *c = false;
                        }
                    }
                }
                _ => {}
            }
            let ok = complete.get(i).copied().unwrap_or(false) && merged.syntax_error.is_none();
            out.push((
                (tpl, id.clone()),
                FunctionCode {
                    tpl,
                    id,
                    located,
                    files,
                    facts: merged,
                    complete: ok,
                },
            ));
        }
        self.code = out.into_iter().collect::<BTreeMap<_, _>>();
    }
}
