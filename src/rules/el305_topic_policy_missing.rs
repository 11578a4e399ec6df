use super::rule::prelude::*;
use super::util_permissions::{Via, service_deliveries};
use crate::model::iam::{Decision, Delivery, resource_policies, resource_policy_allows};

declare_rule! {
    /// ## What it does
    /// Reports an SNS topic in the run that an EventBridge rule targets or an S3 bucket
    /// notifies when no topic policy lets that service principal (`events.amazonaws.com`,
    /// `s3.amazonaws.com`) call `sns:Publish` for that source: no `AWS::SNS::TopicPolicy` or
    /// `AWS::SNS::TopicInlinePolicy` names the topic, its statements name another principal,
    /// action or `aws:SourceArn`, or a statement denies it. Policies in every template of the
    /// run and SAM connectors count. A rule target with `RoleArn`, and anything eventlint
    /// cannot resolve, is not reported.
    ///
    /// ## Why it matters
    /// EventBridge and S3 publish with their service principal, which a topic's default
    /// access policy does not name; the console adds the statement, CloudFormation does not.
    /// EventBridge is refused and drops the events (or moves them to the target's dead-letter
    /// queue); S3 cannot send its notifications.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Alerts:  # expect: EL305
    ///     Type: AWS::SNS::Topic
    ///   FailedPayments:
    ///     Type: AWS::Events::Rule
    ///     Properties:
    ///       EventPattern: {source: [shop.payments], detail-type: [PaymentFailed]}
    ///       Targets:
    ///         - Arn: !Ref Alerts
    ///           Id: Alerts
    /// ```
    ///
    /// ## How to fix
    /// Add an `AWS::SNS::TopicPolicy` for the topic with a statement allowing the service
    /// principal `sns:Publish` on the topic, with an `aws:SourceArn` condition naming the rule
    /// or bucket (or a SAM connector from the rule to the topic with `Write`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html>
    /// - <https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html>
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html>
    pub TopicPolicyMissing {
        code: "EL305",
        name: "topic-policy-missing",
        severity: Error,
    }
}

impl Rule for TopicPolicyMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for d in service_deliveries(cx.graph) {
            let Some(topic) = d.target(cx.graph) else {
                continue;
            };
            if topic.res.ty != "AWS::SNS::Topic"
                || d.role
                || d.is_sam()
                || !matches!(d.via, Via::Target | Via::Notification)
            {
                continue;
            }
            let delivery = Delivery {
                service: d.service,
                action: "sns:Publish",
                target: topic,
                source: d.source(cx.graph),
            };
            let Decision::Denied(deny) = resource_policy_allows(cx.sys, delivery) else {
                continue;
            };
            let tid = &topic.res.id;
            let source = d.source_name(cx.graph);
            let (policies, _) = resource_policies(cx.sys, topic);
            let why = match (deny, policies.as_slice()) {
                (Some(_), _) => format!("its topic policy denies {} `sns:Publish`", d.service),
                (None, []) => format!("no topic policy lets {} call `sns:Publish`", d.service),
                (None, [p]) => format!(
                    "topic policy `{}` does not let {} publish from this source",
                    p.res.id, d.service
                ),
                (None, _) => format!(
                    "none of its topic policies lets {} publish from this source",
                    d.service
                ),
            };
            let f = Finding::new(
                topic.res.id_span,
                format!(
                    "{source} publishes to topic `{tid}`, but {why}: {}",
                    d.consequence()
                ),
            )
            .resource(tid.clone())
            .label(d.span(), format!("{source} publishes to `{tid}` here"))
            .help(match deny {
                Some(_) => format!(
                    "narrow the Deny statement so that it no longer applies to {} publishing \
                     from {source}",
                    d.service
                ),
                None => format!(
                    "add an `AWS::SNS::TopicPolicy` for `{tid}` allowing principal {} \
                     `sns:Publish`, with an `aws:SourceArn` condition of {}",
                    d.service,
                    d.source_arn_hint(cx.graph)
                ),
            });
            out.push(d.finish(cx.graph, f, deny, &policies));
        }
        out
    }
}
