//! Templates: loading (YAML/JSON with spans), intrinsic resolution and SAM semantics.

pub mod json;
pub mod node;
pub mod pattern;
pub mod yaml;

use crate::source::Span;
pub use node::{Entry, Kind, Node};

/// Something wrong with a file's syntax. Fatal problems leave no tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub message: String,
    pub span: Span,
    /// Another place involved (the first definition of a duplicate key).
    pub related: Option<Span>,
    pub fatal: bool,
}

impl Problem {
    #[must_use]
    pub fn fatal(message: String, span: Span) -> Self {
        Problem {
            message,
            span,
            related: None,
            fatal: true,
        }
    }
}

/// The result of parsing one file.
#[derive(Debug, Default)]
pub struct LoadOutcome {
    pub root: Option<Node>,
    pub problems: Vec<Problem>,
}
