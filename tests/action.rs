//! The GitHub Action (`action.yml`): inputs reach the scripts only through `env:`, everything it
//! refers to exists, and its script steps run end to end under a simulated runner.
//!
//! The simulated runner does what GitHub's does for a composite action's `run:` steps: each step
//! is `bash --noprofile --norc -eo pipefail` on a file holding its script, in
//! `$GITHUB_WORKSPACE`, with `GITHUB_ACTION_PATH` at this repository, the step's `env:` (with
//! `${{ inputs.* }}` filled in), fresh `GITHUB_OUTPUT`, `GITHUB_PATH` and `GITHUB_STEP_SUMMARY`
//! files read back after the step, and it stops at the first step that fails. `uses:` steps
//! (restoring and saving the cache, the SARIF upload) are GitHub's own and are skipped; so is
//! the `install` step: the test's own eventlint binary is on `PATH` instead of `cargo install`.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use eventlint::model::{Kind, Node};
use regex::Regex;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// action.yml, read with eventlint's own YAML loader.
fn action() -> Node {
    let text = fs::read_to_string(root().join("action.yml")).unwrap();
    let loaded = eventlint::model::yaml::load(&text, 0);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded.root.unwrap()
}

fn str_of<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Node::as_str)
}

fn steps(action: &Node) -> &[Node] {
    action.path(&["runs", "steps"]).unwrap().items()
}

/// Every `${{ ... }}` expression in a string, without the braces.
fn expressions(s: &str) -> Vec<String> {
    let re = Regex::new(r"\$\{\{(.*?)\}\}").unwrap();
    re.captures_iter(s)
        .map(|c| c[1].trim().to_string())
        .collect()
}

/// Every expression in the tree: each `${{ ... }}`, and the whole value of an `if:` written
/// without braces (GitHub evaluates `if:` as an expression either way).
fn all_expressions(node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(None, node)];
    while let Some((key, n)) = stack.pop() {
        match &n.kind {
            Kind::Str(s) if key == Some("if") && !s.contains("${{") => out.push(s.trim().into()),
            Kind::Str(s) => out.extend(expressions(s)),
            Kind::Seq(items) => stack.extend(items.iter().map(|i| (None, i))),
            Kind::Map(entries) => {
                stack.extend(entries.iter().map(|e| (Some(e.key.as_str()), &e.value)));
            }
            _ => {}
        }
    }
    out
}

