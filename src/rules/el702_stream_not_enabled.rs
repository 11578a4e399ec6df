use super::rule::prelude::*;
use super::util_esm::{Esm, esms};
use crate::model::presence;

declare_rule! {
    /// ## What it does
    /// Reports an `AWS::DynamoDB::Table` without `StreamSpecification` that a DynamoDB event
    /// source (SAM `DynamoDB` event or `AWS::Lambda::EventSourceMapping`) reads through a
    /// reference (`!GetAtt Table.StreamArn`). A table named by an `AWS::DynamoDB::Stream` resource
    /// is left alone.
    ///
    /// ## Why it matters
    /// A table has a stream only when `StreamSpecification` is set. Without it the table has
    /// no `StreamArn` to read: `!GetAtt Table.StreamArn` fails and the deployment rolls back.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Orders:                   # expect: EL702
    ///     Type: AWS::DynamoDB::Table
    ///     Properties:
    ///       BillingMode: PAY_PER_REQUEST
    ///       AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
    ///       KeySchema: [{AttributeName: pk, KeyType: HASH}]
    ///   Projector:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       CodeUri: src/
    ///       Events:
    ///         Changes:
    ///           Type: DynamoDB
    ///           Properties:
    ///             Stream: !GetAtt Orders.StreamArn
    ///             StartingPosition: LATEST
    /// ```
    ///
    /// ## How to fix
    /// Add `StreamSpecification` with the `StreamViewType` the consumers need
    /// (`NEW_IMAGE`, `OLD_IMAGE`, `NEW_AND_OLD_IMAGES` or `KEYS_ONLY`).
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-dynamodb-table-streamspecification.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html>
    pub StreamNotEnabled { code: "EL702", name: "stream-not-enabled", severity: Error }
}

impl Rule for StreamNotEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        // the consumers of each stream-less table, in graph order
        let mut tables: Vec<(NodeIx, Vec<Esm<'_>>)> = Vec::new();
        for esm in esms(cx) {
            if esm.source != "DynamoDB" || !names_table(cx, &esm) {
                continue;
            }
            let Some(res) = cx.graph.node(esm.from).and_then(|n| n.res) else {
                continue;
            };
            if res.ty != "AWS::DynamoDB::Table"
                || presence(res.prop("StreamSpecification").filter(|n| !n.is_null())) != Some(false)
                || maybe_streamed_elsewhere(cx, &res.id)
            {
                continue;
            }
            match tables.iter_mut().find(|(ix, _)| *ix == esm.from) {
                Some((_, v)) => v.push(esm),
                None => tables.push((esm.from, vec![esm])),
            }
        }
        let mut out = Vec::new();
        for (ix, consumers) in tables {
            let Some(res) = cx.graph.node(ix).and_then(|n| n.res) else {
                continue;
            };
            let who = match consumers.as_slice() {
                [one] => format!("{} reads its stream", one.describe()),
                many => format!("{} event sources read its stream", many.len()),
            };
            let mut f = Finding::new(
                res.id_span,
                format!(
                    "table `{}` has no `StreamSpecification`, but {who}: the table has no stream and the deployment fails",
                    res.id
                ),
            )
            .resource(&res.id)
            .help("add `StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}` (or the view type the consumers need)")
            .key("StreamSpecification");
            for esm in &consumers {
                let span = esm.source_ref().map_or(esm.anchor(), |n| n.span);
                f = f.label(span, format!("{} reads the stream here", esm.describe()));
            }
            out.push(f);
        }
        out
    }
}

/// Whether the mapping names the table through a reference (`!GetAtt T.StreamArn`,
/// `!ImportValue`), not a literal ARN that might name a same-named table elsewhere.
fn names_table(cx: &Context<'_>, esm: &Esm<'_>) -> bool {
    esm.source_ref()
        .is_some_and(|n| cx.sys.sym(esm.tpl(), n).resource().is_some())
}

/// Whether an `AWS::DynamoDB::Stream` resource may enable the table's stream: one naming it, or
/// one whose `TableName` is not an in-scope reference to another resource.
fn maybe_streamed_elsewhere(cx: &Context<'_>, table: &str) -> bool {
    cx.sys
        .resources()
        .filter(|h| h.res.ty == "AWS::DynamoDB::Stream")
        .any(|h| {
            h.res
                .prop("TableName")
                .and_then(|n| cx.sys.sym(h.tpl, n).resource().map(|r| r.id == table))
                .unwrap_or(true)
        })
}
