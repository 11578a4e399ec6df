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
#[doc(hidden)]
pub mod harness;
pub mod load;
pub mod model;
pub mod policy;
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

/// Load every template under `paths`, build the graph and run the selected rules, with the
/// shipped Guard policies.
#[must_use]
pub fn analyze(paths: &[PathBuf], selection: &engine::Selection) -> Analysis {
    analyze_with(paths, selection, &policy::PolicyOptions::default())
}

/// [`analyze`] with a choice of Guard policies (EL903).
#[must_use]
pub fn analyze_with(
    paths: &[PathBuf],
    selection: &engine::Selection,
    policies: &policy::PolicyOptions,
) -> Analysis {
    analyze_full(paths, selection, policies, &load::LoadOptions::default())
}

/// [`analyze_with`] and the given [`load::LoadOptions`].
#[must_use]
pub fn analyze_full(
    paths: &[PathBuf],
    selection: &engine::Selection,
    policies: &policy::PolicyOptions,
    options: &load::LoadOptions,
) -> Analysis {
    let mut loaded = load::load_with(paths, options);
    // Guard runs only when EL903 does; broken policy files are reported (EL901) either way.
    let (policies, problems) = policy::load(&mut loaded.system.db, policies);
    loaded.problems.extend(problems);
    let guard = selection.enabled(&rules::el903_policy_violation::PolicyViolation::META);
    // Guard needs only the templates: it runs while the graph is built
    let (mut outcome, graph) = rayon::join(
        || match guard {
            true => policy::evaluate(&loaded.system, &policies),
            false => policy::Outcome::default(),
        },
        || graph::build(&loaded.system),
    );
    loaded.problems.append(&mut outcome.problems);
    let cx = rules::rule::Context {
        sys: &loaded.system,
        graph: &graph,
        problems: &loaded.problems,
        policy_findings: &outcome.findings,
        policy_runs: &outcome.runs,
        options: &selection.options,
        suppressions: &[],
        contracts: &std::sync::OnceLock::new(),
    };
    let diagnostics = engine::run(&cx, selection);
    drop(graph);
    Analysis {
        loaded,
        diagnostics,
    }
}
