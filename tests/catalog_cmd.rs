//! `eventlint catalog`: the event catalogue of the order-service example (Markdown snapshot)
//! and the JSON shape.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use assert_cmd::Command;
use serde_json::Value;

fn catalog(args: &[&str]) -> String {
    let out = Command::cargo_bin("eventlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("catalog")
        .args(args)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn order_service_catalogue_md() {
    let md = catalog(&["fixtures/examples/order-service"]);
    insta::assert_snapshot!(md);
}

#[test]
fn catalogue_json_shape() {
    let text = catalog(&["fixtures/rules/EL502/good", "--format", "json"]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    let events = v["events"].as_array().unwrap();
    let keys: Vec<(String, String, String)> = events
        .iter()
        .map(|e| {
            (
                e["bus"].as_str().unwrap().to_string(),
                e["source"].as_str().unwrap().to_string(),
                e["detail_type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // sorted by bus, source, detail-type
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let find = |bus: &str, dt: &str| {
        events
            .iter()
            .find(|e| e["bus"] == bus && e["detail_type"] == dt)
            .unwrap_or_else(|| panic!("{bus} {dt} in {text}"))
    };
    // matched with `prefix` on its own bus, with the rule's target
    let cancelled = find("OrdersBus", "OrderCancelled");
    assert_eq!(cancelled["consumers"][0]["rule"], "OrderEventsRule");
    assert_eq!(
        cancelled["consumers"][0]["targets"][0],
        "FulfilmentFunction"
    );
    let producer = &cancelled["producers"][0];
    assert_eq!(producer["function"], "CheckoutFunction");
    assert!(producer["file"].as_str().unwrap().ends_with("checkout.py"));
    assert_eq!(producer["line"], 12);
    // the detail is not known: the SAM rule filtering on `detail.amount` only may match
    let refund = find("default", "Refund Issued");
    assert_eq!(refund["consumers"].as_array().unwrap().len(), 0);
    assert_eq!(refund["may_match"][0]["rule"], "BigRefundsRefunds");
    assert_eq!(refund["fields_complete"], false);
    // no rule on the analytics bus in scope
    let checkout = find("AnalyticsBus", "Checkout");
    assert_eq!(checkout["consumers"].as_array().unwrap().len(), 0);
    assert_eq!(checkout["fields"].as_array().unwrap().len(), 0);
}
