//! The rule interface: metadata declared with [`declare_rule!`] (doc comment captured as the
//! rule's documentation), and `check` returning findings from the model and the event graph.

pub use crate::diagnostic::{Finding, Severity};
use crate::graph::Graph;
use crate::model::{Problem, System};

/// What the engine knows about a rule.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// The doc comment: `## What it does`, `## Why it matters`, `## Example`, `## How to fix`,
    /// `## References`.
    pub doc: &'static str,
    pub source: &'static str,
}

impl RuleMeta {
    /// The first paragraph of `## What it does`, for tables.
    #[must_use]
    pub fn summary(&self) -> String {
        let mut lines = self
            .doc
            .lines()
            .map(str::trim)
            .skip_while(|l| !l.starts_with("## What it does"))
            .skip(1);
        let mut out = Vec::new();
        for l in lines.by_ref() {
            if l.is_empty() && !out.is_empty() {
                break;
            }
            if l.starts_with("##") {
                break;
            }
            if !l.is_empty() {
                out.push(l);
            }
        }
        out.join(" ")
    }
}

/// What a rule sees.
pub struct Context<'a> {
    pub sys: &'a System,
    pub graph: &'a Graph<'a>,
    /// Syntax problems found while loading (EL901).
    pub problems: &'a [Problem],
    /// Findings of the Guard policies (EL903), evaluated before the rules run.
    pub policy_findings: &'a [Finding],
}

/// A rule.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>) -> Vec<Finding>;
}

/// Declare a rule: its doc comment becomes its documentation.
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub $name:ident { code: $code:literal, name: $rname:literal, severity: $sev:ident $(,)? }) => {
        $(#[doc = $doc])*
        pub struct $name;
        impl $name {
            pub const META: $crate::rules::rule::RuleMeta = $crate::rules::rule::RuleMeta {
                code: $code,
                name: $rname,
                severity: $crate::diagnostic::Severity::$sev,
                doc: concat!($($doc, "\n"),*),
                source: file!(),
            };
        }
    };
}

/// Common imports for rule files.
pub mod prelude {
    pub use super::{Context, Finding, Rule, RuleMeta, Severity};
    pub use crate::declare_rule;
    pub use crate::graph::{Cfg, DlqKind, EdgeKind, GEdge, GNode, NodeIx, NodeKind};
    pub use crate::model::{Fact, Node, Resource, TplId};
}
