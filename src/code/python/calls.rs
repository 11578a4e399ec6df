//! Pass 2: the facts of each recorded node: SDK calls with their parameters, HTTP calls,
//! environment reads, decorators and condition expressions.

use super::*;

impl<'t> Index<'t> {
    pub(super) fn resolve_all(mut self) -> FileFacts {
        let mut facts = std::mem::take(&mut self.facts);
        for &(call, scope) in &self.calls {
            self.call_facts(call, scope, &mut facts);
        }
        for e in &self.env_subscripts {
            if self
                .field(e.node, "value")
                .and_then(|v| self.qualname(v))
                .as_deref()
                != Some("os.environ")
            {
                continue;
            }
            let name = self
                .field(e.node, "subscript")
                .map(|k| self.val(k, e.scope, 0));
            if let Some(Val::Str(name)) = name {
                let has_default = self.guarded(e.guard, &name);
                facts.env.push(EnvRead {
                    name,
                    has_default,
                    span: self.span(e.node),
                });
            }
        }
        for &(dec, scope) in &self.decorators {
            let Some(expr) = first_named(dec) else {
                continue;
            };
            let callee = if expr.kind() == "call" {
                self.field(expr, "function").unwrap_or(expr)
            } else {
                expr
            };
            let last = self
                .qualname(callee)
                .or_else(|| self.attr_key(callee, scope))
                .unwrap_or_default();
            match last.rsplit('.').next().unwrap_or("") {
                "idempotent" | "idempotent_function" => facts.idempotency.push(self.span(dec)),
                "batch_processor" | "async_batch_processor" => {
                    facts.batch_failures.push(self.span(dec));
                }
                _ => {}
            }
        }
        for &(arg, value, scope) in &self.conditions {
            let v = self.val(value, scope, 0);
            let text = self.text(value);
            if mentions(&v, "attribute_not_exists")
                || text.contains("attribute_not_exists")
                || text.contains(".not_exists()")
            {
                facts.idempotency.push(self.span(arg));
            }
        }
        facts.env.sort_by_key(|e| (e.span.start, e.span.end));
        facts.batch_failures.sort_by_key(|s| (s.start, s.end));
        facts.batch_failures.dedup();
        facts.images.sort_by_key(|(_, s)| (s.start, s.end));
        facts.idempotency.sort_by_key(|s| (s.start, s.end));
        facts
    }

    /// One more resolution step, false when the file's budget is spent.
    pub(super) fn tick(&self) -> bool {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        n <= self.max_steps
    }

