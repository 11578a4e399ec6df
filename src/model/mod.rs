//! Templates: loading (YAML/JSON with spans), intrinsic resolution and SAM semantics.

pub mod alarm;
pub mod aws;
pub mod definitions;
pub mod fact;
pub mod filter_policy;
pub mod iam;
pub mod intrinsics;
pub mod json;
pub mod names;
pub mod node;
pub mod pattern;
pub mod sfn;
pub mod template;
pub mod yaml;

use std::collections::HashMap;

use crate::source::{FileId, SourceDb, Span};
pub use fact::{Fact, Origin};
pub use intrinsics::{Part, ResRef, Sym, presence};
pub use node::{Entry, Kind, Node};
pub use template::{Resource, Template, TplId};

/// Something wrong with a file's syntax. Fatal problems leave no tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub message: String,
    pub span: Span,
    /// Another place involved (the first definition of a duplicate key).
    pub related: Option<Span>,
    pub fatal: bool,
}

impl Problem {
    #[must_use]
    pub fn fatal(message: String, span: Span) -> Self {
        Problem {
            message,
            span,
            related: None,
            fatal: true,
        }
    }
}

/// The result of parsing one file.
#[derive(Debug, Default)]
pub struct LoadOutcome {
    pub root: Option<Node>,
    pub problems: Vec<Problem>,
}

/// Parse a file's text as JSON (when it starts with `{`) or YAML.
#[must_use]
pub fn parse_text(text: &str, file: FileId) -> LoadOutcome {
    sfn::parse_definition_text(text, file)
}

/// All templates of one run: one system, linked by exports and imports.
#[derive(Debug, Default)]
pub struct System {
    pub db: SourceDb,
    pub templates: Vec<Template>,
    /// Export name -> (template, output logical ID).
    pub exports: HashMap<String, (TplId, String)>,
    /// Physical names of resources, for matching literal ARNs, URLs and names.
    pub names: names::NameIndex,
    /// State machine definitions, by (template, logical ID).
    pub definitions: HashMap<(TplId, String), definitions::Definition>,
    /// Handler code of every function, by (template, logical ID).
    pub code: std::collections::BTreeMap<(TplId, String), crate::code::FunctionCode>,
}

/// A resource together with the template it belongs to.
#[derive(Clone, Copy, Debug)]
pub struct ResHandle<'a> {
    pub tpl: TplId,
    pub res: &'a Resource,
}

impl System {
    /// Build the system from loaded templates: exports and the name index.
    #[must_use]
    pub fn new(db: SourceDb, templates: Vec<Template>) -> Self {
        let mut sys = System {
            db,
            templates,
            exports: HashMap::new(),
            names: names::NameIndex::default(),
            definitions: HashMap::new(),
            code: std::collections::BTreeMap::new(),
        };
        let mut exports = HashMap::new();
        for (tpl, t) in sys.templates.iter().enumerate() {
            for out in t.section("Outputs").entries() {
                if let Some(name) = out.value.path(&["Export", "Name"])
                    && let Some(n) = sys.sym(tpl, name).literal()
                {
                    exports.insert(n, (tpl, out.key.clone()));
                }
            }
        }
        sys.exports = exports;
        sys.names = names::NameIndex::build(&sys);
        sys
    }

    #[must_use]
    pub fn resource(&self, tpl: TplId, id: &str) -> Option<ResHandle<'_>> {
        self.templates
            .get(tpl)?
            .resource(id)
            .map(|res| ResHandle { tpl, res })
    }

    /// Every resource of every template, in order.
    pub fn resources(&self) -> impl Iterator<Item = ResHandle<'_>> {
        self.templates
            .iter()
            .enumerate()
            .flat_map(|(tpl, t)| t.resources.iter().map(move |res| ResHandle { tpl, res }))
    }

    /// The in-scope resource a value refers to (Ref/GetAtt/Sub/ImportValue, or a literal ARN,
    /// URL or name of a resource whose physical name is known). `service` narrows plain names:
    /// `sqs`, `sns`, `lambda`, `events-bus`, `events-rule`, `states`, `dynamodb`, `s3`, `kinesis`.
    #[must_use]
    pub fn target(&self, tpl: TplId, node: &Node, service: Option<&str>) -> Option<ResHandle<'_>> {
        let sym = self.sym(tpl, node);
        if let Some(r) = sym.resource() {
            return self.resource(r.tpl, &r.id);
        }
        let text = sym.pattern()?;
        let (svc, name) = names::parse_reference(&text, service)?;
        let (t, id) = self.names.lookup(svc, &name)?;
        self.resource(t, id)
    }
}
