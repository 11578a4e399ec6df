//! The template loader: short forms, discovery by content, skipped folders, hostile input
//! (binary, invalid UTF-8, alias bombs, deep nesting, huge files, symlink loops) and exact spans.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use common::{Scratch, analyze, first_difference, fixture, positions, tree, within};
use eventlint::load::{MAX_TEMPLATE_BYTES, load};
use eventlint::model::Node;

/// The files loaded as templates, relative to the scratch folder.
fn template_files(s: &Scratch, paths: &[PathBuf]) -> BTreeSet<String> {
    let loaded = load(paths);
    loaded
        .system
        .templates
        .iter()
        .map(|t| s.rel(&loaded.system.db.get(t.file).unwrap().disk_path))
        .collect()
}

/// `(line, column, message)` of every EL901 finding under `paths`.
fn parse_errors(paths: &[PathBuf]) -> Vec<(u32, u32, String)> {
    positions(&analyze(paths, &["EL901"]))
        .into_iter()
        .map(|(_, line, col, _, msg)| (line, col, msg))
        .collect()
}

const SHORT_FORMS: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::If",
    "Fn::Select",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::ImportValue",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::GetAZs",
    "Condition",
];

#[test]
fn every_short_form_gives_the_tree_of_the_json_long_form() {
    let yaml = load(&[fixture("shortforms/template.yaml")]);
    let json = load(&[fixture("shortforms/template.json")]);
    assert!(yaml.problems.is_empty(), "{:?}", yaml.problems);
    assert!(json.problems.is_empty(), "{:?}", json.problems);
    assert_eq!(yaml.system.templates.len(), 1);
    assert_eq!(json.system.templates.len(), 1);
    // the document, then each resource (their mappings live in the resource list)
    let parts = |t: &eventlint::model::Template| -> Vec<Node> {
        std::iter::once(t.root.clone())
            .chain(t.resources.iter().map(|r| r.node.clone()))
            .collect()
    };
    let (y, j) = (
        parts(&yaml.system.templates[0]),
        parts(&json.system.templates[0]),
    );
    assert_eq!(y.len(), j.len());
    for (a, b) in y.iter().zip(&j) {
        if let Some(d) = first_difference(&tree(a), &tree(b), "") {
            panic!("YAML and JSON differ at {d}");
        }
    }
    // the fixture really uses every tag (the YAML text), and each became an intrinsic
    let text = &yaml.system.db.get(0).unwrap().text;
    let mut seen = BTreeSet::new();
    for part in &y {
        part.walk(&mut |n: &Node| {
            if let Some((name, _)) = n.intrinsic() {
                seen.insert(name.to_string());
            }
        });
    }
    for f in SHORT_FORMS {
        let tag = format!("!{}", f.trim_start_matches("Fn::"));
        assert!(
            text.contains(&format!("{tag} ")) || text.contains(&format!("{tag}\n")),
            "the YAML fixture does not use {tag}"
        );
        assert!(seen.contains(*f), "{f} missing from the YAML tree");
    }
}

#[test]
fn short_form_spans_cover_the_tagged_value() {
    let loaded = load(&[fixture("shortforms/template.yaml")]);
    let t = &loaded.system.templates[0];
    let text = &loaded.system.db.get(t.file).unwrap().text;
    let at = |n: &Node| &text[n.span.start as usize..n.span.end as usize];
    let orders = t.resource("Orders").unwrap();
    let dlq = orders
        .prop_path(&["RedrivePolicy", "deadLetterTargetArn"])
        .unwrap();
    assert_eq!(at(dlq), "!GetAtt [OrdersDlq, Arn]");
    let (_, arg) = dlq.intrinsic().unwrap();
    assert_eq!(at(arg), "[OrdersDlq, Arn]");
    let key = dlq.entries()[0].key_span;
    assert_eq!(&text[key.start as usize..key.end as usize], "!GetAtt");
    let url = t
        .resource("Processor")
        .unwrap()
        .prop_path(&["Environment", "Variables", "QUEUE_URL"])
        .unwrap();
    assert_eq!(at(url), "!Ref Orders");
    assert_eq!(at(url.intrinsic().unwrap().1), "Orders");
    // a tag on its own line before a block sequence
    let table = t
        .resource("Processor")
        .unwrap()
        .prop_path(&["Environment", "Variables", "TABLE"])
        .unwrap();
    let (name, arg) = table.intrinsic().unwrap();
    assert_eq!(name, "Fn::If");
    assert!(at(table).starts_with("!If\n"), "{:?}", at(table));
    assert!(at(arg).starts_with("- IsProdInUsEast1"), "{:?}", at(arg));
    // a block mapping after the tag
    let user_data = t
        .resource("Bootstrap")
        .unwrap()
        .prop_path(&["LaunchTemplateData", "UserData"])
        .unwrap();
    let (_, arg) = user_data.intrinsic().unwrap();
    assert!(at(arg).starts_with("Fn::Sub: |"), "{:?}", at(arg));
}