/// The script a `run:` step calls: `bash "$GITHUB_ACTION_PATH/scripts/action/NAME.sh"`.
fn script_of(run: &str) -> PathBuf {
    let re = Regex::new(r#"^bash "\$GITHUB_ACTION_PATH/(scripts/action/[a-z-]+\.sh)"$"#).unwrap();
    let c = re
        .captures(run.trim())
        .unwrap_or_else(|| panic!("a run step should only call a script: {run:?}"));
    root().join(&c[1])
}

#[test]
fn run_steps_take_inputs_only_through_env() {
    let action = action();
    assert_eq!(
        str_of(action.get("runs").unwrap(), "using"),
        Some("composite")
    );
    let declared: BTreeSet<String> = action
        .get("inputs")
        .unwrap()
        .entries()
        .iter()
        .map(|e| e.key.clone())
        .collect();
    for want in [
        "path",
        "config",
        "fail-on",
        "sarif-file",
        "upload-sarif",
        "annotations",
        "annotations-limit",
    ] {
        assert!(declared.contains(want), "input `{want}` is not declared");
    }

    let mut runs = 0;
    for step in steps(&action) {
        if let Some(run) = str_of(step, "run") {
            runs += 1;
            // No expression at all inside a script: `${{ }}` is pasted into the shell text
            // before bash runs it, so a crafted value would be code.
            assert!(
                !run.contains("${{"),
                "an expression inside `run:` of step {:?}: {run}",
                str_of(step, "id")
            );
            assert_eq!(str_of(step, "shell"), Some("bash"), "{run}");
        }
    }
    assert!(runs >= 5, "only {runs} run steps");

    // Every `inputs.X` anywhere is declared, and every declared input is used.
    let input_ref = Regex::new(r"\binputs\.([A-Za-z0-9_-]+)").unwrap();
    let mut used = BTreeSet::new();
    let exprs = all_expressions(&action);
    assert!(exprs.contains(&"inputs.upload-sarif == 'true'".to_string()));
    for expr in exprs {
        for c in input_ref.captures_iter(&expr) {
            assert!(
                declared.contains(&c[1]),
                "undeclared input `{}` in `{expr}`",
                &c[1]
            );
            used.insert(c[1].to_string());
        }
    }
    assert_eq!(used, declared, "declared but unused inputs");

    // A step's `env:` maps `inputs.foo-bar` to `INPUT_FOO_BAR`, and INPUT_* to nothing else.
    let whole_input = Regex::new(r"^\$\{\{ inputs\.([a-z-]+) \}\}$").unwrap();
    for step in steps(&action) {
        for e in step.get("env").map(Node::entries).unwrap_or_default() {
            let value = e.value.as_str().unwrap();
            match whole_input.captures(value) {
                Some(c) => assert_eq!(
                    e.key,
                    format!("INPUT_{}", c[1].to_uppercase().replace('-', "_")),
                    "{value}"
                ),
                None => assert!(!e.key.starts_with("INPUT_"), "{}: {value}", e.key),
            }
        }
    }
}

#[test]
fn steps_scripts_and_outputs_agree() {
    let action = action();
    let lib = fs::read_to_string(root().join("scripts/action/lib.sh")).unwrap();
    let input_var = Regex::new(r"\bINPUT_[A-Z_]+\b").unwrap();
    let step_ref = Regex::new(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)").unwrap();

    // step id -> its script's text (run steps) or None (uses steps)
    let mut seen: BTreeMap<String, Option<String>> = BTreeMap::new();
    let check_refs = |node: &Node, seen: &BTreeMap<String, Option<String>>| {
        for expr in all_expressions(node) {
            for c in step_ref.captures_iter(&expr) {
                let (id, name) = (&c[1], &c[2]);
                let script = seen
                    .get(id)
                    .unwrap_or_else(|| panic!("`{expr}` names no earlier step"));
                if let Some(script) = script {
                    assert!(
                        script.contains(&format!("set_output {name} ")),
                        "step `{id}` never sets output `{name}`"
                    );
                }
            }
        }
    };
    for step in steps(&action) {
        let id = str_of(step, "id").unwrap_or_else(|| panic!("a step without id"));
        check_refs(step, &seen);
        let script = str_of(step, "run").map(|run| {
            let path = script_of(run);
            let text =
                fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                text.starts_with("#!/usr/bin/env bash\n"),
                "{}",
                path.display()
            );
            assert!(text.contains("\nset -euo pipefail\n"), "{}", path.display());
            // The INPUT_* variables the script reads are exactly those its step sets.
            let mut reads: BTreeSet<String> = input_var
                .find_iter(&text)
                .map(|m| m.as_str().to_string())
                .collect();
            if text.contains("read_paths") {
                reads.insert("INPUT_PATH".into());
            }
            let given: BTreeSet<String> = step
                .get("env")
                .map(Node::entries)
                .unwrap_or_default()
                .iter()
                .map(|e| e.key.clone())
                .filter(|k| k.starts_with("INPUT_"))
                .collect();
            assert_eq!(reads, given, "INPUT_* of step `{id}` ({})", path.display());
            text
        });
        assert!(
            seen.insert(id.to_string(), script).is_none(),
            "two steps `{id}`"
        );
    }
    // lib.sh reads no input but INPUT_PATH (through read_paths)
    let lib_reads: BTreeSet<&str> = input_var.find_iter(&lib).map(|m| m.as_str()).collect();
    assert_eq!(lib_reads, BTreeSet::from(["INPUT_PATH"]));
    for e in action.get("outputs").unwrap().entries() {
        check_refs(&e.value, &seen);
    }
    let upload = steps(&action)
        .iter()
        .find(|s| str_of(s, "id") == Some("upload"))
        .unwrap();
    assert!(
        str_of(upload, "uses")
            .unwrap()
            .starts_with("github/codeql-action/upload-sarif@")
    );
    assert_eq!(str_of(upload, "if"), Some("inputs.upload-sarif == 'true'"));

    // The cache is restored and saved (right after the install, not at the end of a job that
    // may fail) with the same path and key.
    let step = |id: &str| {
        steps(&action)
            .iter()
            .find(|s| str_of(s, "id") == Some(id))
            .unwrap_or_else(|| panic!("no step `{id}`"))
    };
    let (restore, save) = (step("cache"), step("save"));
    assert!(
        str_of(restore, "uses")
            .unwrap()
            .starts_with("actions/cache/restore@")
    );
    assert!(
        str_of(save, "uses")
            .unwrap()
            .starts_with("actions/cache/save@")
    );
    for key in ["path", "key"] {
        assert_eq!(
            restore.path(&["with", key]).and_then(Node::as_str),
            save.path(&["with", key]).and_then(Node::as_str),
            "{key}"
        );
    }
    let ids: Vec<&str> = steps(&action)
        .iter()
        .filter_map(|s| str_of(s, "id"))
        .collect();
    assert_eq!(
        ids,
        [
            "setup", "cache", "install", "save", "check", "annotate", "summary", "upload", "finish"
        ]
    );
}

