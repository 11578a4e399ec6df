//! The engine: a panicking rule becomes EL900 and the run goes on; output order; suppressions in
//! resource and template `Metadata`, for SAM-generated resources and definition files.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use std::path::PathBuf;

use common::{Scratch, analyze, fixture, positions};
use eventlint::Diagnostic;
use eventlint::engine::{Selection, run_rules};
use eventlint::load::{Loaded, load};
use eventlint::rules::ALL;
use eventlint::rules::rule::{Context, Finding, Rule, RuleMeta};

eventlint::declare_rule! {
    /// ## What it does
    /// Panics with a message (a test rule).
    pub PanicsWithMessage { code: "EL998", name: "test-panics-with-message", severity: Warning }
}

impl Rule for PanicsWithMessage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let ids: Vec<&str> = cx.sys.resources().map(|h| h.res.id.as_str()).collect();
        // an index out of bounds, as a real bug would be
        let i = ids.len() + 1;
        vec![Finding::new(
            cx.sys.templates[0].resources[0].id_span,
            ids[i].to_string(),
        )]
    }
}

eventlint::declare_rule! {
    /// ## What it does
    /// Panics with a payload that is not a string (a test rule).
    pub PanicsWithValue { code: "EL997", name: "test-panics-with-value", severity: Info }
}

impl Rule for PanicsWithValue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _cx: &Context<'_>) -> Vec<Finding> {
        std::panic::panic_any(42_u32)
    }
}

/// Load `paths`, build the graph and run `rules`.
fn run(paths: &[PathBuf], rules: &[&dyn Rule], selection: &Selection) -> (Loaded, Vec<Diagnostic>) {
    let loaded = load(paths);
    let graph = eventlint::graph::build(&loaded.system);
    let cx = Context {
        sys: &loaded.system,
        graph: &graph,
        problems: &loaded.problems,
        policy_findings: &[],
        policy_runs: &eventlint::policy::Runs::default(),
        options: &selection.options,
        suppressions: &[],
        contracts: &std::sync::OnceLock::new(),
    };
    let diags = run_rules(&cx, rules, selection);
    drop(graph);
    (loaded, diags)
}

/// `(file name, line, code, message)`.
fn summary(loaded: &Loaded, diags: &[Diagnostic]) -> Vec<(String, u32, String, String)> {
    diags
        .iter()
        .map(|d| {
            let f = loaded.system.db.get(d.finding.span.file).unwrap();
            (
                f.disk_path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                f.line_col(d.finding.span.start).0,
                d.code.to_string(),
                d.finding.message.clone(),
            )
        })
        .collect()
}

fn registry(code: &str) -> &'static dyn Rule {
    *ALL.iter().find(|r| r.meta().code == code).unwrap()
}

#[test]
fn a_panicking_rule_becomes_el900_and_the_others_still_report() {
    let paths = [fixture("engine/sort")];
    let rules: [&dyn Rule; 4] = [
        &PanicsWithMessage,
        registry("EL101"),
        &PanicsWithValue,
        registry("EL900"),
    ];
    let (loaded, diags) = run(&paths, &rules, &Selection::default());
    let got = summary(&loaded, &diags);
    let internal: Vec<_> = got.iter().filter(|d| d.2 == "EL900").collect();
    assert_eq!(internal.len(), 2, "{got:#?}");
    let msgs: Vec<&str> = internal.iter().map(|d| d.3.as_str()).collect();
    assert!(
        msgs.iter()
            .any(|m| m
                .starts_with("rule EL998 (test-panics-with-message) failed: index out of bounds")),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"rule EL997 (test-panics-with-value) failed: panic"),
        "{msgs:?}"
    );
    // reported at the start of the first file, naming every analysed file
    for d in diags.iter().filter(|d| d.code == "EL900") {
        assert_eq!(d.finding.span.start, 0);
        assert_eq!(d.severity, eventlint::Severity::Error);
        let help = d.finding.help.as_deref().unwrap();
        assert!(
            help.contains("billing.json") && help.contains("orders.yaml"),
            "{help}"
        );
    }
    // the healthy rule's findings are all there
    let el101: Vec<_> = got.iter().filter(|d| d.2 == "EL101").map(|d| d.1).collect();
    assert_eq!(el101, vec![5, 26, 29]);

    // EL900 deselected: the panics are dropped, the run still goes on
    let sel = Selection {
        ignore: vec!["internal-error".into()],
        ..Selection::default()
    };
    let (loaded, diags) = run(&paths, &rules, &sel);
    let got = summary(&loaded, &diags);
    assert!(got.iter().all(|d| d.2 == "EL101"), "{got:#?}");
    assert_eq!(got.len(), 3);

    // a deselected rule is not run at all
    let sel = Selection {
        ignore: vec!["EL998".into(), "test-panics-with-value".into()],
        ..Selection::default()
    };
    let (_, diags) = run(&paths, &rules, &sel);
    assert!(diags.iter().all(|d| d.code == "EL101"));
}

