//! Python extractor (tree-sitter-python): boto3 clients and calls, HTTP, environment reads,
//! local imports, batch failures, stream images, idempotency markers.
//!
//! One parse per file, then two passes: [`Index::collect`] walks the tree once (explicit stack)
//! and records scopes, assignments, parameters, returns, call sites and the nodes facts come
//! from; the resolver then works out, on demand and memoized, what a name holds: a boto3 client
//! or resource object ([`Obj`]) or a static value ([`Val`]). Resolution follows assignments
//! (module, function, class body, `self.x`), helper functions' `return`s, parameters through the
//! call sites in the file, and `with ... as x`; it is bounded in depth and in total steps.

mod boto;
mod calls;
mod collect;
mod resolve;
mod strings;
#[cfg(test)]
mod tests;
mod values;

use strings::{
    bounded, concat, format_method, mentions, percent_format, string_literal, string_value,
};

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use tree_sitter::{Node, Parser, Tree};

use super::Extractor;
use super::facts::{EnvRead, FileFacts, HttpCall, OPEN_FIELD, SdkCall, Val};
use crate::source::{FileId, Span};

/// Deepest expression/name chain followed.
const MAX_DEPTH: u32 = 40;
/// Largest value (in nodes) a name resolves to; larger is Unknown.
const MAX_VAL_NODES: usize = 512;
/// Most call sites of a function looked at for its parameters.
const MAX_SITES: usize = 16;
/// Most assignments of one name compared when the last one is conditional.
const MAX_CANDIDATES: usize = 8;

/// Extracts facts from Python source.
pub struct Python;

impl Extractor for Python {
    fn extract(&self, text: &str, file: FileId) -> FileFacts {
        thread_local! {
            static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
        }
        let tree = PARSER.with(|cell| {
            let mut slot = cell.try_borrow_mut().ok()?;
            if slot.is_none() {
                let mut parser = Parser::new();
                parser
                    .set_language(&tree_sitter_python::LANGUAGE.into())
                    .ok()?;
                *slot = Some(parser);
            }
            slot.as_mut()?.parse(text, None)
        });
        match tree {
            Some(tree) => extract_tree(&tree, text, file),
            None => FileFacts::default(),
        }
    }
}

fn extract_tree(tree: &Tree, text: &str, file: FileId) -> FileFacts {
    let mut ix = Index::new(text, file);
    ix.collect(tree.root_node());
    ix.resolve_all()
}

type ScopeId = usize;
const MODULE: ScopeId = 0;

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Function,
    Class,
}

struct Param<'t> {
    name: String,
    /// The parameter's name node (memo key).
    node: Node<'t>,
    /// Position among positional parameters (None after `*` / `*args`).
    position: Option<usize>,
    default: Option<Node<'t>>,
}

struct Scope<'t> {
    kind: ScopeKind,
    parent: Option<ScopeId>,
    /// The function's or class's name.
    name: String,
    /// The `def`/`class` node (the module root for the module).
    node: Node<'t>,
    names: HashMap<String, Vec<Def<'t>>>,
    params: Vec<Param<'t>>,
    globals: HashSet<String>,
    returns: Vec<Node<'t>>,
}

/// One binding of a name.
#[derive(Clone, Copy)]
enum Def<'t> {
    /// `name = rhs` (also `with rhs as name`, `name := rhs`), `rhs` evaluated in `scope`.
    Expr {
        rhs: Node<'t>,
        scope: ScopeId,
        /// End of the binding statement: uses after it see it.
        at: usize,
        /// Not inside a branch or loop of its scope.
        top: bool,
    },
    /// A parameter of function scope `func`.
    Param { func: ScopeId, index: usize },
    /// `def name(...)`.
    Func(ScopeId),
    /// Bound to something not followed (`for` targets, unpacking, `+=`, classes).
    Opaque { at: usize },
}

impl Def<'_> {
    fn at(&self) -> usize {
        match self {
            Def::Expr { at, .. } | Def::Opaque { at } => *at,
            Def::Param { .. } | Def::Func(_) => 0,
        }
    }
    fn top(&self) -> bool {
        match self {
            Def::Expr { top, .. } => *top,
            Def::Opaque { .. } => false,
            Def::Param { .. } | Def::Func(_) => true,
        }
    }
}

