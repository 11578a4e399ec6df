//! The span-carrying value tree that YAML and JSON templates are lowered into.
//!
//! CloudFormation short-form tags are lowered to their long form (`!Ref X` becomes a one-key
//! map `{Ref: X}` whose key span is the tag), so the rest of eventlint sees one shape.

use crate::source::Span;

/// A value with the span it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// A number, kept as written (`300`, `1.5`, `0x10` stays text for non-decimal forms).
    Num(String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping entry: key text and span, and the value.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    #[must_use]
    pub fn new(span: Span, kind: Kind) -> Self {
        Node { span, kind }
    }

    /// Value of `key` in a mapping (the last one if duplicated).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The mapping entry for `key`.
    #[must_use]
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    /// Follow a path of mapping keys.
    #[must_use]
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    #[must_use]
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    #[must_use]
    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    #[must_use]
    pub fn is_seq(&self) -> bool {
        matches!(self.kind, Kind::Seq(_))
    }

    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// Scalar text of a string, number or boolean (no intrinsic resolution).
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) | Kind::Num(s) => Some(s),
            Kind::Bool(true) => Some("true"),
            Kind::Bool(false) => Some("false"),
            _ => None,
        }
    }

    /// A literal boolean (`true`, or the string `"true"` as CloudFormation accepts it).
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Kind::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// A literal integer (numbers and numeric strings, as CloudFormation accepts both).
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match &self.kind {
            Kind::Num(s) | Kind::Str(s) => parse_int(s),
            _ => None,
        }
    }

    /// When this node is an intrinsic function (`{Ref: ..}`, `{Fn::Sub: ..}`, `{Condition: ..}`),
    /// its name and argument.
    #[must_use]
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match &self.kind {
            Kind::Map(entries) if entries.len() == 1 => {
                let e = entries.first()?;
                let is_fn = e.key == "Ref" || e.key == "Condition" || e.key.starts_with("Fn::");
                is_fn.then_some((e.key.as_str(), &e.value))
            }
            _ => None,
        }
    }

    /// Visit this node and all its descendants mutably.
    pub fn walk_mut(&mut self, f: &mut dyn FnMut(&mut Node)) {
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            f(n);
            match &mut n.kind {
                Kind::Seq(items) => stack.extend(items.iter_mut()),
                Kind::Map(entries) => stack.extend(entries.iter_mut().map(|e| &mut e.value)),
                _ => {}
            }
        }
    }

    /// Depth-first walk over this node and all its descendants.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            f(n);
            match &n.kind {
                Kind::Seq(items) => stack.extend(items.iter().rev()),
                Kind::Map(entries) => stack.extend(entries.iter().rev().map(|e| &e.value)),
                _ => {}
            }
        }
    }
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(v) = t.parse::<i64>() {
        return Some(v);
    }
    // `300.0` is accepted by CloudFormation for integer properties
    let f = t.parse::<f64>().ok()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then(|| {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "checked to be integral and in range"
        )]
        let v = f as i64;
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::new(Span::default(), Kind::Str(v.into()))
    }

    #[test]
    fn integers_from_numbers_and_strings() {
        assert_eq!(
            Node::new(Span::default(), Kind::Num("300".into())).as_i64(),
            Some(300)
        );
        assert_eq!(s("45").as_i64(), Some(45));
        assert_eq!(s("1.0").as_i64(), Some(1));
        assert_eq!(s("abc").as_i64(), None);
        assert_eq!(s("1.5").as_i64(), None);
    }

    #[test]
    fn intrinsic_detection() {
        let n = Node::new(
            Span::default(),
            Kind::Map(vec![Entry {
                key: "Ref".into(),
                key_span: Span::default(),
                value: s("X"),
            }]),
        );
        assert_eq!(
            n.intrinsic().map(|(k, v)| (k, v.as_str())),
            Some(("Ref", Some("X")))
        );
        let m = Node::new(
            Span::default(),
            Kind::Map(vec![Entry {
                key: "Type".into(),
                key_span: Span::default(),
                value: s("X"),
            }]),
        );
        assert!(m.intrinsic().is_none());
    }
}
