//! Bench binary: time the full check of a folder of templates (default ../shared/corpus)
//! against parsing alone and against the check without the Guard policy pass (EL903), and
//! print templates per second. `cargo bench --bench corpus [DIR]`.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a bench binary prints its numbers"
)]

use std::path::PathBuf;
use std::time::Instant;

use eventlint::engine::Selection;

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or_else(
            || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")),
            PathBuf::from,
        );
    if !dir.is_dir() {
        println!("skipped: {} not found", dir.display());
        return;
    }
    let runs = 10;
    let mut best_load = f64::MAX;
    let mut best_full = f64::MAX;
    let mut best_no_guard = f64::MAX;
    let no_policies = eventlint::policy::PolicyOptions {
        defaults: false,
        paths: Vec::new(),
    };
    let mut templates = 0;
    let mut findings = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let loaded = eventlint::load::load(std::slice::from_ref(&dir));
        best_load = best_load.min(t.elapsed().as_secs_f64());
        templates = loaded.templates;
        let t = Instant::now();
        let analysis = eventlint::analyze(std::slice::from_ref(&dir), &Selection::default());
        best_full = best_full.min(t.elapsed().as_secs_f64());
        findings = analysis.diagnostics.len();
        let t = Instant::now();
        let _ = eventlint::analyze_with(
            std::slice::from_ref(&dir),
            &Selection::default(),
            &no_policies,
        );
        best_no_guard = best_no_guard.min(t.elapsed().as_secs_f64());
    }
    println!("{templates} templates, {findings} findings (best of {runs} runs)");
    println!("load+parse only: {:.1} ms", best_load * 1e3);
    println!(
        "full check:      {:.1} ms  ({:.0} templates/s, {:.2}x parse time)",
        best_full * 1e3,
        templates as f64 / best_full,
        best_full / best_load
    );
    println!(
        "without Guard:   {:.1} ms  (the policy pass: {:.1} ms, {:.2} ms per template)",
        best_no_guard * 1e3,
        (best_full - best_no_guard) * 1e3,
        (best_full - best_no_guard) * 1e3 / templates.max(1) as f64
    );
}
