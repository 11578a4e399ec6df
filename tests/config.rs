//! `eventlint.toml`: found upward or named with `--config`, errors that name file, line and key
//! (exit code 2), per-rule severity and options, per-path ignores, and command-line flags over
//! the configuration.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::Path;

use assert_cmd::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Sits at two thresholds: EL106 (visibility 3 x the timeout) and EL109 (maxReceiveCount 3).
const TEMPLATE: &str = "fixtures/config/template.yaml";

fn eventlint(dir: &str) -> Command {
    let mut c = Command::cargo_bin("eventlint").unwrap();
    c.current_dir(Path::new(ROOT).join(dir));
    c
}

/// `(code, file)` of every finding of `eventlint check ARGS --format json` run in `dir`.
fn findings(dir: &str, args: &[&str]) -> Vec<(String, String)> {
    let out = eventlint(dir)
        // the shipped Guard pack is beside the point here (tests/policies.rs has it)
        .args(["check", "--format", "json", "--no-default-policies"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some_and(|c| c < 2), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn codes(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(c, _)| c.as_str()).collect()
}

/// The run fails with exit code 2 and this message on stderr.
fn fails_with(args: &[&str], message: &str) {
    let out = eventlint(".").arg("check").args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        format!("eventlint: error: {message}")
    );
}

#[test]
fn found_upward_from_the_current_directory() {
    // fixtures/config/project/eventlint.toml ignores EL101 under legacy/
    let legacy = "fixtures/config/project/legacy";
    assert!(!Path::new(ROOT).join(legacy).join("eventlint.toml").exists());
    assert_eq!(findings(legacy, &["."]), []);
    // from the repository root no configuration applies
    let from_root = findings(".", &[&format!("{legacy}/template.yaml")]);
    assert_eq!(codes(&from_root), ["EL101"]);
}

#[test]
fn named_with_config() {
    assert_eq!(
        codes(&findings(".", &[TEMPLATE])),
        ["EL706", "EL106", "EL109", "EL201", "EL204"]
    );
    let found = findings(
        ".",
        &[
            TEMPLATE,
            "--config",
            "fixtures/config/project/eventlint.toml",
        ],
    );
    // the project configuration ignores dangling-channel and keeps the default thresholds
    assert_eq!(codes(&found), ["EL106", "EL109"]);
    fails_with(
        &[TEMPLATE, "--config", "fixtures/config/missing.toml"],
        "cannot read `fixtures/config/missing.toml`: No such file or directory (os error 2)",
    );
}

#[test]
fn unknown_key_names_file_line_and_key() {
    fails_with(
        &[TEMPLATE, "--config", "fixtures/config/unknown-key.toml"],
        "fixtures/config/unknown-key.toml:5: key `rules.EL106.visiblity-factor`: unknown key, EL106 accepts `severity`, `visibility-factor`",
    );
    fails_with(
        &[TEMPLATE, "--config", "fixtures/config/unknown-rule.toml"],
        "fixtures/config/unknown-rule.toml:1: key `ignore`: unknown rule `queue-without-dql`: not a code, name or code prefix of any rule",
    );
}

#[test]
fn bad_severity_value_names_file_line_and_key() {
    fails_with(
        &[TEMPLATE, "--config", "fixtures/config/bad-severity.toml"],
        "fixtures/config/bad-severity.toml:2: key `rules.EL109.severity`: expected \"error\", \"warning\" or \"info\", found \"critical\"",
    );
}

#[test]
fn per_rule_severity_changes_the_exit_code() {
    // EL109 is info by default: below the default fail-on warning
    eventlint(".")
        .args(["check", TEMPLATE, "--select", "EL109"])
        .assert()
        .code(0);
    let out = eventlint(".")
        .args(["check", TEMPLATE, "--format", "json"])
        .args(["--config", "fixtures/config/severity.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"][0]["code"], "EL109");
    assert_eq!(doc["findings"][0]["severity"], "error");
}

#[test]
fn fail_on_from_the_config_and_the_command_line_over_it() {
    let config = ["--config", "fixtures/config/fail-on-info.toml"];
    eventlint(".")
        .args(["check", TEMPLATE])
        .args(config)
        .assert()
        .code(1);
    eventlint(".")
        .args(["check", TEMPLATE, "--fail-on", "warning"])
        .args(config)
        .assert()
        .code(0);
}

#[test]
fn rule_options_change_thresholds() {
    let found = findings(
        ".",
        &[
            TEMPLATE,
            "--select",
            "EL106,EL109",
            "--config",
            "fixtures/config/options.toml",
        ],
    );
    assert_eq!(found, []);
}

#[test]
fn command_line_select_replaces_the_config_and_ignore_adds_to_it() {
    let config = ["--config", "fixtures/config/project/eventlint.toml"];
    // the configuration ignores EL706; --select starts afresh
    let found = findings(".", &[&[TEMPLATE, "--select", "EL7"][..], &config].concat());
    assert_eq!(codes(&found), ["EL706"]);
    let found = findings(
        ".",
        &[&[TEMPLATE, "--ignore", "EL109"][..], &config].concat(),
    );
    assert_eq!(codes(&found), ["EL106"]);
}

#[test]
fn per_path_ignores_match_relative_to_the_config() {
    let found = findings(
        ".",
        &[
            "fixtures/config/project",
            "--config",
            "fixtures/config/project/eventlint.toml",
        ],
    );
    assert_eq!(
        found,
        [(
            "EL101".to_string(),
            "fixtures/config/project/current/template.yaml".to_string()
        )]
    );
    let found = findings("fixtures/config/project", &["."]);
    assert_eq!(
        found,
        [("EL101".to_string(), "current/template.yaml".to_string())]
    );
}
