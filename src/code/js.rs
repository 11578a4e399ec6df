//! JavaScript and TypeScript extractor (tree-sitter-javascript / tree-sitter-typescript): AWS
//! SDK v3 clients and commands, SDK v2 clients, HTTP, environment reads, local imports, batch
//! failures, stream images, idempotency markers.
//!
//! Two walks over the syntax tree, both with an explicit cursor (no recursion on tree depth):
//! the first collects bindings (imports, `require`, `const`/`let`/`var` declarators, parameters,
//! class fields and `this.x = ...`, later assignments), the second reads facts, resolving
//! identifiers through those bindings on demand:
//!
//! - an identifier resolves to the innermost binding whose scope (block for `let`/`const`,
//!   function for `var` and parameters, class body for fields) contains the use, the last
//!   declaration before the use in that scope winning; a variable assigned again anywhere
//!   resolves to nothing (`Val::Unknown`); `obj.key = v` on a bound object adds the field;
//! - a TypeScript parameter with a client type (`sqs: SQS`, `client: AWS.SQS`) is that client;
//! - values of object literals are resolved as the brief says; an unknown spread or computed key
//!   keeps its place as a field named `...` with `Val::Unknown`, so absent keys are only known
//!   absent when no such field exists.
//!
//! An SDK v3 command constructed but never passed to a resolved `send` (handed to a helper, sent
//! through a wrapper) is still a call, at the `new` expression.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::OnceLock;

use tree_sitter::{Language, Node, Parser, Tree, TreeCursor};

use super::facts::Val;
use super::{Extractor, FileFacts};
use crate::source::{FileId, Span};

mod extract;
mod resolve;
#[cfg(test)]
mod tests;

use extract::Out;
use resolve::Resolver;

/// Extracts facts from JavaScript (CommonJS and ESM) or TypeScript source.
pub struct Js {
    pub typescript: bool,
}

impl Extractor for Js {
    fn extract(&self, text: &str, file: FileId) -> FileFacts {
        let Some(tree) = parse(text, self.typescript) else {
            return FileFacts::default();
        };
        let root = tree.root_node();
        let mut facts = FileFacts::default();
        if root.has_error() {
            facts.syntax_error = Some(first_error(root, file));
        }
        let mut r = Resolver::new(text, file, self.typescript);
        r.collect(root, &mut facts.imports);
        let mut out = Out {
            r: &r,
            facts,
            consumed: HashSet::new(),
            commands: Vec::new(),
        };
        walk(root, |n, anc| out.visit(n, anc));
        out.finish()
    }
}

/// Deepest resolution chain (identifier to binding to expression ...) followed.
const MAX_DEPTH: u32 = 48;
/// Most `Val` nodes built for one resolved value (const objects nested in const objects can
/// otherwise grow exponentially).
const MAX_VALS: usize = 4096;
/// Most fields of an object value or items of a list value (then a last unknown one).
const MAX_ITEMS: usize = 256;
/// Most nodes looked at for a read of one variable in a condition.
const MAX_SCAN: usize = 512;
/// The field name standing for an unknown spread or computed key in an object value.
pub const UNKNOWN_FIELD: &str = super::facts::OPEN_FIELD;

/// The grammar fields read, by id (`child_by_field_name` compares names on every call).
macro_rules! grammar_fields {
    ($($variant:ident = $name:literal,)*) => {
        #[derive(Clone, Copy)]
        enum F {
            $($variant,)*
        }
        const FIELD_NAMES: [&str; [$($name),*].len()] = [$($name),*];
    };
}

grammar_fields! {
    Alias = "alias",
    Argument = "argument",
    Arguments = "arguments",
    Condition = "condition",
    Consequence = "consequence",
    Constructor = "constructor",
    Function = "function",
    Index = "index",
    Key = "key",
    Left = "left",
    Name = "name",
    Object = "object",
    Operator = "operator",
    Parameter = "parameter",
    Pattern = "pattern",
    Property = "property",
    Right = "right",
    Source = "source",
    Type = "type",
    Value = "value",
}

