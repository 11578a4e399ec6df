//! Hostile input: alias bombs, huge files, deep nesting, symlink loops and escapes, unreadable
//! files and folders, non-UTF-8 names, self-referencing templates, hostile handler code. Each
//! case runs the CLI on a temporary folder that also holds a good template: the run must end
//! in bounded time with a clear finding for the hostile file, and the good template's finding
//! must still be reported. Big inputs are generated here, at test time.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

/// A template with one known finding: EL705 on line 7.
const GOOD: &str = "AWSTemplateFormatVersion: \"2010-09-09\"
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt NoSuchQueue.Arn
        maxReceiveCount: 5
";

/// Longest a hostile run may take (debug build, shared 2-core machine).
const LIMIT: Duration = Duration::from_secs(20);

/// One finding: code, file (as shown), message.
#[derive(Debug)]
struct F {
    code: String,
    file: String,
    message: String,
}

/// A temporary folder with the good template in it.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.yaml"), GOOD).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// Run `eventlint check . --format json` in `dir`; assert it finished in time with exit code 0
/// or 1; return the findings.
fn check(dir: &Path, extra: &[&str]) -> Vec<F> {
    check_with(Command::cargo_bin("eventlint").unwrap(), dir, extra)
}

fn check_with(mut cmd: Command, dir: &Path, extra: &[&str]) -> Vec<F> {
    let start = Instant::now();
    let out = cmd
        .current_dir(dir)
        .args(["check", ".", "--format", "json"])
        .args(extra)
        .timeout(LIMIT)
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(took < LIMIT, "took {took:?}");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}, stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| F {
            code: f["code"].as_str().unwrap().to_string(),
            file: f["file"].as_str().unwrap().to_string(),
            message: f["message"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// The good template's finding is among `findings`.
fn assert_good(findings: &[F]) {
    assert!(
        findings
            .iter()
            .any(|f| f.code == "EL705" && f.file == "good.yaml"),
        "the good template's EL705 is missing: {findings:#?}"
    );
}

/// A finding of `code` for `file` whose message contains `text`.
fn assert_finding(findings: &[F], code: &str, file: &str, text: &str) {
    assert!(
        findings
            .iter()
            .any(|f| f.code == code && f.file == file && f.message.contains(text)),
        "no {code} for {file} containing {text:?}: {findings:#?}"
    );
}

/// A template whose queue has `value` as a property (so the file is taken for a template).
fn template_with(value: &str) -> String {
    format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: {value}\n"
    )
}

#[test]
fn alias_bomb() {
    let dir = folder();
    let mut bomb = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nMappings:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        bomb.push_str(&format!(
            "  {n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    bomb.push_str("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n");
    write(dir.path(), "bomb.yaml", bomb);
    let f = check(dir.path(), &[]);
    assert_finding(&f, "EL901", "bomb.yaml", "alias bomb");
    assert_good(&f);
}

/// A 100 MB template is reported from its first bytes, never read whole (the file is sparse:
/// a header and 100 MB of nothing).
#[test]
fn huge_file_is_reported_not_read() {
    let dir = folder();
    let p = write(
        dir.path(),
        "huge.yaml",
        format!("{}#{}\n", template_with("[]"), " ".repeat(70_000)),
    );
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let f = check(dir.path(), &[]);
    assert_finding(&f, "EL901", "huge.yaml", "limit of 8388608 bytes");
    assert_good(&f);
}

/// `max-file-size` in eventlint.toml sets the limit; the finding names it.
#[test]
fn size_limit_is_configurable() {
    let dir = folder();
    write(dir.path(), "eventlint.toml", "max-file-size = 300\n");
    write(
        dir.path(),
        "big.yaml",
        format!("{}# {}\n", template_with("[]"), "x".repeat(400)),
    );
    let f = check(dir.path(), &[]);
    assert_finding(&f, "EL901", "big.yaml", "limit of 300 bytes");
    assert!(f.iter().all(|f| f.file != "big.yaml" || f.code == "EL901"));
    assert_good(&f);
}

#[test]
fn deep_nesting_yaml_and_json() {
    let dir = folder();
    let n = 10_000;
    // YAML flow style
    let flow = format!("{}{}", "[".repeat(n), "]".repeat(n));
    write(dir.path(), "flow.yaml", template_with(&flow));
    // YAML flow mappings
    let flow_map = format!("{}1{}", "{a: ".repeat(n), "}".repeat(n));
    write(dir.path(), "flowmap.yaml", template_with(&flow_map));
    // YAML block style: nested sequences on one line (`- - - x`)
    write(
        dir.path(),
        "block.yaml",
        format!(
            "{}\n      - {}x\n",
            template_with("").trim_end(),
            "- ".repeat(n)
        ),
    );
    // YAML block mappings, one space of indentation per level (10,000 levels would be 50 MB)
    let mut block_map = template_with("").trim_end().to_string();
    block_map.push('\n');
    for i in 0..2_000 {
        block_map.push_str(&" ".repeat(7 + i));
        block_map.push_str("k:\n");
    }
    write(dir.path(), "blockmap.yaml", block_map);
    // JSON arrays and objects
    let arrays = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let objects = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    for (name, deep) in [("arrays.json", arrays), ("objects.json", objects)] {
        write(
            dir.path(),
            name,
            format!(
                "{{\"Resources\": {{\"Q\": {{\"Type\": \"AWS::SQS::Queue\", \"Properties\": {{\"Tags\": {deep}}}}}}}}}"
            ),
        );
    }
    let f = check(dir.path(), &[]);
    for file in [
        "flow.yaml",
        "flowmap.yaml",
        "block.yaml",
        "blockmap.yaml",
        "arrays.json",
        "objects.json",
    ] {
        assert_finding(&f, "EL901", file, "nesting deeper than");
    }
    assert_good(&f);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_escapes_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.yaml", GOOD);
    let dir = folder();
    let root = dir.path();
    symlink(root, root.join("loop")).unwrap();
    symlink(root.join("a.yaml"), root.join("b.yaml")).unwrap();
    symlink(root.join("b.yaml"), root.join("a.yaml")).unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    symlink(root.join("sub"), root.join("sub/again")).unwrap();
    symlink(outside.path().join("secret.yaml"), root.join("escape.yaml")).unwrap();
    symlink(outside.path(), root.join("outside")).unwrap();
    let f = check(root, &[]);
    assert_good(&f);
    assert!(
        f.iter().all(|f| f.file == "good.yaml"),
        "only the good template is analysed: {f:#?}"
    );
}

/// Root can read anything: the unreadable cases only hold for other users.
#[cfg(unix)]
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// Run `f` with `file` and `folder` made unreadable (mode 000), then restore them.
#[cfg(unix)]
fn locked<T>(file: &Path, folder: &Path, f: impl FnOnce() -> T) -> T {
    use std::os::unix::fs::PermissionsExt;
    let none = std::fs::Permissions::from_mode(0o000);
    std::fs::set_permissions(file, none.clone()).unwrap();
    std::fs::set_permissions(folder, none).unwrap();
    let out = f();
    let reset = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(folder, reset.clone()).unwrap();
    std::fs::set_permissions(file, reset).unwrap();
    out
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder();
    let file = write(dir.path(), "locked.yaml", GOOD);
    let sub = dir.path().join("closed");
    write(&sub, "inner.yaml", GOOD);
    let f = locked(&file, &sub, || check(dir.path(), &[]));
    assert_good(&f);
    let f = if running_as_root() {
        // root reads anything: run as `nobody` when setpriv can, else there is nothing to see
        let setpriv = Path::new("/usr/bin/setpriv");
        if !setpriv.exists() {
            return;
        }
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut cmd = Command::new(setpriv);
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(assert_cmd::cargo::cargo_bin("eventlint"));
        locked(&file, &sub, || check_with(cmd, dir.path(), &[]))
    } else {
        f
    };
    assert_good(&f);
    assert_finding(&f, "EL901", "locked.yaml", "cannot read the file");
    assert_finding(&f, "EL901", "closed", "cannot read the folder");
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_and_folder_names() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = folder();
    let name = OsStr::from_bytes(b"bad-\xff\xfe.yaml");
    std::fs::write(dir.path().join(name), GOOD).unwrap();
    let sub = dir.path().join(OsStr::from_bytes(b"dir-\xc3\x28"));
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("t.yaml"), GOOD).unwrap();
    let f = check(dir.path(), &[]);
    assert_good(&f);
    let el705 = f.iter().filter(|f| f.code == "EL705").count();
    assert_eq!(el705, 3, "{f:#?}");
    assert!(f.iter().any(|f| f.file.starts_with("bad-\u{fffd}")));
}

/// Ref, GetAtt and Sub loops, DependsOn cycles, conditions that name themselves, ImportValue
/// cycles across two templates, deeply nested Sub/Join/Select/If.
#[test]
fn self_referencing_templates() {
    let dir = folder();
    write(
        dir.path(),
        "cycle.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  Loop: !And [!Condition Loop, !Condition Other]
  Other: !Or [!Condition Loop, !Equals [!Ref Stage, prod]]
Resources:
  A:
    Type: AWS::SQS::Queue
    DependsOn: [B, A]
    Properties:
      QueueName: !Sub \"${B.QueueName}-${A}\"
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt B.Arn
        maxReceiveCount: 3
  B:
    Type: AWS::SQS::Queue
    DependsOn: A
    Condition: Loop
    Properties:
      QueueName: !Join [\"-\", [!GetAtt A.QueueName, !Ref B]]
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt A.Arn
        maxReceiveCount: 3
  T:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !ImportValue one
Outputs:
  One:
    Value: !ImportValue two
    Export: {Name: one}
  Two:
    Value: !Sub \"${A.Arn}\"
    Export: {Name: !ImportValue one}
",
    );
    write(
        dir.path(),
        "other.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !ImportValue one
Outputs:
  Two:
    Value: !ImportValue one
    Export: {Name: two}
",
    );
    // Sub in Join in Select in If, 64 levels (past every resolution depth limit), each If
    // doubling what it holds (about 300 KB of text); and a chain of 60 without If
    let nest = |levels: usize, with_if: bool| {
        let mut n = String::from("!Ref AWS::Region");
        for i in 0..levels {
            n = match i % 4 {
                0 => format!("{{\"Fn::Sub\": [\"${{x}}-${{AWS::Region}}\", {{x: {n}}}]}}"),
                1 => format!("{{\"Fn::Join\": [\"-\", [{n}, b]]}}"),
                2 => format!("{{\"Fn::Select\": [0, [{n}]]}}"),
                _ if with_if && n.len() < 150_000 => format!("{{\"Fn::If\": [C, {n}, {n}]}}"),
                _ => format!("{{\"Fn::If\": [C, {n}, b]}}"),
            };
        }
        n
    };
    write(
        dir.path(),
        "nested.yaml",
        format!(
            "AWSTemplateFormatVersion: \"2010-09-09\"\nConditions:\n  C: !Equals [a, a]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: {}\n  R:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: {}\n",
            nest(64, true),
            nest(60, false)
        ),
    );
    let f = check(dir.path(), &[]);
    assert_good(&f);
}

fn function_template(code_uri: &str, handler: &str, runtime: &str) -> String {
    format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {code_uri}
      Handler: {handler}
      Runtime: {runtime}
"
    )
}

/// 100,000-deep parentheses in Python and JavaScript, a 20 MB minified bundle, binary
/// garbage named `.py`.
#[test]
fn hostile_handler_code() {
    let dir = folder();
    let n = 100_000;
    let parens = format!("{}1{}", "(".repeat(n), ")".repeat(n));
    write(
        dir.path(),
        "py/app.py",
        format!("import boto3\ndef handler(event, context):\n    x = {parens}\n    return x\n"),
    );
    write(
        dir.path(),
        "py.yaml",
        function_template("py/", "app.handler", "python3.12"),
    );
    write(
        dir.path(),
        "js/index.js",
        format!("exports.handler = async (e) => {{ const x = {parens}; return x; }};\n"),
    );
    write(
        dir.path(),
        "js.yaml",
        function_template("js/", "index.handler", "nodejs20.x"),
    );
    // a minified bundle: one 20 MB line of statements
    let mut bundle = String::from("\"use strict\";var a=0;");
    let chunk = "function f(t){return t&&t.__esModule?t:{default:t}}a+=1;";
    while bundle.len() < 20 * 1024 * 1024 {
        bundle.push_str(chunk);
    }
    bundle.push_str("exports.handler=async e=>a;");
    write(dir.path(), "bundle/index.js", bundle);
    write(
        dir.path(),
        "bundle.yaml",
        function_template("bundle/", "index.handler", "nodejs20.x"),
    );
    // binary garbage (a fixed pseudo-random sequence, NUL bytes, invalid UTF-8)
    let mut x: u32 = 0x1234_5678;
    let garbage: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    write(dir.path(), "bin/app.py", garbage);
    write(
        dir.path(),
        "bin.yaml",
        function_template("bin/", "app.handler", "python3.12"),
    );
    let f = check(dir.path(), &["--fail-on", "error"]);
    assert_good(&f);
    assert_finding(&f, "EL902", "bundle.yaml", "larger than");
    assert_finding(&f, "EL902", "bin.yaml", "not UTF-8");
}
