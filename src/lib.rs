//! eventlint: a static analyzer for event-driven AWS architectures.
//!
//! Templates (SAM/CloudFormation) and the handler code they deploy are loaded into one event
//! graph; rules ask that graph questions and return findings with spans.

pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod code;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod graph;
pub mod load;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;

use std::path::PathBuf;

pub use diagnostic::{Diagnostic, Severity};

/// The result of analysing some paths.
pub struct Analysis {
    pub loaded: load::Loaded,
    pub diagnostics: Vec<Diagnostic>,
}

/// Load every template under `paths`, build the graph and run the selected rules.
#[must_use]
pub fn analyze(paths: &[PathBuf], selection: &engine::Selection) -> Analysis {
    let loaded = load::load(paths);
    let graph = graph::build(&loaded.system);
    let cx = rules::rule::Context {
        sys: &loaded.system,
        graph: &graph,
        problems: &loaded.problems,
        options: &selection.options,
        suppressions: &[],
    };
    let diagnostics = engine::run(&cx, selection);
    drop(graph);
    Analysis {
        loaded,
        diagnostics,
    }
}
