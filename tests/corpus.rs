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
