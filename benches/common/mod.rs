//! Helpers shared by the bench binaries: best-of-N timing, and running a command as a child
//! process with its wall time and peak resident memory.
//!
//! Peak memory comes from GNU time (`/usr/bin/time -f %M`, the child's `getrusage` maxrss in KB):
//! the crate forbids `unsafe`, so the bench does not call `wait4` itself. Without GNU time the
//! memory column says `n/a`.

#![allow(dead_code, reason = "each bench binary uses a part of these helpers")]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Best (smallest) times of several runs, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Times {
    /// Wall-clock time.
    pub wall: f64,
    /// CPU time of all threads of the process (Linux `schedstat`; 0 elsewhere). On a loaded
    /// machine this is the number that does not depend on how busy the other processes are.
    pub cpu: f64,
}

/// CPU time used so far by all threads of this process, in seconds (sum of
/// `/proc/self/task/*/schedstat`, nanosecond resolution; rayon's threads live for the whole run).
pub fn process_cpu() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        })
        .sum();
    #[allow(clippy::cast_precision_loss, reason = "seconds")]
    let secs = ns as f64 / 1e9;
    secs
}

/// The best wall and CPU times of `runs` calls of `f`, and the last result.
pub fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Times, T) {
    let mut best = Times {
        wall: f64::MAX,
        cpu: f64::MAX,
    };
    let mut last = None;
    for _ in 0..runs.max(1) {
        let c = process_cpu();
        let t = Instant::now();
        let v = f();
        best.wall = best.wall.min(t.elapsed().as_secs_f64());
        best.cpu = best.cpu.min(process_cpu() - c);
        last = Some(v);
    }
    (best, last.unwrap())
}

/// One run of a child process.
pub struct ChildRun {
    /// Wall time in seconds.
    pub secs: f64,
    /// User + system CPU time in seconds (10 ms resolution), when GNU time is available.
    pub cpu: Option<f64>,
    /// Peak resident set size in bytes, when GNU time is available.
    pub max_rss: Option<u64>,
    /// What the child wrote on stdout.
    pub stdout: Vec<u8>,
    /// Its exit code (`None` when killed by a signal).
    pub code: Option<i32>,
}

const GNU_TIME: &str = "/usr/bin/time";

/// Whether peak memory can be measured (GNU time is installed).
pub fn can_measure_memory() -> bool {
    Path::new(GNU_TIME).is_file()
}

/// Run `program args` once, stdout captured, stderr discarded; under GNU time when present.
pub fn run_child(program: &Path, args: &[OsString]) -> ChildRun {
    let rss_file = tempfile::NamedTempFile::new().ok();
    let mut cmd = match (&rss_file, can_measure_memory()) {
        (Some(f), true) => {
            let mut c = Command::new(GNU_TIME);
            c.arg("-f")
                .arg("%M %U %S")
                .arg("-o")
                .arg(f.path())
                .arg(program);
            c
        }
        _ => Command::new(program),
    };
    cmd.args(args).stdin(Stdio::null()).stderr(Stdio::null());
    let t = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let secs = t.elapsed().as_secs_f64();
    // GNU time writes "Command exited with non-zero status N" first when the exit code is not 0
    let stats: Vec<f64> = rss_file
        .and_then(|f| std::fs::read_to_string(f.path()).ok())
        .and_then(|s| s.lines().last().map(str::to_string))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "kilobytes as printed by GNU time"
    )]
    let max_rss = stats.first().map(|kb| (*kb as u64) * 1024);
    let cpu = match stats.as_slice() {
        [_, u, s] => Some(u + s),
        _ => None,
    };
    ChildRun {
        secs,
        cpu,
        max_rss,
        stdout: out.stdout,
        code: out.status.code(),
    }
}

/// The best of `runs` child runs: smallest wall and CPU time, largest peak memory, last stdout.
pub fn best_child(runs: usize, program: &Path, args: &[OsString]) -> ChildRun {
    let mut best: Option<ChildRun> = None;
    for _ in 0..runs.max(1) {
        let r = run_child(program, args);
        best = Some(match best {
            None => r,
            Some(b) => ChildRun {
                secs: b.secs.min(r.secs),
                cpu: match (b.cpu, r.cpu) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                },
                max_rss: b.max_rss.max(r.max_rss),
                stdout: r.stdout,
                code: r.code,
            },
        });
    }
    best.unwrap()
}

/// `$EVENTLINT_BIN` (to compare builds), else the release `eventlint` binary that cargo built
/// for this bench.
pub fn eventlint_bin() -> PathBuf {
    std::env::var_os("EVENTLINT_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_eventlint")),
        PathBuf::from,
    )
}

/// `MB` with one decimal, or `n/a`.
pub fn mb(bytes: Option<u64>) -> String {
    #[allow(clippy::cast_precision_loss, reason = "display only")]
    bytes.map_or_else(|| "n/a".into(), |b| format!("{:.1} MB", b as f64 / 1e6))
}

/// The value of `--name VALUE` among the arguments.
pub fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Arguments that are neither flags nor flag values (flags in `valued` take a value).
pub fn positional(args: &[String], valued: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
        } else if valued.contains(&a.as_str()) {
            skip = true;
        } else if !a.starts_with('-') {
            out.push(a.clone());
        }
    }
    out
}
