use super::*;

fn load(text: &str) -> Node {
    let out = parse_definition_text(text, 0);
    assert!(
        out.problems.iter().all(|p| !p.fatal),
        "problems: {:?}",
        out.problems
    );
    out.root.expect("a document")
}

fn at(text: &str, span: Span) -> &str {
    text.get(span.start as usize..span.end as usize)
        .unwrap_or("<bad span>")
}

fn target_text(t: &Task<'_>) -> Option<String> {
    t.target.and_then(|n| n.as_str()).map(str::to_owned)
}

fn one(text: &str) -> (Integration, Mode, Option<String>, bool) {
    let root = load(text);
    let ts = tasks(&root);
    assert_eq!(ts.len(), 1, "{ts:#?}");
    let t = ts.first().expect("one task");
    (
        t.integration.clone(),
        t.mode,
        target_text(t),
        t.target_dynamic,
    )
}

/// A one-state JSON definition with the given resource and parameters.
fn def(resource: &str, params: &str) -> String {
    format!(
        r#"{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":{resource},"Parameters":{params},"End":true}}}}}}"#
    )
}

#[test]
fn optimized_integrations() {
    let cases: &[(&str, &str, Integration, Mode, &str)] = &[
        (
            r#""arn:aws:states:::lambda:invoke""#,
            r#"{"FunctionName":"arn:aws:lambda:us-east-1:123456789012:function:F","Payload.$":"$"}"#,
            Integration::LambdaInvoke,
            Mode::RequestResponse,
            "arn:aws:lambda:us-east-1:123456789012:function:F",
        ),
        (
            r#""arn:aws:states:::lambda:invoke.waitForTaskToken""#,
            r#"{"FunctionName":"${ReviewFunctionArn}"}"#,
            Integration::LambdaInvoke,
            Mode::WaitForTaskToken,
            "${ReviewFunctionArn}",
        ),
        (
            r#""arn:aws:states:::sns:publish""#,
            r#"{"TopicArn":"${AlertsTopic}","Message.$":"$.msg"}"#,
            Integration::SnsPublish,
            Mode::RequestResponse,
            "${AlertsTopic}",
        ),
        (
            r#""arn:aws:states:::sqs:sendMessage""#,
            r#"{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/1/q","MessageBody.$":"$"}"#,
            Integration::SqsSendMessage,
            Mode::RequestResponse,
            "https://sqs.us-east-1.amazonaws.com/1/q",
        ),
        (
            r#""arn:aws:states:::events:putEvents""#,
            r#"{"Entries":[{"Source":"a","DetailType":"b","Detail":{}},{"EventBusName":"orders","Source":"a"}]}"#,
            Integration::EventBridgePutEvents,
            Mode::RequestResponse,
            "orders",
        ),
        (
            r#""arn:aws:states:::states:startExecution.sync:2""#,
            r#"{"StateMachineArn":"${ChildArn}","Input":{}}"#,
            Integration::StartExecution,
            Mode::Sync,
            "${ChildArn}",
        ),
        (
            r#""arn:aws:states:::states:startExecution.sync""#,
            r#"{"StateMachineArn":"${ChildArn}"}"#,
            Integration::StartExecution,
            Mode::Sync,
            "${ChildArn}",
        ),
        (
            r#""arn:aws:states:::dynamodb:putItem""#,
            r#"{"TableName":"Orders","Item":{}}"#,
            Integration::DynamoDb("putItem".into()),
            Mode::RequestResponse,
            "Orders",
        ),
        (
            r#""arn:aws-cn:states:::dynamodb:getItem""#,
            r#"{"TableName":"Orders","Key":{}}"#,
            Integration::DynamoDb("getItem".into()),
            Mode::RequestResponse,
            "Orders",
        ),
        (
            r#""arn:${AWS::Partition}:states:::sqs:sendMessage.waitForTaskToken""#,
            r#"{"QueueUrl":"${Q}"}"#,
            Integration::SqsSendMessage,
            Mode::WaitForTaskToken,
            "${Q}",
        ),
    ];
    for (resource, params, integration, mode, target) in cases {
        let (i, m, t, dynamic) = one(&def(resource, params));
        assert_eq!(&i, integration, "{resource}");
        assert_eq!(&m, mode, "{resource}");
        assert_eq!(t.as_deref(), Some(*target), "{resource}");
        assert!(!dynamic, "{resource}");
    }
}

