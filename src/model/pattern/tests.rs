use super::*;
use crate::model::{json, yaml};

fn j(text: &str) -> Node {
    let out = json::load(text, 0);
    assert!(out.problems.is_empty(), "{text}: {:?}", out.problems);
    out.root.expect("json root")
}

fn y(text: &str) -> Node {
    let out = yaml::load(text, 0);
    assert!(out.problems.is_empty(), "{text}: {:?}", out.problems);
    out.root.expect("yaml root")
}

fn at(text: &str, span: Span) -> &str {
    text.get(span.start as usize..span.end as usize)
        .unwrap_or("<bad span>")
}

/// Valid patterns from the EventBridge docs (and event-ruler README), one per operator form.
const VALID_JSON: &[&str] = &[
    r#"{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["terminated"]}}"#,
    r#"{"source": ["aws.ec2", "aws.fargate"]}"#,
    r#"{"detail": {"Location": ["New York"], "Day": ["Monday"]}}"#,
    r#"{"detail": {"LastName": [""], "MiddleName": [null], "active": [true], "n": [5, 3.5]}}"#,
    r#"{"time": [{"prefix": "2017-10-02"}]}"#,
    r#"{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}"#,
    r#"{"detail": {"FileName": [{"suffix": ".png"}]}}"#,
    r#"{"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}"#,
    r#"{"detail": {"Name": [{"equals-ignore-case": "alice"}]}}"#,
    r#"{"source": [{"wildcard": "Simple*Service"}], "detail": {"p": [{"wildcard": "dir/*.png"}, {"wildcard": "a\\*b\\\\c"}]}}"#,
    r#"{"detail": {"state": [{"anything-but": "initializing"}]}}"#,
    r#"{"detail": {"x-limit": [{"anything-but": 123}]}}"#,
    r#"{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}"#,
    r#"{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}"#,
    r#"{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}"#,
    r#"{"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}}"#,
    r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["initializing", "x"]}}]}}"#,
    r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}"#,
    r#"{"detail": {"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}}"#,
    r#"{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"numeric": ["=", 3.018e2]}]}}"#,
    r#"{"detail": {"e": [{"numeric": [">=", -1.5, "<", 2]}, {"numeric": ["<=", 7]}, {"numeric": [">", 9]}]}}"#,
    r#"{"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}], "v6": [{"cidr": "2001:db8::/32"}]}}"#,
    r#"{"detail": {"c-count": [{"exists": false}], "description": [{"exists": true}]}}"#,
    r#"{"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]}"#,
    r#"{"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}]}}"#,
    r#"{"source": ["a"], "$or": [{"m": ["x"]}, {"t": ["y"], "n": ["z"], "$or": [{"i": [1]}, {"s": [2]}]}]}"#,
    r#"{"detail": {"object": {"key": [{"prefix": "raw/"}], "size": [{"numeric": [">", 0]}]}}}"#,
];

#[test]
fn documented_patterns_are_valid() {
    for text in VALID_JSON {
        let problems = validate(&j(text));
        assert!(problems.is_empty(), "{text}: {problems:?}");
    }
}

#[test]
fn yaml_patterns_are_valid() {
    let text = "source: [my.app]\ndetail-type:\n  - Order Created\ndetail:\n  state: [{prefix: init}]\n  count:\n    - numeric: ['>', 0, '<=', 5]\n  flag: [{exists: true}]\n";
    let problems = validate(&y(text));
    assert!(problems.is_empty(), "{problems:?}");
}

