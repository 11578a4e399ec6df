//! Every input under `tests/data/fuzz-regressions/<target>/` (crashes, hangs and out-of-memory
//! inputs the fuzzers found, and a seed per target) goes through the fuzz target's entry point
//! (`eventlint::harness`), which must return, each within a few seconds.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::time::{Duration, Instant};

#[test]
fn fuzz_regressions_still_pass() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let mut ran = 0;
    for (name, target) in eventlint::harness::TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no inputs for {name}");
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let start = Instant::now();
            target(&data);
            let took = start.elapsed();
            assert!(
                took < Duration::from_secs(10),
                "{} took {took:?}",
                file.display()
            );
            ran += 1;
        }
    }
    assert!(ran >= eventlint::harness::TARGETS.len());
}