#[test]
fn sdk_integrations() {
    let (i, m, t, _) = one(&def(
        r#""arn:aws:states:::aws-sdk:sqs:sendMessage""#,
        r#"{"QueueUrl":"${Q}","MessageBody":"x"}"#,
    ));
    assert_eq!(
        i,
        Integration::Sdk {
            service: "sqs".into(),
            action: "sendMessage".into()
        }
    );
    assert_eq!(m, Mode::RequestResponse);
    assert_eq!(t.as_deref(), Some("${Q}"));

    let (i, m, t, _) = one(&def(
        r#""arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken""#,
        r#"{"Bucket":"b","Key":"k"}"#,
    ));
    assert_eq!(
        i,
        Integration::Sdk {
            service: "s3".into(),
            action: "getObject".into()
        }
    );
    assert_eq!(m, Mode::WaitForTaskToken);
    assert_eq!(t, None);

    let (i, _, t, _) = one(&def(
        r#""arn:aws:states:::aws-sdk:lambda:invoke""#,
        r#"{"FunctionName":"f"}"#,
    ));
    assert!(i.invokes_lambda());
    assert_eq!(t.as_deref(), Some("f"));

    let (i, _, t, _) = one(&def(
        r#""arn:aws:states:::aws-sdk:eventbridge:putEvents""#,
        r#"{"Entries":[{"EventBusName":"bus"}]}"#,
    ));
    assert!(matches!(i, Integration::Sdk { .. }));
    assert_eq!(t.as_deref(), Some("bus"));

    // aws-sdk needs both a service and an action
    let (i, _, _, _) = one(&def(r#""arn:aws:states:::aws-sdk:s3""#, "{}"));
    assert_eq!(i, Integration::Other("arn:aws:states:::aws-sdk:s3".into()));
}

#[test]
fn direct_lambda_resources() {
    let text = r#"{"StartAt":"A","States":{
        "A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:Fn:live","Next":"B"},
        "B":{"Type":"Task","Resource":"${ProcessFunctionArn}","Next":"C"},
        "C":{"Type":"Task","Resource":"arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Name}","Next":"D"},
        "D":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:Review","Next":"E"},
        "E":{"Type":"Task","Resource":"arn:aws:sns:us-east-1:123456789012:topic","End":true}
    }}"#;
    let root = load(text);
    let ts = tasks(&root);
    let got: Vec<_> = ts
        .iter()
        .map(|t| (t.name.as_str(), &t.integration))
        .collect();
    assert_eq!(
        got,
        [
            ("A", &Integration::LambdaDirect),
            ("B", &Integration::LambdaDirect),
            ("C", &Integration::LambdaDirect),
            ("D", &Integration::Activity),
            (
                "E",
                &Integration::Other("arn:aws:sns:us-east-1:123456789012:topic".into())
            ),
        ]
    );
    // the target of a direct Lambda task is the resource itself
    let a = ts.first().expect("A");
    assert_eq!(a.target, a.resource);
    assert_eq!(
        target_text(a).as_deref(),
        Some("arn:aws:lambda:us-east-1:123456789012:function:Fn:live")
    );
    assert_eq!(
        ts.get(1).and_then(target_text).as_deref(),
        Some("${ProcessFunctionArn}")
    );
    assert_eq!(ts.get(3).expect("D").target, None);
    assert_eq!(at(text, a.name_span), "\"A\"");
}

