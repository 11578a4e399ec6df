//! What a name holds where it is used, and what an expression is as an SDK or HTTP object
//! (client, resource, table, bucket, session...): assignments, parameters through call sites,
//! helper returns, attributes; memoized, cycle-safe and bounded.

use super::*;

impl<'t> Index<'t> {
    /// The bindings a name has where it is used, latest first: in its own scope only those
    /// before the use; in an enclosing scope all of them (they ran before the function did).
    pub(super) fn candidates(&self, name: &str, scope: ScopeId, at: usize) -> Vec<Def<'t>> {
        let mut s = scope;
        let mut own = true;
        for _ in 0..64 {
            let Some(sc) = self.scopes.get(s) else { break };
            let visible = own || sc.kind != ScopeKind::Class;
            if visible {
                if sc.globals.contains(name) {
                    s = MODULE;
                    own = false;
                    continue;
                }
                if let Some(defs) = sc.names.get(name) {
                    if own {
                        let before: Vec<Def<'t>> = defs
                            .iter()
                            .rev()
                            .filter(|d| d.at() <= at)
                            .copied()
                            .collect();
                        if !before.is_empty() {
                            return before;
                        }
                    }
                    return defs.iter().rev().copied().collect();
                }
            }
            own = false;
            match sc.parent {
                Some(p) => s = p,
                None => break,
            }
        }
        Vec::new()
    }

    pub(super) fn attr_candidates(&self, n: Node<'t>, scope: ScopeId) -> Vec<Def<'t>> {
        self.attr_key(n, scope)
            .and_then(|k| self.attrs.get(&k))
            .map(|d| d.iter().rev().copied().collect())
            .unwrap_or_default()
    }

    /// Memoized, cycle-safe evaluation keyed by a node.
    pub(super) fn memo<T: Clone>(
        &self,
        memo: &RefCell<HashMap<usize, T>>,
        key: usize,
        fallback: T,
        f: impl FnOnce() -> T,
    ) -> T {
        if let Some(v) = memo.borrow().get(&key) {
            return v.clone();
        }
        let busy_key = (std::ptr::addr_eq(memo, &self.val_memo), key);
        if !self.busy.borrow_mut().insert(busy_key) {
            return fallback;
        }
        let v = f();
        self.busy.borrow_mut().remove(&busy_key);
        memo.borrow_mut().insert(key, v.clone());
        v
    }

    /// The call sites of a function and the argument each passes for parameter `index`.
    pub(super) fn param_args(
        &self,
        func: ScopeId,
        index: usize,
    ) -> Option<Vec<(Option<Node<'t>>, ScopeId)>> {
        let f = self.scopes.get(func)?;
        let p = f.params.get(index)?;
        let is_method = f.parent.and_then(|s| self.scopes.get(s)).map(|s| s.kind)
            == Some(ScopeKind::Class)
            && f.params
                .first()
                .is_some_and(|p| p.name == "self" || p.name == "cls");
        let sites = self.sites.get(&f.name)?;
        if sites.len() > MAX_SITES {
            return None;
        }
        let mut out = Vec::new();
        for &(call, scope) in sites {
            let Some(callee) = self.field(call, "function") else {
                continue;
            };
            let Some(args) = self.field(call, "arguments") else {
                continue;
            };
            if args.kind() != "argument_list" {
                continue;
            }
            // `obj.method(a)` passes `a` as the parameter after `self`
            let shift = usize::from(is_method && callee.kind() == "attribute");
            let position = p.position.and_then(|i| i.checked_sub(shift));
            let has_splat = named_children(args)
                .any(|a| a.kind() == "list_splat" || a.kind() == "dictionary_splat");
            let arg = match position {
                Some(i) => self.arg(args, i, &p.name),
                None => self.keyword(args, &p.name),
            };
            if arg.is_none() && has_splat {
                return None;
            }
            out.push((arg, scope));
        }
        Some(out)
    }

    pub(super) fn keyword(&self, args: Node<'t>, name: &str) -> Option<Node<'t>> {
        named_children(args)
            .filter(|a| a.kind() == "keyword_argument")
            .find(|a| self.field(*a, "name").is_some_and(|n| self.text(n) == name))
            .and_then(|a| self.field(a, "value"))
    }

    pub(super) fn obj(&self, e: Node<'t>, scope: ScopeId, depth: u32) -> Option<Obj> {
        if depth > MAX_DEPTH || !self.tick() {
            return None;
        }
        match e.kind() {
            "identifier" => {
                let defs = self.candidates(self.text(e), scope, e.start_byte());
                defs.iter()
                    .take(MAX_CANDIDATES)
                    .find_map(|d| self.obj_def(*d, depth + 1))
            }
            "parenthesized_expression" | "await" => {
                first_named(e).and_then(|i| self.obj(i, scope, depth + 1))
            }
            "boolean_operator" => {
                let l = self.field(e, "left")?;
                let r = self.field(e, "right")?;
                self.obj(l, scope, depth + 1)
                    .or_else(|| self.obj(r, scope, depth + 1))
            }
            "conditional_expression" => {
                let mut kids = named_children(e);
                let body = kids.next()?;
                let alt = kids.nth(1)?;
                self.obj(body, scope, depth + 1)
                    .or_else(|| self.obj(alt, scope, depth + 1))
            }
            "attribute" => {
                let attr = self.text(self.field(e, "attribute")?);
                let object = self.field(e, "object")?;
                // `resource.meta.client`, `table.meta.client`
                if attr == "client" && object.kind() == "attribute" {
                    let meta = self.field(object, "attribute").map(|a| self.text(a));
                    if meta == Some("meta") {
                        let owner = self.obj(self.field(object, "object")?, scope, depth + 1)?;
                        let service = match owner {
                            Obj::Client(s) => s,
                            Obj::Resource(s) => boto::iam_prefix(&s).to_string(),
                            Obj::Table(_) | Obj::BatchWriter(_) => "dynamodb".into(),
                            Obj::Bucket(_) | Obj::S3Object(..) => "s3".into(),
                            Obj::Queue(_) => "sqs".into(),
                            Obj::Topic(_) => "sns".into(),
                            _ => return None,
                        };
                        return Some(Obj::Client(service));
                    }
                }
                self.attr_candidates(e, scope)
                    .iter()
                    .take(MAX_CANDIDATES)
                    .find_map(|d| self.obj_def(*d, depth + 1))
            }
            "call" => self.obj_call(e, scope, depth),
            _ => None,
        }
    }

    pub(super) fn obj_def(&self, def: Def<'t>, depth: u32) -> Option<Obj> {
        match def {
            Def::Expr { rhs, scope, .. } => self.memo(&self.obj_memo, rhs.id(), None, || {
                self.obj(rhs, scope, depth + 1)
            }),
            Def::Param { func, index } => {
                let p = self.scopes.get(func)?.params.get(index)?;
                self.memo(&self.obj_memo, p.node.id(), None, || {
                    let outer = self
                        .scopes
                        .get(func)
                        .and_then(|f| f.parent)
                        .unwrap_or(MODULE);
                    if let Some(o) = p.default.and_then(|d| self.obj(d, outer, depth + 1)) {
                        return Some(o);
                    }
                    self.param_args(func, index)?
                        .into_iter()
                        .filter_map(|(arg, scope)| Some((arg?, scope)))
                        .find_map(|(arg, scope)| self.obj(arg, scope, depth + 1))
                })
            }
            Def::Func(_) | Def::Opaque { .. } => None,
        }
    }

    /// What the function returns, as an object (first return that is one).
    pub(super) fn obj_returns(&self, func: ScopeId, depth: u32) -> Option<Obj> {
        let f = self.scopes.get(func)?;
        self.memo(&self.obj_memo, f.node.id(), None, || {
            f.returns
                .iter()
                .take(MAX_CANDIDATES)
                .find_map(|r| self.obj(*r, func, depth + 1))
        })
    }

    /// The service named by `client('sqs')` / `client(service_name='sqs')`.
    pub(super) fn service_arg(&self, args: Option<Node<'t>>, scope: ScopeId) -> Option<String> {
        let a = self.arg(args?, 0, "service_name")?;
        match self.val(a, scope, 0) {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn obj_call(&self, e: Node<'t>, scope: ScopeId, depth: u32) -> Option<Obj> {
        let func = self.field(e, "function")?;
        let args = self.field(e, "arguments");
        if let Some(q) = self.qualname(func) {
            let known = match q.as_str() {
                "boto3.client" => Some(Obj::Client(
                    boto::iam_prefix(&self.service_arg(args, scope)?).to_string(),
                )),
                "boto3.resource" => Some(Obj::Resource(self.service_arg(args, scope)?)),
                "boto3.Session"
                | "boto3.session.Session"
                | "boto3._get_default_session"
                | "aioboto3.Session"
                | "aioboto3.session.Session"
                | "botocore.session.get_session"
                | "botocore.session.Session"
                | "aiobotocore.session.get_session"
                | "aiobotocore.session.AioSession" => Some(Obj::Session),
                "requests.Session" | "requests.session" => Some(Obj::Http("requests")),
                "httpx.Client" | "httpx.AsyncClient" => Some(Obj::Http("httpx")),
                "aiohttp.ClientSession" => Some(Obj::Http("aiohttp")),
                "urllib3.PoolManager" | "urllib3.ProxyManager" => Some(Obj::Http("urllib3")),
                "urllib.request.Request" | "urllib2.Request" => {
                    let a = args?;
                    let url = self
                        .arg(a, 0, "url")
                        .map_or(Val::Unknown, |u| self.val(u, scope, 0));
                    let method = match self.arg(a, 5, "method") {
                        Some(m) => self.val(m, scope, 0).as_str().map(str::to_ascii_uppercase),
                        None if self.arg(a, 1, "data").is_some() => Some("POST".into()),
                        None => Some("GET".into()),
                    };
                    Some(Obj::Request(url, method))
                }
                _ => match q.rsplit('.').next() {
                    Some("BatchProcessor" | "AsyncBatchProcessor" | "SqsFifoPartialProcessor") => {
                        Some(Obj::Processor)
                    }
                    _ => None,
                },
            };
            if known.is_some() {
                return known;
            }
        }
        match func.kind() {
            "identifier" => {
                let defs = self.candidates(self.text(func), scope, e.start_byte());
                match defs.first() {
                    Some(Def::Func(f)) => self.obj_returns(*f, depth + 1),
                    _ => None,
                }
            }
            "attribute" => {
                let recv = self.field(func, "object")?;
                let method = self.text(self.field(func, "attribute")?);
                let field = |i: usize, kw: &str| self.field_arg(args, i, kw, scope, e);
                match (self.obj(recv, scope, depth + 1), method) {
                    (Some(Obj::Session), "client" | "create_client") => Some(Obj::Client(
                        boto::iam_prefix(&self.service_arg(args, scope)?).to_string(),
                    )),
                    (Some(Obj::Session), "resource") => {
                        Some(Obj::Resource(self.service_arg(args, scope)?))
                    }
                    (Some(Obj::Resource(s)), "Table") if s == "dynamodb" => {
                        Some(Obj::Table(field(0, "name")))
                    }
                    (Some(Obj::Resource(s)), "Bucket") if s == "s3" => {
                        Some(Obj::Bucket(field(0, "name")))
                    }
                    (Some(Obj::Resource(s)), "Object") if s == "s3" => {
                        Some(Obj::S3Object(field(0, "bucket_name"), field(1, "key")))
                    }
                    (Some(Obj::Bucket(b)), "Object") => Some(Obj::S3Object(b, field(0, "key"))),
                    (Some(Obj::Resource(s)), "Queue") if s == "sqs" => {
                        Some(Obj::Queue(field(0, "url")))
                    }
                    (Some(Obj::Resource(s)), "get_queue_by_name" | "create_queue")
                        if s == "sqs" =>
                    {
                        Some(Obj::Queue((Val::Unknown, self.span(e))))
                    }
                    (Some(Obj::Resource(s)), "Topic") if s == "sns" => {
                        Some(Obj::Topic(field(0, "arn")))
                    }
                    (Some(Obj::Resource(s)), "create_topic") if s == "sns" => {
                        Some(Obj::Topic((Val::Unknown, self.span(e))))
                    }
                    (Some(Obj::Table(t)), "batch_writer") => Some(Obj::BatchWriter(t)),
                    (Some(Obj::Client(s)), "get_paginator") => {
                        let a = self.arg(args?, 0, "operation_name")?;
                        let op = boto::pascal(self.val(a, scope, 0).as_str()?)?;
                        Some(Obj::Paginator(s, op))
                    }
                    (Some(_), _) => None,
                    (None, _) => {
                        // `self.make_client()`, `Helpers.client()`: a method of a class here
                        let base = self.qualname(recv);
                        let local = matches!(recv.kind(), "identifier")
                            && (self.text(recv) == "self"
                                || self.text(recv) == "cls"
                                || base.is_none());
                        if !local {
                            return None;
                        }
                        let funcs = self.funcs.get(method)?;
                        funcs
                            .iter()
                            .take(MAX_CANDIDATES)
                            .find_map(|f| self.obj_returns(*f, depth + 1))
                    }
                }
            }
            _ => None,
        }
    }
}
