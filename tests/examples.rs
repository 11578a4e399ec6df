//! The bundled applications: the order-service example (fixtures/examples/order-service, with
//! its planted defects listed in EXPECTED.md) and the seed patterns composed exactly as the
//! seed document writes them (fixtures/seed). Every finding of every rule must be one the
//! `expect:` markers name, and every marker must be found.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::BTreeSet;
use std::path::PathBuf;

use eventlint::engine::Selection;

mod common;

/// `(file, line, code)` triples.
type Set = BTreeSet<(String, u32, String)>;

fn check(dir: &str) -> (Set, Set) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    // The planted defects are for eventlint's own rules; the shipped Guard policy pack (EL903)
    // is tested in tests/policies.rs.
    let selection = Selection {
        ignore: vec!["EL903".into()],
        ..Selection::default()
    };
    let analysis = eventlint::analyze(std::slice::from_ref(&path), &selection);
    (common::markers(&path), common::findings(&analysis))
}

#[test]
fn order_service_reports_exactly_its_planted_defects() {
    let (expected, got) = check("fixtures/examples/order-service");
    assert_eq!(expected.len(), 6);
    assert_eq!(got, expected);
}

#[test]
fn seed_patterns_give_the_findings_the_catalogue_implies() {
    let (mut expected, got) = check("fixtures/seed");
    // JSON cannot carry markers: the seed's one Task state (workflow.asl.json line 5) has
    // neither Retry nor Catch.
    let asl = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/seed/statemachine/workflow.asl.json");
    let asl = asl.to_string_lossy().replace('\\', "/");
    expected.insert((asl.clone(), 5, "EL112".into()));
    expected.insert((asl, 5, "EL113".into()));
    assert_eq!(got, expected);
}
