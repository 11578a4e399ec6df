//! The event graph: resources (and external endpoints) as nodes, typed edges for how events
//! move between them, each edge with the span that created it. Rules ask questions of the graph
//! through the query methods here, never of the raw YAML.

mod access;
mod alarms;
mod build;
mod code;
mod render;
mod sam;
mod sfn;

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;

use crate::model::{Node, Resource, System, TplId};
use crate::source::Span;

pub use access::{TaskCall, delivery, task_action, task_call};
pub use build::build;
pub use render::{render_dot, render_json, render_mermaid};

pub type NodeIx = NodeIndex<u32>;
pub type EdgeIx = EdgeIndex<u32>;

/// What a graph node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A resource declared in a template.
    Resource,
    /// A resource SAM generates (the rule of an `EventBridgeRule` event, a queue for
    /// `SqsSubscription`, ...).
    Generated,
    /// Something outside the run: a parameter, another stack, the account's default bus.
    External,
}

/// A node of the event graph.
#[derive(Clone, Debug)]
pub struct GNode<'a> {
    pub kind: NodeKind,
    pub tpl: Option<TplId>,
    /// Logical ID (SAM-generated logical ID for generated nodes; a label for external ones).
    pub id: String,
    /// Resource type (`AWS::SQS::Queue`, ...); for external nodes the kind of thing expected.
    pub ty: String,
    /// Where it is declared (the logical ID key, the SAM event key).
    pub span: Span,
    pub res: Option<&'a Resource>,
    /// For generated nodes: the logical ID of the resource that generates it.
    pub parent: Option<String>,
}

/// How events move along an edge (DESIGN.md "The graph").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    Publishes,
    Routes,
    Subscribes,
    Polls,
    Invokes,
    DeadLetters,
    Writes,
    Reads,
    Alarms,
    Allows,
}

impl EdgeKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Publishes => "publishes",
            EdgeKind::Routes => "routes",
            EdgeKind::Subscribes => "subscribes",
            EdgeKind::Polls => "polls",
            EdgeKind::Invokes => "invokes",
            EdgeKind::DeadLetters => "dead-letters",
            EdgeKind::Writes => "writes",
            EdgeKind::Reads => "reads",
            EdgeKind::Alarms => "alarms",
            EdgeKind::Allows => "allows",
        }
    }
}

/// Why a dead-letter edge exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DlqKind {
    /// SQS `RedrivePolicy.deadLetterTargetArn`.
    Redrive,
    /// Function `DeadLetterQueue` / `DeadLetterConfig`.
    FunctionDlq,
    /// Lambda async `EventInvokeConfig` OnFailure destination.
    AsyncOnFailure,
    /// Event source mapping `DestinationConfig.OnFailure`.
    EsmOnFailure,
    /// EventBridge rule target / Scheduler / Pipe / event bus `DeadLetterConfig`, enhanced-bus
    /// subscriber `OnFailureConfiguration`.
    TargetDlq,
    /// SNS subscription `RedrivePolicy`.
    SubscriptionDlq,
}

