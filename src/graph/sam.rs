//! SAM semantics: function and state machine `Events` expanded into the same edges as their
//! plain-CloudFormation equivalents, with the resources SAM generates (rules, schedules, queues
//! for `SqsSubscription` and `DeadLetterConfig: {Type: SQS}`) as generated nodes named with the
//! logical IDs SAM gives them.

use super::build::{Builder, Want, s3_filter};
use super::{Cfg, DlqKind, EdgeKind, NodeIx, Owner};
use crate::model::{Node, Resource, TplId};

/// The SAM `EventInvokeConfig` of a function: its async destinations.
pub(super) fn function_destinations<'a>(
    b: &mut Builder<'a>,
    tpl: TplId,
    res: &'a Resource,
    me: NodeIx,
    owner: &Owner<'a>,
) {
    let Some(cfg) = res.prop_path(&["EventInvokeConfig", "DestinationConfig"]) else {
        return;
    };
    for (key, kind) in [
        ("OnFailure", EdgeKind::DeadLetters),
        ("OnSuccess", EdgeKind::Publishes),
    ] {
        let Some(d) = cfg.get(key) else { continue };
        let to = match d.get("Destination") {
            Some(dest) => b.resolve(tpl, dest, Want::Any),
            None => {
                // SAM creates the queue or topic when `Type` is SQS/SNS and no Destination is given
                let ty = match d.get("Type").and_then(Node::as_str) {
                    Some("SQS") => "AWS::SQS::Queue",
                    Some("SNS") => "AWS::SNS::Topic",
                    _ => continue,
                };
                let suffix = if ty == "AWS::SQS::Queue" {
                    "Queue"
                } else {
                    "Topic"
                };
                b.generated(
                    tpl,
                    format!("{}EventInvokeConfig{key}{suffix}", res.id),
                    ty,
                    d.span,
                    &res.id,
                )
            }
        };
        let cfg = if kind == EdgeKind::DeadLetters {
            Cfg::DeadLetter {
                kind: DlqKind::AsyncOnFailure,
                max_receive: None,
            }
        } else {
            Cfg::None
        };
        b.edge(me, to, kind, d.span, owner.clone(), cfg);
    }
}