/// (pattern, text of the reported span, message)
const INVALID_JSON: &[(&str, &str, &str)] = &[
    (
        r#"{"source": "my.app"}"#,
        r#""my.app""#,
        "`source` must be an array of values, not a single string",
    ),
    (
        r#"{"detail": {"count": 5}}"#,
        "5",
        "`count` must be an array of values, not a single number",
    ),
    (
        r#"{"detail": {"state": [{"prefixx": "a"}]}}"#,
        r#""prefixx""#,
        "unknown operator `prefixx`; did you mean `prefix`?",
    ),
    (
        r#"{"detail": {"state": [{"contains": "a"}]}}"#,
        r#""contains""#,
        "unknown operator `contains`",
    ),
    (
        r#"{"detail": {"x": [{"exists": "true"}]}}"#,
        r#""true""#,
        "`exists` must be the boolean `true` or `false`, not a string",
    ),
    (
        r#"{"detail": {"x": [{"exists": 1}]}}"#,
        "1",
        "`exists` must be `true` or `false`",
    ),
    (
        r#"{"detail": {"n": [{"numeric": [">", "5"]}]}}"#,
        r#""5""#,
        "`numeric` value for `>` must be a number, not the string `\"5\"`",
    ),
    (
        r#"{"detail": {"n": [{"numeric": ["==", 5]}]}}"#,
        r#""==""#,
        "`numeric` operator must be one of `<`, `<=`, `=`, `>`, `>=`, not `==`",
    ),
    (
        r#"{"detail": {"n": [{"numeric": [5, ">"]}]}}"#,
        "5",
        "`numeric` expects an operator string (`<`, `<=`, `=`, `>`, `>=`) here",
    ),
    (
        r#"{"detail": {"n": [{"numeric": [">"]}]}}"#,
        r#"">""#,
        "`numeric` operator `>` is missing its number",
    ),
    (
        r#"{"detail": {"n": [{"numeric": ["<", 5, ">", 1]}]}}"#,
        r#"["<", 5, ">", 1]"#,
        "`numeric` range must be `>` or `>=` followed by `<` or `<=`",
    ),
    (
        r#"{"detail": {"n": [{"numeric": ["=", 5, "<", 6]}]}}"#,
        r#"["=", 5, "<", 6]"#,
        "`numeric` range must be `>` or `>=` followed by `<` or `<=`",
    ),
    (
        r#"{"detail": {"n": [{"numeric": [">", 5, "<", 1]}]}}"#,
        r#"[">", 5, "<", 1]"#,
        "`numeric` range lower bound must be less than its upper bound",
    ),
    (
        r#"{"detail": {"n": [{"numeric": [">", 1, "<", 5, "<", 6]}]}}"#,
        r#"[">", 1, "<", 5, "<", 6]"#,
        "`numeric` takes at most two operator/number pairs",
    ),
    (
        r#"{"detail": {"n": [{"numeric": 5}]}}"#,
        "5",
        "`numeric` must be an array of operator/number pairs, e.g. `[\">\", 0, \"<=\", 5]`",
    ),
    (
        r#"{"detail": {"n": [{"numeric": []}]}}"#,
        "[]",
        "`numeric` must be an array of operator/number pairs, e.g. `[\">\", 0, \"<=\", 5]`",
    ),
    (
        r#"{"detail": {"ip": [{"cidr": 10}]}}"#,
        "10",
        "`cidr` must be a string",
    ),
    (
        r#"{"detail": {"ip": [{"cidr": "10.0.0.0"}]}}"#,
        r#""10.0.0.0""#,
        "`cidr` value `10.0.0.0` is not a CIDR block like `10.0.0.0/24`",
    ),
    (
        r#"{"detail": {"ip": [{"cidr": "10.0.0.0/33"}]}}"#,
        r#""10.0.0.0/33""#,
        "`cidr` value `10.0.0.0/33` is not a CIDR block like `10.0.0.0/24`",
    ),
    (
        r#"{"detail": {"f": [{"wildcard": 5}]}}"#,
        "5",
        "`wildcard` must be a string",
    ),
    (
        r#"{"detail": {"f": [{"wildcard": "a**b"}]}}"#,
        r#""a**b""#,
        "`wildcard` pattern must not contain consecutive `*`",
    ),
    (
        r#"{"detail": {"f": [{"wildcard": "a\\d"}]}}"#,
        r#""a\\d""#,
        "`wildcard` pattern has an invalid escape `\\d` (only `\\*` and `\\\\` are allowed)",
    ),
    (
        r#"{"detail": {"f": [{"prefix": 5}]}}"#,
        "5",
        "`prefix` must be a string or an `equals-ignore-case` object",
    ),
    (
        r#"{"detail": {"f": [{"suffix": ["a"]}]}}"#,
        r#"["a"]"#,
        "`suffix` must be a string or an `equals-ignore-case` object",
    ),
    (
        r#"{"detail": {"f": [{"prefix": {"wildcard": "a*"}}]}}"#,
        r#""wildcard""#,
        "`prefix` takes a string or an `equals-ignore-case` object, not `wildcard`",
    ),
    (
        r#"{"detail": {"f": [{"prefix": {"equals-ignore-case": 1}}]}}"#,
        "1",
        "`prefix` `equals-ignore-case` value must be a string",
    ),
    (
        r#"{"detail": {"f": [{"equals-ignore-case": ["a"]}]}}"#,
        r#"["a"]"#,
        "`equals-ignore-case` must be a string",
    ),
    (
        r#"{"source": []}"#,
        "[]",
        "`source` must not be an empty array",
    ),
    (
        r#"{"detail": {}}"#,
        "{}",
        "`detail` must not be an empty object",
    ),
    (
        r#"{"source": [["a"]]}"#,
        r#"["a"]"#,
        "`source` values must be strings, numbers, booleans, null or matcher objects, not arrays",
    ),
    (
        r#"{"source": [{}]}"#,
        "{}",
        "matcher object must not be empty",
    ),
    (
        r#"{"source": [{"prefix": "a", "suffix": "b"}]}"#,
        r#"{"prefix": "a", "suffix": "b"}"#,
        "matcher object must have exactly one operator, found `prefix`, `suffix`",
    ),
    (
        r#"{"detail": {"state": {"prefix": "init"}}}"#,
        r#"{"prefix": "init"}"#,
        "`state` must be an array of values, not a bare `prefix` matcher object",
    ),
    (
        r#"{"detail": {"c": {"numeric": [">", 0]}}}"#,
        r#"{"numeric": [">", 0]}"#,
        "`c` must be an array of values, not a bare `numeric` matcher object",
    ),
    (
        r#"{"$or": {"source": ["a"]}}"#,
        r#"{"source": ["a"]}"#,
        "`$or` must be an array of objects",
    ),
    (
        r#"{"$or": [{"source": ["a"]}, "x"]}"#,
        r#""x""#,
        "`$or` must contain only objects",
    ),
    (
        r#"{"$or": [{"source": ["a"]}]}"#,
        r#"[{"source": ["a"]}]"#,
        "`$or` must contain at least two objects",
    ),
    (
        r#"{"$or": [{"source": ["a"]}, {}]}"#,
        "{}",
        "`$or` objects must not be empty",
    ),
    (
        r#"{"detail": {"$or": [{"prefix": ["a"]}, {"b": ["c"]}]}}"#,
        r#""prefix""#,
        "`prefix` is an operator and cannot be a field name inside `$or`",
    ),
    (r#"["a"]"#, r#"["a"]"#, "event pattern must be an object"),
    (
        r#""{\"source\": [\"a\"]}""#,
        r#""{\"source\": [\"a\"]}""#,
        "event pattern must be an object",
    ),
    ("{}", "{}", "event pattern must not be empty"),
    (
        r#"{"detail": {"s": [{"anything-but": ["a", 1]}]}}"#,
        r#"["a", 1]"#,
        "`anything-but` list must hold only strings or only numbers",
    ),
    (
        r#"{"detail": {"s": [{"anything-but": ["a", true]}]}}"#,
        "true",
        "`anything-but` list values must be strings or numbers",
    ),
    (
        r#"{"detail": {"s": [{"anything-but": []}]}}"#,
        "[]",
        "`anything-but` must not be an empty array",
    ),
    (
        r#"{"detail": {"s": [{"anything-but": null}]}}"#,
        "null",
        "`anything-but` must be a string, a number, an array of strings or numbers, or an object",
    ),
    (
        r#"{"detail": {"s": [{"anything-but": {"numeric": [">", 1]}}]}}"#,
        r#""numeric""#,
        "`anything-but` does not support `numeric`; use `prefix`, `suffix`, `equals-ignore-case` or `wildcard`",
    ),
    (
        r#"{"detail": {"s": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}}"#,
        r#"{"prefix": "a", "suffix": "b"}"#,
        "`anything-but` object must have exactly one of `prefix`, `suffix`, `equals-ignore-case` or `wildcard`",
    ),
    (
        r#"{"detail": {"s": [{"anything-but": {"prefix": ""}}]}}"#,
        r#""""#,
        "`anything-but` `prefix` value must not be empty",
    ),
    (
        r#"{"detail": {"s": [{"anything-but": {"equals-ignore-case": 5}}]}}"#,
        "5",
        "`anything-but` `equals-ignore-case` must be a string or an array of strings",
    ),
    (
        r#"{"detail": {"s": [{"anything-but": {"suffix": ["a", 5]}}]}}"#,
        "5",
        "`anything-but` `suffix` values must be strings",
    ),
    (
        r#"{"detail": {"s": [{"anything-but": {"wildcard": "**"}}]}}"#,
        r#""**""#,
        "`anything-but` `wildcard` pattern must not contain consecutive `*`",
    ),
];

#[test]
fn each_invalid_form_gives_one_problem_at_its_span() {
    for (text, span_text, message) in INVALID_JSON {
        let problems = validate(&j(text));
        assert_eq!(problems.len(), 1, "{text}: {problems:?}");
        let p = problems.first().expect("one problem");
        assert_eq!(at(text, p.span), *span_text, "{text}");
        assert_eq!(p.message, *message, "{text}");
    }
}

#[test]
fn yaml_scalar_instead_of_array() {
    let text = "source: my.app\ndetail-type: [x]\n";
    let problems = validate(&y(text));
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = problems.first().expect("one problem");
    assert_eq!(at(text, p.span), "my.app");
    assert_eq!(
        p.message,
        "`source` must be an array of values, not a single string"
    );
}

#[test]
fn yaml_quoted_number_in_numeric() {
    let text = "detail:\n  n: [{numeric: ['>', '5']}]\n";
    let problems = validate(&y(text));
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = problems.first().expect("one problem");
    assert_eq!(at(text, p.span), "'5'");
}

#[test]
fn messages_follow_style() {
    for (text, _, _) in INVALID_JSON {
        for p in validate(&j(text)) {
            let first = p.message.chars().next().unwrap_or(' ');
            assert!(!first.is_uppercase(), "{}", p.message);
            assert!(!p.message.ends_with('.'), "{}", p.message);
        }
    }
}

const INTRINSIC_PATTERN: &str = "\
source: !Ref SourceParam
detail-type: [!Sub '${App} Created', literal]
detail:
  state: [{prefix: !Ref P}, {anything-but: !Ref Q}]
  count: [{numeric: ['>', !Ref Min]}]
  ip: [{cidr: !Ref Cidr}]
  id: !GetAtt X.Y
  tags: [{exists: !Ref E}]
  sub: !If [Cond, [a], [b]]
  $or: !Ref Branches
";

#[test]
fn intrinsics_are_never_reported() {
    let p = y(INTRINSIC_PATTERN);
    assert!(validate(&p).is_empty(), "{:?}", validate(&p));
    assert!(validate(&y("!Ref Pattern")).is_empty());
    assert!(validate(&y("Fn::If: [C, {source: [a]}, {source: b}]")).is_empty());
}

#[test]
fn intrinsics_match_unknown() {
    let whole = y("!Ref Pattern");
    let ev = EventShape {
        source: Some("a"),
        detail_type: Some("b"),
        detail: None,
    };
    assert_eq!(matches(&whole, &ev), Match::Unknown);

    let p = y("source: !Ref S\n");
    assert_eq!(matches(&p, &ev), Match::Unknown);

    let p = y("source: [!Ref S]\n");
    assert_eq!(matches(&p, &ev), Match::Unknown);

    let p = y("source: [!Ref S, a]\n");
    assert_eq!(matches(&p, &ev), Match::Yes);

    let detail = y("state: running\n");
    let ev = EventShape {
        detail: Some(&detail),
        ..ev
    };
    let p = y("detail:\n  state: [{prefix: !Ref P}]\n");
    assert_eq!(matches(&p, &ev), Match::Unknown);
    let p = y("detail:\n  state: [{anything-but: [!Ref P, running]}]\n");
    assert_eq!(matches(&p, &ev), Match::No);
    let p = y("detail:\n  state: [{anything-but: [!Ref P, stopped]}]\n");
    assert_eq!(matches(&p, &ev), Match::Unknown);
}

fn event<'a>(source: &'a str, detail_type: &'a str, detail: &'a Node) -> EventShape<'a> {
    EventShape {
        source: Some(source),
        detail_type: Some(detail_type),
        detail: Some(detail),
    }
}

