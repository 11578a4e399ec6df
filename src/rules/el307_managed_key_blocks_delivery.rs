use super::rule::prelude::*;
use super::util_permissions::{ServiceDelivery, Via, protocol, service_deliveries};
use crate::model::iam::{Decision, key_policy_allows};
use crate::model::{ResHandle, System};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports an SQS queue or SNS topic that SNS, EventBridge or S3 must deliver to (a
    /// subscription, a rule target, a bucket notification, the dead-letter queue of a rule
    /// target or subscription) when its `KmsMasterKeyId` is the AWS managed key
    /// (`alias/aws/sqs`, `alias/aws/sns`, or their alias ARN), or an `AWS::KMS::Key` of the run
    /// whose key policy does not let that service principal use `kms:GenerateDataKey*` and
    /// `kms:Decrypt`. Keys eventlint cannot resolve, key policies with conditions it cannot
    /// decide, and rule targets with `RoleArn` are not reported.
    ///
    /// ## Why it matters
    /// The service must encrypt the message with the queue's or topic's key before storing
    /// it. The key policy of an AWS managed key cannot be changed and trusts only the
    /// account's own principals, so these services are refused and the messages are lost
    /// (S3 cannot send its notifications at all). SQS-managed encryption
    /// (`SqsManagedSseEnabled`) has no such limit.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   OrderEvents:
    ///     Type: AWS::SNS::Topic
    ///   AuditQueue:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       KmsMasterKeyId: alias/aws/sqs  # expect: EL307
    ///   AuditSubscription:
    ///     Type: AWS::SNS::Subscription
    ///     Properties:
    ///       TopicArn: !Ref OrderEvents
    ///       Protocol: sqs
    ///       Endpoint: !GetAtt AuditQueue.Arn
    /// ```
    ///
    /// ## How to fix
    /// Encrypt with a customer managed `AWS::KMS::Key` whose key policy allows the service
    /// principal (`sns.amazonaws.com`, `events.amazonaws.com`, `s3.amazonaws.com`)
    /// `kms:GenerateDataKey*` and `kms:Decrypt`; for a queue, SQS-managed encryption
    /// (`SqsManagedSseEnabled: true`) also works.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html>
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html>
    /// - <https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html>
    pub ManagedKeyBlocksDelivery {
        code: "EL307",
        name: "managed-key-blocks-delivery",
        severity: Error,
    }
}

/// The key of a queue or topic.
enum Key<'a> {
    /// The AWS managed key of the service (its alias).
    Managed(&'static str),
    /// An `AWS::KMS::Key` of the run.
    Customer(ResHandle<'a>),
}

impl Rule for ManagedKeyBlocksDelivery {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        // deliveries by target, in order
        let mut groups: Vec<(ResHandle<'_>, Vec<ServiceDelivery<'_>>)> = Vec::new();
        for d in service_deliveries(cx.graph) {
            let Some(t) = d.target(cx.graph) else {
                continue;
            };
            let topic_ok = matches!(d.via, Via::Target | Via::Notification);
            let wanted = match t.res.ty.as_str() {
                "AWS::SQS::Queue" => d.via != Via::Subscription || protocol(&d) == "sqs",
                "AWS::SNS::Topic" => topic_ok,
                _ => false,
            };
            if !wanted || d.role {
                continue;
            }
            match groups
                .iter_mut()
                .find(|(g, _)| g.tpl == t.tpl && g.res.id == t.res.id)
            {
                Some((_, v)) => v.push(d),
                None => groups.push((t, vec![d])),
            }
        }
        let mut out = Vec::new();
        for (target, ds) in groups {
            let Some(node) = target.res.prop("KmsMasterKeyId") else {
                continue;
            };
            match key_of(cx.sys, target, node) {
                Some(Key::Managed(alias)) => out.push(managed(cx, target, node.span, alias, &ds)),
                Some(Key::Customer(key)) => {
                    if let Some(f) = customer(cx, target, node.span, key, &ds) {
                        out.push(f);
                    }
                }
                None => {}
            }
        }
        out
    }
}

