//! CloudWatch alarms as typed views: what an `AWS::CloudWatch::Alarm` watches (the namespace,
//! metric, statistic and dimensions of a plain alarm, or of each `MetricStat` of a metric-math
//! alarm with whether the expression the alarm evaluates uses it), whether it tells anybody
//! (`AlarmActions`, `ActionsEnabled`), and which alarms the `AlarmRule` of an
//! `AWS::CloudWatch::CompositeAlarm` names.

use std::collections::HashSet;

use super::intrinsics::{Part, ResRef, Sym, presence};
use super::{Node, Resource, System, TplId};
use crate::source::Span;

pub const ALARM: &str = "AWS::CloudWatch::Alarm";
pub const COMPOSITE: &str = "AWS::CloudWatch::CompositeAlarm";

/// One metric an alarm reads.
#[derive(Clone, Debug)]
pub struct AlarmMetric<'a> {
    /// `None` when not known here (a parameter, a computed value).
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// `Statistic`, `ExtendedStatistic` or the `MetricStat.Stat`.
    pub stat: Option<String>,
    pub dimensions: Vec<Dimension<'a>>,
    /// The alarm evaluates this metric: always for a plain alarm; for metric math, when the
    /// returned expression (or the anomaly-detection threshold) uses it, or when that cannot be
    /// told.
    pub used: bool,
    /// A Metrics Insights query (`SELECT ... FROM SCHEMA("AWS/SQS", QueueName) ...`): the
    /// namespace is read from its text, the metric and the dimensions it selects are not known.
    pub query: bool,
    /// Where the metric is named (`MetricName`, the query), else the alarm's key.
    pub span: Span,
}

/// A `{Name, Value}` dimension of a metric.
#[derive(Clone, Debug)]
pub struct Dimension<'a> {
    pub name: String,
    pub value: &'a Node,
    pub span: Span,
}

/// Whether an alarm (plain or composite) tells anybody when it goes off.
#[derive(Clone, Debug, PartialEq)]
pub enum Actions {
    /// `AlarmActions` lists at least one action (the list's span).
    Notify(Span),
    /// No `AlarmActions`, or an empty list (its span).
    None(Option<Span>),
    /// `ActionsEnabled: false` (its span): the actions never run.
    Disabled(Span),
    /// Depends on a condition or a value not known here.
    Unknown(String),
}

/// An alarm a composite alarm's rule names.
#[derive(Clone, Debug, PartialEq)]
pub enum AlarmRef {
    /// By `Ref`/`Fn::GetAtt` (`${Alarm}`, `${Alarm.Arn}` in a `Fn::Sub`).
    Resource(ResRef),
    /// By a literal name or ARN (pseudo parameters as `*`).
    Name(String),
    /// By a name built from values not known here, to compare with the alarms' `AlarmName`.
    Built(Sym),
    /// A part of the rule not known here.
    Unknown(String),
}

/// The metrics an alarm reads: its own `Namespace`/`MetricName`/`Dimensions`, or each
/// `MetricStat` (and Metrics Insights query) of its `Metrics` list.
#[must_use]
pub fn metrics<'a>(sys: &System, tpl: TplId, res: &'a Resource) -> Vec<AlarmMetric<'a>> {
    let lit = |n: Option<&Node>| n.and_then(|n| sys.sym(tpl, n).literal());
    if let Some(list) = res.prop("Metrics") {
        let items = list.items();
        let used = used_ids(sys, tpl, items, res.prop("ThresholdMetricId"));
        let mut out = Vec::new();
        for item in items {
            let is_used = match (
                &used,
                item.get("Id").and_then(|i| sys.sym(tpl, i).literal()),
            ) {
                (Some(set), Some(id)) => set.contains(&id),
                _ => true,
            };
            if let Some(stat) = item.get("MetricStat") {
                let metric = stat.get("Metric");
                let name = metric.and_then(|m| m.get("MetricName"));
                out.push(AlarmMetric {
                    namespace: lit(metric.and_then(|m| m.get("Namespace"))),
                    name: lit(name),
                    stat: lit(stat.get("Stat")),
                    dimensions: dimensions(metric.and_then(|m| m.get("Dimensions"))),
                    used: is_used,
                    query: false,
                    span: name.map_or(stat.span, |n| n.span),
                });
            } else if let Some(expr) = item.get("Expression") {
                let text = sys.sym(tpl, expr).literal();
                let is_query = text.as_deref().is_none_or(|t| {
                    t.trim_start()
                        .get(..6)
                        .is_some_and(|s| s.eq_ignore_ascii_case("select"))
                });
                // an expression not known here may be a query too
                if is_query {
                    out.push(AlarmMetric {
                        namespace: text.as_deref().and_then(query_namespace),
                        name: None,
                        stat: None,
                        dimensions: Vec::new(),
                        used: is_used,
                        query: true,
                        span: expr.span,
                    });
                }
            }
        }
        return out;
    }
    let name = res.prop("MetricName");
    if name.is_none() && res.prop("Namespace").is_none() {
        return Vec::new();
    }
    vec![AlarmMetric {
        namespace: lit(res.prop("Namespace")),
        name: lit(name),
        stat: lit(res
            .prop("Statistic")
            .or_else(|| res.prop("ExtendedStatistic"))),
        dimensions: dimensions(res.prop("Dimensions")),
        used: true,
        query: false,
        span: name.map_or(res.id_span, |n| n.span),
    }]
}

