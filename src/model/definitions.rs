//! State machine definitions: inline `Definition`, `DefinitionString` (literal, `Fn::Sub`,
//! `Fn::Join`) and the local file at `DefinitionUri`, with `DefinitionSubstitutions`.

use super::node::{Entry, Kind, Node};
use super::{Problem, System, TplId, parse_text};
use crate::load::{MAX_TEMPLATE_BYTES, ReadError, read_text};
use crate::source::{SourceFile, Span};

/// A state machine's definition and how to resolve the `${...}` placeholders in it.
#[derive(Debug)]
pub struct Definition {
    /// The ASL document.
    pub root: Node,
    /// Variables for `${...}` placeholders: `DefinitionSubstitutions`, and for a
    /// `DefinitionString: !Sub` the Sub's variable map (template names resolve too).
    pub vars: Option<Node>,
    /// The definition lives in its own file (`DefinitionUri`).
    pub in_file: bool,
}

impl Definition {
    /// A value from the definition as the template sees it: a `${...}` string becomes an
    /// `Fn::Sub` over the definition's variables, so the usual resolution applies (substitution
    /// variables, then template names). Other values are returned as they are.
    #[must_use]
    pub fn with_vars(&self, node: &Node) -> Node {
        match node.as_str() {
            Some(s) if s.contains("${") => {
                let args = match &self.vars {
                    Some(v) => Kind::Seq(vec![node.clone(), v.clone()]),
                    None => Kind::Str(s.to_string()),
                };
                Node::new(
                    node.span,
                    Kind::Map(vec![Entry {
                        key: "Fn::Sub".into(),
                        key_span: node.span,
                        value: Node::new(node.span, args),
                    }]),
                )
            }
            _ => node.clone(),
        }
    }
}

impl System {
    /// Load the definition of every state machine; syntax problems of definition files are
    /// returned for EL901.
    pub fn load_definitions(&mut self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut found = Vec::new();
        for (tpl, t) in self.templates.iter().enumerate() {
            for r in t.resources.iter().filter(|r| r.is_state_machine()) {
                let vars = r.prop("DefinitionSubstitutions").cloned();
                if let Some(def) = r.prop("Definition").filter(|d| d.is_map()) {
                    found.push((tpl, r.id.clone(), Source::Inline(def.clone()), vars));
                } else if let Some(ds) = r.prop("DefinitionString") {
                    found.push((tpl, r.id.clone(), Source::String(ds.clone()), vars));
                } else if let Some(node) = r.prop("DefinitionUri")
                    && let Some(uri) = node.as_str()
                {
                    if !uri.starts_with("s3://") {
                        found.push((
                            tpl,
                            r.id.clone(),
                            Source::File(t.dir.join(uri), uri.to_string(), node.span),
                            vars,
                        ));
                    }
                }
            }
        }
        for (tpl, id, source, vars) in found {
            let def = match source {
                Source::Inline(root) => Some(Definition {
                    root,
                    vars,
                    in_file: false,
                }),
                Source::String(node) => self.definition_string(tpl, &node, vars),
                Source::File(path, shown, uri_span) => {
                    let text = match read_text(&path, MAX_TEMPLATE_BYTES) {
                        Ok(text) => text,
                        Err(ReadError::Unavailable | ReadError::Unreadable(_)) => continue,
                        Err(ReadError::TooLarge(size)) => {
                            problems.push(Problem::fatal(
                                format!(
                                    "definition file `{shown}` is {size} bytes, larger than any state machine definition (limit {MAX_TEMPLATE_BYTES})"
                                ),
                                uri_span,
                            ));
                            continue;
                        }
                        Err(ReadError::NotUtf8(..)) => {
                            problems.push(Problem::fatal(
                                format!("definition file `{shown}` is not valid UTF-8"),
                                uri_span,
                            ));
                            continue;
                        }
                    };
                    let display = crate::load::display_path(&path);
                    let file = self.db.add(SourceFile::new(
                        if display.is_empty() { shown } else { display },
                        path,
                        text,
                    ));
                    let Some(src) = self.db.get(file) else {
                        continue;
                    };
                    let outcome = parse_text(&src.text, file);
                    problems.extend(outcome.problems);
                    outcome.root.map(|root| Definition {
                        root,
                        vars,
                        in_file: true,
                    })
                }
            };
            if let Some(d) = def {
                self.definitions.insert((tpl, id), d);
            }
        }
        problems
    }

    /// A `DefinitionString`: its text parsed as JSON, every span set to the string's span.
    /// `Fn::Join` parts that are not literal become `${__partN}` placeholders.
    fn definition_string(&self, tpl: TplId, node: &Node, vars: Option<Node>) -> Option<Definition> {
        let (text, vars) = match (node.as_str(), node.intrinsic()) {
            (Some(s), _) => (s.to_string(), vars),
            (None, Some(("Fn::Sub", arg))) => match (&arg.kind, arg.items()) {
                (Kind::Str(s), _) => (s.clone(), vars),
                (_, [s, map, ..]) => (s.as_str()?.to_string(), Some(merge_vars(map, vars))),
                _ => return None,
            },
            (None, Some(("Fn::Join", arg))) => {
                let items = arg.items();
                let delim = items.first()?.as_str()?;
                let mut text = String::new();
                let mut entries = Vec::new();
                for (i, part) in items.get(1)?.items().iter().enumerate() {
                    if i > 0 {
                        text.push_str(delim);
                    }
                    match self.sym(tpl, part).literal() {
                        Some(s) => text.push_str(&s),
                        None => {
                            let key = format!("__part{i}");
                            text.push_str(&format!("${{{key}}}"));
                            entries.push(Entry {
                                key,
                                key_span: part.span,
                                value: part.clone(),
                            });
                        }
                    }
                }
                let map = Node::new(node.span, Kind::Map(entries));
                (
                    text,
                    Some(match vars {
                        Some(v) => merge_vars(&map, Some(v)),
                        None => map,
                    }),
                )
            }
            _ => return None,
        };
        let mut root = parse_text(&text, node.span.file).root?;
        respan(&mut root, node.span);
        Some(Definition {
            root,
            vars,
            in_file: false,
        })
    }
}

enum Source {
    Inline(Node),
    String(Node),
    /// The file's path, the `DefinitionUri` as written, and its span.
    File(std::path::PathBuf, String, Span),
}

fn merge_vars(map: &Node, other: Option<Node>) -> Node {
    let mut entries: Vec<Entry> = map.entries().to_vec();
    if let Some(o) = other {
        entries.extend(o.entries().iter().cloned());
    }
    Node::new(map.span, Kind::Map(entries))
}

fn respan(node: &mut Node, span: Span) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span = span;
        match &mut n.kind {
            Kind::Seq(items) => stack.extend(items.iter_mut()),
            Kind::Map(entries) => {
                for e in entries.iter_mut() {
                    e.key_span = span;
                    stack.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
}
