//! CloudWatch alarms: an `alarms` edge from each `AWS::CloudWatch::Alarm` to the resource each
//! dimension of each metric it reads names (plain alarms and metric-math alarms with `Metrics`;
//! resources of the run, including those SAM generates), carrying the namespace and metric, so
//! rules can ask "who watches this queue / function / state machine, and on which metric". A
//! dimension whose value is not known here (a parameter, another stack) gets an edge to an
//! external `unknown` node instead, so rules can stay silent. A composite alarm gets an edge to
//! each alarm its `AlarmRule` names.

use super::build::{Builder, Want};
use super::{Cfg, EdgeKind, NodeIx, NodeKind, Owner};
use crate::model::alarm::{self, ALARM, AlarmRef, COMPOSITE};
use crate::model::{Node, Part, ResHandle, Resource, Sym, TplId, names};
use crate::source::Span;

/// Dimension names that identify an event-path resource.
const DIMENSIONS: &[(&str, Want)] = &[
    ("QueueName", Want::Queue),
    ("FunctionName", Want::Function),
    ("StateMachineArn", Want::StateMachine),
    ("TopicName", Want::Topic),
    ("StreamName", Want::Stream),
    ("TableName", Want::Table),
    ("EventBusName", Want::Bus),
    ("RuleName", Want::Any),
    ("BucketName", Want::Bucket),
    // AWS/Lambda `Resource`: `function:alias` or `function:version`
    ("Resource", Want::Function),
];

/// What a dimension value names.
enum Target {
    Node(NodeIx),
    /// Something outside the run.
    Elsewhere,
    /// Not known here.
    Unknown(String),
}

/// Add the edges of every alarm and composite alarm of the system.
pub(super) fn alarms(b: &mut Builder<'_>) {
    let sys = b.sys;
    for h in sys.resources() {
        match h.res.ty.as_str() {
            ALARM => alarm(b, h.tpl, h.res),
            COMPOSITE => composite(b, h.tpl, h.res),
            _ => {}
        }
    }
}

fn alarm<'a>(b: &mut Builder<'a>, tpl: TplId, res: &'a Resource) {
    let Some(me) = b.g.of(tpl, &res.id) else {
        return;
    };
    let owner = Owner {
        tpl,
        res,
        event: None,
    };
    for m in alarm::metrics(b.sys, tpl, res) {
        if m.query {
            let to = b.external("unknown: Metrics Insights query".into(), "external", m.span);
            let cfg = Cfg::Alarm {
                namespace: m.namespace.clone(),
                metric: None,
                dimension: "*",
                used: m.used,
                known: false,
                metric_span: m.span,
            };
            b.edge(me, to, EdgeKind::Alarms, m.span, owner.clone(), cfg);
            continue;
        }
        for d in &m.dimensions {
            let Some((dimension, want)) = DIMENSIONS.iter().find(|(n, _)| *n == d.name) else {
                continue;
            };
            if *dimension == "Resource" && m.namespace.as_deref().is_some_and(|n| n != "AWS/Lambda")
            {
                continue;
            }
            let (to, known) = match target(b, tpl, d.value, dimension, *want) {
                Target::Node(ix) => (ix, true),
                // an alarm on something else says nothing about the resources of the run
                Target::Elsewhere => continue,
                Target::Unknown(reason) => (
                    b.external(format!("unknown: {reason}"), "external", d.value.span),
                    false,
                ),
            };
            let cfg = Cfg::Alarm {
                namespace: m.namespace.clone(),
                metric: m.name.clone(),
                dimension,
                used: m.used,
                known,
                metric_span: m.span,
            };
            b.edge(me, to, EdgeKind::Alarms, d.span, owner.clone(), cfg);
        }
    }
}

