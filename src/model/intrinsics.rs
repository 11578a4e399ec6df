//! Intrinsic function resolution: `Ref`, `Fn::GetAtt`, `Fn::Sub` (both forms), `Fn::Join`,
//! `Fn::Select`, `Fn::Split`, `Fn::If` (both branches), `Fn::FindInMap` on literal maps and
//! `Fn::ImportValue` through the exports of other templates in the run.
//!
//! A string resolves to a [`Sym`]: literal text, references to resources, pseudo parameters, and
//! unknown parts (parameters, other stacks, unsupported functions). Rules only compare what is
//! fully known.

use super::System;
use super::fact::Fact;
use super::node::{Kind, Node};
use super::template::TplId;

/// Deepest nesting of intrinsics followed (imports and mappings can chain).
const MAX_DEPTH: usize = 24;

/// A reference to a resource of the run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResRef {
    pub tpl: TplId,
    pub id: String,
    /// `None` for `Ref`, the attribute for `GetAtt` (`Arn`, `QueueName`, ...).
    pub attr: Option<String>,
}

/// One piece of a resolved string.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Lit(String),
    Res(ResRef),
    /// `AWS::Region`, `AWS::AccountId`, ...: deploy-time values.
    Pseudo(String),
    /// Anything else not known here, with the reason.
    Unknown(String),
}

/// A resolved string value.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Sym {
    pub parts: Vec<Part>,
}

impl Sym {
    /// Literal text; the empty string has no parts, so that `!Sub "${Q.Arn}"` and
    /// `!GetAtt Q.Arn` resolve to equal values.
    fn lit(s: impl Into<String>) -> Self {
        let s = s.into();
        Sym {
            parts: if s.is_empty() {
                Vec::new()
            } else {
                vec![Part::Lit(s)]
            },
        }
    }

    fn unknown(reason: impl Into<String>) -> Self {
        Sym {
            parts: vec![Part::Unknown(reason.into())],
        }
    }

    fn push(&mut self, other: Sym) {
        for p in other.parts {
            match (self.parts.last_mut(), p) {
                (_, Part::Lit(b)) if b.is_empty() => {}
                (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(&b),
                (_, p) => self.parts.push(p),
            }
        }
    }

    /// The text, when every part is literal.
    #[must_use]
    pub fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                _ => return None,
            }
        }
        Some(out)
    }

    /// The single resource this value refers to, if it refers to exactly one.
    #[must_use]
    pub fn resource(&self) -> Option<&ResRef> {
        let mut found: Option<&ResRef> = None;
        for p in &self.parts {
            if let Part::Res(r) = p {
                match found {
                    Some(f) if f.tpl != r.tpl || f.id != r.id => return None,
                    _ => found = Some(r),
                }
            }
        }
        found
    }

    /// The first reason a part is unknown.
    #[must_use]
    pub fn unknown_reason(&self) -> Option<&str> {
        self.parts.iter().find_map(|p| match p {
            Part::Unknown(r) => Some(r.as_str()),
            _ => None,
        })
    }

    /// Literal text with deploy-time pseudo parameters as `*`; `None` when other parts are unknown
    /// or a resource is referenced.
    #[must_use]
    pub fn pattern(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Pseudo(_) => out.push('*'),
                _ => return None,
            }
        }
        Some(out)
    }
}

const PSEUDO: &[&str] = &[
    "AWS::Region",
    "AWS::AccountId",
    "AWS::Partition",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::URLSuffix",
    "AWS::NotificationARNs",
    "AWS::NoValue",
];

/// Whether a name is a CloudFormation pseudo parameter.
#[must_use]
pub fn is_pseudo(name: &str) -> bool {
    PSEUDO.contains(&name)
}

impl System {
    /// Resolve a node to a string value.
    #[must_use]
    pub fn sym(&self, tpl: TplId, node: &Node) -> Sym {
        self.sym_depth(tpl, node, 0)
    }

    fn sym_depth(&self, tpl: TplId, node: &Node, depth: usize) -> Sym {
        if depth > MAX_DEPTH {
            return Sym::unknown("intrinsics nested too deeply");
        }
        let d = depth + 1;
        match &node.kind {
            Kind::Str(s) | Kind::Num(s) => Sym::lit(s.clone()),
            Kind::Bool(b) => Sym::lit(b.to_string()),
            Kind::Null => Sym::unknown("null value"),
            Kind::Seq(_) => Sym::unknown("a list, not a string"),
            Kind::Map(_) => match node.intrinsic() {
                Some(("Ref", arg)) => self.ref_sym(tpl, arg.as_str().unwrap_or(""), None),
                Some(("Fn::GetAtt", arg)) => self.getatt_sym(tpl, arg, d),
                Some(("Fn::Sub", arg)) => self.sub_sym(tpl, arg, d),
                Some(("Fn::Join", arg)) => self.join_sym(tpl, arg, d),
                Some(("Fn::Select", arg)) => self.select_sym(tpl, arg, d),
                Some(("Fn::If", arg)) => self.if_sym(tpl, arg, d),
                Some(("Fn::FindInMap", arg)) => self.find_in_map(tpl, arg, d).map_or_else(
                    || Sym::unknown("Fn::FindInMap with unknown keys"),
                    |(t, n)| self.sym_depth(t, n, d),
                ),
                Some(("Fn::ImportValue", arg)) => match self.import(tpl, arg, d) {
                    Some((t, n)) => self.sym_depth(t, n, d),
                    None => Sym::unknown("value imported from another stack"),
                },
                Some((f, _)) => Sym::unknown(format!("{f} is not evaluated")),
                None => Sym::unknown("a mapping, not a string"),
            },
        }
    }

