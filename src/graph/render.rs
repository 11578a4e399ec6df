//! Rendering the event graph: Mermaid, Graphviz dot and JSON, deterministically.

use std::fmt::Write as _;

use super::{Cfg, GEdge, Graph, NodeIx, NodeKind};
use crate::model::System;
use crate::model::iam::Decision;

fn node_name(sys: &System, g: &Graph<'_>, ix: NodeIx) -> String {
    let Some(n) = g.node(ix) else {
        return String::new();
    };
    match (n.kind, n.tpl) {
        (NodeKind::External, _) | (_, None) => n.id.clone(),
        (_, Some(t)) if sys.templates.len() > 1 => {
            let file = sys
                .templates
                .get(t)
                .and_then(|t| sys.db.get(t.file))
                .map_or("", |f| f.path.as_str());
            format!("{file}#{}", n.id)
        }
        _ => n.id.clone(),
    }
}

fn short_type(ty: &str) -> &str {
    ty.rsplit("::").next().unwrap_or(ty)
}

/// Node indices in output order: by display name, then type.
fn ordered(sys: &System, g: &Graph<'_>) -> Vec<(NodeIx, String)> {
    let mut v: Vec<(NodeIx, String)> = g
        .nodes()
        .map(|(ix, _)| (ix, node_name(sys, g, ix)))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    v
}

/// Nodes that take part in at least one edge, in output order: the picture leaves out
/// resources events never touch (policies, roles, tables without streams).
fn connected(sys: &System, g: &Graph<'_>) -> Vec<(NodeIx, String)> {
    let mut v = ordered(sys, g);
    v.retain(|(ix, _)| g.g.neighbors_undirected(*ix).next().is_some());
    v
}

/// An edge as drawn: from, to, label (the kind, for `allows` edges with the actions and the
/// principal), and whether the permission model denies the delivery.
type Drawn = (String, String, String, bool);

/// The label of an edge, with at most `max` actions of an `allows` edge.
fn edge_label(e: &GEdge<'_>, max: usize) -> String {
    match &e.cfg {
        Cfg::Allows { actions, principal } => {
            let mut shown: Vec<&str> = actions.iter().take(max).map(String::as_str).collect();
            let more = actions.len().saturating_sub(max);
            let extra = format!("+{more}");
            if more > 0 {
                shown.push(&extra);
            }
            let mut label = format!("{} {}", e.kind.as_str(), shown.join(" "));
            if let Some(p) = principal {
                label.push_str(&format!(" to {p}"));
            }
            label
        }
        _ => e.kind.as_str().to_string(),
    }
}

fn ordered_edges(sys: &System, g: &Graph<'_>) -> Vec<Drawn> {
    let mut v: Vec<Drawn> =
        g.g.edge_indices()
            .filter_map(|e| {
                let (a, b) = g.g.edge_endpoints(e)?;
                let w = g.g.edge_weight(e)?;
                let denied = matches!(
                    super::access::delivery(sys, g, a, b, w),
                    Some(Decision::Denied(_))
                );
                Some((
                    node_name(sys, g, a),
                    node_name(sys, g, b),
                    edge_label(w, 2),
                    denied,
                ))
            })
            .collect();
    v.sort();
    v.dedup();
    v
}

/// Mermaid `flowchart LR`.
#[must_use]
pub fn render_mermaid(sys: &System, g: &Graph<'_>) -> String {
    let mut out = String::from("flowchart LR\n");
    let nodes = connected(sys, g);
    let id_of = |name: &str| {
        nodes
            .iter()
            .position(|(_, n)| n == name)
            .map_or_else(String::new, |i| format!("n{i}"))
    };
    for (i, (ix, name)) in nodes.iter().enumerate() {
        let Some(n) = g.node(*ix) else { continue };
        let label = format!("{}<br/>{}", name, short_type(&n.ty)).replace('"', "'");
        let shape = match n.kind {
            NodeKind::External => format!("n{i}[/\"{label}\"/]"),
            NodeKind::Generated => format!("n{i}([\"{label}\"])"),
            NodeKind::Resource => format!("n{i}[\"{label}\"]"),
        };
        let _ = writeln!(out, "  {shape}");
    }
    let mut denied = Vec::new();
    for (i, (a, b, label, deny)) in ordered_edges(sys, g).into_iter().enumerate() {
        let (arrow, label) = match (deny, label.as_str()) {
            (true, _) => {
                denied.push(i.to_string());
                ("--x", format!("{label}: denied"))
            }
            (false, "dead-letters") => ("-.->", label),
            (false, l) if l.starts_with("allows") => ("-.->", label),
            _ => ("-->", label),
        };
        let _ = writeln!(out, "  {} {arrow}|{label}| {}", id_of(&a), id_of(&b));
    }
    if !denied.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d62728,color:#d62728",
            denied.join(",")
        );
    }
    out
}

