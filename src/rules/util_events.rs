//! Event contracts for the EL5xx rules: the events handler code puts on buses, and the rules on
//! those buses with their patterns, with what is not known about either.

use std::collections::HashMap;

use crate::code::events::{BusEvent, Dest, Published, published};
use crate::graph::{Cfg, EdgeKind, Graph, NodeIx, NodeKind};
use crate::model::pattern::{EventShape, Match, literal_values, matches};
use crate::model::{Kind, Node, System, json};
use crate::source::Span;

/// A rule (or SAM `EventBridgeRule` event, or EventsV2 subscriber) listening on a bus.
pub struct BusRule {
    /// The bus node; `None` when the bus is not known here (a parameter, another stack).
    pub bus: Option<NodeIx>,
    /// The rule node.
    pub rule: NodeIx,
    /// The pattern (a JSON string parsed, spans on the string); `None` when the listener has
    /// none we can read (it may match anything).
    pub pattern: Option<Node>,
    /// The resource that declares the bus -> rule edge (the rule, or the function of a SAM
    /// event), and where.
    pub owner: String,
    pub span: Span,
    /// The pattern without `detail` ([`envelope`]), built once.
    envelope: Option<Node>,
}

/// A published event with the graph node of its bus.
pub struct Producer {
    pub ev: BusEvent,
    /// `None` when the bus is not known here.
    pub bus: Option<NodeIx>,
    /// The event's detail as a pattern-matching node ([`BusEvent::detail_node`]), built once.
    detail: Option<Node>,
}

/// Which rules and producers can meet: a pattern whose `source` is a list of literals matches
/// only events with one of those sources, so each side is looked up by source instead of
/// being matched against everything (a monorepo has thousands of both). Indices are in order.
#[derive(Default)]
struct BySource {
    rules: HashMap<String, Vec<usize>>,
    /// Rules whose `source` is not a list of literals (or that have no readable pattern).
    rules_any: Vec<usize>,
    producers: HashMap<String, Vec<usize>>,
    /// Producers whose source is not known.
    producers_unknown: Vec<usize>,
}

/// The system's event contracts.
pub struct Contracts {
    pub producers: Vec<Producer>,
    pub rules: Vec<BusRule>,
    pub published: Published,
    /// Events may reach a bus other than from handler code (a rule, pipe, schedule or state
    /// machine targeting a bus): producers are not all known.
    pub other_producers: bool,
    by_source: BySource,
}

/// Whether a graph node is a bus known here: an in-scope `AWS::Events::EventBus` or the
/// account's default bus.
fn known_bus(g: &Graph<'_>, ix: NodeIx) -> bool {
    g.node(ix).is_some_and(|n| {
        n.ty == "AWS::Events::EventBus"
            && (n.kind == NodeKind::Resource || (n.kind == NodeKind::External && n.id == "default"))
    })
}

impl Contracts {
    #[must_use]
    pub fn new(sys: &System, g: &Graph<'_>) -> Self {
        let published = published(sys);
        let producers: Vec<Producer> = published
            .events
            .iter()
            .map(|ev| {
                let bus = match &ev.bus {
                    Dest::Resource { tpl, id } => g.of(*tpl, id),
                    Dest::DefaultBus => g.find(None, "default"),
                    Dest::Unknown(_) => None,
                };
                Producer {
                    detail: ev.detail_node(),
                    ev: ev.clone(),
                    bus: bus.filter(|b| known_bus(g, *b)),
                }
            })
            .collect();
        let mut rules = Vec::new();
        let mut other_producers = false;
        for (from, to, e) in g.edges(EdgeKind::Routes) {
            let from_bus = g
                .node(from)
                .is_some_and(|n| n.ty == "AWS::Events::EventBus");
            let to_bus = g.node(to).is_some_and(|n| n.ty == "AWS::Events::EventBus");
            if to_bus && !matches!(e.cfg, Cfg::Code { .. }) {
                other_producers = true;
            }
            if let (
                true,
                Cfg::Target {
                    target: None,
                    pattern,
                    ..
                },
            ) = (from_bus, &e.cfg)
            {
                let pattern = pattern.and_then(parse_pattern);
                rules.push(BusRule {
                    bus: known_bus(g, from).then_some(from),
                    rule: to,
                    envelope: pattern.as_ref().and_then(envelope),
                    pattern,
                    owner: e.owner.res.id.clone(),
                    span: e.span,
                });
            }
        }
        for kind in [EdgeKind::Invokes, EdgeKind::Publishes] {
            for (_, to, e) in g.edges(kind) {
                let to_bus = g.node(to).is_some_and(|n| n.ty == "AWS::Events::EventBus");
                if to_bus && !matches!(e.cfg, Cfg::Code { .. }) {
                    other_producers = true;
                }
            }
        }
        // state machines calling events:putEvents
        for h in sys.resources() {
            if h.res.ty.contains("StateMachine") && mentions_put_events(h.res.props()) {
                other_producers = true;
            }
        }
        let by_source = BySource::new(&rules, &producers);
        Contracts {
            producers,
            rules,
            published,
            other_producers,
            by_source,
        }
    }

