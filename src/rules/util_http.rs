//! HTTP calls in handler code that reach an endpoint of the analysed system: an API Gateway
//! API, a function URL or a load balancer, found through the URL's environment variables.

use crate::code::resolve::as_node;
use crate::code::{HttpCall, Val};
use crate::graph::{Graph, NodeIx};
use crate::model::intrinsics::Part;
use crate::model::{Node, ResHandle, System, TplId};
use crate::source::Span;

const APIS: &[&str] = &[
    "AWS::Serverless::Api",
    "AWS::ApiGateway::RestApi",
    "AWS::Serverless::HttpApi",
    "AWS::ApiGatewayV2::Api",
];
const BALANCERS: &[&str] = &[
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancing::LoadBalancer",
];

/// An endpoint of the system an HTTP call reaches.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Logical ID (SAM-generated for `ServerlessRestApi`, `<Fn>Url`).
    pub id: String,
    /// What it is: "API", "function URL", "load balancer".
    pub what: &'static str,
    /// Where it is declared.
    pub span: Span,
    /// The API's graph node (its `invokes` edges lead to functions).
    pub api: Option<NodeIx>,
    /// For a function URL, the function's node.
    pub function: Option<NodeIx>,
}

/// Names a URL value refers to (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`).
fn referenced_names(node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    node.walk(&mut |n| match n.intrinsic() {
        Some(("Ref", a)) => out.extend(a.as_str().map(str::to_string)),
        Some(("Fn::GetAtt", a)) => {
            let first = a.items().first().and_then(Node::as_str).map(str::to_string);
            out.extend(first.or_else(|| {
                a.as_str()
                    .and_then(|s| s.split('.').next())
                    .map(str::to_string)
            }));
        }
        Some(("Fn::Sub", a)) => {
            let text = a
                .as_str()
                .or_else(|| a.items().first().and_then(Node::as_str))
                .unwrap_or("");
            let mut rest = text;
            while let Some(i) = rest.find("${") {
                rest = &rest[i + 2..];
                let end = rest.find('}').unwrap_or(rest.len());
                let var = &rest[..end];
                if !var.starts_with('!') {
                    out.extend(var.split('.').next().map(|s| s.trim().to_string()));
                }
            }
        }
        _ => {}
    });
    out
}

fn of_resource(sys: &System, graph: &Graph<'_>, tpl: TplId, id: &str) -> Option<Endpoint> {
    let h = sys.resource(tpl, id)?;
    let ty = h.res.ty.as_str();
    if APIS.contains(&ty) {
        return Some(Endpoint {
            id: id.into(),
            what: "API",
            span: h.res.id_span,
            api: graph.of(tpl, id),
            function: None,
        });
    }
    if BALANCERS.contains(&ty) {
        return Some(Endpoint {
            id: id.into(),
            what: "load balancer",
            span: h.res.id_span,
            api: None,
            function: None,
        });
    }
    if ty == "AWS::Lambda::Url" {
        let f = h
            .res
            .prop("TargetFunctionArn")
            .and_then(|n| sys.target(tpl, n, Some("lambda")));
        return Some(Endpoint {
            id: id.into(),
            what: "function URL",
            span: h.res.id_span,
            api: None,
            function: f.and_then(|f| graph.of(f.tpl, &f.res.id)),
        });
    }
    None
}

/// A name SAM generates: the implicit `ServerlessRestApi`/`ServerlessHttpApi`, or `<Fn>Url` of a
/// function with `FunctionUrlConfig`.
fn of_generated(sys: &System, graph: &Graph<'_>, tpl: TplId, name: &str) -> Option<Endpoint> {
    if sys.resource(tpl, name).is_some() {
        return None;
    }
    if name == "ServerlessRestApi" || name == "ServerlessHttpApi" {
        let ix = graph.find(Some(tpl), name)?;
        let span = graph.node(ix)?.span;
        return Some(Endpoint {
            id: name.into(),
            what: "API",
            span,
            api: Some(ix),
            function: None,
        });
    }
    let f = sys.resource(tpl, name.strip_suffix("Url")?)?;
    let cfg = f.res.prop("FunctionUrlConfig")?;
    (f.res.ty == "AWS::Serverless::Function").then(|| Endpoint {
        id: name.into(),
        what: "function URL",
        span: cfg.span,
        api: None,
        function: graph.of(tpl, &f.res.id),
    })
}

/// The parts of a URL before the first unknown one (`https://${HOST}/items/${id}` ->
/// `https://${HOST}/items/`): the scheme and host decide where a request goes, a path or
/// query built at run time does not. `None` when nothing is known.
fn known_prefix(url: &Val) -> Option<Val> {
    fn flatten<'a>(v: &'a Val, out: &mut Vec<&'a Val>, depth: usize) {
        match v {
            Val::Concat(parts) if depth < 16 => {
                parts.iter().for_each(|p| flatten(p, out, depth + 1));
            }
            Val::Concat(_) => out.push(&Val::Unknown),
            other => out.push(other),
        }
    }
    let mut parts = Vec::new();
    flatten(url, &mut parts, 0);
    let known: Vec<Val> = parts
        .into_iter()
        .take_while(|p| !matches!(p, Val::Unknown))
        .cloned()
        .collect();
    match known.len() {
        0 => None,
        1 => known.into_iter().next(),
        _ => Some(Val::Concat(known)),
    }
}

/// The endpoint of the system an HTTP call's URL resolves to, if any.
#[must_use]
pub fn internal_endpoint(
    sys: &System,
    graph: &Graph<'_>,
    f: ResHandle<'_>,
    call: &HttpCall,
) -> Option<Endpoint> {
    let url = known_prefix(&call.url)?;
    let node = as_node(f, &url, call.span)?;
    let sym = sys.sym(f.tpl, &node);
    for p in &sym.parts {
        match p {
            Part::Res(r) => {
                if let Some(e) = of_resource(sys, graph, r.tpl, &r.id) {
                    return Some(e);
                }
            }
            Part::Unknown(_) => {
                return referenced_names(&node)
                    .iter()
                    .find_map(|n| of_generated(sys, graph, f.tpl, n));
            }
            Part::Lit(_) | Part::Pseudo(_) => {}
        }
    }
    None
}