/// What one simulated run of the action left behind.
struct Outcome {
    /// (step id, exit status, standard output, standard error) of each step that ran.
    steps: Vec<(String, i32, String, String)>,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    summary: String,
    /// Directories the steps added to `GITHUB_PATH`.
    path_added: Vec<String>,
    /// `RUNNER_TEMP` and the rest, kept until the test is done with the outcome.
    _runner: tempfile::TempDir,
}

impl Outcome {
    fn step(&self, id: &str) -> &(String, i32, String, String) {
        self.steps
            .iter()
            .find(|s| s.0 == id)
            .unwrap_or_else(|| panic!("step `{id}` did not run: {:#?}", self.steps))
    }

    /// The step that failed and its status, or `None` when the action succeeded.
    fn failed(&self) -> Option<(&str, i32)> {
        self.steps
            .iter()
            .find(|s| s.1 != 0)
            .map(|s| (s.0.as_str(), s.1))
    }

    fn output(&self, step: &str, name: &str) -> &str {
        self.outputs
            .get(step)
            .and_then(|o| o.get(name))
            .unwrap_or_else(|| panic!("no output {step}.{name}: {:#?}", self.outputs))
    }

    /// The workflow commands the annotate step printed.
    fn annotations(&self) -> Vec<String> {
        self.step("annotate")
            .2
            .lines()
            .filter(|l| l.starts_with("::"))
            .map(String::from)
            .collect()
    }
}

/// Fill in `${{ inputs.NAME }}`; any other expression is beyond this runner.
fn evaluate(value: &str, inputs: &BTreeMap<String, String>) -> String {
    let re = Regex::new(r"\$\{\{\s*(.*?)\s*\}\}").unwrap();
    re.replace_all(value, |c: &regex::Captures<'_>| {
        let name = c[1]
            .strip_prefix("inputs.")
            .unwrap_or_else(|| panic!("the simulated runner cannot evaluate `{}`", &c[1]));
        inputs[name].clone()
    })
    .into_owned()
}

