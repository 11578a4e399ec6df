//! A CloudFormation/SAM template: its sections and resources, with SAM `Globals` merged into
//! the effective properties of the resources they apply to.

use std::collections::HashMap;
use std::path::PathBuf;

use super::node::{Entry, Kind, Node};
use crate::source::{FileId, Span};

/// Index of a template in the [`super::System`].
pub type TplId = usize;

/// One resource of a template.
#[derive(Debug)]
pub struct Resource {
    pub id: String,
    pub id_span: Span,
    pub ty: String,
    pub ty_span: Span,
    /// The whole resource mapping (Type, Properties, Metadata, Condition, ...).
    pub node: Node,
    /// The effective properties when they are not `node.Properties` itself: SAM `Globals`
    /// merged in, or an empty map when `Properties` is absent or not a map. Most resources
    /// borrow their `Properties` instead of holding a second copy.
    own_props: Option<Node>,
    /// Where `Properties` is among `node`'s entries, when the resource borrows it.
    props_at: Option<usize>,
}

/// Stands in for properties that are neither merged nor present (not reached: see `Template::new`).
static NO_PROPS: Node = Node {
    span: Span {
        file: 0,
        start: 0,
        end: 0,
    },
    kind: Kind::Map(Vec::new()),
};

impl Resource {
    /// Effective properties: `Properties` with SAM `Globals` merged (an empty map when absent).
    #[must_use]
    pub fn props(&self) -> &Node {
        self.own_props
            .as_ref()
            .or_else(|| {
                let at = self.props_at?;
                self.node.entries().get(at).map(|e| &e.value)
            })
            .unwrap_or(&NO_PROPS)
    }

    #[must_use]
    pub fn prop(&self, key: &str) -> Option<&Node> {
        self.props().get(key)
    }

    #[must_use]
    pub fn prop_path(&self, keys: &[&str]) -> Option<&Node> {
        self.props().path(keys)
    }

    #[must_use]
    pub fn is(&self, ty: &str) -> bool {
        self.ty == ty
    }

    #[must_use]
    pub fn is_function(&self) -> bool {
        self.ty == "AWS::Serverless::Function" || self.ty == "AWS::Lambda::Function"
    }

    #[must_use]
    pub fn is_state_machine(&self) -> bool {
        self.ty == "AWS::Serverless::StateMachine" || self.ty == "AWS::StepFunctions::StateMachine"
    }
}

/// A parsed template.
#[derive(Debug)]
pub struct Template {
    pub file: FileId,
    /// Folder of the template file, for `CodeUri` and `DefinitionUri`.
    pub dir: PathBuf,
    pub is_sam: bool,
    /// The template uses `Fn::ForEach` (AWS::LanguageExtensions): resource names are generated.
    pub generates_names: bool,
    /// The document. Each resource's mapping is moved into [`Template::resources`]: the
    /// `Resources` section keeps its keys and key spans, its values are null.
    pub root: Node,
    pub resources: Vec<Resource>,
    index: HashMap<String, usize>,
}

const EMPTY: Node = Node {
    span: Span {
        file: 0,
        start: 0,
        end: 0,
    },
    kind: Kind::Null,
};

impl Template {
    /// Whether a parsed document is a CloudFormation template (by content, not file name).
    #[must_use]
    pub fn is_template(root: &Node) -> bool {
        if root.get("AWSTemplateFormatVersion").is_some() {
            return true;
        }
        if transforms(root)
            .iter()
            .any(|t| t.starts_with("AWS::Serverless"))
        {
            return true;
        }
        root.get("Resources").is_some_and(|r| {
            r.entries().iter().any(|e| {
                e.value
                    .get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
            })
        })
    }

    /// Build the template view from a parsed document.
    #[must_use]
    pub fn new(file: FileId, dir: PathBuf, mut root: Node) -> Self {
        let is_sam = transforms(&root)
            .iter()
            .any(|t| t.starts_with("AWS::Serverless"));
        let globals = if is_sam {
            root.get("Globals").cloned()
        } else {
            None
        };
        let mut generates_names = false;
        let mut resources = Vec::new();
        let section = match &mut root.kind {
            Kind::Map(entries) => entries.iter_mut().rev().find(|e| e.key == "Resources"),
            _ => None,
        };
        if let Some(Kind::Map(entries)) = section.map(|s| &mut s.value.kind) {
            for e in entries {
                if e.key.starts_with("Fn::ForEach") {
                    generates_names = true;
                    continue;
                }
                // moved, not copied: the section keeps its keys and spans
                let span = e.value.span;
                let node = std::mem::replace(&mut e.value, Node::new(span, Kind::Null));
                let ty_node = node.get("Type");
                let ty = ty_node.and_then(Node::as_str).unwrap_or("").to_string();
                let ty_span = ty_node.map_or(e.key_span, |n| n.span);
                let written = node.get("Properties");
                let mut own_props = match written {
                    Some(p) if p.is_map() => None,
                    Some(p) => Some(Node::new(p.span, Kind::Map(Vec::new()))),
                    None => Some(Node::new(e.key_span, Kind::Map(Vec::new()))),
                };
                if let Some(section) = globals
                    .as_ref()
                    .and_then(|g| globals_section(&ty).and_then(|s| g.get(s)))
                {
                    let mut props = match own_props.take() {
                        Some(p) => p,
                        None => written.cloned().unwrap_or_else(|| NO_PROPS.clone()),
                    };
                    merge_globals(&node, section, &mut props);
                    own_props = Some(props);
                }
                // the entry `get` would find: the last of that name
                let props_at = match own_props {
                    Some(_) => None,
                    None => node.entries().iter().rposition(|e| e.key == "Properties"),
                };
                resources.push(Resource {
                    id: e.key.clone(),
                    id_span: e.key_span,
                    ty,
                    ty_span,
                    node,
                    own_props,
                    props_at,
                });
            }
        }
        let index = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Template {
            file,
            dir,
            is_sam,
            generates_names,
            root,
            resources,
            index,
        }
    }

