use super::rule::prelude::*;
use super::util_delivery::function_of;
use super::util_permissions::{
    EVENTS, S3, SNS, ServiceDelivery, Via, protocol, service_deliveries,
};
use crate::model::ResHandle;
use crate::model::iam::{Decision, Delivery, lambda_permission_allows, lambda_permissions};

declare_rule! {
    /// ## What it does
    /// Reports a function that a plain CloudFormation EventBridge rule targets, an SNS
    /// subscription (protocol `lambda`) or an S3 bucket notification invokes when no
    /// `AWS::Lambda::Permission` lets that service principal invoke it from that source: none
    /// names the function (or the alias or version the source invokes) with a matching
    /// `Principal`, or their `SourceArn`/`SourceAccount` name another source. What SAM events
    /// generate counts, scoped as SAM scopes it: an `SNS` event's permission covers its topic,
    /// an `S3` event's covers every bucket of the account, and an `EventBridgeRule`,
    /// `CloudWatchEvent` or `Schedule` event's covers only the rule SAM creates for it. SAM
    /// events themselves are never reported (SAM creates their permission), nor are rule
    /// targets with `RoleArn` or anything eventlint cannot resolve.
    ///
    /// ## Why it matters
    /// Lambda refuses the invocation. EventBridge does not retry a permission error and drops
    /// the event (or moves it to the target's dead-letter queue), SNS drops the message, and S3
    /// cannot send its notifications. A common cause is a rule added next to a SAM
    /// `EventBridgeRule` event, assuming the permission SAM created for the event covers it.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Billing:  # expect: EL306
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler
    ///       Runtime: python3.12
    ///       Events:
    ///         OrderPlaced:
    ///           Type: EventBridgeRule
    ///           Properties:
    ///             Pattern: {source: [shop.orders]}
    ///   RefundRule:
    ///     Type: AWS::Events::Rule
    ///     Properties:
    ///       EventPattern: {source: [shop.refunds]}
    ///       Targets:
    ///         - Arn: !GetAtt Billing.Arn
    ///           Id: Billing
    /// ```
    ///
    /// ## How to fix
    /// Add an `AWS::Lambda::Permission` with `Action: lambda:InvokeFunction`, the function (or
    /// alias) as `FunctionName`, the service principal as `Principal` and the rule, topic or
    /// bucket ARN as `SourceArn`; or declare the source as a SAM event, which creates it.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html>
    /// - <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-permission.html>
    pub LambdaPermissionMissing {
        code: "EL306",
        name: "lambda-permission-missing",
        severity: Error,
    }
}

impl Rule for LambdaPermissionMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for d in service_deliveries(cx.graph) {
            // a target with `RoleArn` may be invoked with that role instead
            if d.is_sam()
                || d.role
                || !matches!(d.via, Via::Target | Via::Subscription | Via::Notification)
                || (d.via == Via::Subscription && protocol(&d) != "lambda")
            {
                continue;
            }
            let (Some(endpoint), Some(fix)) =
                (d.target(cx.graph), function_of(cx.sys, cx.graph, d.to))
            else {
                continue;
            };
            let Some(func) = cx.graph.node(fix).and_then(|n| {
                Some(ResHandle {
                    tpl: n.tpl?,
                    res: n.res?,
                })
            }) else {
                continue;
            };
            let source = d.source(cx.graph);
            let check = |target| {
                lambda_permission_allows(
                    cx.sys,
                    Delivery {
                        service: d.service,
                        action: "lambda:InvokeFunction",
                        target,
                        source,
                    },
                )
            };
            if !matches!(check(endpoint), Decision::Denied(_)) {
                continue;
            }
            // an alias or version: a permission on the function itself may or may not reach it
            if endpoint.res.id != func.res.id && !matches!(check(func), Decision::Denied(_)) {
                continue;
            }
            out.push(finding(cx, &d, endpoint, func));
        }
        out
    }
}

fn finding(
    cx: &Context<'_>,
    d: &ServiceDelivery<'_>,
    endpoint: ResHandle<'_>,
    func: ResHandle<'_>,
) -> Finding {
    let fid = &func.res.id;
    let source = d.source_name(cx.graph);
    let via_alias = if endpoint.res.id == *fid {
        String::new()
    } else {
        format!(" through `{}`", endpoint.res.id)
    };
    let what = match d.via {
        Via::Target => format!("{source} targets `{fid}`{via_alias}"),
        Via::Subscription => format!("`{fid}`{via_alias} is subscribed to {source}"),
        _ => format!("{source} notifies `{fid}`{via_alias}"),
    };
    let mut f = Finding::new(
        func.res.id_span,
        format!(
            "{what}, but no `AWS::Lambda::Permission` lets {} invoke it from there: {}",
            d.service,
            d.consequence()
        ),
    )
    .resource(fid.clone())
    .label(d.span(), format!("{source} invokes `{fid}` here"))
    .help(format!(
        "add an `AWS::Lambda::Permission` with `FunctionName: !Ref {}`, `Action: \
         lambda:InvokeFunction`, `Principal: {}` and `SourceArn: {}`",
        endpoint.res.id,
        d.service,
        d.source_arn_hint(cx.graph).trim_matches('`')
    ))
    .key(format!(
        "{}:{}",
        d.via.as_str(),
        cx.graph.node(d.from).map_or("", |n| n.id.as_str())
    ));
    let mut perms = lambda_permissions(cx.sys, endpoint);
    if endpoint.res.id != *fid {
        perms.extend(lambda_permissions(cx.sys, func));
    }
    for p in perms {
        f = f.label(p.res.id_span, "this permission does not cover that source");
    }
    // the permissions SAM generates for the function's own events, scoped to their source
    for ev in func
        .res
        .prop("Events")
        .map(Node::entries)
        .unwrap_or_default()
    {
        let ty = ev.value.get("Type").and_then(Node::as_str).unwrap_or("");
        let same = match d.service {
            EVENTS => matches!(ty, "EventBridgeRule" | "CloudWatchEvent" | "Schedule"),
            SNS => ty == "SNS" && ev.value.path(&["Properties", "SqsSubscription"]).is_none(),
            S3 => ty == "S3",
            _ => false,
        };
        if same {
            f = f.label(
                ev.key_span,
                format!(
                    "the permission SAM creates for event `{}` covers only its own source",
                    ev.key
                ),
            );
        }
    }
    f
}
