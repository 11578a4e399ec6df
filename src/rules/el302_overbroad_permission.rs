use std::collections::BTreeMap;

use super::rule::prelude::*;
use crate::model::System;
use crate::model::iam::{PolicySet, Statement, glob, identity_policies, role_policies};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement on an event-path role (the role of a function or state
    /// machine, or the `RoleArn` of an EventBridge rule target, Scheduler schedule, pipe or
    /// EventsV2 subscriber) that grants `*`, `sns:*`, `sqs:*`, `events:*`, `lambda:*` or
    /// `states:*`, or a publish/send action (`sns:Publish`, `sqs:SendMessage*`,
    /// `events:PutEvents`, `lambda:InvokeFunction`, `states:StartExecution`,
    /// `kinesis:PutRecord*`, `firehose:PutRecord*`, or a wildcard covering one) on every
    /// resource: `Resource: "*"` or an ARN whose name is only `*` (a SAM policy template given
    /// `"*"`). Known AWS managed policies count (`AdministratorAccess`, `AmazonSQSFullAccess`,
    /// `AWSLambdaRole`, ...).
    ///
    /// Kept simple on purpose: a `Condition` does not make such a statement fine, and
    /// `NotAction` statements, computed actions and the permissions SAM adds itself (dead-letter
    /// queues, destinations, connectors) are not reported.
    ///
    /// ## Why it matters
    /// A role that may publish to any topic, send to any queue or start any state machine can
    /// inject events into every flow of the account when its code is buggy or compromised, and
    /// the template no longer documents where its events go. Service-wide wildcards also allow
    /// deleting queues, purging them or changing their policies.
    ///
    /// ## Example
    /// ```yaml
    /// Worker:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Policies:
    ///       - Statement:
    ///           - Effect: Allow
    ///             Action: sqs:SendMessage
    ///             Resource: "*"  # expect: EL302
    /// ```
    ///
    /// ## How to fix
    /// Grant only the actions the role uses, on the ARNs of the resources it uses: with SAM a
    /// policy template (`SQSSendMessagePolicy: {QueueName: !GetAtt Jobs.QueueName}`) or a
    /// connector; instead of a full-access managed policy, scoped statements.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html>
    /// - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html>
    pub OverbroadPermission { code: "EL302", name: "overbroad-permission", severity: Warning }
}

/// Service-wide action wildcards reported wherever they apply.
const WILDCARDS: &[&str] = &["*", "sns:*", "sqs:*", "events:*", "lambda:*", "states:*"];

/// Actions that publish, send or start something: reported on every resource.
const SENDS: &[&str] = &[
    "sns:publish",
    "sqs:sendmessage",
    "sqs:sendmessagebatch",
    "events:putevents",
    "lambda:invokefunction",
    "states:startexecution",
    "kinesis:putrecord",
    "kinesis:putrecords",
    "firehose:putrecord",
    "firehose:putrecordbatch",
];

/// What one statement grants too broadly, and to whom.
struct Broad {
    who: String,
    /// The function, state machine or rule using the role, and where it is declared.
    user: String,
    principal: Span,
    source: String,
    holder: String,
    items: Vec<String>,
    actions: Vec<String>,
}

impl Rule for OverbroadPermission {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        // grouped by primary span: a managed policy is one name with several statements, and
        // a role shared by several functions is reported once
        let mut found: BTreeMap<Span, Broad> = BTreeMap::new();
        for (who, user, principal, set) in principals(cx.sys) {
            for st in &set.statements {
                let Some((span, items, actions)) = broad(cx.sys, &set, st) else {
                    continue;
                };
                let b = found.entry(span).or_insert_with(|| Broad {
                    who: who.clone(),
                    user: user.clone(),
                    principal,
                    source: st.source.clone(),
                    holder: st.holder.clone(),
                    items: Vec::new(),
                    actions: Vec::new(),
                });
                for (item, action) in items.into_iter().zip(actions) {
                    if !b.actions.contains(&action) {
                        b.items.push(item);
                        b.actions.push(action);
                    }
                }
            }
        }
        found
            .into_iter()
            .map(|(span, b)| finding(span, b))
            .collect()
    }
}

fn finding(span: Span, b: Broad) -> Finding {
    let first = b.actions.first().map(String::as_str).unwrap_or_default();
    let example = match first
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "sns" => "`sns:Publish`",
        "events" => "`events:PutEvents`",
        "lambda" => "`lambda:InvokeFunction`",
        "states" => "`states:StartExecution`",
        "kinesis" => "`kinesis:PutRecord`",
        "firehose" => "`firehose:PutRecord`",
        _ => "`sqs:SendMessage`",
    };
    let help = if b.source.starts_with("managed policy") {
        "replace the managed policy with statements that allow only the actions the role uses, \
         on the ARNs of the resources it uses (SAM policy templates do this)"
            .to_string()
    } else if b.source.starts_with("SAM policy template") {
        "give the policy template the name of the resource the role uses instead of `*`".to_string()
    } else {
        format!(
            "allow only the actions the role uses (e.g. {example}) on the ARNs of the resources \
             it uses, not `*`"
        )
    };
    let mut f = Finding::new(
        span,
        format!(
            "{} is granted {} by {}",
            b.who,
            b.items.join(" and "),
            b.source
        ),
    )
    .resource(b.holder.clone())
    .help(help)
    .key(format!("{}:{}", b.source, b.actions.join(",")));
    if b.user != b.holder {
        f = f.label(b.principal, format!("`{}` uses this role", b.user));
    }
    f
}

