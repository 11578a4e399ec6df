//! Building the event graph from the plain CloudFormation resources of a system.

use super::{Cfg, DlqKind, EdgeKind, GEdge, GNode, Graph, NodeIx, NodeKind, Owner, sam};
use crate::model::{Kind, Node, Part, Resource, Sym, System, TplId};
use crate::source::Span;

/// Build the event graph of a system.
#[must_use]
pub fn build(sys: &System) -> Graph<'_> {
    let mut b = Builder {
        sys,
        g: Graph::default(),
    };
    for h in sys.resources() {
        b.g.add_node(GNode {
            kind: NodeKind::Resource,
            tpl: Some(h.tpl),
            id: h.res.id.clone(),
            ty: h.res.ty.clone(),
            span: h.res.id_span,
            res: Some(h.res),
            parent: None,
        });
    }
    for h in sys.resources() {
        b.resource(h.tpl, h.res);
    }
    super::sfn::state_machines(&mut b);
    super::code::code_edges(&mut b);
    super::access::allows_edges(&mut b);
    // after every resource, so that alarms can name the resources SAM generates
    super::alarms::alarms(&mut b);
    b.g
}

pub(super) struct Builder<'a> {
    pub sys: &'a System,
    pub g: Graph<'a>,
}

/// Service hint and the type an unresolved reference stands for.
#[derive(Clone, Copy)]
pub(super) enum Want {
    Queue,
    Topic,
    Function,
    Bus,
    StateMachine,
    Stream,
    Table,
    Bucket,
    Any,
}

impl Want {
    pub(super) fn hint(self) -> Option<&'static str> {
        match self {
            Want::Queue => Some("sqs"),
            Want::Topic => Some("sns"),
            Want::Function => Some("lambda"),
            Want::Bus => Some("events-bus"),
            Want::StateMachine => Some("states"),
            Want::Stream => Some("kinesis"),
            Want::Table => Some("dynamodb"),
            Want::Bucket => Some("s3"),
            Want::Any => None,
        }
    }

    fn ty(self) -> &'static str {
        match self {
            Want::Queue => "AWS::SQS::Queue",
            Want::Topic => "AWS::SNS::Topic",
            Want::Function => "AWS::Lambda::Function",
            Want::Bus => "AWS::Events::EventBus",
            Want::StateMachine => "AWS::StepFunctions::StateMachine",
            Want::Stream => "AWS::Kinesis::Stream",
            Want::Table => "AWS::DynamoDB::Table",
            Want::Bucket => "AWS::S3::Bucket",
            Want::Any => "external",
        }
    }
}

impl<'a> Builder<'a> {
    /// The node a reference points at: an in-scope resource, or an external node.
    pub fn resolve(&mut self, tpl: TplId, node: &Node, want: Want) -> NodeIx {
        if let Some(h) = self.sys.target(tpl, node, want.hint())
            && let Some(ix) = self.g.of(h.tpl, &h.res.id)
        {
            return ix;
        }
        let sym = self.sys.sym(tpl, node);
        let label = match sym.pattern() {
            Some(p) => p,
            None => match sym.unknown_reason() {
                Some(r) => format!("unknown: {r}"),
                None => "unknown".to_string(),
            },
        };
        self.external(label, want.ty(), node.span)
    }

    pub fn external(&mut self, label: String, ty: &str, span: Span) -> NodeIx {
        self.g.add_node(GNode {
            kind: NodeKind::External,
            tpl: None,
            id: label,
            ty: ty.to_string(),
            span,
            res: None,
            parent: None,
        })
    }

    /// The bus an `EventBusName` names; the account's default bus when absent.
    pub fn bus(&mut self, tpl: TplId, name: Option<&Node>) -> NodeIx {
        match name {
            Some(n) if self.sys.sym(tpl, n).literal().as_deref() != Some("default") => {
                self.resolve(tpl, n, Want::Bus)
            }
            Some(n) => self.default_bus(n.span),
            None => self.default_bus(Span::default()),
        }
    }

