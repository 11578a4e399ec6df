//! What the shipped policy pack can read of a template, as a JSON document for Guard.
//!
//! Guard reads every template again into its own value tree, clones it per rules file and
//! evaluates it: its cost grows with the size of the document. Every query of the shipped pack
//! selects resources by `Type` (`Resources.*[ Type == '...' ]`, `Resources[ id | Type == '...' ]`)
//! or reads `Globals` (a unit test in policy.rs holds the pack to that), so resources of other
//! types, `Outputs`, `Parameters` and the rest cannot change its results. The view keeps
//! `Globals` and the resources of the types the pack names, with the same paths as the
//! template, so Guard's report maps back onto it unchanged.
//!
//! Scalars are typed as Guard types them when it reads YAML itself (cfn-guard's libyaml loader):
//! a quoted or block scalar is a string; a plain one an integer, a float, a boolean (`true`,
//! `yes`, `on`, `y` and their negatives), null (`~`, `null`) or else a string. The source text
//! of each scalar decides, not eventlint's own YAML typing.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::SHIPPED;
use crate::model::{Kind, Node, Template};

/// The resource types the shipped pack's queries name (`Type == 'AWS::...'`).
static PACK_TYPES: LazyLock<BTreeSet<&'static str>> = LazyLock::new(|| {
    SHIPPED
        .iter()
        .flat_map(|(_, text)| pack_types(text))
        .collect()
});

/// The `AWS::`/`Custom::` types a policy text compares `Type` with.
pub(super) fn pack_types(text: &str) -> impl Iterator<Item = &str> {
    text.split("Type == '")
        .skip(1)
        .filter_map(|rest| rest.split_once('\'').map(|(ty, _)| ty))
        .filter(|ty| ty.contains("::"))
}

/// The template as the shipped pack sees it, as JSON text. `source` is the template's text.
pub(super) fn pack_view(t: &Template, source: &str) -> String {
    let mut root = Map::new();
    if let Some(globals) = t.root.get("Globals") {
        root.insert("Globals".into(), value(globals, source));
    }
    let mut resources = Map::new();
    for r in t
        .resources
        .iter()
        .filter(|r| PACK_TYPES.contains(r.ty.as_str()))
    {
        // a repeated logical ID: the last one wins, as everywhere else
        resources.insert(r.id.clone(), value(&r.node, source));
    }
    root.insert("Resources".into(), Value::Object(resources));
    Value::Object(root).to_string()
}

fn value(n: &Node, source: &str) -> Value {
    match &n.kind {
        Kind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|e| {
                    let v = match e.key.as_str() {
                        "Fn::GetAtt" => dotted(&e.value, source),
                        _ => None,
                    };
                    (e.key.clone(), v.unwrap_or_else(|| value(&e.value, source)))
                })
                .collect(),
        ),
        Kind::Seq(items) => Value::Array(items.iter().map(|i| value(i, source)).collect()),
        Kind::Str(s) | Kind::Num(s) => match raw(n, source) {
            Some(text) if is_quoted(text) => Value::String(s.clone()),
            _ => plain(s),
        },
        Kind::Bool(b) => raw(n, source).map_or(Value::Bool(*b), plain),
        Kind::Null => raw(n, source).map_or(Value::Null, plain),
    }
}

/// `Fn::GetAtt: Res.Attr` (or `!GetAtt Res.Attr`): eventlint splits the string into
/// `[Res, Attr]`, Guard keeps it as written.
fn dotted(n: &Node, source: &str) -> Option<Value> {
    if !n.is_seq() {
        return None;
    }
    let text = raw(n, source)?.trim();
    let unquoted = if text.starts_with('"') {
        serde_json::from_str::<String>(text).ok()?
    } else if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        inner.replace("''", "'")
    } else if text.starts_with(['[', '-', '|', '>', '!', '{']) || text.contains(['\n', '#']) {
        return None;
    } else {
        text.to_string()
    };
    Some(Value::String(unquoted))
}

/// The source text of a scalar, when its span is one.
fn raw<'s>(n: &Node, source: &'s str) -> Option<&'s str> {
    source.get(n.span.start as usize..n.span.end as usize)
}

/// A quoted (YAML or JSON) or block scalar: Guard reads it as a string.
fn is_quoted(text: &str) -> bool {
    text.starts_with(['"', '\'', '|', '>'])
}

