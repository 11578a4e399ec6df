//! Facts: a value the analysis knows (with where it comes from) or does not know (and why).

use crate::source::Span;

/// Where a known value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The literal in the template, or for a default the resource that leaves it unset.
    pub span: Span,
    /// The value is an AWS default, not written in the template.
    pub default: bool,
}

/// A value that is known (literal, resolved, or an AWS default) or unknown (a parameter,
/// another stack, a runtime value). Rules compare only known facts.
#[derive(Clone, Debug, PartialEq)]
pub enum Fact<T> {
    Known(T, Origin),
    Unknown(String),
}

impl<T> Fact<T> {
    #[must_use]
    pub fn known(value: T, span: Span) -> Self {
        Fact::Known(
            value,
            Origin {
                span,
                default: false,
            },
        )
    }

    #[must_use]
    pub fn default_value(value: T, span: Span) -> Self {
        Fact::Known(
            value,
            Origin {
                span,
                default: true,
            },
        )
    }

    #[must_use]
    pub fn value(&self) -> Option<&T> {
        match self {
            Fact::Known(v, _) => Some(v),
            Fact::Unknown(_) => None,
        }
    }

    #[must_use]
    pub fn origin(&self) -> Option<Origin> {
        match self {
            Fact::Known(_, o) => Some(*o),
            Fact::Unknown(_) => None,
        }
    }

    #[must_use]
    pub fn is_default(&self) -> bool {
        matches!(self, Fact::Known(_, Origin { default: true, .. }))
    }

    /// Map the known value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Fact<U> {
        match self {
            Fact::Known(v, o) => Fact::Known(f(v), o),
            Fact::Unknown(r) => Fact::Unknown(r),
        }
    }
}

impl Fact<i64> {
    /// "300 s" or "the default 30 s", for messages.
    #[must_use]
    pub fn describe_secs(&self) -> String {
        match self {
            Fact::Known(v, o) if o.default => format!("the default {v} s"),
            Fact::Known(v, _) => format!("{v} s"),
            Fact::Unknown(r) => format!("unknown ({r})"),
        }
    }
}