const DETAIL: &str = "\
state: initializing
count: 5
price: 301.8
label: '5'
ip: 10.0.0.33
file: Photos/Cat.PNG
flag: true
nothing: null
tags: [red, green]
object:
  key: raw/2024/a.csv
  size: 1024
items:
  - name: a
    qty: 1
  - name: b
    qty: 7
";

fn check(pattern: &str, want: Match) {
    let detail = y(DETAIL);
    let ev = event("my.app", "Order Created", &detail);
    let p = y(pattern);
    assert!(validate(&p).is_empty(), "{pattern}: {:?}", validate(&p));
    assert_eq!(matches(&p, &ev), want, "{pattern}");
}

#[test]
fn match_literals() {
    check(
        "source: [my.app]\ndetail-type: [Order Created]\n",
        Match::Yes,
    );
    check("source: [other, my.app]\n", Match::Yes);
    check("source: [other]\n", Match::No);
    check(
        "source: [my.app]\ndetail-type: [Order Shipped]\n",
        Match::No,
    );
    check("detail:\n  state: [initializing]\n", Match::Yes);
    check("detail:\n  count: [5]\n", Match::Yes);
    check("detail:\n  count: [5.0]\n", Match::Yes);
    check("detail:\n  count: ['5']\n", Match::No);
    check("detail:\n  label: ['5']\n", Match::Yes);
    check("detail:\n  flag: [true]\n", Match::Yes);
    check("detail:\n  nothing: [null]\n", Match::Yes);
    check("detail:\n  tags: [green]\n", Match::Yes);
    check("detail:\n  tags: [blue]\n", Match::No);
    check("detail:\n  missing: [x]\n", Match::No);
    // nothing constrained (validation rejects the empty pattern separately)
    let detail = y(DETAIL);
    assert_eq!(
        matches(&y("{}"), &event("my.app", "T", &detail)),
        Match::Yes
    );
}

