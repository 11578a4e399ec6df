//! `eventlint catalog`: the event catalogue generated from code and templates. Every event type
//! handler code puts on EventBridge (bus, source, detail-type, version, detail fields), who
//! produces it (file:line), and which rules match it (and their targets), with the rules that
//! only may match (a part of the event or pattern is not known) listed separately.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::code::events::{BusEvent, Dest, field_paths, get_path, names_version};
use crate::graph::{EdgeKind, Graph};
use crate::model::System;
use crate::model::pattern::Match;
use crate::rules::util_events::{BusRule, Contracts, bus_name, match_event, rule_name};
use crate::source::Span;

/// Detail fields read as the event's version (the EL501 defaults).
const VERSION_FIELDS: &[&str] = &[
    "version",
    "schemaVersion",
    "schema_version",
    "specversion",
    "metadata.version",
];

/// One event type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventType {
    pub bus: String,
    pub source: String,
    pub detail_type: String,
    /// The version: the detail's version field, or `detail-type` when the name carries it.
    pub version: Option<String>,
    /// Detail field paths (dotted), sorted; empty when not known.
    pub fields: Vec<String>,
    /// Whether the detail of some producer is not statically known.
    pub fields_partial: bool,
    /// `function (file:line)`.
    pub producers: Vec<Producer>,
    pub consumers: Vec<Consumer>,
    pub may_consume: Vec<Consumer>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Producer {
    pub function: String,
    pub file: String,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Consumer {
    pub rule: String,
    pub bus: String,
    pub targets: Vec<String>,
}

const UNKNOWN: &str = "(computed)";

fn text_or_unknown(s: Option<&str>) -> String {
    s.map_or_else(|| UNKNOWN.to_string(), str::to_string)
}

fn version_of(ev: &BusEvent) -> Option<String> {
    if let Some(d) = ev.detail_object() {
        for f in VERSION_FIELDS {
            if let Some(v) = get_path(d, f) {
                return Some(match v {
                    crate::code::Val::Str(s) | crate::code::Val::Num(s) => format!("{f}={s}"),
                    _ => format!("{f}=?"),
                });
            }
        }
    }
    ev.detail_type()
        .filter(|d| names_version(d))
        .map(|_| "in detail-type".to_string())
}

fn locate(sys: &System, span: Span) -> (String, u32) {
    sys.db.get(span.file).map_or((String::new(), 0), |f| {
        (f.path.replace('\\', "/"), f.line_col(span.start).0)
    })
}

fn consumer(g: &Graph<'_>, r: &BusRule) -> Consumer {
    let mut targets: Vec<String> = g
        .outgoing(r.rule, EdgeKind::Routes)
        .iter()
        .filter_map(|(to, _)| g.node(*to).map(|n| n.id.clone()))
        .collect();
    targets.sort();
    targets.dedup();
    Consumer {
        rule: rule_name(g, r),
        bus: r
            .bus
            .map_or_else(|| UNKNOWN.to_string(), |b| bus_name(g, b)),
        targets,
    }
}

/// Build the catalogue, sorted by bus, source, detail-type and version.
#[must_use]
pub fn build(sys: &System, g: &Graph<'_>) -> Vec<EventType> {
    let c = Contracts::new(sys, g);
    let mut types: BTreeMap<(String, String, String, Option<String>), EventType> = BTreeMap::new();
    for p in &c.producers {
        let ev = &p.ev;
        let bus = match &ev.bus {
            Dest::Unknown(_) => UNKNOWN.to_string(),
            d => p
                .bus
                .map(|b| bus_name(g, b))
                .or_else(|| d.name().map(str::to_string))
                .unwrap_or_else(|| UNKNOWN.to_string()),
        };
        let source = text_or_unknown(ev.source());
        let dt = text_or_unknown(ev.detail_type());
        let version = version_of(ev);
        let key = (bus.clone(), source.clone(), dt.clone(), version.clone());
        let t = types.entry(key).or_insert_with(|| EventType {
            bus,
            source,
            detail_type: dt,
            version,
            ..EventType::default()
        });
        match ev.detail_object().and_then(field_paths) {
            Some(paths) => t.fields.extend(paths),
            None => t.fields_partial = true,
        }
        let (file, line) = locate(sys, ev.span);
        t.producers.push(Producer {
            function: ev.function.clone(),
            file,
            line,
        });
        for r in &c.rules {
            let same_bus = match (r.bus, p.bus) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            if !same_bus {
                continue;
            }
            let m = if r.bus.is_none() || p.bus.is_none() {
                // the bus itself is not known: at best a possible match
                match match_event(r.pattern.as_ref(), ev) {
                    Match::No => Match::No,
                    _ => Match::Unknown,
                }
            } else {
                match_event(r.pattern.as_ref(), ev)
            };
            match m {
                Match::Yes => t.consumers.push(consumer(g, r)),
                Match::Unknown => t.may_consume.push(consumer(g, r)),
                Match::No => {}
            }
        }
    }
    let mut out: Vec<EventType> = types.into_values().collect();
    for t in &mut out {
        t.fields.sort();
        t.fields.dedup();
        t.producers.sort();
        t.producers.dedup();
        t.consumers.sort();
        t.consumers.dedup();
        t.may_consume.sort();
        t.may_consume.dedup();
        t.may_consume.retain(|m| !t.consumers.contains(m));
    }
    out
}

fn consumer_md(c: &Consumer) -> String {
    let targets = if c.targets.is_empty() {
        "no target".to_string()
    } else {
        c.targets
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("`{}` on `{}` -> {targets}", c.rule, c.bus)
}

/// The catalogue as Markdown.
#[must_use]
pub fn render_md(types: &[EventType]) -> String {
    let mut out = String::from("# Event catalogue\n\n");
    if types.is_empty() {
        out.push_str("No published events found in handler code.\n");
        return out;
    }
    let _ = writeln!(out, "{} event types.\n", types.len());
    for t in types {
        let _ = writeln!(out, "## {} / {}\n", t.source, t.detail_type);
        let _ = writeln!(out, "- bus: `{}`", t.bus);
        let _ = writeln!(out, "- source: `{}`", t.source);
        let _ = writeln!(out, "- detail-type: `{}`", t.detail_type);
        let _ = writeln!(
            out,
            "- version: {}",
            t.version
                .as_deref()
                .map_or_else(|| "none".to_string(), |v| format!("`{v}`"))
        );
        let fields: Vec<String> = t.fields.iter().map(|f| format!("`{f}`")).collect();
        let fields = match (fields.is_empty(), t.fields_partial) {
            (true, true) => "not known statically".to_string(),
            (true, false) => "none".to_string(),
            (false, true) => format!("{} (some producers: not known)", fields.join(", ")),
            (false, false) => fields.join(", "),
        };
        let _ = writeln!(out, "- detail fields: {fields}");
        out.push_str("\nProducers:\n");
        for p in &t.producers {
            let _ = writeln!(out, "- `{}` ({}:{})", p.function, p.file, p.line);
        }
        out.push_str("\nConsumers:\n");
        if t.consumers.is_empty() {
            out.push_str("- none in scope\n");
        }
        for c in &t.consumers {
            let _ = writeln!(out, "- {}", consumer_md(c));
        }
        if !t.may_consume.is_empty() {
            out.push_str("\nMay match (depends on values not known statically):\n");
            for c in &t.may_consume {
                let _ = writeln!(out, "- {}", consumer_md(c));
            }
        }
        out.push('\n');
    }
    out
}

fn consumer_json(c: &Consumer) -> Value {
    json!({"rule": c.rule, "bus": c.bus, "targets": c.targets})
}

/// The catalogue as JSON: `{"version": 1, "events": [...]}`.
#[must_use]
pub fn render_json(types: &[EventType]) -> String {
    let events: Vec<Value> = types
        .iter()
        .map(|t| {
            json!({
                "bus": t.bus,
                "source": t.source,
                "detail_type": t.detail_type,
                "version": t.version,
                "fields": t.fields,
                "fields_complete": !t.fields_partial,
                "producers": t.producers.iter().map(|p| json!({"function": p.function, "file": p.file, "line": p.line})).collect::<Vec<_>>(),
                "consumers": t.consumers.iter().map(consumer_json).collect::<Vec<_>>(),
                "may_match": t.may_consume.iter().map(consumer_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut s =
        serde_json::to_string_pretty(&json!({"version": 1, "events": events})).unwrap_or_default();
    s.push('\n');
    s
}
