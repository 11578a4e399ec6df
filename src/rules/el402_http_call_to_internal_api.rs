use super::rule::prelude::*;
use super::util_http::internal_endpoint;

declare_rule! {
    /// ## What it does
    /// Reports handler code that sends an HTTP request to an endpoint of the same system: a URL
    /// that resolves, through the function's environment variables, to an API Gateway API
    /// (including SAM's implicit `ServerlessRestApi`/`ServerlessHttpApi`), a Lambda function URL
    /// or a load balancer declared in the analysed templates.
    ///
    /// ## Why it matters
    /// The caller waits for a round trip through the public edge of its own system: it pays
    /// twice, adds latency, shares the API's throttling limits and 29 s integration timeout, and
    /// couples its availability to the other service. Inside one system an event, a queue or a
    /// direct integration usually fits better.
    ///
    /// ## Example
    /// ```yaml
    /// Checkout:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Environment:
    ///       Variables:
    ///         PRICING_URL: !Sub https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/price
    /// # and the handler: requests.post(os.environ["PRICING_URL"], json=order)
    /// ```
    ///
    /// ## How to fix
    /// Publish an event the other function consumes, orchestrate both with Step Functions, or
    /// share the logic as a library instead of calling your own API.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/operatorguide/functions-calling-functions.html>
    /// - <https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>
    pub HttpCallToInternalApi { code: "EL402", name: "http-call-to-internal-api", severity: Warning }
}

impl Rule for HttpCallToInternalApi {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for ((tpl, id), code) in &cx.sys.code {
            let Some(f) = cx.sys.resource(*tpl, id) else {
                continue;
            };
            for call in &code.facts.http {
                let Some(ep) = internal_endpoint(cx.sys, cx.graph, f, call) else {
                    continue;
                };
                out.push(
                    Finding::new(
                        call.span,
                        format!("`{id}` calls the {} `{}` of its own system over HTTP and waits for the answer", ep.what, ep.id),
                    )
                    .resource(id)
                    .label(ep.span, format!("the {} called", ep.what))
                    .help("publish an event the other side consumes, orchestrate with Step Functions, or share the code as a library")
                    .key(format!("http:{}", ep.id)),
                );
            }
        }
        out
    }
}
