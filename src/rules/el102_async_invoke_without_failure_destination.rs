use super::rule::prelude::*;
use super::util_delivery::{decl_name, decl_span, function_of, is_disabled, maybe_present};
use crate::graph::Graph;
use crate::model::{ResHandle, System};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports a function that is invoked asynchronously (an EventBridge or CloudWatch Events
    /// rule, a schedule, an SNS subscription, an S3 notification, an IoT rule, a CloudWatch Logs
    /// subscription filter) but has neither a dead-letter queue (`DeadLetterQueue` /
    /// `DeadLetterConfig`) nor an `EventInvokeConfig` OnFailure destination (the SAM property
    /// or an `AWS::Lambda::EventInvokeConfig`). Rules and schedules that are switched off
    /// (`State: DISABLED`, a SAM event's `Enabled: false`) do not count as invokers.
    ///
    /// ## Why it matters
    /// Lambda queues asynchronous events, retries a failing invocation twice and keeps an event
    /// for up to 6 hours. After that the event is discarded without a trace. With
    /// `MaximumRetryAttempts: 0`, one failed invocation is enough to lose it.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Worker:  # expect: EL102
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.12
    ///       Events:
    ///         Nightly:
    ///           Type: Schedule
    ///           Properties: {Schedule: rate(1 day)}
    /// ```
    ///
    /// ## How to fix
    /// Add `EventInvokeConfig: {DestinationConfig: {OnFailure: {Type: SQS}}}` (SAM creates the
    /// queue), or an `AWS::Lambda::EventInvokeConfig` with `DestinationConfig.OnFailure`, or a
    /// `DeadLetterQueue` (`DeadLetterConfig.TargetArn` on `AWS::Lambda::Function`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html>
    /// - <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventinvokeconfig.html>
    /// - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-eventinvokeconfiguration.html>
    pub AsyncInvokeWithoutFailureDestination {
        code: "EL102",
        name: "async-invoke-without-failure-destination",
        severity: Warning,
    }
}

/// What the function's async invocation settings say.
#[derive(Default)]
struct AsyncConfig {
    /// A DLQ or OnFailure destination is (or may be) configured.
    configured: bool,
    /// `MaximumRetryAttempts: 0`, where it is set.
    no_retries: Option<Span>,
}

impl Rule for AsyncInvokeWithoutFailureDestination {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        // once, not once per function: a monorepo has tens of thousands of resources
        let invoke_configs: Vec<ResHandle<'_>> = cx
            .sys
            .resources()
            .filter(|h| h.res.ty == "AWS::Lambda::EventInvokeConfig")
            .collect();
        for (ix, node) in cx.graph.nodes() {
            let (Some(res), Some(tpl)) = (node.res, node.tpl) else {
                continue;
            };
            if node.kind != NodeKind::Resource || !res.is_function() {
                continue;
            }
            // a disabled rule or schedule invokes nothing
            let sources: Vec<_> = cx
                .graph
                .async_deliveries(ix)
                .into_iter()
                .filter(|(_, e)| !is_disabled(cx.sys, &e.owner))
                .collect();
            if sources.is_empty() {
                continue;
            }
            let cfg = config(cx.sys, cx.graph, &invoke_configs, (ix, tpl, res));
            if cfg.configured {
                continue;
            }
            let mut names: Vec<String> = Vec::new();
            for (_, e) in &sources {
                let name = source_name(e, &res.id);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            let by = names.join(", ");
            let message = match cfg.no_retries {
                Some(_) => format!(
                    "`{}` is invoked asynchronously (by {by}) with MaximumRetryAttempts 0 and has \
                     no dead-letter queue or OnFailure destination: an event whose invocation \
                     fails once is dropped",
                    res.id
                ),
                None => format!(
                    "`{}` is invoked asynchronously (by {by}) but has no dead-letter queue or \
                     OnFailure destination: events still failing after Lambda's retries (2 by \
                     default, up to 6 h) are dropped",
                    res.id
                ),
            };
            let help = if res.ty == "AWS::Serverless::Function" {
                "add `EventInvokeConfig: {DestinationConfig: {OnFailure: {Type: SQS}}}` (SAM \
                 creates the queue) or `DeadLetterQueue: {Type: SQS, TargetArn: ...}`"
            } else {
                "add an `AWS::Lambda::EventInvokeConfig` with `DestinationConfig.OnFailure.Destination`, \
                 or `DeadLetterConfig.TargetArn` on the function"
            };
            let mut f = Finding::new(res.id_span, message)
                .resource(res.id.clone())
                .help(help)
                .key("async-failure-destination");
            if let Some(span) = cfg.no_retries {
                f = f.label(span, "no retries");
            }
            for (_, e) in &sources {
                f = f.label(decl_span(e), format!("invokes `{}` asynchronously", res.id));
            }
            out.push(f);
        }
        out
    }
}

