use super::rule::prelude::*;
use crate::code::resolve::{CallTarget, call_targets};
use crate::code::{SdkCall, Val};
use crate::model::pattern::{EventShape, Match, matches};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports handler code that writes to the resource that triggers it: a function notified
    /// by an S3 bucket that puts objects into the same bucket (unless the key it writes cannot
    /// match the notification's prefix/suffix filter), an SQS consumer sending to its own queue,
    /// an SNS subscriber publishing to its own topic, or an EventBridge rule target putting
    /// events that its own rule matches.
    ///
    /// ## Why it matters
    /// Each write triggers the function again: an endless loop that burns concurrency and money
    /// until someone notices. Lambda stops some SQS/SNS/S3 loops after about 16 rounds, but not
    /// all of them, and every round until then is billed.
    ///
    /// ## Example
    /// ```yaml
    /// Thumbnailer:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Events:
    ///       Upload: {Type: S3, Properties: {Bucket: !Ref Images, Events: s3:ObjectCreated:*}}
    /// # and the handler: s3.put_object(Bucket=os.environ["BUCKET"], Key=f"thumbs/{key}", ...)
    /// ```
    ///
    /// ## How to fix
    /// Write to another resource, or give the trigger a filter (S3 key prefix/suffix, an
    /// EventBridge pattern on `source`) that the function's own output cannot match.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html>
    pub RecursiveTrigger { code: "EL701", name: "recursive-trigger", severity: Error }
}

/// The literal prefix and suffix a key value is known to have, and whether it is fully known.
fn key_bounds(v: &Val) -> Option<(String, String, bool)> {
    match v {
        Val::Str(s) => Some((s.clone(), s.clone(), true)),
        Val::Concat(parts) => {
            let pre = parts
                .first()
                .and_then(Val::as_str)
                .unwrap_or("")
                .to_string();
            let suf = parts.last().and_then(Val::as_str).unwrap_or("").to_string();
            Some((pre, suf, false))
        }
        _ => None,
    }
}

/// Whether an object written with this key can fire a notification with these filters
/// (`None`: not known).
fn key_may_match(key: Option<&Val>, prefix: Option<&str>, suffix: Option<&str>) -> Option<bool> {
    if prefix.is_none() && suffix.is_none() {
        return Some(true);
    }
    let (pre, suf, full) = key_bounds(key?)?;
    let pre_ok = prefix.is_none_or(|p| {
        if full {
            pre.starts_with(p)
        } else {
            pre.starts_with(p) || p.starts_with(pre.as_str())
        }
    });
    let suf_ok = suffix.is_none_or(|s| {
        if full {
            suf.ends_with(s)
        } else {
            suf.ends_with(s) || s.ends_with(suf.as_str())
        }
    });
    if pre_ok && suf_ok {
        // Both compatible: fire only when the evidence is a real overlap, not an empty literal.
        let shown = (prefix.is_none() || !pre.is_empty()) && (suffix.is_none() || !suf.is_empty());
        return if shown { Some(true) } else { None };
    }
    Some(false)
}

/// Whether an S3 event type list fires on an object created by `op`.
fn fires_on(events: &[String], op: &str) -> bool {
    let kind = if op == "CopyObject" { "Copy" } else { "Put" };
    events.iter().any(|e| {
        e == "s3:ObjectCreated:*"
            || e == "s3:*"
            || e.strip_prefix("s3:ObjectCreated:") == Some(kind)
    })
}

impl RecursiveTrigger {
    /// The trigger edge of `me` from `res` that `call` re-fires: (its span, its owner's id, what).
    fn loop_edge(
        cx: &Context<'_>,
        call: &SdkCall,
        res: NodeIx,
        me: NodeIx,
    ) -> Option<(Span, &'static str)> {
        let g = cx.graph;
        let into_me = |kind| {
            g.outgoing(res, kind)
                .into_iter()
                .filter(move |(to, _)| *to == me)
        };
        match (call.service.as_str(), call.operation.as_str()) {
            ("s3", op @ ("PutObject" | "CopyObject")) => {
                into_me(EdgeKind::Publishes).find_map(|(_, e)| {
                    let Cfg::S3 {
                        events,
                        prefix,
                        suffix,
                        filter_known: true,
                    } = &e.cfg
                    else {
                        return None;
                    };
                    let ok = fires_on(events, op)
                        && key_may_match(
                            call.params.get("Key"),
                            prefix.as_deref(),
                            suffix.as_deref(),
                        ) == Some(true);
                    ok.then_some((e.span, "the bucket notification that triggers it"))
                })
            }
            ("sqs", "SendMessage" | "SendMessageBatch") => into_me(EdgeKind::Polls)
                .next()
                .map(|(_, e)| (e.span, "the queue it consumes")),
            ("sns", "Publish" | "PublishBatch") => into_me(EdgeKind::Subscribes)
                .next()
                .map(|(_, e)| (e.span, "the subscription that triggers it")),
            _ => None,
        }
    }

    /// A rule on `bus` whose pattern matches `entry` and that targets `me`.
    fn matching_rule(cx: &Context<'_>, bus: NodeIx, entry: &Val, me: NodeIx) -> Option<Span> {
        let shape = EventShape {
            source: Some(entry.get("Source")?.as_str()?),
            detail_type: Some(entry.get("DetailType")?.as_str()?),
            detail: None,
        };
        let g = cx.graph;
        for (rule, e) in g.outgoing(bus, EdgeKind::Routes) {
            for (to, te) in g.outgoing(rule, EdgeKind::Routes) {
                if to != me {
                    continue;
                }
                let pattern = match (&te.cfg, &e.cfg) {
                    (
                        Cfg::Target {
                            pattern: Some(p), ..
                        },
                        _,
                    )
                    | (
                        _,
                        Cfg::Target {
                            pattern: Some(p), ..
                        },
                    ) => *p,
                    _ => continue,
                };
                if matches(pattern, &shape) == Match::Yes {
                    return Some(te.span);
                }
            }
        }
        None
    }
}

impl Rule for RecursiveTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ((tpl, id), code) in &cx.sys.code {
            let (Some(f), Some(me)) = (cx.sys.resource(*tpl, id), cx.graph.of(*tpl, id)) else {
                continue;
            };
            for call in &code.facts.calls {
                let targets = call_targets(cx.sys, f, call);
                let put_events = call.service == "events" && call.operation == "PutEvents";
                for (i, t) in targets.iter().enumerate() {
                    let (node, name) = match t {
                        CallTarget::Resource(h) => {
                            (cx.graph.of(h.tpl, &h.res.id), h.res.id.clone())
                        }
                        CallTarget::DefaultBus => {
                            (cx.graph.find(None, "default"), "default".to_string())
                        }
                        CallTarget::Unknown(_) => continue,
                    };
                    let Some(node) = node else { continue };
                    let hit = if put_events {
                        let entry = match call.params.get("Entries") {
                            Some(Val::List(items)) => items.get(i),
                            _ => None,
                        };
                        entry
                            .and_then(|e| Self::matching_rule(cx, node, e, me))
                            .map(|s| (s, "the rule that matches the event and targets it"))
                    } else {
                        Self::loop_edge(cx, call, node, me)
                    };
                    let Some((span, what)) = hit else { continue };
                    out.push(
                        Finding::new(call.span, format!("`{id}` writes to `{name}`, which triggers `{id}` again: a recursive loop"))
                            .resource(id)
                            .label(span, what)
                            .help("write to another resource, or filter the trigger so that the function's own output cannot match it")
                            .key(format!("loop:{name}")),
                    );
                }
            }
        }
        out
    }
}
