use super::rule::prelude::*;
use super::util_consumer::code_of;
use super::util_esm::{Esm, esms};
use crate::model::presence;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports a DynamoDB Streams consumer whose handler (its entry file) reads `NewImage` or
    /// `OldImage` (`record["dynamodb"]["NewImage"]`, `record.dynamodb.OldImage`, Powertools'
    /// `new_image`/`old_image`) that the `StreamViewType` of every table it reads does not
    /// provide: `KEYS_ONLY` provides neither, `NEW_IMAGE` only the new image, `OLD_IMAGE` only
    /// the old one. A table without `StreamSpecification` has no stream at all (EL702) and is
    /// left to that rule; a view type from a parameter is not known and is left alone.
    ///
    /// ## Why it matters
    /// The image is never in the record: the read raises (`KeyError`, `TypeError`) and the
    /// batch is retried until it expires from the stream, or a tolerant read (`.get`,
    /// optional chaining) silently processes an empty item.
    ///
    /// ## Example
    /// ```yaml
    ///   Orders:
    ///     Type: AWS::DynamoDB::Table
    ///     Properties:
    ///       StreamSpecification:
    ///         StreamViewType: KEYS_ONLY      # the handler reads record["dynamodb"]["NewImage"]
    /// ```
    ///
    /// ## How to fix
    /// Set the `StreamViewType` the consumers need (`NEW_AND_OLD_IMAGES` provides both; note
    /// that changing it replaces the stream), or read the item from the table with the keys.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html>
    /// - <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-dynamodb-table-streamspecification.html>
    pub StreamViewTypeMismatch { code: "EL605", name: "stream-view-type-mismatch", severity: Warning }
}

/// A table's view type: its value and the node that sets it.
struct View {
    value: String,
    span: Span,
    table: String,
}

impl View {
    fn provides(&self, image: &str) -> bool {
        match self.value.as_str() {
            "NEW_AND_OLD_IMAGES" => true,
            "NEW_IMAGE" => image == "NewImage",
            "OLD_IMAGE" => image == "OldImage",
            _ => false,
        }
    }
}

/// The stream view type of the table a DynamoDB mapping reads, when known.
fn view(cx: &Context<'_>, esm: &Esm<'_>) -> Option<View> {
    let node = cx.graph.node(esm.from)?;
    let (tpl, res) = (node.tpl?, node.res?);
    if !matches!(
        res.ty.as_str(),
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable"
    ) {
        return None;
    }
    let spec = res.prop("StreamSpecification").filter(|n| !n.is_null());
    if presence(spec) != Some(true) {
        return None;
    }
    let v = spec?.get("StreamViewType")?;
    let Fact::Known(value, origin) = cx.sys.string(tpl, v) else {
        return None;
    };
    let known = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];
    known.contains(&value.as_str()).then(|| View {
        value,
        span: origin.span,
        table: res.id.clone(),
    })
}

impl Rule for StreamViewTypeMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut by_fn: Vec<(NodeIx, Vec<Esm<'_>>)> = Vec::new();
        for esm in esms(cx) {
            match by_fn.iter_mut().find(|(ix, _)| *ix == esm.to) {
                Some((_, v)) => v.push(esm),
                None => by_fn.push((esm.to, vec![esm])),
            }
        }
        let mut out = Vec::new();
        for (ix, sources) in by_fn {
            // every source a DynamoDB stream of a known view type (a Kinesis stream may carry
            // DynamoDB records with both images)
            let views: Option<Vec<View>> = sources
                .iter()
                .map(|e| (e.source == "DynamoDB").then(|| view(cx, e)).flatten())
                .collect();
            let (Some(views), Some(code)) = (views, code_of(cx, ix)) else {
                continue;
            };
            let entry = code.files.first().copied();
            let inline = matches!(code.located, crate::code::Located::Inline { .. });
            for image in ["NewImage", "OldImage"] {
                if views.iter().any(|v| v.provides(image)) {
                    continue;
                }
                let Some((_, at)) = code
                    .facts
                    .images
                    .iter()
                    .find(|(name, s)| name == image && (inline || Some(s.file) == entry))
                else {
                    continue;
                };
                let tables: Vec<String> = views
                    .iter()
                    .map(|v| format!("`{}` ({})", v.table, v.value))
                    .collect();
                let mut f = Finding::new(
                    *at,
                    format!(
                        "`{}` reads `{image}`, which the stream of {} does not provide",
                        code.id,
                        tables.join(", ")
                    ),
                )
                .resource(&code.id)
                .help(format!(
                    "set `StreamViewType: NEW_AND_OLD_IMAGES` (or {}) on the table, or read the item by its keys",
                    if image == "NewImage" { "NEW_IMAGE" } else { "OLD_IMAGE" }
                ))
                .key(format!("image:{image}"));
                for v in &views {
                    f = f.label(v.span, format!("`StreamViewType: {}`", v.value));
                }
                out.push(f);
            }
        }
        out
    }
}