#[test]
fn match_prefix_suffix_case_and_wildcard() {
    check("detail:\n  state: [{prefix: init}]\n", Match::Yes);
    check("detail:\n  state: [{prefix: run}]\n", Match::No);
    check("detail:\n  count: [{prefix: '5'}]\n", Match::No);
    check("detail:\n  file: [{suffix: .png}]\n", Match::No);
    check(
        "detail:\n  file: [{suffix: {equals-ignore-case: .png}}]\n",
        Match::Yes,
    );
    check(
        "detail:\n  file: [{prefix: {equals-ignore-case: photos/}}]\n",
        Match::Yes,
    );
    check(
        "detail:\n  state: [{equals-ignore-case: INITIALIZING}]\n",
        Match::Yes,
    );
    check(
        "detail:\n  file: [{wildcard: 'Photos/*.PNG'}]\n",
        Match::Yes,
    );
    check("detail:\n  file: [{wildcard: '*/Dog*'}]\n", Match::No);
    check("source: [{wildcard: 'my*'}]\n", Match::Yes);
}

#[test]
fn match_anything_but() {
    check("detail:\n  state: [{anything-but: running}]\n", Match::Yes);
    check(
        "detail:\n  state: [{anything-but: initializing}]\n",
        Match::No,
    );
    check(
        "detail:\n  state: [{anything-but: [stopped, initializing]}]\n",
        Match::No,
    );
    check("detail:\n  count: [{anything-but: [1, 2]}]\n", Match::Yes);
    check("detail:\n  count: [{anything-but: [5, 6]}]\n", Match::No);
    check(
        "detail:\n  state: [{anything-but: {prefix: init}}]\n",
        Match::No,
    );
    check(
        "detail:\n  state: [{anything-but: {prefix: [run, stop]}}]\n",
        Match::Yes,
    );
    check(
        "detail:\n  file: [{anything-but: {suffix: .PNG}}]\n",
        Match::No,
    );
    check(
        "detail:\n  state: [{anything-but: {equals-ignore-case: INITIALIZING}}]\n",
        Match::No,
    );
    check(
        "detail:\n  file: [{anything-but: {wildcard: '*/lib/*'}}]\n",
        Match::Yes,
    );
    // an event array matches when any element is not excluded
    check("detail:\n  tags: [{anything-but: red}]\n", Match::Yes);
    // anything-but needs the field to exist
    check("detail:\n  missing: [{anything-but: x}]\n", Match::No);
    check("source: [{anything-but: {prefix: aws.}}]\n", Match::Yes);
}

