//! Physical names of resources and parsing of literal ARNs, queue URLs and names, so that a
//! reference written as `arn:aws:sqs:us-east-1:123456789012:orders` finds the queue named `orders`.

use super::{System, TplId};

/// Service keys with the resource types and name property they index.
const NAMED: &[(&str, &str, &str)] = &[
    ("sqs", "AWS::SQS::Queue", "QueueName"),
    ("sns", "AWS::SNS::Topic", "TopicName"),
    ("lambda", "AWS::Lambda::Function", "FunctionName"),
    ("lambda", "AWS::Serverless::Function", "FunctionName"),
    ("events-bus", "AWS::Events::EventBus", "Name"),
    ("events-rule", "AWS::Events::Rule", "Name"),
    (
        "states",
        "AWS::StepFunctions::StateMachine",
        "StateMachineName",
    ),
    ("states", "AWS::Serverless::StateMachine", "Name"),
    ("dynamodb", "AWS::DynamoDB::Table", "TableName"),
    ("dynamodb", "AWS::Serverless::SimpleTable", "TableName"),
    ("s3", "AWS::S3::Bucket", "BucketName"),
    ("kinesis", "AWS::Kinesis::Stream", "Name"),
    ("cloudwatch-alarm", "AWS::CloudWatch::Alarm", "AlarmName"),
    (
        "cloudwatch-alarm",
        "AWS::CloudWatch::CompositeAlarm",
        "AlarmName",
    ),
];

/// Resource names, as glob patterns (`*` where a pseudo parameter such as the stack name is).
#[derive(Debug, Default)]
pub struct NameIndex {
    entries: Vec<(&'static str, String, TplId, String)>,
}

impl NameIndex {
    #[must_use]
    pub fn build(sys: &System) -> Self {
        let mut entries = Vec::new();
        for h in sys.resources() {
            for (svc, ty, prop) in NAMED {
                if h.res.ty != *ty {
                    continue;
                }
                if let Some(pat) = h.res.prop(prop).and_then(|n| sys.sym(h.tpl, n).pattern()) {
                    entries.push((*svc, pat, h.tpl, h.res.id.clone()));
                }
            }
        }
        NameIndex { entries }
    }

    /// The one resource of a service whose name matches (none when ambiguous).
    #[must_use]
    pub fn lookup(&self, service: &str, name: &str) -> Option<(TplId, &str)> {
        match self.lookup_all(service, name).as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Every resource of a service whose name matches.
    #[must_use]
    pub fn lookup_all(&self, service: &str, name: &str) -> Vec<(TplId, &str)> {
        self.entries
            .iter()
            .filter(|(svc, pat, ..)| *svc == service && (glob(pat, name) || glob(name, pat)))
            .map(|(_, _, tpl, id)| (*tpl, id.as_str()))
            .collect()
    }
}

/// `*` matches any run of characters.
fn glob(pat: &str, text: &str) -> bool {
    super::iam::glob(pat, text)
}

/// The service key and resource name a literal reference names.
#[must_use]
pub fn parse_reference(text: &str, hint: Option<&str>) -> Option<(&'static str, String)> {
    if let Some(rest) = text.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let (service, resource) = (*parts.get(1)?, *parts.get(4)?);
        let first = |s: &str| s.split([':', '/']).next().unwrap_or("").to_string();
        return match service {
            "sqs" => Some(("sqs", resource.to_string())),
            "sns" => Some(("sns", first(resource))),
            "lambda" => resource
                .strip_prefix("function:")
                .map(|r| ("lambda", first(r))),
            "events" => resource
                .strip_prefix("event-bus/")
                .map(|r| ("events-bus", r.to_string()))
                .or_else(|| {
                    resource
                        .strip_prefix("rule/")
                        .map(|r| ("events-rule", first(r)))
                }),
            "states" => resource
                .strip_prefix("stateMachine:")
                .map(|r| ("states", first(r))),
            "dynamodb" => resource
                .strip_prefix("table/")
                .map(|r| ("dynamodb", first(r))),
            "kinesis" => resource
                .strip_prefix("stream/")
                .map(|r| ("kinesis", first(r))),
            "s3" => Some(("s3", first(resource))),
            "cloudwatch" => resource
                .strip_prefix("alarm:")
                .map(|r| ("cloudwatch-alarm", r.to_string())),
            _ => None,
        };
    }
    if let Some(rest) = text
        .strip_prefix("https://sqs.")
        .or_else(|| text.strip_prefix("https://queue."))
    {
        return rest.rsplit('/').next().map(|n| ("sqs", n.to_string()));
    }
    let svc = match hint? {
        "sqs" => "sqs",
        "sns" => "sns",
        "lambda" => "lambda",
        "events-bus" => "events-bus",
        "events-rule" => "events-rule",
        "states" => "states",
        "dynamodb" => "dynamodb",
        "s3" => "s3",
        "kinesis" => "kinesis",
        "cloudwatch-alarm" => "cloudwatch-alarm",
        _ => return None,
    };
    (!text.contains(':') && !text.contains('/')).then(|| (svc, text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*-orders", "stack-orders"));
        assert!(glob("a*c*e", "abcde"));
        assert!(!glob("a*c", "ab"));
        assert!(glob("x", "x"));
    }

    #[test]
    fn parses_arns_and_urls() {
        assert_eq!(
            parse_reference("arn:aws:sqs:*:*:orders", None),
            Some(("sqs", "orders".into()))
        );
        assert_eq!(
            parse_reference("arn:aws:lambda:us-east-1:1:function:fn:live", None),
            Some(("lambda", "fn".into()))
        );
        assert_eq!(
            parse_reference("arn:aws:events:*:*:event-bus/bus", None),
            Some(("events-bus", "bus".into()))
        );
        assert_eq!(
            parse_reference("https://sqs.us-east-1.amazonaws.com/1/q", None),
            Some(("sqs", "q".into()))
        );
        assert_eq!(
            parse_reference("arn:aws:s3:::bucket/key", None),
            Some(("s3", "bucket".into()))
        );
        assert_eq!(
            parse_reference("default", Some("events-bus")),
            Some(("events-bus", "default".into()))
        );
        assert_eq!(parse_reference("default", None), None);
    }
}
