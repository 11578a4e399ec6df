//! SAM policy templates (`SQSSendMessagePolicy: {QueueName: ...}`), expanded from the data SAM
//! itself uses (data/sam/policy_templates.json) with their parameters replaced by the nodes the
//! user wrote, so intrinsics resolve in the user's template.

use std::sync::OnceLock;

use crate::model::{Entry, Kind, Node, json};
use crate::source::Span;

static TEMPLATES: OnceLock<Option<Node>> = OnceLock::new();

fn templates() -> Option<&'static Node> {
    TEMPLATES
        .get_or_init(|| {
            json::load(
                include_str!("../../../data/sam/policy_templates.json"),
                u32::MAX,
            )
            .root
        })
        .as_ref()
        .and_then(|root| root.get("Templates"))
}

/// The statements of policy template `name` with parameters from `args` (the user's mapping).
/// Spans point at the user's entry. `None` when the template is unknown or a parameter is
/// missing.
#[must_use]
pub fn expand(name: &str, args: &Node, at: Span) -> Option<Vec<Node>> {
    let tpl = templates()?.get(name)?;
    let params: Vec<&str> = tpl
        .get("Parameters")
        .map(|p| p.entries().iter().map(|e| e.key.as_str()).collect())
        .unwrap_or_default();
    for p in &params {
        args.get(p)?;
    }
    let mut def = tpl.path(&["Definition", "Statement"])?.clone();
    substitute(&mut def, args, &params, at);
    Some(def.items().to_vec())
}

/// Replace `{"Ref": Param}` by the user's value and move every span to `at`.
fn substitute(node: &mut Node, args: &Node, params: &[&str], at: Span) {
    if let Some(("Ref", v)) = node.intrinsic() {
        if let Some(p) = v.as_str().filter(|p| params.contains(p)) {
            if let Some(value) = args.get(p) {
                *node = value.clone();
                return;
            }
        }
    }
    node.span = at;
    match &mut node.kind {
        Kind::Seq(items) => items
            .iter_mut()
            .for_each(|i| substitute(i, args, params, at)),
        Kind::Map(entries) => entries.iter_mut().for_each(|e: &mut Entry| {
            e.key_span = at;
            substitute(&mut e.value, args, params, at);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::yaml;

    #[test]
    fn expands_with_the_users_nodes() {
        let args = yaml::load("QueueName: !GetAtt Q.QueueName\n", 0)
            .root
            .unwrap_or_else(|| Node::new(Span::default(), Kind::Null));
        let stmts = expand("SQSSendMessagePolicy", &args, Span::default()).unwrap_or_default();
        assert_eq!(stmts.len(), 1);
        let res = stmts[0]
            .get("Resource")
            .and_then(Node::intrinsic)
            .map(|(k, _)| k);
        assert_eq!(res, Some("Fn::Sub"));
        let text = format!("{:?}", stmts[0]);
        assert!(
            text.contains("QueueName") && text.contains("\"Q\""),
            "{text}"
        );
        assert!(
            expand(
                "SQSSendMessagePolicy",
                &Node::new(Span::default(), Kind::Map(vec![])),
                Span::default()
            )
            .is_none()
        );
        assert!(expand("NoSuchPolicy", &args, Span::default()).is_none());
    }
}