fn dimensions(list: Option<&Node>) -> Vec<Dimension<'_>> {
    list.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| {
            Some(Dimension {
                name: d.get("Name")?.as_str()?.to_string(),
                value: d.get("Value")?,
                span: d.span,
            })
        })
        .collect()
}

/// The ids of a `Metrics` list the alarm evaluates: the items it returns (`ReturnData` true, or
/// not set to false when none says true), the `ThresholdMetricId` item, and every id their
/// expressions name, transitively. `None` when that cannot be told (ids or expressions not
/// known here, `METRICS()`, which takes every metric).
fn used_ids(
    sys: &System,
    tpl: TplId,
    items: &[Node],
    threshold: Option<&Node>,
) -> Option<HashSet<String>> {
    let mut ids = Vec::new();
    for item in items {
        ids.push(sys.sym(tpl, item.get("Id")?).literal()?);
    }
    let returns = |want_explicit: bool| -> Vec<usize> {
        items
            .iter()
            .enumerate()
            .filter(|(_, i)| match i.get("ReturnData") {
                Some(r) => r.as_bool() != Some(false),
                None => !want_explicit,
            })
            .map(|(ix, _)| ix)
            .collect()
    };
    let mut todo = returns(true);
    if todo.is_empty() {
        todo = returns(false);
    }
    if let Some(t) = threshold {
        let t = sys.sym(tpl, t).literal()?;
        todo.extend(ids.iter().position(|i| *i == t));
    }
    let mut used = HashSet::new();
    while let Some(ix) = todo.pop() {
        let (Some(id), Some(item)) = (ids.get(ix), items.get(ix)) else {
            continue;
        };
        if !used.insert(id.clone()) {
            continue;
        }
        let Some(expr) = item.get("Expression") else {
            continue;
        };
        let text = sys.sym(tpl, expr).literal()?;
        if text.to_ascii_uppercase().contains("METRICS(") {
            return None;
        }
        for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if let Some(p) = ids.iter().position(|i| i == token) {
                todo.push(p);
            }
        }
    }
    Some(used)
}

/// The namespace a Metrics Insights query reads (`SCHEMA("AWS/SQS", ...)` or `FROM "AWS/SQS"`).
fn query_namespace(text: &str) -> Option<String> {
    let start = text.find("AWS/")?;
    let ns: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
        .collect();
    Some(ns)
}

/// Whether an alarm or composite alarm tells anybody: `ActionsEnabled` and `AlarmActions`.
#[must_use]
pub fn actions(sys: &System, tpl: TplId, res: &Resource) -> Actions {
    if let Some(enabled) = res.prop("ActionsEnabled") {
        match sys.boolean(tpl, enabled).value() {
            Some(false) => return Actions::Disabled(enabled.span),
            Some(true) => {}
            None => return Actions::Unknown("ActionsEnabled is not known here".into()),
        }
    }
    let list = res.prop("AlarmActions");
    let Some(p) = presence(list) else {
        return Actions::Unknown("AlarmActions depends on a condition".into());
    };
    let Some(list) = list.filter(|_| p) else {
        return Actions::None(None);
    };
    if !list.is_seq() {
        // `!Ref` to a list parameter, `!If`, `!Split`: known only when it resolves to a list
        return match sys.list(tpl, list, 0) {
            Some(v) if v.is_empty() => Actions::None(Some(list.span)),
            Some(_) => Actions::Notify(list.span),
            None => Actions::Unknown("AlarmActions is not known here".into()),
        };
    }
    let mut unknown = false;
    for item in list.items() {
        match presence(Some(item)) {
            Some(true) => return Actions::Notify(list.span),
            Some(false) => {}
            None => unknown = true,
        }
    }
    if unknown {
        Actions::Unknown("an AlarmActions entry depends on a condition".into())
    } else {
        Actions::None(Some(list.span))
    }
}

