//! Names that `Ref`, `Fn::GetAtt` and `Fn::Sub` variables refer to, with the span of each name:
//! shared by EL705 (names that resolve to nothing) and EL706 (who references a channel).

use crate::model::{Kind, Node};
use crate::source::Span;

/// The intrinsic a name was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Ref,
    GetAtt,
    Sub,
}

impl RefKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Ref => "Ref",
            RefKind::GetAtt => "Fn::GetAtt",
            RefKind::Sub => "Fn::Sub",
        }
    }
}

/// One name a template refers to: a logical ID, parameter or pseudo parameter.
#[derive(Clone, Debug)]
pub struct RefSite {
    pub name: String,
    /// The name itself (inside a `Fn::Sub` string when the source text allows it).
    pub span: Span,
    pub kind: RefKind,
}

/// Call `f` for every name referred to under `node`. `Fn::Sub` escapes (`${!Literal}`) and
/// variables given in the Sub variable map are not names; `Fn::Transform` arguments (macro
/// parameters such as an `AWS::Include` location) are skipped. `text` is the source text of
/// the file, used to point at a name inside a `Fn::Sub` string (empty: the whole string).
pub fn visit(node: &Node, text: &str, f: &mut dyn FnMut(RefSite)) {
    if let Some((name, arg)) = node.intrinsic() {
        match name {
            "Fn::Transform" => return,
            "Ref" => {
                match arg.as_str() {
                    Some(s) => f(site(s, arg.span, RefKind::Ref)),
                    None => visit(arg, text, f),
                }
                return;
            }
            "Fn::GetAtt" => {
                getatt(arg, text, f);
                return;
            }
            "Fn::Sub" => {
                sub(arg, text, f);
                return;
            }
            _ => {}
        }
    }
    match &node.kind {
        Kind::Map(entries) => entries.iter().for_each(|e| visit(&e.value, text, f)),
        Kind::Seq(items) => items.iter().for_each(|i| visit(i, text, f)),
        _ => {}
    }
}

fn site(name: &str, span: Span, kind: RefKind) -> RefSite {
    RefSite {
        name: name.to_string(),
        span,
        kind,
    }
}

fn getatt(arg: &Node, text: &str, f: &mut dyn FnMut(RefSite)) {
    if let Some(s) = arg.as_str() {
        // `Res.Attr` (and `Stack.Outputs.Name`): the logical ID is before the first dot
        if let Some((res, _)) = s.split_once('.') {
            f(site(res, arg.span, RefKind::GetAtt));
        }
        return;
    }
    let items = arg.items();
    match items.first() {
        Some(first) => match first.as_str() {
            Some(res) => f(site(res, first.span, RefKind::GetAtt)),
            None => visit(first, text, f),
        },
        None => visit(arg, text, f),
    }
    // a computed attribute name may itself hold a Ref
    items.iter().skip(1).for_each(|i| visit(i, text, f));
}

fn sub(arg: &Node, text: &str, f: &mut dyn FnMut(RefSite)) {
    let (template, vars) = match &arg.kind {
        Kind::Str(_) => (arg, None),
        Kind::Seq(items) => match items.first() {
            Some(t) if matches!(t.kind, Kind::Str(_)) => (t, items.get(1)),
            _ => {
                visit(arg, text, f);
                return;
            }
        },
        _ => {
            visit(arg, text, f);
            return;
        }
    };
    if let Some(v) = vars {
        visit(v, text, f);
    }
    let Some(s) = template.as_str() else { return };
    let source = text
        .get(template.span.start as usize..template.span.end as usize)
        .unwrap_or("");
    let mut cursor = 0usize;
    for var in sub_variables(s) {
        if var.starts_with('!') {
            continue;
        }
        let name = var.trim();
        if name.is_empty() || vars.is_some_and(|m| m.get(name).is_some()) {
            continue;
        }
        // `${AWS::Region}` is a pseudo parameter; `${Res.Attr}` names `Res`
        let logical = if name.contains("::") {
            name
        } else {
            name.split_once('.').map_or(name, |(r, _)| r)
        };
        let needle = format!("${{{var}}}");
        let span = match source.get(cursor..).and_then(|rest| rest.find(&needle)) {
            Some(pos) => {
                let lead = var.len() - var.trim_start().len();
                let start = template.span.start as usize + cursor + pos + 2 + lead;
                cursor += pos + needle.len();
                Span::new(template.span.file, start, start + logical.len())
            }
            None => template.span,
        };
        f(site(logical, span, RefKind::Sub));
    }
}

/// The raw text between `${` and `}` of each variable of a `Fn::Sub` string, in order.
#[must_use]
pub fn sub_variables(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::yaml;

    fn names(src: &str) -> Vec<(String, String)> {
        let root = yaml::load(src, 0).root.unwrap_or_else(|| panic!("parse"));
        let mut out = Vec::new();
        visit(&root, src, &mut |s| {
            let text = src
                .get(s.span.start as usize..s.span.end as usize)
                .unwrap_or("")
                .to_string();
            out.push((s.name, text));
        });
        out
    }

    #[test]
    fn finds_names_and_their_spans() {
        let got = names(
            "A: !Ref Queue\nB: !GetAtt Fn.Arn\nC: !Sub 'arn:${AWS::Partition}:x:${Bus.Name}/${!Lit}/${V}'\nD: !Sub ['${V}-${W}', {V: !Ref P}]\nE:\n  Fn::Transform: {Name: AWS::Include, Parameters: {Location: !Ref Loc}}\n",
        );
        let expect: Vec<(String, String)> = [
            ("Queue", "Queue"),
            ("Fn", "Fn.Arn"),
            ("AWS::Partition", "AWS::Partition"),
            ("Bus", "Bus"),
            ("V", "V"),
            ("P", "P"),
            ("W", "W"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect();
        assert_eq!(got, expect);
    }
}
