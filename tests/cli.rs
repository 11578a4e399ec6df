//! The command line: exit codes, formats, the graph of the seed patterns, rule docs.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use assert_cmd::Command;

fn eventlint() -> Command {
    let mut c = Command::cargo_bin("eventlint").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn exit_code_2_for_a_missing_path_or_a_bad_format() {
    eventlint().args(["check", "no/such/dir"]).assert().code(2);
    eventlint()
        .args(["check", "fixtures/rules/EL901/good.yaml", "--format", "xml"])
        .assert()
        .code(2);
    eventlint()
        .args([
            "check",
            "fixtures/rules/EL901/good.yaml",
            "--select",
            "EL999",
        ])
        .assert()
        .code(2);
}

#[test]
fn exit_code_follows_fail_on() {
    let bad = "fixtures/rules/EL113/bad.yaml";
    // EL113 is info: below the default --fail-on warning
    eventlint()
        .args(["check", bad, "--select", "EL113"])
        .assert()
        .code(0);
    eventlint()
        .args(["check", bad, "--select", "EL113", "--fail-on", "info"])
        .assert()
        .code(1);
    eventlint()
        .args(["check", "fixtures/rules/EL901/bad-syntax.yaml"])
        .assert()
        .code(1);
    eventlint()
        .args([
            "check",
            bad,
            "--ignore",
            "task-without-catch,EL112,state-machine-without-failure-alarm,EL903",
            "--fail-on",
            "info",
        ])
        .assert()
        .code(0);
}

#[test]
fn json_points_at_the_exact_line_and_column() {
    let out = eventlint()
        .args([
            "check",
            "fixtures/rules/EL901/bad-duplicate-key.yaml",
            "--format",
            "json",
            "--select",
            "EL901",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &doc["findings"][0];
    assert_eq!(f["code"], "EL901");
    assert_eq!(f["name"], "parse-error");
    assert_eq!(f["file"], "fixtures/rules/EL901/bad-duplicate-key.yaml");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(7), Some(3))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(7), Some(8))
    );
    assert_eq!(f["related"][0]["line"].as_u64(), Some(3));
    assert_eq!(doc["summary"]["error"].as_u64(), Some(1));
}

/// The seed patterns give the graph one draws by hand (fixtures/seed/EXPECTED.md), minus what
/// only the handler code shows.
#[test]
fn seed_graph_has_the_hand_drawn_edges() {
    let out = eventlint()
        .args(["graph", "fixtures/seed", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let edges: Vec<String> = doc["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["from"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
                e["to"].as_str().unwrap()
            )
        })
        .collect();
    for want in [
        "default routes MyEventRule",
        "MyEventRule routes ProcessOrderFunction",
        "default routes ProcessOrderFunctionEventBridgeRule",
        "ProcessOrderFunctionEventBridgeRule routes ProcessOrderFunction",
        "MyQueue polls ProcessQueueFunction",
        "MyQueue dead-letters MyDLQ",
        "MyTopic subscribes NotifyFunction",
        "MyBucket publishes ProcessS3Function",
        "MyTable polls ProcessStreamFunction",
        "MyStateMachine invokes ProcessFunction",
        "ServerlessRestApi invokes MyStateMachine",
    ] {
        assert!(
            edges.iter().any(|e| e == want),
            "missing edge `{want}` in {edges:#?}"
        );
    }
}

/// The permission model on the graph: the plain rule's delivery to a function whose only
/// permission is the one SAM scopes to its own rule is denied; the state machine's policy
/// template is an `allows` edge. Mermaid crosses the denied edge out, dot draws it red.
#[test]
fn seed_graph_shows_denied_deliveries_and_allows_edges() {
    let out = eventlint()
        .args(["graph", "fixtures/seed", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let edges = doc["edges"].as_array().unwrap();
    let denied: Vec<String> = edges
        .iter()
        .filter(|e| e["denied"].as_bool() == Some(true))
        .map(|e| format!("{} {} {}", e["from"], e["kind"], e["to"]).replace('"', ""))
        .collect();
    assert_eq!(denied, ["MyEventRule routes ProcessOrderFunction"]);
    assert!(edges.iter().any(|e| e["from"] == "MyStateMachine"
        && e["to"] == "ProcessFunction"
        && e["label"] == "allows lambda:InvokeFunction"));
    let mermaid = eventlint()
        .args(["graph", "fixtures/seed"])
        .output()
        .unwrap();
    let text = String::from_utf8(mermaid.stdout).unwrap();
    assert!(text.contains("--x|routes: denied|"), "{text}");
    assert!(text.contains("linkStyle "), "{text}");
    let dot = eventlint()
        .args(["graph", "fixtures/seed", "--format", "dot"])
        .output()
        .unwrap();
    let text = String::from_utf8(dot.stdout).unwrap();
    assert!(
        text.contains(
            "\"MyEventRule\" -> \"ProcessOrderFunction\" [label=\"routes: denied\", style=dashed, color=red"
        ),
        "{text}"
    );
}

#[test]
fn graph_output_is_deterministic() {
    for format in ["mermaid", "dot", "json"] {
        let a = eventlint()
            .args([
                "graph",
                "fixtures/examples/order-service",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let b = eventlint()
            .args([
                "graph",
                "fixtures/examples/order-service",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert!(a.status.success());
        assert_eq!(a.stdout, b.stdout, "{format}");
    }
}

#[test]
fn rules_and_rule_docs() {
    let out = eventlint().args(["rules"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("EL509") && text.contains("invalid-event-pattern"));
    let out = eventlint()
        .args(["rule", "task-without-retry"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# EL112 task-without-retry"));
    assert!(text.contains("## How to fix"));
    eventlint().args(["rule", "EL000"]).assert().code(2);
}

/// The event graph of the bundled example, reviewed by hand: every SAM event, rule target,
/// redrive and Step Functions task of fixtures/examples/order-service, nothing else.
#[test]
fn example_graph_mermaid() {
    let out = eventlint()
        .args(["graph", "fixtures/examples/order-service"])
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

/// `--report FORMAT=FILE` writes the same findings in more formats from the one analysis:
/// each file is byte for byte what `--format FORMAT` prints on its own.
#[test]
fn report_writes_other_formats_from_the_same_run() {
    let dir = tempfile::tempdir().unwrap();
    let example = "fixtures/examples/order-service";
    let sarif = dir.path().join("eventlint.sarif");
    let github = dir.path().join("annotations.txt");
    let pretty = dir.path().join("report.txt");
    let out = eventlint()
        .args(["check", example, "--format", "json", "--report"])
        .arg(format!("sarif={}", sarif.display()))
        .arg(format!("--report=github={}", github.display()))
        .args(["--report", &format!("pretty={}", pretty.display())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let alone = |format: &str| {
        eventlint()
            .args(["check", example, "--format", format])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(out.stdout, alone("json"));
    assert_eq!(std::fs::read(&sarif).unwrap(), alone("sarif"));
    assert_eq!(std::fs::read(&github).unwrap(), alone("github"));
    assert_eq!(std::fs::read(&pretty).unwrap(), alone("pretty"));

    for bad in ["xml=out.xml", "sarif", "sarif="] {
        eventlint()
            .args(["check", example, "--report", bad])
            .assert()
            .code(2);
    }
    eventlint()
        .args(["check", example, "--report"])
        .arg(format!(
            "sarif={}",
            dir.path().join("no/such/dir/x.sarif").display()
        ))
        .assert()
        .code(2);
}
