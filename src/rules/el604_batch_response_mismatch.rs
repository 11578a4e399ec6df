use super::rule::prelude::*;
use super::util_consumer::{code_of, complete};
use super::util_esm::{Esm, REPORT, esms};

declare_rule! {
    /// ## What it does
    /// Compares an SQS, Kinesis or DynamoDB Streams event source's
    /// `FunctionResponseTypes: [ReportBatchItemFailures]` with the handler code:
    /// - the setting is on, but the handler never returns `batchItemFailures` (directly, through
    ///   a variable or a helper function, or through Powertools' batch utilities
    ///   `process_partial_response`, `BatchProcessor`, `processPartialResponse`). Reported only
    ///   when all of the handler's code was read (no layer other than Powertools);
    /// - the handler (its entry file) returns `batchItemFailures`, but none of its event
    ///   sources turns the setting on.
    ///
    /// ## Why it matters
    /// With the setting on, Lambda reads the response: a handler that catches its errors and
    /// returns nothing (or `{}`) reports the whole batch as processed, and failed messages are
    /// deleted as if they had succeeded. With the setting off, Lambda ignores the list: the
    /// handler believes it retries only the failed items, but a returned list retries nothing
    /// and a raised error retries the whole batch.
    ///
    /// ## Example
    /// ```yaml
    ///   Worker:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Handler: app.handler      # app.py returns nothing
    ///       Events:
    ///         Jobs:
    ///           Type: SQS
    ///           Properties:
    ///             Queue: !GetAtt Jobs.Arn
    ///             FunctionResponseTypes: [ReportBatchItemFailures]   # expect: EL604
    /// ```
    ///
    /// ## How to fix
    /// Return `{"batchItemFailures": [{"itemIdentifier": id}, ...]}` for the records that
    /// failed (Powertools' batch utility does it), or set `FunctionResponseTypes` to match what
    /// the handler does.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html>
    /// - <https://docs.powertools.aws.dev/lambda/python/latest/utilities/batch/>
    pub BatchResponseMismatch { code: "EL604", name: "batch-response-mismatch", severity: Warning }
}

impl Rule for BatchResponseMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut by_fn: Vec<(NodeIx, Vec<Esm<'_>>)> = Vec::new();
        for esm in esms(cx) {
            if !matches!(esm.source, "SQS" | "Kinesis" | "DynamoDB") {
                continue;
            }
            match by_fn.iter_mut().find(|(ix, _)| *ix == esm.to) {
                Some((_, v)) => v.push(esm),
                None => by_fn.push((esm.to, vec![esm])),
            }
        }
        let mut out = Vec::new();
        for (ix, sources) in by_fn {
            let Some(code) = code_of(cx, ix) else {
                continue;
            };
            let returns = &code.facts.batch_failures;
            if returns.is_empty() {
                if !complete(cx, code) {
                    continue;
                }
                for esm in sources
                    .iter()
                    .filter(|e| e.reports_failures(cx) == Some(true))
                {
                    out.push(
                        Finding::new(
                            esm.at("FunctionResponseTypes"),
                            format!(
                                "{} sets `{REPORT}`, but the handler of `{}` never returns `batchItemFailures`: failed {} are deleted as if processed",
                                esm.describe(),
                                code.id,
                                esm.items()
                            ),
                        )
                        .resource(esm.resource())
                        .help("return `{\"batchItemFailures\": [{\"itemIdentifier\": ...}]}` for the failed records (or use Powertools' batch utility), or remove the setting and raise on failure")
                        .key(esm.key("FunctionResponseTypes")),
                    );
                }
                continue;
            }
            // the return is ignored only when every source is known not to report
            let sns_fed = sources.iter().any(Esm::is_sns_subscription_queue);
            if sns_fed
                || !sources
                    .iter()
                    .all(|e| e.reports_failures(cx) == Some(false))
            {
                continue;
            }
            let entry = code.files.first().copied();
            let inline = matches!(code.located, crate::code::Located::Inline { .. });
            let Some(at) = returns
                .iter()
                .find(|s| inline || Some(s.file) == entry)
                .copied()
            else {
                continue;
            };
            let mut f = Finding::new(
                at,
                format!(
                    "`{}` returns `batchItemFailures`, but `FunctionResponseTypes: [{REPORT}]` is not set on {}: Lambda ignores the list",
                    code.id,
                    describe_all(&sources)
                ),
            )
            .resource(&code.id)
            .help(format!(
                "add `FunctionResponseTypes: [{REPORT}]` to the event source, or raise on failure instead of returning the list"
            ))
            .key("batchItemFailures");
            for esm in &sources {
                f = f.label(
                    esm.at("FunctionResponseTypes"),
                    format!("without `{REPORT}`"),
                );
            }
            out.push(f);
        }
        out
    }
}

/// "event `E` of `F`", or "its event sources" when there are several.
fn describe_all(sources: &[Esm<'_>]) -> String {
    match sources {
        [one] => one.describe(),
        _ => format!("any of its {} event sources", sources.len()),
    }
}