/// What an expression evaluates to when it is an SDK or HTTP object.
#[derive(Clone, Debug, PartialEq)]
enum Obj {
    Session,
    /// A boto3 client, by IAM prefix.
    Client(String),
    /// A boto3 service resource, by boto3 service name.
    Resource(String),
    Table(Field),
    BatchWriter(Field),
    Bucket(Field),
    S3Object(Field, Field),
    Queue(Field),
    Topic(Field),
    /// `client.get_paginator('op')`: service prefix and operation.
    Paginator(String, String),
    /// An HTTP session/client of a library (`requests`, `httpx`, `aiohttp`, `urllib3`).
    Http(&'static str),
    /// `urllib.request.Request(url, method=...)`.
    Request(Val, Option<String>),
    /// Powertools `BatchProcessor` and relatives.
    Processor,
}

/// A value a resource object carries into its calls (table name, bucket...), with its span.
type Field = (Val, Span);

/// A guard over environment reads: a `try` that catches `KeyError`, or an `if` that checks the
/// variable.
enum Guard {
    Any,
    Name(String),
}

#[derive(Clone, Copy)]
struct Ctx {
    scope: ScopeId,
    guard: Option<usize>,
    /// Inside a branch or loop of the current scope.
    cond: bool,
}

/// An `os.environ[...]` candidate.
struct EnvSubscript<'t> {
    node: Node<'t>,
    scope: ScopeId,
    guard: Option<usize>,
}

struct Index<'t> {
    src: &'t str,
    file: FileId,
    scopes: Vec<Scope<'t>>,
    /// Local name -> dotted module path (`np` -> `numpy`, `getenv` -> `os.getenv`).
    imports: HashMap<String, String>,
    /// Every name bound in the file by assignment, parameter, `def` or `class`.
    locals: HashSet<String>,
    /// Names (and attribute keys) whose list or dict is changed in place (`x.append(..)`,
    /// `x[k] = v`, `del x[k]`): their literal value is not what they hold.
    mutated: HashSet<String>,
    /// `self.x` / `Class.x` / `a.b` bindings by key (see [`Index::attr_key`]).
    attrs: HashMap<String, Vec<Def<'t>>>,
    /// Function scopes by name.
    funcs: HashMap<String, Vec<ScopeId>>,
    /// Calls by the callee's last name (`f(...)`, `self.f(...)`).
    sites: HashMap<String, Vec<(Node<'t>, ScopeId)>>,
    calls: Vec<(Node<'t>, ScopeId)>,
    env_subscripts: Vec<EnvSubscript<'t>>,
    decorators: Vec<(Node<'t>, ScopeId)>,
    /// `ConditionExpression=...` keyword arguments and dict pairs: (the argument, its value).
    conditions: Vec<(Node<'t>, Node<'t>, ScopeId)>,
    guards: Vec<(Guard, Option<usize>)>,
    facts: FileFacts,
    // resolution state
    val_memo: RefCell<HashMap<usize, Val>>,
    obj_memo: RefCell<HashMap<usize, Option<Obj>>>,
    busy: RefCell<HashSet<(bool, usize)>>,
    steps: Cell<usize>,
    max_steps: usize,
}

/// The grammar's id of a field name, looked up once (tree-sitter's by-name lookup scans every
/// field name of the grammar).
fn field_id(name: &str) -> Option<u16> {
    const NAMES: &[&str] = &[
        "alias",
        "argument",
        "arguments",
        "attribute",
        "body",
        "condition",
        "consequence",
        "expression",
        "format_specifier",
        "function",
        "key",
        "left",
        "module_name",
        "name",
        "object",
        "operator",
        "parameters",
        "right",
        "subscript",
        "type_conversion",
        "value",
    ];
    static IDS: OnceLock<Vec<(&'static str, u16)>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        let lang: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
        NAMES
            .iter()
            .filter_map(|n| Some((*n, lang.field_id_for_name(n)?.get())))
            .collect()
    });
    match ids.iter().find(|(n, _)| *n == name) {
        Some((_, id)) => Some(*id),
        None => tree_sitter::Language::from(tree_sitter_python::LANGUAGE)
            .field_id_for_name(name)
            .map(std::num::NonZeroU16::get),
    }
}

fn named_children<'t>(n: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = n.walk();
    let kids: Vec<Node<'t>> = n.named_children(&mut cursor).collect();
    kids.into_iter().filter(|k| k.kind() != "comment")
}

fn first_named<'t>(n: Node<'t>) -> Option<Node<'t>> {
    named_children(n).next()
}

