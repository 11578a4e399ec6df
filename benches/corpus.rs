//! Bench binary over a folder of templates (the first argument, else `EVENTLINT_BENCH_CORPUS`,
//! else `../shared/corpus`, looked for next to this checkout and its parent folders). In process, the best of `--runs` (default 10) runs of
//! - floor: read every candidate file and parse it with the same parsers as the loader, events
//!   only (saphyr-parser events for YAML, jsonc-parser for JSON), no tree;
//! - tree: the same plus lowering into eventlint's node tree;
//! - load: discovery, parsing, template model, state machine definitions, handler code;
//! - load + SAM + graph;
//! - full check: all rules and the JSON report, as `eventlint check --format json` runs it.
//!
//! Then the release binary as a child process: `eventlint check DIR --format json --jobs 1` and
//! `--jobs 2` (best of `--child-runs`, default 5; peak memory from GNU time), and cfn-lint over
//! the same template files once, in `--cfn-lint-procs` (default 2) parallel processes, when
//! `target/bench-venv/bin/cfn-lint` (made by `scripts/bench-setup.sh`) or `$CFN_LINT` exists.
//!
//! Run: `scripts/bench.sh [DIR]` or `cargo bench --bench corpus -- [DIR] [--runs N]
//! [--child-runs N] [--cfn-lint-procs N] [--no-cfn-lint]`.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    reason = "a bench binary prints its numbers"
)]

#[path = "common/mod.rs"]
mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use clap::Parser as _;
use rayon::prelude::*;

use common::{Times, best, best_child, eventlint_bin, flag, mb, positional};

const VALUED: &[&str] = &["--runs", "--child-runs", "--cfn-lint-procs"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = positional(&args, VALUED)
        .into_iter()
        .next()
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("EVENTLINT_BENCH_CORPUS").map(PathBuf::from))
        .unwrap_or_else(default_corpus);
    let runs: usize = flag(&args, "--runs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let child_runs: usize = flag(&args, "--child-runs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let procs: usize = flag(&args, "--cfn-lint-procs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    if !dir.is_dir() {
        println!("skipped: {} not found", dir.display());
        return;
    }
    let paths = [dir.clone()];
    let files = eventlint::load::discover(&paths);

    let (floor, bytes) = best(runs, || parse_floor(&files));
    let (tree, _) = best(runs, || {
        files
            .par_iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).unwrap_or_default();
                if may_be_template(text.as_bytes()) {
                    std::hint::black_box(eventlint::model::parse_text(&text, 0));
                }
            })
            .count()
    });
    let (load, templates) = best(runs, || eventlint::load::load(&paths).templates);
    let (graph, edges) = best(runs, || {
        let loaded = eventlint::load::load(&paths);
        eventlint::graph::build(&loaded.system).g.edge_count()
    });
    let check_args = |extra: &[&str]| -> Vec<OsString> {
        let mut v: Vec<OsString> = vec!["check".into(), dir.clone().into_os_string()];
        v.extend(["--format", "json", "--fail-on", "error"].map(OsString::from));
        v.extend(extra.iter().map(OsString::from));
        v
    };
    let (full, json_len) = best(runs, || {
        let argv = std::iter::once(OsString::from("eventlint")).chain(check_args(&[]));
        let cli = eventlint::cli::Cli::try_parse_from(argv).unwrap();
        let mut out = Vec::new();
        let _ = eventlint::cli::run(cli, &mut out);
        out.len()
    });
    let findings = eventlint::analyze(&paths, &eventlint::engine::Selection::default())
        .diagnostics
        .len();

    let mbytes = bytes as f64 / 1e6;
    println!(
        "corpus {}: {templates} templates, {} candidate files, {mbytes:.2} MB parsed, {edges} graph edges, {findings} findings, JSON report {json_len} bytes",
        dir.display(),
        files.len(),
    );
    println!(
        "in process, best of {runs} runs, {} rayon threads (wall: elapsed; cpu: all threads' CPU time):",
        rayon::current_num_threads()
    );
    let line = |name: &str, t: Times| {
        println!(
            "  {name:30} wall {:7.1} ms {:7.0} templates/s {:6.1} MB/s {:5.2}x floor | cpu {:7.1} ms {:5.2}x floor",
            t.wall * 1e3,
            templates as f64 / t.wall,
            mbytes / t.wall,
            t.wall / floor.wall,
            t.cpu * 1e3,
            t.cpu / floor.cpu,
        );
    };
    line("floor: read + parse (events)", floor);
    line("read + parse into tree", tree);
    line("load", load);
    line("load + SAM + graph", graph);
    line("full check, all rules, JSON", full);
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "  targets: full/floor wall {:.2}x, cpu {:.2}x (<= 1.5x: {}); {:.0} templates/s (>= 2,000: {})",
        full.wall / floor.wall,
        full.cpu / floor.cpu,
        verdict(full.wall / floor.wall <= 1.5),
        templates as f64 / full.wall,
        verdict(templates as f64 / full.wall >= 2000.0)
    );

    let bin = eventlint_bin();
    println!(
        "release binary as a child process ({}), best of {child_runs} runs, peak RSS from GNU time:",
        bin.display()
    );
    let mut outputs = Vec::new();
    let mut two_jobs = None;
    for (name, extra) in [
        ("--jobs 1", &["--jobs", "1"][..]),
        ("--jobs 2", &["--jobs", "2"][..]),
        ("default jobs", &[][..]),
    ] {
        let r = best_child(child_runs, &bin, &check_args(extra));
        println!(
            "  eventlint check --format json {name:12} wall {:7.1} ms {:7.0} templates/s {:6.1} MB/s | cpu {} | peak RSS {} | exit {}",
            r.secs * 1e3,
            templates as f64 / r.secs,
            mbytes / r.secs,
            r.cpu
                .map_or_else(|| "n/a".into(), |c| format!("{:.0} ms", c * 1e3)),
            mb(r.max_rss),
            r.code.map_or_else(|| "signal".into(), |c| c.to_string()),
        );
        if name == "--jobs 2" {
            two_jobs = Some(r.secs);
        }
        outputs.push(r.stdout);
    }
    println!(
        "  JSON output identical across --jobs values: {}",
        outputs.windows(2).all(|w| w[0] == w[1])
    );

    if args.iter().any(|a| a == "--no-cfn-lint") {
        println!("cfn-lint: skipped (--no-cfn-lint)");
        return;
    }
    let Some(cfn) = cfn_lint() else {
        println!(
            "cfn-lint: skipped, not installed (run scripts/bench-setup.sh, or set CFN_LINT=/path/to/cfn-lint)"
        );
        return;
    };
    let loaded = eventlint::load::load(&paths);
    let tpl_files: Vec<PathBuf> = loaded
        .system
        .templates
        .iter()
        .filter_map(|t| loaded.system.db.get(t.file).map(|f| f.disk_path.clone()))
        .collect();
    let version = Command::new(&cfn)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let secs = run_cfn_lint(&cfn, &tpl_files, procs);
    println!(
        "cfn-lint ({version}), the same {} template files once, {procs} parallel processes: {:.1} s, {:.1} templates/s",
        tpl_files.len(),
        secs,
        tpl_files.len() as f64 / secs
    );
    if let Some(ours) = two_jobs {
        println!(
            "  cfn-lint / eventlint --jobs 2 (full check, child process): {:.0}x",
            secs / ours
        );
    }
}

