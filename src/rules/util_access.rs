//! Identity policies that let a principal send to, publish to or read from every queue, topic
//! or bus: `Resource: "*"` (or an ARN whose name is a wildcard) on the send/publish/receive
//! actions, SAM policy templates given `"*"`, and full-access managed policies. Handler code is
//! not analysed here, so such a principal may use any channel of its template (a channel of
//! another stack reaches the code through a reference: an import, an ARN, a name).

use std::collections::HashSet;

use crate::model::{Node, System, TplId};

pub const QUEUE: &str = "AWS::SQS::Queue";
pub const TOPIC: &str = "AWS::SNS::Topic";
pub const BUS: &str = "AWS::Events::EventBus";

/// Actions (lowercase) that produce to or consume from each channel type.
const ACTIONS: &[(&str, &[&str])] = &[
    (
        QUEUE,
        &[
            "sqs:sendmessage",
            "sqs:sendmessagebatch",
            "sqs:receivemessage",
        ],
    ),
    (TOPIC, &["sns:publish", "sns:publishbatch"]),
    (BUS, &["events:putevents"]),
];

/// SAM policy templates and the parameter naming the channel.
const SAM_TEMPLATES: &[(&str, &str, &str)] = &[
    ("SQSSendMessagePolicy", "QueueName", QUEUE),
    ("SQSPollerPolicy", "QueueName", QUEUE),
    ("SNSPublishMessagePolicy", "TopicName", TOPIC),
    ("SNSCrudPolicy", "TopicName", TOPIC),
    ("EventBridgePutEventsPolicy", "EventBusName", BUS),
];

/// Managed policies (by name, also inside an ARN) and the channel types they open.
const MANAGED: &[(&str, &[&str])] = &[
    ("AdministratorAccess", &[QUEUE, TOPIC, BUS]),
    ("PowerUserAccess", &[QUEUE, TOPIC, BUS]),
    ("AmazonSQSFullAccess", &[QUEUE]),
    ("AmazonSNSFullAccess", &[TOPIC]),
    ("AmazonEventBridgeFullAccess", &[BUS]),
    ("CloudWatchEventsFullAccess", &[BUS]),
];

/// (template, channel type) pairs: some identity policy of the template opens every resource
/// of that type.
#[must_use]
pub fn wildcard_types(sys: &System) -> HashSet<(TplId, &'static str)> {
    let mut out = HashSet::new();
    for h in sys.resources() {
        let mut types = HashSet::new();
        h.res.node.walk(&mut |n| visit(sys, h.tpl, n, &mut types));
        out.extend(types.into_iter().map(|ty| (h.tpl, ty)));
    }
    out
}

fn visit(sys: &System, tpl: TplId, n: &Node, out: &mut HashSet<&'static str>) {
    if let Some(s) = n.as_str() {
        for (name, types) in MANAGED {
            let named = s
                .strip_suffix(name)
                .is_some_and(|head| head.is_empty() || head.ends_with('/'));
            if named {
                out.extend(types.iter().copied());
            }
        }
        return;
    }
    for (template, param, ty) in SAM_TEMPLATES {
        if let Some(v) = n.get(template).and_then(|t| t.get(param))
            && loose(sys, tpl, v, "").contains('*')
        {
            out.insert(ty);
        }
    }
    // identity statements only: a resource policy (with a Principal) names its own resource
    let Some(resource) = n.get("Resource") else {
        return;
    };
    let denied = n.get("Effect").and_then(Node::as_str) == Some("Deny");
    if denied || n.get("Principal").is_some() {
        return;
    }
    let wildcard = values(resource).iter().any(|r| {
        let text = loose(sys, tpl, r, "");
        let name = text.rsplit([':', '/']).next().unwrap_or("");
        text == "*" || name.contains('*')
    });
    if !wildcard {
        return;
    }
    if n.get("NotAction").is_some() {
        // everything but some actions: assume it may include these
        out.extend(ACTIONS.iter().map(|(ty, _)| *ty));
    }
    for a in n.get("Action").map(values).unwrap_or_default() {
        let a = loose(sys, tpl, a, "").to_ascii_lowercase();
        for (ty, names) in ACTIONS {
            if names.iter().any(|name| glob(&a, name)) {
                out.insert(ty);
            }
        }
    }
}

fn values(n: &Node) -> Vec<&Node> {
    if n.is_seq() {
        n.items().iter().collect()
    } else {
        vec![n]
    }
}

/// A value's text with `*` for pseudo parameters (region, account), `unknown` for parts not
/// known here (parameters, other stacks) and `\u{1}` for references to resources.
#[must_use]
pub fn loose(sys: &System, tpl: TplId, n: &Node, unknown: &str) -> String {
    use crate::model::Part;
    let sym = sys.sym(tpl, n);
    let mut out = String::new();
    for p in &sym.parts {
        match p {
            Part::Lit(s) => out.push_str(s),
            Part::Pseudo(_) => out.push('*'),
            Part::Res(_) => out.push('\u{1}'),
            Part::Unknown(_) => out.push_str(unknown),
        }
    }
    out
}

/// `*` in the pattern matches any run of characters; `?` one byte. No allocation: this runs
/// for every string of every template.
#[must_use]
pub fn glob(pat: &str, text: &str) -> bool {
    crate::model::iam::glob(pat, text)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn action_globs() {
        assert!(glob("sqs:*", "sqs:sendmessage"));
        assert!(glob("*", "events:putevents"));
        assert!(glob("sqs:send*", "sqs:sendmessagebatch"));
        assert!(!glob("sqs:get*", "sqs:sendmessage"));
        assert!(glob("sns:publish", "sns:publish"));
        assert!(!glob("sns:publish", "sns:publishbatch"));
    }
}