/// "its SNS event `Alert`" for the function's own SAM events, else the declaring resource.
fn source_name(e: &GEdge<'_>, function: &str) -> String {
    match e.owner.event {
        Some((name, ev)) if e.owner.res.id == function => {
            let ty = ev.get("Type").and_then(Node::as_str).unwrap_or("SAM");
            format!("its {ty} event `{name}`")
        }
        // a function's `OnSuccess` destination (S3 notifications also publish, with `Cfg::S3`)
        _ if e.kind == EdgeKind::Publishes
            && matches!(e.cfg, Cfg::None)
            && e.owner.res.is_function() =>
        {
            format!("the OnSuccess destination of `{}`", e.owner.res.id)
        }
        _ => decl_name(e),
    }
}

/// The function's DLQ and `EventInvokeConfig` (SAM property and `AWS::Lambda::EventInvokeConfig`
/// resources naming it, its alias or version; `eics` are all those resources of the system).
fn config(
    sys: &System,
    graph: &Graph<'_>,
    eics: &[ResHandle<'_>],
    (ix, tpl, res): (NodeIx, TplId, &Resource),
) -> AsyncConfig {
    let mut cfg = AsyncConfig {
        configured: graph
            .outgoing(ix, EdgeKind::DeadLetters)
            .iter()
            .any(|(_, e)| {
                matches!(
                    e.cfg,
                    Cfg::DeadLetter {
                        kind: DlqKind::FunctionDlq | DlqKind::AsyncOnFailure,
                        ..
                    }
                )
            })
            // a DLQ property that exists but could not be followed counts as configured
            || maybe_present(res.prop("DeadLetterQueue"))
            || maybe_present(res.prop("DeadLetterConfig")),
        no_retries: None,
    };
    // (template, config, whether it certainly names this function)
    let mut invoke_configs: Vec<(TplId, &Node, bool)> = Vec::new();
    if let Some(eic) = res.prop("EventInvokeConfig") {
        invoke_configs.push((tpl, eic, true));
    }
    for h in eics {
        let Some(name) = h.res.prop("FunctionName") else {
            continue;
        };
        match sys.target(h.tpl, name, Some("lambda")) {
            Some(t) => {
                let f = graph
                    .of(t.tpl, &t.res.id)
                    .and_then(|n| function_of(sys, graph, n));
                if f == Some(ix) {
                    invoke_configs.push((h.tpl, h.res.props(), true));
                }
            }
            // a function named by a parameter may be this one
            None if h.tpl == tpl => invoke_configs.push((h.tpl, h.res.props(), false)),
            None => {}
        }
    }
    for (t, eic, certain) in invoke_configs {
        let dest = eic.get("DestinationConfig");
        // an intrinsic anywhere on the way to OnFailure: unknown, so treat as configured
        if eic.intrinsic().is_some()
            || dest.is_some_and(|d| d.intrinsic().is_some())
            || maybe_present(dest.and_then(|d| d.get("OnFailure")))
        {
            cfg.configured = true;
        }
        if certain
            && let Some(n) = eic.get("MaximumRetryAttempts")
            && let Fact::Known(0, o) = sys.int(t, n)
        {
            cfg.no_retries = Some(o.span);
        }
    }
    cfg
}
