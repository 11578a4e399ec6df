//! Filter policies against the examples of the SNS developer guide, with its documented
//! non-matches. Sources: [EX] "Example filter policies"; [SV] "String value matching"
//! (attribute string value matching); [NV] "Numeric value matching"; [KM] "Key matching";
//! [AO] "AND/OR logic"; [FC] "Filter policy constraints". "(derived)" marks the obvious
//! counterpart of a documented case.

use super::*;
use crate::model::json;

fn j(text: &str) -> Node {
    let out = json::load(text, 0);
    assert!(out.problems.is_empty(), "{text}: {:?}", out.problems);
    out.root.expect("json root")
}

fn sp() -> Span {
    Span::new(0, 0, 0)
}

/// Message attributes as the delivered notification shows them: name -> (Type, Value).
fn attrs(list: &[(&str, &str, &str)]) -> Message {
    let entries = list
        .iter()
        .filter_map(|(name, t, v)| {
            Message::attribute(t, v, sp()).map(|value| Entry {
                key: (*name).to_string(),
                key_span: sp(),
                value,
            })
        })
        .collect();
    Message {
        attributes: Node::new(sp(), Kind::Map(entries)),
        body: unknown_node(sp()),
    }
}

fn body(text: &str) -> Message {
    Message {
        attributes: unknown_node(sp()),
        body: j(text),
    }
}

fn check_attrs(policy: &str, msg: &[(&str, &str, &str)], want: Match) {
    let p = j(policy);
    let problems = validate(&p, Scope::MessageAttributes);
    assert!(problems.is_empty(), "{policy}: {problems:?}");
    assert_eq!(
        matches(&p, Scope::MessageAttributes, &attrs(msg)),
        want,
        "{policy} on {msg:?}"
    );
}

fn check_body(policy: &str, msg: &str, want: Match) {
    let p = j(policy);
    let problems = validate(&p, Scope::MessageBody);
    assert!(problems.is_empty(), "{policy}: {problems:?}");
    assert_eq!(
        matches(&p, Scope::MessageBody, &body(msg)),
        want,
        "{policy} on {msg}"
    );
}

const EX_ATTRS: &[(&str, &str, &str)] = &[
    (
        "customer_interests",
        "String.Array",
        r#"["soccer", "rugby", "hockey"]"#,
    ),
    ("store", "String", "example_corp"),
    ("event", "String", "order_placed"),
    ("price_usd", "Number", "210.75"),
];

const EX_BODY: &str = r#"{"customer_interests": ["soccer", "rugby", "hockey"],
    "store": "example_corp", "event": "order_placed", "price_usd": 210.75}"#;

const EX_ACCEPTS: &str = r#"{"store": ["example_corp"],
    "event": [{"anything-but": "order_cancelled"}],
    "customer_interests": ["rugby", "football", "baseball"],
    "price_usd": [{"numeric": [">=", 100]}]}"#;

const EX_REJECTS: &str = r#"{"store": ["example_corp"], "event": ["order_cancelled"],
    "encrypted": [false], "customer_interests": ["basketball", "baseball"]}"#;

