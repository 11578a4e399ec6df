//! Shared helpers for the event source mapping rules (EL105, EL110, EL111, EL115, EL702,
//! EL704): the `Polls` edges with their properties, where a finding about them points, and
//! the facts they carry (AWS defaults when a property is absent, unknown under `Fn::If` with
//! `AWS::NoValue` or a parameter).

use crate::graph::{Cfg, EdgeKind, GEdge, NodeIx};
use crate::model::{Fact, Node, TplId, presence};
use crate::rules::rule::Context;
use crate::source::Span;

/// Stream `MaximumRetryAttempts` / `MaximumRecordAgeInSeconds` default: -1, no limit.
pub const STREAM_UNLIMITED: i64 = -1;

/// The `FunctionResponseTypes` value that turns on partial batch responses.
pub const REPORT: &str = "ReportBatchItemFailures";

/// One event source mapping: a SAM pull event or an `AWS::Lambda::EventSourceMapping`.
pub struct Esm<'a> {
    pub from: NodeIx,
    pub to: NodeIx,
    pub edge: &'a GEdge<'a>,
    pub props: &'a Node,
    /// `SQS`, `Kinesis`, `DynamoDB`, ... ("unknown" for a source whose kind is not known).
    pub source: &'static str,
}

/// Every event source mapping of the run, in graph order.
pub fn esms<'a>(cx: &Context<'a>) -> Vec<Esm<'a>> {
    cx.graph
        .edges(EdgeKind::Polls)
        .filter_map(|(from, to, edge)| match edge.cfg {
            Cfg::Esm { props, source } => Some(Esm {
                from,
                to,
                edge,
                props,
                source,
            }),
            _ => None,
        })
        .collect()
}

impl<'a> Esm<'a> {
    pub fn tpl(&self) -> TplId {
        self.edge.owner.tpl
    }

    /// Logical ID of the resource the user edits: the function (SAM event) or the mapping.
    pub fn resource(&self) -> &'a str {
        &self.edge.owner.res.id
    }

    /// Whether this is a Kinesis or DynamoDB Streams source.
    pub fn is_stream(&self) -> bool {
        matches!(self.source, "Kinesis" | "DynamoDB")
    }

    /// The SAM event type (`SQS`, `Kinesis`, `SNS` for the mapping of an `SqsSubscription`).
    pub fn sam_type(&self) -> Option<&'a str> {
        let (_, ev) = self.edge.owner.event?;
        ev.get("Type").and_then(Node::as_str)
    }

    /// The mapping SAM generates for an SNS event with `SqsSubscription`: only `BatchSize` and
    /// `Enabled` can be set on it.
    pub fn is_sns_subscription_queue(&self) -> bool {
        self.sam_type() == Some("SNS")
    }

    /// The event key (SAM; the whole event for SAM's `SqsSubscription` mapping) or the
    /// mapping's logical ID (plain CloudFormation).
    pub fn anchor(&self) -> Span {
        match self.edge.owner.event {
            Some(_) => self.edge.span,
            None => self.edge.owner.res.id_span,
        }
    }

    /// The key of a property of the mapping when it is written, else [`Self::anchor`].
    pub fn at(&self, prop: &str) -> Span {
        self.props
            .entry(prop)
            .map_or_else(|| self.anchor(), |e| e.key_span)
    }

    /// "event `E` of `F`" or "event source mapping `M`", for messages.
    pub fn describe(&self) -> String {
        let id = &self.edge.owner.res.id;
        match self.edge.owner.event {
            Some((name, _)) => format!("event `{name}` of `{id}`"),
            None => format!("event source mapping `{id}`"),
        }
    }

    /// What the mapping reads: "a Kinesis stream", "a DynamoDB stream", "an SQS queue".
    pub fn reads(&self) -> &'static str {
        match self.source {
            "Kinesis" => "a Kinesis stream",
            "DynamoDB" => "a DynamoDB stream",
            "SQS" => "an SQS queue",
            _ => "an event source",
        }
    }

    /// What one item of a batch is called: "messages" (SQS) or "records".
    pub fn items(&self) -> &'static str {
        if self.source == "SQS" {
            "messages"
        } else {
            "records"
        }
    }

    /// A stable key for fingerprints: `Events.<E>.<prop>` or `<prop>`.
    pub fn key(&self, prop: &str) -> String {
        match self.edge.owner.event {
            Some((name, _)) => format!("Events.{name}.{prop}"),
            None => prop.to_string(),
        }
    }

    /// The node naming the source (`Queue`/`Stream` of a SAM event, `EventSourceArn`).
    pub fn source_ref(&self) -> Option<&'a Node> {
        let key = match self.sam_type() {
            Some("SQS") => "Queue",
            Some("SNS") => return None,
            Some(_) => "Stream",
            None => "EventSourceArn",
        };
        self.props.get(key)
    }

    /// An integer property, `default` when absent or `!Ref AWS::NoValue`; unknown under `Fn::If`
    /// with `AWS::NoValue` or when it comes from a parameter.
    pub fn int(&self, cx: &Context<'_>, prop: &str, default: i64) -> Fact<i64> {
        let node = self.props.get(prop).filter(|n| !n.is_null());
        match (presence(node), node) {
            (Some(true), Some(n)) => cx.sys.int(self.tpl(), n),
            (Some(false), _) => Fact::default_value(default, self.anchor()),
            _ => Fact::Unknown(format!("`{prop}` depends on a condition")),
        }
    }

    /// Whether a property is written: `None` when it depends on a condition.
    pub fn has(&self, prop: &str) -> Option<bool> {
        presence(self.props.get(prop).filter(|n| !n.is_null()))
    }

    /// Whether `FunctionResponseTypes` lists `ReportBatchItemFailures`: `None` when a condition
    /// or a parameter decides.
    pub fn reports_failures(&self, cx: &Context<'_>) -> Option<bool> {
        if !self.has("FunctionResponseTypes")? {
            return Some(false);
        }
        let node = self.props.get("FunctionResponseTypes")?;
        if !node.is_seq() {
            return None;
        }
        let mut all_known = true;
        for item in node.items() {
            match cx.sys.sym(self.tpl(), item).literal() {
                Some(s) if s == REPORT => return Some(true),
                Some(_) => {}
                None => all_known = false,
            }
        }
        all_known.then_some(false)
    }

    /// Whether `DestinationConfig.OnFailure` is set (`None` when a condition decides).
    pub fn has_on_failure(&self) -> Option<bool> {
        let dc = self.props.get("DestinationConfig").filter(|n| !n.is_null());
        if !presence(dc)? {
            return Some(false);
        }
        if dc.and_then(Node::intrinsic).is_some() {
            // `!If [c, {OnFailure: ...}, {...}]`: not decided here
            return None;
        }
        presence(dc.and_then(|d| d.get("OnFailure")).filter(|n| !n.is_null()))
    }
}

