//! EventBridge event patterns: validation, static matching against known events, and comparison.
//!
//! The syntax follows the EventBridge user guide ("Event pattern syntax" and "Comparison
//! operators for use in event patterns") and the rule compiler of `aws/event-ruler`, the engine
//! EventBridge patterns come from:
//!
//! - a pattern is a JSON object; a field's value is either a nested object or an array of
//!   values (strings, numbers, booleans, `null`, or one-operator matcher objects); empty
//!   objects and empty arrays are rejected;
//! - operators: `prefix`, `suffix` (a string, or `{"equals-ignore-case": string}`),
//!   `equals-ignore-case`, `wildcard` (strings; no consecutive `*`; `\` escapes only `*` and
//!   `\`), `anything-but` (a string, a number, a list of only strings or only numbers, or an
//!   object with one of `prefix`, `suffix`, `equals-ignore-case`, `wildcard` holding a string or
//!   list of strings), `numeric` (`=`, `<`, `<=` with one number, or `>`/`>=` optionally
//!   followed by `<`/`<=`: a range), `exists` (boolean), `cidr` (`address/prefix-length`);
//! - `$or` takes an array of at least two objects, whose fields may not be operator names.
//!
//! Values that are CloudFormation intrinsic functions are unknown: they are never reported and
//! make matching [`Match::Unknown`].

use std::net::IpAddr;

use super::node::{Entry, Kind, Node};
use crate::source::Span;

/// Guard against pathological nesting (the loaders already cap depth at 200).
const MAX_DEPTH: usize = 256;

/// The comparison operators EventBridge accepts inside a matcher object.
const OPERATORS: &[&str] = &[
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
];

/// Operators `numeric` accepts.
const NUMERIC_OPS: &[&str] = &["<", "<=", "=", ">", ">="];

/// Nested forms `anything-but` accepts as an object.
const ANYTHING_BUT_OPS: &[&str] = &["prefix", "suffix", "equals-ignore-case", "wildcard"];

/// Something EventBridge would reject (or silently misread) in an event pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternProblem {
    pub span: Span,
    pub message: String,
}

/// Result of matching a pattern against a statically known event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    Yes,
    No,
    /// Depends on something not known statically (an intrinsic, an unset event part).
    Unknown,
}

impl Match {
    fn from_bool(b: bool) -> Self {
        if b { Match::Yes } else { Match::No }
    }

    /// Logical OR: any `Yes` wins, then any `Unknown`.
    fn any(iter: impl IntoIterator<Item = Match>) -> Self {
        let mut out = Match::No;
        for m in iter {
            match m {
                Match::Yes => return Match::Yes,
                Match::Unknown => out = Match::Unknown,
                Match::No => {}
            }
        }
        out
    }

