use super::rule::prelude::*;
use super::util_queue::{QUEUE, is_function_node, list_ids, resource_of, sqs_consumers};

/// The smallest `maxReceiveCount` AWS recommends for a queue that Lambda reads.
const MIN_RECEIVES: RuleOption = RuleOption {
    name: "min-max-receive-count",
    default: 5,
    min: 1,
    doc: "the smallest `maxReceiveCount` accepted on a queue that Lambda reads",
};

declare_rule! {
    /// ## What it does
    /// Reports a `RedrivePolicy` with `maxReceiveCount` below 5 (the option
    /// `min-max-receive-count`) on a queue that a Lambda function consumes (SAM `SQS` event or
    /// `AWS::Lambda::EventSourceMapping`).
    ///
    /// ## Why it matters
    /// Lambda's pollers receive messages before the function is invoked. When the function is
    /// throttled, the batch is returned to the queue, and each of those receives counts. With a
    /// low `maxReceiveCount`, messages reach the dead-letter queue under load without ever
    /// having failed, and someone has to redrive them by hand.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Jobs:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       VisibilityTimeout: 180
    ///       RedrivePolicy:
    ///         deadLetterTargetArn: !GetAtt JobsDlq.Arn
    ///         maxReceiveCount: 1   # expect: EL109
    ///   JobsDlq:
    ///     Type: AWS::SQS::Queue
    ///   Worker:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       Events:
    ///         Job:
    ///           Type: SQS
    ///           Properties:
    ///             Queue: !GetAtt Jobs.Arn
    /// ```
    ///
    /// ## How to fix
    /// Set `maxReceiveCount` to 5 or more. To limit how often a poison message is retried,
    /// report partial batch failures (`ReportBatchItemFailures`) rather than lowering it.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html>
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html>
    pub MaxReceiveCountLow {
        code: "EL109", name: "max-receive-count-low", severity: Info, options: [MIN_RECEIVES]
    }
}

impl Rule for MaxReceiveCountLow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let min = cx.options.int(Self::META.code, &MIN_RECEIVES);
        let mut out = Vec::new();
        for (from, _, edge) in cx.graph.edges(EdgeKind::DeadLetters) {
            let Cfg::DeadLetter {
                kind: DlqKind::Redrive,
                max_receive: Some(mrc),
            } = edge.cfg
            else {
                continue;
            };
            let Some(q) = resource_of(cx.graph, from, QUEUE) else {
                continue;
            };
            let Fact::Known(count, at) = cx.sys.int(q.tpl, mrc) else {
                continue;
            };
            if count >= min {
                continue;
            }
            let lambdas: Vec<_> = sqs_consumers(cx.graph, from)
                .into_iter()
                .filter(|(to, _)| cx.graph.node(*to).is_some_and(is_function_node))
                .collect();
            if lambdas.is_empty() {
                continue;
            }
            let names: Vec<String> = lambdas
                .iter()
                .filter_map(|(to, _)| cx.graph.node(*to))
                .filter(|n| n.kind != NodeKind::External)
                .map(|n| n.id.clone())
                .collect();
            let by = if names.is_empty() {
                "a Lambda function".to_string()
            } else {
                list_ids(&names)
            };
            let mut f = Finding::new(
                at.span,
                format!(
                    "queue `{}` has maxReceiveCount {count}, below {min}, and is consumed by {by}: messages throttled by Lambda can reach the dead-letter queue without ever failing",
                    q.res.id
                ),
            )
            .resource(&q.res.id)
            .help(format!("set `maxReceiveCount` to at least {min}"))
            .key("RedrivePolicy.maxReceiveCount");
            for (to, e) in lambdas {
                let who = cx
                    .graph
                    .node(to)
                    .filter(|n| n.kind != NodeKind::External)
                    .map_or_else(
                        || "a Lambda function".to_string(),
                        |n| format!("`{}`", n.id),
                    );
                f = f.label(e.span, format!("{who} reads the queue here"));
            }
            out.push(f);
        }
        out
    }
}