    fn ref_sym(&self, tpl: TplId, name: &str, attr: Option<String>) -> Sym {
        if is_pseudo(name) {
            return Sym {
                parts: vec![Part::Pseudo(name.to_string())],
            };
        }
        let Some(t) = self.templates.get(tpl) else {
            return Sym::unknown("no template");
        };
        if t.parameter(name).is_some() {
            return Sym::unknown(format!("parameter `{name}`"));
        }
        if t.resource(name).is_some() {
            return Sym {
                parts: vec![Part::Res(ResRef {
                    tpl,
                    id: name.to_string(),
                    attr,
                })],
            };
        }
        Sym::unknown(format!("`{name}` is not defined here"))
    }

    fn getatt_sym(&self, tpl: TplId, arg: &Node, d: usize) -> Sym {
        let items = arg.items();
        let (res, attr) = match (items.first(), items.get(1)) {
            (Some(r), Some(a)) => (
                r.as_str().unwrap_or(""),
                self.sym_depth(tpl, a, d).literal(),
            ),
            _ => match arg.as_str().and_then(|s| s.split_once('.')) {
                Some((r, a)) => (r, Some(a.to_string())),
                None => return Sym::unknown("malformed Fn::GetAtt"),
            },
        };
        match attr {
            Some(a) => self.ref_sym(tpl, res, Some(a)),
            None => Sym::unknown("Fn::GetAtt with a computed attribute"),
        }
    }

