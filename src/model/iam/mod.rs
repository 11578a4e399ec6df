//! The permission model: what a function's or state machine's role allows, as IAM evaluates it
//! for the cases eventlint needs (`allows(principal, action, resource)`), with the statement
//! that decided. Anything not known (a role from a parameter, a managed policy whose content is
//! not known here, a condition) makes the answer `Unknown`, and `Unknown` never produces a
//! finding.

mod eval;
mod identity;
mod managed;
mod resource;
mod templates;

pub use eval::{Decision, allows, allows_default_bus, resource_matches};
pub use identity::{identity_policies, role_policies};
pub use resource::{
    Delivery, key_policy_allows, lambda_permission_allows, lambda_permissions, resource_policies,
    resource_policy_allows,
};

/// `*` matches any run, `?` one byte (IAM action and ARN wildcards).
#[must_use]
pub fn glob(pat: &str, text: &str) -> bool {
    eval::glob(pat, text)
}

use crate::model::{Node, TplId};
use crate::source::Span;

/// One IAM statement, with the template its intrinsics resolve in.
#[derive(Clone, Debug)]
pub struct Statement {
    pub tpl: TplId,
    /// The statement mapping (`Effect`, `Action`, `Resource`, `Condition`, ...).
    pub node: Node,
    /// Where the user wrote it (the statement, the policy template entry, the managed policy name).
    pub span: Span,
    /// What holds it, for messages: "SAM policy template `SQSSendMessagePolicy`", "role `R`".
    pub source: String,
    /// The logical ID of the resource holding it (RULES.md: EL302 points there).
    pub holder: String,
}

/// Every identity statement of a principal, and whether anything about it is unknown.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub statements: Vec<Statement>,
    /// Why part of the permissions cannot be known (empty when everything is known).
    pub unknown: Vec<String>,
    /// A permissions boundary applies: an allow is then not certain.
    pub boundary: bool,
}