#[test]
fn match_numeric_ranges() {
    check(
        "detail:\n  count: [{numeric: ['>', 0, '<=', 5]}]\n",
        Match::Yes,
    );
    check(
        "detail:\n  count: [{numeric: ['>', 0, '<', 5]}]\n",
        Match::No,
    );
    check("detail:\n  count: [{numeric: ['>=', 5]}]\n", Match::Yes);
    check("detail:\n  count: [{numeric: ['<', 5]}]\n", Match::No);
    check("detail:\n  count: [{numeric: ['=', 5]}]\n", Match::Yes);
    check(
        "detail:\n  price: [{numeric: ['=', 3.018e2]}]\n",
        Match::Yes,
    );
    check("detail:\n  price: [{numeric: ['>', 301.9]}]\n", Match::No);
    // numeric only matches JSON numbers
    check("detail:\n  label: [{numeric: ['=', 5]}]\n", Match::No);
    // any alternative of the array may match
    check(
        "detail:\n  count: [{numeric: ['<', 0]}, {numeric: ['>', 4]}]\n",
        Match::Yes,
    );
}

#[test]
fn match_exists_and_cidr() {
    check("detail:\n  state: [{exists: true}]\n", Match::Yes);
    check("detail:\n  state: [{exists: false}]\n", Match::No);
    check("detail:\n  missing: [{exists: false}]\n", Match::Yes);
    check("detail:\n  missing: [{exists: true}]\n", Match::No);
    // exists only sees leaves: an object is not there
    check("detail:\n  object: [{exists: false}]\n", Match::Yes);
    check("detail:\n  object: [{exists: true}]\n", Match::No);
    check("detail:\n  ip: [{cidr: 10.0.0.0/24}]\n", Match::Yes);
    check("detail:\n  ip: [{cidr: 10.0.1.0/24}]\n", Match::No);
    check("detail:\n  state: [{cidr: 10.0.0.0/8}]\n", Match::No);
}

