//! YAML loader: saphyr-parser events lowered into [`Node`]s with byte spans.
//!
//! Built on the event parser rather than saphyr's DOM so that tags, spans, anchors, merge keys,
//! duplicate keys and nesting depth are all under our control: an alias bomb or a 10,000-deep
//! document is a parse problem, never a crash or an out-of-memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan, Tag};

use super::node::{Entry, Kind, Node};
use super::{LoadOutcome, Problem};
use crate::source::{FileId, Span};

/// Deepest nesting accepted. Real templates stay far below; deeper input is a parse error.
pub const MAX_DEPTH: usize = 200;
/// Most nodes that aliases may copy in one file (an alias bomb hits this quickly).
const ALIAS_BUDGET: usize = 200_000;

/// Parse YAML text into a node tree.
#[must_use]
pub fn load(text: &str, file: FileId) -> LoadOutcome {
    let offsets = CharOffsets::new(text);
    let mut b = Builder {
        file,
        text,
        offsets: &offsets,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: ALIAS_BUDGET,
        root: None,
        problems: Vec::new(),
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((ev, span))) => {
                if let Err(p) = b.on_event(ev, span) {
                    b.problems.push(p);
                    return LoadOutcome {
                        root: None,
                        problems: b.problems,
                    };
                }
                if b.documents > 1 {
                    break;
                }
            }
            Some(Err(e)) => {
                let at = b.offsets.byte(e.marker().index());
                // the scanner counts flow levels in a byte: past 255 it gives up
                let message = if e.info() == "recursion limit exceeded" {
                    format!("nesting deeper than {MAX_DEPTH} levels")
                } else {
                    e.info().to_string()
                };
                b.problems
                    .push(Problem::fatal(message, Span::new(file, at, at)));
                return LoadOutcome {
                    root: None,
                    problems: b.problems,
                };
            }
        }
    }
    LoadOutcome {
        root: b.root,
        problems: b.problems,
    }
}

/// Maps saphyr's character indices to byte offsets.
struct CharOffsets {
    /// `None` when the text is ASCII (index == byte offset).
    table: Option<Vec<u32>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return CharOffsets {
                table: None,
                len: text.len(),
            };
        }
        let mut table: Vec<u32> = text
            .char_indices()
            .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        table.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        CharOffsets {
            table: Some(table),
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).map_or(self.len, |&b| b as usize),
        }
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        tag: Option<String>,
        entries: Vec<Entry>,
        key: Option<(String, Span, bool)>,
        merges: Vec<Node>,
    },
}

struct Builder<'a> {
    file: FileId,
    text: &'a str,
    offsets: &'a CharOffsets,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_budget: usize,
    root: Option<Node>,
    problems: Vec<Problem>,
    documents: usize,
}

