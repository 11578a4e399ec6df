//! CloudWatch alarms: an `alarms` edge from each `AWS::CloudWatch::Alarm` to the resource its
//! dimensions name (plain alarms and metric-math alarms with `Metrics`), so rules can ask
//! "who watches this queue / function / state machine".

use super::build::{Builder, Want};
use super::{Cfg, EdgeKind, Owner};
use crate::model::{Node, Resource, TplId};

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
];

/// Add the `alarms` edges of one alarm.
pub(super) fn alarm<'a>(b: &mut Builder<'a>, tpl: TplId, res: &'a Resource) {
    let Some(me) = b.g.of(tpl, &res.id) else {
        return;
    };
    let mut dimension_lists: Vec<&'a Node> = res.prop("Dimensions").into_iter().collect();
    for m in res.prop("Metrics").map(Node::items).unwrap_or_default() {
        dimension_lists.extend(m.path(&["MetricStat", "Metric", "Dimensions"]));
    }
    for dims in dimension_lists {
        for d in dims.items() {
            let (Some(name), Some(value)) = (d.get("Name").and_then(Node::as_str), d.get("Value"))
            else {
                continue;
            };
            let Some((_, want)) = DIMENSIONS.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            let hint = if name == "RuleName" {
                Some("events-rule")
            } else {
                want.hint()
            };
            // only resources of the run: an alarm on something else says nothing about them
            let Some(h) = b.sys.target(tpl, value, hint) else {
                continue;
            };
            let Some(to) = b.g.of(h.tpl, &h.res.id) else {
                continue;
            };
            let owner = Owner {
                tpl,
                res,
                event: None,
            };
            b.edge(me, to, EdgeKind::Alarms, d.span, owner, Cfg::None);
        }
    }
}
