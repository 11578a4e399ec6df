use super::rule::prelude::*;
use super::util_queue::{QUEUE_OR_TOPIC, resource_of};
use crate::graph::Owner;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports a failure destination that the sending service cannot use:
    /// - a FIFO queue or topic as a Lambda asynchronous `OnFailure` destination or function
    ///   dead-letter queue (`DeadLetterQueue`, `DeadLetterConfig`, `EventInvokeConfig`);
    /// - a FIFO queue or topic as the `DestinationConfig.OnFailure` of a Kinesis or DynamoDB
    ///   Streams event source;
    /// - a FIFO queue as the `DeadLetterConfig` of an EventBridge rule target;
    /// - an SNS subscription `RedrivePolicy` whose dead-letter queue is FIFO for a standard
    ///   topic, or standard for a FIFO topic.
    ///
    /// ## Why it matters
    /// EventBridge rejects a FIFO dead-letter queue and the deployment fails. Lambda accepts
    /// the configuration but cannot deliver to a FIFO destination: the failure records are
    /// dropped and only the `DestinationDeliveryFailures` metric shows it. An SNS subscription
    /// needs a dead-letter queue of its topic's type.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Failures:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       FifoQueue: true
    ///   Notifier:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       EventInvokeConfig:
    ///         DestinationConfig:
    ///           OnFailure:
    ///             Type: SQS
    ///             Destination: !GetAtt Failures.Arn   # expect: EL114
    /// ```
    ///
    /// ## How to fix
    /// Use a standard queue (or standard topic) for Lambda and EventBridge failure
    /// destinations, and a dead-letter queue of the topic's type for an SNS subscription.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html>
    /// - <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-eventinvokeconfig-destinationconfig.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html>
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html>
    pub FailureDestinationUnsupported { code: "EL114", name: "failure-destination-unsupported", severity: Error }
}

impl Rule for FailureDestinationUnsupported {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (from, to, edge) in cx.graph.edges(EdgeKind::DeadLetters) {
            let Cfg::DeadLetter { kind, .. } = edge.cfg else {
                continue;
            };
            let Some(dest) = resource_of(cx.graph, to, QUEUE_OR_TOPIC) else {
                continue;
            };
            let Fact::Known(dest_fifo, fifo_at) = cx.sys.is_fifo(dest) else {
                continue;
            };
            let did = &dest.res.id;
            let what = |fifo: bool| match (fifo, dest.res.ty.as_str()) {
                (true, "AWS::SNS::Topic") => "a FIFO topic",
                (true, _) => "a FIFO queue",
                (false, "AWS::SNS::Topic") => "a standard topic",
                (false, _) => "a standard queue",
            };
            let owner = &edge.owner;
            let mut topic_label = None;
            let (message, help) = match kind {
                DlqKind::AsyncOnFailure | DlqKind::FunctionDlq if dest_fifo => (
                    format!(
                        "{} `{did}` of `{}` is {}: Lambda delivers failed asynchronous invocations only to standard queues and topics, so the records are dropped",
                        if kind == DlqKind::FunctionDlq {
                            "dead-letter target"
                        } else {
                            "on-failure destination"
                        },
                        function_name(cx, from, owner),
                        what(true)
                    ),
                    "use a standard queue or standard topic".to_string(),
                ),
                DlqKind::EsmOnFailure if dest_fifo && is_stream_source(cx, from, owner) => (
                    format!(
                        "on-failure destination `{did}` of the stream event source of `{}` is {}: Lambda delivers discarded batch records only to standard queues and topics, so they are lost",
                        function_name(cx, from, owner),
                        what(true)
                    ),
                    "use a standard queue or standard topic as `DestinationConfig.OnFailure`"
                        .to_string(),
                ),
                DlqKind::TargetDlq if dest_fifo && dest.res.ty == "AWS::SQS::Queue" => {
                    let Some(rule) = cx.graph.node(from).filter(|n| n.ty == "AWS::Events::Rule")
                    else {
                        continue;
                    };
                    (
                        format!(
                            "dead-letter queue `{did}` of a target of rule `{}` is a FIFO queue: EventBridge accepts only standard queues, so the deployment fails",
                            rule.id
                        ),
                        "use a standard queue as the target's `DeadLetterConfig`".to_string(),
                    )
                }
                DlqKind::SubscriptionDlq if dest.res.ty == "AWS::SQS::Queue" => {
                    let Some(topic) = resource_of(cx.graph, from, &["AWS::SNS::Topic"]) else {
                        continue;
                    };
                    let Fact::Known(topic_fifo, topic_at) = cx.sys.is_fifo(topic) else {
                        continue;
                    };
                    if topic_fifo == dest_fifo {
                        continue;
                    }
                    topic_label = Some((
                        topic_at.span,
                        format!(
                            "`{}` is {} topic",
                            topic.res.id,
                            if topic_fifo { "a FIFO" } else { "a standard" }
                        ),
                    ));
                    (
                        format!(
                            "dead-letter queue `{did}` of a subscription to `{}` is {} but the topic is {}: a subscription's dead-letter queue must be of its topic's type",
                            topic.res.id,
                            what(dest_fifo),
                            if topic_fifo { "FIFO" } else { "standard" }
                        ),
                        format!(
                            "use {} queue as the subscription's RedrivePolicy dead-letter queue",
                            if topic_fifo { "a FIFO" } else { "a standard" }
                        ),
                    )
                }
                _ => continue,
            };
            let mut f = Finding::new(primary_span(edge, kind), message)
                .resource(&owner.res.id)
                .label(fifo_at.span, format!("`{did}` is {}", what(dest_fifo)))
                .help(help)
                .key(format!("{}:{did}", kind_key(kind)));
            if let Some((span, msg)) = topic_label {
                f = f.label(span, msg);
            }
            out.push(f);
        }
        out
    }
}