#[test]
fn match_nested_detail_and_arrays_of_objects() {
    check(
        "detail:\n  object:\n    key: [{prefix: raw/}]\n    size: [{numeric: ['>', 1000]}]\n",
        Match::Yes,
    );
    check("detail:\n  object:\n    key: [{prefix: out/}]\n", Match::No);
    check("detail:\n  items:\n    name: [b]\n", Match::Yes);
    check(
        "detail:\n  items:\n    qty: [{numeric: ['>', 10]}]\n",
        Match::No,
    );
    // a nested object the event lacks: its leaves are absent
    check("detail:\n  other:\n    x: [{exists: false}]\n", Match::Yes);
    check("detail:\n  other:\n    x: [a]\n", Match::No);
}

#[test]
fn match_or() {
    check(
        "source: [my.app]\n$or:\n  - detail-type: [Nope]\n  - detail:\n      state: [initializing]\n",
        Match::Yes,
    );
    check(
        "detail:\n  $or:\n    - state: [running]\n    - count: [{numeric: ['>', 4]}]\n",
        Match::Yes,
    );
    check(
        "detail:\n  $or:\n    - state: [running]\n    - count: [{numeric: ['>', 9]}]\n",
        Match::No,
    );
    check(
        "$or:\n  - account: ['123']\n  - source: [my.app]\n",
        Match::Yes,
    );
    check(
        "$or:\n  - account: ['123']\n  - source: [other]\n",
        Match::Unknown,
    );
}

