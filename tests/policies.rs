//! Guard policies (EL903) end to end: a user's policy (`--policy`) fails on the example with
//! its location, a broken policy file is an EL901 finding and the run goes on, policy findings
//! are suppressible like any other, and SARIF names them by the Guard rule.
//! The shipped pack's own fixtures are in fixtures/rules/EL903 (tests/rules.rs).

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

const EXAMPLE: &str = "fixtures/examples/order-service";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The findings of `eventlint check ARGS --format json`, run in the repository root.
fn check(args: &[&str]) -> (i32, Vec<Value>) {
    let (code, findings, stderr) = common::check_json(args);
    assert!(matches!(code, 0 | 1), "exit {code}: {stderr}");
    (code, findings.expect("a JSON report"))
}

fn summary(findings: &[Value]) -> Vec<(String, u64, String, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["code"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_user_policy_fails_on_the_example_with_its_location() {
    let (code, findings) = check(&[
        EXAMPLE,
        "--select",
        "EL903",
        "--no-default-policies",
        "--policy",
        "fixtures/policies/redrive.guard",
        "--fail-on",
        "error",
    ]);
    assert_eq!(
        summary(&findings),
        vec![(
            "fixtures/examples/order-service/template.yaml".to_string(),
            139, // `maxReceiveCount: 5` of FulfillmentQueue's RedrivePolicy
            "EL903".to_string(),
            "error".to_string(), // `severity: error` in the custom message
        )]
    );
    assert_eq!(code, 1, "an error fails the run");
    let f = &findings[0];
    assert_eq!(f["column"], 9);
    assert_eq!(f["resource"], "FulfillmentQueue");
    assert_eq!(f["policy"], "redrive_max_receive_count");
    assert_eq!(
        f["message"],
        "redrive_max_receive_count: a queue retries a message at least 10 times before dead-lettering it"
    );
    // the rule in the policy file is a related location
    assert_eq!(f["related"][0]["file"], "fixtures/policies/redrive.guard");
    assert_eq!(f["related"][0]["line"], 10);
}

#[test]
fn the_shipped_pack_runs_by_default_and_can_be_turned_off() {
    let (_, findings) = check(&[EXAMPLE, "--select", "EL903"]);
    // each where the policy's failing clause points: the `Properties` that lack the key, or the
    // logical ID when the resource itself is the problem
    let got: Vec<(u64, u64, &str, &str)> = findings
        .iter()
        .map(|f| {
            assert_eq!(f["file"], "fixtures/examples/order-service/template.yaml");
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["policy"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (61, 5, "dynamodb_table_pitr", "InventoryTable"),
            (72, 5, "dynamodb_table_pitr", "ShipmentsTable"),
            (83, 5, "dynamodb_table_pitr", "IdempotencyTable"),
            (108, 3, "event_bus_archived", "OrderEventBus"),
            (190, 5, "sns_topic_encrypted", "OrderNotificationsTopic"),
            (368, 5, "sam_state_machine_logging", "OrderWorkflow"),
        ]
    );
    assert!(
        findings[4]["message"]
            .as_str()
            .unwrap()
            .starts_with("sns_topic_encrypted: SNS topic is not encrypted at rest"),
        "{}",
        findings[4]
    );
    // shipped policies are `severity: info`, and have no location of their own
    assert!(findings.iter().all(|f| f["severity"] == "info"));
    assert!(
        findings
            .iter()
            .all(|f| f["related"].as_array().is_none_or(Vec::is_empty))
    );
    let (code, findings) = check(&[EXAMPLE, "--select", "EL903", "--no-default-policies"]);
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(code, 0);
}

#[test]
fn broken_policies_are_findings_and_the_run_goes_on() {
    // a folder: the good policy, one that does not parse, one that fails while evaluating
    let (_, findings) = check(&[
        EXAMPLE,
        "--select",
        "EL903,EL901",
        "--no-default-policies",
        "--policy",
        "fixtures/policies",
    ]);
    let got = summary(&findings);
    assert!(
        got.contains(&(
            "fixtures/policies/broken/syntax.guard".to_string(),
            8,
            "EL901".to_string(),
            "error".to_string()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "fixtures/policies/broken/runtime.guard".to_string(),
            1,
            "EL901".to_string(),
            "error".to_string()
        )),
        "{got:?}"
    );
    // the good policy still ran
    assert!(
        got.contains(&(
            "fixtures/examples/order-service/template.yaml".to_string(),
            139,
            "EL903".to_string(),
            "error".to_string()
        )),
        "{got:?}"
    );
    let syntax = findings
        .iter()
        .find(|f| f["file"] == "fixtures/policies/broken/syntax.guard")
        .unwrap();
    assert!(
        syntax["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Guard policy does not parse: expecting")),
        "{syntax}"
    );
    let runtime = findings
        .iter()
        .find(|f| f["file"] == "fixtures/policies/broken/runtime.guard")
        .unwrap();
    assert!(
        runtime["message"]
            .as_str()
            .is_some_and(|m| m.contains("bus_ids") && m.contains("order-service/template.yaml")),
        "{runtime}"
    );
}

#[test]
fn policy_findings_are_suppressible_on_the_resource_and_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = |metadata: &str, resource_metadata: &str| {
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\n{metadata}Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n{resource_metadata}    Properties:\n      SqsManagedSseEnabled: false\n  Other:\n    Type: AWS::SNS::Topic\n"
        )
    };
    let cases = [
        ("none.yaml", tpl("", ""), 2),
        (
            "resource.yaml",
            tpl(
                "",
                "    Metadata:\n      eventlint:\n        ignore: [EL903]\n",
            ),
            1,
        ),
        (
            "by-name.yaml",
            tpl(
                "",
                "    Metadata:\n      eventlint:\n        ignore: [policy-violation]\n",
            ),
            1,
        ),
        (
            "template.yaml",
            tpl("Metadata:\n  eventlint:\n    ignore: [EL903]\n", ""),
            0,
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (_, findings) = check(&[path.to_str().unwrap(), "--select", "EL903"]);
        assert_eq!(findings.len(), expected, "{name}: {findings:?}");
    }
}

#[test]
fn policy_findings_are_suppressible_in_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("legacy")).unwrap();
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n";
    for name in ["current.yaml", "legacy/old.yaml"] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let config = dir.path().join("eventlint.toml");
    let files = |toml: &str| -> Vec<String> {
        // a command-line `--select` would start afresh, dropping the configuration's `ignore`
        std::fs::write(&config, format!("select = [\"EL903\"]\n{toml}")).unwrap();
        let (_, findings) = check(&[
            dir.path().to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ]);
        findings
            .iter()
            .map(|f| {
                assert_eq!(f["policy"], "sqs_queue_encrypted", "{f}");
                let file = f["file"].as_str().unwrap();
                file.rsplit_once("/legacy/")
                    .map_or("current.yaml".to_string(), |(_, tail)| {
                        format!("legacy/{tail}")
                    })
            })
            .collect()
    };
    assert_eq!(files(""), ["current.yaml", "legacy/old.yaml"]);
    assert_eq!(files("ignore = [\"EL903\"]\n"), Vec::<String>::new());
    assert_eq!(
        files("ignore = [\"policy-violation\"]\n"),
        Vec::<String>::new()
    );
    assert_eq!(
        files("[per-path-ignores]\n\"legacy/**\" = [\"EL903\"]\n"),
        ["current.yaml"]
    );
}