/// Expand a function's or state machine's `Events`.
pub(super) fn events<'a>(b: &mut Builder<'a>, tpl: TplId, res: &'a Resource, me: NodeIx) {
    let Some(events) = res.prop("Events") else {
        return;
    };
    for ev in events.entries() {
        let Some(ty) = ev.value.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let empty = res.props(); // stands in for absent Properties; rules read keys through it only via get()
        let props = ev.value.get("Properties").unwrap_or(empty);
        let owner = Owner {
            tpl,
            res,
            event: Some((ev.key.as_str(), &ev.value)),
        };
        let gen_id = format!("{}{}", res.id, ev.key);
        let span = ev.key_span;
        match ty {
            "SQS" | "Kinesis" | "DynamoDB" | "MQ" | "MSK" | "DocumentDB" => {
                let key = match ty {
                    "SQS" => "Queue",
                    "MQ" => "Broker",
                    "DocumentDB" => "Cluster",
                    _ => "Stream",
                };
                let Some(src) = props.get(key) else { continue };
                let want = match ty {
                    "SQS" => Want::Queue,
                    "Kinesis" => Want::Stream,
                    "DynamoDB" => Want::Table,
                    _ => Want::Any,
                };
                let from = b.resolve(tpl, src, want);
                let source: &'static str = match ty {
                    "SQS" => "SQS",
                    "Kinesis" => "Kinesis",
                    "DynamoDB" => "DynamoDB",
                    "MQ" => "MQ",
                    "MSK" => "MSK",
                    _ => "DocumentDB",
                };
                b.edge(
                    from,
                    me,
                    EdgeKind::Polls,
                    span,
                    owner.clone(),
                    Cfg::Esm { props, source },
                );
                if let Some(dest) = props.path(&["DestinationConfig", "OnFailure", "Destination"]) {
                    let d = b.resolve(tpl, dest, Want::Any);
                    b.edge(
                        me,
                        d,
                        EdgeKind::DeadLetters,
                        dest.span,
                        owner,
                        Cfg::DeadLetter {
                            kind: DlqKind::EsmOnFailure,
                            max_receive: None,
                        },
                    );
                }
            }
            "SelfManagedKafka" => {
                let from = b.self_managed_kafka(span);
                b.edge(
                    from,
                    me,
                    EdgeKind::Polls,
                    span,
                    owner,
                    Cfg::Esm {
                        props,
                        source: "SelfManagedKafka",
                    },
                );
            }
            "SNS" => sns(b, tpl, res, me, props, owner, &gen_id),
            "S3" => {
                let Some(bucket) = props.get("Bucket") else {
                    continue;
                };
                let from = b.resolve(tpl, bucket, Want::Bucket);
                let cfg = s3_filter(
                    b.sys,
                    tpl,
                    props.get("Events").into_iter().collect(),
                    props.get("Filter"),
                );
                b.edge(from, me, EdgeKind::Publishes, span, owner, cfg);
            }
            "EventBridgeRule" | "CloudWatchEvent" => {
                let rule = b.generated(tpl, gen_id.clone(), "AWS::Events::Rule", span, &res.id);
                let pattern = props.get("Pattern");
                let bus = b.bus(tpl, props.get("EventBusName"));
                b.edge(
                    bus,
                    rule,
                    EdgeKind::Routes,
                    span,
                    owner.clone(),
                    Cfg::Target {
                        target: None,
                        pattern,
                        sam: true,
                    },
                );
                b.edge(
                    rule,
                    me,
                    EdgeKind::Routes,
                    span,
                    owner.clone(),
                    Cfg::Target {
                        target: Some(props),
                        pattern,
                        sam: true,
                    },
                );
                dead_letter(b, tpl, rule, props, owner, &gen_id);
            }
            "Schedule" => {
                let rule = b.generated(tpl, gen_id.clone(), "AWS::Events::Rule", span, &res.id);
                b.edge(
                    rule,
                    me,
                    EdgeKind::Routes,
                    span,
                    owner.clone(),
                    Cfg::Target {
                        target: Some(props),
                        pattern: None,
                        sam: true,
                    },
                );
                dead_letter(b, tpl, rule, props, owner, &gen_id);
            }
            "ScheduleV2" => {
                let sched = b.generated(
                    tpl,
                    gen_id.clone(),
                    "AWS::Scheduler::Schedule",
                    span,
                    &res.id,
                );
                b.edge(
                    sched,
                    me,
                    EdgeKind::Routes,
                    span,
                    owner.clone(),
                    Cfg::Target {
                        target: Some(props),
                        pattern: None,
                        sam: true,
                    },
                );
                dead_letter(b, tpl, sched, props, owner, &gen_id);
            }
            "IoTRule" => {
                let rule = b.generated(tpl, gen_id, "AWS::IoT::TopicRule", span, &res.id);
                b.edge(
                    rule,
                    me,
                    EdgeKind::Invokes,
                    span,
                    owner,
                    Cfg::Invoke { sync: false },
                );
            }
            "CloudWatchLogs" => {
                let from = match props.get("LogGroupName") {
                    Some(n) => b.resolve(tpl, n, Want::Any),
                    None => b.external("log group".into(), "AWS::Logs::LogGroup", span),
                };
                b.edge(
                    from,
                    me,
                    EdgeKind::Invokes,
                    span,
                    owner,
                    Cfg::Invoke { sync: false },
                );
            }
            "Cognito" => {
                // the trigger(s) SAM adds to the pool's LambdaConfig; Cognito waits for the answer
                let Some(pool) = props.get("UserPool") else {
                    continue;
                };
                let from = b.resolve(tpl, pool, Want::Any);
                b.edge(
                    from,
                    me,
                    EdgeKind::Invokes,
                    span,
                    owner,
                    Cfg::Invoke { sync: true },
                );
            }
            "Api" | "HttpApi" => {
                let (key, implicit, ty) = if ty == "Api" {
                    ("RestApiId", "ServerlessRestApi", "AWS::Serverless::Api")
                } else {
                    ("ApiId", "ServerlessHttpApi", "AWS::Serverless::HttpApi")
                };
                let from = match props.get(key) {
                    Some(n) => b.resolve(tpl, n, Want::Any),
                    None => b.generated(tpl, implicit.to_string(), ty, span, &res.id),
                };
                b.edge(
                    from,
                    me,
                    EdgeKind::Invokes,
                    span,
                    owner,
                    Cfg::Invoke { sync: true },
                );
            }
            _ => {}
        }
    }
}