#[test]
fn templates_are_found_by_content_not_by_name() {
    let s = Scratch::new("content");
    s.write(
        "infra/stack.yml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      InlineCode: pass\n",
    );
    s.write(
        "infra/network.json",
        r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}}}"#,
    );
    // no version, no transform: a Resources map of AWS:: / Custom:: types is enough
    s.write(
        "infra/queues.template",
        "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n",
    );
    s.write(
        "infra/custom.yaml",
        "Resources:\n  Seed:\n    Type: Custom::SeedData\n    Properties:\n      ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:seed\n",
    );
    // not templates, though they mention the words
    s.write(
        "web/package.json",
        r#"{"name": "web", "description": "deploys with AWS::Serverless", "Transform": "./babel-transform.js", "Resources": ["assets/"], "dependencies": {"aws-cdk-lib": "^2"}}"#,
    );
    s.write(
        "ci/deploy.yml",
        "name: deploy\non: [push]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: sam deploy  # AWSTemplateFormatVersion lives in template.yaml\nResources:\n  - AWS::SQS::Queue\n",
    );
    // Serverless Framework: CloudFormation resources one level down, under `resources`
    s.write(
        "sls/serverless.yml",
        "service: orders\nprovider:\n  name: aws\n  runtime: nodejs20.x\nresources:\n  Resources:\n    Jobs:\n      Type: AWS::SQS::Queue\n",
    );
    let found = template_files(&s, std::slice::from_ref(&s.root));
    let want: BTreeSet<String> = [
        "infra/custom.yaml",
        "infra/network.json",
        "infra/queues.template",
        "infra/stack.yml",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(found, want);
    let loaded = load(std::slice::from_ref(&s.root));
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.templates, 4);
    let sam: Vec<bool> = loaded.system.templates.iter().map(|t| t.is_sam).collect();
    assert_eq!(
        sam.iter().filter(|b| **b).count(),
        1,
        "only stack.yml is SAM"
    );
}

#[test]
fn ignored_and_generated_folders_are_skipped_but_cdk_templates_read() {
    let s = Scratch::new("skips");
    let tpl =
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n";
    let json = r#"{"Resources": {"Jobs": {"Type": "AWS::SQS::Queue"}}}"#;
    s.write(".gitignore", "build/\n*.generated.yaml\n");
    s.write("template.yaml", tpl);
    s.write("build/template.yaml", tpl);
    s.write("stack.generated.yaml", tpl);
    s.write("node_modules/some-construct/template.yaml", tpl);
    s.write("services/api/node_modules/x/template.yaml", tpl);
    s.write(".aws-sam/build/template.yaml", tpl);
    s.write("cdk.out/OrdersStack.template.json", json);
    s.write("cdk.out/asset.3f2a9c/template.yaml", tpl);
    s.write("cdk.out/asset.3f2a9c.json", json);
    s.write("cdk.out/manifest.json", json);
    let found = template_files(&s, std::slice::from_ref(&s.root));
    let want: BTreeSet<String> = ["cdk.out/OrdersStack.template.json", "template.yaml"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, want);
}