type Fields = [u16; FIELD_NAMES.len()];

/// Field ids of a grammar (0, which no field has, when the grammar lacks one).
fn fields(typescript: bool) -> &'static Fields {
    static JS: OnceLock<Fields> = OnceLock::new();
    static TS: OnceLock<Fields> = OnceLock::new();
    let (cell, lang): (_, Language) = if typescript {
        (&TS, tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into())
    } else {
        (&JS, tree_sitter_javascript::LANGUAGE.into())
    };
    cell.get_or_init(|| FIELD_NAMES.map(|n| lang.field_id_for_name(n).map_or(0, u16::from)))
}

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 2]> = const { RefCell::new([None, None]) };
}

fn parse(text: &str, typescript: bool) -> Option<Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.try_borrow_mut().ok()?;
        let slot = parsers.get_mut(usize::from(typescript))?;
        if slot.is_none() {
            let lang: Language = if typescript {
                tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
            } else {
                tree_sitter_javascript::LANGUAGE.into()
            };
            let mut p = Parser::new();
            p.set_language(&lang).ok()?;
            *slot = Some(p);
        }
        slot.as_mut()?.parse(text, None)
    })
}

/// Pre-order walk over named nodes with the ancestors of each (outermost first).
fn walk<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>, &[Node<'t>])) {
    let mut cursor = root.walk();
    let mut anc: Vec<Node<'t>> = Vec::new();
    loop {
        let node = cursor.node();
        if node.is_named() {
            f(node, &anc);
        }
        if cursor.goto_first_child() {
            anc.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            anc.pop();
        }
    }
}

/// The first error or missing node, in document order.
fn first_error(root: Node, file: FileId) -> Span {
    let mut node = root;
    'down: loop {
        let mut c = node.walk();
        if c.goto_first_child() {
            loop {
                let k = c.node();
                if k.is_error() || k.is_missing() {
                    return Span::new(file, k.start_byte(), k.end_byte());
                }
                if k.has_error() {
                    node = k;
                    continue 'down;
                }
                if !c.goto_next_sibling() {
                    break;
                }
            }
        }
        return Span::new(file, node.start_byte(), node.end_byte());
    }
}

/// Named children, comments left out.
fn kids<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    each_kid(n).collect()
}

/// Named children, comments left out, lazily (to stop early in long lists).
fn each_kid(n: Node) -> Kids {
    Kids {
        cursor: n.walk(),
        started: false,
    }
}

struct Kids<'t> {
    cursor: TreeCursor<'t>,
    started: bool,
}

impl<'t> Iterator for Kids<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        loop {
            let moved = if self.started {
                self.cursor.goto_next_sibling()
            } else {
                self.started = true;
                self.cursor.goto_first_child()
            };
            if !moved {
                return None;
            }
            let k = self.cursor.node();
            if k.is_named() && k.kind() != "comment" {
                return Some(k);
            }
        }
    }
}

fn first_kid(n: Node) -> Option<Node> {
    each_kid(n).next()
}

/// The expression inside parentheses and TypeScript wrappers (`x as T`, `x!`, `<T>x`,
/// `x satisfies T`).
fn unwrap(mut n: Node) -> Node {
    for _ in 0..MAX_DEPTH {
        let inner = match n.kind() {
            "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression" => first_kid(n),
            "type_assertion" => kids(n).last().copied(),
            _ => None,
        };
        match inner {
            Some(i) => n = i,
            None => break,
        }
    }
    n
}

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
            | "generator_function"
    )
}

fn is_block(kind: &str) -> bool {
    matches!(
        kind,
        "statement_block"
            | "program"
            | "for_statement"
            | "for_in_statement"
            | "switch_body"
            | "class_body"
    ) || is_function(kind)
}

fn range(n: Node) -> (usize, usize) {
    (n.start_byte(), n.end_byte())
}

