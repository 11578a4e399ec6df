use std::collections::{BTreeMap, BTreeSet};

use super::rule::prelude::*;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports a DynamoDB table or S3 bucket that handler code of functions from more than one
    /// template (stack, application) writes to.
    ///
    /// ## Why it matters
    /// A datastore written by several services is a hidden contract: its key schema, item shape
    /// and object layout cannot change without coordinating every writer, and neither stack
    /// owns its data. Services should own their data and share it through events or an API.
    ///
    /// ## Example
    /// ```yaml
    /// # orders/template.yaml
    /// Orders: {Type: AWS::DynamoDB::Table, ...}
    /// # billing/template.yaml: a function whose code calls put_item on the Orders table
    /// ```
    ///
    /// ## How to fix
    /// Let one service own the table or bucket; the others publish events it consumes or call
    /// its API. If the sharing is intended, suppress the finding with the reason.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/prescriptive-guidance/latest/modernization-data-persistence/database-per-service.html>
    pub SharedDatastore { code: "EL404", name: "shared-datastore", severity: Info }
}

const DATASTORES: &[&str] = &[
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::Serverless::SimpleTable",
    "AWS::S3::Bucket",
];

impl Rule for SharedDatastore {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        // datastore -> writer (template, function) -> the first call writing it
        let mut writers: BTreeMap<NodeIx, BTreeMap<(TplId, String), Span>> = BTreeMap::new();
        for (from, to, e) in cx.graph.edges(EdgeKind::Writes) {
            if !matches!(e.cfg, Cfg::Code { .. }) {
                continue;
            }
            let (Some(store), Some(f)) = (cx.graph.node(to), cx.graph.node(from)) else {
                continue;
            };
            if store.kind != NodeKind::Resource || !DATASTORES.contains(&store.ty.as_str()) {
                continue;
            }
            let Some(tpl) = f.tpl else { continue };
            writers
                .entry(to)
                .or_default()
                .entry((tpl, f.id.clone()))
                .or_insert(e.span);
        }
        let mut out = Vec::new();
        for (ix, ws) in writers {
            let tpls: BTreeSet<TplId> = ws.keys().map(|(t, _)| *t).collect();
            if tpls.len() < 2 {
                continue;
            }
            let Some(store) = cx.graph.node(ix) else {
                continue;
            };
            let names: Vec<String> = ws.keys().map(|(_, id)| format!("`{id}`")).collect();
            let mut finding = Finding::new(
                store.span,
                format!(
                    "`{}` is written by functions of {} templates: {}",
                    store.id,
                    tpls.len(),
                    names.join(", ")
                ),
            )
            .resource(&store.id)
            .help("let one service own the datastore and have the others publish events or call its API")
            .key(format!("writers:{}", store.id));
            for ((_, id), span) in &ws {
                finding = finding.label(*span, format!("`{id}` writes here"));
            }
            out.push(finding);
        }
        out
    }
}
