//! Bench binary: over a folder of templates (default ../shared/corpus), the best of 10 runs of
//! - the floor: read and parse every template file with the same parsers, nothing else;
//! - load: discovery, parsing, template model, state machine definitions, handler code;
//! - load + graph;
//! - the full check without the Guard policy pass (EL903);
//! - the full check (all rules), as `eventlint check` runs it.
//!
//! Prints milliseconds, templates/s and MB/s. Run with `cargo bench --bench corpus [DIR]`.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    reason = "a bench binary prints its numbers"
)]

use std::path::PathBuf;
use std::time::Instant;

use eventlint::engine::Selection;

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(v);
    }
    (best, last.unwrap())
}

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
    let paths = [dir];
    let files: Vec<PathBuf> = eventlint::load::discover(&paths);
    let (floor, bytes) = best(10, || {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).unwrap_or_default();
                let n = text.len();
                std::hint::black_box(eventlint::model::parse_text(&text, 0));
                n
            })
            .sum::<usize>()
    });
    let (load, templates) = best(10, || eventlint::load::load(&paths).templates);
    let (graph, edges) = best(10, || {
        let loaded = eventlint::load::load(&paths);
        let g = eventlint::graph::build(&loaded.system);
        g.g.edge_count()
    });
    let (full, findings) = best(10, || {
        eventlint::analyze(&paths, &Selection::default())
            .diagnostics
            .len()
    });
    let no_policies = eventlint::policy::PolicyOptions {
        defaults: false,
        paths: Vec::new(),
    };
    let (no_guard, _) = best(10, || {
        eventlint::analyze_with(&paths, &Selection::default(), &no_policies)
            .diagnostics
            .len()
    });
    let mb = bytes as f64 / 1e6;
    println!(
        "{templates} templates, {:.2} MB, {edges} edges, {findings} findings (best of 10 runs, {} threads)",
        mb,
        rayon::current_num_threads()
    );
    for (name, t) in [
        ("read + parse (floor)", floor),
        ("load", load),
        ("load + graph", graph),
        ("full, no Guard pass", no_guard),
        ("full check", full),
    ] {
        println!(
            "{name:22} {:7.1} ms  {:7.0} templates/s  {:6.1} MB/s  {:.2}x floor",
            t * 1e3,
            templates as f64 / t,
            mb / t,
            t / floor
        );
    }
}