    pub(super) fn call_facts(&self, call: Node<'t>, scope: ScopeId, out: &mut FileFacts) {
        let Some(func) = self.field(call, "function") else {
            return;
        };
        let args = self.field(call, "arguments");
        let span = self.span(call);
        if let Some(q) = self.qualname(func) {
            if matches!(
                q.as_str(),
                "os.getenv" | "os.environ.get" | "os.environ.setdefault"
            ) {
                let name = args
                    .and_then(|a| self.arg(a, 0, "key"))
                    .map(|n| self.val(n, scope, 0));
                if let Some(Val::Str(name)) = name {
                    out.env.push(EnvRead {
                        name,
                        has_default: true,
                        span,
                    });
                }
                return;
            }
            if let Some((url, method)) = self.module_http(&q, args, scope) {
                out.http.push(HttpCall { url, method, span });
                return;
            }
            let last = q.rsplit('.').next().unwrap_or("");
            if last == "process_partial_response" || last == "async_process_partial_response" {
                out.batch_failures.push(span);
                return;
            }
        }
        if func.kind() != "attribute" {
            return;
        }
        let (Some(recv), Some(method)) =
            (self.field(func, "object"), self.field(func, "attribute"))
        else {
            return;
        };
        let method = self.text(method);
        // `bucket.objects.filter(Prefix=...)`, `bucket.objects.all()`
        if recv.kind() == "attribute"
            && self
                .field(recv, "attribute")
                .is_some_and(|a| self.text(a) == "objects")
        {
            if let Some(Obj::Bucket(b)) = self
                .field(recv, "object")
                .and_then(|o| self.obj(o, scope, 0))
            {
                let op = match method {
                    "all" | "filter" | "limit" | "page_size" => "ListObjects",
                    "delete" => "DeleteObjects",
                    _ => return,
                };
                let fields = vec![("Bucket".to_string(), b.0, b.1)];
                out.calls
                    .push(self.sdk_call("s3", op, fields, &[], args, scope, span));
                return;
            }
        }
        let Some(obj) = self.obj(recv, scope, 0) else {
            return;
        };
        let call = match obj {
            Obj::Client(service) => boto::client_op(&service, method).map(|(op, names)| {
                self.sdk_call(&service, &op, Vec::new(), names, args, scope, span)
            }),
            Obj::Resource(service) => {
                let is_ctor = method.starts_with(|c: char| c.is_ascii_uppercase());
                (!is_ctor)
                    .then(|| boto::resource_op(method))
                    .flatten()
                    .map(|op| {
                        self.sdk_call(
                            boto::iam_prefix(&service),
                            &op,
                            Vec::new(),
                            &[],
                            args,
                            scope,
                            span,
                        )
                    })
            }
            Obj::Table(t) => boto::table_op(method).map(|op| {
                let fields = vec![("TableName".to_string(), t.0, t.1)];
                self.sdk_call("dynamodb", &op, fields, &[], args, scope, span)
            }),
            Obj::BatchWriter(t) => matches!(method, "put_item" | "delete_item").then(|| {
                let fields = vec![("TableName".to_string(), t.0, t.1)];
                self.sdk_call("dynamodb", "BatchWriteItem", fields, &[], args, scope, span)
            }),
            Obj::Bucket(b) => boto::bucket_op(method).map(|(op, names)| {
                let fields = vec![("Bucket".to_string(), b.0, b.1)];
                self.sdk_call("s3", op, fields, names, args, scope, span)
            }),
            Obj::S3Object(b, k) => boto::object_op(method).map(|(op, names)| {
                let fields = vec![
                    ("Bucket".to_string(), b.0, b.1),
                    ("Key".to_string(), k.0, k.1),
                ];
                self.sdk_call("s3", op, fields, names, args, scope, span)
            }),
            Obj::Queue(q) => boto::queue_op(method).map(|op| {
                let fields = vec![("QueueUrl".to_string(), q.0, q.1)];
                self.sdk_call("sqs", op, fields, &[], args, scope, span)
            }),
            Obj::Topic(t) => boto::topic_op(method).map(|op| {
                let fields = vec![("TopicArn".to_string(), t.0, t.1)];
                self.sdk_call("sns", op, fields, &[], args, scope, span)
            }),
            Obj::Paginator(service, op) => (method == "paginate")
                .then(|| self.sdk_call(&service, &op, Vec::new(), &[], args, scope, span)),
            Obj::Http(lib) => {
                if let Some((url, method)) = self.http_method(lib, method, args, scope) {
                    out.http.push(HttpCall { url, method, span });
                }
                None
            }
            Obj::Processor => {
                if method == "response" {
                    out.batch_failures.push(span);
                }
                None
            }
            Obj::Session | Obj::Request(..) => None,
        };
        if let Some(c) = call {
            out.calls.push(c);
        }
    }