    /// Logical AND: any `No` wins, then any `Unknown`.
    fn all(iter: impl IntoIterator<Item = Match>) -> Self {
        let mut out = Match::Yes;
        for m in iter {
            match m {
                Match::No => return Match::No,
                Match::Unknown => out = Match::Unknown,
                Match::Yes => {}
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// Check a pattern's syntax. A pattern that is itself an intrinsic function yields nothing.
#[must_use]
pub fn validate(pattern: &Node) -> Vec<PatternProblem> {
    let mut v = Validator::default();
    if pattern.intrinsic().is_some() {
        return v.problems;
    }
    match &pattern.kind {
        Kind::Map(entries) if entries.is_empty() => {
            v.report(pattern.span, "event pattern must not be empty".into());
        }
        Kind::Map(_) => v.object(pattern, false, 0),
        _ => v.report(pattern.span, "event pattern must be an object".into()),
    }
    v.problems
}

/// Check the fields of a (non-intrinsic) pattern object, without the top-level checks: the
/// syntax EventBridge patterns and SNS filter policies share.
pub(crate) fn validate_fields(node: &Node) -> Vec<PatternProblem> {
    let mut v = Validator::default();
    v.object(node, false, 0);
    v.problems
}

#[derive(Default)]
struct Validator {
    problems: Vec<PatternProblem>,
}

impl Validator {
    fn report(&mut self, span: Span, message: String) {
        self.problems.push(PatternProblem { span, message });
    }

    /// The fields of a (non-intrinsic) pattern object.
    fn object(&mut self, node: &Node, in_or: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for e in node.entries() {
            if e.key == "$or" {
                self.or_list(&e.value, depth);
            } else if in_or && is_operator(&e.key) {
                self.report(
                    e.key_span,
                    format!(
                        "`{}` is an operator and cannot be a field name inside `$or`",
                        e.key
                    ),
                );
            } else {
                self.field(&e.key, &e.value, in_or, depth);
            }
        }
    }

    fn field(&mut self, key: &str, value: &Node, in_or: bool, depth: usize) {
        if value.intrinsic().is_some() {
            return;
        }
        let not = match &value.kind {
            Kind::Map(entries) => {
                if entries.is_empty() {
                    self.report(value.span, format!("`{key}` must not be an empty object"));
                } else if let Some(op) = bare_matcher(value) {
                    self.report(
                        value.span,
                        format!(
                            "`{key}` must be an array of values, not a bare `{op}` matcher object"
                        ),
                    );
                } else {
                    self.object(value, in_or, depth + 1);
                }
                return;
            }
            Kind::Seq(items) => {
                self.leaf_array(key, value, items);
                return;
            }
            Kind::Str(_) => "a single string",
            Kind::Num(_) => "a single number",
            Kind::Bool(_) => "a boolean",
            Kind::Null => "null",
        };
        self.report(
            value.span,
            format!("`{key}` must be an array of values, not {not}"),
        );
    }

    fn or_list(&mut self, value: &Node, depth: usize) {
        if value.intrinsic().is_some() {
            return;
        }
        let Kind::Seq(items) = &value.kind else {
            self.report(value.span, "`$or` must be an array of objects".into());
            return;
        };
        if items.len() < 2 {
            self.report(value.span, "`$or` must contain at least two objects".into());
        }
        for item in items {
            if item.intrinsic().is_some() {
                continue;
            }
            match &item.kind {
                Kind::Map(entries) if entries.is_empty() => {
                    self.report(item.span, "`$or` objects must not be empty".into());
                }
                Kind::Map(_) => self.object(item, true, depth + 1),
                _ => self.report(item.span, "`$or` must contain only objects".into()),
            }
        }
    }

    fn leaf_array(&mut self, key: &str, value: &Node, items: &[Node]) {
        if items.is_empty() {
            self.report(value.span, format!("`{key}` must not be an empty array"));
            return;
        }
        for item in items {
            if item.intrinsic().is_some() {
                continue;
            }
            match &item.kind {
                Kind::Seq(_) => self.report(
                    item.span,
                    format!(
                        "`{key}` values must be strings, numbers, booleans, null or matcher \
                         objects, not arrays"
                    ),
                ),
                Kind::Map(_) => self.matcher(item),
                _ => {}
            }
        }
    }

    /// A `{operator: argument}` object inside a field's array.
    fn matcher(&mut self, item: &Node) {
        let entries = item.entries();
        let e = match entries {
            [] => {
                self.report(item.span, "matcher object must not be empty".into());
                return;
            }
            [e] => e,
            _ => {
                let keys: Vec<String> = entries.iter().map(|e| format!("`{}`", e.key)).collect();
                self.report(
                    item.span,
                    format!(
                        "matcher object must have exactly one operator, found {}",
                        keys.join(", ")
                    ),
                );
                return;
            }
        };
        let arg = &e.value;
        if arg.intrinsic().is_some() {
            return;
        }
        match e.key.as_str() {
            "prefix" | "suffix" => self.affix(&e.key, arg),
            "equals-ignore-case" => {
                if !matches!(arg.kind, Kind::Str(_)) {
                    self.report(arg.span, "`equals-ignore-case` must be a string".into());
                }
            }
            "wildcard" => self.wildcard("wildcard", arg),
            "anything-but" => self.anything_but(arg),
            "numeric" => {
                if let Err((span, message)) = numeric_conditions(arg) {
                    self.report(span, message);
                }
            }
            "exists" => match &arg.kind {
                Kind::Bool(_) => {}
                Kind::Str(s) if s == "true" || s == "false" => self.report(
                    arg.span,
                    "`exists` must be the boolean `true` or `false`, not a string".into(),
                ),
                _ => self.report(arg.span, "`exists` must be `true` or `false`".into()),
            },
            "cidr" => match &arg.kind {
                Kind::Str(s) if parse_cidr(s).is_some() => {}
                Kind::Str(s) => self.report(
                    arg.span,
                    format!("`cidr` value `{s}` is not a CIDR block like `10.0.0.0/24`"),
                ),
                _ => self.report(arg.span, "`cidr` must be a string".into()),
            },
            other => {
                let hint =
                    suggest(other).map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                self.report(e.key_span, format!("unknown operator `{other}`{hint}"));
            }
        }
    }

    /// `prefix` / `suffix`: a string or `{"equals-ignore-case": string}`.
    fn affix(&mut self, op: &str, arg: &Node) {
        match &arg.kind {
            Kind::Str(_) => {}
            Kind::Map(entries) => match entries.as_slice() {
                [e] if e.key == "equals-ignore-case" => {
                    if !matches!(e.value.kind, Kind::Str(_)) && e.value.intrinsic().is_none() {
                        self.report(
                            e.value.span,
                            format!("`{op}` `equals-ignore-case` value must be a string"),
                        );
                    }
                }
                [e] => self.report(
                    e.key_span,
                    format!(
                        "`{op}` takes a string or an `equals-ignore-case` object, not `{}`",
                        e.key
                    ),
                ),
                _ => self.report(
                    arg.span,
                    format!("`{op}` must be a string or an `equals-ignore-case` object"),
                ),
            },
            _ => self.report(
                arg.span,
                format!("`{op}` must be a string or an `equals-ignore-case` object"),
            ),
        }
    }

    fn wildcard(&mut self, label: &str, arg: &Node) {
        match &arg.kind {
            Kind::Str(s) => {
                if let Err(why) = check_wildcard(s) {
                    self.report(arg.span, format!("`{label}` pattern {why}"));
                }
            }
            _ => self.report(arg.span, format!("`{label}` must be a string")),
        }
    }

    fn anything_but(&mut self, arg: &Node) {
        match &arg.kind {
            Kind::Str(_) | Kind::Num(_) => {}
            Kind::Seq(items) => {
                if items.is_empty() {
                    self.report(arg.span, "`anything-but` must not be an empty array".into());
                    return;
                }
                let (mut strings, mut numbers) = (false, false);
                for item in items {
                    if item.intrinsic().is_some() {
                        continue;
                    }
                    match item.kind {
                        Kind::Str(_) => strings = true,
                        Kind::Num(_) => numbers = true,
                        _ => {
                            self.report(
                                item.span,
                                "`anything-but` list values must be strings or numbers".into(),
                            );
                            return;
                        }
                    }
                }
                if strings && numbers {
                    self.report(
                        arg.span,
                        "`anything-but` list must hold only strings or only numbers".into(),
                    );
                }
            }
            Kind::Map(entries) => match entries.as_slice() {
                [e] if ANYTHING_BUT_OPS.contains(&e.key.as_str()) => {
                    self.anything_but_nested(&e.key, &e.value);
                }
                [e] => self.report(
                    e.key_span,
                    format!(
                        "`anything-but` does not support `{}`; use `prefix`, `suffix`, \
                         `equals-ignore-case` or `wildcard`",
                        e.key
                    ),
                ),
                _ => self.report(
                    arg.span,
                    "`anything-but` object must have exactly one of `prefix`, `suffix`, \
                     `equals-ignore-case` or `wildcard`"
                        .into(),
                ),
            },
            Kind::Bool(_) | Kind::Null => self.report(
                arg.span,
                "`anything-but` must be a string, a number, an array of strings or numbers, or \
                 an object"
                    .into(),
            ),
        }
    }

    /// `anything-but: {op: string | [strings]}`.
    fn anything_but_nested(&mut self, op: &str, inner: &Node) {
        if inner.intrinsic().is_some() {
            return;
        }
        let values: Vec<&Node> = match &inner.kind {
            Kind::Str(_) => vec![inner],
            Kind::Seq(items) if items.is_empty() => {
                self.report(
                    inner.span,
                    format!("`anything-but` `{op}` must not be an empty array"),
                );
                return;
            }
            Kind::Seq(items) => items.iter().collect(),
            _ => {
                self.report(
                    inner.span,
                    format!("`anything-but` `{op}` must be a string or an array of strings"),
                );
                return;
            }
        };
        for v in values {
            if v.intrinsic().is_some() {
                continue;
            }
            let Kind::Str(s) = &v.kind else {
                self.report(
                    v.span,
                    format!("`anything-but` `{op}` values must be strings"),
                );
                return;
            };
            if (op == "prefix" || op == "suffix") && s.is_empty() {
                self.report(
                    v.span,
                    format!("`anything-but` `{op}` value must not be empty"),
                );
                return;
            }
            if op == "wildcard"
                && let Err(why) = check_wildcard(s)
            {
                self.report(v.span, format!("`anything-but` `wildcard` pattern {why}"));
                return;
            }
        }
    }
}

fn is_operator(key: &str) -> bool {
    OPERATORS.contains(&key)
}

/// A field whose value is an operator object instead of an array holding it
/// (`state: {prefix: init}` rather than `state: [{prefix: init}]`); the operator name.
fn bare_matcher(value: &Node) -> Option<&str> {
    let [e] = value.entries() else { return None };
    if !is_operator(&e.key) {
        return None;
    }
    match &e.value.kind {
        // `{numeric: [">", 0]}` parses as a nested field named `numeric`: still a mistake
        Kind::Seq(items) if e.key == "numeric" => items
            .first()
            .and_then(Node::as_str)
            .filter(|s| NUMERIC_OPS.contains(s))
            .map(|_| e.key.as_str()),
        Kind::Seq(_) => None,
        _ => Some(e.key.as_str()),
    }
}

/// The closest known operator to a misspelt one.
fn suggest(op: &str) -> Option<&'static str> {
    let lower = op.to_lowercase();
    OPERATORS
        .iter()
        .map(|&k| (edit_distance(&lower, k), k))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.last().copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// Wildcard syntax: no consecutive `*`; `\` may only escape `*` or `\`.
fn check_wildcard(s: &str) -> Result<(), String> {
    let mut chars = s.chars();
    let mut prev_star = false;
    while let Some(c) = chars.next() {
        match c {
            '*' if prev_star => return Err("must not contain consecutive `*`".into()),
            '*' => prev_star = true,
            '\\' => match chars.next() {
                Some('*' | '\\') => prev_star = false,
                Some(x) => {
                    return Err(format!(
                        "has an invalid escape `\\{x}` (only `\\*` and `\\\\` are allowed)"
                    ));
                }
                None => return Err("ends with an unfinished escape `\\`".into()),
            },
            _ => prev_star = false,
        }
    }
    Ok(())
}

/// A numeric comparison: operator and bound.
#[derive(Clone, Copy, Debug)]
struct Cond<'a> {
    op: &'a str,
    bound: f64,
}

impl Cond<'_> {
    fn holds(self, x: f64) -> bool {
        match self.op {
            "<" => x < self.bound,
            "<=" => x <= self.bound,
            ">" => x > self.bound,
            ">=" => x >= self.bound,
            _ => x == self.bound,
        }
    }

    /// `holds`, but unknown when `x` is nearer the bound than the service's precision.
    fn eval(self, x: f64, precision: f64) -> Match {
        let exact = x == self.bound;
        if !exact && (x - self.bound).abs() < precision {
            Match::Unknown
        } else {
            Match::from_bool(self.holds(x))
        }
    }
}

/// Parse a `numeric` argument into its conditions: one pair, or a `>`/`>=` then `<`/`<=` range.
/// `Ok(None)` when an intrinsic makes it unknown.
fn numeric_conditions(arg: &Node) -> Result<Option<Vec<Cond<'_>>>, (Span, String)> {
    if arg.intrinsic().is_some() {
        return Ok(None);
    }
    let shape = || {
        (
            arg.span,
            "`numeric` must be an array of operator/number pairs, e.g. `[\">\", 0, \"<=\", 5]`"
                .to_string(),
        )
    };
    let Kind::Seq(items) = &arg.kind else {
        return Err(shape());
    };
    if items.is_empty() {
        return Err(shape());
    }
    if items.iter().any(|n| n.intrinsic().is_some()) {
        return Ok(None);
    }
    let mut conds = Vec::new();
    let mut it = items.iter();
    while let Some(op_node) = it.next() {
        let op = match &op_node.kind {
            Kind::Str(s) if NUMERIC_OPS.contains(&s.as_str()) => s.as_str(),
            Kind::Str(s) => {
                return Err((
                    op_node.span,
                    format!(
                        "`numeric` operator must be one of `<`, `<=`, `=`, `>`, `>=`, not `{s}`"
                    ),
                ));
            }
            _ => {
                return Err((
                    op_node.span,
                    "`numeric` expects an operator string (`<`, `<=`, `=`, `>`, `>=`) here".into(),
                ));
            }
        };
        let Some(num) = it.next() else {
            return Err((
                op_node.span,
                format!("`numeric` operator `{op}` is missing its number"),
            ));
        };
        let bound = match &num.kind {
            Kind::Num(t) => t.parse::<f64>().ok(),
            _ => None,
        };
        let Some(bound) = bound else {
            let found = match &num.kind {
                Kind::Str(s) => format!(", not the string `\"{s}\"`"),
                _ => String::new(),
            };
            return Err((
                num.span,
                format!("`numeric` value for `{op}` must be a number{found}"),
            ));
        };
        conds.push(Cond { op, bound });
    }
    match conds.as_slice() {
        [_] => {}
        [lo, hi] => {
            if !matches!(lo.op, ">" | ">=") || !matches!(hi.op, "<" | "<=") {
                return Err((
                    arg.span,
                    "`numeric` range must be `>` or `>=` followed by `<` or `<=`".into(),
                ));
            }
            if lo.bound >= hi.bound {
                return Err((
                    arg.span,
                    "`numeric` range lower bound must be less than its upper bound".into(),
                ));
            }
        }
        _ => {
            return Err((
                arg.span,
                "`numeric` takes at most two operator/number pairs".into(),
            ));
        }
    }
    Ok(Some(conds))
}

/// `address/prefix-length` for IPv4 or IPv6.
fn parse_cidr(s: &str) -> Option<(IpAddr, u32)> {
    let (addr, bits) = s.split_once('/')?;
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let addr: IpAddr = addr.parse().ok()?;
    let bits: u32 = bits.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((addr, bits))
}

fn cidr_contains(net: IpAddr, bits: u32, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// Glob match where `*` is any run of characters and `\*` / `\\` are literals.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    enum Tok {
        Star,
        Lit(char),
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => toks.push(Tok::Star),
            '\\' => toks.push(Tok::Lit(chars.next().unwrap_or('\\'))),
            c => toks.push(Tok::Lit(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        match (toks.get(p), text.get(t)) {
            (Some(Tok::Star), _) => {
                p += 1;
                backtrack = Some((p, t));
            }
            (Some(Tok::Lit(c)), Some(x)) if c == x => {
                p += 1;
                t += 1;
            }
            (None, None) => return true,
            _ => match backtrack {
                Some((bp, bt)) if bt < text.len() => {
                    p = bp;
                    t = bt + 1;
                    backtrack = Some((bp, bt + 1));
                }
                _ => return false,
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/// The statically known parts of an event. `None` means unknown (not "absent").
#[derive(Clone, Copy, Debug, Default)]
pub struct EventShape<'a> {
    pub source: Option<&'a str>,
    pub detail_type: Option<&'a str>,
    pub detail: Option<&'a Node>,
}

/// Would `pattern` route the event? Fields other than `source`, `detail-type` and `detail`
/// (account, region, resources, time, id, ...) are unknown when the pattern constrains them.
/// A detail field missing from the event counts as absent only when the detail holds no
/// intrinsic anywhere ("fully known"); otherwise it is unknown.
#[must_use]
pub fn matches(pattern: &Node, ev: &EventShape) -> Match {
    if pattern.intrinsic().is_some() || !pattern.is_map() {
        return Match::Unknown;
    }
    let known = ev.detail.is_some_and(fully_known);
    Matcher {
        known,
        limits: EVENTBRIDGE_NUMBERS,
    }
    .top(pattern, ev, 0)
}

/// Would `pattern` route `event`, a whole event object (`source`, `detail-type`, `time`,
/// `resources`, `detail`, ...)? Every field is known; a field the event lacks is absent unless
/// the event holds an intrinsic or unknown value anywhere.
#[must_use]
pub fn matches_event(pattern: &Node, event: &Node) -> Match {
    match_object(pattern, event, fully_known(event), EVENTBRIDGE_NUMBERS)
}

pub(crate) fn fully_known(n: &Node) -> bool {
    let mut ok = true;
    n.walk(&mut |x| {
        if x.intrinsic().is_some() {
            ok = false;
        }
    });
    ok
}

/// What the event holds at a field path.
#[derive(Clone, Copy)]
enum Slot<'a> {
    Absent,
    Unknown,
    Str(&'a str),
    Node(&'a Node),
}

/// The leaf values at a field path.
enum Leaf<'a> {
    Unknown,
    /// No leaf there: the field is absent, or holds an object.
    Missing,
    Values(Vec<Val<'a>>),
}

#[derive(Clone, Copy, PartialEq)]
enum Val<'a> {
    Str(&'a str),
    Num(&'a str),
    Bool(bool),
    Null,
    Unknown,
}

impl<'a> Val<'a> {
    fn of(n: &'a Node) -> Self {
        if n.intrinsic().is_some() {
            return Val::Unknown;
        }
        match &n.kind {
            Kind::Str(s) => Val::Str(s),
            Kind::Num(s) => Val::Num(s),
            Kind::Bool(b) => Val::Bool(*b),
            Kind::Null => Val::Null,
            Kind::Seq(_) | Kind::Map(_) => Val::Unknown,
        }
    }
}

struct Matcher {
    known: bool,
    limits: NumLimits,
}

/// The range and precision of a service's numeric matching.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NumLimits {
    /// Event numbers of a larger magnitude are outside the matching range: unknown.
    pub max: f64,
    /// Numbers are compared to this many decimal places; a value closer than this to a bound
    /// (but not equal) is unknown.
    pub precision: f64,
}

/// EventBridge: "between -5.0e9 and +5.0e9 inclusive, with 15 digits of precision, or six
/// digits to the right of the decimal point" (event-ruler README, "Numeric matching").
pub(crate) const EVENTBRIDGE_NUMBERS: NumLimits = NumLimits {
    max: 5.0e9,
    precision: 1e-6,
};

/// A map's entries, keeping only the last of a duplicated key: "if you include a key more than
/// once the last reference will be the one used to evaluate events" (EventBridge user guide,
/// "Content filtering", complex example note).
fn effective_entries(n: &Node) -> impl Iterator<Item = &Entry> {
    let entries = n.entries();
    entries.iter().enumerate().filter_map(move |(i, e)| {
        let later = entries.get(i + 1..).unwrap_or(&[]);
        (!later.iter().any(|l| l.key == e.key)).then_some(e)
    })
}

/// Match a pattern object (EventBridge syntax; also SNS filter policies) against the value at
/// one place of a message. `known`: a field missing from `value` is absent (not unknown).
pub(crate) fn match_object(pattern: &Node, value: &Node, known: bool, limits: NumLimits) -> Match {
    if pattern.intrinsic().is_some() || !pattern.is_map() {
        return Match::Unknown;
    }
    Matcher { known, limits }.nested(pattern, Slot::Node(value), 0)
}

impl Matcher {
    fn top(&self, pat: &Node, ev: &EventShape, depth: usize) -> Match {
        if depth > MAX_DEPTH {
            return Match::Unknown;
        }
        Match::all(effective_entries(pat).map(|e| match e.key.as_str() {
            "$or" => self.or_branches(&e.value, |b| self.top(b, ev, depth + 1)),
            "source" => self.field(&e.value, ev.source.map_or(Slot::Unknown, Slot::Str), depth),
            "detail-type" => self.field(
                &e.value,
                ev.detail_type.map_or(Slot::Unknown, Slot::Str),
                depth,
            ),
            "detail" => self.field(&e.value, ev.detail.map_or(Slot::Unknown, Slot::Node), depth),
            _ => Match::Unknown,
        }))
    }

    fn or_branches(&self, value: &Node, f: impl Fn(&Node) -> Match) -> Match {
        if value.intrinsic().is_some() {
            return Match::Unknown;
        }
        match &value.kind {
            Kind::Seq(items) => Match::any(items.iter().map(|b| {
                if b.is_map() && b.intrinsic().is_none() {
                    f(b)
                } else {
                    Match::Unknown
                }
            })),
            _ => Match::Unknown,
        }
    }

    /// A pattern field value (nested object or array of values) against the event's slot.
    fn field(&self, pv: &Node, slot: Slot, depth: usize) -> Match {
        if pv.intrinsic().is_some() || depth > MAX_DEPTH {
            return Match::Unknown;
        }
        match &pv.kind {
            Kind::Map(_) => self.nested(pv, slot, depth + 1),
            Kind::Seq(items) => {
                let leaf = self.leaf(slot);
                Match::any(items.iter().map(|it| self.item(it, &leaf)))
            }
            _ => Match::Unknown,
        }
    }

    /// A pattern object under a field: look its fields up in the event's value there.
    fn nested(&self, pv: &Node, slot: Slot, depth: usize) -> Match {
        if depth > MAX_DEPTH {
            return Match::Unknown;
        }
        let absent = |_: &str| Slot::Absent;
        match slot {
            Slot::Unknown => Match::Unknown,
            Slot::Absent | Slot::Str(_) => self.object(pv, &absent, depth),
            Slot::Node(n) if n.intrinsic().is_some() => Match::Unknown,
            Slot::Node(n) => match &n.kind {
                Kind::Map(_) => {
                    let lookup = |k: &str| n.get(k).map_or(Slot::Absent, Slot::Node);
                    self.object(pv, &lookup, depth)
                }
                // arrays of objects: any element may satisfy the nested pattern
                Kind::Seq(items) if !items.is_empty() => Match::any(
                    items
                        .iter()
                        .map(|it| self.nested(pv, Slot::Node(it), depth + 1)),
                ),
                _ => self.object(pv, &absent, depth),
            },
        }
    }

    fn object<'e>(&self, pv: &Node, lookup: &dyn Fn(&str) -> Slot<'e>, depth: usize) -> Match {
        Match::all(effective_entries(pv).map(|e| {
            if e.key == "$or" {
                self.or_branches(&e.value, |b| self.object(b, lookup, depth + 1))
            } else {
                self.field(&e.value, lookup(&e.key), depth + 1)
            }
        }))
    }

    fn leaf<'e>(&self, slot: Slot<'e>) -> Leaf<'e> {
        match slot {
            Slot::Unknown => Leaf::Unknown,
            Slot::Absent if self.known => Leaf::Missing,
            Slot::Absent => Leaf::Unknown,
            Slot::Str(s) => Leaf::Values(vec![Val::Str(s)]),
            Slot::Node(n) if n.intrinsic().is_some() => Leaf::Unknown,
            Slot::Node(n) => match &n.kind {
                Kind::Map(_) => Leaf::Missing,
                Kind::Seq(_) => {
                    // arrays match when any element does; nested arrays flatten
                    let mut vals = Vec::new();
                    let mut stack: Vec<&Node> = n.items().iter().rev().collect();
                    while let Some(x) = stack.pop() {
                        match &x.kind {
                            Kind::Seq(items) if x.intrinsic().is_none() => {
                                stack.extend(items.iter().rev());
                            }
                            Kind::Map(_) if x.intrinsic().is_none() => {}
                            _ => vals.push(Val::of(x)),
                        }
                    }
                    if vals.is_empty() {
                        if self.known {
                            Leaf::Missing
                        } else {
                            Leaf::Unknown
                        }
                    } else {
                        Leaf::Values(vals)
                    }
                }
                _ => Leaf::Values(vec![Val::of(n)]),
            },
        }
    }

    /// One element of a pattern field's array against the event's leaf.
    fn item(&self, it: &Node, leaf: &Leaf) -> Match {
        if it.intrinsic().is_some() {
            return Match::Unknown;
        }
        if let Some(e) = it.entry("exists").filter(|_| it.entries().len() == 1) {
            let Kind::Bool(want) = e.value.kind else {
                return Match::Unknown;
            };
            return match leaf {
                Leaf::Unknown => Match::Unknown,
                Leaf::Missing => Match::from_bool(!want),
                // an unknown array element may be an object, which holds no leaf
                Leaf::Values(vals) if vals.iter().all(|v| *v == Val::Unknown) => Match::Unknown,
                Leaf::Values(_) => Match::from_bool(want),
            };
        }
        match leaf {
            Leaf::Unknown => Match::Unknown,
            Leaf::Missing => Match::No,
            Leaf::Values(vals) => Match::any(vals.iter().map(|&v| value(it, v, self.limits))),
        }
    }
}

/// One pattern value (literal or matcher object) against one event leaf value.
fn value(it: &Node, v: Val, limits: NumLimits) -> Match {
    if v == Val::Unknown {
        return Match::Unknown;
    }
    match &it.kind {
        Kind::Str(s) => Match::from_bool(v == Val::Str(s)),
        Kind::Num(n) => Match::from_bool(matches!(v, Val::Num(m) if num_eq(n, m))),
        Kind::Bool(b) => Match::from_bool(v == Val::Bool(*b)),
        Kind::Null => Match::from_bool(v == Val::Null),
        Kind::Map(_) => operator(it, v, limits),
        Kind::Seq(_) => Match::Unknown,
    }
}

fn operator(it: &Node, v: Val, limits: NumLimits) -> Match {
    let [e] = it.entries() else {
        return Match::Unknown;
    };
    let arg = &e.value;
    if arg.intrinsic().is_some() {
        return Match::Unknown;
    }
    match e.key.as_str() {
        "prefix" => affix_match(arg, v, |s, a| s.starts_with(a)),
        "suffix" => affix_match(arg, v, |s, a| s.ends_with(a)),
        "equals-ignore-case" => match (&arg.kind, v) {
            (Kind::Str(a), Val::Str(s)) => Match::from_bool(fold(s) == fold(a)),
            (Kind::Str(_), _) => Match::No,
            _ => Match::Unknown,
        },
        "wildcard" => match (&arg.kind, v) {
            (Kind::Str(p), Val::Str(s)) => Match::from_bool(wildcard_match(p, s)),
            (Kind::Str(_), _) => Match::No,
            _ => Match::Unknown,
        },
        "anything-but" => anything_but(arg, v),
        "numeric" => match numeric_conditions(arg) {
            Ok(Some(conds)) => match v {
                Val::Num(m) => match m.parse::<f64>() {
                    Ok(x) if x.is_finite() && x.abs() <= limits.max => {
                        Match::all(conds.iter().map(|c| c.eval(x, limits.precision)))
                    }
                    _ => Match::Unknown,
                },
                _ => Match::No,
            },
            _ => Match::Unknown,
        },
        "cidr" => match (&arg.kind, v) {
            (Kind::Str(c), v) => match (parse_cidr(c), v) {
                (Some((net, bits)), Val::Str(s)) => Match::from_bool(
                    s.parse::<IpAddr>()
                        .is_ok_and(|ip| cidr_contains(net, bits, ip)),
                ),
                (Some(_), _) => Match::No,
                (None, _) => Match::Unknown,
            },
            _ => Match::Unknown,
        },
        _ => Match::Unknown,
    }
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

fn num_eq(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => Cond { op: "=", bound: x }.holds(y),
        _ => a == b,
    }
}

/// `prefix`/`suffix` with a plain string or `{"equals-ignore-case": string}`.
fn affix_match(arg: &Node, v: Val, f: impl Fn(&str, &str) -> bool) -> Match {
    let (needle, ignore_case) = match &arg.kind {
        Kind::Str(a) => (a.as_str(), false),
        Kind::Map(_) => match arg.entries() {
            [e] if e.key == "equals-ignore-case" => match &e.value.kind {
                Kind::Str(a) => (a.as_str(), true),
                _ => return Match::Unknown,
            },
            _ => return Match::Unknown,
        },
        _ => return Match::Unknown,
    };
    match v {
        Val::Str(s) if ignore_case => Match::from_bool(f(&fold(s), &fold(needle))),
        Val::Str(s) => Match::from_bool(f(s, needle)),
        _ => Match::No,
    }
}

fn anything_but(arg: &Node, v: Val) -> Match {
    let excluded = |x: &Node| match &x.kind {
        Kind::Str(a) => v == Val::Str(a),
        Kind::Num(n) => matches!(v, Val::Num(m) if num_eq(n, m)),
        _ => false,
    };
    match &arg.kind {
        Kind::Str(_) | Kind::Num(_) => Match::from_bool(!excluded(arg)),
        Kind::Seq(items) => {
            if items.iter().any(excluded) {
                Match::No
            } else if items.iter().any(|x| x.intrinsic().is_some()) {
                Match::Unknown
            } else {
                Match::Yes
            }
        }
        Kind::Map(_) => {
            let [e] = arg.entries() else {
                return Match::Unknown;
            };
            if e.value.intrinsic().is_some() {
                return Match::Unknown;
            }
            let needles: Vec<&Node> = match &e.value.kind {
                Kind::Seq(items) => items.iter().collect(),
                _ => vec![&e.value],
            };
            let pred: fn(&str, &str) -> bool = match e.key.as_str() {
                "prefix" => |s, a| s.starts_with(a),
                "suffix" => |s, a| s.ends_with(a),
                "equals-ignore-case" => |s, a| fold(s) == fold(a),
                "wildcard" => |s, a| wildcard_match(a, s),
                _ => return Match::Unknown,
            };
            // the nested forms only exclude strings
            let Val::Str(s) = v else {
                return Match::Yes;
            };
            let mut unknown = false;
            for n in needles {
                match &n.kind {
                    Kind::Str(a) if pred(s, a) => return Match::No,
                    Kind::Str(_) => {}
                    _ => unknown = true,
                }
            }
            if unknown { Match::Unknown } else { Match::Yes }
        }
        _ => Match::Unknown,
    }
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/// The exact strings a top-level field (`source`, `detail-type`) accepts, when the pattern gives
/// it as a plain list of strings. `None` when absent, operator-based, or unknown.
#[must_use]
pub fn literal_values<'a>(pattern: &'a Node, field: &str) -> Option<Vec<&'a str>> {
    if pattern.intrinsic().is_some() {
        return None;
    }
    let v = pattern.get(field)?;
    let Kind::Seq(items) = &v.kind else {
        return None;
    };
    if items.is_empty() {
        return None;
    }
    items
        .iter()
        .map(|it| match &it.kind {
            Kind::Str(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

/// Every field path under `detail` the pattern filters on (including inside `$or`), with the
/// span of the field's key.
#[must_use]
pub fn detail_fields(pattern: &Node) -> Vec<(Vec<String>, Span)> {
    let mut out = Vec::new();
    collect_top(pattern, &mut out, 0);
    out
}

fn collect_top(p: &Node, out: &mut Vec<(Vec<String>, Span)>, depth: usize) {
    if p.intrinsic().is_some() || depth > MAX_DEPTH {
        return;
    }
    for e in p.entries() {
        match e.key.as_str() {
            "detail" if e.value.is_map() && e.value.intrinsic().is_none() => {
                collect_fields(&e.value, &mut Vec::new(), out, depth + 1);
            }
            "$or" if e.value.intrinsic().is_none() => {
                for b in e.value.items() {
                    collect_top(b, out, depth + 1);
                }
            }
            _ => {}
        }
    }
}

fn collect_fields(
    map: &Node,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Span)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for e in map.entries() {
        if e.key == "$or" {
            if e.value.intrinsic().is_none() {
                for b in e.value.items() {
                    if b.is_map() && b.intrinsic().is_none() {
                        collect_fields(b, path, out, depth + 1);
                    }
                }
            }
            continue;
        }
        path.push(e.key.clone());
        if e.value.is_map() && e.value.intrinsic().is_none() {
            collect_fields(&e.value, path, out, depth + 1);
        } else {
            out.push((path.clone(), e.key_span));
        }
        path.pop();
    }
}

// ---------------------------------------------------------------------------------------------
// Equivalence
// ---------------------------------------------------------------------------------------------

/// Do two patterns route the same events? Structural equality ignoring spans, key order, the
/// order (and repetition) of values in field arrays, `$or` branches and `anything-but` lists.
/// Operator arguments whose order matters (`numeric`) are compared in order.
#[must_use]
pub fn equivalent(a: &Node, b: &Node) -> bool {
    eq_pattern(a, b, 0)
}

fn eq_pattern(a: &Node, b: &Node, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return same_node(a, b, depth);
    }
    let plain = |n: &Node| n.is_map() && n.intrinsic().is_none();
    if !(plain(a) && plain(b)) {
        return same_node(a, b, depth);
    }
    let keys = distinct_keys(a);
    keys == distinct_keys(b)
        && keys.iter().all(|k| match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) if *k == "$or" => match (&x.kind, &y.kind) {
                (Kind::Seq(xs), Kind::Seq(ys)) => {
                    set_eq(xs, ys, |p, q| eq_pattern(p, q, depth + 1))
                }
                _ => same_node(x, y, depth + 1),
            },
            (Some(x), Some(y)) => eq_field_value(x, y, depth + 1),
            _ => false,
        })
}

fn eq_field_value(a: &Node, b: &Node, depth: usize) -> bool {
    if a.intrinsic().is_some() || b.intrinsic().is_some() {
        return same_node(a, b, depth);
    }
    match (&a.kind, &b.kind) {
        (Kind::Map(_), Kind::Map(_)) => eq_pattern(a, b, depth),
        (Kind::Seq(xs), Kind::Seq(ys)) => set_eq(xs, ys, |x, y| eq_item(x, y, depth + 1)),
        _ => same_node(a, b, depth),
    }
}

fn eq_item(a: &Node, b: &Node, depth: usize) -> bool {
    match (a.entries(), b.entries()) {
        ([x], [y]) if x.key == "anything-but" && y.key == "anything-but" => {
            eq_unordered_list(&x.value, &y.value, depth + 1)
        }
        _ => same_node(a, b, depth),
    }
}

/// `anything-but` arguments: lists (also inside a nested `{prefix: [...]}`) are sets.
fn eq_unordered_list(a: &Node, b: &Node, depth: usize) -> bool {
    match (&a.kind, &b.kind, a.entries(), b.entries()) {
        (Kind::Seq(xs), Kind::Seq(ys), _, _) => set_eq(xs, ys, |x, y| same_node(x, y, depth + 1)),
        (Kind::Map(_), Kind::Map(_), [x], [y]) if x.key == y.key && a.intrinsic().is_none() => {
            eq_unordered_list(&x.value, &y.value, depth + 1)
        }
        _ => same_node(a, b, depth),
    }
}

fn set_eq(xs: &[Node], ys: &[Node], eq: impl Fn(&Node, &Node) -> bool) -> bool {
    xs.iter().all(|x| ys.iter().any(|y| eq(x, y))) && ys.iter().all(|y| xs.iter().any(|x| eq(x, y)))
}

fn distinct_keys(n: &Node) -> Vec<&str> {
    let mut keys: Vec<&str> = n.entries().iter().map(|e| e.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Exact structural equality ignoring spans and key order; numbers compare by value.
fn same_node(a: &Node, b: &Node, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match (&a.kind, &b.kind) {
        (Kind::Null, Kind::Null) => true,
        (Kind::Bool(x), Kind::Bool(y)) => x == y,
        (Kind::Str(x), Kind::Str(y)) => x == y,
        (Kind::Num(x), Kind::Num(y)) => num_eq(x, y),
        (Kind::Seq(xs), Kind::Seq(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same_node(x, y, depth + 1))
        }
        (Kind::Map(_), Kind::Map(_)) => {
            let keys = distinct_keys(a);
            keys == distinct_keys(b)
                && keys.iter().all(|k| match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => same_node(x, y, depth + 1),
                    _ => false,
                })
        }
        _ => false,
    }
}

mod from_val;
pub(crate) use from_val::json_object;
pub use from_val::{UNKNOWN_KEY, detail_node_from_val, json_object_val, unknown as unknown_node};

#[cfg(test)]
mod doc_tests;
#[cfg(test)]
mod tests;
