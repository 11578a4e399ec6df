//! Scale bench: a generated monorepo (1x = 5,000 SAM templates with 20,000 functions and their
//! Python/JavaScript handlers, linked by `Export`/`ImportValue`) at several scales, and one
//! template at CloudFormation's limit of 500 resources. The release binary runs
//! `eventlint check DIR --format json` as a child process; the best wall time of `--runs`
//! (default 3) and the peak resident memory (GNU time) are printed per scale, with the time per
//! template so that linear growth can be read off.
//!
//! Run: `scripts/bench.sh scale` or `cargo bench --bench scale -- [--scales 0.5,1,2,4]
//! [--runs N] [--out DIR]`. Generated trees are kept in `target/bench-scale/` and reused.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a bench binary prints its numbers"
)]

#[path = "common/mod.rs"]
mod common;
#[path = "common/monorepo.rs"]
mod monorepo;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{best_child, eventlint_bin, flag, mb};

/// Templates at 1x.
const BASE_SERVICES: usize = 5_000;
/// Bump when the generator's output changes, so that stale trees are regenerated.
const GENERATOR_VERSION: &str = "1";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scales: Vec<f64> = flag(&args, "--scales")
        .unwrap_or_else(|| "0.5,1,2,4".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = flag(&args, "--runs")
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let out = flag(&args, "--out").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-scale")),
        PathBuf::from,
    );
    let bin = eventlint_bin();
    println!(
        "eventlint check DIR --format json, release binary, best of {runs} runs, peak RSS from GNU time"
    );
    println!(
        "  {:>6} {:>9} {:>9} {:>7} {:>8} {:>12} {:>8} {:>13} {:>10} {:>8}",
        "scale",
        "templates",
        "functions",
        "MB",
        "wall s",
        "templates/s",
        "cpu s",
        "cpu us/templ.",
        "peak RSS",
        "findings"
    );
    let mut base: Option<f64> = None;
    for scale in scales {
        let services = ((BASE_SERVICES as f64) * scale).round().max(1.0) as usize;
        let dir = out.join(format!("monorepo-{services}"));
        let gen_secs = ensure(&dir, |d| monorepo::monorepo(d, services));
        let r = best_child(runs, &bin, &check_args(&dir));
        // CPU time per template: what linear growth means, independent of the machine's load
        let per = r.cpu.unwrap_or(r.secs) / services as f64;
        let growth = base.map_or(String::new(), |b| {
            format!("  {:.2}x cpu per template vs first", per / b)
        });
        base.get_or_insert(per);
        println!(
            "  {:>5}x {:>9} {:>9} {:>7.1} {:>8.2} {:>12.0} {:>8.2} {:>13.0} {:>10} {:>8}{}{growth}",
            scale,
            services,
            services * monorepo::FUNCTIONS_PER_SERVICE,
            size_mb(&dir),
            r.secs,
            services as f64 / r.secs,
            r.cpu.unwrap_or(f64::NAN),
            per * 1e6,
            mb(r.max_rss),
            findings(&r.stdout),
            gen_secs.map_or(String::new(), |g| format!("  (generated in {g:.1} s)")),
        );
    }
    let dir = out.join("resource-limit");
    ensure(&dir, monorepo::resource_limit);
    let r = best_child(runs.max(5), &bin, &check_args(&dir));
    println!(
        "one template with 500 resources (100 functions, 200 queues, 100 topics, 100 rules): wall {:.1} ms, cpu {:.0} ms, peak {}, {} findings",
        r.secs * 1e3,
        r.cpu.unwrap_or(f64::NAN) * 1e3,
        mb(r.max_rss),
        findings(&r.stdout)
    );
}

fn check_args(dir: &Path) -> Vec<OsString> {
    vec![
        "check".into(),
        dir.as_os_str().to_owned(),
        "--format".into(),
        "json".into(),
        "--fail-on".into(),
        "error".into(),
    ]
}

/// Generate `dir` unless a complete tree of this generator version is there; the seconds taken.
fn ensure(dir: &Path, generate: impl FnOnce(&Path) -> std::io::Result<()>) -> Option<f64> {
    let marker = dir.join(".generated");
    if std::fs::read_to_string(&marker).is_ok_and(|v| v == GENERATOR_VERSION) {
        return None;
    }
    let _ = std::fs::remove_dir_all(dir);
    let t = Instant::now();
    generate(dir).unwrap_or_else(|e| panic!("cannot generate {}: {e}", dir.display()));
    std::fs::write(&marker, GENERATOR_VERSION).unwrap();
    Some(t.elapsed().as_secs_f64())
}

/// Megabytes of the files under `dir`.
fn size_mb(dir: &Path) -> f64 {
    fn walk(p: &Path) -> u64 {
        std::fs::read_dir(p).map_or(0, |rd| {
            rd.flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => walk(&e.path()),
                    Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
                    _ => 0,
                })
                .sum()
        })
    }
    walk(dir) as f64 / 1e6
}

/// The number of findings in a JSON report (`-` when it does not parse).
fn findings(json: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("findings").and_then(|f| f.as_array()).map(Vec::len))
        .map_or_else(|| "-".into(), |n| n.to_string())
}
