use super::rule::prelude::*;
use super::util_delivery::{event_key_span, is_disabled, maybe_present};
use crate::graph::{Graph, Owner};
use crate::model::System;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports an EventBridge rule target (`AWS::Events::Rule` `Targets`, SAM `EventBridgeRule`,
    /// `CloudWatchEvent`, `Schedule` and `ScheduleV2` events), an `AWS::Scheduler::Schedule`
    /// target or an `AWS::Pipes::Pipe` with a Kinesis or DynamoDB stream source that has no
    /// `DeadLetterConfig`, and an `AWS::EventsV2::Subscriber` without `OnFailureConfiguration`.
    /// A SAM `DeadLetterConfig: {Type: SQS}` counts. Pipes with an SQS source are not reported:
    /// their dead-letter queue is the source queue's `RedrivePolicy`. Nor is anything switched
    /// off (`State: DISABLED`, a SAM event's `Enabled: false`, a pipe's `DesiredState: STOPPED`):
    /// it delivers no events.
    ///
    /// ## Why it matters
    /// EventBridge retries a failing target for up to 24 hours and 185 attempts, and drops
    /// events at once on permission or missing-resource errors. Without a dead-letter queue
    /// those events are lost, and only the `FailedInvocations` metric records them. An EventsV2
    /// subscriber gives up after 5 attempts or 300 s by default.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   OrderPlacedRule:
    ///     Type: AWS::Events::Rule
    ///     Properties:
    ///       EventPattern: {source: [shop.orders]}
    ///       Targets:
    ///         - Arn: arn:aws:sqs:us-east-1:123456789012:orders  # expect: EL103
    ///           Id: OrdersQueue
    /// ```
    ///
    /// ## How to fix
    /// Add `DeadLetterConfig: {Arn: <standard SQS queue ARN>}` to the target (SAM events:
    /// `DeadLetterConfig: {Type: SQS}` creates the queue and its policy), or
    /// `OnFailureConfiguration: {Arn: ...}` to the subscriber.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-retry.html>
    /// - <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-pipes-pipe-deadletterconfig.html>
    pub RuleTargetWithoutDlq {
        code: "EL103",
        name: "rule-target-without-dlq",
        severity: Warning,
    }
}

impl Rule for RuleTargetWithoutDlq {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for (from, to, e) in cx.graph.edges(EdgeKind::Routes) {
            let Cfg::Target {
                target: Some(target),
                ..
            } = e.cfg
            else {
                continue;
            };
            let Some(src) = cx.graph.node(from) else {
                continue;
            };
            // a disabled rule, schedule or pipe delivers nothing
            if is_disabled(cx.sys, &e.owner) {
                continue;
            }
            // the target resource, else the target's `Id`
            let target_name = match cx.graph.node(to).filter(|n| n.kind != NodeKind::External) {
                Some(n) => Some(format!("`{}`", n.id)),
                None => target
                    .get("Id")
                    .and_then(Node::as_str)
                    .map(|id| format!("with Id `{id}`")),
            };
            let finding = match src.ty.as_str() {
                "AWS::Events::Rule" | "AWS::Scheduler::Schedule" => {
                    if maybe_present(target.get("DeadLetterConfig")) {
                        continue;
                    }
                    rule_target(cx.sys, e, &src.ty, target_name, target)
                }
                "AWS::Pipes::Pipe" => match pipe(cx.graph, from, e) {
                    Some(f) => f,
                    None => continue,
                },
                _ => continue,
            };
            out.push(match cx.graph.node(to) {
                Some(n) if n.kind != NodeKind::External && n.id != e.owner.res.id => {
                    finding.label(n.span, "the target")
                }
                _ => finding,
            });
        }
        for (_, n) in cx.graph.nodes_of_type("AWS::EventsV2::Subscriber") {
            let (Some(res), Some(tpl)) = (n.res, n.tpl) else {
                continue;
            };
            let owner = Owner {
                tpl,
                res,
                event: None,
            };
            if maybe_present(res.prop("OnFailureConfiguration")) || is_disabled(cx.sys, &owner) {
                continue;
            }
            out.push(
                Finding::new(
                    res.id_span,
                    format!(
                        "subscriber `{}` has no OnFailureConfiguration: events still failing \
                         after its retry policy (5 attempts over 300 s by default) are dropped",
                        res.id
                    ),
                )
                .resource(res.id.clone())
                .help("add `OnFailureConfiguration: {Arn: <SQS queue ARN>}`")
                .key("OnFailureConfiguration"),
            );
        }
        out
    }
}

