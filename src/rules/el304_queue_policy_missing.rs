use super::rule::prelude::*;
use super::util_permissions::{ServiceDelivery, Via, protocol, service_deliveries};
use crate::model::iam::{Decision, Delivery, resource_policies, resource_policy_allows};

declare_rule! {
    /// ## What it does
    /// Reports an SQS queue in the run that SNS, EventBridge or S3 must send to (an SNS
    /// subscription with protocol `sqs`, an EventBridge rule target, an S3 bucket notification,
    /// the dead-letter queue of a rule target or of a subscription) when no queue policy lets
    /// that service principal call `sqs:SendMessage` for that source: no `AWS::SQS::QueuePolicy`
    /// or `AWS::SQS::QueueInlinePolicy` names the queue, its statements name another principal,
    /// action or `aws:SourceArn`, or a statement denies it. Policies in every template of the
    /// run, the policies SAM generates (`SqsSubscription`, `DeadLetterConfig: {Type: SQS}`) and
    /// SAM connectors count. A SAM rule event's `DeadLetterConfig: {Arn: ...}` gets no policy
    /// from SAM. A rule target with `RoleArn`, and anything eventlint cannot resolve, is not
    /// reported.
    ///
    /// ## Why it matters
    /// The service is refused, and nothing in the template or the deployment says so: SNS
    /// and EventBridge drop the message (a target error goes to the target's dead-letter
    /// queue, if it can be written to), and an EventBridge or SNS dead-letter queue that
    /// refuses the service loses the very events it was meant to keep.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   OrderEvents:
    ///     Type: AWS::SNS::Topic
    ///   AuditQueue:  # expect: EL304
    ///     Type: AWS::SQS::Queue
    ///   AuditSubscription:
    ///     Type: AWS::SNS::Subscription
    ///     Properties:
    ///       TopicArn: !Ref OrderEvents
    ///       Protocol: sqs
    ///       Endpoint: !GetAtt AuditQueue.Arn
    /// ```
    ///
    /// ## How to fix
    /// Add an `AWS::SQS::QueuePolicy` for the queue with a statement allowing the service
    /// principal (`sns.amazonaws.com`, `events.amazonaws.com`, `s3.amazonaws.com`)
    /// `sqs:SendMessage` on the queue ARN, with an `aws:SourceArn` condition naming the topic,
    /// rule or bucket. In SAM, `SqsSubscription: true`, `DeadLetterConfig: {Type: SQS}` or a
    /// connector with `Write` generate it.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html>
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html>
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html>
    /// - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html>
    pub QueuePolicyMissing {
        code: "EL304",
        name: "queue-policy-missing",
        severity: Error,
    }
}

impl Rule for QueuePolicyMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for d in service_deliveries(cx.graph) {
            let Some(queue) = d.target(cx.graph) else {
                continue;
            };
            if queue.res.ty != "AWS::SQS::Queue" || d.role {
                continue;
            }
            match d.via {
                Via::Subscription if protocol(&d) != "sqs" => continue,
                // SAM `SqsSubscription` generates the queue policy
                Via::Subscription if d.is_sam() => continue,
                // SAM function events target the function, never a queue
                Via::Target | Via::Notification if d.is_sam() => continue,
                _ => {}
            }
            let delivery = Delivery {
                service: d.service,
                action: "sqs:SendMessage",
                target: queue,
                source: d.source(cx.graph),
            };
            if let Decision::Denied(deny) = resource_policy_allows(cx.sys, delivery) {
                out.push(finding(cx, &d, queue, deny));
            }
        }
        out
    }
}

fn finding(
    cx: &Context<'_>,
    d: &ServiceDelivery<'_>,
    queue: crate::model::ResHandle<'_>,
    deny: Option<crate::source::Span>,
) -> Finding {
    let qid = &queue.res.id;
    let source = d.source_name(cx.graph);
    let (policies, _) = resource_policies(cx.sys, queue);
    let what = match d.via {
        Via::TargetDlq => format!("{source} uses queue `{qid}` as its target's dead-letter queue"),
        Via::SubscriptionDlq => {
            format!("{source} uses queue `{qid}` as a subscription's dead-letter queue")
        }
        _ => format!("{source} delivers to queue `{qid}`"),
    };
    let why = match (deny, policies.as_slice()) {
        (Some(_), _) => format!("its queue policy denies {} `sqs:SendMessage`", d.service),
        (None, []) => format!("no queue policy lets {} call `sqs:SendMessage`", d.service),
        (None, [p]) => format!(
            "queue policy `{}` does not let {} send from this source",
            p.res.id, d.service
        ),
        (None, _) => format!(
            "none of its queue policies lets {} send from this source",
            d.service
        ),
    };
    let f = Finding::new(
        queue.res.id_span,
        format!("{what}, but {why}: {}", d.consequence()),
    )
    .resource(qid.clone())
    .label(d.span(), format!("{source} sends to `{qid}` here"))
    .help(match deny {
        Some(_) => format!(
            "narrow the Deny statement so that it no longer applies to {} sending from {source}",
            d.service
        ),
        None => format!(
            "add an `AWS::SQS::QueuePolicy` for `{qid}` allowing principal {} \
             `sqs:SendMessage`, with an `aws:SourceArn` condition of {}",
            d.service,
            d.source_arn_hint(cx.graph)
        ),
    });
    d.finish(cx.graph, f, deny, &policies)
}