/// The batch size of a mapping: SQS 10, the other sources 100 when unset.
pub fn batch_size(cx: &Context<'_>, esm: &Esm<'_>) -> Fact<i64> {
    let default = if esm.source == "SQS" { 10 } else { 100 };
    esm.int(cx, "BatchSize", default)
}

/// How long a stream mapping retries a failing batch.
pub enum Retries {
    /// `MaximumRetryAttempts` and `MaximumRecordAgeInSeconds` both unset or -1: until the
    /// records expire from the stream. The facts say where each value comes from.
    Unbounded { attempts: Fact<i64>, age: Fact<i64> },
    /// A limit: what it is (for messages) and the property that sets it.
    Bounded { what: String, span: Span },
    /// A parameter or a condition decides.
    Unknown,
}

/// The retry limit of a stream mapping.
pub fn retries(cx: &Context<'_>, esm: &Esm<'_>) -> Retries {
    let attempts = esm.int(cx, "MaximumRetryAttempts", STREAM_UNLIMITED);
    let age = esm.int(cx, "MaximumRecordAgeInSeconds", STREAM_UNLIMITED);
    if let Fact::Known(n, o) = &attempts {
        if *n >= 0 {
            let what = match n {
                0 => "without retrying".to_string(),
                1 => "after 1 retry".to_string(),
                n => format!("after {n} retries"),
            };
            return Retries::Bounded { what, span: o.span };
        }
    }
    if let Fact::Known(n, o) = &age {
        if *n != STREAM_UNLIMITED {
            return Retries::Bounded {
                what: format!("once its records are {n} s old"),
                span: o.span,
            };
        }
    }
    match (&attempts, &age) {
        (Fact::Known(STREAM_UNLIMITED, _), Fact::Known(STREAM_UNLIMITED, _)) => {
            Retries::Unbounded { attempts, age }
        }
        _ => Retries::Unknown,
    }
}