/// The nearest block (let/const scope) among the ancestors.
fn block_scope(anc: &[Node]) -> (usize, usize) {
    anc.iter()
        .rev()
        .find(|a| is_block(a.kind()))
        .map_or((0, usize::MAX), |a| range(*a))
}

/// The nearest function or the program (var scope).
fn function_scope(anc: &[Node]) -> (usize, usize) {
    anc.iter()
        .rev()
        .find(|a| is_function(a.kind()) || a.kind() == "program")
        .map_or((0, usize::MAX), |a| range(*a))
}

/// The nearest class body (for `this.x`), else the whole file.
fn class_scope(anc: &[Node]) -> (usize, usize) {
    anc.iter()
        .rev()
        .find(|a| a.kind() == "class_body")
        .map_or((0, usize::MAX), |a| range(*a))
}

/// Decode one escape sequence of a JS string (`\n`, `\x41`, `\u{1F600}`, line continuation).
fn unescape(e: &str, out: &mut String) {
    let Some(body) = e.strip_prefix('\\') else {
        out.push_str(e);
        return;
    };
    let mut chars = body.chars();
    let Some(c) = chars.next() else { return };
    let rest = chars.as_str();
    match c {
        'n' => out.push('\n'),
        't' => out.push('\t'),
        'r' => out.push('\r'),
        'b' => out.push('\u{8}'),
        'f' => out.push('\u{c}'),
        'v' => out.push('\u{b}'),
        '0' if rest.is_empty() => out.push('\0'),
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => {}
        'x' | 'u' => {
            let hex = rest.trim_start_matches('{').trim_end_matches('}');
            match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                Some(ch) => out.push(ch),
                None => out.push_str(e),
            }
        }
        _ => out.push_str(body),
    }
}

/// Upper-case first letter: the API name of an SDK method (`sendMessage` -> `SendMessage`).
fn pascal(method: &str) -> String {
    let mut c = method.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `node:https` -> `https`.
fn module_name(spec: &str) -> String {
    spec.strip_prefix("node:").unwrap_or(spec).to_string()
}

/// IAM prefix of an SDK v3 package (`@aws-sdk/client-eventbridge` -> `events`).
fn v3_service(module: &str) -> Option<String> {
    if module == "@aws-sdk/lib-dynamodb" {
        return Some("dynamodb".into());
    }
    let name = module.strip_prefix("@aws-sdk/client-")?;
    Some(service_prefix(&name.replace('-', "")))
}

/// IAM prefix of an SDK v2 class or `aws-sdk/clients/<name>` module (`StepFunctions` -> `states`).
fn service_prefix(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "eventbridge" | "cloudwatchevents" => "events",
        "sfn" | "stepfunctions" => "states",
        "dynamodbstreams" => "dynamodb",
        "sesv2" => "ses",
        "cloudwatchlogs" => "logs",
        "apigatewaymanagementapi" => "execute-api",
        "iotdata" | "iotdataplane" => "iot",
        "cognitoidentityprovider" | "cognitoidentityserviceprovider" => "cognito-idp",
        "bedrockruntime" | "bedrockagentruntime" => "bedrock",
        "sagemakerruntime" => "sagemaker",
        "elasticloadbalancingv2" => "elasticloadbalancing",
        _ => return lower,
    }
    .to_string()
}

/// A lib-dynamodb command or DocumentClient method, as the DynamoDB operation it performs.
fn doc_op(name: &str) -> Option<&'static str> {
    Some(match name {
        "Put" | "put" => "PutItem",
        "Get" | "get" => "GetItem",
        "Update" | "update" => "UpdateItem",
        "Delete" | "delete" => "DeleteItem",
        "Query" | "query" => "Query",
        "Scan" | "scan" => "Scan",
        "BatchWrite" | "batchWrite" => "BatchWriteItem",
        "BatchGet" | "batchGet" => "BatchGetItem",
        "TransactWrite" | "transactWrite" => "TransactWriteItems",
        "TransactGet" | "transactGet" => "TransactGetItems",
        "ExecuteStatement" | "executeStatement" => "ExecuteStatement",
        "BatchExecuteStatement" | "batchExecuteStatement" => "BatchExecuteStatement",
        "ExecuteTransaction" | "executeTransaction" => "ExecuteTransaction",
        _ => return None,
    })
}

