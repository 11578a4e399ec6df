//! Who may use a queue, topic or bus beyond what the event graph shows: resources that refer to
//! it (by logical ID, ARN, URL, physical name or a parameter default naming it), SAM connectors,
//! exports, alarms that publish to a topic, and identity policies open on every channel of a
//! type.
//! A reference the graph did not turn into an edge may hide a producer or a consumer (handler
//! code, an API Gateway integration, a role another service assumes).

use std::collections::{HashMap, HashSet};

use super::{util_access, util_refs};
use crate::graph::{EdgeKind, Graph};
use crate::model::names::parse_reference;
use crate::model::{Kind, Node, Resource, System, TplId};
use crate::source::Span;

/// The channel types.
pub const CHANNELS: &[&str] = &[util_access::QUEUE, util_access::TOPIC, util_access::BUS];

/// Resources whose references to a channel only grant access or record what passes.
const ADMIN: &[&str] = &[
    "AWS::SQS::QueuePolicy",
    "AWS::SQS::QueueInlinePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::TopicInlinePolicy",
    "AWS::Events::EventBusPolicy",
    "AWS::Lambda::Permission",
    "AWS::Events::Archive",
];

/// Function and state machine properties whose references the graph turns into edges.
const WIRING_KEYS: &[&str] = &[
    "Events",
    "DeadLetterQueue",
    "DeadLetterConfig",
    "EventInvokeConfig",
];

/// What the references of a run say about one channel.
#[derive(Default)]
pub struct Usage {
    /// Referenced by something that may send to it or read from it.
    pub unknown: bool,
    /// Alarms whose actions publish to a topic.
    pub alarms: Vec<(Span, String)>,
}

/// A channel of the run and its name as a pattern (`*` where not known), when it has one.
struct Channel<'a> {
    tpl: TplId,
    res: &'a Resource,
    name: Option<String>,
}

/// The channels of a run, indexed for the lookups done once per string of every template.
struct Index<'a> {
    chans: Vec<Channel<'a>>,
    by_id: HashMap<(TplId, &'a str), usize>,
    /// Channels whose physical name is fully literal, by that name.
    by_name: HashMap<String, Vec<usize>>,
    /// Channels whose name holds a `*` (a pseudo parameter or a parameter in it), by the last
    /// three bytes of the name when it ends in literal text (most end in a fixed suffix).
    wildcard_by_end: HashMap<Vec<u8>, Vec<usize>>,
    /// Wildcard names ending in `*` or in fewer than three literal bytes.
    wildcard: Vec<usize>,
    /// Literal names by their last three bytes, for queries that hold a `*`.
    literal_by_end: HashMap<Vec<u8>, Vec<usize>>,
}

fn last3(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    b.get(b.len().checked_sub(3)?..).map(<[u8]>::to_vec)
}

impl<'a> Index<'a> {
    fn new(chans: Vec<Channel<'a>>) -> Self {
        let mut by_id = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut wildcard = Vec::new();
        let mut wildcard_by_end: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        let mut literal_by_end: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        for (i, c) in chans.iter().enumerate() {
            by_id.insert((c.tpl, c.res.id.as_str()), i);
            match &c.name {
                Some(n) if n.contains('*') => match last3(tail(n)) {
                    Some(k) => wildcard_by_end.entry(k).or_default().push(i),
                    None => wildcard.push(i),
                },
                Some(n) => {
                    by_name.entry(n.clone()).or_default().push(i);
                    if let Some(k) = last3(n) {
                        literal_by_end.entry(k).or_default().push(i);
                    }
                }
                None => {}
            }
        }
        Index {
            chans,
            by_id,
            by_name,
            wildcard_by_end,
            wildcard,
            literal_by_end,
        }
    }

