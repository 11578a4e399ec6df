//! Helpers shared by the Step Functions rules.

use super::rule::Context;
use crate::model::sfn::{Task, tasks};

/// Every Task state of every state machine, with the state machine's logical ID, in a stable
/// order.
pub fn tasks_of<'a>(cx: &Context<'a>) -> Vec<(&'a str, Task<'a>)> {
    let mut keys: Vec<&(usize, String)> = cx.sys.definitions.keys().collect();
    keys.sort();
    keys.into_iter()
        .filter_map(|k| cx.sys.definitions.get(k).map(|d| (k.1.as_str(), d)))
        .flat_map(|(sm, d)| tasks(&d.root).into_iter().map(move |t| (sm, t)))
        .collect()
}

/// Whether a task's errors are caught: by its own `Catch`, or by the `Catch` of a `Parallel` or
/// `Map` state it is nested in (the error fails the branch, then that state, which catches it).
pub fn caught(t: &Task<'_>) -> bool {
    t.catch.is_some() || t.enclosing.iter().any(|s| s.get("Catch").is_some())
}
