//! The matcher against the examples of AWS's EventBridge documentation, operator by operator,
//! with the documented matches and non-matches. Sources:
//! - [EP] user guide, "Amazon EventBridge event patterns" (eb-event-patterns);
//! - [AR] "Arrays in Amazon EventBridge event patterns" (eb-event-patterns-arrays);
//! - [NU] "Matching null values and empty strings" (eb-event-patterns-null-values);
//! - [CF] "Content filtering in Amazon EventBridge event patterns"
//!   (eb-event-patterns-content-based-filtering) and its summary "Comparison operators for use
//!   in event patterns" (eb-create-pattern-operators);
//! - [ER] the `aws/event-ruler` README (the engine EventBridge patterns come from), where the
//!   user guide is silent.
//!
//! Cases marked "(derived)" are the obvious counterpart of a documented match (the value the
//! text says is excluded), not a literal example.

use super::*;
use crate::model::json;

fn j(text: &str) -> Node {
    let out = json::load(text, 0);
    assert!(out.problems.is_empty(), "{text}: {:?}", out.problems);
    out.root.expect("json root")
}

/// The EC2 instance state-change event of [ER] "Ruler by Example" (also [CF] numeric matching).
const RULER_EVENT: &str = r#"{
  "version": "0",
  "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "012345679012",
  "time": "2017-10-02T16:24:49Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    "state": "running"
  }
}"#;

/// An event with `detail` holding the given JSON object text.
fn with_detail(detail: &str) -> String {
    format!(
        r#"{{"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification", "detail": {detail}}}"#
    )
}

/// (doc reference, pattern, event, expected)
type Case = (&'static str, &'static str, String, Match);

fn run(cases: &[Case]) {
    for (doc, pattern, event, want) in cases {
        let p = j(pattern);
        assert!(
            validate(&p).is_empty(),
            "{doc}: {pattern}: {:?}",
            validate(&p)
        );
        let e = j(event);
        assert_eq!(matches_event(&p, &e), *want, "{doc}\n{pattern}\n{event}");
        // patterns on source / detail-type / detail only: the EventShape matcher agrees
        let only_known_parts = p
            .entries()
            .iter()
            .all(|x| matches!(x.key.as_str(), "source" | "detail-type" | "detail"));
        if only_known_parts {
            let shape = EventShape {
                source: e.get("source").and_then(Node::as_str),
                detail_type: e.get("detail-type").and_then(Node::as_str),
                detail: e.get("detail"),
            };
            assert_eq!(
                matches(&p, &shape),
                *want,
                "EventShape: {doc}\n{pattern}\n{event}"
            );
        }
    }
}