    fn by_id(&self, tpl: TplId, id: &str) -> Option<&Channel<'a>> {
        self.by_id.get(&(tpl, id)).and_then(|&i| self.chans.get(i))
    }

    /// Channels whose physical name may be `name` (which may hold `*` wildcards).
    fn by_name(&self, name: &str) -> Vec<&Channel<'a>> {
        let candidates: Vec<usize> = if name.contains('*') {
            // a name ending in three literal bytes can only be a channel name ending in them
            // (or one whose own wildcard covers its end)
            match last3(tail(name)) {
                Some(k) => {
                    let mut v: Vec<usize> = [&self.literal_by_end, &self.wildcard_by_end]
                        .into_iter()
                        .filter_map(|m| m.get(&k))
                        .flatten()
                        .chain(&self.wildcard)
                        .copied()
                        .collect();
                    v.sort_unstable();
                    v
                }
                None => (0..self.chans.len()).collect(),
            }
        } else {
            let mut v = self.by_name.get(name).cloned().unwrap_or_default();
            let by_end = last3(name).and_then(|k| self.wildcard_by_end.get(&k));
            v.extend(
                self.wildcard
                    .iter()
                    .chain(by_end.into_iter().flatten())
                    .copied()
                    .filter(|&i| {
                        self.chans
                            .get(i)
                            .and_then(|c| c.name.as_deref())
                            .is_some_and(|p| name.starts_with(head(p)) && name.ends_with(tail(p)))
                    }),
            );
            v
        };
        candidates
            .into_iter()
            .filter_map(|i| self.chans.get(i))
            .filter(|c| c.name.as_deref().is_some_and(|p| names_match(p, name)))
            .collect()
    }
}

/// The property holding a channel type's physical name.
fn name_prop(ty: &str) -> &'static str {
    match ty {
        util_access::QUEUE => "QueueName",
        util_access::TOPIC => "TopicName",
        _ => "Name",
    }
}

fn channels(sys: &System) -> Vec<Channel<'_>> {
    sys.resources()
        .filter(|h| CHANNELS.contains(&h.res.ty.as_str()))
        .map(|h| {
            let name = h
                .res
                .prop(name_prop(&h.res.ty))
                .map(|n| util_access::loose(sys, h.tpl, n, "*"));
            Channel {
                tpl: h.tpl,
                res: h.res,
                name,
            }
        })
        .collect()
}

/// How every resource of the run refers to each channel.
pub fn usage(sys: &System, graph: &Graph<'_>) -> HashMap<(TplId, String), Usage> {
    let index = Index::new(channels(sys));
    let chans = &index;
    let mut out: HashMap<(TplId, String), Usage> = HashMap::new();
    // a principal allowed to use every channel of a type may use this one
    let open = util_access::wildcard_types(sys);
    for c in chans
        .chans
        .iter()
        .filter(|c| open.contains(&(c.tpl, c.res.ty.as_str())))
    {
        out.entry((c.tpl, c.res.id.clone())).or_default().unknown = true;
    }
    // (owner template, owner ID, channel template, channel ID) of every edge touching a node
    let mut wired: HashSet<(TplId, &str, TplId, &str)> = HashSet::new();
    for ix in graph.g.edge_indices() {
        let (Some((a, b)), Some(e)) = (graph.g.edge_endpoints(ix), graph.g.edge_weight(ix)) else {
            continue;
        };
        if e.kind == EdgeKind::Allows {
            continue; // a grant is not a use: the role may belong to anything
        }
        for n in [a, b].into_iter().filter_map(|end| graph.node(end)) {
            if let Some(t) = n.tpl {
                wired.insert((e.owner.tpl, e.owner.res.id.as_str(), t, n.id.as_str()));
            }
        }
    }
    for h in sys.resources() {
        let r = h.res;
        if ADMIN.contains(&r.ty.as_str()) {
            continue;
        }
        let is_compute = r.is_function() || r.is_state_machine();
        let is_channel = CHANNELS.contains(&r.ty.as_str());
        let props = r.node.get("Properties");
        for e in props.map(Node::entries).unwrap_or_default() {
            // a channel's own name declares it: another channel of the run with the same name
            // (a copy of the application, another account) is not used by it
            if is_channel && e.key == name_prop(&r.ty) {
                continue;
            }
            let wiring = is_compute && WIRING_KEYS.contains(&e.key.as_str());
            for c in references(sys, h.tpl, &e.value, chans) {
                if c.tpl == h.tpl && c.res.id == r.id {
                    continue;
                }
                let u = out.entry((c.tpl, c.res.id.clone())).or_default();
                if r.ty == "AWS::CloudWatch::Alarm" {
                    // AlarmActions, OKActions, InsufficientDataActions publish; dimensions watch
                    if c.res.ty == util_access::TOPIC && e.key.ends_with("Actions") {
                        u.alarms.push((r.id_span, format!("`{}`", r.id)));
                    }
                } else if !((wiring || !is_compute)
                    && wired.contains(&(h.tpl, r.id.as_str(), c.tpl, c.res.id.as_str())))
                {
                    // not an edge of the graph: it may send to the channel or read from it
                    u.unknown = true;
                }
            }
        }
        // SAM connectors name resources by logical ID
        let connectors = r.node.get("Connectors").into_iter().chain(
            (r.ty == "AWS::Serverless::Connector")
                .then_some(props)
                .flatten(),
        );
        for conn in connectors {
            conn.walk(&mut |n| {
                for e in n.entries().iter().filter(|e| e.key == "Id") {
                    if let Some(id) = e
                        .value
                        .as_str()
                        .filter(|id| sys.resource(h.tpl, id).is_some())
                    {
                        out.entry((h.tpl, id.to_string())).or_default().unknown = true;
                    }
                }
            });
        }
    }
    // an exported channel is an interface for other stacks: its other side is elsewhere
    for (tpl, t) in sys.templates.iter().enumerate() {
        for o in t.section("Outputs").entries() {
            if let (Some(value), Some(_)) = (o.value.get("Value"), o.value.get("Export")) {
                for c in references(sys, tpl, value, chans) {
                    out.entry((c.tpl, c.res.id.clone())).or_default().unknown = true;
                }
            }
        }
    }
    out
}