    pub fn default_bus(&mut self, span: Span) -> NodeIx {
        self.external("default".to_string(), "AWS::Events::EventBus", span)
    }

    pub fn generated(
        &mut self,
        tpl: TplId,
        id: String,
        ty: &str,
        span: Span,
        parent: &str,
    ) -> NodeIx {
        self.g.add_node(GNode {
            kind: NodeKind::Generated,
            tpl: Some(tpl),
            id,
            ty: ty.to_string(),
            span,
            res: None,
            parent: Some(parent.to_string()),
        })
    }

    pub fn edge(
        &mut self,
        from: NodeIx,
        to: NodeIx,
        kind: EdgeKind,
        span: Span,
        owner: Owner<'a>,
        cfg: Cfg<'a>,
    ) {
        self.g.add_edge(
            from,
            to,
            GEdge {
                kind,
                span,
                owner,
                cfg,
            },
        );
    }

    fn resource(&mut self, tpl: TplId, res: &'a Resource) {
        let Some(me) = self.g.of(tpl, &res.id) else {
            return;
        };
        let owner = Owner {
            tpl,
            res,
            event: None,
        };
        match res.ty.as_str() {
            "AWS::SQS::Queue" => {
                if let Some(dlq) = res.prop_path(&["RedrivePolicy", "deadLetterTargetArn"]) {
                    let to = self.resolve(tpl, dlq, Want::Queue);
                    let max_receive = res.prop_path(&["RedrivePolicy", "maxReceiveCount"]);
                    self.edge(
                        me,
                        to,
                        EdgeKind::DeadLetters,
                        dlq.span,
                        owner,
                        Cfg::DeadLetter {
                            kind: DlqKind::Redrive,
                            max_receive,
                        },
                    );
                }
            }
            "AWS::SNS::Topic" => {
                for sub in res
                    .prop("Subscription")
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    let protocol = sub
                        .get("Protocol")
                        .and_then(|p| self.sys.sym(tpl, p).literal())
                        .unwrap_or_default();
                    if let Some(ep) = sub.get("Endpoint") {
                        let to = self.resolve(tpl, ep, want_for_protocol(&protocol));
                        let cfg = Cfg::Subscription {
                            props: Some(sub),
                            inline: true,
                            protocol,
                        };
                        self.edge(me, to, EdgeKind::Subscribes, sub.span, owner.clone(), cfg);
                    }
                }
            }
            "AWS::SNS::Subscription" => self.subscription(tpl, res, owner),
            "AWS::Lambda::EventSourceMapping" => self.esm(tpl, res, owner),
            "AWS::Lambda::Function" => {
                if let Some(dlq) = res.prop_path(&["DeadLetterConfig", "TargetArn"]) {
                    let to = self.resolve(tpl, dlq, Want::Any);
                    self.edge(
                        me,
                        to,
                        EdgeKind::DeadLetters,
                        dlq.span,
                        owner,
                        Cfg::DeadLetter {
                            kind: DlqKind::FunctionDlq,
                            max_receive: None,
                        },
                    );
                }
            }
            "AWS::Lambda::EventInvokeConfig" => {
                let Some(func) = res.prop("FunctionName") else {
                    return;
                };
                let f = self.resolve(tpl, func, Want::Function);
                self.destinations(tpl, f, res.prop("DestinationConfig"), owner);
            }
            "AWS::Events::Rule" => self.rule(tpl, res, me, owner),
            "AWS::Scheduler::Schedule" => {
                if let Some(target) = res.prop("Target") {
                    if let Some(arn) = target.get("Arn") {
                        let to = self.resolve(tpl, arn, Want::Any);
                        self.edge(
                            me,
                            to,
                            EdgeKind::Routes,
                            arn.span,
                            owner.clone(),
                            Cfg::Target {
                                target: Some(target),
                                pattern: None,
                                sam: false,
                            },
                        );
                    }
                    if let Some(dlq) = target.path(&["DeadLetterConfig", "Arn"]) {
                        let to = self.resolve(tpl, dlq, Want::Queue);
                        self.edge(
                            me,
                            to,
                            EdgeKind::DeadLetters,
                            dlq.span,
                            owner,
                            Cfg::DeadLetter {
                                kind: DlqKind::TargetDlq,
                                max_receive: None,
                            },
                        );
                    }
                }
            }
            "AWS::Pipes::Pipe" => self.pipe(tpl, res, me, owner),
            // queues that receive failed events without a rule target: the bus-level DLQ and
            // the on-failure queue of an enhanced-bus subscriber
            "AWS::Events::EventBus" => {
                self.target_dlq(tpl, me, res.prop_path(&["DeadLetterConfig", "Arn"]), owner);
            }
            "AWS::EventsV2::Subscriber" => self.subscriber(tpl, res, me, owner),
            "AWS::S3::Bucket" => self.bucket(tpl, res, me, owner),
            "AWS::IoT::TopicRule" => {
                // a Lambda action invokes the function asynchronously
                for action in res
                    .prop_path(&["TopicRulePayload", "Actions"])
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    if let Some(arn) = action.path(&["Lambda", "FunctionArn"]) {
                        let to = self.resolve(tpl, arn, Want::Function);
                        let cfg = Cfg::Invoke { sync: false };
                        self.edge(me, to, EdgeKind::Invokes, arn.span, owner.clone(), cfg);
                    }
                }
            }
            "AWS::Logs::SubscriptionFilter" => self.log_subscription(tpl, res, owner),
            "AWS::Cognito::UserPool" => {
                // user pool triggers: Cognito waits for the function's answer
                for e in res
                    .prop("LambdaConfig")
                    .map(Node::entries)
                    .unwrap_or_default()
                {
                    // a string ARN, or `{LambdaArn, LambdaVersion}` for the custom senders and
                    // the token generation config
                    let arn = if e.key == "KMSKeyID" {
                        None
                    } else if e.value.is_map() && e.value.intrinsic().is_none() {
                        e.value.get("LambdaArn")
                    } else {
                        Some(&e.value)
                    };
                    if let Some(arn) = arn {
                        let to = self.resolve(tpl, arn, Want::Function);
                        let cfg = Cfg::Invoke { sync: true };
                        self.edge(me, to, EdgeKind::Invokes, arn.span, owner.clone(), cfg);
                    }
                }
            }
            "AWS::ApiGateway::RestApi" | "AWS::ApiGatewayV2::Api" => {
                self.openapi(tpl, me, res.prop("Body"), &owner);
            }
            "AWS::ApiGateway::Method" => {
                let (Some(api), Some(integration)) =
                    (res.prop("RestApiId"), res.prop("Integration"))
                else {
                    return;
                };
                self.api_integration(
                    tpl,
                    api,
                    integration.get("Type"),
                    integration.get("Uri"),
                    integration.get("RequestParameters"),
                    owner,
                );
            }
            "AWS::ApiGatewayV2::Integration" => {
                let Some(api) = res.prop("ApiId") else { return };
                self.api_integration(
                    tpl,
                    api,
                    res.prop("IntegrationType"),
                    res.prop("IntegrationUri"),
                    res.prop("RequestParameters"),
                    owner,
                );
            }
            "AWS::Serverless::Function" => {
                if let Some(dlq) = res.prop_path(&["DeadLetterQueue", "TargetArn"]) {
                    let to = self.resolve(tpl, dlq, Want::Any);
                    self.edge(
                        me,
                        to,
                        EdgeKind::DeadLetters,
                        dlq.span,
                        owner.clone(),
                        Cfg::DeadLetter {
                            kind: DlqKind::FunctionDlq,
                            max_receive: None,
                        },
                    );
                }
                sam::function_destinations(self, tpl, res, me, &owner);
                sam::events(self, tpl, res, me);
            }
            "AWS::Serverless::StateMachine" => sam::events(self, tpl, res, me),
            _ => {}
        }
    }

    /// An `AWS::Lambda::EventSourceMapping`: source -> function (the self-managed Kafka cluster
    /// when `SelfManagedEventSource` names brokers instead of an `EventSourceArn`), and its
    /// `DestinationConfig.OnFailure` destination.
    fn esm(&mut self, tpl: TplId, res: &'a Resource, owner: Owner<'a>) {
        let Some(func) = res.prop("FunctionName") else {
            return;
        };
        let (from, source, span) = if let Some(src) = res.prop("EventSourceArn") {
            let from = self.resolve(tpl, src, Want::Any);
            let source = match self.g.node(from) {
                Some(n) if n.kind == NodeKind::External => {
                    esm_source_from_arn(&self.sys.sym(tpl, src))
                }
                Some(n) => esm_source(&n.ty),
                None => "unknown",
            };
            (from, source, src.span)
        } else if let Some(sm) = res.prop("SelfManagedEventSource") {
            (
                self.self_managed_kafka(sm.span),
                "SelfManagedKafka",
                sm.span,
            )
        } else {
            return;
        };
        let to = self.resolve(tpl, func, Want::Function);
        self.edge(
            from,
            to,
            EdgeKind::Polls,
            span,
            owner.clone(),
            Cfg::Esm {
                props: res.props(),
                source,
            },
        );
        if let Some(dest) = res.prop_path(&["DestinationConfig", "OnFailure", "Destination"]) {
            let d = self.resolve(tpl, dest, Want::Any);
            self.edge(
                to,
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

    /// The node standing for self-managed Kafka brokers (outside CloudFormation).
    pub fn self_managed_kafka(&mut self, span: Span) -> NodeIx {
        self.external("self-managed Kafka".into(), "external", span)
    }

    /// An `AWS::Logs::SubscriptionFilter`: the log group invokes a Lambda destination
    /// asynchronously, or publishes to a stream, Firehose or logs destination.
    fn log_subscription(&mut self, tpl: TplId, res: &'a Resource, owner: Owner<'a>) {
        let (Some(group), Some(dest)) = (res.prop("LogGroupName"), res.prop("DestinationArn"))
        else {
            return;
        };
        let from = self.resolve(tpl, group, Want::Any);
        let to = self.resolve(tpl, dest, Want::Any);
        let (kind, cfg) = if self.is_lambda(to) {
            (EdgeKind::Invokes, Cfg::Invoke { sync: false })
        } else {
            (EdgeKind::Publishes, Cfg::None)
        };
        self.edge(from, to, kind, dest.span, owner, cfg);
    }

    /// Whether a node is a Lambda function (or alias or version): a resource of that type, or
    /// an external node named by a Lambda ARN.
    fn is_lambda(&self, ix: NodeIx) -> bool {
        self.g.node(ix).is_some_and(|n| match n.res {
            Some(r) => is_lambda_resource(r),
            None => n.ty == Want::Function.ty() || n.id.split(':').nth(2) == Some("lambda"),
        })
    }

    /// The paths of an OpenAPI `Body` (of an `AWS::ApiGateway::RestApi` or
    /// `AWS::ApiGatewayV2::Api`, as SAM generates for `Api`/`HttpApi` events): each operation's
    /// `x-amazon-apigateway-integration` to a function.
    fn openapi(&mut self, tpl: TplId, api: NodeIx, body: Option<&'a Node>, owner: &Owner<'a>) {
        let Some(paths) = body.and_then(|b| b.get("paths")) else {
            return;
        };
        for path in paths.entries() {
            for op in path.value.entries() {
                let Some(i) = op.value.get("x-amazon-apigateway-integration") else {
                    continue;
                };
                if let Some((to, sync, span)) = self.lambda_integration(
                    tpl,
                    i.get("type"),
                    i.get("uri"),
                    i.get("requestParameters"),
                ) {
                    let cfg = Cfg::Invoke { sync };
                    self.edge(api, to, EdgeKind::Invokes, span, owner.clone(), cfg);
                }
            }
        }
    }

    /// An `AWS::ApiGateway::Method` or `AWS::ApiGatewayV2::Integration`: the API invokes the
    /// function of a Lambda integration.
    fn api_integration(
        &mut self,
        tpl: TplId,
        api: &'a Node,
        ty: Option<&'a Node>,
        uri: Option<&'a Node>,
        params: Option<&'a Node>,
        owner: Owner<'a>,
    ) {
        if let Some((to, sync, span)) = self.lambda_integration(tpl, ty, uri, params) {
            let from = self.resolve(tpl, api, Want::Any);
            let cfg = Cfg::Invoke { sync };
            self.edge(from, to, EdgeKind::Invokes, span, owner, cfg);
        }
    }

    /// The function an API Gateway integration of type `AWS`/`AWS_PROXY` invokes (its URI
    /// refers to the function, or is the literal `.../functions/<arn>/invocations` or function
    /// ARN), and whether the call is synchronous: it is unless the request sets the
    /// `X-Amz-Invocation-Type` header to `'Event'`.
    fn lambda_integration(
        &mut self,
        tpl: TplId,
        ty: Option<&Node>,
        uri: Option<&Node>,
        params: Option<&Node>,
    ) -> Option<(NodeIx, bool, Span)> {
        let ty = self.sys.sym(tpl, ty?).literal()?.to_ascii_lowercase();
        let uri = uri?;
        if ty != "aws" && ty != "aws_proxy" {
            return None;
        }
        let to = match self.sys.target(tpl, uri, Some("lambda")) {
            Some(h) if is_lambda_resource(h.res) => self.g.of(h.tpl, &h.res.id)?,
            // an integration with another service (SQS, S3, Step Functions, ...)
            Some(_) => return None,
            None => {
                let text = self.sys.sym(tpl, uri).pattern()?;
                let arn = match text.split_once("/functions/") {
                    Some((_, rest)) => rest.strip_suffix("/invocations").unwrap_or(rest),
                    None => text.as_str(),
                };
                if !arn.starts_with("arn:") || arn.split(':').nth(2) != Some("lambda") {
                    return None;
                }
                let node = Node::new(uri.span, Kind::Str(arn.to_string()));
                self.resolve(tpl, &node, Want::Function)
            }
        };
        let asynchronous = params
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .any(|e| {
                e.key
                    .eq_ignore_ascii_case("integration.request.header.X-Amz-Invocation-Type")
                    && self.sys.sym(tpl, &e.value).literal().as_deref() == Some("'Event'")
            });
        Some((to, !asynchronous, uri.span))
    }

    /// A `DeadLetters` edge of kind `TargetDlq` to the queue an `Arn` names.
    fn target_dlq(&mut self, tpl: TplId, from: NodeIx, arn: Option<&'a Node>, owner: Owner<'a>) {
        let Some(arn) = arn else { return };
        let to = self.resolve(tpl, arn, Want::Queue);
        self.edge(
            from,
            to,
            EdgeKind::DeadLetters,
            arn.span,
            owner,
            Cfg::DeadLetter {
                kind: DlqKind::TargetDlq,
                max_receive: None,
            },
        );
    }

    /// Lambda async destinations (`DestinationConfig` of an `AWS::Lambda::EventInvokeConfig`).
    pub fn destinations(
        &mut self,
        tpl: TplId,
        func: NodeIx,
        cfg: Option<&'a Node>,
        owner: Owner<'a>,
    ) {
        let Some(cfg) = cfg else { return };
        if let Some(dest) = cfg.path(&["OnFailure", "Destination"]) {
            let d = self.resolve(tpl, dest, Want::Any);
            self.edge(
                func,
                d,
                EdgeKind::DeadLetters,
                dest.span,
                owner.clone(),
                Cfg::DeadLetter {
                    kind: DlqKind::AsyncOnFailure,
                    max_receive: None,
                },
            );
        }
        if let Some(dest) = cfg.path(&["OnSuccess", "Destination"]) {
            let d = self.resolve(tpl, dest, Want::Any);
            self.edge(func, d, EdgeKind::Publishes, dest.span, owner, Cfg::None);
        }
    }

    fn subscription(&mut self, tpl: TplId, res: &'a Resource, owner: Owner<'a>) {
        let (Some(topic), Some(ep)) = (res.prop("TopicArn"), res.prop("Endpoint")) else {
            return;
        };
        let protocol = res
            .prop("Protocol")
            .and_then(|p| self.sys.sym(tpl, p).literal())
            .unwrap_or_default();
        let from = self.resolve(tpl, topic, Want::Topic);
        let to = self.resolve(tpl, ep, want_for_protocol(&protocol));
        let cfg = Cfg::Subscription {
            props: Some(res.props()),
            inline: false,
            protocol,
        };
        self.edge(
            from,
            to,
            EdgeKind::Subscribes,
            res.id_span,
            owner.clone(),
            cfg,
        );
        if let Some(dlq) = res.prop_path(&["RedrivePolicy", "deadLetterTargetArn"]) {
            let d = self.resolve(tpl, dlq, Want::Queue);
            self.edge(
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

    fn rule(&mut self, tpl: TplId, res: &'a Resource, me: NodeIx, owner: Owner<'a>) {
        let pattern = res.prop("EventPattern");
        if pattern.is_some() {
            let bus = self.bus(tpl, res.prop("EventBusName"));
            self.edge(
                bus,
                me,
                EdgeKind::Routes,
                res.id_span,
                owner.clone(),
                Cfg::Target {
                    target: None,
                    pattern,
                    sam: false,
                },
            );
        }
        for t in res.prop("Targets").map(Node::items).unwrap_or_default() {
            let Some(arn) = t.get("Arn") else { continue };
            let to = self.resolve(tpl, arn, Want::Any);
            self.edge(
                me,
                to,
                EdgeKind::Routes,
                t.span,
                owner.clone(),
                Cfg::Target {
                    target: Some(t),
                    pattern,
                    sam: false,
                },
            );
            if let Some(dlq) = t.path(&["DeadLetterConfig", "Arn"]) {
                let d = self.resolve(tpl, dlq, Want::Queue);
                self.edge(
                    me,
                    d,
                    EdgeKind::DeadLetters,
                    dlq.span,
                    owner.clone(),
                    Cfg::DeadLetter {
                        kind: DlqKind::TargetDlq,
                        max_receive: None,
                    },
                );
            }
        }
    }

    fn pipe(&mut self, tpl: TplId, res: &'a Resource, me: NodeIx, owner: Owner<'a>) {
        if let Some(src) = res.prop("Source") {
            let from = self.resolve(tpl, src, Want::Any);
            self.edge(
                from,
                me,
                EdgeKind::Polls,
                src.span,
                owner.clone(),
                Cfg::None,
            );
        }
        if let Some(enrich) = res.prop("Enrichment") {
            let to = self.resolve(tpl, enrich, Want::Any);
            self.edge(
                me,
                to,
                EdgeKind::Invokes,
                enrich.span,
                owner.clone(),
                Cfg::Invoke { sync: true },
            );
        }
        if let Some(target) = res.prop("Target") {
            let to = self.resolve(tpl, target, Want::Any);
            self.edge(
                me,
                to,
                EdgeKind::Routes,
                target.span,
                owner.clone(),
                Cfg::Target {
                    target: Some(res.props()),
                    pattern: None,
                    sam: false,
                },
            );
        }
        for params in ["KinesisStreamParameters", "DynamoDBStreamParameters"] {
            if let Some(dlq) =
                res.prop_path(&["SourceParameters", params, "DeadLetterConfig", "Arn"])
            {
                let to = self.resolve(tpl, dlq, Want::Any);
                self.edge(
                    me,
                    to,
                    EdgeKind::DeadLetters,
                    dlq.span,
                    owner.clone(),
                    Cfg::DeadLetter {
                        kind: DlqKind::TargetDlq,
                        max_receive: None,
                    },
                );
            }
        }
    }

    /// An `AWS::EventsV2::Subscriber` (Custom Event Bus): bus -> subscriber (no classic pattern:
    /// its filters are `FilterConfiguration`), subscriber -> `InvokeConfiguration.TargetArn`
    /// (target map = the `InvokeConfiguration`), and its `OnFailureConfiguration.Arn` DLQ.
    fn subscriber(&mut self, tpl: TplId, res: &'a Resource, me: NodeIx, owner: Owner<'a>) {
        if let Some(bus) = res.prop("EventBusArn") {
            let from = self.resolve(tpl, bus, Want::Bus);
            let cfg = Cfg::Target {
                target: None,
                pattern: None,
                sam: false,
            };
            self.edge(from, me, EdgeKind::Routes, bus.span, owner.clone(), cfg);
        }
        let invoke = res.prop("InvokeConfiguration");
        if let Some(arn) = invoke.and_then(|i| i.get("TargetArn")) {
            let to = self.resolve(tpl, arn, Want::Any);
            let cfg = Cfg::Target {
                target: invoke,
                pattern: None,
                sam: false,
            };
            self.edge(me, to, EdgeKind::Routes, arn.span, owner.clone(), cfg);
        }
        if let Some(dlq) = res.prop_path(&["OnFailureConfiguration", "Arn"]) {
            let to = self.resolve(tpl, dlq, Want::Queue);
            let cfg = Cfg::DeadLetter {
                kind: DlqKind::TargetDlq,
                max_receive: None,
            };
            self.edge(me, to, EdgeKind::DeadLetters, dlq.span, owner, cfg);
        }
    }

    fn bucket(&mut self, tpl: TplId, res: &'a Resource, me: NodeIx, owner: Owner<'a>) {
        let Some(nc) = res.prop("NotificationConfiguration") else {
            return;
        };
        for (list, key, want) in [
            ("LambdaConfigurations", "Function", Want::Function),
            ("QueueConfigurations", "Queue", Want::Queue),
            ("TopicConfigurations", "Topic", Want::Topic),
        ] {
            for c in nc.get(list).map(Node::items).unwrap_or_default() {
                let Some(target) = c.get(key) else { continue };
                let to = self.resolve(tpl, target, want);
                let cfg = s3_filter(
                    self.sys,
                    tpl,
                    c.get("Event").into_iter().collect(),
                    c.get("Filter"),
                );
                self.edge(me, to, EdgeKind::Publishes, c.span, owner.clone(), cfg);
            }
        }
        if nc
            .path(&["EventBridgeConfiguration", "EventBridgeEnabled"])
            .and_then(Node::as_bool)
            == Some(true)
        {
            let bus = self.default_bus(Span::default());
            self.edge(me, bus, EdgeKind::Publishes, nc.span, owner, Cfg::None);
        }
    }
}

/// A Lambda function, alias or version.
fn is_lambda_resource(res: &Resource) -> bool {
    res.is_function() || res.ty == "AWS::Lambda::Alias" || res.ty == "AWS::Lambda::Version"
}

/// The S3 notification config of an edge: event types and `S3Key` prefix/suffix filters.
pub(super) fn s3_filter<'a>(
    sys: &System,
    tpl: TplId,
    events: Vec<&Node>,
    filter: Option<&Node>,
) -> Cfg<'a> {
    let mut known = true;
    let mut types = Vec::new();
    for e in events {
        let values: Vec<&Node> = if e.is_seq() {
            e.items().iter().collect()
        } else {
            vec![e]
        };
        for v in values {
            match sys.sym(tpl, v).literal() {
                Some(s) => types.push(s),
                None => known = false,
            }
        }
    }
    let (mut prefix, mut suffix) = (None, None);
    for rule in filter
        .and_then(|f| f.path(&["S3Key", "Rules"]))
        .map(Node::items)
        .unwrap_or_default()
    {
        let name = rule
            .get("Name")
            .and_then(|n| sys.sym(tpl, n).literal())
            .map(|s| s.to_ascii_lowercase());
        let value = rule.get("Value").and_then(|n| sys.sym(tpl, n).literal());
        match (name.as_deref(), value) {
            (Some("prefix"), Some(v)) => prefix = Some(v),
            (Some("suffix"), Some(v)) => suffix = Some(v),
            _ => known = false,
        }
    }
    Cfg::S3 {
        events: types,
        prefix,
        suffix,
        filter_known: known,
    }
}

fn want_for_protocol(protocol: &str) -> Want {
    match protocol {
        "lambda" => Want::Function,
        "sqs" => Want::Queue,
        _ => Want::Any,
    }
}

/// The event source kind of an event source mapping, from the source's resource type.
pub(super) fn esm_source(ty: &str) -> &'static str {
    match ty {
        "AWS::SQS::Queue" => "SQS",
        "AWS::Kinesis::Stream" | "AWS::Kinesis::StreamConsumer" => "Kinesis",
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => "DynamoDB",
        "AWS::AmazonMQ::Broker" => "MQ",
        "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => "MSK",
        "AWS::DocDB::DBCluster" => "DocumentDB",
        _ => "unknown",
    }
}

/// The event source kind an ARN outside the run names, from its literal text: the service field
/// of `arn:<partition>:<service>:<region>:<account>:<resource>` (SQS, Kinesis `stream/`, DynamoDB
/// `table/<name>/stream/`, MSK `kafka`, Amazon MQ `mq`, DocumentDB `rds` `cluster:`: the only
/// RDS clusters an event source mapping reads). Parameters, pseudo parameters and other
/// stacks may fill the partition, region, account or name; "unknown" unless the service (and for
/// streams the resource prefix) is literal.
pub(super) fn esm_source_from_arn(sym: &Sym) -> &'static str {
    let mut text = String::new();
    for p in &sym.parts {
        match p {
            Part::Lit(s) => text.push_str(s),
            // a value not known here: it may stand for anything, separators included
            _ => text.push('\u{0}'),
        }
    }
    let f: Vec<&str> = text.splitn(6, ':').collect();
    let (Some(&"arn"), Some(&service)) = (f.first(), f.get(2)) else {
        return "unknown";
    };
    let resource = f.get(5).copied().unwrap_or("\u{0}");
    match service {
        "sqs" => "SQS",
        "kinesis" if resource.starts_with("stream/") => "Kinesis",
        "dynamodb" if resource.starts_with("table/") && resource.contains("/stream/") => "DynamoDB",
        "kafka" => "MSK",
        "mq" => "MQ",
        "rds" if resource.starts_with("cluster:") => "DocumentDB",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(parts: Vec<Part>) -> Sym {
        Sym { parts }
    }

    fn lit(s: &str) -> Part {
        Part::Lit(s.to_string())
    }

    #[test]
    fn esm_source_from_literal_arns() {
        let kinds = [
            ("arn:aws:sqs:us-east-1:123456789012:orders", "SQS"),
            (
                "arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
                "Kinesis",
            ),
            (
                "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000",
                "DynamoDB",
            ),
            (
                "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
                "unknown",
            ),
            ("arn:aws:sns:us-east-1:123456789012:topic", "unknown"),
            (
                "arn:aws:rds:us-east-1:123456789012:cluster:orders-docdb",
                "DocumentDB",
            ),
            ("arn:aws:rds:us-east-1:123456789012:db:orders", "unknown"),
            ("orders", "unknown"),
        ];
        for (arn, kind) in kinds {
            assert_eq!(esm_source_from_arn(&sym(vec![lit(arn)])), kind, "{arn}");
        }
        let partly = sym(vec![
            lit("arn:"),
            Part::Pseudo("AWS::Partition".into()),
            lit(":kinesis:"),
            Part::Pseudo("AWS::Region".into()),
            lit(":"),
            Part::Unknown("parameter `Account`".into()),
            lit(":stream/"),
            Part::Unknown("parameter `Name`".into()),
        ]);
        assert_eq!(esm_source_from_arn(&partly), "Kinesis");
        let service_unknown = sym(vec![
            lit("arn:aws:"),
            Part::Unknown("parameter `Service`".into()),
            lit(":us-east-1:1:stream/x"),
        ]);
        assert_eq!(esm_source_from_arn(&service_unknown), "unknown");
        assert_eq!(
            esm_source_from_arn(&sym(vec![Part::Unknown("parameter `Arn`".into())])),
            "unknown"
        );
    }
}
