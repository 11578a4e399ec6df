//! Entry points for the fuzz targets (`fuzz/`) and for replaying their regression inputs
//! (`tests/fuzz_regressions.rs`). Each takes arbitrary bytes and must return without panicking,
//! hanging or allocating without bound; none touches the file system except where a template
//! points at handler code or a definition file on disk (relative to a folder that does not exist).

use std::path::PathBuf;

use crate::code::Extractor as _;
use crate::engine::Selection;
use crate::model::pattern::{self, EventShape};
use crate::model::{Node, System, parse_text};
use crate::source::{SourceDb, SourceFile};

/// Separates the templates of one input for [`intrinsics`] (cross-template imports).
pub const TEMPLATE_SEPARATOR: &str = "\n#---8<---\n";

/// The folder fuzzed templates claim to live in.
fn nowhere() -> PathBuf {
    PathBuf::from("/nonexistent/eventlint-fuzz")
}

fn db_of(texts: &[&str]) -> (SourceDb, Vec<u32>) {
    let mut db = SourceDb::default();
    let ids = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let path = nowhere().join(format!("template{i}.yaml"));
            db.add(SourceFile::new(
                path.display().to_string(),
                path,
                (*t).to_string(),
            ))
        })
        .collect();
    (db, ids)
}

/// The loader and everything after it: parse (YAML or JSON by content), build the system, the
/// graph, and run every rule.
pub fn load(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (db, ids) = db_of(&[&text]);
    let loaded = crate::load::assemble(db, &ids);
    let graph = crate::graph::build(&loaded.system);
    let selection = Selection::default();
    let cx = crate::rules::rule::Context {
        sys: &loaded.system,
        graph: &graph,
        problems: &loaded.problems,
        policy_findings: &[],
        policy_runs: &crate::policy::Runs::default(),
        options: &selection.options,
        suppressions: &[],
        contracts: &std::sync::OnceLock::new(),
    };
    let _ = crate::engine::run(&cx, &selection);
}

/// Intrinsic resolution: the input is one or more templates separated by
/// [`TEMPLATE_SEPARATOR`]; every node of every template is resolved as a symbol, a list, a
/// string, an integer, a boolean and a target.
pub fn intrinsics(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.split(TEMPLATE_SEPARATOR).take(4).collect();
    let (db, ids) = db_of(&parts);
    let templates = ids
        .iter()
        .filter_map(|&id| {
            let root = parse_text(db.get(id)?.text.as_str(), id).root?;
            crate::model::Template::is_template(&root)
                .then(|| crate::model::Template::new(id, nowhere(), root))
        })
        .collect();
    let sys = System::new(db, templates);
    for (tpl, t) in sys.templates.iter().enumerate() {
        let sections = ["Outputs", "Conditions"].map(|s| t.section(s));
        for node in t.resources.iter().map(|r| &r.node).chain(sections) {
            node.walk(&mut |n: &Node| {
                let _ = sys.sym(tpl, n).pattern();
                let _ = sys.list(tpl, n, 0);
                let _ = sys.string(tpl, n);
                let _ = sys.int(tpl, n);
                let _ = sys.boolean(tpl, n);
                let _ = sys.target(tpl, n, None);
            });
        }
    }
}

/// The event pattern matcher: the input is a document `{pattern: ..., event: {source,
/// detail-type, detail}}` (or only a pattern, matched against itself as the detail).
pub fn pattern(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some(root) = parse_text(&text, 0).root else {
        return;
    };
    let pat = root.get("pattern").unwrap_or(&root);
    let event = root.get("event");
    let ev = EventShape {
        source: event.and_then(|e| e.get("source")).and_then(Node::as_str),
        detail_type: event
            .and_then(|e| e.get("detail-type"))
            .and_then(Node::as_str),
        detail: event.and_then(|e| e.get("detail")).or(Some(pat)),
    };
    let _ = pattern::validate(pat);
    let _ = pattern::matches(pat, &ev);
    let _ = pattern::matches(pat, &EventShape::default());
    let _ = pattern::literal_values(pat, "source");
    let _ = pattern::detail_fields(pat);
    let _ = pattern::equivalent(pat, &root);
}

/// The Python extractor.
pub fn python(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::code::python::Python.extract(&text, 0);
}

/// The JavaScript and TypeScript extractors.
pub fn js(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::code::js::Js { typescript: false }.extract(&text, 0);
    let _ = crate::code::js::Js { typescript: true }.extract(&text, 0);
}

/// A fuzz entry point.
pub type Target = fn(&[u8]);

/// Every entry point by name (the fuzz targets' names).
pub const TARGETS: &[(&str, Target)] = &[
    ("load", load),
    ("intrinsics", intrinsics),
    ("pattern", pattern),
    ("python", python),
    ("js", js),
];