#[test]
fn sarif_names_policy_results_by_the_guard_rule() {
    let out = Command::cargo_bin("eventlint")
        .unwrap()
        .current_dir(root())
        .args([
            "check",
            EXAMPLE,
            "--select",
            "EL903",
            "--no-default-policies",
            "--policy",
            "fixtures/policies/redrive.guard",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "redrive_max_receive_count");
    let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
    let rule = &run["tool"]["driver"]["rules"][index];
    assert_eq!(rule["id"], "redrive_max_receive_count");
    assert_eq!(
        rule["helpUri"],
        "https://github.com/eventlint/eventlint/blob/main/rules/docs/EL903.md"
    );
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        139
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/policies/redrive.guard"
    );
}

#[test]
fn a_missing_policy_path_is_a_usage_error() {
    Command::cargo_bin("eventlint")
        .unwrap()
        .current_dir(root())
        .args(["check", EXAMPLE, "--policy", "no/such/policy.guard"])
        .assert()
        .code(2);
}

#[test]
fn configured_policies_are_relative_to_the_config_and_add_to_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("eventlint.toml");
    let policy = root().join("fixtures/policies/redrive.guard");
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::copy(&policy, dir.path().join("policies/redrive.guard")).unwrap();
    // a glob, relative to the configuration's folder
    std::fs::write(&config, "policies = [\"policies/*.guard\"]\n").unwrap();
    let config = config.to_str().unwrap();
    let base = [
        EXAMPLE,
        "--select",
        "EL903",
        "--no-default-policies",
        "--config",
        config,
    ];
    let (_, findings) = check(&base);
    let lines: Vec<u64> = summary(&findings).iter().map(|f| f.1).collect();
    assert_eq!(lines, [139], "{findings:?}");
    assert_eq!(findings[0]["policy"], "redrive_max_receive_count");
    // `--policy` adds to them: the same check under another rule name
    let strict = dir.path().join("strict.guard");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &strict,
        text.replace("rule redrive_max", "rule strict_redrive_max"),
    )
    .unwrap();
    let (_, findings) = check(&[&base[..], &["--policy", strict.to_str().unwrap()]].concat());
    let mut names: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["policy"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "redrive_max_receive_count",
            "strict_redrive_max_receive_count"
        ]
    );
}

#[test]
fn a_configured_policy_that_does_not_exist_names_the_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("eventlint.toml");
    std::fs::write(&config, "fail-on = \"error\"\npolicies = [\"team/\"]\n").unwrap();
    let out = Command::cargo_bin("eventlint")
        .unwrap()
        .current_dir(root())
        .args(["check", EXAMPLE, "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("eventlint.toml:2: key `policies`: policy path `team/` does not exist"),
        "{stderr}"
    );
}
