//! The machine formats on real input: every `fixtures/rules/*/bad*` fixture and the bundled
//! example, run through the binary.
//!
//! - sarif: valid against the OASIS schema (tests/data/sarif-schema-2.1.0.json, formats checked)
//!   and within what GitHub code scanning accepts; results agree with `--format json`;
//!   fingerprints survive a blank line inserted at the top of every input file; byte-identical
//!   across `--jobs`; a reviewed snapshot of the example.
//! - github: one workflow command per finding whose unescaped fields are the finding's.
//! - matcher: the regular expression of `.github/eventlint-matcher.json` (and of the README's VS
//!   Code task) matches every line, with the right groups.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const EXAMPLE: &str = "fixtures/examples/order-service";
const FINGERPRINT_KEY: &str = "eventlint/v1";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `fixtures/rules/*/bad*` (file or directory) and the example, relative to the root.
fn inputs() -> Vec<String> {
    let mut out = Vec::new();
    for rule in std::fs::read_dir(root().join("fixtures/rules")).unwrap() {
        let rule = rule.unwrap().path();
        if !rule.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&rule).unwrap() {
            let case = case.unwrap().path();
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("bad") {
                let rel = case.strip_prefix(root()).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    assert!(out.len() > 40, "fixtures not found: {out:?}");
    out.push(EXAMPLE.to_string());
    out
}

/// stdout of `eventlint check INPUT --format FORMAT [extra]` run in `dir` (exit 0 or 1).
fn run(dir: &Path, input: &str, format: &str, extra: &[&str]) -> String {
    let out = Command::cargo_bin("eventlint")
        .unwrap()
        .current_dir(dir)
        .args(["check", input, "--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{input} --format {format}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn run_json(dir: &Path, input: &str, format: &str) -> Value {
    serde_json::from_str(&run(dir, input, format, &[]))
        .unwrap_or_else(|e| panic!("{input} --format {format}: {e}"))
}

/// The findings of `--format json`, the reference the other formats are compared with.
fn findings(input: &str) -> Vec<Value> {
    let doc = run_json(&root(), input, "json");
    doc["findings"].as_array().unwrap().clone()
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn sarif_level(severity: &Value) -> &'static str {
    match severity.as_str() {
        Some("error") => "error",
        Some("warning") => "warning",
        Some("info") => "note",
        other => panic!("severity {other:?}"),
    }
}

fn is_fingerprint(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 16 && s.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The OASIS schema is draft-04, which has no `uri-reference` format, so `artifactLocation.uri`
/// is checked with a validator of the current draft.
fn uri_reference_validator() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&serde_json::json!({"type": "string", "format": "uri-reference"}))
        .unwrap()
}

/// A relative URI under `%SRCROOT%` that names a file of the repository.
fn check_artifact(ctx: &str, loc: &Value) {
    let art = &loc["physicalLocation"]["artifactLocation"];
    let uri = art["uri"]
        .as_str()
        .unwrap_or_else(|| panic!("{ctx}: no uri"));
    assert_eq!(art["uriBaseId"], "%SRCROOT%", "{ctx}");
    assert!(
        uri_reference_validator().is_valid(&art["uri"]),
        "{ctx}: `{uri}` is not a URI reference"
    );
    assert!(
        !uri.is_empty() && !uri.starts_with('/') && !uri.contains(':') && !uri.contains('\\'),
        "{ctx}: `{uri}` is not a relative URI"
    );
    assert!(root().join(uri).is_file(), "{ctx}: `{uri}` is not a file");
    let region = &loc["physicalLocation"]["region"];
    let n = |k: &str| region[k].as_u64().unwrap_or(0);
    assert!(
        n("startLine") >= 1 && n("startColumn") >= 1,
        "{ctx}: {region}"
    );
    assert!(n("endLine") >= n("startLine"), "{ctx}: {region}");
    assert!(
        n("endLine") > n("startLine") || n("endColumn") >= n("startColumn"),
        "{ctx}: {region}"
    );
}

/// What GitHub code scanning requires or relies on, and agreement with `--format json`.
fn check_code_scanning(input: &str, sarif: &Value, findings: &[Value]) {
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{input}: one run per invocation");
    let run = &runs[0];
    assert_eq!(run["automationDetails"]["id"], "eventlint/");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "eventlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );

    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let sorted: Vec<&str> = ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(ids, sorted, "rule ids unique and sorted");
    for r in rules {
        let id = r["id"].as_str().unwrap();
        for k in ["name", "shortDescription", "fullDescription"] {
            let v = if k == "name" { &r[k] } else { &r[k]["text"] };
            assert!(v.as_str().is_some_and(|s| !s.is_empty()), "{id}: {k}");
        }
        // a Guard rule (EL903 finding) is documented by EL903
        let doc = if id.starts_with("EL") { id } else { "EL903" };
        assert_eq!(
            r["helpUri"],
            format!("https://github.com/eventlint/eventlint/blob/main/rules/docs/{doc}.md")
        );
        assert!(
            root().join(format!("rules/docs/{doc}.md")).is_file(),
            "{id}"
        );
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap()),
            "{id}"
        );
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len(), "{input}");
    assert!(!results.is_empty(), "{input}: a bad fixture has findings");
    for (i, (r, f)) in results.iter().zip(findings).enumerate() {
        let ctx = format!("{input} result {i}");
        let rule_id = r["ruleId"].as_str().unwrap();
        let expected = f.get("policy").unwrap_or(&f["code"]);
        assert_eq!(rule_id, expected, "{ctx}");
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(ids.get(index), Some(&rule_id), "{ctx}: ruleIndex");
        assert_eq!(r["level"], sarif_level(&f["severity"]), "{ctx}");
        assert_eq!(r["message"]["text"], f["message"], "{ctx}");
        assert!(r["message"]["text"].as_str().is_some_and(|s| !s.is_empty()));

        let locations = r["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1, "{ctx}");
        let loc = &locations[0];
        check_artifact(&ctx, loc);
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uri"],
            f["file"]
        );
        let region = &loc["physicalLocation"]["region"];
        for (s, j) in [
            ("startLine", "line"),
            ("startColumn", "column"),
            ("endLine", "end_line"),
            ("endColumn", "end_column"),
        ] {
            assert_eq!(region[s], f[j], "{ctx}: {s}");
        }
        if f["resource"].is_null() {
            assert!(loc.get("logicalLocations").is_none(), "{ctx}");
        } else {
            assert_eq!(loc["logicalLocations"][0]["name"], f["resource"], "{ctx}");
            assert_eq!(loc["logicalLocations"][0]["kind"], "resource", "{ctx}");
        }

        let related = r
            .get("relatedLocations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let want = f["related"].as_array().unwrap();
        assert_eq!(related.len(), want.len(), "{ctx}: related");
        for (k, (rel, w)) in related.iter().zip(want).enumerate() {
            assert_eq!(rel["id"], k, "{ctx}");
            assert_eq!(rel["message"]["text"], w["message"], "{ctx}");
            check_artifact(&ctx, rel);
            let region = &rel["physicalLocation"]["region"];
            assert_eq!(region["startLine"], w["line"], "{ctx}");
            assert_eq!(region["startColumn"], w["column"], "{ctx}");
        }

        let fp = &r["partialFingerprints"][FINGERPRINT_KEY];
        assert!(is_fingerprint(fp), "{ctx}: {fp}");
        assert_eq!(fp, &f["fingerprint"], "{ctx}");
    }
}

#[test]
fn sarif_is_valid_and_code_scanning_ready_for_every_fixture() {
    let validator = sarif_validator();
    for input in inputs() {
        let sarif = run_json(&root(), &input, "sarif");
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{input}: {errors:#?}");
        check_code_scanning(&input, &sarif, &findings(&input));
    }
}

/// The schema check has teeth: it rejects what GitHub rejects.
#[test]
fn the_schema_rejects_broken_sarif() {
    let validator = sarif_validator();
    let good = run_json(&root(), EXAMPLE, "sarif");
    assert!(validator.is_valid(&good));
    let region = "/runs/0/results/0/locations/0/physicalLocation/region/startLine";
    for (pointer, bad) in [
        (region, Value::from(0)),
        ("/runs/0/results/0/level", Value::from("info")),
        ("/runs/0/results/0/ruleIndex", Value::from(-2)),
        (
            "/runs/0/results/0/partialFingerprints/eventlint~1v1",
            Value::from(5),
        ),
        (
            "/runs/0/tool/driver/rules/0/helpUri",
            Value::from("rules/docs/EL101.md"),
        ),
        ("/runs/0/columnKind", Value::from("bytes")),
    ] {
        let mut doc = good.clone();
        *doc.pointer_mut(pointer).unwrap() = bad.clone();
        assert!(!validator.is_valid(&doc), "{pointer} = {bad} accepted");
    }
    let uri = uri_reference_validator();
    for bad in ["a b", "a\\b", "tâche.yaml", "<unknown>", "100%"] {
        assert!(!uri.is_valid(&Value::from(bad)), "{bad}");
    }
    for good in [
        "a/b.yaml",
        "my%20dir/t%C3%A2che.yaml",
        "%3Cunknown%3E",
        "../x.yaml",
    ] {
        assert!(uri.is_valid(&Value::from(good)), "{good}");
    }
}

#[test]
fn sarif_is_byte_identical_across_runs_and_jobs() {
    let a = run(&root(), EXAMPLE, "sarif", &["--jobs", "1"]);
    let b = run(&root(), EXAMPLE, "sarif", &["--jobs", "4"]);
    let c = run(&root(), EXAMPLE, "sarif", &[]);
    assert_eq!(a, b);
    assert_eq!(a, c);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

/// Every file at or below `path`, relative to `base`, with `/` separators.
fn files_below(base: &Path, path: &Path) -> Vec<String> {
    if path.is_file() {
        return vec![
            path.strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
        ];
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(path).unwrap() {
        out.extend(files_below(base, &entry.unwrap().path()));
    }
    out
}

/// (uri, startLine) of the primary and every related location of a result.
fn lines_of(result: &Value) -> Vec<(String, u64)> {
    let related = result
        .get("relatedLocations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    result["locations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(&related)
        .map(|l| {
            let p = &l["physicalLocation"];
            (
                p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                p["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Inserting a blank line at the top of every file of an input moves every location down one
/// line and changes no fingerprint (they are built from code, file, resource and key).
#[test]
fn fingerprints_survive_a_blank_line_at_the_top() {
    let tmp = tempfile::tempdir().unwrap();
    for (n, input) in inputs().into_iter().enumerate() {
        // a copy at the same relative path, so the displayed file names stay the same
        let case = tmp.path().join(n.to_string());
        let parent = Path::new(&input).parent().unwrap();
        copy_dir(&root().join(parent), &case.join(parent));
        let edited: BTreeSet<String> = files_below(&case, &case.join(&input)).into_iter().collect();
        for file in &edited {
            let path = case.join(file);
            let text = std::fs::read(&path).unwrap();
            std::fs::write(&path, [b"\n".as_slice(), &text].concat()).unwrap();
        }

        let before = run_json(&root(), &input, "sarif");
        let after = run_json(&case, &input, "sarif");
        let results = |doc: &Value| doc["runs"][0]["results"].as_array().unwrap().clone();
        let (before, after) = (results(&before), results(&after));
        assert_eq!(before.len(), after.len(), "{input}");
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b["ruleId"], a["ruleId"], "{input}");
            assert_eq!(
                b["partialFingerprints"], a["partialFingerprints"],
                "{input}: {}",
                b["message"]["text"]
            );
            let primary = &lines_of(b)[0].0;
            assert!(
                edited.contains(primary),
                "{input}: {primary} not in {edited:?}"
            );
            let moved: Vec<(String, u64)> = lines_of(b)
                .into_iter()
                .map(|(uri, line)| {
                    let shift = u64::from(edited.contains(&uri));
                    (uri, line + shift)
                })
                .collect();
            assert_eq!(moved, lines_of(a), "{input}");
        }
    }
}

/// Undo the Actions toolkit's `escapeData`/`escapeProperty`.
fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn github_commands_carry_every_finding() {
    let command = regex::Regex::new(
        r"^::(error|warning|notice) file=([^,]*),line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+),title=([^,:]*)::(.*)$",
    )
    .unwrap();
    for input in inputs() {
        let out = run(&root(), &input, "github", &[]);
        let findings = findings(&input);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), findings.len(), "{input}:\n{out}");
        for (line, f) in lines.iter().zip(&findings) {
            let c = command
                .captures(line)
                .unwrap_or_else(|| panic!("{input}: not a workflow command: {line}"));
            let want = match f["severity"].as_str() {
                Some("info") => "notice",
                other => other.unwrap(),
            };
            assert_eq!(&c[1], want, "{line}");
            assert_eq!(unescape(&c[2]), f["file"].as_str().unwrap(), "{line}");
            for (group, key) in [
                (3, "line"),
                (4, "column"),
                (5, "end_line"),
                (6, "end_column"),
            ] {
                assert_eq!(
                    c[group].parse::<u64>().ok(),
                    f[key].as_u64(),
                    "{line}: {key}"
                );
            }
            assert_eq!(
                unescape(&c[7]),
                format!(
                    "{} {}",
                    f["code"].as_str().unwrap(),
                    f["name"].as_str().unwrap()
                )
            );
            assert_eq!(unescape(&c[8]), f["message"].as_str().unwrap(), "{line}");
        }
    }
}

/// `.github/eventlint-matcher.json`: owner `eventlint`, one pattern with the six groups.
fn matcher_pattern() -> Value {
    let text = std::fs::read_to_string(root().join(".github/eventlint-matcher.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let matchers = doc["problemMatcher"].as_array().unwrap();
    assert_eq!(matchers.len(), 1);
    assert_eq!(matchers[0]["owner"], "eventlint");
    let patterns = matchers[0]["pattern"].as_array().unwrap();
    assert_eq!(patterns.len(), 1);
    patterns[0].clone()
}

#[test]
fn matcher_json_readme_and_renderer_agree() {
    let pattern = matcher_pattern();
    assert_eq!(pattern["regexp"], eventlint::report::matcher::REGEX);
    for (k, group) in [
        ("file", 1),
        ("line", 2),
        ("column", 3),
        ("severity", 4),
        ("code", 5),
        ("message", 6),
    ] {
        assert_eq!(pattern[k], group, "{k}");
    }
    // the README's VS Code task uses the same pattern
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme
        .split("```json\n")
        .skip(1)
        .filter_map(|b| b.split("\n```").next())
        .find(|b| b.contains("\"problemMatcher\""))
        .expect("README has a tasks.json block");
    let tasks: Value = serde_json::from_str(block).unwrap();
    let matcher = &tasks["tasks"][0]["problemMatcher"];
    assert_eq!(matcher["owner"], "eventlint");
    assert_eq!(matcher["pattern"], pattern);
}

#[test]
fn matcher_regex_parses_real_output() {
    let pattern = matcher_pattern();
    let re = regex::Regex::new(pattern["regexp"].as_str().unwrap()).unwrap();
    let group = |k: &str| usize::try_from(pattern[k].as_u64().unwrap()).unwrap();
    let mut severities = BTreeSet::new();
    for input in inputs() {
        let out = run(&root(), &input, "matcher", &[]);
        let findings = findings(&input);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), findings.len(), "{input}:\n{out}");
        for (line, f) in lines.iter().zip(&findings) {
            let c = re
                .captures(line)
                .unwrap_or_else(|| panic!("{input}: the matcher misses `{line}`"));
            assert_eq!(&c[group("file")], f["file"].as_str().unwrap(), "{line}");
            assert_eq!(c[group("line")].parse::<u64>().ok(), f["line"].as_u64());
            assert_eq!(c[group("column")].parse::<u64>().ok(), f["column"].as_u64());
            let want = match f["severity"].as_str().unwrap() {
                "error" => "error",
                _ => "warning",
            };
            assert_eq!(&c[group("severity")], want, "{line}");
            assert_eq!(&c[group("code")], f["code"].as_str().unwrap(), "{line}");
            assert_eq!(
                &c[group("message")],
                f["message"].as_str().unwrap(),
                "{line}"
            );
            severities.insert(f["severity"].as_str().unwrap().to_string());
        }
    }
    // every severity went through the matcher, info included
    assert_eq!(severities.len(), 3, "{severities:?}");
}

/// Rule texts in the snapshot are replaced: they are the rule docs, checked against the
/// registry by the unit tests and by tests/catalog.rs, and would churn on every doc edit.
fn redact(sarif: &str) -> String {
    let version = format!("\"version\": \"{}\",", env!("CARGO_PKG_VERSION"));
    let mut out = String::new();
    let mut rules_indent: Option<usize> = None;
    for line in sarif.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let mut line = line.to_string();
        if trimmed == "\"rules\": [" {
            rules_indent = Some(indent);
        } else if let Some(ri) = rules_indent {
            if indent == ri && trimmed.starts_with(']') {
                rules_indent = None;
            } else if let Some(key) = ["\"text\": \"", "\"markdown\": \""]
                .into_iter()
                .find(|k| trimmed.starts_with(k))
            {
                let comma = if trimmed.ends_with("\",") { "," } else { "" };
                line = format!("{}{key}[rule doc]\"{comma}", " ".repeat(indent));
            }
        }
        if trimmed == version {
            line = format!("{}\"version\": \"[version]\",", " ".repeat(indent));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The SARIF of the bundled example (six findings of six rules), reviewed by hand.
#[test]
fn example_sarif() {
    let out = run(&root(), EXAMPLE, "sarif", &[]);
    let redacted = redact(&out);
    assert!(redacted.contains("\"version\": \"[version]\","));
    insta::assert_snapshot!(redacted);
}

#[test]
fn sarif_of_a_user_policy_is_valid_and_points_into_the_policy() {
    // EL903 from a user's Guard policy: ruleId is the Guard rule, the rule in the policy file a
    // related location, the whole document valid
    let extra = [
        "--select",
        "EL903",
        "--no-default-policies",
        "--policy",
        "fixtures/policies/redrive.guard",
    ];
    let sarif: Value = serde_json::from_str(&run(&root(), EXAMPLE, "sarif", &extra)).unwrap();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let json: Value = serde_json::from_str(&run(&root(), EXAMPLE, "json", &extra)).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    check_code_scanning(EXAMPLE, &sarif, findings);
}