/// What `KmsMasterKeyId` names: the service's AWS managed key, an in-scope key (directly or
/// through an in-scope `AWS::KMS::Alias`), or something unknown.
fn key_of<'a>(sys: &'a System, target: ResHandle<'_>, node: &Node) -> Option<Key<'a>> {
    let managed = if target.res.ty == "AWS::SNS::Topic" {
        "alias/aws/sns"
    } else {
        "alias/aws/sqs"
    };
    let sym = sys.sym(target.tpl, node);
    let h = match (sym.resource(), sym.pattern()) {
        (Some(r), _) => sys.resource(r.tpl, &r.id)?,
        (None, Some(p)) if p == managed || p.ends_with(&format!(":{managed}")) => {
            return Some(Key::Managed(managed));
        }
        (None, Some(p)) if p.starts_with("alias/") => sys.resources().find(|h| {
            h.res.ty == "AWS::KMS::Alias"
                && h.res
                    .prop("AliasName")
                    .and_then(|n| sys.sym(h.tpl, n).literal())
                    .as_deref()
                    == Some(p.as_str())
        })?,
        _ => return None,
    };
    let key = match h.res.ty.as_str() {
        "AWS::KMS::Key" => h,
        "AWS::KMS::Alias" => {
            let r = sys
                .sym(h.tpl, h.res.prop("TargetKeyId")?)
                .resource()?
                .clone();
            sys.resource(r.tpl, &r.id)?
        }
        _ => return None,
    };
    (key.res.ty == "AWS::KMS::Key").then_some(Key::Customer(key))
}

fn kind(target: ResHandle<'_>) -> &'static str {
    if target.res.ty == "AWS::SNS::Topic" {
        "topic"
    } else {
        "queue"
    }
}

/// The services (deduplicated) and sources of deliveries, for a message.
fn who(cx: &Context<'_>, ds: &[&ServiceDelivery<'_>]) -> (String, String) {
    let mut services: Vec<&str> = ds.iter().map(|d| d.service).collect();
    services.dedup();
    services.sort_unstable();
    services.dedup();
    let mut sources: Vec<String> = ds.iter().map(|d| d.source_name(cx.graph)).collect();
    sources.dedup();
    (services.join(" and "), sources.join(" and "))
}

fn managed(
    cx: &Context<'_>,
    target: ResHandle<'_>,
    span: Span,
    alias: &str,
    ds: &[ServiceDelivery<'_>],
) -> Finding {
    let all: Vec<&ServiceDelivery<'_>> = ds.iter().collect();
    let (services, sources) = who(cx, &all);
    let (kind, id) = (kind(target), &target.res.id);
    let alternative = if kind == "queue" {
        ", or SQS-managed encryption (`SqsManagedSseEnabled: true`)"
    } else {
        ""
    };
    let mut f = Finding::new(
        span,
        format!(
            "{kind} `{id}` is encrypted with the AWS managed key `{alias}`, whose key policy \
             cannot let {services} use it: {sources} cannot deliver to it"
        ),
    )
    .resource(id.clone())
    .help(format!(
        "use a customer managed `AWS::KMS::Key` whose key policy allows {services} \
         `kms:GenerateDataKey*` and `kms:Decrypt`{alternative}"
    ))
    .key("KmsMasterKeyId");
    for d in ds {
        f = f.label(
            d.span(),
            format!("{} delivers to `{id}` here", d.source_name(cx.graph)),
        );
    }
    f
}

fn customer(
    cx: &Context<'_>,
    target: ResHandle<'_>,
    span: Span,
    key: ResHandle<'_>,
    ds: &[ServiceDelivery<'_>],
) -> Option<Finding> {
    let mut denied: Vec<(&ServiceDelivery<'_>, Option<Span>)> = Vec::new();
    for d in ds {
        let source = d.source(cx.graph);
        for action in ["kms:GenerateDataKey", "kms:Decrypt"] {
            if let Decision::Denied(deny) =
                key_policy_allows(cx.sys, key, d.service, action, source)
            {
                denied.push((d, deny));
                break;
            }
        }
    }
    if denied.is_empty() {
        return None;
    }
    let refs: Vec<&ServiceDelivery<'_>> = denied.iter().map(|(d, _)| *d).collect();
    let (services, sources) = who(cx, &refs);
    let (kind, id, kid) = (kind(target), &target.res.id, &key.res.id);
    let mut f = Finding::new(
        span,
        format!(
            "{kind} `{id}` is encrypted with key `{kid}`, whose key policy does not let \
             {services} use it (`kms:GenerateDataKey*`, `kms:Decrypt`): {sources} cannot deliver \
             to it"
        ),
    )
    .resource(id.clone())
    .help(format!(
        "add a statement to the key policy of `{kid}` allowing principal {services} \
         `kms:GenerateDataKey*` and `kms:Decrypt`"
    ))
    .key("KmsMasterKeyId");
    let policy_span = key
        .res
        .props()
        .entry("KeyPolicy")
        .map_or(key.res.id_span, |e| e.key_span);
    f = f.label(policy_span, format!("the key policy of `{kid}`"));
    for (d, deny) in denied {
        if let Some(s) = deny {
            f = f.label(s, "this statement denies it");
        }
        f = f.label(
            d.span(),
            format!("{} delivers to `{id}` here", d.source_name(cx.graph)),
        );
    }
    Some(f)
}
