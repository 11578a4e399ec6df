//! Shared helpers for the delivery-semantics rules (EL601-EL605): whose code a fact is, whether
//! a function's code is known well enough to conclude from an absence, and the messages code
//! sends to FIFO queues and topics.

use crate::code::resolve::{CallTarget, call_targets};
use crate::code::{FunctionCode, Located, SdkCall, Val};
use crate::graph::NodeIx;
use crate::model::{Fact, ResHandle};
use crate::rules::rule::Context;
use crate::source::Span;

/// The code of the function a graph node stands for.
pub fn code_of<'a>(cx: &Context<'a>, ix: NodeIx) -> Option<&'a FunctionCode> {
    let n = cx.graph.node(ix)?;
    let tpl = n.tpl?;
    n.res.filter(|r| r.is_function())?;
    cx.sys.code.get(&(tpl, n.id.clone()))
}

/// Whether the facts of a function's code are complete: its source was found (a file or
/// inline code), every local import was read and every file parsed, and no layer other than
/// Powertools (which eventlint recognises by its imports) may hold shared code the handler
/// runs. Rules that conclude from something the code does *not* do need this.
pub fn complete(cx: &Context<'_>, code: &FunctionCode) -> bool {
    if !code.complete || !matches!(code.located, Located::File { .. } | Located::Inline { .. }) {
        return false;
    }
    let Some(f) = cx.sys.resource(code.tpl, &code.id) else {
        return false;
    };
    let Some(layers) = f.res.prop("Layers").filter(|n| !n.is_null()) else {
        return true;
    };
    if !layers.is_seq() {
        return false;
    }
    layers.items().iter().all(|l| {
        cx.sys
            .sym(code.tpl, l)
            .pattern()
            .is_some_and(|p| p.to_ascii_lowercase().contains("powertools"))
    })
}

/// One message code sends to an in-scope FIFO queue or topic.
pub struct FifoSend<'a> {
    /// The function whose code sends.
    pub function: ResHandle<'a>,
    pub call: &'a SdkCall,
    /// The message: the call's parameters, or one entry of a batch.
    pub message: &'a Val,
    /// The queue or topic.
    pub target: ResHandle<'a>,
    /// `ContentBasedDeduplication` of the target (false when absent).
    pub content_dedup: Fact<bool>,
}

impl FifoSend<'_> {
    /// "queue" or "topic".
    pub fn kind(&self) -> &'static str {
        if self.target.res.ty == "AWS::SNS::Topic" {
            "topic"
        } else {
            "queue"
        }
    }

    /// Where to point: the call.
    pub fn span(&self) -> Span {
        self.call.span
    }

    /// The message's place in its call, for messages: "" or " (entry 2 of the batch)".
    pub fn which(&self) -> String {
        let entries = batch_entries(self.call);
        match entries.and_then(|e| e.iter().position(|m| std::ptr::eq(m, self.message))) {
            Some(i) => format!(" (entry {} of the batch)", i + 1),
            None => String::new(),
        }
    }
}

/// The entries of a batch send (`SendMessageBatch`, `PublishBatch`), when known.
fn batch_entries(call: &SdkCall) -> Option<&Vec<Val>> {
    let key = match (call.service.as_str(), call.operation.as_str()) {
        ("sqs", "SendMessageBatch") => "Entries",
        ("sns", "PublishBatch") => "PublishBatchRequestEntries",
        _ => return None,
    };
    match call.params.get(key) {
        Some(Val::List(items)) => Some(items),
        _ => None,
    }
}

/// Every message sent by handler code to an in-scope queue or topic that is known to be FIFO.
pub fn fifo_sends<'a>(cx: &Context<'a>) -> Vec<FifoSend<'a>> {
    let mut out = Vec::new();
    for ((tpl, id), code) in &cx.sys.code {
        let Some(function) = cx.sys.resource(*tpl, id) else {
            continue;
        };
        for call in &code.facts.calls {
            let messages: Vec<&Val> = match (call.service.as_str(), call.operation.as_str()) {
                ("sqs", "SendMessage") | ("sns", "Publish") => vec![&call.params],
                ("sqs", "SendMessageBatch") | ("sns", "PublishBatch") => batch_entries(call)
                    .map(|e| e.iter().collect())
                    .unwrap_or_default(),
                _ => continue,
            };
            for t in call_targets(cx.sys, function, call) {
                let CallTarget::Resource(target) = t else {
                    continue;
                };
                if cx.sys.is_fifo(target).value() != Some(&true) {
                    continue;
                }
                let content_dedup = cx.sys.bool_or_false(target, "ContentBasedDeduplication");
                for message in &messages {
                    out.push(FifoSend {
                        function,
                        call,
                        message,
                        target,
                        content_dedup: content_dedup.clone(),
                    });
                }
            }
        }
    }
    out
}