#[test]
fn output_is_sorted_by_file_position_code_and_independent_of_rule_order() {
    let paths = [fixture("engine/sort")];
    let (loaded, diags) = run(&paths, ALL, &Selection::default());
    let got: Vec<(String, u32, String)> = summary(&loaded, &diags)
        .into_iter()
        .map(|(f, l, c, _)| (f, l, c))
        .collect();
    let want: Vec<(String, u32, String)> = [
        ("billing.json", 5, "EL101"),
        ("billing.json", 5, "EL706"),
        ("billing.json", 5, "EL106"),
        ("billing.json", 6, "EL204"),
        ("orders.yaml", 6, "EL102"),
        ("orders.yaml", 6, "EL204"),
        ("orders.yaml", 21, "EL103"),
        ("orders.yaml", 26, "EL101"),
        ("orders.yaml", 26, "EL106"),
        ("orders.yaml", 26, "EL706"),
        ("orders.yaml", 29, "EL101"),
    ]
    .into_iter()
    .map(|(f, l, c)| (f.to_string(), l, c.to_string()))
    .collect();
    assert_eq!(got, want);
    // the order is (file, byte offset, code, message) for every adjacent pair
    for w in diags.windows(2) {
        let key = |d: &Diagnostic| {
            (
                loaded
                    .system
                    .db
                    .get(d.finding.span.file)
                    .unwrap()
                    .path
                    .clone(),
                d.finding.span.start,
                d.code,
                d.finding.message.clone(),
            )
        };
        assert!(
            key(&w[0]) <= key(&w[1]),
            "{:?} before {:?}",
            key(&w[0]),
            key(&w[1])
        );
    }
    // running the rules in reverse registry order changes nothing
    let reversed: Vec<&dyn Rule> = ALL.iter().rev().copied().collect();
    let (_, again) = run(&paths, &reversed, &Selection::default());
    assert_eq!(diags, again);
}

/// `(resource, code)` of every finding of the suppression fixtures.
fn suppress_findings(paths: &[PathBuf]) -> Vec<(String, String, String)> {
    let a = analyze(paths, &["EL101", "EL104", "EL106", "EL112", "EL113"]);
    positions(&a)
        .into_iter()
        .zip(&a.diagnostics)
        .map(|((file, ..), d)| {
            (
                file,
                d.finding.resource.clone().unwrap_or_default(),
                d.code.to_string(),
            )
        })
        .collect()
}

fn triples(v: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    v.iter()
        .map(|(a, b, c)| ((*a).to_string(), (*b).to_string(), (*c).to_string()))
        .collect()
}