#[test]
fn intrinsic_resources_in_inline_sam_definitions() {
    let text = "\
StartAt: A
States:
  A:
    Type: Task
    Resource: !GetAtt ProcessFunction.Arn
    Next: B
  B:
    Type: Task
    Resource: !Ref ProcessAlias
    Next: C
  C:
    Type: Task
    Resource: !Sub arn:${AWS::Partition}:states:::sns:publish
    Parameters:
      TopicArn: !Ref Topic
      Message.$: $.m
    Next: D
  D:
    Type: Task
    Resource: !Sub [ 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${F}', { F: x } ]
    Next: E
  E:
    Type: Task
    Resource: !ImportValue Shared
    Next: F
  F:
    Type: Task
    Resource: !Ref AWS::NoValue
    Next: G
  G:
    Type: Task
    Resource: !Sub 'https://example.com/${X}'
    End: true
";
    let root = load(text);
    let ts = tasks(&root);
    let got: Vec<_> = ts.iter().map(|t| t.integration.clone()).collect();
    assert_eq!(
        got,
        [
            Integration::LambdaDirect,
            Integration::LambdaDirect,
            Integration::SnsPublish,
            Integration::LambdaDirect,
            Integration::Other("Fn::ImportValue".into()),
            Integration::Other("Ref".into()),
            Integration::Other("Fn::Sub".into()),
        ]
    );
    let c = ts.get(2).expect("C");
    let (k, v) = c.target.and_then(Node::intrinsic).expect("Ref target");
    assert_eq!((k, v.as_str()), ("Ref", Some("Topic")));
    assert_eq!(
        ts.first()
            .and_then(|t| t.target)
            .and_then(Node::intrinsic)
            .map(|(k, _)| k),
        Some("Fn::GetAtt")
    );
}

#[test]
fn nested_parallel_and_map_both_processor_forms() {
    let text = r#"{
  "StartAt": "Par",
  "States": {
    "Par": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "X", "States": {"X": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "fx"}, "End": true}}},
        {"StartAt": "Inner", "States": {
          "Inner": {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Y", "States": {
            "Y": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q"}, "End": true}
          }}, "End": true}
        }}
      ],
      "Next": "Old"
    },
    "Old": {"Type": "Map", "Iterator": {"StartAt": "Z", "States": {
      "Z": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Parameters": {"TopicArn": "t"}, "End": true}
    }}, "Next": "Both"},
    "Both": {"Type": "Map",
      "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Task", "Resource": "${Fn}", "End": true}}},
      "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Task", "Resource": "${Fn}", "End": true}}},
      "Next": "Last"},
    "Last": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem", "Parameters": {"TableName": "tb"}, "End": true}
  }
}"#;
    let root = load(text);
    let ts = tasks(&root);
    let paths: Vec<_> = ts.iter().map(|t| t.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "States.Par.Branches[0].States.X",
            "States.Par.Branches[1].States.Inner.ItemProcessor.States.Y",
            "States.Old.Iterator.States.Z",
            "States.Both.ItemProcessor.States.P",
            "States.Both.Iterator.States.I",
            "States.Last",
        ]
    );
    let targets: Vec<_> = ts.iter().map(target_text).collect();
    assert_eq!(
        targets,
        [
            Some("fx".to_owned()),
            Some("q".to_owned()),
            Some("t".to_owned()),
            Some("${Fn}".to_owned()),
            Some("${Fn}".to_owned()),
            Some("tb".to_owned()),
        ]
    );
    // the Parallel and Map states around each task, outermost first
    let enclosing: Vec<usize> = ts.iter().map(|t| t.enclosing.len()).collect();
    assert_eq!(enclosing, [1, 2, 1, 1, 1, 0]);
    let y = ts.get(1).expect("Y");
    let types: Vec<_> = y
        .enclosing
        .iter()
        .filter_map(|s| s.get("Type").and_then(Node::as_str))
        .collect();
    assert_eq!(types, ["Parallel", "Map"]);
}

#[test]
fn retry_and_catch() {
    let text = "\
StartAt: A
States:
  A:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    Parameters: { FunctionName: f }
    Retry:
      - ErrorEquals: [States.ALL]
        MaxAttempts: 3
    Catch:
      - ErrorEquals: [States.ALL]
        Next: Fail
    Next: B
  B:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    Parameters: { FunctionName: f }
    End: true
  Fail:
    Type: Fail
";
    let root = load(text);
    let ts = tasks(&root);
    assert_eq!(ts.len(), 2);
    let a = ts.first().expect("A");
    assert_eq!(a.retry.map(|r| r.items().len()), Some(1));
    assert_eq!(a.catch.map(|c| c.items().len()), Some(1));
    assert!(a.retry.is_some_and(|r| r.span.start < r.span.end));
    let b = ts.get(1).expect("B");
    assert!(b.retry.is_none() && b.catch.is_none());
    assert_eq!(at(text, b.name_span), "B");
}

