//! Intrinsic resolution on loaded templates: `System::sym`, `string`, `int`, `boolean` and
//! `target` over the environment of `fixtures/model/intrinsics/orders.yaml`, with
//! `shared.yaml` in the same run exporting values for `Fn::ImportValue`.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod common;

use common::fixture;
use eventlint::load::{Loaded, load};
use eventlint::model::{Fact, Node, Part, ResRef, System, TplId};

struct Fx {
    loaded: Loaded,
    orders: TplId,
    shared: TplId,
}

impl Fx {
    fn new() -> Self {
        let loaded = load(&[fixture("intrinsics")]);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let by_name = |name: &str| {
            loaded
                .system
                .templates
                .iter()
                .position(|t| {
                    loaded
                        .system
                        .db
                        .get(t.file)
                        .is_some_and(|f| f.disk_path.ends_with(name))
                })
                .unwrap()
        };
        let (orders, shared) = (by_name("orders.yaml"), by_name("shared.yaml"));
        Fx {
            loaded,
            orders,
            shared,
        }
    }

    fn sys(&self) -> &System {
        &self.loaded.system
    }

    /// An environment variable of `Worker` in orders.yaml.
    fn var(&self, name: &str) -> &Node {
        self.sys()
            .resource(self.orders, "Worker")
            .unwrap()
            .res
            .prop_path(&["Environment", "Variables", name])
            .unwrap_or_else(|| panic!("no variable {name}"))
    }

    fn parts(&self, name: &str) -> Vec<Part> {
        self.sys().sym(self.orders, self.var(name)).parts
    }

    fn literal(&self, name: &str) -> Option<String> {
        self.sys().sym(self.orders, self.var(name)).literal()
    }

    /// The reason a variable is unknown (panics when it resolved).
    fn unknown(&self, name: &str) -> String {
        match self.sys().string(self.orders, self.var(name)) {
            Fact::Unknown(r) => r,
            Fact::Known(v, _) => panic!("{name} resolved to {v:?}"),
        }
    }

    fn res(&self, tpl: TplId, id: &str, attr: Option<&str>) -> Part {
        Part::Res(ResRef {
            tpl,
            id: id.to_string(),
            attr: attr.map(String::from),
        })
    }

    /// `(template, logical ID)` of the resource `target` finds for a variable.
    fn target(&self, name: &str, hint: Option<&str>) -> Option<(TplId, String)> {
        self.sys()
            .target(self.orders, self.var(name), hint)
            .map(|h| (h.tpl, h.res.id.clone()))
    }
}

fn lit(s: &str) -> Part {
    Part::Lit(s.to_string())
}

fn pseudo(s: &str) -> Part {
    Part::Pseudo(s.to_string())
}

#[test]
fn ref_to_a_resource_a_parameter_a_pseudo_parameter_and_nothing() {
    let fx = Fx::new();
    let o = fx.orders;
    assert_eq!(fx.parts("REF_RESOURCE"), vec![fx.res(o, "Jobs", None)]);
    assert_eq!(fx.unknown("REF_PARAMETER"), "parameter `Stage`");
    assert_eq!(fx.parts("REF_PSEUDO"), vec![pseudo("AWS::Region")]);
    let s = fx.sys().sym(o, fx.var("REF_PSEUDO"));
    assert_eq!((s.literal(), s.pattern()), (None, Some("*".to_string())));
    assert!(fx.unknown("REF_UNDEFINED").contains("Missing"));
    assert_eq!(fx.target("REF_RESOURCE", None), Some((o, "Jobs".into())));
    assert_eq!(fx.target("REF_PARAMETER", Some("sqs")), None);
}

#[test]
fn getatt_in_both_forms() {
    let fx = Fx::new();
    let o = fx.orders;
    let arn = vec![fx.res(o, "Jobs", Some("Arn"))];
    assert_eq!(fx.parts("GETATT_SHORT"), arn);
    assert_eq!(fx.parts("GETATT_LONG_STRING"), arn);
    assert_eq!(fx.parts("GETATT_LONG_LIST"), arn);
    assert_eq!(
        fx.parts("GETATT_LIST"),
        vec![fx.res(o, "Jobs", Some("QueueName"))]
    );
    // the attribute comes from a parameter: not known
    assert!(fx.unknown("GETATT_COMPUTED").contains("computed attribute"));
    for v in ["GETATT_SHORT", "GETATT_LONG_STRING", "GETATT_LONG_LIST"] {
        assert_eq!(fx.target(v, Some("sqs")), Some((o, "Jobs".into())), "{v}");
    }
}