/// The channels a value refers to: by name (`Ref`, `Fn::GetAtt`, `Fn::Sub`), through
/// `Fn::ImportValue`, as an ARN or queue URL, or by the channel's physical name.
fn references<'c, 'a>(
    sys: &System,
    tpl: TplId,
    node: &Node,
    chans: &'c Index<'a>,
) -> Vec<&'c Channel<'a>> {
    let mut out: Vec<&Channel<'a>> = Vec::new();
    let defaults = sys.templates.get(tpl).map(|t| t.section("Parameters"));
    util_refs::visit(node, "", &mut |site| {
        out.extend(chans.by_id(tpl, &site.name));
        // a parameter's default value may be a channel's name, ARN or URL
        let default = defaults.and_then(|p| p.path(&[site.name.as_str(), "Default"]));
        if let Some(d) = default.and_then(Node::as_str).filter(|d| plausible(d)) {
            out.extend(by_text(chans, d));
        }
    });
    values(node, &mut |n| {
        let candidate = match n.intrinsic() {
            Some((f, _)) => matches!(f, "Fn::ImportValue" | "Fn::Sub" | "Fn::Join"),
            // a `Fn::Sub` string is read through its intrinsic
            None => n
                .as_str()
                .is_some_and(|s| plausible(s) && !s.contains("${")),
        };
        if !candidate {
            return;
        }
        if let Some(h) = sys.target(tpl, n, None) {
            out.extend(chans.by_id(h.tpl, &h.res.id));
            return;
        }
        // an ARN or URL with parameters, or a plain physical name
        out.extend(by_text(chans, &util_access::loose(sys, tpl, n, "*")));
    });
    out.sort_by(|a, b| (a.tpl, &a.res.id).cmp(&(b.tpl, &b.res.id)));
    out.dedup_by(|a, b| a.tpl == b.tpl && a.res.id == b.res.id);
    out
}

/// Text that may name a channel: no whitespace (a description, a schedule expression).
fn plausible(s: &str) -> bool {
    s.len() > 2 && !s.contains(char::is_whitespace)
}

/// The channels an ARN, queue URL or plain name (with `*` for unknown parts) may be.
fn by_text<'c, 'a>(chans: &'c Index<'a>, text: &str) -> Vec<&'c Channel<'a>> {
    let (svc, name) = parse_reference(text, None).unwrap_or(("", text.to_string()));
    if svc.is_empty() && name.contains('*') {
        return Vec::new();
    }
    chans
        .by_name(&name)
        .into_iter()
        .filter(|c| match svc {
            "sqs" => c.res.ty == util_access::QUEUE,
            "sns" => c.res.ty == util_access::TOPIC,
            "events-bus" => c.res.ty == util_access::BUS,
            _ => svc.is_empty(),
        })
        .collect()
}