    /// The rules whose pattern may match `p`'s event: every other rule's is `Match::No`. In
    /// order.
    pub fn rules_for(&self, p: &Producer) -> impl Iterator<Item = &BusRule> {
        let ix = match p.ev.source() {
            Some(src) => merged(self.by_source.rules.get(src), &self.by_source.rules_any),
            None => (0..self.rules.len()).collect(),
        };
        ix.into_iter().filter_map(|i| self.rules.get(i))
    }

    /// The producers whose event `r`'s pattern may match: every other one's is `Match::No`.
    /// In order.
    pub fn producers_for(&self, r: &BusRule) -> impl Iterator<Item = &Producer> {
        let ix = match r.pattern.as_ref().and_then(|p| literal_values(p, "source")) {
            Some(sources) => {
                let mut v: Vec<usize> = sources
                    .iter()
                    .filter_map(|s| self.by_source.producers.get(*s))
                    .flatten()
                    .chain(&self.by_source.producers_unknown)
                    .copied()
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            }
            None => (0..self.producers.len()).collect(),
        };
        ix.into_iter().filter_map(|i| self.producers.get(i))
    }

    /// Every producer in scope is statically known: all code read, every entry's bus, source
    /// and detail-type literal, and no other kind of producer.
    #[must_use]
    pub fn producers_known(&self) -> bool {
        !self.other_producers
            && self.published.complete()
            && self
                .producers
                .iter()
                .all(|p| p.bus.is_some() && p.ev.source().is_some() && p.ev.detail_type().is_some())
    }

    /// There are producers in scope and [`Contracts::producers_known`]: a rule that no
    /// producer feeds is then really fed by none.
    #[must_use]
    pub fn producers_all_known(&self) -> bool {
        !self.producers.is_empty() && self.producers_known()
    }

    /// The producers whose bus, source and detail-type are all known, with those three.
    pub fn known_events(&self) -> impl Iterator<Item = (&Producer, NodeIx, &str, &str)> {
        self.producers
            .iter()
            .filter_map(|p| Some((p, p.bus?, p.ev.source()?, p.ev.detail_type()?)))
    }

    /// The rules with a pattern on a bus known here (a rule on a bus of another stack is fed by
    /// producers of that stack), with their pattern.
    pub fn rules_on_known_buses(&self) -> impl Iterator<Item = (&BusRule, &Node)> {
        self.rules
            .iter()
            .filter_map(|r| Some((r, r.pattern.as_ref().filter(|_| r.bus.is_some())?)))
    }

    /// Every rule in scope listens on a known bus.
    #[must_use]
    pub fn buses_known(&self) -> bool {
        self.rules.iter().all(|r| r.bus.is_some())
    }
}

/// A pattern node, a JSON string parsed (its spans on the string).
fn parse_pattern(p: &Node) -> Option<Node> {
    if let Kind::Str(text) = &p.kind {
        let mut root = json::load(text, p.span.file).root?;
        root.walk_mut(&mut |n| n.span = p.span);
        return Some(root);
    }
    Some(p.clone())
}

/// Does a resource's definition mention `events:putEvents` (a Step Functions task)?
fn mentions_put_events(n: &Node) -> bool {
    let mut hit = false;
    n.walk(&mut |x| {
        if let Kind::Str(s) = &x.kind {
            if s.contains("events:putEvents") {
                hit = true;
            }
        }
    });
    hit
}

impl BySource {
    fn new(rules: &[BusRule], producers: &[Producer]) -> Self {
        let mut out = BySource::default();
        for (i, r) in rules.iter().enumerate() {
            match r.pattern.as_ref().and_then(|p| literal_values(p, "source")) {
                Some(sources) => {
                    for s in sources {
                        let list = out.rules.entry(s.to_string()).or_default();
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                }
                None => out.rules_any.push(i),
            }
        }
        for (i, p) in producers.iter().enumerate() {
            match p.ev.source() {
                Some(src) => out.producers.entry(src.to_string()).or_default().push(i),
                None => out.producers_unknown.push(i),
            }
        }
        out
    }
}

/// A pattern (`None`: not readable, may match anything) against a producer's event.
fn against(pattern: Option<&Node>, p: &Producer, detail: Option<&Node>) -> Match {
    let Some(pattern) = pattern else {
        return Match::Unknown;
    };
    let shape = EventShape {
        source: p.ev.source(),
        detail_type: p.ev.detail_type(),
        detail,
    };
    matches(pattern, &shape)
}

/// Two ascending index lists as one.
fn merged(a: Option<&Vec<usize>>, b: &[usize]) -> Vec<usize> {
    let mut v: Vec<usize> = a.into_iter().flatten().chain(b).copied().collect();
    v.sort_unstable();
    v
}

impl BusRule {
    /// How the whole pattern matches a producer's event ([`match_event`]).
    #[must_use]
    pub fn matches(&self, p: &Producer) -> Match {
        against(self.pattern.as_ref(), p, p.detail.as_ref())
    }