impl Builder<'_> {
    fn span(&self, s: &YSpan) -> Span {
        Span::new(
            self.file,
            self.offsets.byte(s.start.index()),
            self.offsets.byte(s.end.index()),
        )
    }

    fn on_event(&mut self, ev: Event<'_>, ys: YSpan) -> Result<(), Problem> {
        let span = self.span(&ys);
        match ev {
            Event::DocumentStart(_) => self.documents += 1,
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| tag_name(&t));
                let (tag_span, inner) = self.split_tag(span, tag.is_some());
                // a quoted scalar ends at its closing quote, not at a trailing comment
                let (span, inner) = match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                        let end = self.quoted_end(inner, style);
                        (
                            Span::new(self.file, span.start as usize, end),
                            Span::new(self.file, inner.start as usize, end),
                        )
                    }
                    _ => (span, inner),
                };
                let node = scalar(value.as_ref(), style, tag.as_deref(), inner, span, tag_span);
                let plain_key = style == ScalarStyle::Plain && tag.is_none();
                self.finish(node, anchor, plain_key)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.push(
                    Frame::Seq {
                        start: span.start as usize,
                        anchor,
                        tag: tag.map(|t| tag_name(&t)),
                        items: Vec::new(),
                    },
                    span,
                )?;
            }
            Event::MappingStart(anchor, tag) => {
                self.push(
                    Frame::Map {
                        start: span.start as usize,
                        anchor,
                        tag: tag.map(|t| tag_name(&t)),
                        entries: Vec::new(),
                        key: None,
                        merges: Vec::new(),
                    },
                    span,
                )?;
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    start,
                    anchor,
                    tag,
                    items,
                }) = self.stack.pop()
                {
                    let end = items.last().map_or(span.end, |n| n.span.end.max(span.end));
                    let full = Span::new(self.file, start, end as usize);
                    let (tag_span, inner) = self.split_tag(full, tag.is_some());
                    let node = Node::new(inner, Kind::Seq(items));
                    self.finish(
                        apply_tag(node, tag.as_deref(), full, tag_span),
                        anchor,
                        false,
                    )?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    start,
                    anchor,
                    tag,
                    mut entries,
                    merges,
                    ..
                }) = self.stack.pop()
                {
                    apply_merges(&mut entries, merges);
                    let end = entries
                        .iter()
                        .map(|e| e.value.span.end)
                        .max()
                        .unwrap_or(span.end)
                        .max(span.end);
                    let full = Span::new(self.file, start, end as usize);
                    let (tag_span, inner) = self.split_tag(full, tag.is_some());
                    let node = Node::new(inner, Kind::Map(entries));
                    self.finish(
                        apply_tag(node, tag.as_deref(), full, tag_span),
                        anchor,
                        false,
                    )?;
                }
            }
            Event::Alias(id) => {
                let Some((node, count)) = self.anchors.get(&id) else {
                    return Err(Problem::fatal("alias to an unknown anchor".into(), span));
                };
                if *count > self.alias_budget {
                    return Err(Problem::fatal(
                        format!("aliases expand to more than {ALIAS_BUDGET} nodes (alias bomb?)"),
                        span,
                    ));
                }
                self.alias_budget -= count;
                let mut node = node.clone();
                node.span = span;
                self.finish(node, 0, false)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Where a quoted scalar ends: after its closing quote (the span the parser reports can run
    /// on over blanks and a trailing comment).
    fn quoted_end(&self, span: Span, style: ScalarStyle) -> usize {
        let bytes = self.text.as_bytes();
        let (start, end) = (span.start as usize, span.end as usize);
        let quote = if style == ScalarStyle::SingleQuoted {
            b'\''
        } else {
            b'"'
        };
        if bytes.get(start) != Some(&quote) {
            return end;
        }
        let mut i = start + 1;
        while i < end {
            match bytes.get(i) {
                Some(b'\\') if quote == b'"' => i += 2,
                Some(&b) if b == quote => {
                    if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                    } else {
                        return i + 1;
                    }
                }
                Some(_) => i += 1,
                None => break,
            }
        }
        end
    }

    /// Split a tagged node's span into the tag (`!GetAtt`) and the value after it (past blanks
    /// and comments). Untagged nodes: an empty tag span at the start, and the whole span.
    fn split_tag(&self, span: Span, tagged: bool) -> (Span, Span) {
        let bytes = self.text.as_bytes();
        let (start, end) = (span.start as usize, span.end as usize);
        if !tagged || bytes.get(start) != Some(&b'!') {
            return (Span::new(self.file, start, start), span);
        }
        let mut i = start;
        while i < end && bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
            i += 1;
        }
        let tag_end = i;
        loop {
            while i < end && bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if i < end && bytes.get(i) == Some(&b'#') {
                while i < end && bytes.get(i).is_some_and(|&b| b != b'\n') {
                    i += 1;
                }
                continue;
            }
            break;
        }
        (
            Span::new(self.file, start, tag_end),
            Span::new(self.file, i, end),
        )
    }

    fn push(&mut self, frame: Frame, span: Span) -> Result<(), Problem> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Problem::fatal(
                format!("nesting deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// A complete node: record its anchor and attach it to the parent.
    fn finish(&mut self, node: Node, anchor: usize, plain_key: bool) -> Result<(), Problem> {
        if anchor > 0 {
            let mut count = 0usize;
            node.walk(&mut |_| count += 1);
            self.anchors.insert(anchor, (node.clone(), count));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    let text = match &node.kind {
                        Kind::Str(s) | Kind::Num(s) => s.clone(),
                        Kind::Bool(b) => b.to_string(),
                        Kind::Null => String::new(),
                        _ => {
                            return Err(Problem::fatal(
                                "complex mapping keys are not supported".into(),
                                node.span,
                            ));
                        }
                    };
                    *key = Some((text, node.span, plain_key));
                }
                Some((k, key_span, plain)) => {
                    if plain && k == "<<" {
                        merges.push(node);
                        return Ok(());
                    }
                    if let Some(pos) = entries.iter().position(|e| e.key == k) {
                        let first = entries.remove(pos);
                        self.problems.push(Problem {
                            message: format!("duplicate key `{k}`; the last value is used"),
                            span: key_span,
                            related: Some(first.key_span),
                            fatal: false,
                        });
                    }
                    entries.push(Entry {
                        key: k,
                        key_span,
                        value: node,
                    });
                }
            },
        }
        Ok(())
    }
}