/// Methods of SDK clients that are not service operations.
fn not_an_operation(method: &str) -> bool {
    matches!(
        method,
        "send"
            | "destroy"
            | "promise"
            | "on"
            | "makeRequest"
            | "makeUnauthenticatedRequest"
            | "waitFor"
            | "setupRequestListeners"
            | "config"
            | "endpoint"
            | "middlewareStack"
            | "createSet"
            | "wrap"
            | "constructor"
    ) || !method.starts_with(|c: char| c.is_ascii_lowercase())
}

fn stringy(v: &Val) -> bool {
    matches!(v, Val::Str(_) | Val::Concat(_) | Val::Env { .. })
}

/// Parts joined: nested concatenations flattened, adjacent strings merged, empty strings dropped.
fn concat(parts: Vec<Val>) -> Val {
    let mut out: Vec<Val> = Vec::new();
    let mut stack: Vec<Val> = parts.into_iter().rev().collect();
    while let Some(p) = stack.pop() {
        match p {
            Val::Concat(inner) => stack.extend(inner.into_iter().rev()),
            Val::Str(s) if s.is_empty() => {}
            Val::Str(s) => {
                if let Some(Val::Str(prev)) = out.last_mut() {
                    prev.push_str(&s);
                } else {
                    out.push(Val::Str(s));
                }
            }
            other => out.push(other),
        }
    }
    match out.len() {
        0 => Val::Str(String::new()),
        1 => out.pop().unwrap_or(Val::Unknown),
        _ => Val::Concat(out),
    }
}

/// `process.env.A ?? d`: the default attached to the innermost read without one.
fn with_default(v: Val, d: Val) -> Val {
    match v {
        Val::Env {
            name,
            default: None,
        } => Val::Env {
            name,
            default: Some(Box::new(d)),
        },
        Val::Env {
            name,
            default: Some(inner),
        } => Val::Env {
            name,
            default: Some(Box::new(with_default(*inner, d))),
        },
        other => other,
    }
}

/// Set a field of an object value, a later key replacing an earlier one in place.
fn set_field(fields: &mut Vec<(String, Val, Span)>, key: String, v: Val, span: Span) {
    if key != UNKNOWN_FIELD {
        if let Some(f) = fields.iter_mut().find(|(k, _, _)| *k == key) {
            f.1 = v;
            f.2 = span;
            return;
        }
    }
    fields.push((key, v, span));
}

fn contains_str(v: &Val, needle: &str) -> bool {
    match v {
        Val::Str(s) => s.contains(needle),
        Val::Concat(parts) => parts
            .iter()
            .any(|p| matches!(p, Val::Str(s) if s.contains(needle))),
        _ => false,
    }
}

/// Identifiers a binding pattern declares (not the default values).
fn pattern_names<'t>(p: Node<'t>, out: &mut Vec<Node<'t>>, depth: u32) {
    if depth > MAX_DEPTH {
        return;
    }
    match p.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => out.push(p),
        "object_pattern" | "array_pattern" | "rest_pattern" => {
            for k in kids(p) {
                pattern_names(k, out, depth + 1);
            }
        }
        "pair_pattern" => {
            if let Some(v) = p.child_by_field_name("value") {
                pattern_names(v, out, depth + 1);
            }
        }
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(l) = p.child_by_field_name("left") {
                pattern_names(l, out, depth + 1);
            }
        }
        "required_parameter" | "optional_parameter" => {
            if let Some(l) = p.child_by_field_name("pattern") {
                pattern_names(l, out, depth + 1);
            }
        }
        _ => {}
    }
}