/// Configuration carried by an edge: the nodes that declared it, for rules to read.
#[derive(Clone, Debug)]
pub enum Cfg<'a> {
    None,
    /// An event source mapping (SAM SQS/Kinesis/DynamoDB/... event properties, or the
    /// `AWS::Lambda::EventSourceMapping` properties). `source` is SQS, Kinesis, DynamoDB, MQ, MSK, ...
    Esm {
        props: &'a Node,
        source: &'static str,
    },
    /// A rule (or schedule, pipe, EventsV2 subscriber) target: the CloudFormation target map
    /// (the whole pipe properties for a pipe, the `InvokeConfiguration` for a subscriber) or the
    /// SAM event properties, and the rule's pattern.
    Target {
        target: Option<&'a Node>,
        pattern: Option<&'a Node>,
        sam: bool,
    },
    /// An SNS subscription: its properties (SAM event properties or `AWS::SNS::Subscription`);
    /// `None` for an inline `Subscription` on the topic.
    Subscription {
        props: Option<&'a Node>,
        inline: bool,
        protocol: String,
    },
    /// An S3 notification: event types and key filters.
    S3 {
        events: Vec<String>,
        prefix: Option<String>,
        suffix: Option<String>,
        filter_known: bool,
    },
    DeadLetter {
        kind: DlqKind,
        max_receive: Option<&'a Node>,
    },
    /// A direct invocation (`sync` false for asynchronous ones).
    Invoke {
        sync: bool,
    },
    /// A Step Functions Task state (its path in the definition); `sync` when the execution
    /// waits for the call.
    Task {
        path: String,
        sync: bool,
    },
    /// An SDK call in the function's handler code: the index into its `FileFacts::calls`, and
    /// for invocations whether the caller waits (`None` when the invocation type is computed).
    Code {
        call: usize,
        sync: Option<bool>,
    },
    /// An `allows` edge: the actions a policy statement grants on the resource, and for a
    /// resource policy the principal it grants them to.
    Allows {
        actions: Vec<String>,
        principal: Option<String>,
    },
    /// A CloudWatch alarm watching a resource: one dimension of one metric the alarm reads.
    /// `namespace`/`metric` are `None` when not known here; `used` is false for a metric of a
    /// metric-math alarm that the evaluated expression does not use; `known` is false when the
    /// dimension's value is not known here (the edge then goes to an external `unknown` node).
    /// `dimension` is `*` for a Metrics Insights query, which may select anything.
    Alarm {
        namespace: Option<String>,
        metric: Option<String>,
        dimension: &'static str,
        used: bool,
        known: bool,
        /// Where the metric is named, for labels.
        metric_span: Span,
    },
    /// A composite alarm's `AlarmRule` naming another alarm (`known` false: a name in the rule
    /// not known here; the edge then goes to an external `unknown` node).
    Composite {
        known: bool,
    },
}

/// Who declared an edge: the resource the user must edit, and for SAM events the event.
#[derive(Clone, Debug)]
pub struct Owner<'a> {
    pub tpl: TplId,
    pub res: &'a Resource,
    pub event: Option<(&'a str, &'a Node)>,
}

/// An edge of the event graph.
#[derive(Clone, Debug)]
pub struct GEdge<'a> {
    pub kind: EdgeKind,
    /// The span that created the edge.
    pub span: Span,
    pub owner: Owner<'a>,
    pub cfg: Cfg<'a>,
}

/// The event graph of a system.
#[derive(Debug, Default)]
pub struct Graph<'a> {
    pub g: StableDiGraph<GNode<'a>, GEdge<'a>, u32>,
    index: HashMap<(Option<TplId>, String), NodeIx>,
    /// The alarm edges and alarm nodes, found on first use after the graph is built: the alarm
    /// rules ask for them once per function, queue or state machine, and scanning the whole
    /// graph each time made a monorepo's check quadratic.
    alarm_index: std::sync::OnceLock<AlarmIndex>,
}

#[derive(Debug, Default)]
struct AlarmIndex {
    edges: Vec<EdgeIx>,
    nodes: Vec<NodeIx>,
}

impl<'a> Graph<'a> {
    fn alarm_index(&self) -> &AlarmIndex {
        self.alarm_index.get_or_init(|| AlarmIndex {
            edges: self
                .g
                .edge_indices()
                .filter(|&e| {
                    self.g
                        .edge_weight(e)
                        .is_some_and(|w| w.kind == EdgeKind::Alarms)
                })
                .collect(),
            nodes: self
                .nodes()
                .filter(|(_, n)| n.kind == NodeKind::Resource && n.ty == crate::model::alarm::ALARM)
                .map(|(i, _)| i)
                .collect(),
        })
    }

