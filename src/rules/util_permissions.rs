//! Helpers shared by the delivery-permission rules (EL304-EL307): the deliveries SNS,
//! EventBridge and S3 make with their own service principal (rule targets, subscriptions,
//! bucket notifications, rule-target and subscription dead-letter queues), and how to name
//! their source in a message.

use super::util_delivery::{decl_name, decl_span, is_known_node, maybe_present};
use crate::diagnostic::Finding;
use crate::graph::{Cfg, DlqKind, EdgeKind, GEdge, Graph, NodeIx, NodeKind};
use crate::model::{ResHandle, Resource};
use crate::source::Span;

pub const EVENTS: &str = "events.amazonaws.com";
pub const SNS: &str = "sns.amazonaws.com";
pub const S3: &str = "s3.amazonaws.com";

/// How a service delivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// An EventBridge rule target.
    Target,
    /// An SNS subscription.
    Subscription,
    /// An S3 bucket notification.
    Notification,
    /// The dead-letter queue of a rule target.
    TargetDlq,
    /// The dead-letter queue (`RedrivePolicy`) of a subscription.
    SubscriptionDlq,
}

impl Via {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Target => "target",
            Via::Subscription => "subscription",
            Via::Notification => "notification",
            Via::TargetDlq => "target-dlq",
            Via::SubscriptionDlq => "subscription-dlq",
        }
    }
}

/// One delivery a service makes with its own principal.
pub struct ServiceDelivery<'a> {
    pub from: NodeIx,
    pub to: NodeIx,
    pub edge: &'a GEdge<'a>,
    /// The service principal (`sns.amazonaws.com`, ...).
    pub service: &'static str,
    pub via: Via,
    /// A rule target with `RoleArn`: EventBridge may use that role instead of the resource
    /// policy, so the resource side alone does not decide.
    pub role: bool,
}

impl<'a> ServiceDelivery<'a> {
    /// Whether a SAM event declared it (SAM then generates the permission or policy, except
    /// for dead-letter queues given by ARN).
    #[must_use]
    pub fn is_sam(&self) -> bool {
        self.edge.owner.event.is_some()
    }

    /// Where the delivery is declared: the SAM event key, the rule target, the subscription,
    /// the notification, the dead-letter `Arn`.
    #[must_use]
    pub fn span(&self) -> Span {
        decl_span(self.edge)
    }