/// A rule or schedule target without `DeadLetterConfig`.
fn rule_target(
    sys: &System,
    e: &GEdge<'_>,
    ty: &str,
    target_name: Option<String>,
    target: &Node,
) -> Finding {
    let what = if ty == "AWS::Scheduler::Schedule" {
        "schedule"
    } else {
        "rule"
    };
    let (span, subject, key, help) = match e.owner.event {
        Some((name, _)) => (
            event_key_span(&e.owner).unwrap_or(e.span),
            format!("event `{name}` of `{}`", e.owner.res.id),
            format!("event:{name}"),
            "add `DeadLetterConfig: {Type: SQS}` to the event's Properties (SAM creates the \
             queue), or `DeadLetterConfig: {Arn: <SQS queue ARN>}`",
        ),
        None => {
            let id = target.get("Id").and_then(Node::as_str).unwrap_or_default();
            let span = if ty == "AWS::Scheduler::Schedule" {
                e.owner
                    .res
                    .props()
                    .entry("Target")
                    .map_or(e.span, |t| t.key_span)
            } else {
                e.span
            };
            (
                span,
                match target_name {
                    Some(t) => format!("the target {t} of {what} `{}`", e.owner.res.id),
                    None => format!("a target of {what} `{}`", e.owner.res.id),
                },
                format!("target:{id}"),
                "add `DeadLetterConfig: {Arn: <standard SQS queue ARN>}` to the target",
            )
        }
    };
    Finding::new(
        span,
        format!(
            "{subject} has no DeadLetterConfig: events that cannot be delivered after {} are \
             dropped",
            retries(sys, e.owner.tpl, target.get("RetryPolicy"))
        ),
    )
    .resource(e.owner.res.id.clone())
    .help(help)
    .key(key)
}

/// The retry policy a rule or schedule target gives up after, for messages: the defaults
/// (185 retries, 24 h) or the values the target sets.
fn retries(sys: &System, tpl: TplId, policy: Option<&Node>) -> String {
    if !maybe_present(policy) {
        return "the retry policy (185 retries over 24 h by default)".into();
    }
    let value = |key: &str, default: i64| match policy.and_then(|p| p.get(key)) {
        None => Some(default),
        Some(n) => sys.int(tpl, n).value().copied(),
    };
    match (
        value("MaximumRetryAttempts", 185),
        value("MaximumEventAgeInSeconds", 86_400),
    ) {
        (Some(n), Some(age)) => format!("its retry policy ({n} retries, events up to {age} s old)"),
        _ => "its retry policy".into(),
    }
}

/// A pipe reading a Kinesis or DynamoDB stream without `DeadLetterConfig` in its source
/// parameters. SQS sources use the queue's redrive policy; other sources have no DLQ setting.
fn pipe(graph: &Graph<'_>, pipe: NodeIx, e: &GEdge<'_>) -> Option<Finding> {
    let res = e.owner.res;
    let params = res.prop("SourceParameters");
    if params.is_some_and(|p| p.intrinsic().is_some()) {
        return None;
    }
    let source_ty = graph
        .incoming(pipe, EdgeKind::Polls)
        .first()
        .and_then(|(n, _)| graph.node(*n))
        .map(|n| n.ty.clone())
        .unwrap_or_default();
    let key = ["KinesisStreamParameters", "DynamoDBStreamParameters"]
        .into_iter()
        .find(|k| params.and_then(|p| p.get(k)).is_some())
        .or(match source_ty.as_str() {
            "AWS::Kinesis::Stream" => Some("KinesisStreamParameters"),
            "AWS::DynamoDB::Table" => Some("DynamoDBStreamParameters"),
            _ => None,
        })?;
    let stream_params = params.and_then(|p| p.get(key));
    if stream_params.is_some_and(|p| p.intrinsic().is_some())
        || maybe_present(stream_params.and_then(|p| p.get("DeadLetterConfig")))
    {
        return None;
    }
    let span: Span = params
        .and_then(|p| p.entry(key))
        .map(|en| en.key_span)
        .or_else(|| res.props().entry("SourceParameters").map(|en| en.key_span))
        .unwrap_or(res.id_span);
    Some(
        Finding::new(
            span,
            format!(
                "pipe `{}` reads a stream but has no `SourceParameters.{key}.DeadLetterConfig`: \
                 records that still fail when the retries run out or the record expires are \
                 dropped",
                res.id
            ),
        )
        .resource(res.id.clone())
        .help(format!(
            "add `DeadLetterConfig: {{Arn: <SQS queue or SNS topic ARN>}}` under `SourceParameters.{key}`"
        ))
        .key(format!("SourceParameters.{key}.DeadLetterConfig")),
    )
}