#[test]
fn binary_file_with_a_yaml_name_is_ignored() {
    let s = Scratch::new("binary");
    // a PNG header, NUL bytes, and the words the content sniffing looks for
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(b"AWSTemplateFormatVersion Resources AWS::SQS::Queue");
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    s.write("logo.yaml", &bytes);
    let a = analyze(std::slice::from_ref(&s.root), &[]);
    assert_eq!(a.loaded.templates, 0);
    assert!(a.diagnostics.is_empty(), "{:?}", positions(&a));
}

#[test]
fn invalid_utf8_is_a_parse_error_at_its_line() {
    let s = Scratch::new("utf8");
    let mut text = b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: caf".to_vec();
    text.push(0xe9); // Latin-1 'é'
    text.extend_from_slice(b"-orders\n");
    let p = s.write("template.yaml", &text);
    assert_eq!(
        parse_errors(&[p]),
        vec![(6, 21, "file is not valid UTF-8".to_string())]
    );
}

#[test]
fn empty_and_resources_only_files_load_without_findings() {
    let s = Scratch::new("empty");
    let files = [
        ("empty.yaml", ""),
        ("only-resources.yaml", "Resources:\n"),
        (
            "version-and-resources.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n",
        ),
        (
            "sam-null-resources.yaml",
            "Transform: AWS::Serverless-2016-10-31\nResources:\n",
        ),
        ("empty.json", "{}"),
        (
            "version-only.json",
            r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": null}"#,
        ),
        (
            "scalar-resources.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nResources: AWS::SQS::Queue\n",
        ),
    ];
    for (name, text) in files {
        let p = s.write(name, text);
        let a = analyze(&[p], &[]);
        assert!(a.diagnostics.is_empty(), "{name}: {:?}", positions(&a));
        assert!(a.loaded.system.resources().next().is_none(), "{name}");
    }
    // the four with a version or SAM transform are templates (with no resources)
    let loaded = load(std::slice::from_ref(&s.root));
    assert_eq!(loaded.templates, 4, "{:?}", loaded.problems);
}

#[test]
fn byte_order_mark_does_not_shift_positions() {
    let s = Scratch::new("bom");
    let yaml = "\u{feff}AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n";
    let json =
        "\u{feff}{\n  \"Resources\": {\n    \"Jobs\": {\"Type\": \"AWS::SQS::Queue\"}\n  }\n}\n";
    let y = s.write("bom.yaml", yaml);
    let j = s.write("bom.json", json);
    let a = analyze(&[y, j], &["EL101", "EL901"]);
    let got: Vec<_> = positions(&a)
        .into_iter()
        .map(|(f, l, c, code, _)| (f, l, c, code))
        .collect();
    // the BOM is a code point of line 1 only: later lines are unaffected
    assert_eq!(
        got,
        vec![
            ("bom.json".to_string(), 3, 5, "EL101".to_string()),
            ("bom.yaml".to_string(), 3, 3, "EL101".to_string()),
        ]
    );
    // and the spans cut the text exactly at the key
    for t in &a.loaded.system.templates {
        let text = &a.loaded.system.db.get(t.file).unwrap().text;
        let r = t.resource("Jobs").unwrap();
        let key = &text[r.id_span.start as usize..r.id_span.end as usize];
        assert!(key == "Jobs" || key == "\"Jobs\"", "{key:?}");
        assert_eq!(
            &text[r.ty_span.start as usize..r.ty_span.end as usize].trim_matches('"'),
            &"AWS::SQS::Queue"
        );
    }
}

/// The classic billion-laughs document, under a template's `Metadata`.
fn alias_bomb(flow: bool) -> String {
    let mut s = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\nMetadata:\n",
    );
    s.push_str(
        "  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for w in names.windows(2) {
        let (prev, cur) = (w[0], w[1]);
        if flow {
            let items = vec![format!("*{prev}"); 9].join(", ");
            s.push_str(&format!("  {cur}: &{cur} [{items}]\n"));
        } else {
            s.push_str(&format!("  {cur}: &{cur}\n"));
            for _ in 0..9 {
                s.push_str(&format!("    - *{prev}\n"));
            }
        }
    }
    s
}

