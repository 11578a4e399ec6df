//! Suppressing one Guard rule (`EL903:<rule>`, `policy-violation:<rule>`) in `Metadata`, in
//! `eventlint.toml` and with `--ignore`, and how EL904 judges such entries: unknown when no
//! policy defines the rule, unused when the rule ran and silenced nothing, and not reported
//! where Guard did not run the rule. Templates in fixtures/policy-ignore and
//! fixtures/rules/EL904 (`*-policy-rule.yaml`, also run by tests/rules.rs).

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::PathBuf;

use serde_json::Value;

const DIR: &str = "fixtures/policy-ignore";
const STALE: &str = "fixtures/rules/EL904/bad-policy-rule.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `eventlint check ARGS --format json` in the repository root: exit code, findings, stderr.
fn run(args: &[&str]) -> (i32, Vec<Value>, String) {
    let (code, findings, stderr) = common::check_json(args);
    (code, findings.unwrap_or_default(), stderr)
}

/// The findings of a run that must succeed.
fn check(args: &[&str]) -> Vec<Value> {
    let (code, findings, stderr) = run(args);
    assert!(matches!(code, 0 | 1), "exit {code}: {stderr}");
    findings
}

/// `(resource, Guard rule)` of the EL903 findings.
fn policies(findings: &[Value]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f["code"] == "EL903")
        .map(|f| {
            (
                f["resource"].as_str().unwrap_or("").to_string(),
                f["policy"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// `(line, message)` of the EL904 findings.
fn unused(findings: &[Value]) -> Vec<(u64, String)> {
    findings
        .iter()
        .filter(|f| f["code"] == "EL904")
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(r, p)| ((*r).to_string(), (*p).to_string()))
        .collect()
}

#[test]
fn one_rule_is_suppressed_on_one_resource() {
    let findings = check(&[&format!("{DIR}/one-rule.yaml"), "--select", "EL903,EL904"]);
    assert_eq!(
        policies(&findings),
        pairs(&[
            // Flow waives tracing only: its logging rule still fires
            ("Flow", "state_machine_logging"),
            // the same rules on the other resources still fire
            ("Jobs", "sqs_queue_encrypted"),
            ("Other", "state_machine_logging"),
            ("Other", "state_machine_tracing"),
        ])
    );
    // both entries silenced a finding
    assert_eq!(unused(&findings), []);
    // without the entries, the two silenced findings are back
    let text = std::fs::read_to_string(root().join(DIR).join("one-rule.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("bare.yaml");
    std::fs::write(
        &bare,
        text.replace("ignore: [\"", "ignore: [\"EL101\", \"x"),
    )
    .unwrap();
    let all = check(&[bare.to_str().unwrap(), "--select", "EL903"]);
    assert_eq!(policies(&all).len(), 6, "{all:?}");
}

#[test]
fn one_rule_is_suppressed_for_the_template() {
    let findings = check(&[
        &format!("{DIR}/template-level.yaml"),
        "--select",
        "EL903,EL904",
    ]);
    assert_eq!(
        policies(&findings),
        pairs(&[("Alerts", "sns_topic_encrypted")])
    );
    assert_eq!(unused(&findings), []);
}

#[test]
fn stale_entries_are_unknown_or_unused_where_the_rule_ran() {
    let findings = check(&[STALE, "--select", "EL903,EL904"]);
    let got = unused(&findings);
    let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
    // not line 8 (dynamodb_table_pitr) nor 18 (state_machine_logging): their policies are
    // about resource types this template lacks, so Guard did not run them
    assert_eq!(lines, [15, 16, 17], "{got:?}");
    assert_eq!(
        got[0].1,
        "suppression of EL903 (policy-violation) for Guard rule `sqs_queue_encrypted` on `Jobs` is unused: there is no `sqs_queue_encrypted` finding to silence"
    );
    assert_eq!(
        got[1].1,
        "suppression `EL903:sqs_queue_encrypt` on `Jobs` names no Guard rule: no policy defines `sqs_queue_encrypt`, it silences nothing"
    );
    assert!(got[2].1.contains("`SQS_QUEUE_ENCRYPTED`"), "{got:?}");
    // the pack's rules are few: the help lists them
    let help = findings
        .iter()
        .find(|f| f["code"] == "EL904" && f["line"] == 16)
        .and_then(|f| f["help"].as_str())
        .unwrap_or("");
    assert!(
        help.starts_with("the policies define ") && help.contains("`sqs_queue_encrypted`"),
        "{help}"
    );
}

#[test]
fn entries_are_not_judged_when_guard_does_not_run() {
    // no policy at all: nothing is known about any Guard rule
    let findings = check(&[STALE, "--select", "EL903,EL904", "--no-default-policies"]);
    assert_eq!(unused(&findings), []);
    // EL903 not selected: Guard does not run
    let findings = check(&[STALE, "--select", "EL904"]);
    assert_eq!(unused(&findings), []);
    // a user's policy only: the shipped rules are off, not unknown; a misspelt name still is
    let findings = check(&[
        STALE,
        "--select",
        "EL903,EL904",
        "--no-default-policies",
        "--policy",
        "fixtures/policies/redrive.guard",
    ]);
    let got = unused(&findings);
    let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [16, 17], "{got:?}");
    let help = findings
        .iter()
        .find(|f| f["code"] == "EL904")
        .and_then(|f| f["help"].as_str())
        .unwrap_or("");
    assert_eq!(help, "the policies define `redrive_max_receive_count`");
}

#[test]
fn plain_el903_entries_are_judged_only_where_guard_ran() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(
        &path,
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Metadata:\n      eventlint:\n        ignore: [EL903]\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    // the queue is encrypted: the entry silences nothing where the SQS policy ran
    let got = unused(&check(&[path, "--select", "EL903,EL904"]));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, 7);
    // and is not judged where no policy ran
    let got = unused(&check(&[
        path,
        "--select",
        "EL903,EL904",
        "--no-default-policies",
    ]));
    assert_eq!(got, []);
}

#[test]
fn one_rule_is_ignored_in_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("legacy")).unwrap();
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n  Alerts:\n    Type: AWS::SNS::Topic\n";
    for name in ["current.yaml", "legacy/old.yaml"] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let config = dir.path().join("eventlint.toml");
    let found = |toml: &str, extra: &[&str]| -> Vec<(String, String)> {
        std::fs::write(&config, format!("select = [\"EL903\", \"EL904\"]\n{toml}")).unwrap();
        let mut args = vec![
            dir.path().to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let findings = check(&args);
        assert_eq!(unused(&findings), []);
        let mut out: Vec<(String, String)> = findings
            .iter()
            .map(|f| {
                let file = f["file"].as_str().unwrap();
                let short = if file.contains("legacy") {
                    "old"
                } else {
                    "current"
                };
                (short.to_string(), f["policy"].as_str().unwrap().to_string())
            })
            .collect();
        out.sort();
        out
    };
    let every = pairs(&[
        ("current", "sns_topic_encrypted"),
        ("current", "sqs_queue_encrypted"),
        ("old", "sns_topic_encrypted"),
        ("old", "sqs_queue_encrypted"),
    ]);
    assert_eq!(found("", &[]), every);
    assert_eq!(
        found("ignore = [\"EL903:sqs_queue_encrypted\"]\n", &[]),
        pairs(&[
            ("current", "sns_topic_encrypted"),
            ("old", "sns_topic_encrypted")
        ])
    );
    assert_eq!(
        found(
            "[per-path-ignores]\n\"legacy/**\" = [\"policy-violation:sqs_queue_encrypted\"]\n",
            &[]
        ),
        pairs(&[
            ("current", "sns_topic_encrypted"),
            ("current", "sqs_queue_encrypted"),
            ("old", "sns_topic_encrypted"),
        ])
    );
    // `--ignore` adds to the configuration's
    assert_eq!(
        found("", &["--ignore", "EL903:sns_topic_encrypted"]),
        pairs(&[
            ("current", "sqs_queue_encrypted"),
            ("old", "sqs_queue_encrypted")
        ])
    );
    // a suppression in Metadata for a rule the configuration ignores is not unused
    std::fs::write(
        dir.path().join("current.yaml"),
        text.replace(
            "    Properties:\n",
            "    Metadata:\n      eventlint:\n        ignore: [\"EL903:sqs_queue_encrypted\"]\n    Properties:\n",
        ),
    )
    .unwrap();
    assert_eq!(
        found("ignore = [\"EL903:sqs_queue_encrypted\"]\n", &[]),
        pairs(&[
            ("current", "sns_topic_encrypted"),
            ("old", "sns_topic_encrypted")
        ])
    );
}

#[test]
fn unknown_policy_rules_in_the_configuration_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n",
    )
    .unwrap();
    let config = dir.path().join("eventlint.toml");
    let fails = |toml: &str, extra: &[&str]| -> String {
        std::fs::write(&config, toml).unwrap();
        let mut args = vec![
            dir.path().to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 2, "{toml}: {stderr}");
        stderr
    };
    let err = fails(
        "ignore = [\n  \"EL903:sqs_queue_encrypted\",\n  \"EL903:sqs_queue_encrypt\",\n]\n",
        &[],
    );
    assert!(
        err.contains(":3: key `ignore`: unknown policy rule `sqs_queue_encrypt`: no Guard policy defines it (the policies define `dynamodb_table_pitr`, "),
        "{err}"
    );
    let err = fails(
        "[per-path-ignores]\n\"legacy/**\" = [\"EL903:Sqs_Queue_Encrypted\"]\n",
        &[],
    );
    assert!(
        err.contains(
            ":2: key `per-path-ignores.legacy/**`: unknown policy rule `Sqs_Queue_Encrypted`"
        ),
        "{err}"
    );
    // a rule of a policy given on the command line is known; one of a shipped policy too, even
    // when the pack is off
    let ok = "ignore = [\"EL903:redrive_max_receive_count\", \"EL903:sqs_queue_encrypted\"]\n";
    std::fs::write(&config, ok).unwrap();
    let (code, _, stderr) = run(&[
        dir.path().to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--no-default-policies",
        "--policy",
        "fixtures/policies/redrive.guard",
    ]);
    assert!(matches!(code, 0 | 1), "{stderr}");
    // `--ignore` is checked the same way; `--select` takes no Guard rule
    let err = fails("", &["--ignore", "EL903:nope"]);
    assert!(err.contains("unknown policy rule `nope`"), "{err}");
    let err = fails("", &["--select", "EL903:sqs_queue_encrypted"]);
    assert!(
        err.contains("unknown rule `EL903:sqs_queue_encrypted`"),
        "{err}"
    );
    let err = fails("select = [\"EL903:sqs_queue_encrypted\"]\n", &[]);
    assert!(err.contains("key `select`: unknown rule"), "{err}");
}
