//! JSON loader: strict JSON (every jsonc leniency off) lowered into [`Node`]s with byte spans.

use jsonc_parser::{CollectOptions, ParseOptions, ast, parse_to_ast};

use super::node::{Entry, Kind, Node};
use super::yaml::MAX_DEPTH;
use super::{LoadOutcome, Problem};
use crate::source::{FileId, Span};

/// Parse JSON text into a node tree.
#[must_use]
pub fn load(text: &str, file: FileId) -> LoadOutcome {
    if let Some(at) = too_deep(text) {
        return LoadOutcome {
            root: None,
            problems: vec![Problem::fatal(
                format!("nesting deeper than {MAX_DEPTH} levels"),
                Span::new(file, at, at),
            )],
        };
    }
    let options = strict_options();
    match parse_to_ast(text, &CollectOptions::default(), &options) {
        Err(e) => {
            let r = e.range();
            LoadOutcome {
                root: None,
                problems: vec![Problem::fatal(
                    e.kind().to_string(),
                    Span::new(file, r.start, r.end),
                )],
            }
        }
        Ok(res) => {
            let mut problems = Vec::new();
            let root = res.value.map(|v| lower(&v, file, &mut problems));
            LoadOutcome { root, problems }
        }
    }
}

/// Byte offset where bracket nesting first exceeds [`MAX_DEPTH`] (strings skipped).
fn too_deep(text: &str) -> Option<usize> {
    let (mut depth, mut in_str, mut escape) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_str {
            match (escape, b) {
                (true, _) => escape = false,
                (false, b'\\') => escape = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn lower(v: &ast::Value<'_>, file: FileId, problems: &mut Vec<Problem>) -> Node {
    let sp = |r: jsonc_parser::common::Range| Span::new(file, r.start, r.end);
    match v {
        ast::Value::StringLit(s) => Node::new(sp(s.range), Kind::Str(s.value.to_string())),
        ast::Value::NumberLit(n) => Node::new(sp(n.range), Kind::Num(n.value.to_string())),
        ast::Value::BooleanLit(b) => Node::new(sp(b.range), Kind::Bool(b.value)),
        ast::Value::NullKeyword(n) => Node::new(sp(n.range), Kind::Null),
        ast::Value::Array(a) => {
            let items = a
                .elements
                .iter()
                .map(|e| lower(e, file, problems))
                .collect();
            Node::new(sp(a.range), Kind::Seq(items))
        }
        ast::Value::Object(o) => {
            let mut entries: Vec<Entry> = Vec::with_capacity(o.properties.len());
            for p in &o.properties {
                let (key, key_range) = match &p.name {
                    ast::ObjectPropName::String(s) => (s.value.to_string(), s.range),
                    ast::ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                };
                let key_span = sp(key_range);
                if let Some(pos) = entries.iter().position(|e| e.key == key) {
                    let first = entries.remove(pos);
                    problems.push(Problem {
                        message: format!("duplicate key `{key}`; the last value is used"),
                        span: key_span,
                        related: Some(first.key_span),
                        fatal: false,
                    });
                }
                entries.push(Entry {
                    key,
                    key_span,
                    value: lower(&p.value, file, problems),
                });
            }
            Node::new(sp(o.range), Kind::Map(entries))
        }
    }
}

/// Strict JSON, as CloudFormation reads it: no comments, trailing commas or other JSON5 forms.
#[must_use]
pub fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}