#[test]
fn sub_in_both_forms_with_escapes_and_variable_maps() {
    let fx = Fx::new();
    let o = fx.orders;
    assert_eq!(
        fx.parts("SUB_PSEUDO"),
        vec![pseudo("AWS::StackName"), lit("-jobs")]
    );
    assert_eq!(
        fx.parts("SUB_RESOURCE"),
        vec![fx.res(o, "Jobs", Some("Arn"))]
    );
    assert_eq!(
        fx.parts("SUB_REF"),
        vec![
            lit("queue "),
            fx.res(o, "Jobs", None),
            lit(" in "),
            pseudo("AWS::Region")
        ]
    );
    // `${!Literal}` is the text `${Literal}`, not a variable
    assert_eq!(
        fx.parts("SUB_ESCAPED"),
        vec![lit("${Literal}-"), pseudo("AWS::Region")]
    );
    assert_eq!(
        fx.literal("SUB_ESCAPED_ONLY").as_deref(),
        Some("${Stage}/${Jobs.Arn}")
    );
    assert_eq!(
        fx.parts("SUB_LONG"),
        vec![
            lit("arn:"),
            pseudo("AWS::Partition"),
            lit(":sqs:"),
            pseudo("AWS::Region"),
            lit(":"),
            pseudo("AWS::AccountId"),
            lit(":"),
            fx.res(o, "Jobs", Some("QueueName")),
        ]
    );
    // list form: variables from the map, resolved themselves
    assert_eq!(fx.literal("SUB_VARS").as_deref(), Some("orders-prod-10"));
    // a variable of the map wins over a resource of the same name
    assert_eq!(
        fx.literal("SUB_VARS_SHADOW").as_deref(),
        Some("intake-override")
    );
    assert_eq!(fx.unknown("SUB_VARS_UNKNOWN"), "parameter `Stage`");
}

#[test]
fn join_select_and_split() {
    let fx = Fx::new();
    let o = fx.orders;
    assert_eq!(
        fx.literal("JOIN").as_deref(),
        Some("arn:aws:sqs:us-east-1:123456789012:intake-jobs")
    );
    assert_eq!(
        fx.parts("JOIN_REF"),
        vec![lit("queue:"), fx.res(o, "Jobs", None)]
    );
    assert_eq!(fx.unknown("JOIN_PARAMETER"), "parameter `Stage`");
    assert_eq!(fx.literal("JOIN_SPLIT").as_deref(), Some("a/b/c"));
    assert_eq!(fx.literal("SELECT").as_deref(), Some("beta"));
    assert_eq!(fx.literal("SELECT_STRING_INDEX").as_deref(), Some("gamma"));
    assert_eq!(fx.literal("SELECT_SPLIT").as_deref(), Some("sqs"));
    assert!(fx.unknown("SELECT_OUT_OF_RANGE").contains("out of range"));
    assert_eq!(
        fx.literal("SELECT_MAPPING_LIST").as_deref(),
        Some("subnet-0a")
    );
    assert_eq!(fx.literal("SPLIT_OF_PARAMETER"), None);
    // a literal ARN built by Join still finds the queue
    assert_eq!(fx.target("JOIN", None), Some((o, "Jobs".into())));
}

#[test]
fn if_is_known_only_when_both_branches_agree() {
    let fx = Fx::new();
    let o = fx.orders;
    assert_eq!(fx.literal("IF_EQUAL").as_deref(), Some("intake-jobs"));
    assert_eq!(
        fx.parts("IF_EQUAL_REF"),
        vec![fx.res(o, "Jobs", Some("Arn"))]
    );
    assert_eq!(fx.target("IF_EQUAL_REF", None), Some((o, "Jobs".into())));
    assert!(fx.unknown("IF_DIFFERENT").contains("IsProd"));
    // the same value written two ways is still the same value
    assert_eq!(
        fx.parts("IF_EQUAL_SPELLED_DIFFERENTLY"),
        vec![fx.res(o, "Jobs", Some("Arn"))]
    );
    assert_eq!(fx.literal("IF_EMPTY").as_deref(), Some(""));
}

#[test]
fn find_in_map_on_literal_keys_only() {
    let fx = Fx::new();
    let (sys, o) = (fx.sys(), fx.orders);
    let map = fx.var("MAP");
    match sys.int(o, map) {
        Fact::Known(10, origin) => {
            assert!(!origin.default);
            assert_eq!(origin.span, map.span);
        }
        other => panic!("MAP: {other:?}"),
    }
    assert!(fx.unknown("MAP_PARAMETER_KEY").contains("FindInMap"));
    assert!(fx.unknown("MAP_UNKNOWN_KEY").contains("FindInMap"));
    assert!(fx.unknown("MAP_UNKNOWN_MAP").contains("FindInMap"));
    // the SAM event's BatchSize goes through the same resolution
    let batch = sys
        .resource(o, "Worker")
        .unwrap()
        .res
        .prop_path(&["Events", "Intake", "Properties", "BatchSize"])
        .unwrap();
    assert_eq!(sys.int(o, batch).value(), Some(&10));
}