/// The node a dimension value names.
fn target(b: &Builder<'_>, tpl: TplId, value: &Node, dimension: &str, want: Want) -> Target {
    let sys = b.sys;
    let hint = if dimension == "RuleName" {
        Some("events-rule")
    } else {
        want.hint()
    };
    if let Some(ix) = generated(b, tpl, value) {
        return Target::Node(ix);
    }
    if let Some(h) = sys.target(tpl, value, hint) {
        return in_scope(b, h, want);
    }
    let sym = sys.sym(tpl, value);
    match sym.pattern() {
        // a literal name that several resources of the run may have is not known
        Some(text) => match names::parse_reference(&text, hint) {
            Some((svc, name)) if sys.names.lookup_all(svc, &name).len() > 1 => {
                Target::Unknown(format!("`{text}` names several resources"))
            }
            _ => Target::Elsewhere,
        },
        None => Target::Unknown(
            sym.unknown_reason()
                .unwrap_or("a value not known here")
                .to_string(),
        ),
    }
}

/// An in-scope resource as the node of the thing the dimension names: an alias or version of a
/// function stands for the function; a resource of another type is not what the metric means.
fn in_scope(b: &Builder<'_>, h: ResHandle<'_>, want: Want) -> Target {
    let node = |h: ResHandle<'_>| {
        b.g.of(h.tpl, &h.res.id)
            .map_or_else(|| Target::Unknown("not in the graph".into()), Target::Node)
    };
    let ty = h.res.ty.as_str();
    if matches!(want, Want::Function) && matches!(ty, "AWS::Lambda::Alias" | "AWS::Lambda::Version")
    {
        return match h
            .res
            .prop("FunctionName")
            .and_then(|f| b.sys.target(h.tpl, f, Some("lambda")))
        {
            Some(f) if f.res.is_function() => node(f),
            _ => Target::Unknown(format!("the function of `{}` is not known", h.res.id)),
        };
    }
    if fits(want, ty) {
        node(h)
    } else {
        Target::Unknown(format!("`{}` is a {ty}", h.res.id))
    }
}

fn fits(want: Want, ty: &str) -> bool {
    match want {
        Want::Queue => ty == "AWS::SQS::Queue",
        Want::Topic => ty == "AWS::SNS::Topic",
        Want::Function => matches!(ty, "AWS::Lambda::Function" | "AWS::Serverless::Function"),
        Want::Bus => ty == "AWS::Events::EventBus",
        Want::StateMachine => matches!(
            ty,
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine"
        ),
        Want::Stream => ty == "AWS::Kinesis::Stream",
        Want::Table => matches!(
            ty,
            "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" | "AWS::Serverless::SimpleTable"
        ),
        Want::Bucket => ty == "AWS::S3::Bucket",
        Want::Any => ty == "AWS::Events::Rule",
    }
}

/// A resource SAM generates that a `Ref`/`Fn::GetAtt`/`Fn::Sub` names: a generated node of the
/// graph (`<Fn><Event>Queue`, a `QueueLogicalId`, the rule of an event), the queue or topic
/// behind `<Fn>.DestinationQueue`/`<Fn>.DestinationTopic`, or the function behind `<Fn>.Alias`,
/// `<Fn>.Version` and the alias `<Fn>Alias<name>`.
fn generated(b: &Builder<'_>, tpl: TplId, value: &Node) -> Option<NodeIx> {
    let (name, attr) = referenced_id(value)?;
    let generated_node = |id: &str| {
        b.g.of(tpl, id)
            .filter(|ix| b.g.node(*ix).is_some_and(|n| n.kind == NodeKind::Generated))
    };
    if let Some(ix) = generated_node(name) {
        return Some(ix);
    }
    let sam_function = b
        .sys
        .resource(tpl, name)
        .filter(|h| h.res.ty == "AWS::Serverless::Function");
    if let Some(f) = sam_function {
        let attr = attr.unwrap_or("");
        let first = attr.split('.').next().unwrap_or("");
        return match first {
            "Alias" | "Version" => b.g.of(tpl, &f.res.id),
            "DestinationQueue" | "DestinationTopic" => {
                // SAM resolves it only when it creates one of them
                let suffix = &first["Destination".len()..];
                let made: Vec<NodeIx> = ["OnFailure", "OnSuccess"]
                    .iter()
                    .filter_map(|k| generated_node(&format!("{name}EventInvokeConfig{k}{suffix}")))
                    .collect();
                match made[..] {
                    [one] => Some(one),
                    _ => None,
                }
            }
            _ => None,
        };
    }
    // the alias SAM creates for `AutoPublishAlias`
    let t = b.sys.templates.get(tpl)?;
    t.resources.iter().find_map(|r| {
        let alias = name.strip_prefix(r.id.as_str())?.strip_prefix("Alias")?;
        let published = r.prop("AutoPublishAlias").and_then(Node::as_str)?;
        (alias == published && r.ty == "AWS::Serverless::Function")
            .then(|| b.g.of(tpl, &r.id))
            .flatten()
    })
}