/// `shared/corpus` next to the checkout or next to one of its parent folders (a worktree).
fn default_corpus() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .skip(1)
        .map(|a| a.join("shared/corpus"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| here.join("../shared/corpus"))
}

/// Read every candidate and parse the ones the loader parses, events only. Returns bytes parsed.
fn parse_floor(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            if !may_be_template(text.as_bytes()) {
                return 0;
            }
            let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if body.trim_start().starts_with('{') {
                let _ = std::hint::black_box(jsonc_parser::parse_to_ast(
                    body,
                    &jsonc_parser::CollectOptions::default(),
                    &eventlint::model::json::strict_options(),
                ));
            } else {
                let mut parser = saphyr_parser::Parser::new_from_str(&text);
                while let Some(Ok(ev)) = parser.next_event() {
                    std::hint::black_box(ev);
                }
            }
            text.len()
        })
        .sum()
}

/// The loader's cheap pre-check (src/load.rs `may_be_template`).
fn may_be_template(text: &[u8]) -> bool {
    let has = |needle: &[u8]| text.windows(needle.len()).any(|w| w == needle);
    has(b"AWSTemplateFormatVersion")
        || has(b"AWS::Serverless")
        || (has(b"Resources") && (has(b"AWS::") || has(b"Custom::")))
}

/// `$CFN_LINT`, else the venv that scripts/bench-setup.sh makes.
fn cfn_lint() -> Option<PathBuf> {
    std::env::var_os("CFN_LINT")
        .map(PathBuf::from)
        .or_else(|| {
            Some(PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/target/bench-venv/bin/cfn-lint"
            )))
        })
        .filter(|p| p.is_file())
}

/// Wall time of cfn-lint over `files`, split round-robin over `procs` processes run at once.
fn run_cfn_lint(cfn: &Path, files: &[PathBuf], procs: usize) -> f64 {
    let procs = procs.max(1);
    let t = Instant::now();
    let children: Vec<_> = (0..procs)
        .filter_map(|i| {
            let chunk: Vec<&PathBuf> = files.iter().skip(i).step_by(procs).collect();
            if chunk.is_empty() {
                return None;
            }
            Command::new(cfn)
                .arg("--")
                .args(chunk)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()
        })
        .collect();
    for mut c in children {
        let _ = c.wait();
    }
    t.elapsed().as_secs_f64()
}