/// `name=value` lines of a `GITHUB_OUTPUT` file.
fn read_outputs(path: &Path) -> BTreeMap<String, String> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|l| {
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("bad output line {l:?}"));
            assert!(!k.contains("<<"), "multi-line outputs are not simulated");
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Run the action's steps with `given` inputs (defaults for the rest) in `workspace`.
fn run_action(workspace: &Path, given: &[(&str, &str)]) -> Outcome {
    let action = action();
    let mut inputs: BTreeMap<String, String> = action
        .get("inputs")
        .unwrap()
        .entries()
        .iter()
        .map(|e| {
            let default = str_of(&e.value, "default").unwrap_or("").to_string();
            (e.key.clone(), default)
        })
        .collect();
    for (k, v) in given {
        assert!(inputs.contains_key(*k), "no input `{k}`");
        inputs.insert((*k).to_string(), (*v).to_string());
    }

    let runner = tempfile::tempdir().unwrap();
    let home = runner.path().to_path_buf();
    let temp = home.join("temp");
    let tool_cache = home.join("toolcache");
    let files = home.join("files");
    for d in [&temp, &tool_cache, &files] {
        fs::create_dir_all(d).unwrap();
    }
    let test_bin = Path::new(env!("CARGO_BIN_EXE_eventlint"))
        .parent()
        .unwrap()
        .to_path_buf();
    let system_path = std::env::var_os("PATH").unwrap_or_default();

    let mut outcome = Outcome {
        steps: Vec::new(),
        outputs: BTreeMap::new(),
        summary: String::new(),
        path_added: Vec::new(),
        _runner: runner,
    };
    for (n, step) in steps(&action).iter().enumerate() {
        let id = str_of(step, "id").unwrap().to_string();
        let Some(run) = str_of(step, "run") else {
            continue; // a `uses:` step: GitHub's cache or upload
        };
        if id == "install" {
            continue; // the test binary is on PATH instead
        }
        assert!(
            step.get("if").is_none(),
            "conditions are not simulated: {id}"
        );

        let script = files.join(format!("step{n}.sh"));
        fs::write(&script, run).unwrap();
        let output = files.join(format!("output{n}"));
        let path_file = files.join(format!("path{n}"));
        let summary = files.join(format!("summary{n}"));
        // Like the runner: the latest GITHUB_PATH entry first, then what was there before.
        let path = std::env::join_paths(
            outcome
                .path_added
                .iter()
                .rev()
                .map(PathBuf::from)
                .chain([test_bin.clone()])
                .chain(std::env::split_paths(&system_path)),
        )
        .unwrap();

        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(workspace)
            .env_clear()
            .env("PATH", path)
            .env("HOME", &home)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_PATH", &path_file)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("RUNNER_TEMP", &temp)
            .env("RUNNER_TOOL_CACHE", &tool_cache)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64");
        for e in step.get("env").map(Node::entries).unwrap_or_default() {
            cmd.env(&e.key, evaluate(e.value.as_str().unwrap(), &inputs));
        }
        let out = cmd.output().unwrap();
        let status = out.status.code().unwrap_or(-1);
        outcome.outputs.insert(id.clone(), read_outputs(&output));
        outcome.summary += &fs::read_to_string(&summary).unwrap_or_default();
        outcome.path_added.extend(
            fs::read_to_string(&path_file)
                .unwrap_or_default()
                .lines()
                .map(String::from),
        );
        outcome.steps.push((
            id,
            status,
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        ));
        if status != 0 {
            break;
        }
    }
    outcome
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            fs::copy(&path, &dest).unwrap();
        }
    }
}

/// A repository holding a copy of the bundled example.
fn example_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &root().join("fixtures/examples/order-service"),
        &dir.path().join("order-service"),
    );
    dir
}

fn severity_rank(annotation: &str) -> u8 {
    match annotation.split(' ').next().unwrap() {
        "::error" => 3,
        "::warning" => 2,
        "::notice" => 1,
        other => panic!("not an annotation: {other}"),
    }
}