fn sns<'a>(
    b: &mut Builder<'a>,
    tpl: TplId,
    res: &'a Resource,
    me: NodeIx,
    props: &'a Node,
    owner: Owner<'a>,
    gen_id: &str,
) {
    let Some(topic) = props.get("Topic") else {
        return;
    };
    let from = b.resolve(tpl, topic, Want::Topic);
    let span = owner.event.map_or(res.id_span, |(_, n)| n.span);
    let sqs_sub = props.get("SqsSubscription");
    let via_queue = match sqs_sub {
        Some(n) if n.as_bool() == Some(true) => Some(b.generated(
            tpl,
            format!("{gen_id}Queue"),
            "AWS::SQS::Queue",
            n.span,
            &res.id,
        )),
        Some(n) if n.is_map() => Some(match n.get("QueueArn") {
            Some(q) => b.resolve(tpl, q, Want::Queue),
            None => b.generated(
                tpl,
                format!("{gen_id}Queue"),
                "AWS::SQS::Queue",
                n.span,
                &res.id,
            ),
        }),
        _ => None,
    };
    match via_queue {
        Some(q) => {
            let cfg = Cfg::Subscription {
                props: Some(props),
                inline: false,
                protocol: "sqs".into(),
            };
            b.edge(from, q, EdgeKind::Subscribes, span, owner.clone(), cfg);
            let esm_props = sqs_sub.filter(|n| n.is_map()).unwrap_or(props);
            b.edge(
                q,
                me,
                EdgeKind::Polls,
                span,
                owner.clone(),
                Cfg::Esm {
                    props: esm_props,
                    source: "SQS",
                },
            );
        }
        None => {
            let cfg = Cfg::Subscription {
                props: Some(props),
                inline: false,
                protocol: "lambda".into(),
            };
            b.edge(from, me, EdgeKind::Subscribes, span, owner.clone(), cfg);
        }
    }
    if let Some(dlq) = props.path(&["RedrivePolicy", "deadLetterTargetArn"]) {
        let d = b.resolve(tpl, dlq, Want::Queue);
        b.edge(
            from,
            d,
            EdgeKind::DeadLetters,
            dlq.span,
            owner,
            Cfg::DeadLetter {
                kind: DlqKind::SubscriptionDlq,
                max_receive: None,
            },
        );
    }
}

/// `DeadLetterConfig` of a SAM rule/schedule event: `Arn` of a queue, or `Type: SQS` for a queue
/// SAM creates (`QueueLogicalId`, default `<RuleLogicalId>Queue`).
fn dead_letter<'a>(
    b: &mut Builder<'a>,
    tpl: TplId,
    from: NodeIx,
    props: &'a Node,
    owner: Owner<'a>,
    rule_id: &str,
) {
    let Some(dlc) = props.get("DeadLetterConfig") else {
        return;
    };
    let to = match (dlc.get("Arn"), dlc.get("Type").and_then(Node::as_str)) {
        (Some(arn), _) => b.resolve(tpl, arn, Want::Queue),
        (None, Some("SQS")) => {
            let id = dlc
                .get("QueueLogicalId")
                .and_then(Node::as_str)
                .map_or_else(|| format!("{rule_id}Queue"), str::to_string);
            b.generated(tpl, id, "AWS::SQS::Queue", dlc.span, &owner.res.id)
        }
        _ => return,
    };
    b.edge(
        from,
        to,
        EdgeKind::DeadLetters,
        dlc.span,
        owner,
        Cfg::DeadLetter {
            kind: DlqKind::TargetDlq,
            max_receive: None,
        },
    );
}
