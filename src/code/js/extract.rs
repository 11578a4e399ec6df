//! The second walk: facts (SDK calls, HTTP, environment reads, batch failures, stream images,
//! idempotency) read through the [`Resolver`].

use std::collections::HashSet;

use tree_sitter::Node;

use super::resolve::{Api, Client, Resolver, Sym, is_http_lib};
use super::{
    F, MAX_SCAN, UNKNOWN_FIELD, concat, contains_str, doc_op, first_kid, is_function, kids,
    not_an_operation, pascal, unwrap, v3_service,
};
use crate::code::facts::{EnvRead, FileFacts, HttpCall, SdkCall, Val};

/// The fact reader.
pub(super) struct Out<'r, 't> {
    pub(super) r: &'r Resolver<'t>,
    pub(super) facts: FileFacts,
    /// `new XCommand` nodes passed to a resolved `send`.
    pub(super) consumed: HashSet<usize>,
    /// Every SDK v3 command constructed: (node, service, operation, input).
    pub(super) commands: Vec<(Node<'t>, String, String, Option<Node<'t>>)>,
}

impl<'t> Out<'_, 't> {
    pub(super) fn finish(mut self) -> FileFacts {
        for (node, service, op, input) in std::mem::take(&mut self.commands) {
            if !self.consumed.contains(&node.id()) {
                self.sdk(service, op, input, node);
            }
        }
        self.facts.calls.sort_by_key(|c| (c.span.start, c.span.end));
        self.facts
    }

    fn params(&self, input: Option<Node<'t>>) -> Val {
        match input {
            Some(n) if !is_function(unwrap(n).kind()) => self.r.value(n),
            _ => Val::Object(Vec::new()),
        }
    }

    fn sdk(&mut self, service: String, operation: String, input: Option<Node<'t>>, at: Node) {
        let params = self.params(input);
        self.facts.calls.push(SdkCall {
            service,
            operation,
            params,
            span: self.r.span(at),
        });
    }

    fn http(&mut self, url: Val, method: Option<String>, at: Node) {
        self.facts.http.push(HttpCall {
            url,
            method,
            span: self.r.span(at),
        });
    }

    pub(super) fn visit(&mut self, n: Node<'t>, anc: &[Node<'t>]) {
        match n.kind() {
            "call_expression" => self.on_call(n),
            "new_expression" => self.on_new(n),
            "member_expression" | "subscript_expression" => self.on_member(n, anc),
            "variable_declarator" => self.on_env_destructure(n),
            "object_pattern" => {
                for k in kids(n) {
                    let key = match k.kind() {
                        "shorthand_property_identifier_pattern" => Some(k),
                        "object_assignment_pattern" => self.r.f(k, F::Left),
                        "pair_pattern" => self.r.f(k, F::Key),
                        _ => None,
                    };
                    if let Some(key) = key {
                        let name = self.r.text(key);
                        if matches!(name, "NewImage" | "OldImage") {
                            self.facts.images.push((name.to_string(), self.r.span(key)));
                        }
                    }
                }
            }
            "object" => self.on_object(n),
            "assignment_expression" => {
                let left = self.r.f(n, F::Left).map(unwrap);
                if left.is_some_and(|l| {
                    l.kind() == "member_expression"
                        && self.r.prop_name(l) == Some("batchItemFailures")
                }) {
                    self.facts.batch_failures.push(self.r.span(n));
                }
            }
            "decorator" => {
                let Some(e) = first_kid(n) else { return };
                let callee = match e.kind() {
                    "call_expression" => self.r.f(e, F::Function),
                    _ => Some(e),
                };
                let name = callee.map_or("", |c| self.r.text(c));
                let name = name.rsplit('.').next().unwrap_or(name);
                if matches!(
                    name,
                    "idempotent" | "idempotentFunction" | "idempotentLambdaHandler"
                ) {
                    self.facts.idempotency.push(self.r.span(n));
                }
            }
            _ => {}
        }
    }

    fn on_object(&mut self, n: Node<'t>) {
        let mut batch = false;
        for k in kids(n) {
            match k.kind() {
                "shorthand_property_identifier" => {
                    batch |= self.r.text(k) == "batchItemFailures";
                    if self.r.text(k) == "ConditionExpression" {
                        self.condition(k, k);
                    }
                }
                "pair" => {
                    let key = self.r.f(k, F::Key).and_then(|key| self.r.key_name(key, 0));
                    match key.as_deref() {
                        Some("batchItemFailures") => batch = true,
                        Some("ConditionExpression") => {
                            if let Some(v) = self.r.f(k, F::Value) {
                                self.condition(k, v);
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        if batch {
            self.facts.batch_failures.push(self.r.span(n));
        }
    }

    /// A conditional write that only creates: `attribute_not_exists(...)`.
    fn condition(&mut self, at: Node<'t>, v: Node<'t>) {
        if contains_str(&self.r.value(v), "attribute_not_exists") {
            self.facts.idempotency.push(self.r.span(at));
        }
    }

    fn on_member(&mut self, n: Node<'t>, anc: &[Node<'t>]) {
        let prop = match n.kind() {
            "member_expression" => self.r.prop_name(n).map(str::to_string),
            _ => self.r.f(n, F::Index).and_then(|i| self.r.string(i)),
        };
        let Some(prop) = prop else { return };
        let parent = anc.last();
        let written = parent.is_some_and(|p| {
            (matches!(
                p.kind(),
                "assignment_expression" | "augmented_assignment_expression"
            ) && self.r.f(*p, F::Left) == Some(n))
                || (p.kind() == "unary_expression" && self.r.text(*p).starts_with("delete"))
        });
        if written {
            return;
        }
        if matches!(prop.as_str(), "NewImage" | "OldImage") {
            self.facts.images.push((prop.clone(), self.r.span(n)));
        }
        if let Some(name) = self.r.env_name(n, 0) {
            let has_default = self.env_default(n, anc, &name);
            self.facts.env.push(EnvRead {
                name,
                has_default,
                span: self.r.span(n),
            });
        }
    }

    /// A read that cannot fail: with `??`/`||` or `?.`, under `typeof`, a test itself, or
    /// inside `if (process.env.X) { ... }` / `process.env.X ? ... : ...` / `process.env.X && ...`.
    fn env_default(&self, n: Node<'t>, anc: &[Node<'t>], name: &str) -> bool {
        let mut cur = n;
        for a in anc.iter().rev() {
            match a.kind() {
                "parenthesized_expression"
                | "non_null_expression"
                | "as_expression"
                | "satisfies_expression"
                | "type_assertion" => cur = *a,
                "binary_expression" => {
                    let op = self.r.f(*a, F::Operator).map_or("", |o| self.r.text(o));
                    let left = self.r.f(*a, F::Left) == Some(cur);
                    if left && matches!(op, "??" | "||" | "&&") {
                        return true;
                    }
                    if !matches!(op, "??" | "||") {
                        break;
                    }
                    cur = *a;
                }
                "member_expression" | "call_expression" => {
                    let optional = kids(*a).iter().any(|k| k.kind() == "optional_chain");
                    if optional && self.r.f(*a, F::Object) == Some(cur) {
                        return true;
                    }
                    break;
                }
                "unary_expression" if self.r.text(*a).starts_with("typeof") => return true,
                _ => break,
            }
        }
        for (i, a) in anc.iter().enumerate().rev() {
            let child = anc.get(i + 1).copied().unwrap_or(n);
            match a.kind() {
                "if_statement" | "ternary_expression" | "while_statement" => {
                    let cond = self.r.f(*a, F::Condition);
                    if cond == Some(child) {
                        return true;
                    }
                    if self.r.f(*a, F::Consequence) == Some(child)
                        && cond.is_some_and(|c| self.reads(c, name))
                    {
                        return true;
                    }
                }
                "binary_expression" => {
                    let op = self.r.f(*a, F::Operator).map_or("", |o| self.r.text(o));
                    if op == "&&"
                        && self.r.f(*a, F::Right) == Some(child)
                        && self.r.f(*a, F::Left).is_some_and(|l| self.reads(l, name))
                    {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// The expression reads environment variable `name`.
    fn reads(&self, e: Node<'t>, name: &str) -> bool {
        let mut stack = vec![e];
        let mut seen = 0;
        while let Some(k) = stack.pop() {
            seen += 1;
            if seen > MAX_SCAN {
                return false;
            }
            if matches!(k.kind(), "member_expression" | "subscript_expression")
                && self.r.env_name(k, 0).as_deref() == Some(name)
            {
                return true;
            }
            stack.extend(kids(k));
        }
        false
    }

    /// `const { A, B = 'x' } = process.env`.
    fn on_env_destructure(&mut self, n: Node<'t>) {
        let (Some(pat), Some(v)) = (self.r.f(n, F::Name), self.r.f(n, F::Value)) else {
            return;
        };
        if pat.kind() != "object_pattern" || self.r.sym(v, 0) != Some(Sym::ProcessEnv) {
            return;
        }
        for k in kids(pat) {
            let (key, has_default) = match k.kind() {
                "shorthand_property_identifier_pattern" => (Some(k), false),
                "object_assignment_pattern" => (self.r.f(k, F::Left), true),
                "pair_pattern" => (
                    self.r.f(k, F::Key),
                    self.r
                        .f(k, F::Value)
                        .is_some_and(|v| v.kind() == "assignment_pattern"),
                ),
                _ => (None, false),
            };
            let Some(key) = key.and_then(|key| self.r.key_name(key, 0).map(|s| (s, key))) else {
                continue;
            };
            self.facts.env.push(EnvRead {
                name: key.0,
                has_default,
                span: self.r.span(k),
            });
        }
    }

    fn on_new(&mut self, n: Node<'t>) {
        match self.r.sym(n, 0) {
            Some(Sym::Command {
                service,
                op,
                input,
                by_name: false,
                ..
            }) => self.commands.push((n, service, op, input)),
            _ => {
                let ctor = self.r.f(n, F::Constructor).and_then(|c| self.r.sym(c, 0));
                if let Some(Sym::Export(m, name)) = ctor {
                    // a Powertools batch processor builds the partial batch response (returned
                    // by `processor.response()` or `processPartialResponse`)
                    if m.starts_with("@aws-lambda-powertools/batch") && name.contains("Processor") {
                        self.facts.batch_failures.push(self.r.span(n));
                    }
                    if m == "@aws-sdk/lib-storage" && name == "Upload" {
                        let input = self.r.f(n, F::Arguments).and_then(first_kid);
                        let params = match input.map(|i| self.r.value(i)) {
                            Some(v) => v.get("params").cloned().unwrap_or(Val::Unknown),
                            None => Val::Unknown,
                        };
                        self.facts.calls.push(SdkCall {
                            service: "s3".into(),
                            operation: "PutObject".into(),
                            params,
                            span: self.r.span(n),
                        });
                    }
                }
            }
        }
    }

    fn on_call(&mut self, n: Node<'t>) {
        let (Some(f), Some(args)) = (self.r.f(n, F::Function), self.r.f(n, F::Arguments)) else {
            return;
        };
        if args.kind() != "arguments" {
            return;
        }
        let args = kids(args);
        let f = unwrap(f);
        match f.kind() {
            "member_expression" => self.on_method_call(n, f, &args),
            "identifier" => self.on_function_call(n, f, &args),
            _ => {}
        }
    }

    fn send(&mut self, n: Node<'t>, command: Option<&Node<'t>>) -> bool {
        if let Some(Sym::Command {
            service,
            op,
            input,
            node,
            ..
        }) = command.and_then(|c| self.r.sym(*c, 0))
        {
            self.consumed.insert(node.id());
            self.sdk(service, op, input, n);
            return true;
        }
        false
    }

    fn on_method_call(&mut self, n: Node<'t>, f: Node<'t>, args: &[Node<'t>]) {
        let (Some(method), Some(obj)) = (self.r.prop_name(f), self.r.f(f, F::Object)) else {
            return;
        };
        if method == "send" && self.send(n, args.first()) {
            return;
        }
        match self.r.sym(obj, 0) {
            Some(Sym::Client(c)) => self.client_call(n, &c, method, args),
            Some(Sym::Global("globalThis" | "window" | "global")) if method == "fetch" => {
                self.fetch(n, args);
            }
            Some(Sym::Module(m)) if is_http_lib(&m) => self.http_lib(n, Some(method), None, args),
            Some(Sym::HttpInstance(_, cfg)) => self.http_lib(n, Some(method), cfg, args),
            Some(Sym::Module(m)) if matches!(m.as_str(), "http" | "https") => {
                self.node_http(n, &m, method, args);
            }
            _ => {}
        }
    }

    fn client_call(&mut self, n: Node<'t>, c: &Client, method: &str, args: &[Node<'t>]) {
        let arg = |i: usize| args.get(i).copied();
        if c.api == Api::V3 {
            return;
        }
        if c.doc {
            if let Some(op) = doc_op(method) {
                self.sdk("dynamodb".into(), op.into(), arg(0), n);
            }
            return;
        }
        if c.service == "s3" && c.api == Api::V2 {
            match method {
                "upload" | "createPresignedPost" => {
                    self.sdk("s3".into(), "PutObject".into(), arg(0), n);
                    return;
                }
                "getSignedUrl" | "getSignedUrlPromise" => {
                    if let Some(Val::Str(op)) = arg(0).map(|a| self.r.value(a)) {
                        self.sdk("s3".into(), pascal(&op), arg(1), n);
                    }
                    return;
                }
                _ => {}
            }
        }
        if !not_an_operation(method) {
            self.sdk(c.service.clone(), pascal(method), arg(0), n);
        }
    }

    fn on_function_call(&mut self, n: Node<'t>, f: Node<'t>, args: &[Node<'t>]) {
        let arg = |i: usize| args.get(i).copied();
        match self.r.sym(f, 0) {
            Some(Sym::Global("fetch")) => self.fetch(n, args),
            Some(Sym::Module(m)) => match m.as_str() {
                "node-fetch" | "cross-fetch" | "isomorphic-fetch" => self.fetch(n, args),
                m if is_http_lib(m) => self.http_lib(n, None, None, args),
                "@middy/sqs-partial-batch-failure" => {
                    self.facts.batch_failures.push(self.r.span(n))
                }
                _ => {}
            },
            Some(Sym::HttpInstance(_, cfg)) => self.http_lib(n, None, cfg, args),
            Some(Sym::Export(m, name)) => match (m.as_str(), name.as_str()) {
                ("node-fetch" | "cross-fetch" | "isomorphic-fetch" | "undici", "fetch") => {
                    self.fetch(n, args);
                }
                ("undici", "request") => {
                    let method = self.option_method(arg(1)).or_else(|| Some("GET".into()));
                    let url = arg(0).map_or(Val::Unknown, |a| self.r.value(a));
                    self.http(url, method, n);
                }
                ("http" | "https", "request" | "get") => self.node_http(n, &m, &name, args),
                (_, "makeIdempotent" | "makeHandlerIdempotent") => {
                    self.facts.idempotency.push(self.r.span(n));
                }
                (p, "processPartialResponse" | "processPartialResponseSync")
                    if p.starts_with("@aws-lambda-powertools/batch") =>
                {
                    self.facts.batch_failures.push(self.r.span(n));
                }
                ("@aws-sdk/s3-request-presigner", "getSignedUrl") => {
                    self.send(n, args.get(1));
                }
                (p, name) if p.starts_with("@aws-sdk/client-") || p == "@aws-sdk/lib-dynamodb" => {
                    if let (Some(op), Some(service)) =
                        (name.strip_prefix("paginate"), v3_service(p))
                    {
                        let op = if p == "@aws-sdk/lib-dynamodb" {
                            doc_op(op).unwrap_or(op)
                        } else {
                            op
                        };
                        if !op.is_empty() {
                            self.sdk(service, op.to_string(), arg(1), n);
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// The `method` of an options object, upper-cased; `GET` when there are no options or no
    /// method in them, `None` when the options are not known.
    fn option_method(&self, opts: Option<Node<'t>>) -> Option<String> {
        let Some(o) = opts else {
            return Some("GET".into());
        };
        match self.r.value(o) {
            v @ Val::Object(_) => match v.get("method") {
                Some(Val::Str(m)) => Some(m.to_ascii_uppercase()),
                None if v.get(UNKNOWN_FIELD).is_none() => Some("GET".into()),
                _ => None,
            },
            _ => None,
        }
    }

    fn fetch(&mut self, n: Node<'t>, args: &[Node<'t>]) {
        let url = args.first().map_or(Val::Unknown, |a| self.r.value(*a));
        let method = self.option_method(args.get(1).copied());
        self.http(url, method, n);
    }

    /// axios / got / ky: `axios(url | config)`, `axios.get(url)`, `axios.request(config)`,
    /// instances from `axios.create({ baseURL })`.
    fn http_lib(
        &mut self,
        n: Node<'t>,
        method: Option<&str>,
        cfg: Option<Node<'t>>,
        args: &[Node<'t>],
    ) {
        let value = |i: usize| args.get(i).map_or(Val::Unknown, |a| self.r.value(*a));
        let (url, method) = match method {
            None | Some("request") => match value(0) {
                v @ Val::Object(_) => {
                    let m = match v.get("method") {
                        Some(Val::Str(m)) => Some(m.to_ascii_uppercase()),
                        None if v.get(UNKNOWN_FIELD).is_none() => Some("GET".into()),
                        _ => None,
                    };
                    (v.get("url").cloned().unwrap_or(Val::Unknown), m)
                }
                url => (url, self.option_method(args.get(1).copied())),
            },
            Some(m @ ("get" | "delete" | "head" | "options" | "post" | "put" | "patch")) => {
                (value(0), Some(m.to_ascii_uppercase()))
            }
            Some(_) => return,
        };
        let base = cfg
            .map(|c| self.r.value(c))
            .and_then(|c| c.get("baseURL").or(c.get("prefixUrl")).cloned());
        let absolute = |u: &Val| {
            let first = match u {
                Val::Concat(p) => p.first(),
                other => Some(other),
            };
            matches!(first, Some(Val::Str(s)) if s.starts_with("http://") || s.starts_with("https://"))
        };
        let url = match base {
            Some(b) if !absolute(&url) => concat(vec![b, url]),
            _ => url,
        };
        self.http(url, method, n);
    }

    /// `https.request(url | options, ...)`, `http.get(...)`.
    fn node_http(&mut self, n: Node<'t>, module: &str, method: &str, args: &[Node<'t>]) {
        if !matches!(method, "request" | "get") {
            return;
        }
        let first = args.first().map_or(Val::Unknown, |a| self.r.value(*a));
        let (url, opts) = match first {
            v @ Val::Object(_) => {
                let host = v.get("hostname").or(v.get("host")).cloned();
                let url = match host {
                    Some(h) => {
                        let proto = match v.get("protocol") {
                            Some(Val::Str(p)) => format!("{p}//"),
                            _ => format!("{module}://"),
                        };
                        let path = v.get("path").cloned().unwrap_or(Val::Str(String::new()));
                        concat(vec![Val::Str(proto), h, path])
                    }
                    None => Val::Unknown,
                };
                (url, args.first().copied())
            }
            url => (
                url,
                args.get(1)
                    .copied()
                    .filter(|a| !is_function(unwrap(*a).kind())),
            ),
        };
        let m = if method == "get" {
            Some("GET".into())
        } else {
            self.option_method(opts)
        };
        self.http(url, m, n);
    }
}
