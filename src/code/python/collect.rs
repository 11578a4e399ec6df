//! Pass 1: one walk over the tree (explicit stack) recording scopes, bindings, parameters,
//! returns, call sites, and the nodes facts come from.

use super::*;

/// Methods that change a list or dict in place.
const MUTATORS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "update",
    "setdefault",
    "pop",
    "popitem",
    "remove",
    "clear",
    "sort",
    "reverse",
];

impl<'t> Index<'t> {
    pub(super) fn collect(&mut self, root: Node<'t>) {
        self.scopes.push(Scope {
            kind: ScopeKind::Module,
            parent: None,
            name: String::new(),
            node: root,
            names: HashMap::new(),
            params: Vec::new(),
            globals: HashSet::new(),
            returns: Vec::new(),
        });
        let start = Ctx {
            scope: MODULE,
            guard: None,
            cond: false,
        };
        // one cursor for the whole preorder walk; `up` holds, per open level, the context and
        // plan of the parent whose children are being visited
        let root_plan = self.visit(root, start);
        let mut up: Vec<(Ctx, Plan)> = vec![(start, root_plan)];
        let mut cursor = root.walk();
        let mut descend = true;
        loop {
            let moved = if descend && cursor.goto_first_child() {
                true
            } else {
                loop {
                    if cursor.goto_next_sibling() {
                        break true;
                    }
                    if !cursor.goto_parent() {
                        break false;
                    }
                    up.pop();
                }
            };
            if !moved {
                break;
            }
            let node = cursor.node();
            if self.facts.syntax_error.is_none() && (node.is_error() || node.is_missing()) {
                self.facts.syntax_error = Some(self.span(node));
            }
            descend = node.is_named() && node.child_count() > 0;
            if !node.is_named() {
                continue;
            }
            let Some((pctx, pplan)) = up.last() else {
                break;
            };
            let ctx = pplan.ctx_for(node, cursor.field_name(), *pctx);
            let plan = self.visit(node, ctx);
            if descend {
                up.push((ctx, plan));
            }
        }
    }