impl<'t> Index<'t> {
    fn new(src: &'t str, file: FileId) -> Self {
        Index {
            src,
            file,
            scopes: Vec::new(),
            imports: HashMap::new(),
            locals: HashSet::new(),
            mutated: HashSet::new(),
            attrs: HashMap::new(),
            funcs: HashMap::new(),
            sites: HashMap::new(),
            calls: Vec::new(),
            env_subscripts: Vec::new(),
            decorators: Vec::new(),
            conditions: Vec::new(),
            guards: Vec::new(),
            facts: FileFacts::default(),
            val_memo: RefCell::new(HashMap::new()),
            obj_memo: RefCell::new(HashMap::new()),
            busy: RefCell::new(HashSet::new()),
            steps: Cell::new(0),
            max_steps: 200_000 + 50 * src.len(),
        }
    }

    fn text(&self, n: Node<'t>) -> &'t str {
        self.src.get(n.byte_range()).unwrap_or("")
    }

    fn span(&self, n: Node<'t>) -> Span {
        Span::new(self.file, n.start_byte(), n.end_byte())
    }

    fn field(&self, n: Node<'t>, name: &str) -> Option<Node<'t>> {
        n.child_by_field_id(field_id(name)?)
    }

    /// A plain string literal (no interpolation).
    fn literal_str(&self, n: Node<'t>) -> Option<String> {
        if n.kind() != "string" {
            return None;
        }
        match string_literal(self, n) {
            Some(Val::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// The dotted name an expression stands for through the imports (`os.environ.get`,
    /// `boto3.client`); a bare name neither imported nor bound in the file stands for itself
    /// (builtins, modules used without an import in a snippet).
    fn qualname(&self, n: Node<'t>) -> Option<String> {
        let mut parts = Vec::new();
        let mut cur = n;
        loop {
            match cur.kind() {
                "attribute" => {
                    parts.push(self.text(self.field(cur, "attribute")?));
                    cur = self.field(cur, "object")?;
                }
                "identifier" => {
                    let name = self.text(cur);
                    let base = match self.imports.get(name) {
                        Some(path) => path.as_str(),
                        None if self.locals.contains(name) => return None,
                        None => name,
                    };
                    let mut out = base.to_string();
                    for p in parts.iter().rev() {
                        out.push('.');
                        out.push_str(p);
                    }
                    return Some(out);
                }
                _ => return None,
            }
            if parts.len() > 16 {
                return None;
            }
        }
    }

    /// The key of an attribute binding: `a.b.c` for a chain of names, with `self`/`cls` replaced
    /// by the enclosing class's name (so `self.x` in methods and `x = ...` in the class body
    /// meet).
    fn attr_key(&self, n: Node<'t>, scope: ScopeId) -> Option<String> {
        let mut parts = Vec::new();
        let mut cur = n;
        while cur.kind() == "attribute" {
            parts.push(self.text(self.field(cur, "attribute")?));
            cur = self.field(cur, "object")?;
            if parts.len() > 16 {
                return None;
            }
        }
        if cur.kind() != "identifier" {
            return None;
        }
        let base = self.text(cur);
        let base = if base == "self" || base == "cls" {
            self.enclosing_class(scope).unwrap_or(base)
        } else {
            base
        };
        let mut out = base.to_string();
        for p in parts.iter().rev() {
            out.push('.');
            out.push_str(p);
        }
        Some(out)
    }

    fn enclosing_class(&self, mut scope: ScopeId) -> Option<&str> {
        for _ in 0..64 {
            let s = self.scopes.get(scope)?;
            if s.kind == ScopeKind::Class {
                return Some(&s.name);
            }
            scope = s.parent?;
        }
        None
    }
}

fn push_field(fields: &mut Vec<(String, Val, Span)>, key: &str, v: Val, span: Span) {
    if let Some(slot) = fields.iter_mut().find(|(k, _, _)| k == key) {
        slot.1 = v;
        slot.2 = span;
    } else {
        fields.push((key.to_string(), v, span));
    }
}

/// `**value` spliced into a dict or call: its fields when it is a known object (an open one
/// stays open); otherwise the result is open and the fields before it may be overridden, so
/// their values become unknown (they stay present).
fn splat(fields: &mut Vec<(String, Val, Span)>, inner: Option<Val>, at: Span) {
    match inner {
        Some(Val::Object(kv)) => {
            if kv.iter().any(|(k, _, _)| k == OPEN_FIELD) {
                for slot in fields.iter_mut() {
                    slot.1 = Val::Unknown;
                }
            }
            for (key, v, s) in kv {
                push_field(fields, &key, v, s);
            }
        }
        _ => {
            for slot in fields.iter_mut() {
                slot.1 = Val::Unknown;
            }
            push_field(fields, OPEN_FIELD, Val::Unknown, at);
        }
    }
}