#[test]
fn jsonata_arguments_and_dynamic_targets() {
    let text = r#"{"QueryLanguage":"JSONata","StartAt":"A","States":{
      "A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"arn:aws:lambda:r:1:function:F","Payload":"{% $states.input %}"},"Next":"B"},
      "B":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","Arguments":{"TopicArn":"{% $topic %}"},"Next":"C"},
      "C":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName.$":"$.fn"},"Next":"D"},
      "D":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents","Arguments":"{% $entries %}","End":true}
    }}"#;
    let root = load(text);
    let ts = tasks(&root);
    let got: Vec<_> = ts
        .iter()
        .map(|t| (target_text(t), t.target_dynamic, t.parameters.is_some()))
        .collect();
    assert_eq!(
        got,
        [
            (
                Some("arn:aws:lambda:r:1:function:F".to_owned()),
                false,
                true
            ),
            (Some("{% $topic %}".to_owned()), true, true),
            (Some("$.fn".to_owned()), true, true),
            (None, false, true),
        ]
    );
}

#[test]
fn placeholder_detection() {
    assert_eq!(
        placeholder("${ProcessFunctionArn}"),
        Some("ProcessFunctionArn")
    );
    assert_eq!(placeholder("${Fn.Arn}"), Some("Fn.Arn"));
    assert_eq!(placeholder("${}"), None);
    assert_eq!(placeholder("x${A}"), None);
    assert_eq!(placeholder("${A}${B}"), None);
    assert_eq!(placeholder("${!Literal}"), None);
    // pseudo parameters alone are not Lambda references
    let (i, _, _, _) = one(&def(r#""${AWS::Region}""#, "{}"));
    assert_eq!(i, Integration::Other("${AWS::Region}".into()));
}

#[test]
fn unknown_states_arns() {
    let (i, m, _, _) = one(&def(r#""arn:aws:states:::batch:submitJob.sync""#, "{}"));
    assert_eq!(
        i,
        Integration::Other("arn:aws:states:::batch:submitJob.sync".into())
    );
    assert_eq!(m, Mode::Sync);
    for bad in [
        r#""arn:aws:states:::lambda:invoke.later""#,
        r#""arn:aws:states:::lambda:invoke.sync:""#,
        r#""arn:aws:states:::lambda""#,
        r#""arn:aws:states:::dynamodb:""#,
        r#""arn::states:::lambda:invoke""#,
        r#""arn:${AWS::Partition:states:::lambda:invoke""#,
        r#""arn:""#,
        r#""""#,
    ] {
        let (i, m, t, _) = one(&def(bad, r#"{"FunctionName":"f"}"#));
        assert!(matches!(i, Integration::Other(_)), "{bad}: {i:?}");
        assert_eq!(m, Mode::RequestResponse, "{bad}");
        assert_eq!(t, None, "{bad}");
    }
}

#[test]
fn malformed_definitions_do_not_panic() {
    let inputs = [
        "{}",
        "[]",
        "null",
        r#"{"States": "nope"}"#,
        r#"{"States": [1, 2, 3]}"#,
        r#"{"States": {"A": 5, "B": null, "C": {"Type": 7}}}"#,
        r#"{"States": {"A": {"Type": "Task", "Resource": 42, "Parameters": [], "Retry": "x"}}}"#,
        r#"{"States": {"A": {"Type": "Task"}}}"#,
        r#"{"States": {"A": {"Type": "Task", "Resource": ["arn:aws:states:::lambda:invoke"]}}}"#,
        r#"{"States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents", "Parameters": {"Entries": {"EventBusName": "x"}}}}}"#,
        r#"{"States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents", "Parameters": {"Entries": [1, "x", {"EventBusName": 3}]}}}}"#,
        r#"{"States": {"P": {"Type": "Parallel", "Branches": {"States": {}}}}}"#,
        r#"{"States": {"P": {"Type": "Parallel", "Branches": [1, {"States": 2}, {"States": {"T": {"Type": "Task", "Resource": {"Fn::Sub": 3}}}}]}}}"#,
        r#"{"States": {"M": {"Type": "Map", "ItemProcessor": "x", "Iterator": {"States": []}}}}"#,
    ];
    for text in inputs {
        let root = load(text);
        let _ = tasks(&root);
    }

    let root = load(
        r#"{"States": {"A": {"Type": "Task", "Resource": 42, "Retry": "x"}, "B": {"Type": "Task"}}}"#,
    );
    let ts = tasks(&root);
    let got: Vec<_> = ts
        .iter()
        .map(|t| (&t.integration, t.resource.is_some(), t.retry.is_some()))
        .collect();
    let empty = Integration::Other(String::new());
    assert_eq!(got, [(&empty, true, true), (&empty, false, false)]);

    let root = load(
        r#"{"States": {"P": {"Type": "Parallel", "Branches": [1, {"States": 2}, {"States": {"T": {"Type": "Task", "Resource": {"Fn::Sub": 3}}}}]}}}"#,
    );
    let ts = tasks(&root);
    assert_eq!(
        ts.iter().map(|t| t.path.as_str()).collect::<Vec<_>>(),
        ["States.P.Branches[2].States.T"]
    );
    assert_eq!(
        ts.first().map(|t| &t.integration),
        Some(&Integration::Other("Fn::Sub".into()))
    );
}

#[test]
fn deep_nesting_is_fine() {
    // 45 nested Parallel states: four brackets each, 183 levels, below the loader's cap of 200
    let depth = 45;
    let mut text = String::new();
    for i in 0..depth {
        text.push_str(&format!(
            r#"{{"States":{{"P{i}":{{"Type":"Parallel","Branches":["#
        ));
    }
    text.push_str(r#"{"States":{"T":{"Type":"Task","Resource":"${F}"}}}"#);
    for _ in 0..depth {
        text.push_str("]}}}");
    }
    let root = load(&text);
    let ts = tasks(&root);
    assert_eq!(ts.len(), 1);
    let path = &ts.first().expect("T").path;
    assert!(
        path.starts_with("States.P0.Branches[0].States.P1."),
        "{path}"
    );
    assert!(path.ends_with(".States.T"));
}

#[test]
fn definition_text_format_detection() {
    let json = "  \n{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"${F}\",\"End\":true}}}";
    let yaml = "# comment\nStartAt: A\nStates:\n  A: {Type: Task, Resource: '${F}', End: true}\n";
    for text in [json, yaml] {
        let root = load(text);
        assert_eq!(tasks(&root).len(), 1, "{text}");
    }
    // JSON syntax errors are reported by the JSON loader, not reinterpreted as YAML
    let out = parse_definition_text("{\"States\": {,}}", 0);
    assert!(out.root.is_none());
    assert!(out.problems.iter().any(|p| p.fatal));
}

#[test]
fn byte_order_mark_keeps_spans_in_the_original_text() {
    let text = "\u{feff}{\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"${F}\"}}}";
    let root = load(text);
    let ts = tasks(&root);
    let a = ts.first().expect("A");
    assert_eq!(at(text, a.name_span), "\"A\"");
    assert_eq!(a.resource.map(|r| at(text, r.span)), Some("\"${F}\""));
    let out = parse_definition_text("\u{feff}{\"States\": ,}", 0);
    assert!(out.root.is_none());
    let p = out.problems.first().expect("a problem");
    assert!(p.span.start >= 3, "{p:?}");
    // YAML handles its own byte order mark
    let yaml = "\u{feff}States:\n  A: {Type: Task, Resource: '${F}'}\n";
    let root = load(yaml);
    let ts = tasks(&root);
    assert_eq!(ts.first().map(|t| at(yaml, t.name_span)), Some("A"));
}