/// The logical ID and attribute that a value consisting of one `Ref` (SAM's `Ref: Fn.Alias`
/// included), `Fn::GetAtt` or single-variable `Fn::Sub` names.
fn referenced_id(value: &Node) -> Option<(&str, Option<&str>)> {
    fn split(s: &str) -> (&str, Option<&str>) {
        match s.split_once('.') {
            Some((r, a)) => (r, Some(a)),
            None => (s, None),
        }
    }
    match value.intrinsic()? {
        ("Ref", arg) => arg.as_str().map(split),
        ("Fn::GetAtt", arg) => match arg.items() {
            [res, attr, ..] => Some((res.as_str()?, attr.as_str())),
            [] => arg.as_str().map(split),
            [_] => None,
        },
        ("Fn::Sub", arg) => {
            let s = arg.as_str()?;
            let var = s.strip_prefix("${")?.strip_suffix('}')?;
            (!var.contains("${") && !var.contains("::")).then(|| split(var))
        }
        _ => None,
    }
}

fn composite<'a>(b: &mut Builder<'a>, tpl: TplId, res: &'a Resource) {
    let Some(me) = b.g.of(tpl, &res.id) else {
        return;
    };
    let span = res.prop("AlarmRule").map_or(res.id_span, |n| n.span);
    let owner = Owner {
        tpl,
        res,
        event: None,
    };
    for child in alarm::composite_children(b.sys, tpl, res) {
        let (to, known) = match child {
            AlarmRef::Resource(r) => match b.sys.resource(r.tpl, &r.id) {
                Some(h) if matches!(h.res.ty.as_str(), ALARM | COMPOSITE) => {
                    match b.g.of(h.tpl, &h.res.id) {
                        Some(ix) => (ix, true),
                        None => continue,
                    }
                }
                _ => continue,
            },
            AlarmRef::Name(name) => match b.sys.names.lookup_all("cloudwatch-alarm", &name)[..] {
                [] => continue,
                [(t, id)] => match b.g.of(t, id) {
                    Some(ix) => (ix, true),
                    None => continue,
                },
                _ => (
                    unknown(b, format!("`{name}` names several alarms"), span),
                    false,
                ),
            },
            AlarmRef::Built(sym) => match named(b, tpl, &sym) {
                Some(ix) => (ix, true),
                None => (
                    unknown(b, "an alarm name not known here".into(), span),
                    false,
                ),
            },
            AlarmRef::Unknown(reason) => (unknown(b, reason, span), false),
        };
        b.edge(
            me,
            to,
            EdgeKind::Alarms,
            span,
            owner.clone(),
            Cfg::Composite { known },
        );
    }
}

