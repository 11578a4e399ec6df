use super::rule::prelude::*;
use super::util_esm::{Esm, batch_size, esms};
use crate::model::ResHandle;
use crate::source::Span;

/// Largest SQS batch without a batching window, and largest FIFO batch.
const SQS_MAX_UNBATCHED: i64 = 10;
const WINDOW: &str = "MaximumBatchingWindowInSeconds";

declare_rule! {
    /// ## What it does
    /// Reports an SQS event source (SAM `SQS` event, the `SqsSubscription` of an SNS event, or
    /// `AWS::Lambda::EventSourceMapping`) with `BatchSize` above 10 and no
    /// `MaximumBatchingWindowInSeconds` of at least 1, or with `BatchSize` above 10 on a FIFO
    /// queue.
    ///
    /// ## Why it matters
    /// Lambda rejects the event source mapping, so the deployment fails: a batch of more than
    /// 10 messages from a standard queue needs a batching window of at least one second, and a
    /// FIFO queue allows at most 10 messages per batch.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Events:
    ///     Type: AWS::SQS::Queue
    ///     Properties: {VisibilityTimeout: 360}
    ///   Loader:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       CodeUri: src/
    ///       Timeout: 60
    ///       Events:
    ///         Queue:
    ///           Type: SQS
    ///           Properties:
    ///             Queue: !GetAtt Events.Arn
    ///             BatchSize: 100     # expect: EL111
    /// ```
    ///
    /// ## How to fix
    /// Add `MaximumBatchingWindowInSeconds` (1 to 300) for a standard queue, or lower
    /// `BatchSize` to 10 or less. A FIFO queue needs `BatchSize` of 10 or less.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html>
    pub InvalidBatching { code: "EL111", name: "invalid-batching", severity: Error }
}

impl Rule for InvalidBatching {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for esm in esms(cx) {
            // `SqsSubscription: true`: the SNS event's own properties, SAM's default batch of 10
            if esm.source != "SQS"
                || (esm.is_sns_subscription_queue() && esm.props.get("Topic").is_some())
            {
                continue;
            }
            let Fact::Known(size, origin) = batch_size(cx, &esm) else {
                continue;
            };
            if size <= SQS_MAX_UNBATCHED {
                continue;
            }
            let fifo = fifo_queue(cx, &esm);
            let base = Finding::new(origin.span, String::new())
                .resource(esm.resource())
                .key(esm.key(if esm.is_sns_subscription_queue() {
                    "SqsSubscription.BatchSize"
                } else {
                    "BatchSize"
                }));
            if let Some((id, fifo_at)) = fifo {
                out.push(Finding {
                    message: format!(
                        "{} reads FIFO queue `{id}` with `BatchSize` {size}, but a FIFO queue allows at most {SQS_MAX_UNBATCHED} messages per batch: the deployment fails",
                        esm.describe()
                    ),
                    ..base
                }
                .label(fifo_at, format!("`{id}` is a FIFO queue"))
                .help(format!("set `BatchSize` to {SQS_MAX_UNBATCHED} or less")));
                continue;
            }
            let Fact::Known(window, window_at) = esm.int(cx, WINDOW, 0) else {
                continue;
            };
            if window >= 1 {
                continue;
            }
            let (window_text, help) = if esm.is_sns_subscription_queue() {
                (
                    "no batching window (SAM's `SqsSubscription` mapping cannot have one)"
                        .to_string(),
                    format!("set `BatchSize` to {SQS_MAX_UNBATCHED} or less"),
                )
            } else if window_at.default {
                (
                    format!("no `{WINDOW}`"),
                    format!(
                        "add `{WINDOW}` (1 to 300 s), or set `BatchSize` to {SQS_MAX_UNBATCHED} or less"
                    ),
                )
            } else {
                (
                    format!("`{WINDOW}` {window} s"),
                    format!(
                        "set `{WINDOW}` to at least 1 s, or `BatchSize` to {SQS_MAX_UNBATCHED} or less"
                    ),
                )
            };
            let mut f = Finding {
                message: format!(
                    "{} has `BatchSize` {size} with {window_text}: a batch of more than {SQS_MAX_UNBATCHED} messages needs a batching window of at least 1 s, so the deployment fails",
                    esm.describe()
                ),
                ..base
            }
            .help(help);
            if !window_at.default {
                f = f.label(window_at.span, "the batching window");
            }
            out.push(f);
        }
        out
    }
}

/// The name of the queue a mapping reads and where it is shown to be FIFO: `FifoQueue` or a
/// `.fifo` name of an in-scope queue, or a literal ARN ending in `.fifo` (only FIFO queue names
/// may have that suffix).
fn fifo_queue(cx: &Context<'_>, esm: &Esm<'_>) -> Option<(String, Span)> {
    let node = cx.graph.node(esm.from)?;
    if let (Some(tpl), Some(res)) = (node.tpl, node.res) {
        return match cx.sys.is_fifo(ResHandle { tpl, res }) {
            Fact::Known(true, o) => Some((res.id.clone(), o.span)),
            _ => None,
        };
    }
    let src = esm.source_ref()?;
    let arn = cx.sys.sym(esm.tpl(), src).pattern()?;
    let name = arn.rsplit([':', '/']).next()?;
    name.ends_with(".fifo")
        .then(|| (name.to_string(), src.span))
}
