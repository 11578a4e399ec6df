//! Static values of expressions (`Val`): literals, f-strings, `+`/`%`/`format`, environment
//! reads, `json.dumps`, dict and list literals, and names bound to those.

use super::*;

impl<'t> Index<'t> {
    pub(super) fn val(&self, e: Node<'t>, scope: ScopeId, depth: u32) -> Val {
        if depth > MAX_DEPTH || !self.tick() {
            return Val::Unknown;
        }
        let d = depth + 1;
        match e.kind() {
            "string" => self.string(e, scope, d),
            "concatenated_string" => {
                concat(named_children(e).map(|s| self.val(s, scope, d)).collect())
            }
            "integer" | "float" => Val::Num(self.text(e).to_string()),
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            "unary_operator" => {
                let op = self.field(e, "operator").map(|o| self.text(o));
                match (op, self.field(e, "argument")) {
                    (Some("-"), Some(a)) if matches!(a.kind(), "integer" | "float") => {
                        Val::Num(format!("-{}", self.text(a)))
                    }
                    _ => Val::Unknown,
                }
            }
            "parenthesized_expression" => {
                first_named(e).map_or(Val::Unknown, |i| self.val(i, scope, d))
            }
            "identifier" => {
                let name = self.text(e);
                let defs = self.candidates(name, scope, e.start_byte());
                self.unless_mutated(self.val_defs(&defs, d), Some(name.to_string()))
            }
            "attribute" => {
                // attributes are set in methods that run in any order: one value or Unknown
                let defs = self.attr_candidates(e, scope);
                let key = self.attr_key(e, scope);
                let mut vals = defs
                    .iter()
                    .take(MAX_CANDIDATES + 1)
                    .map(|x| self.val_def(*x, d));
                let v = match vals.next() {
                    Some(first) if defs.len() <= MAX_CANDIDATES && vals.all(|v| v == first) => {
                        first
                    }
                    _ => Val::Unknown,
                };
                self.unless_mutated(v, key)
            }
            "subscript" => self.val_subscript(e, scope, d),
            "call" => self.val_call(e, scope, d),
            "binary_operator" => self.val_binary(e, scope, d),
            "boolean_operator" => {
                let op = self.field(e, "operator").map(|o| self.text(o));
                let (Some("or"), Some(l), Some(r)) =
                    (op, self.field(e, "left"), self.field(e, "right"))
                else {
                    return Val::Unknown;
                };
                match self.val(l, scope, d) {
                    Val::Env {
                        name,
                        default: None,
                    } => Val::Env {
                        name,
                        default: Some(Box::new(self.val(r, scope, d))),
                    },
                    Val::Str(s) if !s.is_empty() => Val::Str(s),
                    _ => Val::Unknown,
                }
            }
            "conditional_expression" => {
                let mut kids = named_children(e);
                let (Some(body), Some(_), Some(alt)) = (kids.next(), kids.next(), kids.next())
                else {
                    return Val::Unknown;
                };
                let a = self.val(body, scope, d);
                let b = self.val(alt, scope, d);
                if a == b { a } else { Val::Unknown }
            }
            "dictionary" => {
                let mut fields = Vec::new();
                for k in named_children(e) {
                    match k.kind() {
                        "pair" => {
                            let (Some(key), Some(value)) =
                                (self.field(k, "key"), self.field(k, "value"))
                            else {
                                continue;
                            };
                            if let Val::Str(key) = self.val(key, scope, d) {
                                let v = self.val(value, scope, d);
                                push_field(&mut fields, &key, v, self.span(value));
                            } else {
                                // a computed key may be any key
                                splat(&mut fields, None, self.span(k));
                            }
                        }
                        "dictionary_splat" => {
                            let inner = first_named(k).map(|v| self.val(v, scope, d));
                            splat(&mut fields, inner, self.span(k));
                        }
                        _ => {}
                    }
                }
                Val::Object(fields)
            }
            "list" | "tuple" | "expression_list" => {
                let mut items = Vec::new();
                for k in named_children(e) {
                    if k.kind() == "list_splat" {
                        match first_named(k).map(|v| self.val(v, scope, d)) {
                            Some(Val::List(vs)) => items.extend(vs),
                            _ => items.push(Val::Unknown),
                        }
                    } else {
                        items.push(self.val(k, scope, d));
                    }
                }
                Val::List(items)
            }
            _ => Val::Unknown,
        }
    }

    /// A list or dict value held by a name that is changed in place is not known.
    fn unless_mutated(&self, v: Val, key: Option<String>) -> Val {
        let container = matches!(v, Val::List(_) | Val::Object(_));
        if container && key.is_some_and(|k| self.mutated.contains(&k)) {
            Val::Unknown
        } else {
            v
        }
    }

