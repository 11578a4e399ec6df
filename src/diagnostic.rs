//! Findings (what rules return) and diagnostics (findings stamped with code, name, severity).

use serde::{Deserialize, Serialize};

use crate::source::Span;

/// How bad a finding is (RULES.md: error = deploy fails or events are lost for certain;
/// warning = events can be lost, duplicated or delayed under failure; info = best practice).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A secondary place involved in a finding (the consumer, the producer, the policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// What a rule reports: where, what, why (labels) and how to fix (help).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The place the user must change.
    pub span: Span,
    pub message: String,
    /// Logical ID of the resource the finding is about (the function for code findings).
    pub resource: Option<String>,
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// Raise (or lower) the rule's default severity for this finding (EL106 warning/error).
    pub severity: Option<Severity>,
    /// Stable identity inside the resource (a property path, the other resource's ID): with the
    /// code and resource it makes the fingerprint, so baselines survive edits that move lines.
    pub key: String,
    /// The Guard rule that failed (EL903): the SARIF `ruleId` of the result.
    pub policy: Option<String>,
}

impl Finding {
    #[must_use]
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Finding {
            span,
            message: message.into(),
            resource: None,
            related: Vec::new(),
            help: None,
            severity: None,
            key: String::new(),
            policy: None,
        }
    }

    #[must_use]
    pub fn resource(mut self, id: impl Into<String>) -> Self {
        self.resource = Some(id.into());
        self
    }

    #[must_use]
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }
}

/// A finding stamped by the engine with its rule's code, name and effective severity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub finding: Finding,
}

impl Diagnostic {
    /// A stable identity: code + resource + key (never line numbers), as 16 hex digits (FNV-1a).
    #[must_use]
    pub fn fingerprint(&self, file: &str) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let resource = self.finding.resource.as_deref().unwrap_or("");
        // Without a resource or key, fall back on the message so distinct findings stay distinct.
        let key = if self.finding.key.is_empty() && resource.is_empty() {
            &self.finding.message
        } else {
            &self.finding.key
        };
        for part in [self.code, file, resource, key] {
            for b in part.bytes().chain(std::iter::once(0u8)) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{h:016x}")
    }
}