/// A plain scalar as cfn-guard types it.
fn plain(s: &str) -> Value {
    if let Ok(i) = s.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(f) = s.parse::<f64>() {
        // NaN and infinities have no JSON form: Guard would compare them as floats, which no
        // policy of the pack does
        return serde_json::Number::from_f64(f).map_or_else(|| Value::from(s), Value::Number);
    }
    match s {
        "true" | "yes" | "on" | "y" => Value::Bool(true),
        "false" | "no" | "off" | "n" => Value::Bool(false),
        _ if matches!(s.to_lowercase().as_str(), "~" | "null") => Value::Null,
        _ => Value::from(s),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::model::yaml;

    fn view(text: &str) -> Value {
        let t = Template::new(0, PathBuf::new(), yaml::load(text, 0).root.unwrap());
        serde_json::from_str(&pack_view(&t, text)).unwrap()
    }

    #[test]
    fn the_view_keeps_globals_and_the_resources_the_pack_reads() {
        let v = view(
            "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    ReservedConcurrentExecutions: 5\nParameters:\n  P: {Type: String}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n  Role:\n    Type: AWS::IAM::Role\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {DelaySeconds: 1}\nOutputs:\n  O: {Value: x}\n",
        );
        assert_eq!(
            v,
            serde_json::json!({
                "Globals": {"Function": {"ReservedConcurrentExecutions": 5}},
                "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1}}}
            })
        );
    }

    #[test]
    fn scalars_are_typed_as_guard_types_them() {
        let v = view(
            "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      a: yes\n      b: 'true'\n      c: \"1\"\n      d: 1.5\n      e: ~\n      f:\n      g: 0x1F\n      h: |\n        7\n      i: Off\n      j: [on, n, NULL]\n",
        );
        let p = &v["Resources"]["T"]["Properties"];
        assert_eq!(p["a"], Value::Bool(true));
        assert_eq!(p["b"], Value::from("true"));
        assert_eq!(p["c"], Value::from("1"));
        assert_eq!(p["d"], Value::from(1.5));
        assert_eq!(p["e"], Value::Null);
        // an empty plain scalar is an empty string to Guard
        assert_eq!(p["f"], Value::from(""));
        assert_eq!(p["g"], Value::from("0x1F"));
        assert_eq!(p["h"], Value::from("7\n"));
        // Guard's booleans are lowercase only
        assert_eq!(p["i"], Value::from("Off"));
        assert_eq!(p["j"], serde_json::json!([true, false, null]));
    }

    #[test]
    fn dotted_get_att_stays_a_string() {
        let v = view(
            "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      a: !GetAtt Q.Arn\n      b: {'Fn::GetAtt': 'Q.Arn'}\n      c: !GetAtt [Q, Arn]\n      d:\n        Fn::GetAtt:\n          - Q\n          - Arn\n",
        );
        let p = &v["Resources"]["T"]["Properties"];
        assert_eq!(p["a"], serde_json::json!({"Fn::GetAtt": "Q.Arn"}));
        assert_eq!(p["b"], serde_json::json!({"Fn::GetAtt": "Q.Arn"}));
        assert_eq!(p["c"], serde_json::json!({"Fn::GetAtt": ["Q", "Arn"]}));
        assert_eq!(p["d"], serde_json::json!({"Fn::GetAtt": ["Q", "Arn"]}));
        let text = r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"a": {"Fn::GetAtt": "Q.Arn"}}}}}"#;
        let t = Template::new(
            0,
            PathBuf::new(),
            crate::model::json::load(text, 0).root.unwrap(),
        );
        let v: Value = serde_json::from_str(&pack_view(&t, text)).unwrap();
        assert_eq!(
            v["Resources"]["T"]["Properties"]["a"],
            serde_json::json!({"Fn::GetAtt": "Q.Arn"})
        );
    }

    #[test]
    fn json_templates_keep_their_types() {
        let text = r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"a": "yes", "b": 2, "c": true, "d": null}}}}"#;
        let t = Template::new(
            0,
            PathBuf::new(),
            crate::model::json::load(text, 0).root.unwrap(),
        );
        let v: Value = serde_json::from_str(&pack_view(&t, text)).unwrap();
        assert_eq!(
            v["Resources"]["T"]["Properties"],
            serde_json::json!({"a": "yes", "b": 2, "c": true, "d": null})
        );
    }
}
