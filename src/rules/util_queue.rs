//! Helpers shared by the queue rules (EL101, EL106-EL109, EL114): in-scope queues, topics and
//! functions behind graph nodes, who consumes a queue, and names that mark a dead-letter queue.

use crate::graph::{Cfg, EdgeKind, GEdge, GNode, Graph, NodeIx, NodeKind};
use crate::model::{Part, ResHandle, System};

/// The resource behind a graph node declared in a template (not generated, not external).
#[must_use]
pub fn handle<'a>(n: &GNode<'a>) -> Option<ResHandle<'a>> {
    match (n.kind, n.tpl, n.res) {
        (NodeKind::Resource, Some(tpl), Some(res)) => Some(ResHandle { tpl, res }),
        _ => None,
    }
}

/// The in-scope resource of a node when it has one of the given types.
#[must_use]
pub fn resource_of<'a>(graph: &Graph<'a>, ix: NodeIx, types: &[&str]) -> Option<ResHandle<'a>> {
    graph
        .node(ix)
        .and_then(handle)
        .filter(|h| types.contains(&h.res.ty.as_str()))
}

pub const QUEUE: &[&str] = &["AWS::SQS::Queue"];
pub const QUEUE_OR_TOPIC: &[&str] = &["AWS::SQS::Queue", "AWS::SNS::Topic"];
pub const FUNCTION: &[&str] = &["AWS::Serverless::Function", "AWS::Lambda::Function"];

/// Whether a node stands for a Lambda function (in scope or not: an event source mapping whose
/// `FunctionName` comes from a parameter still feeds Lambda).
#[must_use]
pub fn is_function_node(n: &GNode<'_>) -> bool {
    FUNCTION.contains(&n.ty.as_str())
}

/// The SQS event sources (SAM `SQS` events, `SqsSubscription`, `AWS::Lambda::EventSourceMapping`)
/// that read a queue: (consumer node, edge).
#[must_use]
pub fn sqs_consumers<'g, 'a>(graph: &'g Graph<'a>, queue: NodeIx) -> Vec<(NodeIx, &'g GEdge<'a>)> {
    graph
        .outgoing(queue, EdgeKind::Polls)
        .into_iter()
        .filter(|(_, e)| matches!(e.cfg, Cfg::Esm { source: "SQS", .. }))
        .collect()
}

/// "`A`", "`A` and `B`", "`A`, `B` and `C`".
#[must_use]
pub fn list_ids(ids: &[String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether a name says "dead-letter queue": `dlq`, `deadletter`, `dead-letter`, `dead_letter`.
#[must_use]
pub fn is_dlq_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["dlq", "deadletter", "dead-letter", "dead_letter"]
        .iter()
        .any(|w| n.contains(w))
}

/// Whether a queue's logical ID or the literal parts of its `QueueName` mark it as a dead-letter
/// queue (of something outside the analysed templates).
#[must_use]
pub fn named_like_dlq(sys: &System, q: ResHandle<'_>) -> bool {
    if is_dlq_name(&q.res.id) {
        return true;
    }
    q.res.prop("QueueName").is_some_and(|n| {
        sys.sym(q.tpl, n).parts.iter().any(|p| match p {
            Part::Lit(s) => is_dlq_name(s),
            _ => false,
        })
    })
}

/// "345600 s (4 days)", "900 s (15 min)": seconds with a readable unit for long periods.
#[must_use]
pub fn readable_secs(v: i64) -> String {
    if v >= 86_400 && v % 86_400 == 0 {
        let d = v / 86_400;
        format!("{v} s ({d} day{})", if d == 1 { "" } else { "s" })
    } else if v >= 3_600 && v % 3_600 == 0 {
        let h = v / 3_600;
        format!("{v} s ({h} hour{})", if h == 1 { "" } else { "s" })
    } else if v >= 60 && v % 60 == 0 {
        format!("{v} s ({} min)", v / 60)
    } else {
        format!("{v} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dlq_names() {
        for yes in [
            "OrdersDLQ",
            "orders-dlq",
            "DeadLetterQueue",
            "jobs-dead-letter",
            "x_dead_letter",
        ] {
            assert!(is_dlq_name(yes), "{yes}");
        }
        for no in ["Orders", "DeadlineQueue", "LetterQueue"] {
            assert!(!is_dlq_name(no), "{no}");
        }
    }

    #[test]
    fn lists_and_seconds() {
        assert_eq!(list_ids(&["A".into()]), "`A`");
        assert_eq!(
            list_ids(&["A".into(), "B".into(), "C".into()]),
            "`A`, `B` and `C`"
        );
        assert_eq!(readable_secs(345_600), "345600 s (4 days)");
        assert_eq!(readable_secs(7_200), "7200 s (2 hours)");
        assert_eq!(readable_secs(90), "90 s");
    }
}
