//! SAM expansion against plain CloudFormation: for every SAM event type, the graph of a SAM
//! template (`fixtures/graph/sam/<EventType>/sam.yaml`) has the same event edges as the graph
//! of the CloudFormation SAM generates for it (`cfn.yaml`, with the logical IDs SAM gives the
//! generated resources; further `cfn-*.yaml` files are other plain forms of the same wiring).
//! Both must also equal the edge list written here by hand, so a mistake both sides share is
//! caught too.
//!
//! An edge is compared as (from logical ID, kind, to logical ID), the kind refined by what rules
//! read from it: the event source of a `polls` edge, `sync`/`async` for `invokes`, the
//! dead-letter kind, the subscription protocol. Node kinds (generated or declared) are not
//! compared, nor are permissions and IAM roles, which are not event edges.

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly and say what they compare"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use eventlint::graph::{Cfg, DlqKind, EdgeKind, Graph, build};
use eventlint::load::load;

type Edge = (String, String, String);

/// Resource types whose edges are not event edges (permissions, roles, policies).
const NOT_EVENTS: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::Lambda::Permission",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/graph/sam")
}

/// The kind of an edge, with what rules read from its configuration.
fn label(kind: EdgeKind, cfg: &Cfg<'_>) -> String {
    let detail = match cfg {
        Cfg::Esm { source, .. } => (*source).to_string(),
        Cfg::Invoke { sync: true } => "sync".into(),
        Cfg::Invoke { sync: false } => "async".into(),
        Cfg::Subscription { protocol, .. } => protocol.clone(),
        Cfg::DeadLetter { kind, .. } => match kind {
            DlqKind::Redrive => "redrive",
            DlqKind::FunctionDlq => "function",
            DlqKind::AsyncOnFailure => "async-on-failure",
            DlqKind::EsmOnFailure => "esm-on-failure",
            DlqKind::TargetDlq => "target",
            DlqKind::SubscriptionDlq => "subscription",
        }
        .into(),
        Cfg::S3 {
            events,
            prefix,
            suffix,
            filter_known,
        } => {
            let mut d = events.join(",");
            if let Some(p) = prefix {
                d.push_str(&format!(" prefix={p}"));
            }
            if let Some(s) = suffix {
                d.push_str(&format!(" suffix={s}"));
            }
            if !filter_known {
                d.push_str(" filter-unknown");
            }
            d
        }
        Cfg::Task { .. } => "task".into(),
        Cfg::Code { .. } => "code".into(),
        Cfg::Alarm {
            namespace, metric, ..
        } => format!(
            "{}/{}",
            namespace.as_deref().unwrap_or("?"),
            metric.as_deref().unwrap_or("?")
        ),
        Cfg::None | Cfg::Target { .. } | Cfg::Allows { .. } | Cfg::Composite { .. } => {
            String::new()
        }
    };
    if detail.is_empty() {
        kind.as_str().to_string()
    } else {
        format!("{} {detail}", kind.as_str())
    }
}

/// The event edges of one template, with the types of the resources it declares.
fn edges(file: &Path) -> (BTreeSet<Edge>, Vec<String>) {
    let loaded = load(&[file.to_path_buf()]);
    assert_eq!(loaded.templates, 1, "{} is not a template", file.display());
    assert!(
        loaded.problems.is_empty(),
        "{}: {:?}",
        file.display(),
        loaded.problems
    );
    let g: Graph<'_> = build(&loaded.system);
    let mut out = BTreeSet::new();
    for e in g.g.edge_indices() {
        let (Some((a, b)), Some(w)) = (g.g.edge_endpoints(e), g.g.edge_weight(e)) else {
            continue;
        };
        let (Some(a), Some(b)) = (g.node(a), g.node(b)) else {
            continue;
        };
        if w.kind == EdgeKind::Allows
            || NOT_EVENTS.contains(&a.ty.as_str())
            || NOT_EVENTS.contains(&b.ty.as_str())
        {
            continue;
        }
        out.insert((a.id.clone(), label(w.kind, &w.cfg), b.id.clone()));
    }
    let types = loaded
        .system
        .resources()
        .map(|h| h.res.ty.clone())
        .collect();
    (out, types)
}

fn show(set: &BTreeSet<Edge>) -> String {
    set.iter()
        .map(|(a, k, b)| format!("  {a} --{k}--> {b}\n"))
        .collect()
}