/// Every value under `node`, but not the logical IDs and condition names that `Ref`,
/// `Fn::GetAtt`, `Fn::If` and `Condition` take (a logical ID is not a physical name, even when another
/// template has a channel of that name).
fn values<'n>(node: &'n Node, f: &mut dyn FnMut(&'n Node)) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        f(n);
        match n.intrinsic() {
            Some(("Ref" | "Condition", _)) => continue,
            // `[Res, Attr]` (a computed attribute name may hold a value); `[Condition, a, b]`
            Some(("Fn::GetAtt" | "Fn::If", arg)) => {
                stack.extend(arg.items().iter().skip(1).rev());
                continue;
            }
            _ => {}
        }
        match &n.kind {
            Kind::Seq(items) => stack.extend(items.iter().rev()),
            Kind::Map(entries) => stack.extend(entries.iter().rev().map(|e| &e.value)),
            _ => {}
        }
    }
}

fn head(s: &str) -> &str {
    s.split('*').next().unwrap_or("")
}

fn tail(s: &str) -> &str {
    s.rsplit('*').next().unwrap_or("")
}

/// Whether two names that may hold `*` wildcards can be the same name.
fn names_match(a: &str, b: &str) -> bool {
    let literal = |s: &str| s.bytes().filter(|&c| c != b'*').count() >= 3 && !s.contains('\u{1}');
    if !literal(a) || !literal(b) {
        return false;
    }
    match (a.contains('*'), b.contains('*')) {
        (false, false) => a == b,
        (true, false) => util_access::glob(a, b),
        (false, true) => util_access::glob(b, a),
        (true, true) => {
            let (ha, hb) = (head(a), head(b));
            let (ta, tb) = (tail(a), tail(b));
            // both literal at the same end: `my-bus-*` and `*-orders` share no literal text, so
            // they are two names, even if a stack name could in theory make them meet
            let anchored = (!ha.is_empty() && !hb.is_empty()) || (!ta.is_empty() && !tb.is_empty());
            anchored
                && (ha.starts_with(hb) || hb.starts_with(ha))
                && (ta.ends_with(tb) || tb.ends_with(ta))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{Channel, Index};
    use crate::model::{Template, yaml};

    fn names(idx: &Index<'_>, query: &str) -> Vec<String> {
        let mut ids: Vec<String> = idx
            .by_name(query)
            .iter()
            .map(|c| c.res.id.clone())
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn wildcard_queries_find_every_name_they_may_be() {
        let text = "Resources:\n  A: {Type: AWS::SQS::Queue}\n  B: {Type: AWS::SQS::Queue}\n  C: {Type: AWS::SQS::Queue}\n  D: {Type: AWS::SQS::Queue}\n  E: {Type: AWS::SQS::Queue}\n";
        let t = Template::new(0, PathBuf::new(), yaml::load(text, 0).root.unwrap());
        let named = [
            ("A", "prod-orders"),
            ("B", "*-orders"),
            ("C", "orders-*"),
            ("D", "prod-payments"),
            ("E", "prod-*s"),
        ];
        let chans = named
            .iter()
            .map(|(id, name)| Channel {
                tpl: 0,
                res: t.resource(id).unwrap(),
                name: Some((*name).to_string()),
            })
            .collect();
        let idx = Index::new(chans);
        // literal tail: the literal and wildcard names ending in it, and the short-tailed ones
        assert_eq!(names(&idx, "*-orders"), ["A", "B", "E"]);
        assert_eq!(names(&idx, "prod-*ments"), ["D", "E"]);
        // a query ending in `*` looks at every channel (`*-orders` shares no anchored text)
        assert_eq!(names(&idx, "orders-*"), ["C"]);
        // literal queries are unchanged
        assert_eq!(names(&idx, "prod-orders"), ["A", "B", "E"]);
    }
}
