//! What handler code does, as edges: the function `publishes` to topics, queues, buses and
//! streams, `invokes` functions and state machines (sync or async), `writes`/`reads` tables and
//! buckets, each edge with the span of the call in the handler file.

use super::build::Builder;
use super::{Cfg, EdgeKind, Owner};
use crate::code::resolve::{CallTarget, call_targets, invocation_is_async};

/// The edge kind of an SDK operation, and whether the caller waits (for invokes).
fn kind_of(service: &str, op: &str) -> Option<EdgeKind> {
    Some(match (service, op) {
        ("events", "PutEvents")
        | ("sns", "Publish" | "PublishBatch")
        | ("sqs", "SendMessage" | "SendMessageBatch") => EdgeKind::Publishes,
        ("kinesis", "PutRecord" | "PutRecords") | ("firehose", "PutRecord" | "PutRecordBatch") => {
            EdgeKind::Publishes
        }
        ("lambda", "Invoke" | "InvokeAsync" | "InvokeWithResponseStream")
        | ("states", "StartExecution" | "StartSyncExecution") => EdgeKind::Invokes,
        (
            "dynamodb",
            "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems",
        )
        | ("s3", "PutObject" | "CopyObject" | "DeleteObject" | "DeleteObjects") => EdgeKind::Writes,
        ("dynamodb", "GetItem" | "Query" | "Scan" | "BatchGetItem") | ("s3", "GetObject") => {
            EdgeKind::Reads
        }
        _ => return None,
    })
}

/// Add the code edges of every function.
pub(super) fn code_edges(b: &mut Builder<'_>) {
    let sys = b.sys;
    for ((tpl, id), code) in &sys.code {
        let (Some(f), Some(me)) = (sys.resource(*tpl, id), b.g.of(*tpl, id)) else {
            continue;
        };
        for (i, call) in code.facts.calls.iter().enumerate() {
            let Some(kind) = kind_of(&call.service, &call.operation) else {
                continue;
            };
            let sync = match (call.service.as_str(), call.operation.as_str()) {
                ("lambda", _) => invocation_is_async(call).map(|a| !a),
                ("states", "StartSyncExecution") => Some(true),
                ("states", _) => Some(false),
                _ => None,
            };
            for target in call_targets(sys, f, call) {
                let to = match target {
                    CallTarget::Resource(h) => match b.g.of(h.tpl, &h.res.id) {
                        Some(ix) => ix,
                        None => continue,
                    },
                    CallTarget::DefaultBus => b.default_bus(call.span),
                    CallTarget::Unknown(_) => continue,
                };
                let owner = Owner {
                    tpl: *tpl,
                    res: f.res,
                    event: None,
                };
                b.edge(me, to, kind, call.span, owner, Cfg::Code { call: i, sync });
            }
        }
    }
}
