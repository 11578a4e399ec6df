//! The rule interface: metadata declared with [`declare_rule!`] (doc comment captured as the
//! rule's documentation, options with their defaults), and `check` returning findings from the
//! model and the event graph.

use std::collections::BTreeMap;
use std::sync::OnceLock;

pub use crate::diagnostic::{Finding, Severity};
use crate::graph::Graph;
use crate::model::{Problem, System};
use crate::rules::util_events::Contracts;
pub use crate::suppress::Suppression;

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
    /// Thresholds the user may set in `eventlint.toml` (`[rules.EL106] visibility-factor = 4`).
    pub options: &'static [RuleOption],
    /// String-list options (`[rules.EL501] version-fields = ["version"]`).
    pub lists: &'static [ListOption],
}

/// An integer option of a rule, with its default and smallest accepted value.
#[derive(Debug)]
pub struct RuleOption {
    /// Kebab-case key in the rule's config table.
    pub name: &'static str,
    pub default: i64,
    pub min: i64,
    /// One line for the rule's documentation.
    pub doc: &'static str,
}

/// A string-list option of a rule (field names), with its default.
#[derive(Debug)]
pub struct ListOption {
    /// Kebab-case key in the rule's config table.
    pub name: &'static str,
    pub default: &'static [&'static str],
    /// One line for the rule's documentation.
    pub doc: &'static str,
}

/// Option values set by the configuration, by rule code and option name; unset options take
/// their declared default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOptions {
    values: BTreeMap<(&'static str, &'static str), i64>,
    lists: BTreeMap<(&'static str, &'static str), Vec<String>>,
}

impl RuleOptions {
    pub fn set(&mut self, code: &'static str, option: &'static str, value: i64) {
        self.values.insert((code, option), value);
    }

    pub fn set_list(&mut self, code: &'static str, option: &'static str, value: Vec<String>) {
        self.lists.insert((code, option), value);
    }

    /// The value of a list option for the rule `code`.
    #[must_use]
    pub fn list(&self, code: &'static str, option: &ListOption) -> Vec<String> {
        self.lists
            .get(&(code, option.name))
            .cloned()
            .unwrap_or_else(|| option.default.iter().map(|s| (*s).to_string()).collect())
    }

    /// The value of `option` for the rule `code`.
    #[must_use]
    pub fn int(&self, code: &'static str, option: &RuleOption) -> i64 {
        self.values
            .get(&(code, option.name))
            .copied()
            .unwrap_or(option.default)
    }
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

/// The rule with this code or name (any case).
#[must_use]
pub fn lookup(code_or_name: &str) -> Option<&'static RuleMeta> {
    let s = code_or_name.trim();
    super::ALL
        .iter()
        .map(|r| r.meta())
        .find(|m| m.code.eq_ignore_ascii_case(s) || m.name.eq_ignore_ascii_case(s))
}

/// What a rule sees.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub sys: &'a System,
    pub graph: &'a Graph<'a>,
    /// Syntax problems found while loading (EL901).
    pub problems: &'a [Problem],
    /// Findings of the Guard policies (EL903), evaluated before the rules run.
    pub policy_findings: &'a [Finding],
    /// Which Guard rules the policies define and where they ran (EL904 on `EL903:<rule>`).
    pub policy_runs: &'a crate::policy::Runs,
    /// Rule options from the configuration.
    pub options: &'a RuleOptions,
    /// Template suppressions and whether each silenced a finding: filled in by the engine for
    /// the rules that run after all others (EL904), empty before.
    pub suppressions: &'a [Suppression],
    /// The event contracts (EL5xx), built by the first rule that asks ([`Context::contracts`]).
    pub contracts: &'a OnceLock<Contracts>,
}

impl<'a> Context<'a> {
    /// The system's event contracts: what handler code publishes and the rules on the buses,
    /// built once per run for all the rules that read them.
    #[must_use]
    pub fn contracts(&self) -> &'a Contracts {
        self.contracts
            .get_or_init(|| Contracts::new(self.sys, self.graph))
    }
}

/// A rule.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>) -> Vec<Finding>;
}

/// Declare a rule: its doc comment becomes its documentation.
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub $name:ident {
        code: $code:literal, name: $rname:literal, severity: $sev:ident
        $(, options: [$($opt:expr),* $(,)?])?
        $(, lists: [$($list:expr),* $(,)?])? $(,)?
    }) => {
        $(#[doc = $doc])*
        pub struct $name;
        impl $name {
            pub const META: $crate::rules::rule::RuleMeta = $crate::rules::rule::RuleMeta {
                code: $code,
                name: $rname,
                severity: $crate::diagnostic::Severity::$sev,
                doc: concat!($($doc, "\n"),*),
                source: file!(),
                options: &[$($($opt),*)?],
                lists: &[$($($list),*)?],
            };
        }
    };
}

/// Common imports for rule files.
pub mod prelude {
    pub use super::{Context, Finding, ListOption, Rule, RuleMeta, RuleOption, Severity};
    pub use crate::declare_rule;
    pub use crate::graph::{Cfg, DlqKind, EdgeKind, GEdge, GNode, NodeIx, NodeKind};
    pub use crate::model::{Fact, Node, Resource, TplId};
}
