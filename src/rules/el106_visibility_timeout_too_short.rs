use super::rule::prelude::*;
use super::util_queue::{FUNCTION, handle, resource_of};
use crate::model::aws::SQS_VISIBILITY_DEFAULT;

/// AWS recommends a visibility timeout of six times the function timeout.
const FACTOR: RuleOption = RuleOption {
    name: "visibility-factor",
    default: 6,
    min: 1,
    doc: "the multiple of the function `Timeout` the queue's `VisibilityTimeout` must reach",
};

declare_rule! {
    /// ## What it does
    /// Checks that a queue consumed by a function (SAM `SQS` event, `SqsSubscription`, or
    /// `AWS::Lambda::EventSourceMapping`) has a `VisibilityTimeout` of at least six times the
    /// function's `Timeout` (SAM `Globals` included; defaults 30 s and 3 s). Below the function
    /// timeout itself it is an error. The queue SAM creates for `SqsSubscription: true` always
    /// has the default 30 s. The factor is the option `visibility-factor`.
    ///
    /// ## Why it matters
    /// When an invocation outlives the visibility timeout, the message becomes visible again
    /// and a second invocation processes it in parallel. AWS recommends six times the timeout
    /// so that batches throttled or retried by Lambda do not come back while still in work.
    /// When the visibility timeout is shorter than the function timeout, creating the event
    /// source mapping fails and the deployment rolls back.
    ///
    /// ## Example
    /// ```yaml
    /// Transform: AWS::Serverless-2016-10-31
    /// Resources:
    ///   Jobs:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       VisibilityTimeout: 60   # expect: EL106
    ///   Worker:
    ///     Type: AWS::Serverless::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: app.handler
    ///       Timeout: 30
    ///       Events:
    ///         Job:
    ///           Type: SQS
    ///           Properties:
    ///             Queue: !GetAtt Jobs.Arn
    /// ```
    ///
    /// ## How to fix
    /// Set `VisibilityTimeout` to at least 6 x the function `Timeout` (180 s here), or lower the
    /// function `Timeout`.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html>
    /// - <https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html>
    pub VisibilityTimeoutTooShort {
        code: "EL106", name: "visibility-timeout-too-short", severity: Warning, options: [FACTOR]
    }
}

impl Rule for VisibilityTimeoutTooShort {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let factor = cx.options.int(Self::META.code, &FACTOR);
        let mut out = Vec::new();
        for (from, to, edge) in cx.graph.edges(EdgeKind::Polls) {
            if !matches!(edge.cfg, Cfg::Esm { source: "SQS", .. }) {
                continue;
            }
            let (Some(queue), Some(func)) =
                (cx.graph.node(from), resource_of(cx.graph, to, FUNCTION))
            else {
                continue;
            };
            // the queue: declared in a template, or the one SAM creates (no properties)
            let (visibility, resource, generated) = match (queue.kind, handle(queue)) {
                (NodeKind::Resource, Some(q)) if q.res.ty == "AWS::SQS::Queue" => {
                    (cx.sys.visibility_timeout(q), q.res.id.clone(), false)
                }
                (NodeKind::Generated, _) if queue.ty == "AWS::SQS::Queue" => {
                    match queue.parent.clone() {
                        Some(parent) => (
                            Fact::default_value(SQS_VISIBILITY_DEFAULT, queue.span),
                            parent,
                            true,
                        ),
                        None => continue,
                    }
                }
                _ => continue,
            };
            let timeout = cx.sys.function_timeout(func);
            let (Fact::Known(vis, vis_at), Fact::Known(t, t_at)) = (&visibility, &timeout) else {
                continue;
            };
            let (vis, t) = (*vis, *t);
            let wanted = t.saturating_mul(factor);
            if vis >= wanted {
                continue;
            }
            let fid = &func.res.id;
            let below = vis < t;
            let message = if below {
                format!(
                    "queue `{}` has a VisibilityTimeout of {}, less than the Timeout of its consumer `{fid}` ({}): creating the event source mapping fails",
                    queue.id,
                    visibility.describe_secs(),
                    timeout.describe_secs()
                )
            } else {
                format!(
                    "queue `{}` has a VisibilityTimeout of {}, less than {factor} x the Timeout of its consumer `{fid}` ({})",
                    queue.id,
                    visibility.describe_secs(),
                    timeout.describe_secs()
                )
            };
            let help = if generated {
                format!(
                    "SAM creates this queue with the default 30 s: declare the queue with `VisibilityTimeout: {wanted}` (or more) and pass it as `SqsSubscription: {{QueueArn, QueueUrl}}`, or lower `Timeout` of `{fid}`"
                )
            } else {
                format!(
                    "set `VisibilityTimeout` to at least {wanted} s ({factor} x the function timeout), or lower `Timeout` of `{fid}`"
                )
            };
            let mut f = Finding::new(vis_at.span, message)
                .resource(resource)
                .label(t_at.span, format!("`{fid}` can run for {t} s"))
                .label(edge.span, format!("`{fid}` consumes `{}` here", queue.id))
                .help(help)
                .key(format!("{}:{fid}", queue.id));
            if below {
                f = f.severity(Severity::Error);
            }
            out.push(f);
        }
        out
    }
}