/// The hand-written edges of each fixture folder.
fn expected(case: &str) -> Option<&'static [(&'static str, &'static str, &'static str)]> {
    Some(match case {
        "SQS" => &[
            ("Orders", "polls SQS", "Worker"),
            ("Orders", "dead-letters redrive", "OrdersDlq"),
        ],
        "SNS" => &[("Alerts", "subscribes lambda", "Notifier")],
        "SNS-SqsSubscription" => &[
            ("Alerts", "subscribes sqs", "NotifierAlertQueue"),
            ("NotifierAlertQueue", "polls SQS", "Notifier"),
        ],
        "S3" => &[(
            "Uploads",
            "publishes s3:ObjectCreated:* prefix=incoming/ suffix=.jpg",
            "Thumbnailer",
        )],
        "EventBridgeRule" => &[
            ("default", "routes", "HandlerOrderPlaced"),
            ("HandlerOrderPlaced", "routes", "Handler"),
        ],
        "EventBridgeRule-CustomBus" => &[
            ("Orders", "routes", "HandlerOrderPlaced"),
            ("HandlerOrderPlaced", "routes", "Handler"),
            (
                "HandlerOrderPlaced",
                "dead-letters target",
                "HandlerOrderPlacedQueue",
            ),
        ],
        "CloudWatchEvent" => &[
            ("default", "routes", "WatcherStateChange"),
            ("WatcherStateChange", "routes", "Watcher"),
        ],
        "Schedule" => &[
            ("ReportNightly", "routes", "Report"),
            ("ReportNightly", "dead-letters target", "ReportDlq"),
        ],
        "ScheduleV2" => &[
            ("ReportNightly", "routes", "Report"),
            ("ReportNightly", "dead-letters target", "ReportDlq"),
        ],
        "DynamoDB" => &[
            ("Orders", "polls DynamoDB", "Projector"),
            (
                "Projector",
                "dead-letters esm-on-failure",
                "ProjectorFailures",
            ),
        ],
        "Kinesis" => &[
            ("Clicks", "polls Kinesis", "Aggregator"),
            (
                "Aggregator",
                "dead-letters esm-on-failure",
                "AggregatorFailures",
            ),
        ],
        "MQ" => &[("Broker", "polls MQ", "Consumer")],
        "MSK" => &[("Cluster", "polls MSK", "Consumer")],
        "SelfManagedKafka" => &[("self-managed Kafka", "polls SelfManagedKafka", "Consumer")],
        "DocumentDB" => &[("Cluster", "polls DocumentDB", "Consumer")],
        "IoTRule" => &[("SensorTelemetry", "invokes async", "Sensor")],
        "CloudWatchLogs" => &[("AppLogs", "invokes async", "Shipper")],
        "Api" => &[("ServerlessRestApi", "invokes sync", "Orders")],
        "Api-Explicit" => &[("OrdersApi", "invokes sync", "Orders")],
        "HttpApi" => &[("ServerlessHttpApi", "invokes sync", "Orders")],
        "Cognito" => &[("Users", "invokes sync", "SignUp")],
        "StateMachine-EventBridgeRule" => &[
            ("default", "routes", "FulfilmentOrderPlaced"),
            ("FulfilmentOrderPlaced", "routes", "Fulfilment"),
            ("Fulfilment", "invokes task", "Ship"),
        ],
        "StateMachine-Schedule" => &[
            ("CleanupNightly", "routes", "Cleanup"),
            ("Cleanup", "invokes task", "Purge"),
        ],
        _ => return None,
    })
}

/// Every fixture folder: its name, `sam.yaml` and the plain forms (`cfn*.yaml`).
fn cases() -> Vec<(String, PathBuf, Vec<PathBuf>)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut cfn: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("cfn") && n.ends_with(".yaml"))
            })
            .collect();
        cfn.sort();
        out.push((name, dir.join("sam.yaml"), cfn));
    }
    out
}

#[test]
fn every_event_type_has_a_fixture() {
    let names: BTreeSet<String> = cases().into_iter().map(|c| c.0).collect();
    for ty in [
        "SQS",
        "SNS",
        "SNS-SqsSubscription",
        "S3",
        "EventBridgeRule",
        "EventBridgeRule-CustomBus",
        "CloudWatchEvent",
        "Schedule",
        "ScheduleV2",
        "DynamoDB",
        "Kinesis",
        "MQ",
        "MSK",
        "SelfManagedKafka",
        "DocumentDB",
        "IoTRule",
        "CloudWatchLogs",
        "Api",
        "HttpApi",
        "Cognito",
        "StateMachine-EventBridgeRule",
        "StateMachine-Schedule",
    ] {
        assert!(names.contains(ty), "no fixture folder for {ty}");
    }
}

#[test]
fn sam_events_expand_to_the_edges_of_their_cloudformation() {
    let mut failures = Vec::new();
    for (name, sam, cfn) in cases() {
        let Some(want) = expected(&name) else {
            failures.push(format!("{name}: no expected edges in the test"));
            continue;
        };
        let want: BTreeSet<Edge> = want
            .iter()
            .map(|(a, k, b)| ((*a).to_string(), (*k).to_string(), (*b).to_string()))
            .collect();
        if cfn.is_empty() {
            failures.push(format!("{name}: no cfn*.yaml"));
        }
        let (sam_edges, sam_types) = edges(&sam);
        if !sam_types.iter().any(|t| t.starts_with("AWS::Serverless::")) {
            failures.push(format!("{name}/sam.yaml declares no SAM resource"));
        }
        if sam_edges != want {
            failures.push(format!(
                "{name}/sam.yaml edges differ from the expected ones\n got:\n{} want:\n{}",
                show(&sam_edges),
                show(&want)
            ));
        }
        for file in cfn {
            let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
            let (cfn_edges, cfn_types) = edges(&file);
            if let Some(t) = cfn_types
                .iter()
                .find(|t| t.starts_with("AWS::Serverless::"))
            {
                failures.push(format!(
                    "{name}/{file_name} is not plain CloudFormation: {t}"
                ));
            }
            if cfn_edges != sam_edges {
                failures.push(format!(
                    "{name}: {file_name} and sam.yaml differ\n only in {file_name}:\n{} only in sam.yaml:\n{}",
                    show(&cfn_edges.difference(&sam_edges).cloned().collect()),
                    show(&sam_edges.difference(&cfn_edges).cloned().collect())
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