/// Mappings that hold their predecessor several times (`merge`: once merged with `<<`, once as
/// a value), so each level at least doubles.
fn map_bomb(merge: bool) -> String {
    let mut s = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\nMetadata:\n  l0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n",
    );
    for i in 1..40 {
        let p = i - 1;
        if merge {
            s.push_str(&format!("  l{i}: &l{i}\n    <<: *l{p}\n    n{i}: *l{p}\n"));
        } else {
            s.push_str(&format!(
                "  l{i}: &l{i}\n    x: *l{p}\n    y: *l{p}\n    z: *l{p}\n"
            ));
        }
    }
    s
}

#[test]
fn alias_bombs_are_parse_errors_quickly() {
    let s = Scratch::new("bomb");
    let cases = [
        ("block.yaml", alias_bomb(false)),
        ("flow.yaml", alias_bomb(true)),
        ("maps.yaml", map_bomb(false)),
        ("merge-keys.yaml", map_bomb(true)),
    ];
    for (name, text) in cases {
        let p = s.write(name, &text);
        let errors = within(Duration::from_secs(20), name, move || parse_errors(&[p]));
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        assert!(errors[0].2.contains("alias"), "{name}: {errors:?}");
        assert!(errors[0].0 > 5, "{name}: points into the bomb: {errors:?}");
    }
}

#[test]
fn ten_thousand_deep_nesting_is_a_parse_error_quickly() {
    const DEPTH: usize = 10_000;
    let s = Scratch::new("deep");
    let head = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\nMetadata:\n";
    let cases = [
        (
            "block-seq.yaml",
            format!("{head}  Deep:\n    {}x\n", "- ".repeat(DEPTH)),
        ),
        ("block-map.yaml", {
            // one space more per level: 50 MB for 10,000 levels, so 2,000 levels (2 MB)
            let mut t = format!("{head}  Deep:\n");
            for i in 0..2_000 {
                t.push_str(&" ".repeat(i + 3));
                t.push_str("k:\n");
            }
            t
        }),
        (
            "flow-seq.yaml",
            format!("{head}  Deep: {}{}\n", "[".repeat(DEPTH), "]".repeat(DEPTH)),
        ),
        (
            "flow-map.yaml",
            format!(
                "{head}  Deep: {}x{}\n",
                "{a: ".repeat(DEPTH),
                "}".repeat(DEPTH)
            ),
        ),
        (
            "deep.json",
            format!(
                "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Metadata\": {}{}}}",
                "[".repeat(DEPTH),
                "]".repeat(DEPTH)
            ),
        ),
    ];
    for (name, text) in cases {
        let p = s.write(name, &text);
        let errors = within(Duration::from_secs(20), name, move || parse_errors(&[p]));
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        // ours ("nesting deeper than 200 levels") or the YAML scanner's own recursion limit
        assert!(
            errors[0].2.contains("nesting") || errors[0].2.contains("recursion limit"),
            "{name}: {errors:?}"
        );
        // at the deep value (line 6 on), not at the top of the file
        let line = errors[0].0;
        assert!(
            if name.ends_with(".json") {
                line == 1
            } else {
                line >= 6
            },
            "{name}: {errors:?}"
        );
    }
}