    fn sub_sym(&self, tpl: TplId, arg: &Node, d: usize) -> Sym {
        let (text, vars) = match &arg.kind {
            Kind::Str(s) => (s.as_str(), None),
            Kind::Seq(items) => match (items.first().and_then(Node::as_str), items.get(1)) {
                (Some(s), vars) => (s, vars),
                _ => return Sym::unknown("malformed Fn::Sub"),
            },
            _ => return Sym::unknown("malformed Fn::Sub"),
        };
        let mut out = Sym::default();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push(Sym::lit(&rest[..start]));
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push(Sym::lit(&rest[start..]));
                return out;
            };
            let var = &after[..end];
            if let Some(lit) = var.strip_prefix('!') {
                out.push(Sym::lit(format!("${{{lit}}}")));
            } else if let Some(v) = vars.and_then(|m| m.get(var.trim())) {
                out.push(self.sym_depth(tpl, v, d));
            } else {
                let var = var.trim();
                match var.split_once('.') {
                    Some((r, a)) if !is_pseudo(var) => {
                        out.push(self.ref_sym(tpl, r, Some(a.to_string())))
                    }
                    _ => out.push(self.ref_sym(tpl, var, None)),
                }
            }
            rest = &after[end + 1..];
        }
        out.push(Sym::lit(rest));
        out
    }

    fn join_sym(&self, tpl: TplId, arg: &Node, d: usize) -> Sym {
        let items = arg.items();
        let (Some(delim), Some(list)) = (items.first().and_then(Node::as_str), items.get(1)) else {
            return Sym::unknown("malformed Fn::Join");
        };
        let Some(values) = self.list(tpl, list, d) else {
            return Sym::unknown("Fn::Join over an unknown list");
        };
        let mut out = Sym::default();
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                out.push(Sym::lit(delim));
            }
            out.push(v);
        }
        out
    }

    fn select_sym(&self, tpl: TplId, arg: &Node, d: usize) -> Sym {
        let items = arg.items();
        let (Some(idx), Some(list)) = (items.first(), items.get(1)) else {
            return Sym::unknown("malformed Fn::Select");
        };
        let idx = self
            .sym_depth(tpl, idx, d)
            .literal()
            .and_then(|s| s.trim().parse::<usize>().ok());
        match (idx, self.list(tpl, list, d)) {
            (Some(i), Some(values)) => values
                .into_iter()
                .nth(i)
                .unwrap_or_else(|| Sym::unknown("Fn::Select index out of range")),
            _ => Sym::unknown("Fn::Select over unknown values"),
        }
    }

    fn if_sym(&self, tpl: TplId, arg: &Node, d: usize) -> Sym {
        let items = arg.items();
        let (Some(cond), Some(a), Some(b)) = (items.first(), items.get(1), items.get(2)) else {
            return Sym::unknown("malformed Fn::If");
        };
        let (a, b) = (self.sym_depth(tpl, a, d), self.sym_depth(tpl, b, d));
        if a == b {
            a
        } else {
            Sym::unknown(format!(
                "depends on condition `{}`",
                cond.as_str().unwrap_or("?")
            ))
        }
    }

    /// Resolve a node to a list of values (a literal list, `Fn::Split`, `Fn::If` with equal branches).
    #[must_use]
    pub fn list(&self, tpl: TplId, node: &Node, d: usize) -> Option<Vec<Sym>> {
        if d > MAX_DEPTH {
            return None;
        }
        match (&node.kind, node.intrinsic()) {
            (Kind::Seq(items), _) => Some(
                items
                    .iter()
                    .map(|i| self.sym_depth(tpl, i, d + 1))
                    .collect(),
            ),
            (_, Some(("Fn::Split", arg))) => {
                let items = arg.items();
                let delim = items.first().and_then(Node::as_str)?;
                let src = self.sym_depth(tpl, items.get(1)?, d + 1).literal()?;
                if delim.is_empty() {
                    return None;
                }
                Some(src.split(delim).map(Sym::lit).collect())
            }
            (_, Some(("Fn::FindInMap", arg))) => {
                let (t, n) = self.find_in_map(tpl, arg, d + 1)?;
                self.list(t, n, d + 1)
            }
            (_, Some(("Fn::If", arg))) => {
                let items = arg.items();
                let a = self.list(tpl, items.get(1)?, d + 1)?;
                let b = self.list(tpl, items.get(2)?, d + 1)?;
                (a == b).then_some(a)
            }
            _ => None,
        }
    }

    /// The node a `Fn::FindInMap` with literal keys points at.
    fn find_in_map<'a>(&'a self, tpl: TplId, arg: &Node, d: usize) -> Option<(TplId, &'a Node)> {
        let items = arg.items();
        let key = |i: usize| {
            items
                .get(i)
                .and_then(|n| self.sym_depth(tpl, n, d).literal())
        };
        let (m, k1, k2) = (key(0)?, key(1)?, key(2)?);
        let t = self.templates.get(tpl)?;
        t.section("Mappings")
            .get(&m)?
            .get(&k1)?
            .get(&k2)
            .map(|n| (tpl, n))
    }

    /// The exported `Value` node an `Fn::ImportValue` names, in the exporting template.
    fn import(&self, tpl: TplId, arg: &Node, d: usize) -> Option<(TplId, &Node)> {
        let name = self.sym_depth(tpl, arg, d).literal()?;
        self.exports.get(&name).and_then(|&(t, ref out)| {
            let outputs = self.templates.get(t)?.section("Outputs");
            outputs.get(out)?.get("Value").map(|n| (t, n))
        })
    }

    /// A string fact.
    #[must_use]
    pub fn string(&self, tpl: TplId, node: &Node) -> Fact<String> {
        let sym = self.sym(tpl, node);
        match sym.literal() {
            Some(s) => Fact::known(s, node.span),
            None => Fact::Unknown(sym.unknown_reason().unwrap_or("not a literal").to_string()),
        }
    }

    /// An integer fact.
    #[must_use]
    pub fn int(&self, tpl: TplId, node: &Node) -> Fact<i64> {
        if let Some(v) = node.as_i64() {
            return Fact::known(v, node.span);
        }
        match self.string(tpl, node) {
            Fact::Known(s, o) => match Node::new(o.span, Kind::Str(s)).as_i64() {
                Some(v) => Fact::Known(v, o),
                None => Fact::Unknown("not an integer".into()),
            },
            Fact::Unknown(r) => Fact::Unknown(r),
        }
    }

    /// A boolean fact.
    #[must_use]
    pub fn boolean(&self, tpl: TplId, node: &Node) -> Fact<bool> {
        if let Some(b) = node.as_bool() {
            return Fact::known(b, node.span);
        }
        match self.string(tpl, node) {
            Fact::Known(s, o) if s.eq_ignore_ascii_case("true") => Fact::Known(true, o),
            Fact::Known(s, o) if s.eq_ignore_ascii_case("false") => Fact::Known(false, o),
            Fact::Known(..) => Fact::Unknown("not a boolean".into()),
            Fact::Unknown(r) => Fact::Unknown(r),
        }
    }
}

/// Whether a property is present: `Some(false)` when absent or `!Ref AWS::NoValue`,
/// `None` (unknown) when it is an `Fn::If` with an `AWS::NoValue` branch.
#[must_use]
pub fn presence(node: Option<&Node>) -> Option<bool> {
    let Some(n) = node else { return Some(false) };
    if is_no_value(n) {
        return Some(false);
    }
    if let Some(("Fn::If", arg)) = n.intrinsic()
        && arg.items().iter().skip(1).any(is_no_value)
    {
        return None;
    }
    Some(true)
}

fn is_no_value(n: &Node) -> bool {
    matches!(n.intrinsic(), Some(("Ref", v)) if v.as_str() == Some("AWS::NoValue"))
}