#[test]
fn resource_metadata_suppresses_by_code_or_name_and_only_that_resource() {
    let got = suppress_findings(&[fixture("engine/suppress/resource.yaml")]);
    let want = triples(&[
        // `Plain` has no Metadata; `ByCode`, `ByName`, `ByScalarLowercase` are suppressed
        ("resource.yaml", "Plain", "EL101"),
        // ignores another rule
        ("resource.yaml", "OtherRule", "EL101"),
        // another tool's metadata
        ("resource.yaml", "OtherTool", "EL101"),
        // `Notifier` ignores only queue-without-dlq: its subscription finding stays...
        ("resource.yaml", "Notifier", "EL104"),
        ("resource.yaml", "Auditor", "EL104"),
        // ...and the queue SAM generates for `Auditor` is reported on `Auditor`; the one
        // generated for `Notifier` is suppressed by the function's Metadata
        ("resource.yaml", "Auditor", "EL101"),
        // `Fulfilment` ignores EL112 for its definition file
        ("fulfilment.asl.json", "Fulfilment", "EL113"),
        ("refunds.asl.json", "Refunds", "EL112"),
        ("refunds.asl.json", "Refunds", "EL113"),
    ]);
    assert_eq!(got, want);
}

#[test]
fn suppressions_are_real_findings_without_the_metadata() {
    // the same template with every `eventlint:` Metadata block renamed: all the findings return
    let s = Scratch::new("unsuppressed");
    let dir = fixture("engine/suppress");
    let text = std::fs::read_to_string(dir.join("resource.yaml"))
        .unwrap()
        .replace("      eventlint:\n", "      eventlint-disabled:\n");
    s.write("resource.yaml", text);
    for asl in ["fulfilment.asl.json", "refunds.asl.json"] {
        s.write(
            &format!("statemachine/{asl}"),
            std::fs::read(dir.join("statemachine").join(asl)).unwrap(),
        );
    }
    let got = suppress_findings(&[s.path("resource.yaml")]);
    let resources: Vec<(&str, &str)> = got
        .iter()
        .filter(|(f, _, _)| f == "resource.yaml")
        .filter(|(_, _, c)| c == "EL101")
        .map(|(_, r, c)| (r.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        resources,
        vec![
            ("Plain", "EL101"),
            ("ByCode", "EL101"),
            ("ByName", "EL101"),
            ("ByScalarLowercase", "EL101"),
            ("OtherRule", "EL101"),
            ("OtherTool", "EL101"),
            ("Notifier", "EL101"),
            ("Auditor", "EL101"),
        ]
    );
    assert!(got.contains(&(
        "fulfilment.asl.json".to_string(),
        "Fulfilment".to_string(),
        "EL112".to_string()
    )));
}

#[test]
fn template_metadata_suppresses_a_rule_for_its_file_only() {
    let dir = fixture("engine/suppress");
    let got = suppress_findings(&[dir.join("template-level.yaml"), dir.join("resource.yaml")]);
    let in_file: Vec<_> = got
        .iter()
        .filter(|(f, _, _)| f == "template-level.yaml")
        .map(|(_, r, c)| (r.as_str(), c.as_str()))
        .collect();
    // EL101 is off for the file; EL106 on the same queue is not
    assert_eq!(in_file, vec![("LegacyJobs", "EL106")]);
    // the other file of the run keeps its EL101 findings
    assert!(got.contains(&(
        "resource.yaml".to_string(),
        "Plain".to_string(),
        "EL101".to_string()
    )));

    // without the template Metadata, EL101 fires on the queue
    let s = Scratch::new("template-level");
    let text = std::fs::read_to_string(dir.join("template-level.yaml"))
        .unwrap()
        .replace("Metadata:\n  eventlint:\n    ignore: [EL101]\n", "");
    let p = s.write("template-level.yaml", text);
    let got = suppress_findings(&[p]);
    let codes: Vec<_> = got
        .iter()
        .map(|(_, r, c)| (r.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        codes,
        vec![("LegacyJobs", "EL101"), ("LegacyJobs", "EL106")]
    );
}