#[test]
fn unknown_event_parts() {
    let detail = y("state: running\nid: !Ref Id\n");
    let ev = EventShape {
        source: None,
        detail_type: Some("T"),
        detail: Some(&detail),
    };
    // source not known
    assert_eq!(matches(&y("source: [a]\n"), &ev), Match::Unknown);
    // a definite mismatch elsewhere still decides
    assert_eq!(
        matches(&y("source: [a]\ndetail-type: [U]\n"), &ev),
        Match::No
    );
    // the detail has an intrinsic: absent fields are unknown, present ones still match
    assert_eq!(
        matches(&y("detail:\n  other: [{exists: false}]\n"), &ev),
        Match::Unknown
    );
    assert_eq!(matches(&y("detail:\n  other: [x]\n"), &ev), Match::Unknown);
    assert_eq!(
        matches(&y("detail:\n  state: [running]\n"), &ev),
        Match::Yes
    );
    assert_eq!(matches(&y("detail:\n  id: [x]\n"), &ev), Match::Unknown);
    // no detail at all
    let ev = EventShape {
        source: Some("a"),
        detail_type: None,
        detail: None,
    };
    assert_eq!(
        matches(&y("detail:\n  state: [running]\n"), &ev),
        Match::Unknown
    );
    assert_eq!(matches(&y("source: [a]\n"), &ev), Match::Yes);
    // fields other than source/detail-type/detail
    for f in ["account", "region", "resources", "time", "id"] {
        let p = y(&format!("source: [a]\n{f}: [x]\n"));
        assert_eq!(matches(&p, &ev), Match::Unknown, "{f}");
    }
    // an intrinsic detail is unknown
    let d = y("!Ref Detail");
    let ev = EventShape {
        detail: Some(&d),
        ..ev
    };
    assert_eq!(
        matches(&y("detail:\n  state: [running]\n"), &ev),
        Match::Unknown
    );
}