    /// Every `alarms` edge, as [`Graph::edges`] gives them, from an index built on first use.
    /// Only for the finished graph (rules), never while it is being built.
    pub fn alarm_edges(&self) -> impl Iterator<Item = (NodeIx, NodeIx, &GEdge<'a>)> {
        self.alarm_index().edges.iter().filter_map(|&e| {
            let (a, b) = self.g.edge_endpoints(e)?;
            Some((a, b, self.g.edge_weight(e)?))
        })
    }

    /// The `AWS::CloudWatch::Alarm` resources with their templates, in declaration order, from
    /// an index built on first use. Only for the finished graph.
    pub fn alarm_resources(&self) -> impl Iterator<Item = (TplId, &'a Resource)> {
        self.alarm_index()
            .nodes
            .iter()
            .filter_map(|&i| self.node(i).and_then(|n| Some((n.tpl?, n.res?))))
    }

    /// The node of a resource (or generated/external node) by template and ID.
    #[must_use]
    pub fn find(&self, tpl: Option<TplId>, id: &str) -> Option<NodeIx> {
        self.index.get(&(tpl, id.to_string())).copied()
    }

    #[must_use]
    pub fn node(&self, ix: NodeIx) -> Option<&GNode<'a>> {
        self.g.node_weight(ix)
    }

    /// Nodes in a stable order (insertion order).
    pub fn nodes(&self) -> impl Iterator<Item = (NodeIx, &GNode<'a>)> {
        self.g
            .node_indices()
            .filter_map(|i| self.g.node_weight(i).map(|n| (i, n)))
    }

    /// Resource nodes of one type.
    pub fn nodes_of_type<'s>(
        &'s self,
        ty: &'s str,
    ) -> impl Iterator<Item = (NodeIx, &'s GNode<'a>)> + 's {
        self.nodes().filter(move |(_, n)| n.ty == ty)
    }

    /// Every edge of a kind, as (from, to, edge), in insertion order.
    pub fn edges(&self, kind: EdgeKind) -> impl Iterator<Item = (NodeIx, NodeIx, &GEdge<'a>)> {
        self.g
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = self.g.edge_endpoints(e)?;
                Some((a, b, self.g.edge_weight(e)?))
            })
            .filter(move |(_, _, e)| e.kind == kind)
    }

    /// Edges into a node, of a kind.
    pub fn incoming(&self, ix: NodeIx, kind: EdgeKind) -> Vec<(NodeIx, &GEdge<'a>)> {
        self.adjacent(ix, kind, Direction::Incoming)
    }

    /// Edges out of a node, of a kind.
    pub fn outgoing(&self, ix: NodeIx, kind: EdgeKind) -> Vec<(NodeIx, &GEdge<'a>)> {
        self.adjacent(ix, kind, Direction::Outgoing)
    }

    fn adjacent(&self, ix: NodeIx, kind: EdgeKind, dir: Direction) -> Vec<(NodeIx, &GEdge<'a>)> {
        let mut v: Vec<(NodeIx, &GEdge<'a>, EdgeIx)> = self
            .g
            .edges_directed(ix, dir)
            .filter(|e| e.weight().kind == kind)
            .map(|e| {
                (
                    if dir == Direction::Incoming {
                        e.source()
                    } else {
                        e.target()
                    },
                    e.weight(),
                    e.id(),
                )
            })
            .collect();
        v.sort_by_key(|(_, _, id)| *id);
        v.into_iter().map(|(n, e, _)| (n, e)).collect()
    }

    /// Whether a node receives failed events: a redrive target, a function DLQ, an on-failure
    /// destination, a rule-target or subscription DLQ.
    #[must_use]
    pub fn is_failure_target(&self, ix: NodeIx) -> bool {
        !self.incoming(ix, EdgeKind::DeadLetters).is_empty()
    }

    /// Edges that deliver events to a function asynchronously (the Lambda service retries and
    /// then drops them): rule and schedule targets, SNS subscriptions, S3 notifications,
    /// asynchronous invocations (a pipe or EventsV2 subscriber only with an asynchronous
    /// `InvocationType`).
    pub fn async_deliveries(&self, ix: NodeIx) -> Vec<(NodeIx, &GEdge<'a>)> {
        let mut out = Vec::new();
        for kind in [
            EdgeKind::Routes,
            EdgeKind::Subscribes,
            EdgeKind::Publishes,
            EdgeKind::Invokes,
        ] {
            for (from, e) in self.incoming(ix, kind) {
                let is_async = match (&e.cfg, kind) {
                    (Cfg::Invoke { sync }, _) => !sync,
                    (Cfg::Code { sync, .. }, _) => *sync == Some(false),
                    (Cfg::Target { target, .. }, _) => {
                        // Pipes invoke a function synchronously unless `InvocationType` is
                        // FIRE_AND_FORGET; an EventsV2 subscriber is asynchronous only with
                        // `LambdaParameters.InvocationType: EVENT` (its default is not documented)
                        let invocation = |path: &[&str]| {
                            target.and_then(|t| t.path(path)).and_then(Node::as_str)
                        };
                        match self.node(from).map(|n| n.ty.as_str()) {
                            Some("AWS::Pipes::Pipe") => {
                                invocation(&[
                                    "TargetParameters",
                                    "LambdaFunctionParameters",
                                    "InvocationType",
                                ]) == Some("FIRE_AND_FORGET")
                            }
                            Some("AWS::EventsV2::Subscriber") => {
                                invocation(&["LambdaParameters", "InvocationType"]) == Some("EVENT")
                            }
                            Some(_) => true,
                            None => false,
                        }
                    }
                    (_, EdgeKind::Subscribes | EdgeKind::Publishes) => true,
                    _ => false,
                };
                if is_async {
                    out.push((from, e));
                }
            }
        }
        out
    }

    /// The alarms watching a node: (alarm node, edge with `Cfg::Alarm`), composite alarms
    /// excluded.
    pub fn alarms_on(&self, ix: NodeIx) -> Vec<(NodeIx, &GEdge<'a>)> {
        self.incoming(ix, EdgeKind::Alarms)
            .into_iter()
            .filter(|(_, e)| matches!(e.cfg, Cfg::Alarm { .. }))
            .collect()
    }

    /// The node a resource of a template maps to.
    #[must_use]
    pub fn of(&self, tpl: TplId, id: &str) -> Option<NodeIx> {
        self.find(Some(tpl), id)
    }

    fn add_node(&mut self, node: GNode<'a>) -> NodeIx {
        let key = (node.tpl, node.id.clone());
        if let Some(&ix) = self.index.get(&key) {
            return ix;
        }
        let ix = self.g.add_node(node);
        self.index.insert(key, ix);
        ix
    }

    fn add_edge(&mut self, from: NodeIx, to: NodeIx, edge: GEdge<'a>) {
        self.g.add_edge(from, to, edge);
    }
}