#[test]
fn event_patterns_page() {
    // [EP]: the EC2 instance-termination pattern matches the termination event
    let pattern = r#"{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["terminated"]}}"#;
    run(&[
        (
            "EP: termination event",
            pattern,
            with_detail(r#"{"instance-id": "i-1234567890abcdef0", "state": "terminated"}"#),
            Match::Yes,
        ),
        (
            "EP: another state (derived)",
            pattern,
            with_detail(r#"{"instance-id": "i-1234567890abcdef0", "state": "running"}"#),
            Match::No,
        ),
        (
            "EP: another source (derived)",
            pattern,
            r#"{"source": "aws.s3", "detail-type": "EC2 Instance State-change Notification", "detail": {"state": "terminated"}}"#.into(),
            Match::No,
        ),
        // [ER] "Simple matching": any of the listed values; resources is an array
        (
            "ER simple matching",
            r#"{"detail-type": ["EC2 Instance State-change Notification"], "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"], "detail": {"state": ["initializing", "running"]}}"#,
            RULER_EVENT.into(),
            Match::Yes,
        ),
        // [CF] operators table, "And": Location is "New York" and Day is "Monday"
        (
            "CF and",
            r#"{"detail": {"Location": ["New York"], "Day": ["Monday"]}}"#,
            with_detail(r#"{"Location": "New York", "Day": "Monday"}"#),
            Match::Yes,
        ),
        (
            "CF and: one field differs (derived)",
            r#"{"detail": {"Location": ["New York"], "Day": ["Monday"]}}"#,
            with_detail(r#"{"Location": "New York", "Day": "Tuesday"}"#),
            Match::No,
        ),
    ]);
}

#[test]
fn arrays() {
    // [AR]: the first pattern value matches the second element of the event's array
    let pattern = r#"{"resources": [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}"#;
    run(&[
        (
            "AR: intersection non-empty",
            pattern,
            r#"{"source": "aws.autoscaling", "resources": [
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}"#
                .into(),
            Match::Yes,
        ),
        (
            "AR: intersection empty (derived)",
            pattern,
            r#"{"source": "aws.autoscaling", "resources": [
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate"]}"#
                .into(),
            Match::No,
        ),
        (
            "AR: empty event array (derived)",
            pattern,
            r#"{"source": "aws.autoscaling", "resources": []}"#.into(),
            Match::No,
        ),
    ]);
    // [ER] "JSON Array Matching": arrays of objects are crushed out of the pattern, but two
    // fields must come from the same array element (rulesForJSONEvent)
    let employees = r#"{"source": "hr", "detail": {"employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        {"firstName": "Peter", "lastName": "Jones"}]}}"#;
    let nested = r#"{"source": "hr", "detail": {"employees": [
        [{"firstName": "John", "lastName": "Doe"}, {"firstName": "Anna", "lastName": "Smith"}],
        [{"firstName": "Peter", "lastName": "Jones"}]]}}"#;
    run(&[
        (
            "ER arrays of objects",
            r#"{"detail": {"employees": {"firstName": ["Anna"]}}}"#,
            employees.into(),
            Match::Yes,
        ),
        (
            "ER multi-level arrays",
            r#"{"detail": {"employees": {"firstName": ["Anna"]}}}"#,
            nested.into(),
            Match::Yes,
        ),
        (
            "ER array consistency: Anna/Jones are in different elements",
            r#"{"detail": {"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}}"#,
            employees.into(),
            Match::No,
        ),
        (
            "ER array consistency: Anna/Smith are in one element (derived)",
            r#"{"detail": {"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}}"#,
            employees.into(),
            Match::Yes,
        ),
    ]);
}