#[test]
fn json_and_yaml_match_alike() {
    let detail = j(r#"{"state": "initializing", "count": 5}"#);
    let ev = event("my.app", "T", &detail);
    let p = j(r#"{"source": ["my.app"], "detail": {"count": [{"numeric": [">", 1]}]}}"#);
    assert_eq!(matches(&p, &ev), Match::Yes);
}

#[test]
fn literal_values_of_top_level_fields() {
    let p = y(
        "source: [a.b, c.d]\ndetail-type: [{prefix: X}]\ntime: [t]\naccount: [1, '2']\nregion: [!Ref R]\n",
    );
    assert_eq!(literal_values(&p, "source"), Some(vec!["a.b", "c.d"]));
    assert_eq!(literal_values(&p, "detail-type"), None);
    assert_eq!(literal_values(&p, "missing"), None);
    assert_eq!(literal_values(&p, "account"), None);
    assert_eq!(literal_values(&p, "region"), None);
    assert_eq!(literal_values(&y("source: !Ref S\n"), "source"), None);
    assert_eq!(literal_values(&y("!Ref P"), "source"), None);
}

#[test]
fn detail_fields_lists_paths() {
    let text = "source: [a]\ndetail:\n  state: [x]\n  object:\n    key: [{prefix: p}]\n  id: !Ref I\n  $or:\n    - a: [1]\n    - b:\n        c: [2]\n$or:\n  - detail:\n      d: [3]\n  - source: [b]\n";
    let p = y(text);
    let got: Vec<(String, &str)> = detail_fields(&p)
        .into_iter()
        .map(|(path, span)| (path.join("."), at(text, span)))
        .collect();
    let want = [
        ("state", "state"),
        ("object.key", "key"),
        ("id", "id"),
        ("a", "a"),
        ("b.c", "c"),
        ("d", "d"),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(a, b)| ((*a).to_string(), *b))
            .collect::<Vec<_>>()
    );
    assert!(detail_fields(&y("source: [a]\n")).is_empty());
}

#[test]
fn equivalence_ignores_order_and_spans() {
    let a = j(
        r#"{"source": ["a", "b"], "detail": {"x": [1, {"prefix": "p"}], "y": [{"anything-but": ["m", "n"]}]}}"#,
    );
    let b =
        y("detail:\n  y: [{anything-but: [n, m]}]\n  x: [{prefix: p}, 1.0]\nsource: [b, a, b]\n");
    assert!(equivalent(&a, &b));
    assert!(equivalent(&b, &a));

    let or1 = j(r#"{"$or": [{"source": ["a"]}, {"detail-type": ["b"]}]}"#);
    let or2 = j(r#"{"$or": [{"detail-type": ["b"]}, {"source": ["a"]}]}"#);
    assert!(equivalent(&or1, &or2));

    let n1 = j(r#"{"detail": {"n": [{"numeric": [">", 0, "<", 5]}]}}"#);
    let n2 = j(r#"{"detail": {"n": [{"numeric": ["<", 5, ">", 0]}]}}"#);
    assert!(!equivalent(&n1, &n2));
    assert!(equivalent(&n1, &n1.clone()));

    let c = j(r#"{"source": ["a"]}"#);
    let d = j(r#"{"source": ["a"], "detail-type": ["x"]}"#);
    let e = j(r#"{"source": ["a", "c"]}"#);
    let f = j(r#"{"source": [{"prefix": "a"}]}"#);
    let g = j(r#"{"source": ["1"]}"#);
    let h = j(r#"{"source": [1]}"#);
    assert!(!equivalent(&c, &d));
    assert!(!equivalent(&c, &e));
    assert!(!equivalent(&c, &f));
    assert!(!equivalent(&g, &h));

    let r1 = y("source: !Ref S\n");
    let r2 = y("source: {Ref: S}\n");
    let r3 = y("source: !Ref T\n");
    assert!(equivalent(&r1, &r2));
    assert!(!equivalent(&r1, &r3));
}

#[test]
fn wildcard_matching() {
    assert!(wildcard_match("Simple*Service", "SimpleQueueService"));
    assert!(wildcard_match("Simple*Service", "SimpleService"));
    assert!(!wildcard_match("Simple*Service", "SimpleServices"));
    assert!(wildcard_match("*", ""));
    assert!(wildcard_match("a*b*c", "aXXbYYbc"));
    assert!(wildcard_match("a\\*b", "a*b"));
    assert!(!wildcard_match("a\\*b", "aXb"));
    assert!(!wildcard_match("abc", "ab"));
}

#[test]
fn cidr_parsing() {
    assert!(parse_cidr("10.0.0.0/24").is_some());
    assert!(parse_cidr("10.0.0.0/0").is_some());
    assert!(parse_cidr("2001:db8::/128").is_some());
    assert!(parse_cidr("10.0.0.0").is_none());
    assert!(parse_cidr("10.0.0/8").is_none());
    assert!(parse_cidr("10.0.0.0/+8").is_none());
    assert!(parse_cidr("10.0.0.0/8/8").is_none());
    let (net, bits) = parse_cidr("10.0.0.0/0").expect("cidr");
    assert!(cidr_contains(net, bits, "192.168.1.1".parse().expect("ip")));
}
