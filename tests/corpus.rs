//! The corpus smoke test: every template of ../shared/corpus (real SAM/CloudFormation patterns)
//! is analysed with no internal error, parse errors only where the file really is broken, and
//! byte-identical JSON with one thread and with two. Skipped with a message when absent.

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly and say what they skip"
)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use assert_cmd::Command;

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

/// Files of the corpus that are not valid YAML, or repeat a mapping key (reported as EL901).
const BROKEN: &[&str] = &[
    "apigw-custom-domain-edge/template.yaml",
    "rds-sns-event-notification/template.yaml",
    "apigw-ec2/",
    "appsync-dynamodb-singletable/",
    "cloudfront-apigw-http-api-lambda-rust/",
    "cloudfront-failover-apigw-http-api-lambda-rust/cloudfront.yml",
    "cloudfront-lambda-url-rust/",
    "cognito-sns-sms-origination-id-sam/",
    "lambda-streaming-sdk-sam/",
    "msk-lambda-schema-avro-java-sam/template_original.yaml",
    "multi-account-private-apigw/centralAccount/template.yaml",
    "public-nlb-or-alb-private-api-cfn/",
    "sam-webapp-cognito/",
    "vpc-lattice-lambda/",
];

fn check(dir: &PathBuf, jobs: &str) -> Vec<u8> {
    let out = Command::cargo_bin("eventlint")
        .unwrap()
        .args(["check", "--format", "json", "--jobs", jobs])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn corpus_has_no_internal_errors_and_is_deterministic() {
    let Some(dir) = corpus() else {
        eprintln!("skipped: ../shared/corpus not found");
        return;
    };
    let one = check(&dir, "1");
    let two = check(&dir, "2");
    assert!(one == two, "output differs between --jobs 1 and --jobs 2");
    let doc: serde_json::Value = serde_json::from_slice(&one).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let internal: Vec<_> = findings.iter().filter(|f| f["code"] == "EL900").collect();
    assert!(internal.is_empty(), "internal errors: {internal:#?}");
    let broken: BTreeSet<String> = findings
        .iter()
        .filter(|f| f["code"] == "EL901")
        .map(|f| f["file"].as_str().unwrap_or("").to_string())
        .collect();
    for file in &broken {
        assert!(
            BROKEN.iter().any(|b| file.contains(b)),
            "unexpected parse error in {file}"
        );
    }
    for b in BROKEN {
        assert!(
            broken.iter().any(|f| f.contains(b)),
            "expected a parse error in {b}"
        );
    }
    assert!(
        doc["summary"]["files"].as_u64().unwrap_or(0) >= 550,
        "too few templates analysed: {}",
        doc["summary"]["files"]
    );
}

/// The corpus holds templates only (no handler sources): a missing handler is EL902 at info
/// level, and no rule that reads code fires (inline `ZipFile` code is read, and is either
/// covered by its role or calls nothing those rules check).
#[test]
fn corpus_code_rules_stay_silent_without_sources() {
    let Some(dir) = corpus() else {
        eprintln!("skipped: ../shared/corpus not found");
        return;
    };
    let doc: serde_json::Value = serde_json::from_slice(&check(&dir, "2")).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    const CODE_RULES: &[&str] = &[
        "EL301", "EL303", "EL401", "EL402", "EL403", "EL404", "EL701", "EL707",
    ];
    let code: Vec<_> = findings
        .iter()
        .filter(|f| CODE_RULES.iter().any(|c| f["code"] == *c))
        .collect();
    assert!(code.is_empty(), "code rules fired on the corpus: {code:#?}");
    let el902: Vec<_> = findings.iter().filter(|f| f["code"] == "EL902").collect();
    assert!(
        !el902.is_empty(),
        "EL902 should report the missing handler sources"
    );
    assert!(
        el902.iter().all(|f| f["severity"] == "info"),
        "EL902 above info level"
    );
}