    /// The value of a name from its bindings: the latest when it is unconditional, else the
    /// common value of the candidates (Unknown when they differ).
    pub(super) fn val_defs(&self, defs: &[Def<'t>], depth: u32) -> Val {
        let Some(first) = defs.first() else {
            return Val::Unknown;
        };
        if first.top() || defs.len() == 1 {
            return self.val_def(*first, depth);
        }
        if defs.len() > MAX_CANDIDATES {
            return Val::Unknown;
        }
        let v = self.val_def(*first, depth);
        for d in defs.iter().skip(1) {
            if self.val_def(*d, depth) != v {
                return Val::Unknown;
            }
        }
        v
    }

    pub(super) fn val_def(&self, def: Def<'t>, depth: u32) -> Val {
        match def {
            Def::Expr { rhs, scope, .. } => {
                self.memo(&self.val_memo, rhs.id(), Val::Unknown, || {
                    bounded(self.val(rhs, scope, depth + 1))
                })
            }
            Def::Param { func, index } => {
                let Some(p) = self.scopes.get(func).and_then(|f| f.params.get(index)) else {
                    return Val::Unknown;
                };
                self.memo(&self.val_memo, p.node.id(), Val::Unknown, || {
                    let outer = self
                        .scopes
                        .get(func)
                        .and_then(|f| f.parent)
                        .unwrap_or(MODULE);
                    let default = p.default.map(|d| self.val(d, outer, depth + 1));
                    let Some(sites) = self.param_args(func, index) else {
                        return Val::Unknown;
                    };
                    let mut vals = sites.into_iter().map(|(arg, scope)| match arg {
                        Some(a) => self.val(a, scope, depth + 1),
                        None => default.clone().unwrap_or(Val::Unknown),
                    });
                    let Some(first) = vals.next().or_else(|| default.clone()) else {
                        return Val::Unknown;
                    };
                    if vals.all(|v| v == first) {
                        bounded(first)
                    } else {
                        Val::Unknown
                    }
                })
            }
            Def::Func(_) | Def::Opaque { .. } => Val::Unknown,
        }
    }

    pub(super) fn val_subscript(&self, e: Node<'t>, scope: ScopeId, depth: u32) -> Val {
        let (Some(value), Some(key)) = (self.field(e, "value"), self.field(e, "subscript")) else {
            return Val::Unknown;
        };
        if self.qualname(value).as_deref() == Some("os.environ") {
            return match self.val(key, scope, depth) {
                Val::Str(name) => Val::Env {
                    name,
                    default: None,
                },
                _ => Val::Unknown,
            };
        }
        if !matches!(value.kind(), "identifier" | "attribute" | "subscript") {
            return Val::Unknown;
        }
        match (self.val(value, scope, depth), self.val(key, scope, depth)) {
            (obj @ Val::Object(_), Val::Str(k)) => obj.get(&k).cloned().unwrap_or(Val::Unknown),
            (Val::List(items), Val::Num(i)) => i
                .parse::<usize>()
                .ok()
                .and_then(|i| items.into_iter().nth(i))
                .unwrap_or(Val::Unknown),
            _ => Val::Unknown,
        }
    }

    pub(super) fn val_call(&self, e: Node<'t>, scope: ScopeId, depth: u32) -> Val {
        let (Some(func), Some(args)) = (self.field(e, "function"), self.field(e, "arguments"))
        else {
            return Val::Unknown;
        };
        if args.kind() != "argument_list" {
            return Val::Unknown;
        }
        let q = self.qualname(func);
        match q.as_deref() {
            Some("os.getenv" | "os.environ.get" | "os.environ.setdefault") => {
                let name = self.arg(args, 0, "key").map(|n| self.val(n, scope, depth));
                let Some(Val::Str(name)) = name else {
                    return Val::Unknown;
                };
                let default = self
                    .arg(args, 1, "default")
                    .map(|d| Box::new(self.val(d, scope, depth)));
                return Val::Env { name, default };
            }
            Some("json.dumps" | "simplejson.dumps" | "orjson.dumps" | "ujson.dumps") => {
                return match self.arg(args, 0, "obj") {
                    Some(a) => Val::Json(Box::new(self.val(a, scope, depth))),
                    None => Val::Unknown,
                };
            }
            Some("str") => {
                return match self
                    .arg(args, 0, "object")
                    .map(|a| self.val(a, scope, depth))
                {
                    Some(Val::Num(n)) => Val::Str(n),
                    Some(v @ (Val::Str(_) | Val::Concat(_) | Val::Env { .. })) => v,
                    _ => Val::Unknown,
                };
            }
            Some("dict") => {
                // `dict(base, k=v)`, `dict(**base, k=v)`: an unknown base leaves it open
                let mut fields = Vec::new();
                for a in named_children(args) {
                    match a.kind() {
                        "keyword_argument" => {
                            if let (Some(k), Some(v)) =
                                (self.field(a, "name"), self.field(a, "value"))
                            {
                                push_field(
                                    &mut fields,
                                    self.text(k),
                                    self.val(v, scope, depth),
                                    self.span(v),
                                );
                            }
                        }
                        "dictionary_splat" => {
                            let inner = first_named(a).map(|v| self.val(v, scope, depth));
                            splat(&mut fields, inner, self.span(a));
                        }
                        "list_splat" => return Val::Unknown,
                        _ if fields.is_empty() => {
                            splat(&mut fields, Some(self.val(a, scope, depth)), self.span(a));
                        }
                        _ => return Val::Unknown,
                    }
                }
                return Val::Object(fields);
            }
            _ => {}
        }
        match func.kind() {
            // `'{}/{}'.format(a, b)`
            "attribute" => {
                let (Some(recv), Some(m)) =
                    (self.field(func, "object"), self.field(func, "attribute"))
                else {
                    return Val::Unknown;
                };
                if self.text(m) != "format" {
                    return Val::Unknown;
                }
                let Val::Str(fmt) = self.val(recv, scope, depth) else {
                    return Val::Unknown;
                };
                let mut positional = Vec::new();
                let mut named = Vec::new();
                for a in named_children(args) {
                    match a.kind() {
                        "keyword_argument" => {
                            if let (Some(k), Some(v)) =
                                (self.field(a, "name"), self.field(a, "value"))
                            {
                                named.push((self.text(k).to_string(), self.val(v, scope, depth)));
                            }
                        }
                        "list_splat" | "dictionary_splat" => return Val::Unknown,
                        _ => positional.push(self.val(a, scope, depth)),
                    }
                }
                format_method(&fmt, &positional, &named)
            }
            // a helper returning a value
            "identifier" => {
                let defs = self.candidates(self.text(func), scope, e.start_byte());
                let Some(Def::Func(f)) = defs.first() else {
                    return Val::Unknown;
                };
                let Some(fs) = self.scopes.get(*f) else {
                    return Val::Unknown;
                };
                if !fs.params.is_empty() {
                    return Val::Unknown;
                }
                self.memo(&self.val_memo, fs.node.id(), Val::Unknown, || {
                    let mut vals = fs.returns.iter().map(|r| self.val(*r, *f, depth + 1));
                    let Some(first) = vals.next() else {
                        return Val::Unknown;
                    };
                    if fs.returns.len() <= MAX_CANDIDATES && vals.all(|v| v == first) {
                        bounded(first)
                    } else {
                        Val::Unknown
                    }
                })
            }
            _ => Val::Unknown,
        }
    }

    pub(super) fn val_binary(&self, e: Node<'t>, scope: ScopeId, depth: u32) -> Val {
        let op = self.field(e, "operator").map(|o| self.text(o));
        match op {
            Some("+") => {
                // flatten the left-leaning chain without recursion
                let mut parts = Vec::new();
                let mut cur = e;
                loop {
                    let is_plus = cur.kind() == "binary_operator"
                        && self.field(cur, "operator").map(|o| self.text(o)) == Some("+");
                    if !is_plus || parts.len() > 256 {
                        parts.push(cur);
                        break;
                    }
                    match (self.field(cur, "left"), self.field(cur, "right")) {
                        (Some(l), Some(r)) => {
                            parts.push(r);
                            cur = l;
                        }
                        _ => return Val::Unknown,
                    }
                }
                let vals: Vec<Val> = parts
                    .iter()
                    .rev()
                    .map(|p| self.val(*p, scope, depth))
                    .collect();
                if vals.iter().all(|v| matches!(v, Val::List(_))) {
                    return Val::List(
                        vals.into_iter()
                            .flat_map(|v| match v {
                                Val::List(items) => items,
                                _ => Vec::new(),
                            })
                            .collect(),
                    );
                }
                let stringy = vals
                    .iter()
                    .any(|v| matches!(v, Val::Str(_) | Val::Concat(_) | Val::Env { .. }));
                if stringy { concat(vals) } else { Val::Unknown }
            }
            Some("%") => {
                let (Some(l), Some(r)) = (self.field(e, "left"), self.field(e, "right")) else {
                    return Val::Unknown;
                };
                let Val::Str(fmt) = self.val(l, scope, depth) else {
                    return Val::Unknown;
                };
                let args = match r.kind() {
                    "tuple" => named_children(r)
                        .map(|a| self.val(a, scope, depth))
                        .collect(),
                    _ => vec![self.val(r, scope, depth)],
                };
                percent_format(&fmt, &args)
            }
            _ => Val::Unknown,
        }
    }

    pub(super) fn string(&self, e: Node<'t>, scope: ScopeId, depth: u32) -> Val {
        string_value(self, e, |expr| self.val(expr, scope, depth))
    }
}