    #[must_use]
    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.index.get(id).and_then(|&i| self.resources.get(i))
    }

    #[must_use]
    pub fn section(&self, name: &str) -> &Node {
        self.root.get(name).unwrap_or(&EMPTY)
    }

    #[must_use]
    pub fn parameter(&self, name: &str) -> Option<&Node> {
        self.section("Parameters").get(name)
    }

    #[must_use]
    pub fn has_condition(&self, name: &str) -> bool {
        self.section("Conditions").get(name).is_some()
    }
}

fn transforms(root: &Node) -> Vec<&str> {
    match root.get("Transform") {
        Some(t) if t.is_seq() => t.items().iter().filter_map(Node::as_str).collect(),
        Some(t) => t.as_str().into_iter().collect(),
        None => Vec::new(),
    }
}

/// SAM `Globals` section names per resource type.
fn globals_section(ty: &str) -> Option<&'static str> {
    match ty {
        "AWS::Serverless::Function" => Some("Function"),
        "AWS::Serverless::Api" => Some("Api"),
        "AWS::Serverless::HttpApi" => Some("HttpApi"),
        "AWS::Serverless::SimpleTable" => Some("SimpleTable"),
        "AWS::Serverless::StateMachine" => Some("StateMachine"),
        "AWS::Serverless::LayerVersion" => Some("LayerVersion"),
        _ => None,
    }
}

/// Merge a `Globals.<Section>` (the one of the resource's type) into its properties, honouring `IgnoreGlobals`
/// (`"*"` or a list of property names). SAM semantics: resource values win over globals; maps
/// merge key by key; lists are concatenated (globals first).
fn merge_globals(resource: &Node, section: &Node, props: &mut Node) {
    let ignore = resource.get("IgnoreGlobals");
    let ignored = |key: &str| match ignore {
        Some(n) if n.as_str() == Some("*") => true,
        Some(n) => n.items().iter().any(|i| i.as_str() == Some(key)),
        None => false,
    };
    for g in section.entries() {
        if ignored(&g.key) {
            continue;
        }
        merge_entry(props, g);
    }
}

fn merge_entry(target: &mut Node, g: &Entry) {
    let Kind::Map(entries) = &mut target.kind else {
        return;
    };
    match entries.iter_mut().find(|e| e.key == g.key) {
        None => entries.push(g.clone()),
        Some(local) => merge_value(&mut local.value, &g.value),
    }
}

fn merge_value(local: &mut Node, global: &Node) {
    // intrinsics are opaque values: the local one wins
    if local.intrinsic().is_some() || global.intrinsic().is_some() {
        return;
    }
    match (&mut local.kind, &global.kind) {
        (Kind::Map(_), Kind::Map(gentries)) => {
            for g in gentries {
                merge_entry(local, g);
            }
        }
        (Kind::Seq(items), Kind::Seq(gitems)) => {
            let mut merged = gitems.clone();
            merged.append(items);
            *items = merged;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::yaml;

    fn tpl(text: &str) -> Template {
        Template::new(0, PathBuf::new(), yaml::load(text, 0).root.unwrap())
    }

    #[test]
    fn globals_merge_and_ignore_globals() {
        let t = tpl(
            "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Timeout: 30\n    Layers: [a]\n    Environment:\n      Variables: {A: '1'}\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Layers: [b]\n      Environment:\n        Variables: {B: '2'}\n  G:\n    Type: AWS::Serverless::Function\n    IgnoreGlobals: [Timeout]\n    Properties:\n      Timeout: 5\n  H:\n    Type: AWS::Serverless::Function\n    IgnoreGlobals: '*'\n",
        );
        let f = t.resource("F").unwrap();
        assert_eq!(f.prop("Timeout").and_then(Node::as_i64), Some(30));
        assert_eq!(f.prop("Layers").unwrap().items().len(), 2);
        assert!(f.prop_path(&["Environment", "Variables", "A"]).is_some());
        assert!(f.prop_path(&["Environment", "Variables", "B"]).is_some());
        assert_eq!(
            t.resource("G")
                .unwrap()
                .prop("Timeout")
                .and_then(Node::as_i64),
            Some(5)
        );
        assert!(t.resource("G").unwrap().prop("Layers").is_some());
        assert!(t.resource("H").unwrap().prop("Timeout").is_none());
    }

    #[test]
    fn detects_templates_by_content() {
        let yes = yaml::load("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", 0)
            .root
            .unwrap();
        let no = yaml::load("name: x\nResources: [1]\n", 0).root.unwrap();
        assert!(Template::is_template(&yes));
        assert!(!Template::is_template(&no));
    }
}
