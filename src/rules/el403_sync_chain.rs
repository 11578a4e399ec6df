use std::collections::BTreeMap;

use super::rule::prelude::*;
use super::util_http::internal_endpoint;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Reports a chain of two or more synchronous hops between functions: handler code that
    /// invokes a function synchronously (`Invoke` without `InvocationType='Event'`), or calls
    /// over HTTP an API or function URL of the same system that runs another function, which in
    /// turn calls the next one synchronously. Reported once per chain, at the first call.
    ///
    /// ## Why it matters
    /// Every function in the chain waits for the next: latencies and costs add up, the first
    /// timeout must cover all the others, and a failure or throttle anywhere fails the whole
    /// request. The chain is as available as its weakest link.
    ///
    /// ## Example
    /// ```python
    /// # checkout.py                                 # pricing.py
    /// lambda_client.invoke(FunctionName=PRICING)    lambda_client.invoke(FunctionName=TAX)
    /// ```
    ///
    /// ## How to fix
    /// Orchestrate the steps with Step Functions, or decouple them with events or queues so that
    /// no function waits for another.
    ///
    /// ## References
    /// - <https://docs.aws.amazon.com/lambda/latest/operatorguide/functions-calling-functions.html>
    /// - <https://serverlessland.com/content/service/lambda/guides/aws-lambda-operator-guide/anti-patterns>
    pub SyncChain { code: "EL403", name: "sync-chain", severity: Warning }
}

/// Deepest chain followed.
const MAX_HOPS: usize = 16;

/// Synchronous hops between functions: caller -> [(callee, call span)].
fn hops(cx: &Context<'_>) -> BTreeMap<NodeIx, Vec<(NodeIx, Span)>> {
    let g = cx.graph;
    let is_fn = |ix| {
        g.node(ix)
            .and_then(|n| n.res)
            .is_some_and(Resource::is_function)
    };
    let mut out: BTreeMap<NodeIx, Vec<(NodeIx, Span)>> = BTreeMap::new();
    for (from, to, e) in g.edges(EdgeKind::Invokes) {
        if matches!(
            e.cfg,
            Cfg::Code {
                sync: Some(true),
                ..
            }
        ) && is_fn(from)
            && is_fn(to)
        {
            out.entry(from).or_default().push((to, e.span));
        }
    }
    for ((tpl, id), code) in &cx.sys.code {
        let (Some(f), Some(me)) = (cx.sys.resource(*tpl, id), g.of(*tpl, id)) else {
            continue;
        };
        for call in &code.facts.http {
            let Some(ep) = internal_endpoint(cx.sys, g, f, call) else {
                continue;
            };
            let mut callees: Vec<NodeIx> = ep.function.into_iter().collect();
            if let Some(api) = ep.api {
                callees.extend(
                    g.outgoing(api, EdgeKind::Invokes)
                        .into_iter()
                        .filter(|(_, e)| matches!(e.cfg, Cfg::Invoke { sync: true }))
                        .map(|(to, _)| to),
                );
            }
            for to in callees.into_iter().filter(|t| is_fn(*t) && *t != me) {
                out.entry(me).or_default().push((to, call.span));
            }
        }
    }
    out
}

/// The longest chain of hops from `at` (not revisiting functions), as (callee, span) steps.
fn longest(
    hops: &BTreeMap<NodeIx, Vec<(NodeIx, Span)>>,
    at: NodeIx,
    seen: &mut Vec<NodeIx>,
) -> Vec<(NodeIx, Span)> {
    let mut best = Vec::new();
    if seen.len() > MAX_HOPS {
        return best;
    }
    seen.push(at);
    for &(to, span) in hops.get(&at).map(Vec::as_slice).unwrap_or_default() {
        if seen.contains(&to) {
            continue;
        }
        let mut path = vec![(to, span)];
        path.extend(longest(hops, to, seen));
        if path.len() > best.len() {
            best = path;
        }
    }
    seen.pop();
    best
}

impl Rule for SyncChain {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        let hops = hops(cx);
        let g = cx.graph;
        let name = |ix| g.node(ix).map_or("?".to_string(), |n| n.id.clone());
        let mut out = Vec::new();
        for &start in hops.keys() {
            // a chain starts at a function no other function calls synchronously
            if hops.values().flatten().any(|(to, _)| *to == start) {
                continue;
            }
            let chain = longest(&hops, start, &mut Vec::new());
            if chain.len() < 2 {
                continue;
            }
            let Some(&(_, first)) = chain.first() else {
                continue;
            };
            let id = name(start);
            let path: Vec<String> = std::iter::once(id.clone())
                .chain(chain.iter().map(|(to, _)| name(*to)))
                .map(|n| format!("`{n}`"))
                .collect();
            let mut finding = Finding::new(
                first,
                format!(
                    "{}: a chain of {} synchronous calls between functions",
                    path.join(" -> "),
                    chain.len()
                ),
            )
            .resource(&id)
            .help(
                "orchestrate the steps with Step Functions, or decouple them with events or queues",
            )
            .key(format!(
                "chain:{}",
                chain.last().map_or("?".to_string(), |(to, _)| name(*to))
            ));
            for (to, span) in chain.iter().skip(1) {
                finding = finding.label(*span, format!("then calls `{}` synchronously", name(*to)));
            }
            out.push(finding);
        }
        out
    }
}