/// The one alarm of the template whose `AlarmName` resolves to the same parts (the same
/// parameters in the same places).
fn named(b: &Builder<'_>, tpl: TplId, sym: &Sym) -> Option<NodeIx> {
    // `Fn::Sub` leaves empty literal pieces around values it cannot resolve
    let parts = |s: &Sym| -> Vec<Part> {
        s.parts
            .iter()
            .filter(|p| !matches!(p, Part::Lit(l) if l.is_empty()))
            .cloned()
            .collect()
    };
    let want = parts(sym);
    let t = b.sys.templates.get(tpl)?;
    let mut found = t.resources.iter().filter(|r| {
        matches!(r.ty.as_str(), ALARM | COMPOSITE)
            && r.prop("AlarmName")
                .is_some_and(|n| parts(&b.sys.sym(tpl, n)) == want)
    });
    let one = found.next()?;
    if found.next().is_some() {
        return None;
    }
    b.g.of(tpl, &one.id)
}

fn unknown(b: &mut Builder<'_>, reason: String, span: Span) -> NodeIx {
    b.external(format!("unknown: {reason}"), "external", span)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::graph::{Cfg, EdgeKind, build};
    use crate::model::{System, Template, yaml};
    use crate::source::SourceDb;

    fn system(text: &str) -> System {
        let root = yaml::load(text, 0).root.unwrap_or_else(|| panic!("parses"));
        System::new(
            SourceDb::default(),
            vec![Template::new(0, PathBuf::new(), root)],
        )
    }

    /// (alarm, target, dimension or `composite`, known) for every alarm edge.
    fn alarm_edges(sys: &System) -> Vec<(String, String, String, bool)> {
        let g = build(sys);
        let mut v: Vec<(String, String, String, bool)> = g
            .edges(EdgeKind::Alarms)
            .filter_map(|(a, b, e)| {
                let (dim, known) = match &e.cfg {
                    Cfg::Alarm {
                        dimension, known, ..
                    } => ((*dimension).to_string(), *known),
                    Cfg::Composite { known } => ("composite".to_string(), *known),
                    _ => return None,
                };
                Some((g.node(a)?.id.clone(), g.node(b)?.id.clone(), dim, known))
            })
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn dimensions_reach_generated_resources_aliases_and_unknowns() {
        let sys = system(
            "Transform: AWS::Serverless-2016-10-31
Parameters: {QueueParam: {Type: String}, Stage: {Type: String}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      Events:
        Nightly:
          Type: Schedule
          Properties: {Schedule: rate(1 day), DeadLetterConfig: {Type: SQS}}
      EventInvokeConfig:
        DestinationConfig: {OnFailure: {Type: SQS}}
  RuleDlq:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{Name: QueueName, Value: !GetAtt FnNightlyQueue.QueueName}]
  AsyncDlq:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: !Sub async-dlq-${Stage}
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{Name: QueueName, Value: !GetAtt Fn.DestinationQueue.QueueName}]
  Alias:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions: [{Name: FunctionName, Value: !Ref FnAliaslive}]
  Param:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{Name: QueueName, Value: !Ref QueueParam}]
  Elsewhere:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions: [{Name: QueueName, Value: legacy-orders-dlq}]
  Both:
    Type: AWS::CloudWatch::CompositeAlarm
    Properties:
      AlarmRule: !Sub ALARM(${RuleDlq}) OR ALARM(\"async-dlq-${Stage}\")
",
        );
        let s = |x: &str| x.to_string();
        assert_eq!(
            alarm_edges(&sys),
            vec![
                (s("Alias"), s("Fn"), s("FunctionName"), true),
                (
                    s("AsyncDlq"),
                    s("FnEventInvokeConfigOnFailureQueue"),
                    s("QueueName"),
                    true
                ),
                (s("Both"), s("AsyncDlq"), s("composite"), true),
                (s("Both"), s("RuleDlq"), s("composite"), true),
                (
                    s("Param"),
                    s("unknown: parameter `QueueParam`"),
                    s("QueueName"),
                    false
                ),
                (s("RuleDlq"), s("FnNightlyQueue"), s("QueueName"), true),
            ]
        );
    }
}