fn assert_workflow_commands(annotations: &[String]) {
    let re = Regex::new(
        r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=EL\d{3} [a-z0-9-]+::\S.*$",
    )
    .unwrap();
    for a in annotations {
        assert!(re.is_match(a), "not a workflow command: {a}");
    }
    // most severe first
    let ranks: Vec<u8> = annotations.iter().map(|a| severity_rank(a)).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{annotations:#?}");
}

/// Defaults on the example: SARIF, ten annotations (the default limit), the summary with the table and the graph,
/// and the job fails at the last step because the example has warnings.
#[test]
fn example_with_defaults_fails_on_its_warnings() {
    let ws = example_workspace();
    let out = run_action(ws.path(), &[("path", "order-service")]);
    assert_eq!(out.failed(), Some(("finish", 1)), "{:#?}", out.steps);

    // setup: a cache key from the sources, the install root on PATH
    let key = out.output("setup", "cache-key");
    assert!(key.starts_with("eventlint-Linux-X64-0.1.0-"), "{key}");
    let bin_dir = out.output("setup", "bin-dir");
    assert!(bin_dir.ends_with("/bin"), "{bin_dir}");
    assert!(bin_dir.contains("/toolcache/eventlint/"), "{bin_dir}");
    assert_eq!(out.path_added, [bin_dir]);

    // check: one run, counts, files
    let check = out.step("check");
    assert!(
        check
            .2
            .contains("warning[EL106 visibility-timeout-too-short]")
    );
    assert!(
        check.2.starts_with("::stop-commands::eventlint-"),
        "{}",
        check.2
    );
    let token = check.2.lines().next().unwrap()["::stop-commands::".len()..].to_string();
    assert!(check.2.contains(&format!("\n::{token}::\n")));
    assert_eq!(out.output("check", "exit-code"), "1");
    assert_eq!(out.output("check", "findings"), "12");
    assert_eq!(out.output("check", "warnings"), "6");
    assert_eq!(out.output("check", "errors"), "0");
    assert_eq!(out.output("check", "info"), "6");
    assert_eq!(out.output("check", "sarif-file"), "eventlint.sarif");

    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(ws.path().join("eventlint.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 12);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "order-service/template.yaml"
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.output("check", "json-file")).unwrap())
            .unwrap();
    assert_eq!(json["summary"]["findings"], 12);

    // annotate: the default limit of ten, warnings before the shipped Guard pack's notices
    let annotations = out.annotations();
    assert!(
        out.step("annotate")
            .2
            .contains("10 of 12 findings annotated")
    );
    assert_eq!(annotations.len(), 10, "{annotations:#?}");
    assert_workflow_commands(&annotations);
    assert!(annotations[0].starts_with(
        "::warning file=order-service/template.yaml,line=135,col=26,endLine=135,endColumn=28,\
         title=EL106 visibility-timeout-too-short::queue `FulfillmentQueue`"
    ));

    // summary: counts per rule and the graph
    let s = &out.summary;
    assert!(s.starts_with("## eventlint\n"), "{s}");
    assert!(s.contains("**12 findings** in `order-service`: 0 errors, 6 warnings, 6 info."));
    assert!(s.contains("**The check fails**: findings at or above `warning`."));
    assert!(s.contains("| Rule | Name | Errors | Warnings | Info |\n|---|---|---:|---:|---:|\n"));
    for row in [
        "| `EL102` | async-invoke-without-failure-destination | 0 | 1 | 0 |",
        "| `EL103` | rule-target-without-dlq | 0 | 1 | 0 |",
        "| `EL104` | subscription-without-dlq | 0 | 1 | 0 |",
        "| `EL106` | visibility-timeout-too-short | 0 | 1 | 0 |",
        "| `EL107` | dlq-retention-too-short | 0 | 1 | 0 |",
        "| `EL115` | stream-failures-discarded | 0 | 1 | 0 |",
        "| `EL903` | policy-violation | 0 | 0 | 6 |",
        "| **Total** | | 0 | 6 | 6 |",
    ] {
        assert!(s.contains(&format!("{row}\n")), "no row {row} in\n{s}");
    }
    let graph = std::process::Command::new(env!("CARGO_BIN_EXE_eventlint"))
        .args(["graph", "order-service", "--format", "mermaid"])
        .current_dir(ws.path())
        .output()
        .unwrap();
    let graph = String::from_utf8(graph.stdout).unwrap();
    assert!(graph.contains("-->"), "{graph}");
    assert!(
        s.contains(&format!("### Event graph\n\n```mermaid\n{graph}```\n")),
        "{s}"
    );

    // finish: fails because of the warnings
    assert!(
        out.step("finish")
            .2
            .contains("findings at or above `warning`")
    );
}

/// `fail-on: error` passes on warnings; the limit caps the annotations.
#[test]
fn fail_on_error_passes_and_the_limit_caps_annotations() {
    let ws = example_workspace();
    let out = run_action(
        ws.path(),
        &[
            ("path", "order-service"),
            ("fail-on", "error"),
            ("annotations-limit", "3"),
            ("sarif-file", "reports/eventlint/out.sarif"),
        ],
    );
    assert_eq!(out.failed(), None, "{:#?}", out.steps);
    assert_eq!(out.output("check", "exit-code"), "0");
    let annotations = out.annotations();
    assert_eq!(annotations.len(), 3, "{annotations:#?}");
    assert_workflow_commands(&annotations);
    assert!(
        out.step("annotate")
            .2
            .contains("3 of 12 findings annotated")
    );
    assert!(ws.path().join("reports/eventlint/out.sarif").is_file());
    assert!(
        out.summary
            .contains("The check passes: no finding at or above `error`.")
    );
}

/// On many findings of every severity: errors first, at most 10 of a kind, the limit overall;
/// several paths, one per line; `fail-on: never` reports without failing.
#[test]
fn most_severe_first_and_at_most_ten_of_a_kind() {
    let sarif_dir = tempfile::tempdir().unwrap();
    let sarif = sarif_dir.path().join("rules.sarif");
    let out = run_action(
        &root(),
        &[
            (
                "path",
                "fixtures/rules/EL106\n  fixtures/rules/EL113  \n\nfixtures/rules/EL111\n",
            ),
            ("fail-on", "never"),
            ("annotations-limit", "25"),
            ("sarif-file", sarif.to_str().unwrap()),
        ],
    );
    assert_eq!(out.failed(), None, "{:#?}", out.steps);
    assert_eq!(out.output("check", "exit-code"), "1");
    let errors: usize = out.output("check", "errors").parse().unwrap();
    let warnings: usize = out.output("check", "warnings").parse().unwrap();
    let info: usize = out.output("check", "info").parse().unwrap();
    assert!(
        errors > 10 && warnings > 10 && info > 10,
        "{errors} {warnings} {info}"
    );

    let annotations = out.annotations();
    assert_eq!(annotations.len(), 25);
    assert_workflow_commands(&annotations);
    let kinds: Vec<u8> = annotations.iter().map(|a| severity_rank(a)).collect();
    assert_eq!(kinds.iter().filter(|&&k| k == 3).count(), 10);
    assert_eq!(kinds.iter().filter(|&&k| k == 2).count(), 10);
    assert_eq!(kinds.iter().filter(|&&k| k == 1).count(), 5);

    let s = &out.summary;
    assert!(
        s.contains("in `fixtures/rules/EL106`, `fixtures/rules/EL113`, `fixtures/rules/EL111`:")
    );
    assert!(s.contains("The check does not fail (`fail-on: never`)."));
    assert!(
        s.contains("| `EL113` | task-without-catch | 0 | 0 | "),
        "{s}"
    );
    assert!(s.contains(&format!(
        "| **Total** | | {errors} | {warnings} | {info} |\n"
    )));
    assert!(s.contains("```mermaid\nflowchart LR\n"));
    assert!(sarif.is_file());
    assert!(!root().join("eventlint.sarif").exists());
}

/// `annotations: false` prints none; `fail-on: info` fails on warnings too.
#[test]
fn annotations_off() {
    let ws = example_workspace();
    let out = run_action(
        ws.path(),
        &[
            ("path", "order-service"),
            ("annotations", "false"),
            ("fail-on", "info"),
        ],
    );
    assert_eq!(out.failed(), Some(("finish", 1)));
    assert!(out.annotations().is_empty());
    assert!(
        out.step("annotate")
            .2
            .contains("annotations are turned off")
    );
    assert!(out.summary.contains("| **Total** | | 0 | 6 | 6 |"));
}

/// Bad inputs and a run that cannot happen stop the action with an error annotation.
#[test]
fn bad_inputs_fail_early() {
    let ws = example_workspace();
    for (inputs, step) in [
        (vec![("fail-on", "sometimes")], "check"),
        (vec![("upload-sarif", "yes")], "check"),
        (vec![("path", "no/such/dir")], "check"),
        (vec![("annotations-limit", "ten")], "annotate"),
        (vec![("annotations", "maybe")], "annotate"),
    ] {
        let out = run_action(ws.path(), &inputs);
        assert_eq!(
            out.failed(),
            Some((step, 2)),
            "{inputs:?}: {:#?}",
            out.steps
        );
        assert!(
            out.step(step)
                .2
                .contains("::error title=eventlint action::"),
            "{inputs:?}: {:#?}",
            out.steps
        );
        assert!(out.summary.is_empty());
    }
}

/// A templates directory with nothing in it: no findings, no graph, a passing step.
#[test]
fn nothing_to_check() {
    let ws = tempfile::tempdir().unwrap();
    let out = run_action(ws.path(), &[]);
    assert_eq!(out.failed(), None, "{:#?}", out.steps);
    assert_eq!(out.output("check", "findings"), "0");
    assert!(out.annotations().is_empty());
    assert!(
        out.summary.contains("No findings in `.`."),
        "{}",
        out.summary
    );
    assert!(out.summary.contains("_No event graph"), "{}", out.summary);
}
