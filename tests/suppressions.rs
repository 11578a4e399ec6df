//! Template suppressions (`Metadata: {eventlint: {ignore: [...]}}`) on SAM functions, their
//! events and the resources SAM generates for them; unused and unknown suppressions (EL904);
//! baselines written and read back.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use eventlint::engine::Selection;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `(code, resource)` of every finding, in output order.
fn findings(path: &str, selection: &Selection) -> Vec<(String, String)> {
    let analysis =
        eventlint::analyze_with(&[Path::new(ROOT).join(path)], selection, &no_policies());
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code.to_string(),
                d.finding.resource.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// Without the shipped Guard pack, which is beside the point here (tests/policies.rs has it).
fn no_policies() -> eventlint::policy::PolicyOptions {
    eventlint::policy::PolicyOptions {
        defaults: false,
        paths: Vec::new(),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, r)| ((*c).to_string(), (*r).to_string()))
        .collect()
}

#[test]
fn function_suppressions_cover_its_events_and_generated_resources() {
    // `Quiet` and `Loud` are the same function; only `Quiet` has the suppression
    // the observability rules (EL2xx) are beside the point here
    let sel = Selection {
        ignore: vec!["EL2".into()],
        ..Selection::default()
    };
    let got = findings("fixtures/config/suppressions/sam.yaml", &sel);
    assert_eq!(
        got,
        pairs(&[
            ("EL706", "Orders"),
            // on the SNS event
            ("EL104", "Loud"),
            // on the queue SAM generates for `SqsSubscription: true`
            ("EL101", "Loud"),
            ("EL106", "Loud"),
        ])
    );
}

#[test]
fn state_machine_suppressions_cover_its_definition_file() {
    let fixture = "fixtures/config/suppressions/definition";
    let sel = Selection {
        ignore: vec!["EL2".into()],
        ..Selection::default()
    };
    assert_eq!(findings(fixture, &sel), []);
    // the same files without the suppression
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("definition_suppression");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let from = Path::new(ROOT).join(fixture);
    std::fs::copy(
        from.join("checkout.asl.json"),
        dir.join("checkout.asl.json"),
    )
    .unwrap();
    let text = std::fs::read_to_string(from.join("template.yaml")).unwrap();
    let quiet = "ignore: [task-without-retry, task-without-catch]";
    assert!(text.contains(quiet));
    std::fs::write(dir.join("template.yaml"), text.replace(quiet, "ignore: []")).unwrap();
    let analysis = eventlint::analyze_with(std::slice::from_ref(&dir), &sel, &no_policies());
    let got: Vec<(&str, &str)> = analysis
        .diagnostics
        .iter()
        .map(|d| {
            let file = analysis.loaded.system.db.get(d.finding.span.file).unwrap();
            (
                d.code,
                file.disk_path.file_name().unwrap().to_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("EL112", "checkout.asl.json"),
            ("EL113", "checkout.asl.json")
        ]
    );
}

#[test]
fn unused_and_unknown_suppressions_are_reported() {
    let got = findings(
        "fixtures/rules/EL904/bad-unused.yaml",
        &Selection::default(),
    );
    let el904: Vec<_> = got.iter().filter(|(c, _)| c == "EL904").collect();
    assert_eq!(el904.len(), 3, "{got:?}");
    let got = findings(
        "fixtures/rules/EL904/bad-unknown.yaml",
        &Selection::default(),
    );
    let el904: Vec<_> = got.iter().filter(|(c, _)| c == "EL904").collect();
    assert_eq!(el904.len(), 3, "{got:?}");
}

#[test]
fn suppressions_of_rules_that_did_not_run_are_not_unused() {
    let only = |select: &[&str], ignore: &[&str]| Selection {
        select: select.iter().map(|s| (*s).to_string()).collect(),
        ignore: ignore.iter().map(|s| (*s).to_string()).collect(),
        ..Selection::default()
    };
    let unused = "fixtures/rules/EL904/bad-unused.yaml";
    // the three entries name EL703, EL101 and EL106
    assert_eq!(findings(unused, &only(&["EL904"], &[])), []);
    assert_eq!(
        findings(unused, &only(&["EL904", "EL101"], &[])),
        pairs(&[("EL904", "Jobs")])
    );
    assert_eq!(
        findings(unused, &only(&[], &["EL1", "EL2", "EL706"])),
        pairs(&[("EL904", "")])
    );
    // unknown entries are reported whatever runs
    let unknown = "fixtures/rules/EL904/bad-unknown.yaml";
    assert_eq!(findings(unknown, &only(&["EL904"], &[])).len(), 3);
    // and not at all without EL904
    assert_eq!(findings(unknown, &only(&["EL1"], &[])), []);
}

/// A scratch copy of a fixture under Cargo's per-test temporary folder.
fn scratch(name: &str, fixture: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(Path::new(ROOT).join(fixture), dir.join("template.yaml")).unwrap();
    dir
}

fn eventlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("eventlint").unwrap();
    c.current_dir(dir);
    c
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn baseline_round_trip() {
    let dir = scratch("baseline_round_trip", "fixtures/rules/EL101/bad-cfn.yaml");
    let out = eventlint(&dir)
        .args(["check", "--write-baseline", "baseline.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(doc["version"], 1);
    let entries = doc["fingerprints"].as_array().unwrap();
    assert!(!entries.is_empty());
    let keys: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| {
            assert_eq!(e.as_object().unwrap().len(), 3);
            (
                e["code"].as_str().unwrap().into(),
                e["file"].as_str().unwrap().into(),
                e["fingerprint"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted, "entries are sorted and unique");
    assert!(keys.iter().all(|(_, f, _)| f == "template.yaml"));

    // with the baseline: nothing to report, and the summary says how many were baselined
    let out = eventlint(&dir)
        .args(["check", "--baseline", "baseline.json", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert_eq!(doc["findings"], serde_json::json!([]));
    let baselined = doc["summary"]["baselined"].as_u64().unwrap();
    assert!(baselined >= 1);
    let out = eventlint(&dir)
        .args(["check", "--baseline", "baseline.json"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("no findings in 1 file ({baselined} baselined)\n")
    );

    // a new defect above the old ones (every line moves): only it is reported
    let template = dir.join("template.yaml");
    let text = std::fs::read_to_string(&template).unwrap();
    let text = text.replacen(
        "Resources:\n",
        "Resources:\n  Fresh:\n    Type: AWS::SQS::Queue\n\n",
        1,
    );
    std::fs::write(&template, text).unwrap();
    let out = eventlint(&dir)
        .args(["check", "--baseline", "baseline.json", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    let found: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["resource"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("EL101", "Fresh")]);
    assert_eq!(doc["summary"]["baselined"].as_u64(), Some(baselined));
}

#[test]
fn a_broken_baseline_is_a_run_failure() {
    let dir = scratch("broken_baseline", "fixtures/rules/EL101/good.yaml");
    std::fs::write(
        dir.join("baseline.json"),
        "{\"version\": 2, \"fingerprints\": []}",
    )
    .unwrap();
    eventlint(&dir)
        .args(["check", "--baseline", "baseline.json"])
        .assert()
        .code(2)
        .stderr(
            "eventlint: error: `baseline.json`: baseline version 2 is not supported (expected 1)\n",
        );
    eventlint(&dir)
        .args(["check", "--baseline", "missing.json"])
        .assert()
        .code(2);
}