    /// Record what `node` tells and say how its children are visited.
    pub(super) fn visit(&mut self, node: Node<'t>, ctx: Ctx) -> Plan {
        let mut plan = Plan::default();
        match node.kind() {
            "import_statement" => self.import(node),
            "import_from_statement" => self.import_from(node),
            "function_definition" | "lambda" => {
                let f = self.function(node, ctx);
                plan.body = Some(Ctx {
                    scope: f,
                    guard: None,
                    cond: false,
                });
            }
            "class_definition" => {
                let name = self.field(node, "name").map(|n| self.text(n).to_string());
                let c = self.new_scope(
                    ScopeKind::Class,
                    ctx.scope,
                    name.clone().unwrap_or_default(),
                    node,
                );
                if let Some(name) = name {
                    self.define(
                        ctx.scope,
                        name,
                        Def::Opaque {
                            at: node.start_byte(),
                        },
                    );
                }
                plan.body = Some(Ctx {
                    scope: c,
                    guard: None,
                    cond: false,
                });
            }
            "global_statement" => {
                for n in named_children(node) {
                    let name = self.text(n).to_string();
                    if let Some(s) = self.scopes.get_mut(ctx.scope) {
                        s.globals.insert(name);
                    }
                }
            }
            "assignment" => self.assignment(node, ctx),
            "delete_statement" => {
                for target in named_children(node) {
                    let targets: Vec<Node<'t>> = if target.kind() == "expression_list" {
                        named_children(target).collect()
                    } else {
                        vec![target]
                    };
                    for t in targets.into_iter().filter(|t| t.kind() == "subscript") {
                        self.mark_mutated(t, ctx.scope);
                    }
                }
            }
            "augmented_assignment" => {
                if let Some(left) = self.field(node, "left") {
                    self.opaque_targets(left, ctx, node.end_byte());
                }
            }
            "named_expression" => {
                if let (Some(name), Some(value)) =
                    (self.field(node, "name"), self.field(node, "value"))
                {
                    let def = self.expr_def(value, ctx, node.end_byte());
                    self.define(ctx.scope, self.text(name).to_string(), def);
                }
            }
            "for_statement" | "for_in_clause" => {
                if let Some(left) = self.field(node, "left") {
                    self.opaque_targets(left, ctx, node.start_byte());
                }
                plan.cond = true;
            }
            "with_item" => self.with_item(node, ctx),
            "except_clause" => {
                if let Some(alias) = first_named(node)
                    .filter(|v| v.kind() == "as_pattern")
                    .and_then(|v| self.field(v, "alias"))
                {
                    self.opaque_targets(alias, ctx, node.start_byte());
                }
            }
            "return_statement" => {
                if let Some(v) = first_named(node) {
                    if let Some(s) = self.scopes.get_mut(ctx.scope) {
                        s.returns.push(v);
                    }
                }
            }
            "if_statement" | "elif_clause" => {
                plan.cond = true;
                if let Some(c) = self.field(node, "condition") {
                    plan.guard_field = self.checked_env(c, ctx.guard).map(|g| ("consequence", g));
                }
            }
            "conditional_expression" => {
                // `body if condition else alternative`
                let mut kids = named_children(node);
                let (body, cond) = (kids.next(), kids.next());
                if let (Some(body), Some(cond)) = (body, cond) {
                    if let Some(g) = self.checked_env(cond, ctx.guard) {
                        plan.guard_node = Some((body.id(), g));
                    }
                }
            }
            "try_statement" => {
                plan.cond = true;
                let catches = named_children(node)
                    .filter(|k| k.kind() == "except_clause")
                    .any(|k| self.catches_key_error(k));
                if catches {
                    self.guards.push((Guard::Any, ctx.guard));
                    plan.guard_field = Some(("body", self.guards.len() - 1));
                }
            }
            "while_statement" | "match_statement" | "case_clause" => plan.cond = true,
            "call" => self.call_node(node, ctx),
            "subscript" => self.subscript_node(node, ctx),
            "attribute" => {
                // Powertools data classes: `record.dynamodb.new_image`
                let attr = self.field(node, "attribute").map(|a| self.text(a));
                let image = match attr {
                    Some("new_image") => Some("NewImage"),
                    Some("old_image") => Some("OldImage"),
                    _ => None,
                };
                let on_dynamodb = self
                    .field(node, "object")
                    .filter(|o| o.kind() == "attribute")
                    .and_then(|o| self.field(o, "attribute"))
                    .is_some_and(|a| self.text(a) == "dynamodb");
                if let (Some(name), true) = (image, on_dynamodb) {
                    self.facts.images.push((name.to_string(), self.span(node)));
                }
            }
            "dictionary" => {
                for pair in named_children(node).filter(|p| p.kind() == "pair") {
                    let key = self.field(pair, "key").and_then(|k| self.literal_str(k));
                    match key.as_deref() {
                        Some("batchItemFailures") => {
                            self.facts.batch_failures.push(self.span(node));
                        }
                        Some("ConditionExpression") => {
                            if let Some(v) = self.field(pair, "value") {
                                self.conditions.push((pair, v, ctx.scope));
                            }
                        }
                        _ => {}
                    }
                }
            }
            "decorator" => self.decorators.push((node, ctx.scope)),
            _ => {}
        }
        plan
    }

    pub(super) fn new_scope(
        &mut self,
        kind: ScopeKind,
        parent: ScopeId,
        name: String,
        node: Node<'t>,
    ) -> ScopeId {
        self.scopes.push(Scope {
            kind,
            parent: Some(parent),
            name,
            node,
            names: HashMap::new(),
            params: Vec::new(),
            globals: HashSet::new(),
            returns: Vec::new(),
        });
        self.scopes.len() - 1
    }

    /// Bind `name` in `scope` (or in the module when the scope declared it `global`).
    pub(super) fn define(&mut self, scope: ScopeId, name: String, def: Def<'t>) {
        let global = self
            .scopes
            .get(scope)
            .is_some_and(|s| s.globals.contains(&name));
        let target = if global { MODULE } else { scope };
        if let Some(s) = self.scopes.get(target) {
            if s.kind == ScopeKind::Class {
                let key = format!("{}.{name}", s.name);
                self.attrs.entry(key).or_default().push(def);
            }
        }
        self.locals.insert(name.clone());
        if let Some(s) = self.scopes.get_mut(target) {
            s.names.entry(name).or_default().push(def);
        }
    }

    pub(super) fn expr_def(&self, rhs: Node<'t>, ctx: Ctx, at: usize) -> Def<'t> {
        Def::Expr {
            rhs,
            scope: ctx.scope,
            at,
            top: !ctx.cond,
        }
    }

    pub(super) fn import(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cursor).collect();
        for n in names {
            let (module, local) = if n.kind() == "aliased_import" {
                let module = self.field(n, "name").map(|m| self.text(m).to_string());
                let alias = self.field(n, "alias").map(|a| self.text(a).to_string());
                match (module, alias) {
                    (Some(m), Some(a)) => (m.clone(), (a, m)),
                    _ => continue,
                }
            } else {
                let module = self.text(n).to_string();
                let base = module.split('.').next().unwrap_or("").to_string();
                (module, (base.clone(), base))
            };
            self.push_import(module);
            self.imports.insert(local.0, local.1);
        }
    }

    pub(super) fn import_from(&mut self, node: Node<'t>) {
        let Some(module) = self.field(node, "module_name") else {
            return;
        };
        let module: String = self
            .text(module)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if module == "__future__" {
            return;
        }
        self.push_import(module.clone());
        let mut cursor = node.walk();
        let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cursor).collect();
        for n in names {
            let (name, local) = if n.kind() == "aliased_import" {
                let name = self.field(n, "name").map(|m| self.text(m).to_string());
                let alias = self.field(n, "alias").map(|a| self.text(a).to_string());
                match (name, alias) {
                    (Some(m), Some(a)) => (m, a),
                    _ => continue,
                }
            } else {
                let name = self.text(n).to_string();
                (name.clone(), name)
            };
            let path = if module.ends_with('.') {
                format!("{module}{name}")
            } else {
                format!("{module}.{name}")
            };
            // `from pkg import mod` may import a module: offer `pkg.mod` too
            self.push_import(path.clone());
            self.imports.insert(local, path);
        }
    }

    pub(super) fn push_import(&mut self, spec: String) {
        if !spec.is_empty() && !self.facts.imports.contains(&spec) {
            self.facts.imports.push(spec);
        }
    }

    pub(super) fn function(&mut self, node: Node<'t>, ctx: Ctx) -> ScopeId {
        let name = self
            .field(node, "name")
            .map(|n| self.text(n).to_string())
            .unwrap_or_default();
        let f = self.new_scope(ScopeKind::Function, ctx.scope, name.clone(), node);
        if !name.is_empty() {
            self.define(ctx.scope, name.clone(), Def::Func(f));
            self.funcs.entry(name).or_default().push(f);
        }
        let mut params = Vec::new();
        let mut position = Some(0usize);
        if let Some(ps) = self.field(node, "parameters") {
            for p in named_children(ps) {
                let (name_node, default) = match p.kind() {
                    "identifier" => (Some(p), None),
                    "typed_parameter" => {
                        (first_named(p).filter(|n| n.kind() == "identifier"), None)
                    }
                    "default_parameter" | "typed_default_parameter" => {
                        (self.field(p, "name"), self.field(p, "value"))
                    }
                    "list_splat_pattern" | "dictionary_splat_pattern" | "keyword_separator" => {
                        position = None;
                        if let Some(n) = first_named(p).filter(|n| n.kind() == "identifier") {
                            self.define(f, self.text(n).to_string(), Def::Opaque { at: 0 });
                        }
                        continue;
                    }
                    _ => continue,
                };
                let Some(name_node) = name_node else { continue };
                params.push(Param {
                    name: self.text(name_node).to_string(),
                    node: name_node,
                    position,
                    default,
                });
                position = position.map(|i| i + 1);
            }
        }
        for (index, p) in params.iter().enumerate() {
            self.define(f, p.name.clone(), Def::Param { func: f, index });
        }
        if let Some(s) = self.scopes.get_mut(f) {
            s.params = params;
        }
        f
    }

    pub(super) fn assignment(&mut self, node: Node<'t>, ctx: Ctx) {
        let Some(left) = self.field(node, "left") else {
            return;
        };
        // `a = b = value`: every target gets the final value
        let mut right = self.field(node, "right");
        while let Some(r) = right.filter(|r| r.kind() == "assignment") {
            right = self.field(r, "right");
        }
        // an annotation without a value binds nothing
        if let Some(right) = right {
            self.bind(left, right, ctx, node.end_byte(), node);
        }
    }

    pub(super) fn bind(
        &mut self,
        left: Node<'t>,
        right: Node<'t>,
        ctx: Ctx,
        at: usize,
        stmt: Node<'t>,
    ) {
        match left.kind() {
            "identifier" => {
                let def = self.expr_def(right, ctx, at);
                self.define(ctx.scope, self.text(left).to_string(), def);
            }
            "attribute" => {
                if let Some(key) = self.attr_key(left, ctx.scope) {
                    let def = self.expr_def(right, ctx, at);
                    self.attrs.entry(key).or_default().push(def);
                }
            }
            "subscript" => {
                self.mark_mutated(left, ctx.scope);
                let key = self
                    .field(left, "subscript")
                    .and_then(|k| self.literal_str(k));
                if key.as_deref() == Some("batchItemFailures") {
                    self.facts.batch_failures.push(self.span(stmt));
                }
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" => {
                let lefts: Vec<Node<'t>> = named_children(left).collect();
                let rights: Vec<Node<'t>> =
                    if matches!(right.kind(), "expression_list" | "tuple" | "list") {
                        named_children(right).collect()
                    } else {
                        Vec::new()
                    };
                let plain = rights.len() == lefts.len()
                    && !rights
                        .iter()
                        .chain(lefts.iter())
                        .any(|n| n.kind().ends_with("splat") || n.kind() == "list_splat_pattern");
                if plain {
                    for (l, r) in lefts.into_iter().zip(rights) {
                        self.bind(l, r, ctx, at, stmt);
                    }
                } else {
                    self.opaque_targets(left, ctx, at);
                }
            }
            _ => {}
        }
    }

    /// Every name in a target pattern becomes opaque.
    pub(super) fn opaque_targets(&mut self, target: Node<'t>, ctx: Ctx, at: usize) {
        let mut stack = vec![(target, 0u32)];
        while let Some((n, depth)) = stack.pop() {
            match n.kind() {
                "identifier" => {
                    self.define(ctx.scope, self.text(n).to_string(), Def::Opaque { at })
                }
                "attribute" | "subscript" => {
                    if n.kind() == "subscript" {
                        self.mark_mutated(n, ctx.scope);
                    }
                    if let Some(key) = (n.kind() == "attribute")
                        .then(|| self.attr_key(n, ctx.scope))
                        .flatten()
                    {
                        self.attrs.entry(key).or_default().push(Def::Opaque { at });
                    }
                }
                _ if depth < MAX_DEPTH => {
                    stack.extend(named_children(n).map(|k| (k, depth + 1)));
                }
                _ => {}
            }
        }
    }

    pub(super) fn with_item(&mut self, node: Node<'t>, ctx: Ctx) {
        let Some(value) = self.field(node, "value") else {
            return;
        };
        if value.kind() != "as_pattern" {
            return;
        }
        let (Some(expr), Some(alias)) = (first_named(value), self.field(value, "alias")) else {
            return;
        };
        let target = first_named(alias).unwrap_or(alias);
        if target.kind() == "identifier" {
            let def = self.expr_def(expr, ctx, node.end_byte());
            self.define(ctx.scope, self.text(target).to_string(), def);
        } else {
            self.opaque_targets(target, ctx, node.end_byte());
        }
    }

    /// Record that the container a target expression is part of (`x` in `x['a'][0]`,
    /// `self.items` in `self.items[i]`) is changed in place.
    pub(super) fn mark_mutated(&mut self, target: Node<'t>, scope: ScopeId) {
        let mut cur = target;
        for _ in 0..MAX_DEPTH {
            if cur.kind() != "subscript" {
                break;
            }
            match self.field(cur, "value") {
                Some(v) => cur = v,
                None => return,
            }
        }
        let key = match cur.kind() {
            "identifier" => Some(self.text(cur).to_string()),
            "attribute" => self.attr_key(cur, scope),
            _ => None,
        };
        if let Some(key) = key {
            self.mutated.insert(key);
        }
    }

    pub(super) fn call_node(&mut self, node: Node<'t>, ctx: Ctx) {
        self.calls.push((node, ctx.scope));
        let Some(func) = self.field(node, "function") else {
            return;
        };
        let name = match func.kind() {
            "identifier" => Some(func),
            "attribute" => self.field(func, "attribute"),
            _ => None,
        };
        if let Some(name) = name {
            let name = self.text(name).to_string();
            if func.kind() == "attribute" && MUTATORS.contains(&name.as_str()) {
                if let Some(object) = self.field(func, "object") {
                    self.mark_mutated(object, ctx.scope);
                }
            }
            self.sites.entry(name).or_default().push((node, ctx.scope));
        }
        let Some(args) = self.field(node, "arguments") else {
            return;
        };
        for kw in named_children(args).filter(|k| k.kind() == "keyword_argument") {
            let key = self.field(kw, "name").map(|n| self.text(n));
            match key {
                Some("ConditionExpression") => {
                    if let Some(v) = self.field(kw, "value") {
                        self.conditions.push((kw, v, ctx.scope));
                    }
                }
                Some("batchItemFailures") if self.text(func) == "dict" => {
                    self.facts.batch_failures.push(self.span(node));
                }
                Some(_) | None => {}
            }
        }
        // `.get('NewImage')`
        if func.kind() == "attribute"
            && self
                .field(func, "attribute")
                .is_some_and(|a| self.text(a) == "get")
        {
            if let Some(key) = first_named(args).and_then(|a| self.literal_str(a)) {
                if key == "NewImage" || key == "OldImage" {
                    self.facts.images.push((key, self.span(node)));
                }
            }
        }
    }

    pub(super) fn subscript_node(&mut self, node: Node<'t>, ctx: Ctx) {
        let key = self
            .field(node, "subscript")
            .and_then(|k| self.literal_str(k));
        if let Some(key) = key.filter(|k| k == "NewImage" || k == "OldImage") {
            self.facts.images.push((key, self.span(node)));
        }
        let looks_env = self
            .field(node, "value")
            .is_some_and(|v| self.text(v).ends_with("environ"));
        if !looks_env {
            return;
        }
        // a write (`os.environ['X'] = v`) or `del os.environ['X']` is not a read
        let written = node.parent().is_some_and(|p| {
            (p.kind() == "assignment" || p.kind() == "augmented_assignment")
                && self.field(p, "left").is_some_and(|l| l.id() == node.id())
                || p.kind() == "delete_statement"
        });
        if !written {
            self.env_subscripts.push(EnvSubscript {
                node,
                scope: ctx.scope,
                guard: ctx.guard,
            });
        }
    }

    /// The guard an `if` condition gives its body: each variable checked with `'X' in
    /// os.environ`, `os.environ.get('X')` or `os.getenv('X')`.
    pub(super) fn checked_env(&mut self, cond: Node<'t>, parent: Option<usize>) -> Option<usize> {
        let mut names = Vec::new();
        let mut stack = vec![cond];
        let mut seen = 0;
        while let Some(n) = stack.pop() {
            seen += 1;
            if seen > 256 {
                break;
            }
            match n.kind() {
                "comparison_operator" => {
                    let kids: Vec<Node<'t>> = named_children(n).collect();
                    let has_in = {
                        let mut c = n.walk();
                        n.children(&mut c)
                            .any(|k| !k.is_named() && k.kind() == "in")
                    };
                    if let (true, [left, right]) = (has_in, kids.as_slice()) {
                        if self.qualname(*right).as_deref() == Some("os.environ") {
                            if let Some(name) = self.literal_str(*left) {
                                names.push(name);
                            }
                        }
                    }
                }
                "call" => {
                    let q = self.field(n, "function").and_then(|f| self.qualname(f));
                    if matches!(q.as_deref(), Some("os.getenv" | "os.environ.get")) {
                        if let Some(name) = self
                            .field(n, "arguments")
                            .and_then(first_named)
                            .and_then(|a| self.literal_str(a))
                        {
                            names.push(name);
                        }
                    }
                }
                _ => {}
            }
            stack.extend(named_children(n));
        }
        let mut guard = parent;
        for name in names {
            self.guards.push((Guard::Name(name), guard));
            guard = Some(self.guards.len() - 1);
        }
        (guard != parent).then_some(guard).flatten()
    }

    pub(super) fn catches_key_error(&self, clause: Node<'t>) -> bool {
        let Some(what) = first_named(clause).filter(|k| k.kind() != "block") else {
            return true; // bare `except:`
        };
        let what = if what.kind() == "as_pattern" {
            first_named(what).unwrap_or(what)
        } else {
            what
        };
        let text = self.text(what);
        ["KeyError", "LookupError", "Exception", "BaseException"]
            .iter()
            .any(|e| text.contains(e))
    }

    pub(super) fn guarded(&self, mut guard: Option<usize>, name: &str) -> bool {
        let mut hops = 0;
        while let Some(g) = guard {
            hops += 1;
            let Some((kind, parent)) = self.guards.get(g) else {
                return false;
            };
            match kind {
                Guard::Any => return true,
                Guard::Name(n) if n == name => return true,
                Guard::Name(_) => {}
            }
            if hops > 1000 {
                return false;
            }
            guard = *parent;
        }
        false
    }
}

/// How the children of a node are visited.
#[derive(Default)]
pub(super) struct Plan {
    /// Context of the `body` field (function and class bodies).
    body: Option<Ctx>,
    /// Children are inside a branch or loop.
    cond: bool,
    /// A guard for the child in that field.
    guard_field: Option<(&'static str, usize)>,
    /// A guard for the child with that node id.
    guard_node: Option<(usize, usize)>,
}

impl Plan {
    fn ctx_for(&self, kid: Node<'_>, field: Option<&str>, ctx: Ctx) -> Ctx {
        if let (Some(body), Some("body")) = (self.body, field) {
            return body;
        }
        let mut c = ctx;
        c.cond |= self.cond;
        if let Some((f, g)) = self.guard_field {
            if field == Some(f) {
                c.guard = Some(g);
            }
        }
        if let Some((id, g)) = self.guard_node {
            if kid.id() == id {
                c.guard = Some(g);
            }
        }
        c
    }
}
