use super::*;

fn parse(text: &str) -> LoadOutcome {
    load(text, 0)
}

fn at<'a>(text: &'a str, n: &Node) -> &'a str {
    text.get(n.span.start as usize..n.span.end as usize)
        .unwrap_or("<bad span>")
}

#[test]
fn short_form_tags_lower_to_long_form() {
    let text = "A: !Ref Queue\nB: !GetAtt Queue.Arn\nC: !Sub '${X}-y'\nD: !If [c, 1, 2]\nE: !Condition IsProd\nF: !GetAtt [T, StreamArn]\n";
    let out = parse(text);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let root = out.root.unwrap();
    let a = root.get("A").unwrap();
    assert_eq!(
        a.intrinsic().map(|(k, v)| (k, v.as_str())),
        Some(("Ref", Some("Queue")))
    );
    let (k, v) = root.get("B").unwrap().intrinsic().unwrap();
    assert_eq!(k, "Fn::GetAtt");
    assert_eq!(
        v.items()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect::<Vec<_>>(),
        ["Queue", "Arn"]
    );
    assert_eq!(root.get("C").unwrap().intrinsic().unwrap().0, "Fn::Sub");
    assert_eq!(
        root.get("D").unwrap().intrinsic().unwrap().1.items().len(),
        3
    );
    assert_eq!(root.get("E").unwrap().intrinsic().unwrap().0, "Condition");
    assert_eq!(
        root.get("F").unwrap().intrinsic().unwrap().1.items().len(),
        2
    );
}

#[test]
fn every_short_form_tag_is_known() {
    for tag in [
        "Ref",
        "GetAtt",
        "Sub",
        "Join",
        "If",
        "Select",
        "Split",
        "FindInMap",
        "ImportValue",
        "Equals",
        "Not",
        "And",
        "Or",
        "Base64",
        "Cidr",
        "GetAZs",
        "Condition",
    ] {
        let text = format!("K: !{tag} x.y\n");
        let root = parse(&text).root.unwrap();
        assert!(root.get("K").unwrap().intrinsic().is_some(), "{tag}");
    }
}

#[test]
fn spans_point_at_keys_and_values() {
    let text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 30\n";
    let root = parse(text).root.unwrap();
    let q = root.path(&["Resources", "Queue"]).unwrap();
    let e = root.get("Resources").unwrap().entry("Queue").unwrap();
    assert_eq!(
        &text[e.key_span.start as usize..e.key_span.end as usize],
        "Queue"
    );
    let vt = q.path(&["Properties", "VisibilityTimeout"]).unwrap();
    assert_eq!(at(text, vt), "30");
    assert_eq!(vt.as_i64(), Some(30));
    assert_eq!(at(text, q.get("Type").unwrap()), "AWS::SQS::Queue");
}

#[test]
fn tagged_scalar_has_a_real_span() {
    let text = "A:\n  B: !Ref MyQueue\n";
    let root = parse(text).root.unwrap();
    let b = root.path(&["A", "B"]).unwrap();
    let (_, inner) = b.intrinsic().unwrap();
    assert_eq!(at(text, inner), "MyQueue");
}

#[test]
fn quoted_scalars_end_at_their_closing_quote() {
    let text = "A: '*'   # comment\nB: \"x\\\"y\"  # c\nC: 'it''s'  # c\nD: !Sub \"${X}\"  # c\n";
    let root = parse(text).root.unwrap();
    assert_eq!(at(text, root.get("A").unwrap()), "'*'");
    assert_eq!(at(text, root.get("B").unwrap()), "\"x\\\"y\"");
    assert_eq!(at(text, root.get("C").unwrap()), "'it''s'");
    assert_eq!(at(text, root.get("D").unwrap()), "!Sub \"${X}\"");
    let (_, inner) = root.get("D").unwrap().intrinsic().unwrap();
    assert_eq!(at(text, inner), "\"${X}\"");
}

#[test]
fn spans_are_bytes_after_non_ascii_text() {
    let text = "Description: \"über ✓\"\nKey: value\n";
    let root = parse(text).root.unwrap();
    assert_eq!(at(text, root.get("Key").unwrap()), "value");
}

#[test]
fn duplicate_keys_are_problems_not_failures() {
    let text = "A: 1\nB: 2\nA: 3\n";
    let out = parse(text);
    let root = out.root.unwrap();
    assert_eq!(root.get("A").unwrap().as_i64(), Some(3));
    assert_eq!(root.entries().len(), 2);
    assert_eq!(out.problems.len(), 1);
    let p = &out.problems[0];
    assert!(!p.fatal);
    assert_eq!(p.span.start, 10);
    assert_eq!(p.related.map(|s| s.start), Some(0));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let text = "base: &b {X: 1, Y: 2}\nuse: *b\nmerged:\n  <<: *b\n  Y: 5\n";
    let root = parse(text).root.unwrap();
    assert_eq!(root.path(&["use", "X"]).unwrap().as_i64(), Some(1));
    assert_eq!(root.path(&["merged", "X"]).unwrap().as_i64(), Some(1));
    assert_eq!(root.path(&["merged", "Y"]).unwrap().as_i64(), Some(5));
    assert!(root.path(&["merged", "<<"]).is_none());
}

#[test]
fn alias_bomb_is_a_parse_error() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='m' {
        text.push_str(&format!(
            "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = c;
    }
    let start = std::time::Instant::now();
    let out = parse(&text);
    assert!(out.root.is_none());
    assert!(
        out.problems[0].message.contains("alias"),
        "{:?}",
        out.problems
    );
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn deep_block_nesting_is_a_parse_error() {
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    let out = parse(&text);
    assert!(out.root.is_none());
    assert!(out.problems[0].message.contains("nesting"));
}

#[test]
fn deep_flow_nesting_is_a_parse_error() {
    let text = "a: ".to_string() + &"[".repeat(10_000) + &"]".repeat(10_000);
    let out = parse(&text);
    assert!(out.root.is_none());
    assert!(!out.problems.is_empty());
}

#[test]
fn syntax_errors_carry_a_position() {
    let text = "A: 1\nB: [1, 2\nC: 3\n";
    let out = parse(text);
    assert!(out.root.is_none());
    assert!(out.problems[0].fatal);
}

#[test]
fn plain_scalars_are_typed_and_quoted_ones_are_strings() {
    let root = parse("a: 10\nb: '10'\nc: true\nd: ~\ne: 1.5e3\nf: 0x\n")
        .root
        .unwrap();
    assert_eq!(root.get("a").unwrap().kind, Kind::Num("10".into()));
    assert_eq!(root.get("b").unwrap().kind, Kind::Str("10".into()));
    assert_eq!(root.get("c").unwrap().kind, Kind::Bool(true));
    assert!(root.get("d").unwrap().is_null());
    assert_eq!(root.get("e").unwrap().kind, Kind::Num("1.5e3".into()));
    assert_eq!(root.get("f").unwrap().kind, Kind::Str("0x".into()));
}
