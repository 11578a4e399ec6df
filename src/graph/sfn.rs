//! Step Functions: Task states of each state machine definition as edges to what they call.

use super::build::{Builder, Want};
use super::{Cfg, EdgeKind, Owner};
use crate::model::sfn::{Integration, Mode, tasks};

/// Add the edges of every state machine's Task states.
pub(super) fn state_machines(b: &mut Builder<'_>) {
    let sys = b.sys;
    let mut keys: Vec<&(usize, String)> = sys.definitions.keys().collect();
    keys.sort();
    for key in keys {
        let (tpl, id) = key;
        let (Some(def), Some(h)) = (sys.definitions.get(key), sys.resource(*tpl, id)) else {
            continue;
        };
        let Some(me) = b.g.of(*tpl, id) else { continue };
        for task in tasks(&def.root) {
            let (kind, want, cfg_sync) = match &task.integration {
                Integration::LambdaInvoke | Integration::LambdaDirect => (
                    EdgeKind::Invokes,
                    Want::Function,
                    task.mode != Mode::WaitForTaskToken,
                ),
                Integration::SnsPublish => (EdgeKind::Publishes, Want::Topic, false),
                Integration::SqsSendMessage => (EdgeKind::Publishes, Want::Queue, false),
                Integration::EventBridgePutEvents => (EdgeKind::Publishes, Want::Bus, false),
                Integration::StartExecution => (
                    EdgeKind::Invokes,
                    Want::StateMachine,
                    task.mode == Mode::Sync,
                ),
                Integration::DynamoDb(op) if op.eq_ignore_ascii_case("getItem") => {
                    (EdgeKind::Reads, Want::Table, false)
                }
                Integration::DynamoDb(_) => (EdgeKind::Writes, Want::Table, false),
                _ => continue,
            };
            let owner = Owner {
                tpl: *tpl,
                res: h.res,
                event: None,
            };
            let cfg = Cfg::Task {
                path: task.path.clone(),
                sync: cfg_sync,
            };
            let to = match (task.target, &task.integration) {
                (None, Integration::EventBridgePutEvents) => b.default_bus(task.name_span),
                (None, _) => continue,
                (Some(_), _) if task.target_dynamic => continue,
                (Some(t), Integration::EventBridgePutEvents)
                    if sys.sym(*tpl, &def.with_vars(t)).literal().as_deref() == Some("default") =>
                {
                    b.default_bus(t.span)
                }
                (Some(t), _) => b.resolve(*tpl, &def.with_vars(t), want),
            };
            b.edge(me, to, kind, task.name_span, owner, cfg);
        }
    }
}