#[test]
fn import_value_resolves_through_the_exporting_template() {
    let fx = Fx::new();
    let s = fx.shared;
    assert_ne!(fx.orders, fx.shared);
    assert_eq!(
        fx.parts("IMPORT_BUS"),
        vec![fx.res(s, "OrdersBus", Some("Arn"))]
    );
    assert_eq!(
        fx.parts("IMPORT_QUEUE_URL"),
        vec![fx.res(s, "AuditQueue", None)]
    );
    assert_eq!(fx.literal("IMPORT_LITERAL").as_deref(), Some("14"));
    assert_eq!(
        fx.target("IMPORT_QUEUE_URL", Some("sqs")),
        Some((s, "AuditQueue".into()))
    );
    assert_eq!(
        fx.target("IMPORT_BUS", Some("events-bus")),
        Some((s, "OrdersBus".into()))
    );
    // exports whose name is not literal are not indexed; names not exported in the run are unknown
    assert_eq!(
        fx.unknown("IMPORT_STACK_NAMED_EXPORT"),
        "value imported from another stack"
    );
    assert_eq!(
        fx.unknown("IMPORT_MISSING"),
        "value imported from another stack"
    );
    assert_eq!(
        fx.unknown("IMPORT_COMPUTED_NAME"),
        "value imported from another stack"
    );
    assert_eq!(fx.target("IMPORT_MISSING", Some("sns")), None);
    assert_eq!(fx.sys().exports.len(), 3, "{:?}", fx.sys().exports);
}

#[test]
fn import_value_without_the_exporting_template_is_unknown() {
    let loaded = load(&[fixture("intrinsics/orders.yaml")]);
    let sys = &loaded.system;
    let worker = sys.resource(0, "Worker").unwrap();
    let bus = worker
        .res
        .prop_path(&["Environment", "Variables", "IMPORT_BUS"])
        .unwrap();
    assert_eq!(
        sys.string(0, bus),
        Fact::Unknown("value imported from another stack".into())
    );
    assert!(sys.target(0, bus, Some("events-bus")).is_none());
}

#[test]
fn target_finds_queues_by_literal_arn_url_and_name() {
    let fx = Fx::new();
    let (o, s) = (fx.orders, fx.shared);
    let jobs = Some((o, "Jobs".to_string()));
    assert_eq!(fx.target("TARGET_ARN", None), jobs);
    assert_eq!(fx.target("TARGET_SUB_ARN", None), jobs);
    assert_eq!(fx.target("TARGET_URL", None), jobs);
    assert_eq!(fx.target("TARGET_SUB_URL", None), jobs);
    // a bare name needs to know the service
    assert_eq!(fx.target("TARGET_NAME", Some("sqs")), jobs);
    assert_eq!(
        fx.target("TARGET_NAME", Some("sns")),
        Some((o, "Notifications".into()))
    );
    assert_eq!(fx.target("TARGET_NAME", None), None);
    // `${AWS::StackName}-retries` matches any stack name
    assert_eq!(
        fx.target("TARGET_STACK_NAMED", None),
        Some((o, "Retries".into()))
    );
    // in the other template of the run
    assert_eq!(
        fx.target("TARGET_OTHER_STACK", None),
        Some((s, "AuditQueue".into()))
    );
    // `*-dlq` is a queue in both templates: no guess
    assert_eq!(fx.target("TARGET_AMBIGUOUS", None), None);
    assert_eq!(
        fx.target("TARGET_TOPIC_ARN", None),
        Some((o, "Notifications".into()))
    );
    assert_eq!(fx.target("TARGET_UNKNOWN_QUEUE", None), None);
}

#[test]
fn typed_facts_from_strings_and_numbers() {
    let fx = Fx::new();
    let (sys, o) = (fx.sys(), fx.orders);
    let jobs = sys.resource(o, "Jobs").unwrap().res;
    let vis = jobs.prop("VisibilityTimeout").unwrap();
    assert_eq!(sys.int(o, vis), Fact::known(180, vis.span));
    // CloudFormation accepts numbers as strings
    let max = jobs
        .prop_path(&["RedrivePolicy", "maxReceiveCount"])
        .unwrap();
    assert_eq!(sys.int(o, max).value(), Some(&5));
    let retries = sys.resource(o, "Retries").unwrap();
    let fifo = retries.res.prop("FifoQueue").unwrap();
    assert_eq!(sys.boolean(o, fifo).value(), Some(&false));
    assert_eq!(sys.is_fifo(retries).value(), Some(&false));
    // a string that is not a number, and a parameter
    assert!(matches!(sys.int(o, fx.var("SUB_VARS")), Fact::Unknown(_)));
    assert!(matches!(
        sys.int(o, fx.var("REF_PARAMETER")),
        Fact::Unknown(r) if r == "parameter `Stage`"
    ));
}