/// Every event-path role: (how to name it, who uses it and where that is declared, its
/// statements).
fn principals(sys: &System) -> Vec<(String, String, Span, PolicySet)> {
    let mut out = Vec::new();
    for h in sys.resources() {
        if h.res.is_function() || h.res.is_state_machine() {
            let who = format!("the role of `{}`", h.res.id);
            let user = h.res.id.clone();
            out.push((who, user, h.res.id_span, identity_policies(sys, h)));
        }
    }
    for h in sys.resources() {
        let r = h.res;
        let roles: Vec<&Node> = match r.ty.as_str() {
            "AWS::Events::Rule" => r
                .prop("Targets")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|t| t.get("RoleArn"))
                .chain(r.prop("RoleArn"))
                .collect(),
            "AWS::Scheduler::Schedule" => r.prop_path(&["Target", "RoleArn"]).into_iter().collect(),
            "AWS::Pipes::Pipe" => r.prop("RoleArn").into_iter().collect(),
            "AWS::EventsV2::Subscriber" => r
                .prop_path(&["InvokeConfiguration", "RoleArn"])
                .into_iter()
                .collect(),
            _ => continue,
        };
        for role in roles
            .into_iter()
            .filter_map(|n| sys.target(h.tpl, n, None))
            .filter(|role| role.res.ty == "AWS::IAM::Role")
        {
            let who = format!("role `{}`, the target role of `{}`,", role.res.id, r.id);
            out.push((who, r.id.clone(), r.id_span, role_policies(sys, role)));
        }
    }
    out
}

fn list(n: Option<&Node>) -> Vec<&Node> {
    match n {
        Some(n) if n.is_seq() => n.items().iter().collect(),
        Some(n) => vec![n],
        None => Vec::new(),
    }
}

/// What a statement grants too broadly: (primary span, message items, actions as written).
fn broad(
    sys: &System,
    set: &PolicySet,
    st: &Statement,
) -> Option<(Span, Vec<String>, Vec<String>)> {
    // what SAM adds for DLQs, destinations and connectors is scoped by SAM, not the user
    if st.source.starts_with("the policy SAM adds") || st.source.starts_with("connector") {
        return None;
    }
    let effect = st
        .node
        .get("Effect")
        .and_then(|e| sys.sym(st.tpl, e).literal());
    if effect.as_deref() != Some("Allow") {
        return None;
    }
    let every = list(st.node.get("Resource"))
        .into_iter()
        .find(|r| names_everything(sys, st.tpl, r));
    let (mut wild, mut send, mut items, mut actions) = (None, None, Vec::new(), Vec::new());
    for a in list(st.node.get("Action")) {
        let Some(text) = sys.sym(st.tpl, a).literal() else {
            continue;
        };
        let lower = text.to_ascii_lowercase();
        if WILDCARDS.contains(&lower.as_str()) {
            wild.get_or_insert(a.span);
            items.push(format!("`{text}` ({})", scope(&lower)));
        } else if let Some(r) = every.filter(|_| {
            SENDS
                .iter()
                .any(|s| glob(&lower, s) && !denied_everywhere(sys, set, s))
        }) {
            send.get_or_insert(r.span);
            items.push(format!("`{text}` on every resource"));
        } else {
            continue;
        }
        actions.push(text);
    }
    // the action to narrow first, else the `*` resource
    wild.or(send).map(|s| (s, items, actions))
}

/// Whether an explicit Deny in the set takes the action away on every resource of its service
/// (`Deny sns:Publish on arn:aws:sns:*:*:*` next to `Allow sns:Publish on *`: publishing SMS,
/// which has no resource ARN, and nothing else).
fn denied_everywhere(sys: &System, set: &PolicySet, action: &str) -> bool {
    let service = action.split(':').next().unwrap_or_default();
    set.statements.iter().any(|d| {
        let deny = d
            .node
            .get("Effect")
            .and_then(|e| sys.sym(d.tpl, e).literal());
        deny.as_deref() == Some("Deny")
            && list(d.node.get("Action")).iter().any(|a| {
                sys.sym(d.tpl, a)
                    .literal()
                    .is_some_and(|a| glob(&a.to_ascii_lowercase(), action))
            })
            && list(d.node.get("Resource")).iter().any(|r| {
                sys.sym(d.tpl, r).pattern().is_some_and(|p| {
                    let f: Vec<&str> = p.splitn(4, ':').collect();
                    matches!(f.as_slice(), ["arn", _, svc, rest]
                        if *svc == service && rest.chars().all(|c| c == '*' || c == ':'))
                })
            })
    })
}

/// What a service-wide wildcard covers, for messages.
fn scope(wildcard: &str) -> &'static str {
    match wildcard {
        "sns:*" => "every SNS action",
        "sqs:*" => "every SQS action",
        "events:*" => "every EventBridge action",
        "lambda:*" => "every Lambda action",
        "states:*" => "every Step Functions action",
        _ => "every action of every service",
    }
}

/// `*`, or an ARN whose resource name is only wildcards (`arn:aws:sqs:*:*:*`,
/// `...:function:*`, `...:event-bus/*`).
fn names_everything(sys: &System, tpl: TplId, node: &Node) -> bool {
    let Some(text) = sys.sym(tpl, node).pattern() else {
        return false;
    };
    if text.chars().all(|c| c == '*') && !text.is_empty() {
        return true;
    }
    let Some(resource) = text.splitn(6, ':').nth(5) else {
        return false;
    };
    let name = [
        "function:",
        "stateMachine:",
        "event-bus/",
        "stream/",
        "deliverystream/",
    ]
    .iter()
    .find_map(|p| resource.strip_prefix(p))
    .unwrap_or(resource);
    !name.is_empty() && name.chars().all(|c| c == '*')
}
