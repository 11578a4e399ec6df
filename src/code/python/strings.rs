//! String literals and value helpers: unescaping, f-string parts, `format`/`%` templates,
//! concatenation normal form, size bounds.

use super::*;

/// A plain string literal's value without interpolation (None for f-strings with fields).
pub(super) fn string_literal<'t>(ix: &Index<'t>, n: Node<'t>) -> Option<Val> {
    let mut interpolated = false;
    let v = string_value(ix, n, |_| {
        interpolated = true;
        Val::Unknown
    });
    (!interpolated).then_some(v)
}

/// A string literal's value: its parts unescaped, f-string fields resolved with `field`.
pub(super) fn string_value<'t>(
    ix: &Index<'t>,
    n: Node<'t>,
    mut field: impl FnMut(Node<'t>) -> Val,
) -> Val {
    let mut prefix = String::new();
    let mut parts = Vec::new();
    for k in named_children(n) {
        match k.kind() {
            "string_start" => {
                prefix = ix
                    .text(k)
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
            }
            "string_content" => {
                let raw = prefix.contains('r');
                let formatted = prefix.contains('f') || prefix.contains('t');
                let mut text = ix.text(k).to_string();
                if formatted {
                    text = text.replace("{{", "{").replace("}}", "}");
                }
                parts.push(Val::Str(if raw { text } else { unescape(&text) }));
            }
            "interpolation" => {
                let plain = ix.field(k, "format_specifier").is_none()
                    && ix
                        .field(k, "type_conversion")
                        .is_none_or(|c| ix.text(c) == "!s");
                let v = ix.field(k, "expression").map(&mut field);
                parts.push(if plain {
                    v.unwrap_or(Val::Unknown)
                } else {
                    Val::Unknown
                });
            }
            _ => {}
        }
    }
    concat(parts)
}

pub(super) fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| {
            let digits: String = (0..n).filter_map(|_| chars.next()).collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
        };
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(c @ ('\\' | '\'' | '"')) => out.push(c),
            Some('\n') => {}
            Some('x') => out.extend(hex(&mut chars, 2)),
            Some('u') => out.extend(hex(&mut chars, 4)),
            Some('U') => out.extend(hex(&mut chars, 8)),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Parts joined: nested concatenations flattened, adjacent literals merged, empty literals
/// dropped; one literal part is a plain string.
pub(super) fn concat(parts: Vec<Val>) -> Val {
    let mut out: Vec<Val> = Vec::new();
    let mut stack: Vec<Val> = parts.into_iter().rev().collect();
    while let Some(p) = stack.pop() {
        match p {
            Val::Concat(inner) => stack.extend(inner.into_iter().rev()),
            Val::Str(s) if s.is_empty() => {}
            Val::Str(s) => match out.last_mut() {
                Some(Val::Str(prev)) => prev.push_str(&s),
                _ => out.push(Val::Str(s)),
            },
            other => out.push(other),
        }
    }
    match out.len() {
        0 => Val::Str(String::new()),
        1 if matches!(out.first(), Some(Val::Str(_))) => out.pop().unwrap_or(Val::Unknown),
        _ => Val::Concat(out),
    }
}

/// `'{}-{name}'.format(a, name=b)`: plain fields only.
pub(super) fn format_method(fmt: &str, positional: &[Val], named: &[(String, Val)]) -> Val {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = fmt.chars().peekable();
    let mut next = 0;
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let mut field = String::new();
                for f in chars.by_ref() {
                    if f == '}' {
                        break;
                    }
                    field.push(f);
                }
                parts.push(Val::Str(std::mem::take(&mut lit)));
                let v = if field.is_empty() {
                    next += 1;
                    positional.get(next - 1).cloned()
                } else if let Ok(i) = field.parse::<usize>() {
                    positional.get(i).cloned()
                } else if field.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    named
                        .iter()
                        .find(|(k, _)| *k == field)
                        .map(|(_, v)| v.clone())
                } else {
                    None
                };
                parts.push(v.unwrap_or(Val::Unknown));
            }
            c => lit.push(c),
        }
    }
    parts.push(Val::Str(lit));
    concat(parts)
}

/// `'arn:%s:%s' % (a, b)`: `%s` fields only.
pub(super) fn percent_format(fmt: &str, args: &[Val]) -> Val {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut chars = fmt.chars();
    let mut next = args.iter();
    while let Some(c) = chars.next() {
        if c != '%' {
            lit.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => lit.push('%'),
            Some('s') => {
                parts.push(Val::Str(std::mem::take(&mut lit)));
                parts.push(match next.next() {
                    Some(Val::Num(n)) => Val::Str(n.clone()),
                    Some(v) => v.clone(),
                    None => Val::Unknown,
                });
            }
            _ => return Val::Unknown,
        }
    }
    parts.push(Val::Str(lit));
    concat(parts)
}

/// Does a value contain `needle` in one of its literal strings?
pub(super) fn mentions(v: &Val, needle: &str) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Val::Str(s) if s.contains(needle) => return true,
            Val::Concat(parts) | Val::List(parts) => stack.extend(parts),
            Val::Env {
                default: Some(d), ..
            } => stack.push(d),
            Val::Json(inner) => stack.push(inner),
            Val::Object(fields) => stack.extend(fields.iter().map(|(_, v, _)| v)),
            _ => {}
        }
    }
    false
}

/// The value, or Unknown when it is too large to keep per use.
pub(super) fn bounded(v: Val) -> Val {
    let mut n = 0usize;
    let mut stack = vec![&v];
    while let Some(x) = stack.pop() {
        n += 1;
        if n > MAX_VAL_NODES {
            return Val::Unknown;
        }
        match x {
            Val::Concat(parts) | Val::List(parts) => stack.extend(parts),
            Val::Env {
                default: Some(d), ..
            } => stack.push(d),
            Val::Json(inner) => stack.push(inner),
            Val::Object(fields) => stack.extend(fields.iter().map(|(_, v, _)| v)),
            _ => {}
        }
    }
    v
}
