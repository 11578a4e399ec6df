//! What handler code publishes (src/code/events.rs), on fixtures/model/events.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::PathBuf;

use eventlint::code::Val;
use eventlint::code::events::{Dest, MessageService, field_paths, published};

#[test]
fn events_and_messages_from_code() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/model/events");
    let loaded = eventlint::load::load(&[dir]);
    let p = published(&loaded.system);
    // two literal entries; the comprehension's entries are not known
    assert_eq!(p.events.len(), 2);
    assert_eq!(p.unknown.len(), 1);
    assert!(p.incomplete.is_empty());
    let placed = &p.events[0];
    assert!(matches!(&placed.bus, Dest::Resource { id, .. } if id == "OrdersBus"));
    assert_eq!(placed.source(), Some("com.example.orders"));
    assert_eq!(placed.detail_type(), Some("OrderPlaced"));
    let detail = placed.detail_object().unwrap();
    assert_eq!(field_paths(detail).unwrap(), ["orderId", "meta", "meta.v"]);
    assert!(placed.detail_node().is_some());
    let seen = &p.events[1];
    assert_eq!(seen.bus, Dest::DefaultBus);
    assert!(seen.detail_object().is_none());
    // SNS publish with FIFO parts, then two SQS batch entries
    assert_eq!(p.messages.len(), 3);
    let sns = &p.messages[0];
    assert_eq!(sns.service, MessageService::Sns);
    assert!(matches!(&sns.dest, Dest::Resource { id, .. } if id == "OrderTopic"));
    assert!(matches!(&sns.body, Val::Json(_)));
    assert!(sns.group_id.is_some() && sns.dedup_id.is_some() && sns.attributes.is_some());
    let sqs: Vec<_> = p.messages[1..].iter().collect();
    assert!(
        sqs.iter()
            .all(|m| m.service == MessageService::Sqs && m.batch)
    );
    assert_eq!(sqs[0].body, Val::Str("a".into()));
    assert!(sqs.iter().all(|m| m.group_id.is_none()));
}

/// Contracts looks rules and producers up by source instead of matching every pair: whatever
/// it leaves out must be a definite non-match, on every fixture with events.
#[test]
fn source_lookups_leave_out_only_non_matches() {
    use eventlint::model::pattern::Match;
    use eventlint::rules::util_events::Contracts;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![
        root.join("fixtures/examples/order-service"),
        root.join("fixtures/model/events"),
    ];
    for code in [
        "EL501", "EL502", "EL503", "EL504", "EL505", "EL506", "EL508",
    ] {
        let rules = root.join("fixtures/rules").join(code);
        for e in std::fs::read_dir(rules).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            }
        }
    }
    let mut pairs = 0;
    let mut left_out = 0;
    for dir in dirs {
        let loaded = eventlint::load::load(std::slice::from_ref(&dir));
        let g = eventlint::graph::build(&loaded.system);
        let c = Contracts::new(&loaded.system, &g);
        for (pi, p) in c.producers.iter().enumerate() {
            let near: Vec<*const _> = c.rules_for(p).map(std::ptr::from_ref).collect();
            for (ri, r) in c.rules.iter().enumerate() {
                pairs += 1;
                if !near.contains(&std::ptr::from_ref(r)) {
                    left_out += 1;
                    assert_eq!(
                        r.matches(p),
                        Match::No,
                        "{}: rule {ri}, producer {pi}",
                        dir.display()
                    );
                }
                let producers: Vec<*const _> = c.producers_for(r).map(std::ptr::from_ref).collect();
                if !producers.contains(&std::ptr::from_ref(p)) {
                    assert_eq!(r.envelope_matches(p), Match::No, "{}", dir.display());
                }
            }
        }
    }
    // the fixtures hold pairs of both kinds
    assert!(
        pairs > 20 && left_out > 0,
        "{pairs} pairs, {left_out} left out"
    );
}

/// EL502 says which rule's `detail` filter drops an event whose source and detail-type a rule
/// on the bus matches, and keeps the general advice when no rule matches them.
#[test]
fn unrouted_events_name_the_detail_filter_that_drops_them() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules/EL502");
    let sel = eventlint::engine::Selection {
        select: vec!["EL502".into()],
        ..eventlint::engine::Selection::default()
    };
    let helps = |dir: &str| -> Vec<String> {
        eventlint::analyze(&[root.join(dir)], &sel)
            .diagnostics
            .into_iter()
            .filter(|d| d.code == "EL502")
            .map(|d| d.finding.help.unwrap_or_default())
            .collect()
    };
    let by_detail = helps("bad-literal-detail");
    assert_eq!(by_detail.len(), 2);
    for h in &by_detail {
        assert!(
            h.starts_with("`WebOrdersRule` listens to this source and detail-type")
                && h.contains("(`detail.channel`)"),
            "{h}"
        );
    }
    let by_envelope = helps("bad");
    assert!(!by_envelope.is_empty());
    for h in &by_envelope {
        assert!(
            h.starts_with("make the source and detail-type agree"),
            "{h}"
        );
    }
}
