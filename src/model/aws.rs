//! AWS facts about resources, with AWS defaults as known values marked as defaults
//! (SQS VisibilityTimeout 30 s, MessageRetentionPeriod 345,600 s; Lambda Timeout 3 s).

use super::{Fact, Node, ResHandle, System};

/// SQS default visibility timeout (seconds).
pub const SQS_VISIBILITY_DEFAULT: i64 = 30;
/// SQS default message retention period (seconds, 4 days).
pub const SQS_RETENTION_DEFAULT: i64 = 345_600;
/// Lambda default function timeout (seconds).
pub const LAMBDA_TIMEOUT_DEFAULT: i64 = 3;

impl System {
    /// An integer property, or the AWS default (pointing at the resource) when unset.
    #[must_use]
    pub fn int_or_default(&self, h: ResHandle<'_>, prop: &str, default: i64) -> Fact<i64> {
        match h.res.prop(prop) {
            Some(n) if !n.is_null() => self.int(h.tpl, n),
            _ => Fact::default_value(default, h.res.id_span),
        }
    }

    /// A boolean property, `false` by default.
    #[must_use]
    pub fn bool_or_false(&self, h: ResHandle<'_>, prop: &str) -> Fact<bool> {
        match h.res.prop(prop) {
            Some(n) if !n.is_null() => self.boolean(h.tpl, n),
            _ => Fact::default_value(false, h.res.id_span),
        }
    }

    /// A queue's `VisibilityTimeout`.
    #[must_use]
    pub fn visibility_timeout(&self, q: ResHandle<'_>) -> Fact<i64> {
        self.int_or_default(q, "VisibilityTimeout", SQS_VISIBILITY_DEFAULT)
    }

    /// A queue's `MessageRetentionPeriod`.
    #[must_use]
    pub fn retention(&self, q: ResHandle<'_>) -> Fact<i64> {
        self.int_or_default(q, "MessageRetentionPeriod", SQS_RETENTION_DEFAULT)
    }

    /// Whether a queue or topic is FIFO (`FifoQueue` / `FifoTopic`, or a name ending `.fifo`).
    #[must_use]
    pub fn is_fifo(&self, h: ResHandle<'_>) -> Fact<bool> {
        let (flag, name) = match h.res.ty.as_str() {
            "AWS::SQS::Queue" => ("FifoQueue", "QueueName"),
            "AWS::SNS::Topic" => ("FifoTopic", "TopicName"),
            _ => return Fact::Unknown("not a queue or topic".into()),
        };
        let by_flag = self.bool_or_false(h, flag);
        if by_flag.value() == Some(&true) {
            return by_flag;
        }
        if let Some(n) = h.res.prop(name)
            && let Some(p) = self.sym(h.tpl, n).pattern()
            && p.ends_with(".fifo")
        {
            return Fact::known(true, n.span);
        }
        by_flag
    }

    /// A function's `Timeout` (SAM `Globals` already merged).
    #[must_use]
    pub fn function_timeout(&self, f: ResHandle<'_>) -> Fact<i64> {
        self.int_or_default(f, "Timeout", LAMBDA_TIMEOUT_DEFAULT)
    }
}

/// The `Properties` node of a SAM event, or of an edge config.
#[must_use]
pub fn prop<'a>(props: &'a Node, key: &str) -> Option<&'a Node> {
    props.get(key).filter(|n| !n.is_null())
}