/// The alarms a composite alarm's `AlarmRule` names in `ALARM(...)`, `OK(...)` and
/// `INSUFFICIENT_DATA(...)`: resources it refers to (`${Alarm}`, `${Alarm.Arn}`), literal
/// names and ARNs, names built from values not known here (to compare with the `AlarmName` of
/// the alarms), and rules not known here at all.
#[must_use]
pub fn composite_children(sys: &System, tpl: TplId, res: &Resource) -> Vec<AlarmRef> {
    let Some(rule) = res.prop("AlarmRule") else {
        return Vec::new();
    };
    let sym = sys.sym(tpl, rule);
    if sym.parts.len() == 1 && !matches!(sym.parts.first(), Some(Part::Lit(_))) {
        // the whole rule is a parameter or a value not known here
        return vec![AlarmRef::Unknown(
            sym.unknown_reason()
                .unwrap_or("a value not known here")
                .to_string(),
        )];
    }
    // the rule as text, each part that is not literal as one private-use character
    let mut text = String::new();
    for (i, p) in sym.parts.iter().enumerate() {
        match p {
            Part::Lit(s) => text.push_str(s),
            _ => text.push(placeholder(i)),
        }
    }
    let mut out = Vec::new();
    for arg in state_function_args(&text) {
        let mut parts: Vec<Part> = Vec::new();
        for c in arg.chars() {
            match part_of(c).and_then(|i| sym.parts.get(i)) {
                Some(p) => parts.push(p.clone()),
                None => match parts.last_mut() {
                    Some(Part::Lit(s)) => s.push(c),
                    _ => parts.push(Part::Lit(c.to_string())),
                },
            }
        }
        let parts = strip_arn(parts);
        let r = match parts.as_slice() {
            [] => continue,
            [Part::Res(r)] => AlarmRef::Resource(r.clone()),
            _ if parts
                .iter()
                .all(|p| matches!(p, Part::Lit(_) | Part::Pseudo(_))) =>
            {
                AlarmRef::Name(Sym { parts }.pattern().unwrap_or_default())
            }
            _ => AlarmRef::Built(Sym { parts }),
        };
        out.push(r);
    }
    out
}

/// Private-use characters stand for the parts of a rule that are not literal.
const PLACEHOLDER: u32 = 0xE000;
const PLACEHOLDERS: u32 = 0x1800;

fn placeholder(i: usize) -> char {
    let i = u32::try_from(i).unwrap_or(0).min(PLACEHOLDERS - 1);
    char::from_u32(PLACEHOLDER + i).unwrap_or('\u{E000}')
}

fn part_of(c: char) -> Option<usize> {
    let v = u32::from(c);
    if (PLACEHOLDER..PLACEHOLDER + PLACEHOLDERS).contains(&v) {
        usize::try_from(v - PLACEHOLDER).ok()
    } else {
        None
    }
}

/// An alarm ARN (`arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`) reduced to the
/// name.
fn strip_arn(parts: Vec<Part>) -> Vec<Part> {
    if !matches!(parts.first(), Some(Part::Lit(s)) if s.starts_with("arn:")) {
        return parts;
    }
    let mut out = Vec::new();
    let mut found = false;
    for p in parts {
        if found {
            out.push(p);
        } else if let Part::Lit(s) = &p
            && let Some((_, rest)) = s.split_once(":alarm:")
        {
            found = true;
            if !rest.is_empty() {
                out.push(Part::Lit(rest.to_string()));
            }
        }
    }
    out
}

