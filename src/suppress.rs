//! Suppressions: `Metadata: {eventlint: {ignore: [EL101, queue-without-dlq]}}` on a resource
//! (findings whose resource it is) or at the template's top level (the whole file).
//!
//! Findings about a SAM event or a resource SAM generates (the rule of an `EventBridgeRule`
//! event, the queue of an `SqsSubscription`) name the function as their resource, so the
//! suppression sits on the function, the only place the user can write it. Findings in a state
//! machine's `DefinitionUri` file belong to the template that declares the state machine.
//!
//! An entry `EL903:<rule>` (or `policy-violation:<rule>`) silences the policy findings of one
//! Guard rule only; plain `EL903` silences them all.
//!
//! Every entry is collected once; the engine records which entries silenced a finding, and
//! EL904 reports the unknown and unused ones.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::model::{Node, System, TplId};
use crate::rules::rule::{RuleMeta, lookup};
use crate::source::{FileId, Span};

/// One entry of an `ignore` list.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// The entry as written.
    pub text: String,
    pub span: Span,
    pub tpl: TplId,
    /// The resource whose `Metadata` holds it; `None` at the template's top level.
    pub resource: Option<String>,
    /// The rule it names by code or name; `None` when it names none.
    pub rule: Option<&'static RuleMeta>,
    /// For `EL903:<rule>`: the Guard rule whose policy findings it silences (`rule` is EL903).
    pub policy: Option<String>,
    /// Set by the engine: the entry silenced at least one finding.
    pub used: bool,
    /// Set by the engine: its rule ran where the entry applies, so an unused entry is stale.
    pub checked: bool,
    /// For a comment in handler code (`# eventlint: ignore[EL401] reason`): its 1-based line; it
    /// applies to findings on that line and the next in the same file.
    pub line: Option<u32>,
}

/// The rule an entry names, and the Guard rule of an `EL903:<rule>` entry.
fn named(text: &str) -> (Option<&'static RuleMeta>, Option<String>) {
    match crate::engine::policy_selector(text) {
        Some(rule) => (
            Some(&crate::rules::el903_policy_violation::PolicyViolation::META),
            Some(rule.to_string()),
        ),
        None => (lookup(text), None),
    }
}

fn entries(metadata: Option<&Node>) -> Vec<&Node> {
    match metadata.and_then(|m| m.path(&["eventlint", "ignore"])) {
        Some(list) if list.is_seq() => list.items().iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

/// Every suppression entry of every template, in template order.
#[must_use]
pub fn collect(sys: &System) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (tpl, t) in sys.templates.iter().enumerate() {
        let scopes = std::iter::once((None, t.root.get("Metadata"))).chain(
            t.resources
                .iter()
                .map(|r| (Some(r.id.as_str()), r.node.get("Metadata"))),
        );
        for (resource, metadata) in scopes {
            for item in entries(metadata) {
                let Some(text) = item.as_str() else { continue };
                let (rule, policy) = named(text);
                out.push(Suppression {
                    text: text.to_string(),
                    span: item.span,
                    tpl,
                    resource: resource.map(str::to_string),
                    rule,
                    policy,
                    used: false,
                    checked: false,
                    line: None,
                });
            }
        }
    }
    // comments in handler code, once per file (a file may serve several functions)
    let mut seen = std::collections::BTreeSet::new();
    for ((tpl, _), code) in &sys.code {
        for &file in &code.files {
            if !seen.insert(file) {
                continue;
            }
            let Some(src) = sys.db.get(file) else {
                continue;
            };
            for c in crate::code::suppress::scan(&src.text) {
                for rule in c.rules {
                    let (meta, policy) = named(&rule);
                    out.push(Suppression {
                        rule: meta,
                        policy,
                        text: rule,
                        span: Span::new(file, c.offset, c.offset),
                        tpl: *tpl,
                        resource: None,
                        used: false,
                        checked: false,
                        line: Some(c.line),
                    });
                }
            }
        }
    }
    out
}

/// Which template each file belongs to: the template in it, or the one declaring the state
/// machine whose definition file, or the function whose handler file, it is. Built once per run
/// (a finding's template was a scan over every template).
pub struct Owners {
    templates: HashMap<FileId, TplId>,
    /// Definition and handler files: the (template, resource) pairs they belong to, by template.
    resources: HashMap<FileId, Vec<(TplId, String)>>,
}

impl Owners {
    #[must_use]
    #[allow(
        clippy::iter_over_hash_type,
        reason = "each file's owners are sorted: the result does not depend on the order"
    )]
    pub fn new(sys: &System) -> Self {
        let mut templates = HashMap::new();
        for (tpl, t) in sys.templates.iter().enumerate() {
            templates.entry(t.file).or_insert(tpl);
        }
        let mut resources: HashMap<FileId, Vec<(TplId, String)>> = HashMap::new();
        for ((tpl, id), def) in &sys.definitions {
            if def.in_file {
                let owners = resources.entry(def.root.span.file).or_default();
                owners.push((*tpl, id.clone()));
            }
        }
        for ((tpl, id), code) in &sys.code {
            for f in &code.files {
                resources.entry(*f).or_default().push((*tpl, id.clone()));
            }
        }
        for owners in resources.values_mut() {
            owners.sort();
        }
        Owners {
            templates,
            resources,
        }
    }

    /// The template a finding belongs to: the one in its file, or the first declaring its
    /// resource with the file as a definition or handler file.
    #[must_use]
    pub fn template_of(&self, d: &Diagnostic) -> Option<TplId> {
        let file = d.finding.span.file;
        if let Some(tpl) = self.templates.get(&file) {
            return Some(*tpl);
        }
        let id = d.finding.resource.as_ref()?;
        self.resources
            .get(&file)?
            .iter()
            .find(|(_, rid)| rid == id)
            .map(|(tpl, _)| *tpl)
    }
}

/// Whether an entry silences `d`; every entry that does is marked used.
pub fn silence(sys: &System, owners: &Owners, sups: &mut [Suppression], d: &Diagnostic) -> bool {
    let Some(tpl) = owners.template_of(d) else {
        return false;
    };
    let line = sys
        .db
        .get(d.finding.span.file)
        .map(|f| f.line_col(d.finding.span.start).0);
    let mut silenced = false;
    for s in sups.iter_mut().filter(|s| {
        let place = match s.line {
            // a code comment covers its own line and the next, in its own file
            Some(l) => {
                s.span.file == d.finding.span.file && line.is_some_and(|dl| dl == l || dl == l + 1)
            }
            None => s.tpl == tpl && (s.resource.is_none() || s.resource == d.finding.resource),
        };
        place
            && s.rule.is_some_and(|r| r.code == d.code)
            && s.policy
                .as_ref()
                .is_none_or(|p| d.finding.policy.as_ref() == Some(p))
    }) {
        s.used = true;
        silenced = true;
    }
    silenced
}