    /// How the pattern without `detail` matches a producer's event (`detail` ignored).
    #[must_use]
    pub fn envelope_matches(&self, p: &Producer) -> Match {
        against(self.envelope.as_ref(), p, None)
    }

    /// The pattern has an envelope: it is a map without `$or`.
    #[must_use]
    pub fn has_envelope(&self) -> bool {
        self.envelope.is_some()
    }
}

/// How a rule's pattern matches a producer's event.
#[must_use]
pub fn match_event(pattern: Option<&Node>, ev: &BusEvent) -> Match {
    let Some(p) = pattern else {
        return Match::Unknown;
    };
    let detail = ev.detail_node();
    let shape = EventShape {
        source: ev.source(),
        detail_type: ev.detail_type(),
        detail: detail.as_ref(),
    };
    matches(p, &shape)
}

/// The pattern without its `detail` part (and `None` when it has `$or`, whose branches may
/// mix top-level and detail fields).
#[must_use]
pub fn envelope(pattern: &Node) -> Option<Node> {
    let Kind::Map(entries) = &pattern.kind else {
        return None;
    };
    if pattern.intrinsic().is_some() || entries.iter().any(|e| e.key == "$or") {
        return None;
    }
    let kept = entries
        .iter()
        .filter(|e| e.key != "detail")
        .cloned()
        .collect();
    Some(Node::new(pattern.span, Kind::Map(kept)))
}

/// The logical ID to name a rule by: the rule resource, or the function of a SAM event.
#[must_use]
pub fn rule_name(g: &Graph<'_>, r: &BusRule) -> String {
    g.node(r.rule)
        .map_or_else(|| r.owner.clone(), |n| n.id.clone())
}

/// The name of a bus node.
#[must_use]
pub fn bus_name(g: &Graph<'_>, ix: NodeIx) -> String {
    g.node(ix).map_or_else(String::new, |n| n.id.clone())
}

/// A name in comparable form: lowercase, without spaces, dots, dashes, underscores and a
/// trailing version (`Order Placed`, `order_placed` and `OrderPlaced.v2` are all `orderplaced`).
fn squash(s: &str) -> String {
    let mut t: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let digits = t.chars().rev().take_while(char::is_ascii_digit).count();
    if digits > 0 && t.len() > digits + 1 {
        let cut = t.len() - digits - 1;
        if t.get(cut..=cut) == Some("v") {
            t.truncate(cut);
        }
    }
    t
}

/// Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(i * w) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(j) {
            *x = j;
        }
    }
    let at =
        |d: &Vec<usize>, i: usize, j: usize| d.get(i * w + j).copied().unwrap_or(usize::MAX / 2);
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a.get(i - 1) != b.get(j - 1));
            let mut v = (at(&d, i - 1, j) + 1)
                .min(at(&d, i, j - 1) + 1)
                .min(at(&d, i - 1, j - 1) + cost);
            if i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1) {
                v = v.min(at(&d, i - 2, j - 2) + 1);
            }
            if let Some(x) = d.get_mut(i * w + j) {
                *x = v;
            }
        }
    }
    at(&d, a.len(), b.len())
}

/// The produced name `wanted` is most likely a misspelling of: equal once case, spaces, dots
/// and a version suffix are ignored, or within a small edit distance.
#[must_use]
pub fn near_miss<'c>(wanted: &str, candidates: &[&'c str]) -> Option<&'c str> {
    if wanted.len() > 200 {
        return None;
    }
    let w = squash(wanted);
    let mut best: Option<(usize, &'c str)> = None;
    for &c in candidates {
        if c == wanted || c.len() > 200 {
            continue;
        }
        let s = squash(c);
        let d = if s == w { 0 } else { distance(&w, &s) };
        let limit = if w.chars().count() >= 8 { 2 } else { 1 };
        if d <= limit && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::near_miss;

    #[test]
    fn near_misses() {
        let c = ["OrderPlaced", "Order Shipped"];
        assert_eq!(near_miss("Order Placed", &c), Some("OrderPlaced"));
        assert_eq!(near_miss("OrderPlaced.v2", &c), Some("OrderPlaced"));
        assert_eq!(near_miss("OrderPalced", &c), Some("OrderPlaced"));
        assert_eq!(near_miss("order_shipped", &c), Some("Order Shipped"));
        assert_eq!(near_miss("PaymentFailed", &c), None);
        assert_eq!(near_miss("OrderPlaced", &c), None);
    }
}