/// The arguments of `ALARM(..)`, `OK(..)`, `INSUFFICIENT_DATA(..)` in an alarm rule, without
/// quotes.
fn state_function_args(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let upper = text.to_ascii_uppercase();
    for f in ["ALARM(", "OK(", "INSUFFICIENT_DATA("] {
        let mut from = 0;
        while let Some(pos) = upper.get(from..).and_then(|u| u.find(f)) {
            let start = from + pos + f.len();
            // `INSUFFICIENT_DATA(` also contains no `ALARM(`; `ALARM(` inside a longer word is not
            // a function
            let before = upper[..from + pos].chars().next_back();
            from = start;
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let Some(end) = text.get(start..).and_then(|t| t.find(')')) else {
                break;
            };
            let arg = text[start..start + end].trim().trim_matches(['"', '\'']);
            // ALARM(name, ...) is not a form CloudWatch has; keep the first argument
            out.push(arg.split(',').next().unwrap_or(arg).trim());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::model::{Template, yaml};
    use crate::source::SourceDb;

    fn system(text: &str) -> System {
        let root = yaml::load(text, 0).root.unwrap_or_else(|| panic!("parses"));
        System::new(
            SourceDb::default(),
            vec![Template::new(0, PathBuf::new(), root)],
        )
    }

    fn res<'a>(sys: &'a System, id: &str) -> &'a Resource {
        sys.resource(0, id).unwrap_or_else(|| panic!("no {id}")).res
    }

    #[test]
    fn metric_math_marks_what_the_expression_uses() {
        let sys = system(
            "Parameters: {Topic: {Type: String}}
Resources:
  Dlq: {Type: AWS::SQS::Queue}
  Math:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmActions: [!Ref Topic]
      Metrics:
        - Id: total
          Expression: visible + delayed
        - Id: visible
          ReturnData: false
          MetricStat:
            Metric:
              Namespace: AWS/SQS
              MetricName: ApproximateNumberOfMessagesVisible
              Dimensions: [{Name: QueueName, Value: !GetAtt Dlq.QueueName}]
            Stat: Maximum
        - Id: delayed
          ReturnData: false
          MetricStat:
            Metric: {Namespace: AWS/SQS, MetricName: ApproximateNumberOfMessagesDelayed}
            Stat: Maximum
        - Id: unused
          ReturnData: false
          MetricStat:
            Metric: {Namespace: AWS/SQS, MetricName: NumberOfMessagesSent}
            Stat: Sum
  Off:
    Type: AWS::CloudWatch::Alarm
    Properties: {Namespace: AWS/SQS, MetricName: X, ActionsEnabled: false, AlarmActions: [a]}
  Empty:
    Type: AWS::CloudWatch::Alarm
    Properties: {Namespace: AWS/SQS, MetricName: X, AlarmActions: []}
  Maybe:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/SQS
      MetricName: X
      AlarmActions: [!If [Prod, !Ref Topic, !Ref AWS::NoValue]]
",
        );
        let m = metrics(&sys, 0, res(&sys, "Math"));
        let got: Vec<(Option<&str>, bool, usize)> = m
            .iter()
            .map(|m| (m.name.as_deref(), m.used, m.dimensions.len()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("ApproximateNumberOfMessagesVisible"), true, 1),
                (Some("ApproximateNumberOfMessagesDelayed"), true, 0),
                (Some("NumberOfMessagesSent"), false, 0),
            ]
        );
        assert!(matches!(
            actions(&sys, 0, res(&sys, "Math")),
            Actions::Notify(_)
        ));
        assert!(matches!(
            actions(&sys, 0, res(&sys, "Off")),
            Actions::Disabled(_)
        ));
        assert!(matches!(
            actions(&sys, 0, res(&sys, "Empty")),
            Actions::None(Some(_))
        ));
        assert!(matches!(
            actions(&sys, 0, res(&sys, "Maybe")),
            Actions::Unknown(_)
        ));
    }

    #[test]
    fn composite_rules_name_alarms_by_reference_name_and_arn() {
        let sys = system(
            "Parameters: {Other: {Type: String}}
Resources:
  A: {Type: AWS::CloudWatch::Alarm, Properties: {Namespace: AWS/SQS, MetricName: X}}
  C:
    Type: AWS::CloudWatch::CompositeAlarm
    Properties:
      AlarmRule: !Sub >-
        ALARM(\"${A}\") OR ALARM(${A.Arn}) OR OK('orders-dlq-depth')
        OR ALARM(arn:aws:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:payments-errors)
        OR INSUFFICIENT_DATA(${Other})
",
        );
        let refs = composite_children(&sys, 0, res(&sys, "C"));
        let a = AlarmRef::Resource(ResRef {
            tpl: 0,
            id: "A".into(),
            attr: None,
        });
        assert_eq!(refs.first(), Some(&a));
        assert!(refs.contains(&AlarmRef::Name("orders-dlq-depth".into())));
        assert!(refs.contains(&AlarmRef::Name("payments-errors".into())));
        assert!(refs.iter().any(|r| matches!(r, AlarmRef::Built(_))));
        assert_eq!(refs.len(), 5);
    }
}