/// Apply YAML merge keys (`<<: *base`): merged keys never override explicit ones, and earlier
/// maps in a merge list win over later ones.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    for m in merges {
        let sources: Vec<Node> = match m.kind {
            Kind::Map(_) => vec![m],
            Kind::Seq(items) => items,
            _ => Vec::new(),
        };
        for src in sources {
            if let Kind::Map(src_entries) = src.kind {
                for e in src_entries {
                    if !entries.iter().any(|x| x.key == e.key) {
                        entries.push(e);
                    }
                }
            }
        }
    }
}

fn tag_name(t: &Tag) -> String {
    if t.handle == "!" {
        t.suffix.clone()
    } else if t.handle == "!!" || t.handle == "tag:yaml.org,2002:" {
        format!("!!{}", t.suffix)
    } else {
        format!("{}{}", t.handle, t.suffix)
    }
}

/// A scalar node: `inner` is the value's span, `outer` the span with its tag, `tag_span` the tag.
fn scalar(
    value: &str,
    style: ScalarStyle,
    tag: Option<&str>,
    inner: Span,
    outer: Span,
    tag_span: Span,
) -> Node {
    let span = inner;
    let kind = match tag {
        Some("!!str") => Kind::Str(value.to_string()),
        _ if style != ScalarStyle::Plain => Kind::Str(value.to_string()),
        _ => plain_kind(value),
    };
    if tag == Some("GetAtt") {
        // `!GetAtt Res.Attr` is the list form [Res, Attr]; the attribute may contain dots.
        let (res, attr) = value.split_once('.').unwrap_or((value, ""));
        let list = Kind::Seq(vec![
            Node::new(span, Kind::Str(res.to_string())),
            Node::new(span, Kind::Str(attr.to_string())),
        ]);
        return wrap("Fn::GetAtt", Node::new(span, list), outer, tag_span);
    }
    apply_tag(Node::new(span, kind), tag, outer, tag_span)
}

fn plain_kind(v: &str) -> Kind {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => Kind::Null,
        "true" | "True" | "TRUE" => Kind::Bool(true),
        "false" | "False" | "FALSE" => Kind::Bool(false),
        _ if looks_numeric(v) => Kind::Num(v.to_string()),
        _ => Kind::Str(v.to_string()),
    }
}

fn looks_numeric(v: &str) -> bool {
    let t = v.strip_prefix(['-', '+']).unwrap_or(v);
    !t.is_empty()
        && t.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && v.parse::<f64>().is_ok()
}

/// Lower a CloudFormation short-form tag to its long form: a one-key map spanning `outer`
/// whose key span is the tag, holding `node` (the value after the tag). Other tags (and none)
/// leave the node as it is, spanning `outer`.
fn apply_tag(node: Node, tag: Option<&str>, outer: Span, tag_span: Span) -> Node {
    let Some(tag) = tag else {
        return Node {
            span: outer,
            ..node
        };
    };
    let name = match tag {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "Sub" => "Fn::Sub",
        "Join" => "Fn::Join",
        "If" => "Fn::If",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "FindInMap" => "Fn::FindInMap",
        "ImportValue" => "Fn::ImportValue",
        "Equals" => "Fn::Equals",
        "Not" => "Fn::Not",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "GetAZs" => "Fn::GetAZs",
        "GetAtt" => "Fn::GetAtt",
        "Transform" => "Fn::Transform",
        "Length" => "Fn::Length",
        "ToJsonString" => "Fn::ToJsonString",
        "ForEach" => "Fn::ForEach",
        _ => {
            return Node {
                span: outer,
                ..node
            };
        }
    };
    wrap(name, node, outer, tag_span)
}

fn wrap(name: &str, value: Node, span: Span, key_span: Span) -> Node {
    Node::new(
        span,
        Kind::Map(vec![Entry {
            key: name.to_string(),
            key_span,
            value,
        }]),
    )
}

#[cfg(test)]
mod tests;
