//! AWS managed policies whose content matters for event delivery, reduced to the statements
//! eventlint evaluates (a policy not listed here is unknown).

/// (policy name, [(action pattern, resource pattern)]).
pub const MANAGED: &[(&str, &[(&str, &str)])] = &[
    ("AdministratorAccess", &[("*", "*")]),
    (
        "PowerUserAccess",
        &[
            ("sqs:*", "*"),
            ("sns:*", "*"),
            ("events:*", "*"),
            ("lambda:*", "*"),
            ("states:*", "*"),
            ("dynamodb:*", "*"),
            ("s3:*", "*"),
            ("kinesis:*", "*"),
            ("firehose:*", "*"),
        ],
    ),
    ("AmazonSQSFullAccess", &[("sqs:*", "*")]),
    ("AmazonSNSFullAccess", &[("sns:*", "*")]),
    ("AmazonEventBridgeFullAccess", &[("events:*", "*")]),
    ("CloudWatchEventsFullAccess", &[("events:*", "*")]),
    ("AWSStepFunctionsFullAccess", &[("states:*", "*")]),
    ("AmazonDynamoDBFullAccess", &[("dynamodb:*", "*")]),
    ("AmazonDynamoDBFullAccess_v2", &[("dynamodb:*", "*")]),
    ("AmazonS3FullAccess", &[("s3:*", "*")]),
    ("AmazonKinesisFullAccess", &[("kinesis:*", "*")]),
    ("AmazonKinesisFirehoseFullAccess", &[("firehose:*", "*")]),
    // lambda:* and read-only actions of other services (states:DescribeStateMachine,
    // states:ListStateMachines, ...); not the deprecated AWSLambdaFullAccess
    (
        "AWSLambda_FullAccess",
        &[
            ("lambda:*", "*"),
            ("states:DescribeStateMachine", "*"),
            ("states:ListStateMachines", "*"),
        ],
    ),
    ("AWSLambdaRole", &[("lambda:InvokeFunction", "*")]),
    (
        "AWSLambdaExecute",
        &[
            ("s3:GetObject", "arn:aws:s3:::*"),
            ("s3:PutObject", "arn:aws:s3:::*"),
        ],
    ),
    (
        "AWSLambdaSQSQueueExecutionRole",
        &[
            ("sqs:ReceiveMessage", "*"),
            ("sqs:DeleteMessage", "*"),
            ("sqs:GetQueueAttributes", "*"),
        ],
    ),
    (
        "AWSLambdaDynamoDBExecutionRole",
        &[
            ("dynamodb:DescribeStream", "*"),
            ("dynamodb:GetRecords", "*"),
            ("dynamodb:GetShardIterator", "*"),
            ("dynamodb:ListStreams", "*"),
        ],
    ),
    (
        "AWSLambdaKinesisExecutionRole",
        &[
            ("kinesis:DescribeStream", "*"),
            ("kinesis:DescribeStreamSummary", "*"),
            ("kinesis:GetRecords", "*"),
            ("kinesis:GetShardIterator", "*"),
            ("kinesis:ListShards", "*"),
            ("kinesis:ListStreams", "*"),
            ("kinesis:SubscribeToShard", "*"),
        ],
    ),
    ("AWSLambdaBasicExecutionRole", &[]),
    ("AWSLambdaVPCAccessExecutionRole", &[]),
    ("AWSXrayWriteOnlyAccess", &[]),
    ("AWSXRayDaemonWriteAccess", &[]),
    ("CloudWatchLambdaInsightsExecutionRolePolicy", &[]),
    ("AWSLambdaBasicDurableExecutionRolePolicy", &[]),
];

/// The statements of a managed policy named by name or ARN (`arn:aws:iam::aws:policy/...`).
#[must_use]
pub fn lookup(name_or_arn: &str) -> Option<&'static [(&'static str, &'static str)]> {
    let name = match name_or_arn.rsplit_once(":policy/") {
        Some((prefix, rest)) if prefix.ends_with(":iam::aws") => {
            rest.rsplit('/').next().unwrap_or(rest)
        }
        Some(_) => return None, // a customer managed policy by ARN
        None => name_or_arn,
    };
    MANAGED.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}