#[test]
fn oversized_file_is_a_parse_error_without_being_read() {
    let s = Scratch::new("huge");
    // a real template head (64 KiB of text, no NUL), then a sparse hole: 4 GiB on paper
    let mut head = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n",
    );
    while head.len() < 70_000 {
        head.push_str("# generated padding to look like a long template body\n");
    }
    let p = s.write("huge.yaml", &head);
    let size = 4u64 << 30;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(size)
        .unwrap();
    assert!(size > MAX_TEMPLATE_BYTES);
    let errors = within(Duration::from_secs(10), "4 GiB file", move || {
        parse_errors(&[p])
    });
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (line, col, msg) = &errors[0];
    assert_eq!((*line, *col), (1, 1));
    assert!(
        msg.contains(&size.to_string()) && msg.contains("larger"),
        "{msg}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang_and_links_out_of_the_root_are_not_followed() {
    use std::os::unix::fs::symlink;
    let s = Scratch::new("links");
    let tpl =
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n";
    s.write("outside/secret.yaml", tpl);
    s.write("root/app/template.yaml", tpl);
    symlink(s.path("root"), s.path("root/app/loop")).unwrap();
    symlink(".", s.path("root/app/self")).unwrap();
    symlink(s.path("root/app/a"), s.path("root/app/b")).unwrap();
    symlink(s.path("root/app/b"), s.path("root/app/a")).unwrap();
    symlink(s.path("outside"), s.path("root/app/shared")).unwrap();
    symlink(
        s.path("outside/secret.yaml"),
        s.path("root/app/linked.yaml"),
    )
    .unwrap();
    let root = s.path("root");
    let files = within(Duration::from_secs(20), "symlink loop", move || {
        let loaded = load(&[root]);
        loaded
            .system
            .templates
            .iter()
            .map(|t| loaded.system.db.get(t.file).unwrap().disk_path.clone())
            .collect::<Vec<_>>()
    });
    let files: Vec<String> = files.iter().map(|p| s.rel(p)).collect();
    assert_eq!(files, vec!["root/app/template.yaml".to_string()]);
}

#[test]
fn findings_point_at_exact_lines_and_columns() {
    let a = analyze(&[fixture("spans")], &["EL101", "EL106", "EL901", "EL103"]);
    let got: Vec<_> = positions(&a)
        .into_iter()
        .map(|(f, l, c, code, _)| (f, l, c, code))
        .collect();
    let want: Vec<(String, u32, u32, String)> = [
        // the second `"Orders"` key
        ("duplicate.json", 8, 5, "EL901"),
        // `Jobs` in `  Jobs: {Type: ...`
        ("flow.yaml", 4, 3, "EL101"),
        // the `30` after `Tâches: {...{` on line 6: columns count code points, not bytes
        ("flow.yaml", 6, 67, "EL106"),
        // the target mapping `{Id: worker, ...}` in the flow sequence
        ("flow.yaml", 11, 17, "EL103"),
        // `30` of `"VisibilityTimeout": 30` at the end of the one-line `Orders`
        ("queues.json", 4, 181, "EL106"),
        ("queues.json", 6, 5, "EL101"),
    ]
    .into_iter()
    .map(|(f, l, c, code)| (f.to_string(), l, c, code.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[cfg(unix)]
#[test]
fn state_machine_definition_files_are_read_safely() {
    let s = Scratch::new("definitions");
    s.write(
        "template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  FromPipe:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: statemachine/pipe.asl.json\n  FromHugeFile:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: statemachine/huge.asl.json\n  FromLatin1:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: statemachine/latin1.asl.json\n",
    );
    // a named pipe nobody writes to: opening it for reading would block forever
    std::fs::create_dir_all(s.path("statemachine")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(s.path("statemachine/pipe.asl.json"))
        .status()
        .unwrap();
    assert!(status.success());
    // 4 GiB on paper (sparse)
    let huge = s.write(
        "statemachine/huge.asl.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#,
    );
    std::fs::OpenOptions::new()
        .write(true)
        .open(&huge)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    s.write(
        "statemachine/latin1.asl.json",
        b"{\"Comment\": \"r\xe9sum\xe9\", \"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true}}}",
    );
    let root = s.root.clone();
    let errors = within(Duration::from_secs(20), "definition files", move || {
        parse_errors(&[root])
    });
    let lines: Vec<(u32, u32)> = errors.iter().map(|e| (e.0, e.1)).collect();
    // at the `DefinitionUri` values of FromHugeFile and FromLatin1; the pipe is skipped
    assert_eq!(lines, vec![(11, 22), (15, 22)], "{errors:?}");
    assert!(errors[0].2.contains("larger than"), "{errors:?}");
    assert!(errors[1].2.contains("not valid UTF-8"), "{errors:?}");
}