    /// The source resource (topic, rule, bucket) when it is declared in the run.
    #[must_use]
    pub fn source(&self, graph: &Graph<'a>) -> Option<ResHandle<'a>> {
        let n = graph.node(self.from)?;
        Some(ResHandle {
            tpl: n.tpl?,
            res: n.res?,
        })
    }

    /// The target resource (queue, topic, function, alias) when it is declared in the run.
    #[must_use]
    pub fn target(&self, graph: &Graph<'a>) -> Option<ResHandle<'a>> {
        let n = graph.node(self.to)?;
        if n.kind != NodeKind::Resource {
            return None;
        }
        Some(ResHandle {
            tpl: n.tpl?,
            res: n.res?,
        })
    }

    /// The source as a message names it: "topic `Orders`", "rule `Nightly`", "event
    /// `Nightly` of `Worker`", "bucket `Uploads`".
    #[must_use]
    pub fn source_name(&self, graph: &Graph<'_>) -> String {
        let id = graph
            .node(self.from)
            .filter(|_| is_known_node(graph, self.from))
            .map(|n| n.id.clone());
        match (self.via, id) {
            (Via::Target | Via::TargetDlq, _) if self.is_sam() => decl_name(self.edge),
            (Via::Target | Via::TargetDlq, Some(id)) => format!("rule `{id}`"),
            (Via::Subscription | Via::SubscriptionDlq, Some(id)) => format!("topic `{id}`"),
            (Via::Notification, Some(id)) => format!("bucket `{id}`"),
            (Via::Target | Via::TargetDlq, None) => "a rule".into(),
            (Via::Subscription | Via::SubscriptionDlq, None) => "a topic outside this run".into(),
            (Via::Notification, None) => "a bucket".into(),
        }
    }

    /// What a denied delivery costs.
    #[must_use]
    pub fn consequence(&self) -> &'static str {
        match self.via {
            Via::Target => "EventBridge cannot deliver and the events are lost",
            Via::Subscription => "SNS cannot deliver and the messages are lost",
            Via::Notification => "S3 cannot send its notifications",
            Via::TargetDlq => "events that fail cannot be dead-lettered and are lost",
            Via::SubscriptionDlq => "messages that fail cannot be dead-lettered and are lost",
        }
    }

    /// Give a finding about this delivery its stable key, and label the Deny statement that
    /// refuses it or, without one, every policy that does not allow it.
    #[must_use]
    pub fn finish(
        &self,
        graph: &Graph<'_>,
        f: Finding,
        deny: Option<Span>,
        policies: &[ResHandle<'_>],
    ) -> Finding {
        let f = f.key(format!(
            "{}:{}",
            self.via.as_str(),
            graph.node(self.from).map_or("", |n| n.id.as_str())
        ));
        match deny {
            Some(span) => f.label(span, "this statement denies it"),
            None => policies.iter().fold(f, |f, p| {
                f.label(p.res.id_span, format!("does not allow {}", self.service))
            }),
        }
    }

    /// The `aws:SourceArn` / `SourceArn` a fix should name.
    #[must_use]
    pub fn source_arn_hint(&self, graph: &Graph<'_>) -> String {
        match (self.via, graph.node(self.from)) {
            (Via::Notification, Some(n)) if n.kind == NodeKind::Resource => {
                format!("`!Sub arn:${{AWS::Partition}}:s3:::${{{}}}`", n.id)
            }
            (Via::Subscription | Via::SubscriptionDlq, Some(n)) if n.kind == NodeKind::Resource => {
                format!("`!Ref {}`", n.id)
            }
            (_, Some(n)) if n.kind != NodeKind::External => format!("`!GetAtt {}.Arn`", n.id),
            _ => "the source's ARN".into(),
        }
    }
}

fn node_type<'g>(graph: &'g Graph<'_>, ix: NodeIx) -> &'g str {
    graph.node(ix).map_or("", |n| n.ty.as_str())
}

/// Every delivery SNS, EventBridge (classic rules) and S3 make with their service principal.
#[must_use]
pub fn service_deliveries<'a>(graph: &'a Graph<'a>) -> Vec<ServiceDelivery<'a>> {
    let mut out = Vec::new();
    let mut push = |from, to, edge, service, via, role| {
        out.push(ServiceDelivery {
            from,
            to,
            edge,
            service,
            via,
            role,
        });
    };
    for (from, to, e) in graph.edges(EdgeKind::Routes) {
        if let Cfg::Target {
            target: Some(t),
            sam,
            ..
        } = e.cfg
            && node_type(graph, from) == "AWS::Events::Rule"
        {
            let role = !sam && maybe_present(t.get("RoleArn"));
            push(from, to, e, EVENTS, Via::Target, role);
        }
    }
    for (from, to, e) in graph.edges(EdgeKind::Subscribes) {
        if matches!(e.cfg, Cfg::Subscription { .. }) {
            push(from, to, e, SNS, Via::Subscription, false);
        }
    }
    for (from, to, e) in graph.edges(EdgeKind::Publishes) {
        if matches!(e.cfg, Cfg::S3 { .. }) && node_type(graph, from) == "AWS::S3::Bucket" {
            push(from, to, e, S3, Via::Notification, false);
        }
    }
    for (from, to, e) in graph.edges(EdgeKind::DeadLetters) {
        match e.cfg {
            Cfg::DeadLetter {
                kind: DlqKind::TargetDlq,
                ..
            } if node_type(graph, from) == "AWS::Events::Rule" => {
                push(from, to, e, EVENTS, Via::TargetDlq, false);
            }
            Cfg::DeadLetter {
                kind: DlqKind::SubscriptionDlq,
                ..
            } => push(from, to, e, SNS, Via::SubscriptionDlq, false),
            _ => {}
        }
    }
    out
}

/// The subscription protocol of a delivery (`sqs`, `lambda`, ...), empty for others.
#[must_use]
pub fn protocol<'g>(d: &'g ServiceDelivery<'_>) -> &'g str {
    match &d.edge.cfg {
        Cfg::Subscription { protocol, .. } => protocol.as_str(),
        _ => "",
    }
}

/// Whether a resource is a queue or topic (the types resource policies protect here).
#[must_use]
pub fn is_channel(res: &Resource) -> bool {
    res.ty == "AWS::SQS::Queue" || res.ty == "AWS::SNS::Topic"
}