    /// An SDK call: the fields the receiver carries, then positional arguments by name, then
    /// keyword arguments (`**params` spliced when it is a known dict).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sdk_call(
        &self,
        service: &str,
        op: &str,
        mut fields: Vec<(String, Val, Span)>,
        positional: &[&str],
        args: Option<Node<'t>>,
        scope: ScopeId,
        span: Span,
    ) -> SdkCall {
        if let Some(args) = args {
            let mut names = positional.iter();
            for a in named_children(args) {
                match a.kind() {
                    "keyword_argument" => {
                        let (Some(k), Some(v)) = (self.field(a, "name"), self.field(a, "value"))
                        else {
                            continue;
                        };
                        push_field(
                            &mut fields,
                            self.text(k),
                            self.val(v, scope, 0),
                            self.span(v),
                        );
                    }
                    "dictionary_splat" => {
                        let inner = first_named(a).map(|v| self.val(v, scope, 0));
                        splat(&mut fields, inner, self.span(a));
                    }
                    "list_splat" => names = [].iter(),
                    _ => {
                        if let Some(name) = names.next() {
                            push_field(&mut fields, name, self.val(a, scope, 0), self.span(a));
                        }
                    }
                }
            }
        }
        SdkCall {
            service: service.to_string(),
            operation: op.to_string(),
            params: Val::Object(fields),
            span,
        }
    }

    /// `requests.get(url)`, `httpx.post(url)`, `urllib3.request('GET', url)`,
    /// `urllib.request.urlopen(url or Request)`, `aiohttp.request('GET', url)`.
    pub(super) fn module_http(
        &self,
        q: &str,
        args: Option<Node<'t>>,
        scope: ScopeId,
    ) -> Option<(Val, Option<String>)> {
        if q == "urllib.request.urlopen" || q == "urllib2.urlopen" {
            let target = self.arg(args?, 0, "url")?;
            if let Some(Obj::Request(url, method)) = self.obj(target, scope, 0) {
                return Some((url, method));
            }
            let data = self.arg(args?, 1, "data").is_some();
            let method = if data { "POST" } else { "GET" };
            return Some((self.val(target, scope, 0), Some(method.into())));
        }
        let (lib, method) = q.split_once('.')?;
        let lib = match lib {
            "requests" => "requests",
            "httpx" => "httpx",
            "urllib3" => "urllib3",
            "aiohttp" => "aiohttp",
            _ => return None,
        };
        if lib == "aiohttp" && method != "request" {
            return None;
        }
        if lib == "urllib3" && method != "request" {
            return None;
        }
        self.http_method(lib, method, args, scope)
    }

    /// A request method of an HTTP library or session: the URL and the HTTP method.
    pub(super) fn http_method(
        &self,
        lib: &str,
        method: &str,
        args: Option<Node<'t>>,
        scope: ScopeId,
    ) -> Option<(Val, Option<String>)> {
        let args = args?;
        let verb = match method {
            "get" | "post" | "put" | "patch" | "delete" | "head" | "options" => {
                Some(method.to_ascii_uppercase())
            }
            "request" | "stream" => None,
            "urlopen" if lib == "urllib3" => None,
            _ => return None,
        };
        if let Some(verb) = verb {
            let url = self.arg(args, 0, "url")?;
            return Some((self.val(url, scope, 0), Some(verb)));
        }
        let m = self
            .arg(args, 0, "method")
            .map(|m| self.val(m, scope, 0))
            .and_then(|m| m.as_str().map(str::to_ascii_uppercase));
        let url = self.arg(args, 1, "url")?;
        Some((self.val(url, scope, 0), m))
    }

    /// The argument at a position or by keyword.
    pub(super) fn arg(&self, args: Node<'t>, position: usize, keyword: &str) -> Option<Node<'t>> {
        let mut i = 0;
        for a in named_children(args) {
            match a.kind() {
                "keyword_argument" => {
                    if self
                        .field(a, "name")
                        .is_some_and(|n| self.text(n) == keyword)
                    {
                        return self.field(a, "value");
                    }
                }
                "list_splat" | "dictionary_splat" => {}
                _ => {
                    if i == position {
                        return Some(a);
                    }
                    i += 1;
                }
            }
        }
        None
    }

    pub(super) fn field_arg(
        &self,
        args: Option<Node<'t>>,
        position: usize,
        keyword: &str,
        scope: ScopeId,
        call: Node<'t>,
    ) -> Field {
        match args.and_then(|a| self.arg(a, position, keyword)) {
            Some(n) => (self.val(n, scope, 0), self.span(n)),
            None => (Val::Unknown, self.span(call)),
        }
    }
}