/// Graphviz dot.
#[must_use]
pub fn render_dot(sys: &System, g: &Graph<'_>) -> String {
    let mut out = String::from("digraph eventlint {\n  rankdir=LR;\n");
    for (ix, name) in connected(sys, g) {
        let Some(n) = g.node(ix) else { continue };
        let style = match n.kind {
            NodeKind::External => ", style=dashed",
            NodeKind::Generated => ", style=rounded",
            NodeKind::Resource => "",
        };
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\\n{}\"{style}];",
            esc(&name),
            esc(&name),
            esc(short_type(&n.ty))
        );
    }
    for (a, b, label, denied) in ordered_edges(sys, g) {
        let (label, style) = match (denied, label.as_str()) {
            (true, _) => (
                format!("{label}: denied"),
                ", style=dashed, color=red, fontcolor=red",
            ),
            (false, "dead-letters") => (label, ", style=dashed"),
            (false, l) if l.starts_with("allows") => (label, ", style=dotted, color=gray"),
            _ => (label, ""),
        };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"{style}];",
            esc(&a),
            esc(&b),
            esc(&label)
        );
    }
    out.push_str("}\n");
    out
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// An edge for JSON output: from, to, kind, label, denied, and where it was declared.
type EdgeRow = (
    String,
    String,
    &'static str,
    String,
    bool,
    Option<(String, u32)>,
);

/// JSON: `{"nodes": [{id, type, kind, file, line}], "edges": [{from, to, kind, label, denied,
/// file, line}]}`; `label` is the kind, for `allows` edges with the actions and principal;
/// `denied` says the permission model denies the delivery.
#[must_use]
pub fn render_json(sys: &System, g: &Graph<'_>) -> String {
    let loc = |span: crate::source::Span| {
        sys.db
            .get(span.file)
            .map(|f| (f.path.clone(), f.line_col(span.start).0))
    };
    let nodes: Vec<serde_json::Value> = ordered(sys, g)
        .into_iter()
        .filter_map(|(ix, name)| {
            let n = g.node(ix)?;
            let (file, line) = if n.kind == NodeKind::External { (None, None) } else { loc(n.span).map_or((None, None), |(f, l)| (Some(f), Some(l))) };
            Some(serde_json::json!({
                "id": name, "type": n.ty,
                "kind": match n.kind { NodeKind::Resource => "resource", NodeKind::Generated => "generated", NodeKind::External => "external" },
                "generated_by": n.parent, "file": file, "line": line,
            }))
        })
        .collect();
    let mut edges: Vec<EdgeRow> =
        g.g.edge_indices()
            .filter_map(|e| {
                let (a, b) = g.g.edge_endpoints(e)?;
                let w = g.g.edge_weight(e)?;
                let denied = matches!(
                    super::access::delivery(sys, g, a, b, w),
                    Some(Decision::Denied(_))
                );
                Some((
                    node_name(sys, g, a),
                    node_name(sys, g, b),
                    w.kind.as_str(),
                    edge_label(w, usize::MAX),
                    denied,
                    loc(w.span),
                ))
            })
            .collect();
    edges.sort();
    let edges: Vec<serde_json::Value> = edges
        .into_iter()
        .map(|(a, b, k, label, denied, l)| serde_json::json!({"from": a, "to": b, "kind": k, "label": label, "denied": denied, "file": l.as_ref().map(|x| &x.0), "line": l.as_ref().map(|x| x.1)}))
        .collect();
    let doc = serde_json::json!({"nodes": nodes, "edges": edges});
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