#[test]
fn null_values_and_empty_strings() {
    // [NU]: the example event
    let event = r#"{"version": "0", "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
        "detail-type": "EC2 Instance Launch Successful", "source": "aws.autoscaling",
        "account": "123456789012", "time": "2015-11-11T21:31:47Z", "region": "us-east-1",
        "resources": [], "detail": {"eventVersion": "", "responseElements": null}}"#;
    run(&[
        (
            "NU: empty string",
            r#"{"detail": {"eventVersion": [""]}}"#,
            event.into(),
            Match::Yes,
        ),
        (
            "NU: null",
            r#"{"detail": {"responseElements": [null]}}"#,
            event.into(),
            Match::Yes,
        ),
        // "Null values and empty strings are not interchangeable in pattern matching"
        (
            "NU: empty string pattern does not match null",
            r#"{"detail": {"responseElements": [""]}}"#,
            event.into(),
            Match::No,
        ),
        (
            "NU: null pattern does not match empty string",
            r#"{"detail": {"eventVersion": [null]}}"#,
            event.into(),
            Match::No,
        ),
        (
            "NU: null pattern does not match an absent field (derived)",
            r#"{"detail": {"other": [null]}}"#,
            event.into(),
            Match::No,
        ),
        // [CF] operators table, "Empty": LastName is empty
        (
            "CF empty",
            r#"{"detail": {"LastName": [""]}}"#,
            with_detail(r#"{"LastName": ""}"#),
            Match::Yes,
        ),
        (
            "CF empty: a name is not empty (derived)",
            r#"{"detail": {"LastName": [""]}}"#,
            with_detail(r#"{"LastName": "Doe"}"#),
            Match::No,
        ),
        // [ER]: null is a JSON value, so a field holding null exists
        (
            "ER exists true on null",
            r#"{"detail": {"responseElements": [{"exists": true}]}}"#,
            event.into(),
            Match::Yes,
        ),
        (
            "ER exists false on null",
            r#"{"detail": {"responseElements": [{"exists": false}]}}"#,
            event.into(),
            Match::No,
        ),
        (
            "ER exists true on an empty string",
            r#"{"detail": {"eventVersion": [{"exists": true}]}}"#,
            event.into(),
            Match::Yes,
        ),
    ]);
}

#[test]
fn prefix_and_suffix() {
    run(&[
        // [CF] "Prefix matching": time starting with 2017-10-02
        (
            "CF prefix",
            r#"{"time": [{"prefix": "2017-10-02"}]}"#,
            r#"{"source": "aws.ec2", "time": "2017-10-02T18:43:48Z"}"#.into(),
            Match::Yes,
        ),
        (
            "CF prefix: another day (derived)",
            r#"{"time": [{"prefix": "2017-10-02"}]}"#,
            r#"{"source": "aws.ec2", "time": "2017-10-03T18:43:48Z"}"#.into(),
            Match::No,
        ),
        // [CF] operators table, "Begins with": Region is in the US
        (
            "CF begins with",
            r#"{"detail": {"Region": [{"prefix": "us-"}]}}"#,
            with_detail(r#"{"Region": "us-east-1"}"#),
            Match::Yes,
        ),
        (
            "CF begins with: not in the US (derived)",
            r#"{"detail": {"Region": [{"prefix": "us-"}]}}"#,
            with_detail(r#"{"Region": "eu-west-1"}"#),
            Match::No,
        ),
        // [ER] "Prefix matches only work on string-valued fields"
        (
            "ER prefix on a number",
            r#"{"detail": {"c-count": [{"prefix": "5"}]}}"#,
            RULER_EVENT.into(),
            Match::No,
        ),
        // [CF] "Prefix matching while ignoring case": EventB, EVENTB, eventb, ...
        (
            "CF prefix ignore case: EventBridge",
            r#"{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}"#,
            with_detail(r#"{"service": "EventBridge"}"#),
            Match::Yes,
        ),
        (
            "CF prefix ignore case: EVENTBRIDGE",
            r#"{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}"#,
            with_detail(r#"{"service": "EVENTBRIDGE"}"#),
            Match::Yes,
        ),
        (
            "CF prefix ignore case: eventbridge",
            r#"{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}"#,
            with_detail(r#"{"service": "eventbridge"}"#),
            Match::Yes,
        ),
        (
            "CF prefix ignore case: another service (derived)",
            r#"{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}"#,
            with_detail(r#"{"service": "Lambda"}"#),
            Match::No,
        ),
        // [CF] "Suffix matching": FileName ending with .png
        (
            "CF suffix",
            r#"{"detail": {"FileName": [{"suffix": ".png"}]}}"#,
            with_detail(r#"{"FileName": "image.png"}"#),
            Match::Yes,
        ),
        (
            "CF suffix is case-sensitive (derived)",
            r#"{"detail": {"FileName": [{"suffix": ".png"}]}}"#,
            with_detail(r#"{"FileName": "image.PNG"}"#),
            Match::No,
        ),
        // [ER] "Suffix matches only work on string-valued fields"
        (
            "ER suffix on a number",
            r#"{"detail": {"x-limit": [{"suffix": ".8"}]}}"#,
            RULER_EVENT.into(),
            Match::No,
        ),
        // [CF] "Suffix matching while ignoring case": .png, .PNG, ...
        (
            "CF suffix ignore case",
            r#"{"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}"#,
            with_detail(r#"{"FileName": "image.PNG"}"#),
            Match::Yes,
        ),
        (
            "CF suffix ignore case: .jpg (derived)",
            r#"{"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}"#,
            with_detail(r#"{"FileName": "image.jpg"}"#),
            Match::No,
        ),
        // [ER] "Suffix matching": source ending with ec2
        (
            "ER suffix on source",
            r#"{"source": [{"suffix": "ec2"}]}"#,
            RULER_EVENT.into(),
            Match::Yes,
        ),
    ]);
}

#[test]
fn anything_but() {
    let state = |s: &str| with_detail(&format!(r#"{{"state": "{s}"}}"#));
    let limit = |n: &str| with_detail(&format!(r#"{{"x-limit": {n}}}"#));
    run(&[
        // [CF] "Anything-but matching" with a string
        (
            "CF anything-but string",
            r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#,
            state("running"),
            Match::Yes,
        ),
        (
            "CF anything-but string: the excluded value",
            r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#,
            state("initializing"),
            Match::No,
        ),
        // with a number
        (
            "CF anything-but number",
            r#"{"detail": {"x-limit": [{"anything-but": 123}]}}"#,
            limit("301.8"),
            Match::Yes,
        ),
        (
            "CF anything-but number: the excluded value",
            r#"{"detail": {"x-limit": [{"anything-but": 123}]}}"#,
            limit("123"),
            Match::No,
        ),
        // with a list of strings
        (
            "CF anything-but string list",
            r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#,
            state("running"),
            Match::Yes,
        ),
        (
            "CF anything-but string list: an excluded value",
            r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#,
            state("overloaded"),
            Match::No,
        ),
        // with a list of numbers
        (
            "CF anything-but number list",
            r#"{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}"#,
            limit("301.8"),
            Match::Yes,
        ),
        (
            "CF anything-but number list: an excluded value",
            r#"{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}"#,
            limit("200"),
            Match::No,
        ),
        (
            "CF anything-but number list: numbers compare by value (ER)",
            r#"{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}"#,
            limit("2.0e2"),
            Match::No,
        ),
        // [CF] anything-but prefix: "doesn't have the prefix init in the state field"
        (
            "CF anything-but prefix",
            r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#,
            state("running"),
            Match::Yes,
        ),
        (
            "CF anything-but prefix: has the prefix",
            r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#,
            state("initializing"),
            Match::No,
        ),
        // [CF] table, "Anything-but (begins with)": Region is not in the US
        (
            "CF anything-but begins with",
            r#"{"detail": {"Region": [{"anything-but": {"prefix": "us-"}}]}}"#,
            with_detail(r#"{"Region": "eu-west-1"}"#),
            Match::Yes,
        ),
        (
            "CF anything-but begins with: in the US",
            r#"{"detail": {"Region": [{"anything-but": {"prefix": "us-"}}]}}"#,
            with_detail(r#"{"Region": "us-east-1"}"#),
            Match::No,
        ),
        // [CF] table, "Anything-but (ends with)": FileName does not end with .png
        (
            "CF anything-but ends with",
            r#"{"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}}"#,
            with_detail(r#"{"FileName": "notes.txt"}"#),
            Match::Yes,
        ),
        (
            "CF anything-but ends with: a .png",
            r#"{"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}}"#,
            with_detail(r#"{"FileName": "image.png"}"#),
            Match::No,
        ),
        // [CF] table, "Anything-but (ignore case)": besides initializing or INITIALIZING
        (
            "CF anything-but ignore case",
            r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}}"#,
            state("running"),
            Match::Yes,
        ),
        (
            "CF anything-but ignore case: INITIALIZING",
            r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}}"#,
            state("INITIALIZING"),
            Match::No,
        ),
        (
            "CF anything-but ignore case list",
            r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}}"#,
            state("OVERLOADED"),
            Match::No,
        ),
        // [CF] table, "Anything-but using a wildcard": not a path that includes /lib/
        (
            "CF anything-but wildcard",
            r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}"#,
            with_detail(r#"{"FilePath": "/usr/bin/env"}"#),
            Match::Yes,
        ),
        (
            "CF anything-but wildcard: includes /lib/",
            r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}"#,
            with_detail(r#"{"FilePath": "/usr/lib/libc.so"}"#),
            Match::No,
        ),
        (
            "CF anything-but wildcard list",
            r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}}"#,
            with_detail(r#"{"FilePath": "/usr/bin/env"}"#),
            Match::No,
        ),
        // [ER]: anything-but needs a value; an absent field matches nothing
        (
            "ER anything-but on an absent field",
            r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#,
            with_detail(r#"{"other": 1}"#),
            Match::No,
        ),
        // [ER]: an event array matches when one of its values is not excluded
        (
            "ER anything-but on an array",
            r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#,
            with_detail(r#"{"state": ["stopped", "running"]}"#),
            Match::Yes,
        ),
        (
            "ER anything-but on an array of excluded values",
            r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#,
            with_detail(r#"{"state": ["stopped", "overloaded"]}"#),
            Match::No,
        ),
        // [ER]: a string anything-but does not exclude a number, nor the reverse
        (
            "ER anything-but string vs number",
            r#"{"detail": {"x-limit": [{"anything-but": "123"}]}}"#,
            limit("123"),
            Match::Yes,
        ),
    ]);
}

#[test]
fn numeric() {
    // [CF]/[ER] "Numeric matching": true for all fields of the Ruler event
    let pattern = r#"{"detail": {
        "c-count": [{"numeric": [">", 0, "<=", 5]}],
        "d-count": [{"numeric": ["<", 10]}],
        "x-limit": [{"numeric": ["=", 3.018e2]}]}}"#;
    let numbers = |c: &str, d: &str, x: &str| {
        with_detail(&format!(
            r#"{{"c-count": {c}, "d-count": {d}, "x-limit": {x}}}"#
        ))
    };
    run(&[
        ("CF numeric", pattern, RULER_EVENT.into(), Match::Yes),
        (
            "CF numeric: c-count above the range (derived)",
            pattern,
            numbers("6", "3", "301.8"),
            Match::No,
        ),
        (
            "CF numeric: c-count at the open lower bound (derived)",
            pattern,
            numbers("0", "3", "301.8"),
            Match::No,
        ),
        (
            "CF numeric: d-count not below 10 (derived)",
            pattern,
            numbers("5", "10", "301.8"),
            Match::No,
        ),
        (
            "CF numeric: x-limit differs (derived)",
            pattern,
            numbers("5", "3", "301.9"),
            Match::No,
        ),
        // "Numeric matching works with values that are JSON numbers"
        (
            "CF numeric: a string is not a number",
            pattern,
            numbers(r#""5""#, "3", "301.8"),
            Match::No,
        ),
        (
            "CF numeric: an absent field (derived)",
            r#"{"detail": {"c-count": [{"numeric": [">", 0]}]}}"#,
            with_detail(r#"{"d-count": 3}"#),
            Match::No,
        ),
        // [ER]: "= 3.018e2" is the number 301.8, however written
        (
            "ER numeric equality by value",
            r#"{"detail": {"x-limit": [{"numeric": ["=", 301.8]}]}}"#,
            numbers("5", "3", "3.018e2"),
            Match::Yes,
        ),
        // [CF] operators table, "Numeric (range)" and "Numeric (equals)"
        (
            "CF numeric range",
            r#"{"detail": {"c-count": [{"numeric": [">=", 1, "<", 10]}]}}"#,
            numbers("1", "3", "301.8"),
            Match::Yes,
        ),
        (
            "CF numeric range: the open upper bound (derived)",
            r#"{"detail": {"c-count": [{"numeric": [">=", 1, "<", 10]}]}}"#,
            numbers("10", "3", "301.8"),
            Match::No,
        ),
    ]);
}

#[test]
fn numeric_range_and_precision_are_unknown() {
    // [ER]: "limited to value between -5.0e9 and +5.0e9 inclusive, with ... 6 digits to the
    // right of the decimal point": beyond that, the outcome is not known statically
    let p = j(r#"{"detail": {"n": [{"numeric": [">", 0]}]}}"#);
    let e = j(&with_detail(r#"{"n": 6e9}"#));
    assert_eq!(matches_event(&p, &e), Match::Unknown);
    let p = j(r#"{"detail": {"n": [{"numeric": ["=", 5]}]}}"#);
    let e = j(&with_detail(r#"{"n": 5.0000001}"#));
    assert_eq!(matches_event(&p, &e), Match::Unknown);
    let e = j(&with_detail(r#"{"n": 5.00001}"#));
    assert_eq!(matches_event(&p, &e), Match::No);
}

#[test]
fn ip_addresses() {
    // [CF] "IP address matching": 10.0.0.0/24 holds 10.0.0.0 to 10.0.0.255
    let pattern = r#"{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}"#;
    let ip = |a: &str| with_detail(&format!(r#"{{"sourceIPAddress": "{a}"}}"#));
    run(&[
        ("CF cidr: first", pattern, ip("10.0.0.0"), Match::Yes),
        ("CF cidr: last", pattern, ip("10.0.0.255"), Match::Yes),
        (
            "CF cidr: outside (derived)",
            pattern,
            ip("10.0.1.0"),
            Match::No,
        ),
        (
            "CF cidr: not an address (derived)",
            pattern,
            ip("localhost"),
            Match::No,
        ),
        // [ER] "This also works with IPv6 addresses"
        (
            "ER cidr IPv6",
            r#"{"detail": {"sourceIPAddress": [{"cidr": "2001:db8::/32"}]}}"#,
            ip("2001:db8::1"),
            Match::Yes,
        ),
        (
            "ER cidr IPv6: outside (derived)",
            r#"{"detail": {"sourceIPAddress": [{"cidr": "2001:db8::/32"}]}}"#,
            ip("2001:db9::1"),
            Match::No,
        ),
        (
            "ER cidr IPv4 pattern, IPv6 value (derived)",
            pattern,
            ip("::1"),
            Match::No,
        ),
        // [ER] complex example: source-ip 10.0.0.33 in 10.0.0.0/8
        (
            "ER cidr /8",
            r#"{"detail": {"source-ip": [{"cidr": "10.0.0.0/8"}]}}"#,
            RULER_EVENT.into(),
            Match::Yes,
        ),
    ]);
}

#[test]
fn exists() {
    // [CF] "Exists matching": exists true on detail.state
    let present = r#"{"detail": {"state": [{"exists": true}]}}"#;
    let ec2 = r#"{"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
        "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
        "detail": {"instance-id": "i-abcd1111", "state": "pending"}}"#;
    let no_state = r#"{"detail-type": "EC2 Instance State-change Notification",
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
        "detail": {"c-count": {"c1": 100}}}"#;
    // [CF]/[ER] exists false on detail.c-count; the documented events have array-valued
    // detail-type and state (sic), which changes nothing here
    let absent = r#"{"detail": {"c-count": [{"exists": false}]}}"#;
    let states = r#"{"detail-type": ["EC2 Instance State-change Notification"],
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
        "detail": {"state": ["initializing", "running"]}}"#;
    let c_object = r#"{"detail-type": ["EC2 Instance State-change Notification"],
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
        "detail": {"state": ["initializing", "running"], "c-count": {"c1": 100}}}"#;
    run(&[
        (
            "CF exists true: has detail.state",
            present,
            ec2.into(),
            Match::Yes,
        ),
        (
            "CF exists true: does NOT match without detail.state",
            present,
            no_state.into(),
            Match::No,
        ),
        (
            "CF exists false: no c-count",
            absent,
            states.into(),
            Match::Yes,
        ),
        (
            "CF exists false: c-count is not a leaf node",
            absent,
            c_object.into(),
            Match::Yes,
        ),
        (
            "CF exists false: c-count is a leaf (derived)",
            absent,
            with_detail(r#"{"c-count": 5}"#),
            Match::No,
        ),
        // "only works on leaf nodes": exists true on an intermediate node matches nothing
        (
            "CF exists true on an intermediate node",
            r#"{"detail": {"c-count": [{"exists": true}]}}"#,
            c_object.into(),
            Match::No,
        ),
        // [ER]: the leaf under the object
        (
            "ER exists true on the leaf under it",
            r#"{"detail": {"c-count": {"c1": [{"exists": true}]}}}"#,
            c_object.into(),
            Match::Yes,
        ),
        // [ER]: an empty array holds no leaf
        (
            "ER exists on an empty array",
            r#"{"detail": {"tags": [{"exists": false}]}}"#,
            with_detail(r#"{"tags": []}"#),
            Match::Yes,
        ),
    ]);
}

#[test]
fn equals_ignore_case_and_wildcard() {
    run(&[
        // [CF] table, "Equals (ignore case)": Name is "Alice"
        (
            "CF equals ignore case",
            r#"{"detail": {"Name": [{"equals-ignore-case": "alice"}]}}"#,
            with_detail(r#"{"Name": "Alice"}"#),
            Match::Yes,
        ),
        (
            "CF equals ignore case: ALICE",
            r#"{"detail": {"Name": [{"equals-ignore-case": "alice"}]}}"#,
            with_detail(r#"{"Name": "ALICE"}"#),
            Match::Yes,
        ),
        (
            "CF equals ignore case: Bob (derived)",
            r#"{"detail": {"Name": [{"equals-ignore-case": "alice"}]}}"#,
            with_detail(r#"{"Name": "Bob"}"#),
            Match::No,
        ),
        // [CF] table, "Equals": case-sensitive
        (
            "CF equals is case-sensitive (derived)",
            r#"{"detail": {"Name": ["Alice"]}}"#,
            with_detail(r#"{"Name": "alice"}"#),
            Match::No,
        ),
        // [ER] "Equals-ignore-case matches only work on string-valued fields"
        (
            "ER equals ignore case on a number",
            r#"{"detail": {"c-count": [{"equals-ignore-case": "5"}]}}"#,
            RULER_EVENT.into(),
            Match::No,
        ),
        // [ER] "Wildcard matching": Simple*Service
        (
            "ER wildcard",
            r#"{"source": [{"wildcard": "Simple*Service"}]}"#,
            r#"{"source": "SimpleQueueService"}"#.into(),
            Match::Yes,
        ),
        (
            "ER wildcard: * matches nothing too (derived)",
            r#"{"source": [{"wildcard": "Simple*Service"}]}"#,
            r#"{"source": "SimpleService"}"#.into(),
            Match::Yes,
        ),
        (
            "ER wildcard: different ending (derived)",
            r#"{"source": [{"wildcard": "Simple*Service"}]}"#,
            r#"{"source": "SimpleQueueServices"}"#.into(),
            Match::No,
        ),
        // [CF] table, "Wildcard": a file in dir with a .png extension
        (
            "CF wildcard",
            r#"{"detail": {"FileName": [{"wildcard": "dir/*.png"}]}}"#,
            with_detail(r#"{"FileName": "dir/image.png"}"#),
            Match::Yes,
        ),
        (
            "CF wildcard: another directory (derived)",
            r#"{"detail": {"FileName": [{"wildcard": "dir/*.png"}]}}"#,
            with_detail(r#"{"FileName": "other/image.png"}"#),
            Match::No,
        ),
        // [ER]/[CF]: "\*" is a literal asterisk, "\\" a literal backslash
        (
            "ER wildcard escape: literal *",
            r#"{"detail": {"k": [{"wildcard": "a\\*b"}]}}"#,
            with_detail(r#"{"k": "a*b"}"#),
            Match::Yes,
        ),
        (
            "ER wildcard escape: \\* is not a wildcard",
            r#"{"detail": {"k": [{"wildcard": "a\\*b"}]}}"#,
            with_detail(r#"{"k": "axxb"}"#),
            Match::No,
        ),
        (
            "ER wildcard escape: literal backslash then a wildcard",
            r#"{"detail": {"k": [{"wildcard": "a\\\\*"}]}}"#,
            with_detail(r#"{"k": "a\\bc"}"#),
            Match::Yes,
        ),
        (
            "ER wildcard on a number",
            r#"{"detail": {"c-count": [{"wildcard": "*"}]}}"#,
            RULER_EVENT.into(),
            Match::No,
        ),
    ]);
}

#[test]
fn or_operator() {
    // [ER] "Rule examples with $or Primitive" (also [CF] "$or matching")
    let normal = r#"{"source": ["aws.cloudwatch"], "$or": [
        {"metricName": ["CPUUtilization", "ReadLatency"]},
        {"namespace": ["AWS/EC2", "AWS/ES"]}]}"#;
    let nested = r#"{"source": ["aws.cloudwatch"], "$or": [
        {"metricName": ["CPUUtilization", "ReadLatency"]},
        {"metricType": ["MetricType"], "namespace": ["AWS/EC2", "AWS/ES"],
         "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
        {"scope": ["Service"]}]}"#;
    let cw = |fields: &str| format!(r#"{{"source": "aws.cloudwatch", {fields}}}"#);
    run(&[
        (
            "ER or: metricName",
            normal,
            cw(r#""metricName": "ReadLatency""#),
            Match::Yes,
        ),
        (
            "ER or: namespace",
            normal,
            cw(r#""namespace": "AWS/ES""#),
            Match::Yes,
        ),
        (
            "ER or: neither (derived)",
            normal,
            cw(r#""namespace": "AWS/S3""#),
            Match::No,
        ),
        (
            "ER or: the source fails (derived)",
            normal,
            r#"{"source": "aws.ec2", "metricName": "CPUUtilization"}"#.into(),
            Match::No,
        ),
        (
            "ER nested or: and inside or",
            nested,
            cw(r#""metricType": "MetricType", "namespace": "AWS/EC2", "spaceId": 1000"#),
            Match::Yes,
        ),
        (
            "ER nested or: the inner or fails (derived)",
            nested,
            cw(r#""metricType": "MetricType", "namespace": "AWS/EC2", "spaceId": 2000"#),
            Match::No,
        ),
        (
            "ER nested or: the and fails (derived)",
            nested,
            cw(r#""metricType": "Other", "namespace": "AWS/EC2", "metricId": 1234"#),
            Match::No,
        ),
        (
            "ER nested or: scope",
            nested,
            cw(r#""scope": "Service""#),
            Match::Yes,
        ),
        // [CF] "$or matching" inside detail
        (
            "CF or in detail",
            r#"{"detail": {"$or": [
                {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                {"d-count": [{"numeric": ["<", 10]}]},
                {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}}"#,
            with_detail(r#"{"c-count": 50, "d-count": 50, "x-limit": 301.8}"#),
            Match::Yes,
        ),
        (
            "CF or in detail: no branch (derived)",
            r#"{"detail": {"$or": [
                {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                {"d-count": [{"numeric": ["<", 10]}]},
                {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}}"#,
            with_detail(r#"{"c-count": 50, "d-count": 50, "x-limit": 1}"#),
            Match::No,
        ),
    ]);
}

#[test]
fn complex_example() {
    // [CF]/[ER] "Complex example with multiple matching", against the Ruler event
    let pattern = r#"{"time": [{"prefix": "2017-10-02"}], "detail": {
        "state": [{"anything-but": "initializing"}],
        "c-count": [{"numeric": [">", 0, "<=", 5]}],
        "d-count": [{"numeric": ["<", 10]}],
        "x-limit": [{"anything-but": [100, 200, 300]}],
        "source-ip": [{"cidr": "10.0.0.0/8"}]}}"#;
    run(&[
        ("CF complex", pattern, RULER_EVENT.into(), Match::Yes),
        (
            "CF complex: state initializing (derived)",
            pattern,
            RULER_EVENT.replace(r#""state": "running""#, r#""state": "initializing""#),
            Match::No,
        ),
        (
            "CF complex: another day (derived)",
            pattern,
            RULER_EVENT.replace("2017-10-02T16", "2017-10-03T16"),
            Match::No,
        ),
    ]);
}

#[test]
fn duplicate_keys_use_the_last() {
    // [CF] note: "if you include a key more than once the last reference will be the one used":
    // only `{"anything-but": "us-east"}` is evaluated for `location`. The loaders keep the last
    // already; a node built with both entries is read the same way.
    let mut p = j(r#"{"detail": {"location": [{"prefix": "us-"}]}}"#);
    let last = j(r#"{"location": [{"anything-but": "us-east"}]}"#);
    if let Kind::Map(top) = &mut p.kind
        && let Some(detail) = top.first_mut()
        && let Kind::Map(fields) = &mut detail.value.kind
    {
        fields.extend(last.entries().iter().cloned());
    }
    assert_eq!(p.path(&["detail"]).map(|d| d.entries().len()), Some(2));
    let e = j(&with_detail(r#"{"location": "eu-west"}"#));
    assert_eq!(matches_event(&p, &e), Match::Yes);
    let e = j(&with_detail(r#"{"location": "us-east"}"#));
    assert_eq!(matches_event(&p, &e), Match::No);
    let shape = EventShape {
        source: Some("aws.ec2"),
        detail_type: None,
        detail: e.get("detail"),
    };
    assert_eq!(matches(&p, &shape), Match::No);
}

#[test]
fn unknown_values_in_whole_events() {
    // an intrinsic anywhere makes absent fields unknown; a known mismatch still decides
    let e = j(
        r#"{"source": "a", "detail": {"x": {"Fn::Unknown": null}, "tags": [{"Fn::Unknown": null}]}}"#,
    );
    let m = |p: &str| matches_event(&j(p), &e);
    assert_eq!(m(r#"{"detail": {"x": ["v"]}}"#), Match::Unknown);
    assert_eq!(
        m(r#"{"detail": {"y": [{"exists": false}]}}"#),
        Match::Unknown
    );
    assert_eq!(m(r#"{"source": ["b"], "detail": {"x": ["v"]}}"#), Match::No);
    // an unknown array element may be an object: exists is unknown
    assert_eq!(
        m(r#"{"detail": {"tags": [{"exists": true}]}}"#),
        Match::Unknown
    );
    assert_eq!(
        m(r#"{"detail": {"tags": [{"exists": false}]}}"#),
        Match::Unknown
    );
}