/// The function a Lambda failure destination belongs to (its node, or the configuring
/// resource when the function is not in scope).
fn function_name(cx: &Context<'_>, from: NodeIx, owner: &Owner<'_>) -> String {
    cx.graph
        .node(from)
        .filter(|n| n.kind != NodeKind::External)
        .map_or_else(|| owner.res.id.clone(), |n| n.id.clone())
}

/// Whether the event source mapping that declared an on-failure destination reads a Kinesis or
/// DynamoDB stream (the sources whose destinations must be standard queues or topics).
fn is_stream_source(cx: &Context<'_>, func: NodeIx, owner: &Owner<'_>) -> bool {
    cx.graph
        .incoming(func, EdgeKind::Polls)
        .into_iter()
        .find(|(_, e)| {
            std::ptr::eq(e.owner.res, owner.res)
                && e.owner.event.map(|(name, _)| name) == owner.event.map(|(name, _)| name)
        })
        .is_some_and(|(_, e)| {
            matches!(
                e.cfg,
                Cfg::Esm {
                    source: "Kinesis" | "DynamoDB",
                    ..
                }
            )
        })
}

/// The destination value itself where the edge points at the enclosing `OnFailure` map (SAM
/// `EventInvokeConfig`).
fn primary_span(edge: &GEdge<'_>, kind: DlqKind) -> Span {
    let res = edge.owner.res;
    if kind == DlqKind::AsyncOnFailure && res.ty == "AWS::Serverless::Function" {
        if let Some(d) = res.prop_path(&[
            "EventInvokeConfig",
            "DestinationConfig",
            "OnFailure",
            "Destination",
        ]) {
            return d.span;
        }
    }
    edge.span
}

fn kind_key(kind: DlqKind) -> &'static str {
    match kind {
        DlqKind::Redrive => "RedrivePolicy",
        DlqKind::FunctionDlq => "DeadLetterConfig",
        DlqKind::AsyncOnFailure => "EventInvokeConfig.OnFailure",
        DlqKind::EsmOnFailure => "DestinationConfig.OnFailure",
        DlqKind::TargetDlq => "Targets.DeadLetterConfig",
        DlqKind::SubscriptionDlq => "RedrivePolicy",
    }
}