#[test]
fn example_filter_policies() {
    // [EX] "A policy that accepts the example message" / "... that rejects ..."
    check_attrs(EX_ACCEPTS, EX_ATTRS, Match::Yes);
    check_attrs(EX_REJECTS, EX_ATTRS, Match::No);
    // the same properties in the message body, for the MessageBody scope
    check_body(EX_ACCEPTS, EX_BODY, Match::Yes);
    check_body(EX_REJECTS, EX_BODY, Match::No);
    // "Because the encrypted attribute name isn't present ... rejected regardless of the value"
    check_attrs(r#"{"encrypted": [false]}"#, EX_ATTRS, Match::No);
}

#[test]
fn string_exact_matching() {
    let p = r#"{"customer_interests": ["rugby", "tennis"]}"#;
    // [SV] "Exact matching"
    check_attrs(p, &[("customer_interests", "String", "rugby")], Match::Yes);
    check_attrs(p, &[("customer_interests", "String", "tennis")], Match::Yes);
    check_attrs(
        p,
        &[(
            "customer_interests",
            "String.Array",
            r#"["rugby", "tennis"]"#,
        )],
        Match::Yes,
    );
    check_attrs(
        p,
        &[("customer_interests", "String", "baseball")],
        Match::No,
    );
    check_attrs(
        p,
        &[("customer_interests", "String.Array", r#"["baseball"]"#)],
        Match::No,
    );
    check_body(p, r#"{"customer_interests": "rugby"}"#, Match::Yes);
    check_body(p, r#"{"customer_interests": "tennis"}"#, Match::Yes);
    check_body(p, r#"{"customer_interests": "baseball"}"#, Match::No);
    // [FC] "the comparison is case-sensitive" (derived)
    check_attrs(p, &[("customer_interests", "String", "Rugby")], Match::No);
}

#[test]
fn string_prefix_suffix_and_case() {
    // [SV] "Prefix matching"
    let p = r#"{"customer_interests": [{"prefix": "bas"}]}"#;
    check_attrs(
        p,
        &[("customer_interests", "String", "baseball")],
        Match::Yes,
    );
    check_attrs(
        p,
        &[("customer_interests", "String", "basketball")],
        Match::Yes,
    );
    check_attrs(p, &[("customer_interests", "String", "rugby")], Match::No);
    check_body(p, r#"{"customer_interests": "baseball"}"#, Match::Yes);
    check_body(p, r#"{"customer_interests": "rugby"}"#, Match::No);
    // [SV] "Suffix matching"
    let p = r#"{"customer_interests": [{"suffix": "ball"}]}"#;
    check_attrs(
        p,
        &[("customer_interests", "String", "baseball")],
        Match::Yes,
    );
    check_attrs(
        p,
        &[("customer_interests", "String", "basketball")],
        Match::Yes,
    );
    check_attrs(p, &[("customer_interests", "String", "rugby")], Match::No);
    // [SV] "Equals-ignore-case matching"
    let p = r#"{"customer_interests": [{"equals-ignore-case": "tennis"}]}"#;
    check_attrs(p, &[("customer_interests", "String", "TENNIS")], Match::Yes);
    check_attrs(p, &[("customer_interests", "String", "Tennis")], Match::Yes);
    check_attrs(
        p,
        &[("customer_interests", "String", "baseball")],
        Match::No,
    );
    // a Number attribute is not a string (derived)
    check_attrs(
        r#"{"price_usd": [{"prefix": "2"}]}"#,
        &[("price_usd", "Number", "210.75")],
        Match::No,
    );
}

#[test]
fn string_anything_but() {
    // [SV] "Anything-but matching"
    let p = r#"{"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}"#;
    check_attrs(
        p,
        &[("customer_interests", "String", "baseball")],
        Match::Yes,
    );
    check_attrs(
        p,
        &[("customer_interests", "String", "football")],
        Match::Yes,
    );
    // "because it contains a value that isn't rugby or tennis"
    check_attrs(
        p,
        &[(
            "customer_interests",
            "String.Array",
            r#"["rugby", "baseball"]"#,
        )],
        Match::Yes,
    );
    check_attrs(p, &[("customer_interests", "String", "rugby")], Match::No);
    check_body(p, r#"{"customer_interests": "rugby"}"#, Match::No);
    check_body(p, r#"{"customer_interests": "baseball"}"#, Match::Yes);
    // [SV] "Using a prefix with the anything-but operator"
    let p = r#"{"event": [{"anything-but": {"prefix": "order-"}}]}"#;
    check_attrs(p, &[("event", "String", "data-entry")], Match::Yes);
    check_attrs(p, &[("event", "String", "order_number")], Match::Yes);
    check_attrs(p, &[("event", "String", "order-cancelled")], Match::No);
    // with a suffix
    let p = r#"{"event": [{"anything-but": {"suffix": "-cancelled"}}]}"#;
    check_attrs(p, &[("event", "String", "order-placed")], Match::Yes);
    check_attrs(p, &[("event", "String", "order-cancelled")], Match::No);
}

#[test]
fn ip_address_matching() {
    // [SV] "IP address matching"
    let p = r#"{"source_ip": [{"cidr": "10.0.0.0/24"}]}"#;
    check_attrs(p, &[("source_ip", "String", "10.0.0.0")], Match::Yes);
    check_attrs(p, &[("source_ip", "String", "10.0.0.255")], Match::Yes);
    check_attrs(p, &[("source_ip", "String", "10.1.1.0")], Match::No);
    check_body(p, r#"{"source_ip": "10.0.0.255"}"#, Match::Yes);
    check_body(p, r#"{"source_ip": "10.1.1.0"}"#, Match::No);
}

#[test]
fn numeric_matching() {
    // [NV] "Exact matching"
    let p = r#"{"price_usd": [{"numeric": ["=", 301.5]}]}"#;
    check_attrs(p, &[("price_usd", "Number", "301.5")], Match::Yes);
    check_attrs(p, &[("price_usd", "Number", "3.015e2")], Match::Yes);
    check_attrs(p, &[("price_usd", "Number", "301.6")], Match::No);
    // a String attribute is not a number (derived)
    check_attrs(p, &[("price_usd", "String", "301.5")], Match::No);
    check_body(p, r#"{"price_usd": 301.5}"#, Match::Yes);
    check_body(p, r#"{"price_usd": "301.5"}"#, Match::No);
    // [NV] "Anything-but matching"
    let p = r#"{"price": [{"anything-but": [100, 500]}]}"#;
    check_attrs(p, &[("price", "Number", "101")], Match::Yes);
    check_attrs(p, &[("price", "Number", "100.1")], Match::Yes);
    // "because it contains a value that isn't 100 or 500"
    check_attrs(p, &[("price", "String.Array", "[100, 50]")], Match::Yes);
    check_attrs(p, &[("price", "Number", "100")], Match::No);
    // [NV] "Value range matching"
    let p = r#"{"price_usd": [{"numeric": ["<", 0]}]}"#;
    check_attrs(p, &[("price_usd", "Number", "-1")], Match::Yes);
    check_attrs(p, &[("price_usd", "Number", "0")], Match::No);
    let p = r#"{"price_usd": [{"numeric": [">", 0, "<=", 150]}]}"#;
    check_attrs(p, &[("price_usd", "Number", "150")], Match::Yes);
    check_attrs(p, &[("price_usd", "Number", "0.5")], Match::Yes);
    check_attrs(p, &[("price_usd", "Number", "151")], Match::No);
    check_attrs(p, &[("price_usd", "Number", "0")], Match::No);
    // [FC] range -1e9..1e9, five decimal digits: beyond that, unknown
    check_attrs(p, &[("price_usd", "Number", "2e9")], Match::Unknown);
    check_attrs(
        r#"{"price_usd": [{"numeric": ["=", 1]}]}"#,
        &[("price_usd", "Number", "1.000001")],
        Match::Unknown,
    );
}

#[test]
fn key_matching() {
    // [KM] exists true
    let p = r#"{"store": [{"exists": true}]}"#;
    let with_store = &[
        ("store", "String", "fans"),
        (
            "customer_interests",
            "String.Array",
            r#"["baseball", "basketball"]"#,
        ),
    ];
    let without_store = &[(
        "customer_interests",
        "String.Array",
        r#"["baseball", "basketball"]"#,
    )];
    check_attrs(p, with_store, Match::Yes);
    check_attrs(p, without_store, Match::No);
    check_body(
        p,
        r#"{"store": "fans", "customer_interests": ["baseball", "basketball"]}"#,
        Match::Yes,
    );
    check_body(
        p,
        r#"{"customer_interests": ["baseball", "basketball"]}"#,
        Match::No,
    );
    // [KM] exists false
    let p = r#"{"store": [{"exists": false}]}"#;
    check_attrs(p, with_store, Match::No);
    check_attrs(p, without_store, Match::Yes);
    check_body(
        p,
        r#"{"store": "fans", "customer_interests": ["baseball", "basketball"]}"#,
        Match::No,
    );
    check_body(
        p,
        r#"{"customer_interests": ["baseball", "basketball"]}"#,
        Match::Yes,
    );
    // [FC] "Amazon SNS ignores message attributes with the Binary data type"
    check_attrs(
        r#"{"store": [{"exists": true}]}"#,
        &[("store", "Binary", "AAEC")],
        Match::No,
    );
}

#[test]
fn and_or_logic() {
    // [AO] "AND logic"
    let p = r#"{"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]}"#;
    check_attrs(
        p,
        &[
            ("customer_interests", "String", "rugby"),
            ("price_usd", "Number", "101"),
        ],
        Match::Yes,
    );
    check_attrs(
        p,
        &[
            ("customer_interests", "String", "rugby"),
            ("price_usd", "Number", "100"),
        ],
        Match::No,
    );
    // [AO] "OR logic"
    let p = r#"{"customer_interests": ["rugby", "football", "baseball"]}"#;
    check_attrs(
        p,
        &[("customer_interests", "String", "football")],
        Match::Yes,
    );
    check_attrs(p, &[("customer_interests", "String", "hockey")], Match::No);
    // [AO] "OR operator"
    let p = r#"{"source": ["aws.cloudwatch"], "$or": [
        {"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]}"#;
    check_attrs(
        p,
        &[
            ("source", "String", "aws.cloudwatch"),
            ("namespace", "String", "AWS/EC2"),
        ],
        Match::Yes,
    );
    check_attrs(
        p,
        &[
            ("source", "String", "aws.cloudwatch"),
            ("metricName", "String", "CPUUtilization"),
        ],
        Match::Yes,
    );
    check_attrs(
        p,
        &[
            ("source", "String", "aws.cloudwatch"),
            ("namespace", "String", "AWS/S3"),
        ],
        Match::No,
    );
    check_body(
        p,
        r#"{"source": "aws.cloudwatch", "metricName": "CPUUtilization"}"#,
        Match::Yes,
    );
}

#[test]
fn body_nesting() {
    // MessageBody policies nest like event patterns
    let p = r#"{"order": {"status": ["placed"], "total": [{"numeric": [">", 10]}]}}"#;
    check_body(
        p,
        r#"{"order": {"status": "placed", "total": 12}}"#,
        Match::Yes,
    );
    check_body(
        p,
        r#"{"order": {"status": "placed", "total": 5}}"#,
        Match::No,
    );
    check_body(p, r#"{"status": "placed", "total": 12}"#, Match::No);
}

#[test]
fn constraints() {
    let problems = |text: &str, scope: Scope| -> Vec<String> {
        validate(&j(text), scope)
            .into_iter()
            .map(|p| p.message)
            .collect()
    };
    // [FC] the documented combination example: 3 x 1 x 2 = 6
    assert!(
        problems(
            r#"{"key_a": ["value_one", "value_two", "value_three"], "key_b": ["value_one"],
                "key_c": ["value_one", "value_two"]}"#,
            Scope::MessageAttributes
        )
        .is_empty()
    );
    // 6 x 5 x 6 = 180 > 150
    let six = r#"["a", "b", "c", "d", "e", "f"]"#;
    let five = r#"["a", "b", "c", "d", "e"]"#;
    assert_eq!(
        problems(
            &format!(r#"{{"k1": {six}, "k2": {five}, "k3": {six}}}"#),
            Scope::MessageAttributes
        ),
        [
            "filter policy has 180 combinations of values (the product of its array sizes); SNS allows at most 150"
        ]
    );
    // `$or` branches add up: 2 x (2 + 3) = 10
    assert_eq!(
        combinations(
            &j(r#"{"a": ["x", "y"], "$or": [{"b": ["1", "2"]}, {"c": ["1", "2", "3"]}]}"#),
            0
        ),
        10
    );
    // at most five keys (the same key in two `$or` branches counts once)
    assert_eq!(
        problems(
            r#"{"a": ["x"], "b": ["x"], "c": ["x"], "d": ["x"], "e": ["x"], "f": ["x"]}"#,
            Scope::MessageAttributes
        ),
        ["filter policy has 6 keys; SNS allows at most 5"]
    );
    assert!(
        problems(
            r#"{"a": ["x"], "$or": [{"b": ["1"], "c": ["1"]}, {"b": ["2"], "d": ["1"]}], "e": ["x"]}"#,
            Scope::MessageAttributes
        )
        .is_empty()
    );
    // no nested policies on message attributes; fine on the body
    let nested = r#"{"order": {"status": ["placed"]}}"#;
    assert_eq!(
        problems(nested, Scope::MessageAttributes),
        [
            "`order`: SNS does not accept nested filter policies on message attributes; set `FilterPolicyScope: MessageBody` to filter on the body"
        ]
    );
    assert!(problems(nested, Scope::MessageBody).is_empty());
    // no wildcard
    assert_eq!(
        problems(r#"{"f": [{"wildcard": "a*"}]}"#, Scope::MessageBody),
        ["SNS filter policies do not support `wildcard`"]
    );
    assert_eq!(
        problems(
            r#"{"f": [{"anything-but": {"wildcard": "a*"}}]}"#,
            Scope::MessageBody
        ),
        ["SNS filter policies do not support `wildcard`"]
    );
    // numbers from -1e9 to 1e9
    assert_eq!(
        problems(r#"{"n": [{"numeric": [">", 2e9]}]}"#, Scope::MessageBody),
        ["`numeric` value 2e9 is outside the range SNS matches (-1e9 to 1e9)"]
    );
    // the shared pattern syntax
    assert_eq!(
        problems(r#"{"store": "example_corp"}"#, Scope::MessageAttributes),
        ["`store` must be an array of values, not a single string"]
    );
    assert_eq!(
        problems(r#"["a"]"#, Scope::MessageBody),
        ["filter policy must be an object"]
    );
    // intrinsics are never reported
    assert!(problems(r#"{"Fn::Sub": "x"}"#, Scope::MessageBody).is_empty());
    assert!(problems(r#"{"a": {"Ref": "P"}}"#, Scope::MessageAttributes).is_empty());
}

#[test]
fn scope_names() {
    assert_eq!(Scope::of(None), Some(Scope::MessageAttributes));
    assert_eq!(
        Scope::of(Some(&j(r#""MessageBody""#))),
        Some(Scope::MessageBody)
    );
    assert_eq!(
        Scope::of(Some(&j(r#""MessageAttributes""#))),
        Some(Scope::MessageAttributes)
    );
    assert_eq!(Scope::of(Some(&j(r#"{"Ref": "S"}"#))), None);
    assert_eq!(Scope::of(Some(&j(r#""Body""#))), None);
}

fn s(x: &str) -> Val {
    Val::s(x)
}

fn obj(fields: Vec<(&str, Val)>) -> Val {
    Val::obj(fields, sp())
}

fn attr(t: &str, v: Val) -> Val {
    obj(vec![("DataType", s(t)), ("StringValue", v)])
}

#[test]
fn messages_from_publish_calls() {
    let params = obj(vec![
        ("TopicArn", Val::Unknown),
        (
            "Message",
            Val::Json(Box::new(obj(vec![
                ("store", s("example_corp")),
                ("price_usd", Val::Num("210.75".into())),
            ]))),
        ),
        (
            "MessageAttributes",
            obj(vec![
                ("event", attr("String", s("order_placed"))),
                ("price_usd", attr("Number", s("210.75"))),
                ("tags", attr("String.Array", s(r#"["a", "b"]"#))),
                (
                    "stage",
                    attr(
                        "String",
                        Val::Env {
                            name: "STAGE".into(),
                            default: None,
                        },
                    ),
                ),
                (
                    "blob",
                    obj(vec![
                        ("DataType", s("Binary")),
                        ("BinaryValue", Val::Unknown),
                    ]),
                ),
            ]),
        ),
    ]);
    let msg = Message::from_publish(&params, sp());
    let a = |p: &str| matches(&j(p), Scope::MessageAttributes, &msg);
    let b = |p: &str| matches(&j(p), Scope::MessageBody, &msg);
    assert_eq!(a(r#"{"event": ["order_placed"]}"#), Match::Yes);
    assert_eq!(a(r#"{"event": ["order_cancelled"]}"#), Match::No);
    assert_eq!(
        a(r#"{"price_usd": [{"numeric": [">=", 100]}]}"#),
        Match::Yes
    );
    assert_eq!(a(r#"{"tags": ["b"]}"#), Match::Yes);
    assert_eq!(a(r#"{"stage": ["prod"]}"#), Match::Unknown);
    // attribute names are known: a missing one is missing
    assert_eq!(a(r#"{"encrypted": [false]}"#), Match::No);
    assert_eq!(a(r#"{"blob": [{"exists": true}]}"#), Match::No);
    assert_eq!(b(r#"{"store": ["example_corp"]}"#), Match::Yes);
    assert_eq!(b(r#"{"price_usd": [{"numeric": ["<", 100]}]}"#), Match::No);
    assert_eq!(b(r#"{"other": [{"exists": true}]}"#), Match::No);

    // no attributes at all: a policy needing one does not match
    let plain = Message::from_publish(&obj(vec![("Message", s("hello"))]), sp());
    assert_eq!(
        matches(&j(r#"{"event": ["x"]}"#), Scope::MessageAttributes, &plain),
        Match::No
    );
    // a body that is not JSON: unknown
    assert_eq!(
        matches(&j(r#"{"event": ["x"]}"#), Scope::MessageBody, &plain),
        Match::Unknown
    );
    // unknown attributes, an unknown spread, unknown params
    for params in [
        obj(vec![("MessageAttributes", Val::Unknown)]),
        obj(vec![("...", Val::Unknown)]),
        obj(vec![(
            "MessageAttributes",
            obj(vec![("...", Val::Unknown), ("a", attr("String", s("1")))]),
        )]),
        Val::Unknown,
    ] {
        let msg = Message::from_publish(&params, sp());
        assert_eq!(
            matches(&j(r#"{"event": ["x"]}"#), Scope::MessageAttributes, &msg),
            Match::Unknown,
            "{params:?}"
        );
    }
    // MessageStructure json: per-protocol messages, the body is not known
    let structured = Message::from_publish(
        &obj(vec![
            ("Message", s(r#"{"default": "x"}"#)),
            ("MessageStructure", s("json")),
        ]),
        sp(),
    );
    assert_eq!(
        matches(&j(r#"{"default": ["x"]}"#), Scope::MessageBody, &structured),
        Match::Unknown
    );
}

#[test]
fn messages_from_template_publish() {
    // a Step Functions sns:publish task
    let params = j(r#"{"TopicArn": {"Ref": "T"},
        "Message": {"orderId.$": "$.id", "status": "placed"},
        "MessageAttributes": {
            "event": {"DataType": "String", "StringValue": "order_placed"},
            "tenant": {"DataType": "String", "StringValue.$": "$.tenant"},
            "n": {"DataType": "Number", "StringValue": "3"}}}"#);
    let msg = Message::from_publish_node(&params);
    let a = |p: &str| matches(&j(p), Scope::MessageAttributes, &msg);
    let b = |p: &str| matches(&j(p), Scope::MessageBody, &msg);
    assert_eq!(a(r#"{"event": ["order_placed"]}"#), Match::Yes);
    assert_eq!(a(r#"{"tenant": ["t1"]}"#), Match::Unknown);
    assert_eq!(a(r#"{"n": [{"numeric": ["=", 3]}]}"#), Match::Yes);
    assert_eq!(a(r#"{"missing": ["x"]}"#), Match::No);
    assert_eq!(b(r#"{"status": ["placed"]}"#), Match::Yes);
    assert_eq!(b(r#"{"orderId": ["o-1"]}"#), Match::Unknown);
    // a JSON string message
    let msg = Message::from_publish_node(&j(r#"{"Message": "{\"status\": \"shipped\"}"}"#));
    assert_eq!(
        matches(&j(r#"{"status": ["placed"]}"#), Scope::MessageBody, &msg),
        Match::No
    );
    // JSONPath message, intrinsic params
    for text in [r#"{"Message.$": "$"}"#, r#"{"Fn::If": ["C", {}, {}]}"#] {
        let msg = Message::from_publish_node(&j(text));
        assert_eq!(
            matches(&j(r#"{"status": ["placed"]}"#), Scope::MessageBody, &msg),
            Match::Unknown,
            "{text}"
        );
    }
}

#[test]
fn intrinsic_policies_are_unknown() {
    let msg = attrs(EX_ATTRS);
    let p = j(r#"{"Ref": "Policy"}"#);
    assert_eq!(matches(&p, Scope::MessageAttributes, &msg), Match::Unknown);
    let p = j(r#"{"store": [{"Ref": "Store"}]}"#);
    assert_eq!(matches(&p, Scope::MessageAttributes, &msg), Match::Unknown);
}