/// Convenience: the system and its graph, as rules see them.
pub struct View<'a> {
    pub sys: &'a System,
    pub graph: &'a Graph<'a>,
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::model::{Template, yaml};
    use crate::source::SourceDb;

    fn system(text: &str) -> System {
        let root = yaml::load(text, 0).root.expect("test template parses");
        System::new(
            SourceDb::default(),
            vec![Template::new(0, PathBuf::new(), root)],
        )
    }

    #[test]
    fn eventsv2_subscriber_edges_and_async_invocation_types() {
        let sys = system(
            "Resources:
  Bus: {Type: AWS::EventsV2::EventBus, Properties: {Name: b}}
  Dlq: {Type: AWS::SQS::Queue}
  Fn: {Type: AWS::Lambda::Function}
  Sync:
    Type: AWS::EventsV2::Subscriber
    Properties:
      EventBusArn: !GetAtt Bus.Arn
      InvokeConfiguration: {TargetArn: !GetAtt Fn.Arn, RoleArn: r}
      OnFailureConfiguration: {Arn: !GetAtt Dlq.Arn}
  Async:
    Type: AWS::EventsV2::Subscriber
    Properties:
      EventBusArn: !GetAtt Bus.Arn
      InvokeConfiguration:
        TargetArn: !GetAtt Fn.Arn
        RoleArn: r
        LambdaParameters: {InvocationType: EVENT}
  Pipe:
    Type: AWS::Pipes::Pipe
    Properties:
      Source: !GetAtt Dlq.Arn
      Target: !GetAtt Fn.Arn
      TargetParameters: {LambdaFunctionParameters: {InvocationType: FIRE_AND_FORGET}}
",
        );
        let g = build(&sys);
        let (Some(bus), Some(sync), Some(dlq), Some(f)) = (
            g.of(0, "Bus"),
            g.of(0, "Sync"),
            g.of(0, "Dlq"),
            g.of(0, "Fn"),
        ) else {
            panic!("nodes missing");
        };
        assert_eq!(
            g.incoming(sync, EdgeKind::Routes).first().map(|e| e.0),
            Some(bus)
        );
        assert_eq!(
            g.outgoing(sync, EdgeKind::Routes).first().map(|e| e.0),
            Some(f)
        );
        assert!(g.is_failure_target(dlq));
        let sources: Vec<&str> = g
            .async_deliveries(f)
            .iter()
            .filter_map(|(n, _)| g.node(*n).map(|n| n.id.as_str()))
            .collect();
        assert_eq!(sources, vec!["Async", "Pipe"]);
    }

    /// Plain forms the SAM expansion fixtures (tests/sam_expansion.rs) do not cover: an
    /// asynchronous Lambda integration, a literal function ARN in an integration URI, an
    /// integration with another service, a subscription filter to a stream.
    #[test]
    fn api_integrations_and_log_subscriptions() {
        let sys = system(
            "Resources:
  Fn: {Type: AWS::Lambda::Function}
  Jobs: {Type: AWS::SQS::Queue}
  Stream: {Type: AWS::Kinesis::Stream}
  Api: {Type: AWS::ApiGateway::RestApi}
  Async:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      Integration:
        Type: AWS
        Uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
        RequestParameters:
          integration.request.header.X-Amz-Invocation-Type: \"'Event'\"
  ToQueue:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      Integration:
        Type: AWS
        Uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Jobs.QueueName}
  Http: {Type: AWS::ApiGatewayV2::Api}
  Literal:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: AWS_PROXY
      IntegrationUri: arn:aws:lambda:us-east-1:123456789012:function:legacy
  ToStream:
    Type: AWS::Logs::SubscriptionFilter
    Properties:
      LogGroupName: /app/orders
      FilterPattern: ''
      DestinationArn: !GetAtt Stream.Arn
      RoleArn: arn:aws:iam::123456789012:role/logs-to-kinesis
",
        );
        let g = build(&sys);
        let mut edges: Vec<(String, &str, String, Option<bool>)> =
            g.g.edge_indices()
                .filter_map(|e| {
                    let (a, b) = g.g.edge_endpoints(e)?;
                    let w = g.g.edge_weight(e)?;
                    let sync = match w.cfg {
                        Cfg::Invoke { sync } => Some(sync),
                        _ => None,
                    };
                    Some((
                        g.node(a)?.id.clone(),
                        w.kind.as_str(),
                        g.node(b)?.id.clone(),
                        sync,
                    ))
                })
                .collect();
        edges.sort();
        let s = |x: &str| x.to_string();
        assert_eq!(
            edges,
            vec![
                (s("/app/orders"), "publishes", s("Stream"), None),
                (s("Api"), "invokes", s("Fn"), Some(false)),
                (
                    s("Http"),
                    "invokes",
                    s("arn:aws:lambda:us-east-1:123456789012:function:legacy"),
                    Some(true)
                ),
            ]
        );
    }
}
