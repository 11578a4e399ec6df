use super::*;
use crate::code::facts::Field;

const FILE: FileId = 7;

fn ex(src: &str) -> FileFacts {
    Python.extract(src, FILE)
}

/// The source text a span covers.
fn at(src: &str, s: Span) -> &str {
    assert_eq!(s.file, FILE);
    &src[s.start as usize..s.end as usize]
}

fn s(x: &str) -> Val {
    Val::Str(x.into())
}

fn num(x: &str) -> Val {
    Val::Num(x.into())
}

fn env(name: &str) -> Val {
    Val::Env {
        name: name.into(),
        default: None,
    }
}

fn env_or(name: &str, d: Val) -> Val {
    Val::Env {
        name: name.into(),
        default: Some(Box::new(d)),
    }
}

fn cat(parts: &[Val]) -> Val {
    Val::Concat(parts.to_vec())
}

fn json(v: Val) -> Val {
    Val::Json(Box::new(v))
}

fn list(items: &[Val]) -> Val {
    Val::List(items.to_vec())
}

const NO_SPAN: Span = Span {
    file: 0,
    start: 0,
    end: 0,
};

fn obj(fields: &[(&str, Val)]) -> Val {
    Val::Object(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone(), NO_SPAN))
            .collect(),
    )
}

/// The value with every span blanked, to compare by content.
fn plain(v: &Val) -> Val {
    match v {
        Val::Object(fields) => Val::Object(
            fields
                .iter()
                .map(|(k, v, _)| (k.clone(), plain(v), NO_SPAN))
                .collect(),
        ),
        Val::List(items) => Val::List(items.iter().map(plain).collect()),
        Val::Concat(items) => Val::Concat(items.iter().map(plain).collect()),
        Val::Json(inner) => Val::Json(Box::new(plain(inner))),
        Val::Env { name, default } => Val::Env {
            name: name.clone(),
            default: default.as_ref().map(|d| Box::new(plain(d))),
        },
        other => other.clone(),
    }
}

/// Every call of a snippet as (service, operation, call text, params without spans).
fn calls(src: &str) -> Vec<(String, String, String, Val)> {
    ex(src)
        .calls
        .iter()
        .map(|c| {
            (
                c.service.clone(),
                c.operation.clone(),
                at(src, c.span).to_string(),
                plain(&c.params),
            )
        })
        .collect()
}

/// The only call of a snippet.
fn one(src: &str) -> (String, String, String, Val) {
    let mut all = calls(src);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

fn op(src: &str) -> (String, String) {
    let (service, operation, _, _) = one(src);
    (service, operation)
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.into(), b.into())
}

// ------------------------------------------------------------------ seed snippets

const SEED_PUT_EVENTS: &str = "import boto3
import json

events = boto3.client('events')

events.put_events(
    Entries=[{
        'Source': 'my.application',
        'DetailType': 'Order Placed',
        'Detail': json.dumps({
            'orderId': '12345',
            'amount': 99.99
        })
    }]
)
";

#[test]
fn seed_put_events() {
    let f = ex(SEED_PUT_EVENTS);
    assert_eq!(f.calls.len(), 1);
    let c = &f.calls[0];
    assert_eq!(
        (c.service.as_str(), c.operation.as_str()),
        ("events", "PutEvents")
    );
    assert_eq!(c.action(), "events:PutEvents");
    assert!(at(SEED_PUT_EVENTS, c.span).starts_with("events.put_events(\n    Entries=[{"));
    assert!(at(SEED_PUT_EVENTS, c.span).ends_with("}]\n)"));
    assert_eq!(
        plain(&c.params),
        obj(&[(
            "Entries",
            list(&[obj(&[
                ("Source", s("my.application")),
                ("DetailType", s("Order Placed")),
                (
                    "Detail",
                    json(obj(&[("orderId", s("12345")), ("amount", num("99.99"))]))
                ),
            ])])
        )])
    );
    // value spans point at the value text
    let Some(Val::List(entries)) = c.params.get("Entries") else {
        panic!("{:?}", c.params)
    };
    let detail = entries[0].span_of("Detail").unwrap();
    assert!(at(SEED_PUT_EVENTS, detail).starts_with("json.dumps({"));
    let source = entries[0].span_of("Source").unwrap();
    assert_eq!(at(SEED_PUT_EVENTS, source), "'my.application'");
    assert_eq!(f.imports, vec!["boto3", "json"]);
    assert_eq!(f.syntax_error, None);
}

/// Verbatim from the seed: no `import` lines, still recognised.
const SEED_SNS: &str = "sns = boto3.client('sns')

sns.publish(
    TopicArn='arn:aws:sns:region:account:topic',
    Message=json.dumps({'event': 'data'}),
    Subject='Notification'
)
";

#[test]
fn seed_sns_publish() {
    let (service, operation, text, params) = one(SEED_SNS);
    assert_eq!((service.as_str(), operation.as_str()), ("sns", "Publish"));
    assert!(text.starts_with("sns.publish(") && text.ends_with("'Notification'\n)"));
    assert_eq!(
        params,
        obj(&[
            ("TopicArn", s("arn:aws:sns:region:account:topic")),
            ("Message", json(obj(&[("event", s("data"))]))),
            ("Subject", s("Notification")),
        ])
    );
    let f = ex(SEED_SNS);
    let arn = f.calls[0].params.span_of("TopicArn").unwrap();
    assert_eq!(at(SEED_SNS, arn), "'arn:aws:sns:region:account:topic'");
}

#[test]
fn seed_handlers_have_no_calls() {
    let src = "def lambda_handler(event, context):
    for record in event['Records']:
        body = json.loads(record['body'])
        # Process message
        process_message(body)
";
    let f = ex(src);
    assert_eq!(f, FileFacts::default());
}

// ------------------------------------------------------------------ operations

#[test]
fn snake_case_methods_map_to_operations() {
    let cases = [
        ("events", "put_events", "events", "PutEvents"),
        ("sns", "publish", "sns", "Publish"),
        ("sns", "publish_batch", "sns", "PublishBatch"),
        ("sqs", "send_message", "sqs", "SendMessage"),
        ("sqs", "send_message_batch", "sqs", "SendMessageBatch"),
        ("sqs", "get_queue_url", "sqs", "GetQueueUrl"),
        ("lambda", "invoke", "lambda", "Invoke"),
        ("lambda", "invoke_async", "lambda", "InvokeAsync"),
        (
            "stepfunctions",
            "start_execution",
            "states",
            "StartExecution",
        ),
        (
            "stepfunctions",
            "start_sync_execution",
            "states",
            "StartSyncExecution",
        ),
        ("dynamodb", "put_item", "dynamodb", "PutItem"),
        ("dynamodb", "update_item", "dynamodb", "UpdateItem"),
        ("dynamodb", "delete_item", "dynamodb", "DeleteItem"),
        ("dynamodb", "batch_write_item", "dynamodb", "BatchWriteItem"),
        (
            "dynamodb",
            "transact_write_items",
            "dynamodb",
            "TransactWriteItems",
        ),
        ("dynamodb", "get_item", "dynamodb", "GetItem"),
        ("dynamodb", "query", "dynamodb", "Query"),
        ("dynamodb", "scan", "dynamodb", "Scan"),
        ("s3", "put_object", "s3", "PutObject"),
        ("s3", "copy_object", "s3", "CopyObject"),
        ("s3", "get_object", "s3", "GetObject"),
        ("s3", "delete_object", "s3", "DeleteObject"),
        ("s3", "upload_file", "s3", "PutObject"),
        ("s3", "upload_fileobj", "s3", "PutObject"),
        ("s3", "download_file", "s3", "GetObject"),
        ("s3", "list_objects_v2", "s3", "ListObjectsV2"),
        ("kinesis", "put_record", "kinesis", "PutRecord"),
        ("kinesis", "put_records", "kinesis", "PutRecords"),
        ("firehose", "put_record", "firehose", "PutRecord"),
        ("firehose", "put_record_batch", "firehose", "PutRecordBatch"),
        ("sts", "assume_role_with_saml", "sts", "AssumeRoleWithSAML"),
        ("dynamodbstreams", "get_records", "dynamodb", "GetRecords"),
        (
            "apigatewaymanagementapi",
            "post_to_connection",
            "execute-api",
            "PostToConnection",
        ),
    ];
    for (client, method, service, operation) in cases {
        let src = format!("import boto3\nc = boto3.client('{client}')\nc.{method}(X=1)\n");
        assert_eq!(op(&src), pair(service, operation), "{client}.{method}");
    }
}

#[test]
fn helper_methods_are_not_operations() {
    let src = "import boto3
s3 = boto3.client('s3')
s3.generate_presigned_url('get_object', Params={'Bucket': 'b'})
s3.get_waiter('object_exists')
s3.close()
s3._private()
";
    assert_eq!(calls(src), vec![]);
}

#[test]
fn invoke_keeps_invocation_type() {
    let src = "import boto3, os, json
lam = boto3.client('lambda')
def handler(event, context):
    lam.invoke(FunctionName=os.environ['WORKER'], InvocationType='Event', Payload=json.dumps(event))
";
    let (service, operation, text, params) = one(src);
    assert_eq!((service.as_str(), operation.as_str()), ("lambda", "Invoke"));
    assert!(text.starts_with("lam.invoke(FunctionName="));
    assert_eq!(
        params,
        obj(&[
            ("FunctionName", env("WORKER")),
            ("InvocationType", s("Event")),
            ("Payload", json(Val::Unknown)),
        ])
    );
    assert_eq!(ex(src).calls[0].action(), "lambda:InvokeFunction");
}

#[test]
fn step_functions_kinesis_firehose() {
    let src = "import boto3, os
sfn = boto3.client('stepfunctions')
kinesis = boto3.client('kinesis')
firehose = boto3.client('firehose')
sfn.start_execution(stateMachineArn=os.environ['SM_ARN'], input='{}')
kinesis.put_records(StreamName='clicks', Records=[])
firehose.put_record_batch(DeliveryStreamName='logs', Records=[])
";
    let all = calls(src);
    assert_eq!(
        all.iter()
            .map(|c| (c.0.as_str(), c.1.as_str(), c.3.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                "states",
                "StartExecution",
                obj(&[("stateMachineArn", env("SM_ARN")), ("input", s("{}"))])
            ),
            (
                "kinesis",
                "PutRecords",
                obj(&[("StreamName", s("clicks")), ("Records", list(&[]))])
            ),
            (
                "firehose",
                "PutRecordBatch",
                obj(&[("DeliveryStreamName", s("logs")), ("Records", list(&[]))])
            ),
        ]
    );
}

// ------------------------------------------------------------------ clients and resources

#[test]
fn dynamodb_table_put_item() {
    let src = "import os
import boto3

dynamodb = boto3.resource('dynamodb')
table = dynamodb.Table(os.environ['TABLE_NAME'])

def handler(event, context):
    table.put_item(Item={'pk': event['id'], 'status': 'NEW'})
";
    let f = ex(src);
    let c = &f.calls[0];
    assert_eq!(
        (c.service.as_str(), c.operation.as_str()),
        ("dynamodb", "PutItem")
    );
    assert_eq!(
        at(src, c.span),
        "table.put_item(Item={'pk': event['id'], 'status': 'NEW'})"
    );
    assert_eq!(
        plain(&c.params),
        obj(&[
            ("TableName", env("TABLE_NAME")),
            ("Item", obj(&[("pk", Val::Unknown), ("status", s("NEW"))])),
        ])
    );
    // the table name points where it is written: the Table(...) argument
    assert_eq!(
        at(src, c.params.span_of("TableName").unwrap()),
        "os.environ['TABLE_NAME']"
    );
}

#[test]
fn dynamodb_table_operations_and_resource_level_calls() {
    let src = "import boto3
ddb = boto3.resource('dynamodb')
t = ddb.Table('orders')
t.get_item(Key={'pk': '1'})
t.update_item(Key={'pk': '1'}, UpdateExpression='SET a = :a')
t.delete_item(Key={'pk': '1'})
t.query(KeyConditionExpression='pk = :p')
t.scan()
ddb.batch_write_item(RequestItems={'orders': []})
boto3.resource('dynamodb').Table('audit').put_item(Item={})
";
    let all = calls(src);
    let ops: Vec<(&str, &str)> = all.iter().map(|c| (c.1.as_str(), c.2.as_str())).collect();
    assert_eq!(
        ops,
        vec![
            ("GetItem", "t.get_item(Key={'pk': '1'})"),
            (
                "UpdateItem",
                "t.update_item(Key={'pk': '1'}, UpdateExpression='SET a = :a')"
            ),
            ("DeleteItem", "t.delete_item(Key={'pk': '1'})"),
            ("Query", "t.query(KeyConditionExpression='pk = :p')"),
            ("Scan", "t.scan()"),
            (
                "BatchWriteItem",
                "ddb.batch_write_item(RequestItems={'orders': []})"
            ),
            (
                "PutItem",
                "boto3.resource('dynamodb').Table('audit').put_item(Item={})"
            ),
        ]
    );
    assert_eq!(all[4].3, obj(&[("TableName", s("orders"))]));
    assert_eq!(all[5].0, "dynamodb");
    assert_eq!(
        all[6].3,
        obj(&[("TableName", s("audit")), ("Item", obj(&[]))])
    );
}

#[test]
fn dynamodb_batch_writer() {
    let src = "import boto3
table = boto3.resource('dynamodb').Table('orders')
def handler(event, context):
    with table.batch_writer() as batch:
        for item in event['items']:
            batch.put_item(Item=item)
";
    let (service, operation, text, params) = one(src);
    assert_eq!(
        (service.as_str(), operation.as_str(), text.as_str()),
        ("dynamodb", "BatchWriteItem", "batch.put_item(Item=item)")
    );
    assert_eq!(
        params,
        obj(&[("TableName", s("orders")), ("Item", Val::Unknown)])
    );
}

#[test]
fn s3_bucket_and_object_resources() {
    let src = "import boto3, os
s3 = boto3.resource('s3')
BUCKET = os.environ['BUCKET']
def handler(event, context):
    s3.Bucket(BUCKET).put_object(Key='out/a.json', Body=b'{}')
    s3.Object(BUCKET, f'out/{event[\"id\"]}.json').put(Body='x')
    bucket = s3.Bucket('archive')
    bucket.upload_file('/tmp/x', 'in/x')
    bucket.Object('k').get()
    bucket.objects.filter(Prefix='in/')
";
    let all = calls(src);
    let got: Vec<(&str, &str, Val)> = all
        .iter()
        .map(|c| (c.1.as_str(), c.2.as_str(), c.3.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "PutObject",
                "s3.Bucket(BUCKET).put_object(Key='out/a.json', Body=b'{}')",
                obj(&[
                    ("Bucket", env("BUCKET")),
                    ("Key", s("out/a.json")),
                    ("Body", s("{}")),
                ])
            ),
            (
                "PutObject",
                "s3.Object(BUCKET, f'out/{event[\"id\"]}.json').put(Body='x')",
                obj(&[
                    ("Bucket", env("BUCKET")),
                    ("Key", cat(&[s("out/"), Val::Unknown, s(".json")])),
                    ("Body", s("x")),
                ])
            ),
            (
                "PutObject",
                "bucket.upload_file('/tmp/x', 'in/x')",
                obj(&[
                    ("Bucket", s("archive")),
                    ("Filename", s("/tmp/x")),
                    ("Key", s("in/x")),
                ])
            ),
            (
                "GetObject",
                "bucket.Object('k').get()",
                obj(&[("Bucket", s("archive")), ("Key", s("k"))])
            ),
            (
                "ListObjects",
                "bucket.objects.filter(Prefix='in/')",
                obj(&[("Bucket", s("archive")), ("Prefix", s("in/"))])
            ),
        ]
    );
    assert!(all.iter().all(|c| c.0 == "s3"));
}

#[test]
fn s3_client_transfer_methods_take_positional_arguments() {
    let src = "import boto3
s3 = boto3.client('s3')
s3.upload_file('/tmp/report.csv', 'reports', 'daily/report.csv')
s3.download_file(Bucket='in', Key='k', Filename='/tmp/k')
s3.copy_object(Bucket='b', Key='k2', CopySource={'Bucket': 'b', 'Key': 'k1'})
boto3.resource('s3').meta.client.upload_fileobj(f, 'b', 'k')
";
    let all = calls(src);
    assert_eq!(
        all.iter()
            .map(|c| (c.1.as_str(), c.3.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                "PutObject",
                obj(&[
                    ("Filename", s("/tmp/report.csv")),
                    ("Bucket", s("reports")),
                    ("Key", s("daily/report.csv")),
                ])
            ),
            (
                "GetObject",
                obj(&[
                    ("Bucket", s("in")),
                    ("Key", s("k")),
                    ("Filename", s("/tmp/k")),
                ])
            ),
            (
                "CopyObject",
                obj(&[
                    ("Bucket", s("b")),
                    ("Key", s("k2")),
                    ("CopySource", obj(&[("Bucket", s("b")), ("Key", s("k1"))])),
                ])
            ),
            (
                "PutObject",
                obj(&[
                    ("Fileobj", Val::Unknown),
                    ("Bucket", s("b")),
                    ("Key", s("k")),
                ])
            ),
        ]
    );
}

#[test]
fn sqs_queue_and_sns_topic_resources() {
    let src = "import boto3
sqs = boto3.resource('sqs')
queue = sqs.Queue('https://sqs.eu-west-1.amazonaws.com/123/jobs')
queue.send_message(MessageBody='x')
sns = boto3.resource('sns')
sns.Topic('arn:aws:sns:eu-west-1:123:t').publish(Message='m')
named = sqs.get_queue_by_name(QueueName='jobs')
named.send_messages(Entries=[])
";
    let all = calls(src);
    assert_eq!(
        all.iter()
            .map(|c| (c.0.as_str(), c.1.as_str(), c.3.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                "sqs",
                "SendMessage",
                obj(&[
                    (
                        "QueueUrl",
                        s("https://sqs.eu-west-1.amazonaws.com/123/jobs")
                    ),
                    ("MessageBody", s("x")),
                ])
            ),
            (
                "sns",
                "Publish",
                obj(&[
                    ("TopicArn", s("arn:aws:sns:eu-west-1:123:t")),
                    ("Message", s("m")),
                ])
            ),
            ("sqs", "GetQueueUrl", obj(&[("QueueName", s("jobs"))])),
            (
                "sqs",
                "SendMessageBatch",
                obj(&[("QueueUrl", Val::Unknown), ("Entries", list(&[]))])
            ),
        ]
    );
}

#[test]
fn sessions() {
    let src = "import boto3
from boto3.session import Session
boto3.session.Session().client('sqs').send_message(QueueUrl='a')
session = boto3.Session(region_name='eu-west-1')
session.client('sns').publish(TopicArn='b')
events = Session().client(service_name='events')
events.put_events(Entries=[])
ddb = session.resource('dynamodb')
ddb.Table('t').get_item(Key={})
";
    let all = calls(src);
    assert_eq!(
        all.iter()
            .map(|c| (c.0.as_str(), c.1.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("sqs", "SendMessage"),
            ("sns", "Publish"),
            ("events", "PutEvents"),
            ("dynamodb", "GetItem"),
        ]
    );
    assert_eq!(
        all[0].2,
        "boto3.session.Session().client('sqs').send_message(QueueUrl='a')"
    );
}

#[test]
fn import_aliases() {
    let src = "import boto3 as b3
from boto3 import client as make_client
from os import environ, getenv
b3.client('sqs').send_message(QueueUrl=environ['Q'])
make_client('sns').publish(TopicArn=getenv('T'))
";
    let all = calls(src);
    assert_eq!(
        all.iter()
            .map(|c| (c.1.as_str(), c.3.clone()))
            .collect::<Vec<_>>(),
        vec![
            ("SendMessage", obj(&[("QueueUrl", env("Q"))])),
            ("Publish", obj(&[("TopicArn", env("T"))])),
        ]
    );
}

#[test]
fn client_created_in_a_helper() {
    let src = "import boto3, os

def get_client():
    return boto3.client('sqs')

def handler(event, context):
    sqs = get_client()
    sqs.send_message(QueueUrl=os.environ['QUEUE_URL'], MessageBody='hi')
    get_client().send_message(QueueUrl='direct', MessageBody='x')
";
    let all = calls(src);
    assert_eq!(
        all,
        vec![
            (
                "sqs".into(),
                "SendMessage".into(),
                "sqs.send_message(QueueUrl=os.environ['QUEUE_URL'], MessageBody='hi')".into(),
                obj(&[("QueueUrl", env("QUEUE_URL")), ("MessageBody", s("hi"))])
            ),
            (
                "sqs".into(),
                "SendMessage".into(),
                "get_client().send_message(QueueUrl='direct', MessageBody='x')".into(),
                obj(&[("QueueUrl", s("direct")), ("MessageBody", s("x"))])
            ),
        ]
    );
}

#[test]
fn lazily_created_global_client() {
    let src = "import boto3
_sqs = None

def sqs():
    global _sqs
    if _sqs is None:
        _sqs = boto3.client('sqs')
    return _sqs

def handler(event, context):
    sqs().send_message(QueueUrl='q', MessageBody='b')
    _sqs.send_message(QueueUrl='q2', MessageBody='b')
";
    let all = calls(src);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(all.iter().all(|c| c.1 == "SendMessage"));
}

#[test]
fn client_passed_as_an_argument() {
    let src = "import boto3, os

def send(client, url, body):
    client.send_message(QueueUrl=url, MessageBody=body)

def notify(topic_arn, *, sns=None):
    sns.publish(TopicArn=topic_arn, Message='done')

def handler(event, context):
    send(boto3.client('sqs'), os.environ['QUEUE_URL'], 'x')
    notify('arn:aws:sns:eu-west-1:1:t', sns=boto3.client('sns'))
";
    let all = calls(src);
    assert_eq!(
        all,
        vec![
            (
                "sqs".into(),
                "SendMessage".into(),
                "client.send_message(QueueUrl=url, MessageBody=body)".into(),
                obj(&[("QueueUrl", env("QUEUE_URL")), ("MessageBody", s("x"))])
            ),
            (
                "sns".into(),
                "Publish".into(),
                "sns.publish(TopicArn=topic_arn, Message='done')".into(),
                obj(&[
                    ("TopicArn", s("arn:aws:sns:eu-west-1:1:t")),
                    ("Message", s("done"))
                ])
            ),
        ]
    );
}

#[test]
fn parameters_with_different_arguments_are_unknown() {
    let src = "import boto3
sqs = boto3.client('sqs')
def send(url):
    sqs.send_message(QueueUrl=url, MessageBody='x')
send('a')
send('b')
";
    assert_eq!(
        one(src).3,
        obj(&[("QueueUrl", Val::Unknown), ("MessageBody", s("x"))])
    );
}

#[test]
fn clients_held_in_attributes() {
    let src = "import boto3, os

class Publisher:
    events = boto3.client('events')

    def __init__(self):
        self.sqs = boto3.client('sqs')
        self.queue_url = os.environ['QUEUE_URL']

    def send(self, body):
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)

    def emit(self):
        self.events.put_events(Entries=[])
        Publisher.events.put_events(Entries=[])
";
    let all = calls(src);
    assert_eq!(
        all.iter()
            .map(|c| (c.1.as_str(), c.2.as_str(), c.3.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                "SendMessage",
                "self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)",
                obj(&[
                    ("QueueUrl", env("QUEUE_URL")),
                    ("MessageBody", Val::Unknown)
                ])
            ),
            (
                "PutEvents",
                "self.events.put_events(Entries=[])",
                obj(&[("Entries", list(&[]))])
            ),
            (
                "PutEvents",
                "Publisher.events.put_events(Entries=[])",
                obj(&[("Entries", list(&[]))])
            ),
        ]
    );
}

#[test]
fn client_from_a_method_returning_it() {
    let src = "import boto3
class Repo:
    def _client(self):
        return boto3.client('dynamodb')
    def save(self, item):
        self._client().put_item(TableName='t', Item=item)
";
    assert_eq!(op(src), pair("dynamodb", "PutItem"));
}

#[test]
fn async_clients_in_with_statements() {
    let src = "import aioboto3
session = aioboto3.Session()
async def handler(event, context):
    async with session.client('sqs') as sqs:
        await sqs.send_message(QueueUrl='q', MessageBody='b')
";
    let (service, operation, text, _) = one(src);
    assert_eq!(
        (service.as_str(), operation.as_str(), text.as_str()),
        (
            "sqs",
            "SendMessage",
            "sqs.send_message(QueueUrl='q', MessageBody='b')"
        )
    );
}

#[test]
fn paginators_call_their_operation() {
    let src = "import boto3
s3 = boto3.client('s3')
for page in s3.get_paginator('list_objects_v2').paginate(Bucket='b', Prefix='in/'):
    pass
";
    let (service, operation, _, params) = one(src);
    assert_eq!(
        (service.as_str(), operation.as_str()),
        ("s3", "ListObjectsV2")
    );
    assert_eq!(params, obj(&[("Bucket", s("b")), ("Prefix", s("in/"))]));
}

#[test]
fn unknown_receivers_and_services_give_no_call() {
    let src = "import boto3, paho.mqtt.client as mqtt
client = mqtt.Client()
client.publish('topic', 'payload')
queue.put(item)
svc = boto3.client(event['service'])
svc.send_message(QueueUrl='q')
";
    assert_eq!(calls(src), vec![]);
}

// ------------------------------------------------------------------ parameter values

#[test]
fn env_var_through_a_module_constant() {
    let src = "import os
import boto3

QUEUE_URL = os.environ[\"QUEUE_URL\"]
sqs = boto3.client(\"sqs\")

def handler(event, context):
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=\"x\")
";
    let f = ex(src);
    assert_eq!(
        plain(&f.calls[0].params),
        obj(&[("QueueUrl", env("QUEUE_URL")), ("MessageBody", s("x"))])
    );
    // the value span is the use; the env read is reported once, where it is read
    assert_eq!(
        at(src, f.calls[0].params.span_of("QueueUrl").unwrap()),
        "QUEUE_URL"
    );
    assert_eq!(f.env.len(), 1);
    assert_eq!(f.env[0].name, "QUEUE_URL");
    assert!(!f.env[0].has_default);
    assert_eq!(at(src, f.env[0].span), "os.environ[\"QUEUE_URL\"]");
}

#[test]
fn f_string_target() {
    let src = "import os, boto3
REGION = os.environ['AWS_REGION']
sns = boto3.client('sns')
def handler(event, context):
    account = context.invoked_function_arn.split(':')[4]
    sns.publish(TopicArn=f\"arn:aws:sns:{REGION}:{account}:orders-{os.environ['STAGE']}\", Message='m')
";
    assert_eq!(
        one(src).3,
        obj(&[
            (
                "TopicArn",
                cat(&[
                    s("arn:aws:sns:"),
                    env("AWS_REGION"),
                    s(":"),
                    Val::Unknown,
                    s(":orders-"),
                    env("STAGE"),
                ])
            ),
            ("Message", s("m")),
        ])
    );
}

#[test]
fn string_building() {
    let src = "import boto3, os
c = boto3.client('sqs')
BASE = 'https://sqs.eu-west-1.amazonaws.com/'
c.send_message(QueueUrl=BASE + os.environ['ACCOUNT'] + '/jobs')
c.send_message(QueueUrl='{}/{name}'.format(BASE, name='q'))
c.send_message(QueueUrl='%s%s/q' % (BASE, 42))
c.send_message(QueueUrl='a' 'b' r'\\d' '\\t' f'{{x}}')
c.send_message(QueueUrl=str(os.environ['Q']), DelaySeconds=-5)
c.send_message(QueueUrl=os.getenv('Q') or 'fallback')
";
    let urls: Vec<Val> = calls(src)
        .into_iter()
        .map(|c| c.3.get("QueueUrl").cloned().unwrap())
        .collect();
    assert_eq!(
        urls,
        vec![
            cat(&[
                s("https://sqs.eu-west-1.amazonaws.com/"),
                env("ACCOUNT"),
                s("/jobs")
            ]),
            s("https://sqs.eu-west-1.amazonaws.com//q"),
            s("https://sqs.eu-west-1.amazonaws.com/42/q"),
            s("ab\\d\t{x}"),
            env("Q"),
            env_or("Q", s("fallback")),
        ]
    );
    assert_eq!(calls(src)[4].3.get("DelaySeconds"), Some(&num("-5")));
}

#[test]
fn local_dicts_lists_and_splats() {
    let src = "import boto3, json
events = boto3.client('events')
BUS = 'orders'
def handler(event, context):
    entry = {'Source': 'shop', 'EventBusName': BUS, 'Detail': json.dumps(dict(id=1))}
    entries = [entry, {**entry, 'Source': 'other'}]
    params = {'Entries': entries}
    events.put_events(**params)
";
    let e = obj(&[
        ("Source", s("shop")),
        ("EventBusName", s("orders")),
        ("Detail", json(obj(&[("id", num("1"))]))),
    ]);
    let e2 = obj(&[
        ("Source", s("other")),
        ("EventBusName", s("orders")),
        ("Detail", json(obj(&[("id", num("1"))]))),
    ]);
    assert_eq!(one(src).3, obj(&[("Entries", list(&[e, e2]))]));
}

#[test]
fn containers_changed_in_place_are_unknown() {
    let src = "import boto3
ddb = boto3.client('dynamodb')
FIXED = [{'Put': {}}]
def handler(event, context):
    updates = []
    for item in event['items']:
        updates.append({'Update': item})
    ddb.transact_write_items(TransactItems=updates)
    entry = {'Source': 's'}
    entry['Detail'] = '{}'
    ddb.put_item(TableName='t', Item=entry)
    nested = {'a': {}}
    nested['a']['b'] = 1
    ddb.put_item(TableName='t', Item=nested)
    gone = {'a': 1}
    del gone['a']
    ddb.put_item(TableName='t', Item=gone)
    ddb.transact_write_items(TransactItems=FIXED)
";
    let got: Vec<Val> = calls(src)
        .into_iter()
        .map(|c| {
            c.3.get("TransactItems")
                .or(c.3.get("Item"))
                .cloned()
                .unwrap()
        })
        .collect();
    assert_eq!(
        got,
        vec![
            Val::Unknown,
            Val::Unknown,
            Val::Unknown,
            Val::Unknown,
            list(&[obj(&[("Put", obj(&[]))])]),
        ]
    );
}

#[test]
fn conditional_assignments() {
    let src = "import boto3, os
c = boto3.client('sqs')
def handler(event, context):
    if event.get('priority'):
        url = os.environ['FAST']
    else:
        url = os.environ['SLOW']
    c.send_message(QueueUrl=url)
    same = 'x'
    if event:
        same = 'x'
    c.send_message(QueueUrl=same)
    last = 'a'
    last = 'b'
    c.send_message(QueueUrl=last)
    for last in event['urls']:
        c.send_message(QueueUrl=last)
";
    let urls: Vec<Val> = calls(src)
        .into_iter()
        .map(|c| c.3.get("QueueUrl").cloned().unwrap())
        .collect();
    assert_eq!(urls, vec![Val::Unknown, s("x"), s("b"), Val::Unknown]);
}

#[test]
fn local_shadows_module_constant() {
    let src = "import boto3
c = boto3.client('sqs')
URL = 'module'
def a():
    URL = 'local'
    c.send_message(QueueUrl=URL)
def b():
    c.send_message(QueueUrl=URL)
def d(URL):
    c.send_message(QueueUrl=URL)
";
    let urls: Vec<Val> = calls(src)
        .into_iter()
        .map(|c| c.3.get("QueueUrl").cloned().unwrap())
        .collect();
    assert_eq!(urls, vec![s("local"), s("module"), Val::Unknown]);
}

#[test]
fn lambda_parameters_shadow_outer_names() {
    let src = "import boto3
c = boto3.client('sqs')
url = 'outer'
send = lambda url: c.send_message(QueueUrl=url)
c.send_message(QueueUrl=url)
";
    let urls: Vec<Val> = calls(src)
        .into_iter()
        .map(|c| c.3.get("QueueUrl").cloned().unwrap())
        .collect();
    assert_eq!(urls, vec![Val::Unknown, s("outer")]);
}

#[test]
fn value_from_a_helper_and_a_config_dict() {
    let src = "import boto3, os
CONFIG = {'queue': os.environ['JOBS_URL'], 'retries': 3}
def queue_url():
    return os.environ['OTHER_URL']
c = boto3.client('sqs')
c.send_message(QueueUrl=CONFIG['queue'])
c.send_message(QueueUrl=queue_url())
";
    let urls: Vec<Val> = calls(src)
        .into_iter()
        .map(|c| c.3.get("QueueUrl").cloned().unwrap())
        .collect();
    assert_eq!(urls, vec![env("JOBS_URL"), env("OTHER_URL")]);
}

// ------------------------------------------------------------------ environment

#[test]
fn environment_reads() {
    let src = "import os
from os import getenv
a = os.environ['A']
b = os.environ.get('B')
c = os.getenv('C', 'x')
d = getenv('D')
if 'E' in os.environ:
    e = os.environ['E']
try:
    g = os.environ['G']
except KeyError:
    g = None
h = os.environ['H'] if 'H' in os.environ else None
os.environ['W'] = 'written'
del os.environ['W']
i = os.environ.setdefault('I', '1')
NAME = 'J'
j = os.environ[NAME]
";
    let f = ex(src);
    let got: Vec<(&str, bool, &str)> = f
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.has_default, at(src, e.span)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("A", false, "os.environ['A']"),
            ("B", true, "os.environ.get('B')"),
            ("C", true, "os.getenv('C', 'x')"),
            ("D", true, "getenv('D')"),
            ("E", true, "os.environ['E']"),
            ("G", true, "os.environ['G']"),
            ("H", true, "os.environ['H']"),
            ("I", true, "os.environ.setdefault('I', '1')"),
            ("J", false, "os.environ[NAME]"),
        ]
    );
}

#[test]
fn env_guard_is_per_variable_and_branch() {
    let src = "import os
if 'A' in os.environ:
    x = os.environ['B']
else:
    y = os.environ['A']
try:
    z = os.environ['C']
except ValueError:
    pass
if os.getenv('F'):
    f = os.environ['F']
handler = lambda url: os.environ[url]
";
    let got: Vec<(String, bool)> = ex(src)
        .env
        .into_iter()
        .map(|e| (e.name, e.has_default))
        .collect();
    assert_eq!(
        got,
        vec![
            ("B".into(), false),
            ("A".into(), false),
            ("C".into(), false),
            ("F".into(), true),
            ("F".into(), true),
        ]
    );
}

#[test]
fn env_values_with_defaults() {
    let src = "import os, boto3
c = boto3.client('sqs')
c.send_message(QueueUrl=os.environ.get('Q'), MessageBody=os.getenv('B', 'none'))
";
    assert_eq!(
        one(src).3,
        obj(&[
            ("QueueUrl", env("Q")),
            ("MessageBody", env_or("B", s("none")))
        ])
    );
}

// ------------------------------------------------------------------ HTTP

#[test]
fn http_calls() {
    let src = "import os, requests, httpx, urllib3, aiohttp
import urllib.request
from requests import post
API = os.environ['API_URL']
requests.get(API)
post(f'{API}/orders', json={})
requests.request('put', url='https://x.example/y')
with httpx.Client() as client:
    client.delete('https://h.example/1')
http = urllib3.PoolManager()
http.request('GET', 'https://u.example/')
urllib.request.urlopen(urllib.request.Request('https://r.example/', method='PATCH'))
urllib.request.urlopen('https://plain.example/')
async def f():
    async with aiohttp.ClientSession() as session:
        async with session.get('https://a.example/') as resp:
            pass
s = requests.Session()
s.head(API)
";
    let f = ex(src);
    let got: Vec<(Val, Option<&str>, &str)> = f
        .http
        .iter()
        .map(|h| (plain(&h.url), h.method.as_deref(), at(src, h.span)))
        .collect();
    assert_eq!(
        got,
        vec![
            (env("API_URL"), Some("GET"), "requests.get(API)"),
            (
                cat(&[env("API_URL"), s("/orders")]),
                Some("POST"),
                "post(f'{API}/orders', json={})"
            ),
            (
                s("https://x.example/y"),
                Some("PUT"),
                "requests.request('put', url='https://x.example/y')"
            ),
            (
                s("https://h.example/1"),
                Some("DELETE"),
                "client.delete('https://h.example/1')"
            ),
            (
                s("https://u.example/"),
                Some("GET"),
                "http.request('GET', 'https://u.example/')"
            ),
            (
                s("https://r.example/"),
                Some("PATCH"),
                "urllib.request.urlopen(urllib.request.Request('https://r.example/', method='PATCH'))"
            ),
            (
                s("https://plain.example/"),
                Some("GET"),
                "urllib.request.urlopen('https://plain.example/')"
            ),
            (
                s("https://a.example/"),
                Some("GET"),
                "session.get('https://a.example/')"
            ),
            (env("API_URL"), Some("HEAD"), "s.head(API)"),
        ]
    );
    assert!(f.calls.is_empty());
}

// ------------------------------------------------------------------ imports

#[test]
fn imports_as_written() {
    let src = "from __future__ import annotations
import helpers
import a.b as c
from .util import x
from lib.util import y, z as w
from . import sibling
from ..common import *
def f():
    import lazy_mod
";
    assert_eq!(
        ex(src).imports,
        vec![
            "helpers",
            "a.b",
            ".util",
            ".util.x",
            "lib.util",
            "lib.util.y",
            "lib.util.z",
            ".",
            ".sibling",
            "..common",
            "lazy_mod",
        ]
    );
}

// ------------------------------------------------------------------ batch failures

#[test]
fn batch_item_failures_in_handler_and_helper() {
    let src = "def build(failures):
    return {'batchItemFailures': [{'itemIdentifier': i} for i in failures]}

def handler(event, context):
    failures = []
    if not failures:
        return {\"batchItemFailures\": []}
    response = {}
    response['batchItemFailures'] = failures
    return build(failures)

def other():
    return dict(batchItemFailures=[])
";
    let f = ex(src);
    let got: Vec<&str> = f.batch_failures.iter().map(|s| at(src, *s)).collect();
    assert_eq!(
        got,
        vec![
            "{'batchItemFailures': [{'itemIdentifier': i} for i in failures]}",
            "{\"batchItemFailures\": []}",
            "response['batchItemFailures'] = failures",
            "dict(batchItemFailures=[])",
        ]
    );
}

#[test]
fn powertools_batch_processing_reports_failures() {
    let src = "from aws_lambda_powertools.utilities.batch import (
    BatchProcessor, EventType, process_partial_response, batch_processor,
)
processor = BatchProcessor(event_type=EventType.SQS)

def handler(event, context):
    return process_partial_response(event=event, record_handler=h, processor=processor, context=context)

@batch_processor(record_handler=h, processor=processor)
def legacy(event, context):
    return processor.response()
";
    let f = ex(src);
    let got: Vec<&str> = f.batch_failures.iter().map(|s| at(src, *s)).collect();
    assert_eq!(
        got,
        vec![
            "process_partial_response(event=event, record_handler=h, processor=processor, context=context)",
            "@batch_processor(record_handler=h, processor=processor)",
            "processor.response()",
        ]
    );
}

// ------------------------------------------------------------------ stream images

#[test]
fn stream_images() {
    let src = "def handler(event, context):
    for record in event['Records']:
        new = record['dynamodb']['NewImage']
        old = record['dynamodb'].get('OldImage', {})
        keys = record['dynamodb']['Keys']

def typed(event: DynamoDBStreamEvent):
    for record in event.records:
        image = record.dynamodb.new_image
";
    let f = ex(src);
    let got: Vec<(&str, &str)> = f
        .images
        .iter()
        .map(|(n, s)| (n.as_str(), at(src, *s)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("NewImage", "record['dynamodb']['NewImage']"),
            ("OldImage", "record['dynamodb'].get('OldImage', {})"),
            ("NewImage", "record.dynamodb.new_image"),
        ]
    );
}

// ------------------------------------------------------------------ idempotency

#[test]
fn idempotency_markers() {
    let src = "import boto3
from boto3.dynamodb.conditions import Attr
from aws_lambda_powertools.utilities.idempotency import idempotent, idempotent_function
table = boto3.resource('dynamodb').Table('t')
COND = 'attribute_not_exists(pk)'

@idempotent(persistence_store=store)
def handler(event, context):
    table.put_item(Item={}, ConditionExpression='attribute_not_exists(pk)')
    table.put_item(Item={}, ConditionExpression=Attr('pk').not_exists())
    table.put_item(Item={}, ConditionExpression=COND)
    table.put_item(Item={}, ConditionExpression='attribute_exists(pk)')
    client.transact_write_items(TransactItems=[{'Put': {'ConditionExpression': 'attribute_not_exists(id)'}}])

@idempotent_function(data_keyword_argument='order', config=config, persistence_store=store)
def process(order):
    pass
";
    let f = ex(src);
    let got: Vec<&str> = f.idempotency.iter().map(|s| at(src, *s)).collect();
    assert_eq!(
        got,
        vec![
            "@idempotent(persistence_store=store)",
            "ConditionExpression='attribute_not_exists(pk)'",
            "ConditionExpression=Attr('pk').not_exists()",
            "ConditionExpression=COND",
            "'ConditionExpression': 'attribute_not_exists(id)'",
            "@idempotent_function(data_keyword_argument='order', config=config, persistence_store=store)",
        ]
    );
}

// ------------------------------------------------------------------ malformed and hostile input

#[test]
fn syntax_error_is_reported_and_the_rest_still_read() {
    let src = "import boto3
sqs = boto3.client('sqs')
sqs.send_message(QueueUrl='q', MessageBody='b')
def broken(:
    pass
";
    let f = ex(src);
    let e = f.syntax_error.expect("syntax error");
    let line = src[..e.start as usize].matches('\n').count() + 1;
    assert_eq!(line, 4);
    assert_eq!(f.calls.len(), 1);
    assert_eq!(f.calls[0].operation, "SendMessage");
}

#[test]
fn missing_token_is_a_syntax_error() {
    let f = ex("x = foo(1, 2\n");
    assert!(f.syntax_error.is_some());
}

#[test]
fn malformed_inputs_do_not_panic() {
    let inputs = [
        "",
        "\n\n\n",
        "def",
        "boto3.client(",
        "boto3.client('sqs').",
        "x = os.environ[",
        "f'{",
        "'''unterminated",
        "\u{0}\u{1}\u{2}",
        "é = '\\N{BULLET}\\x4\\u12'",
        "class C(:\n  self.x = boto3.client('sqs')\n",
        "async with as x: pass",
        "import\nfrom . import\nfrom",
        "a, *b = c = boto3.client('sqs'), 1\nb.send_message()",
        "def f(*, **k, /): return f(f(f()))",
        "x = x\nx.send_message()\ny = z\nz = y\ny.put_item()",
        "def f(c): return g(c)\ndef g(c): return f(c)\nf(1).publish()",
    ];
    for src in inputs {
        let _ = ex(src);
    }
}

#[test]
fn deep_and_wide_input_is_bounded() {
    use std::fmt::Write as _;
    // deep nesting
    let deep = format!(
        "import boto3\nc = boto3.client('sqs')\nc.send_message(QueueUrl={}1{})\n",
        "[".repeat(3000),
        "]".repeat(3000)
    );
    let f = ex(&deep);
    assert_eq!(f.calls.len(), 1);
    // long `+` chains
    let chain = format!(
        "import boto3\nc = boto3.client('sqs')\nc.send_message(QueueUrl='a'{})\n",
        " + 'b'".repeat(5000)
    );
    let f = ex(&chain);
    assert_eq!(f.calls.len(), 1);
    // values doubling at each name
    let mut doubling = String::from("import boto3\nc = boto3.client('sqs')\na0 = 'x'\n");
    for i in 1..60 {
        writeln!(doubling, "a{i} = a{} + a{}", i - 1, i - 1).unwrap();
    }
    doubling.push_str("c.send_message(QueueUrl=a59)\n");
    let start = std::time::Instant::now();
    let f = ex(&doubling);
    assert_eq!(f.calls.len(), 1);
    assert_eq!(f.calls[0].params.get("QueueUrl"), Some(&Val::Unknown));
    // helper chains through parameters
    let mut hops = String::from("import boto3\n");
    for i in 0..300 {
        writeln!(hops, "def f{i}(c):\n    return f{}(c)", i + 1).unwrap();
    }
    hops.push_str("def f300(c):\n    c.send_message(QueueUrl='q')\nf0(boto3.client('sqs'))\n");
    let _ = ex(&hops);
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn many_calls_stay_fast() {
    use std::fmt::Write as _;
    let mut src =
        String::from("import boto3, os\nsqs = boto3.client('sqs')\nURL = os.environ['Q']\n");
    for i in 0..2000 {
        writeln!(
            src,
            "def h{i}(event):\n    sqs.send_message(QueueUrl=URL, MessageBody=f'{{event}}-{i}')"
        )
        .unwrap();
    }
    let start = std::time::Instant::now();
    let f = ex(&src);
    assert_eq!(f.calls.len(), 2000);
    assert_eq!(f.env.len(), 1);
    assert!(start.elapsed().as_secs() < 5);
}

// ---- statically known shapes (issue 5) ----

fn params_of(src: &str, op: &str) -> Val {
    let f = ex(src);
    let c = f.calls.iter().find(|c| c.operation == op).expect("call");
    c.params.clone()
}

#[test]
fn detail_built_in_a_local_then_dumped() {
    let src = r#"
import json, boto3
events = boto3.client("events")
def handler(event, context):
    base = {"version": "1", "source": "orders"}
    detail = {**base, "orderId": event["id"], "status": "PLACED"}
    entry = {"Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": json.dumps(detail)}
    events.put_events(Entries=[entry])
"#;
    let p = params_of(src, "PutEvents");
    let Some(Val::List(entries)) = p.get("Entries") else {
        panic!("entries: {p:?}")
    };
    let Some(Val::Json(detail)) = entries.first().and_then(|e| e.get("Detail")) else {
        panic!("detail")
    };
    assert_eq!(detail.get("version"), Some(&s("1")));
    assert_eq!(detail.get("status"), Some(&s("PLACED")));
    assert_eq!(detail.get("orderId"), Some(&Val::Unknown));
    assert!(!detail.is_open());
    assert_eq!(detail.field("missing"), Field::Absent);
}

#[test]
fn unknown_splat_opens_the_object() {
    let src = r#"
import boto3
sqs = boto3.client("sqs")
def send(extra, **kwargs):
    body = {"kind": "a", **extra}
    merged = dict(extra, kind="b")
    sqs.send_message(**kwargs, QueueUrl="q", MessageBody=body)
    sqs.send_message(QueueUrl="q", MessageBody=merged)
"#;
    let f = ex(src);
    let p = &f.calls[0].params;
    assert!(p.is_open());
    assert_eq!(p.field("MessageGroupId"), Field::Unknown);
    // a key may be overridden by the splat after it: present, value unknown
    let body = p.get("MessageBody").expect("body");
    assert!(body.is_open());
    assert_eq!(body.get("kind"), Some(&Val::Unknown));
    let merged = f.calls[1].params.get("MessageBody").expect("merged");
    assert!(merged.is_open());
    assert_eq!(merged.get("kind"), Some(&s("b")));
    assert!(!f.calls[1].params.is_open());
}

#[test]
fn fifo_ids_present_absent_and_known_splat() {
    let src = r#"
import os, boto3
sqs = boto3.client("sqs")
FIFO = {"MessageGroupId": "orders", "MessageDeduplicationId": "x"}
def handler(event, context):
    attrs = {"type": {"DataType": "String", "StringValue": "order"}}
    sqs.send_message(QueueUrl=os.environ["Q"], MessageBody="{}", MessageAttributes=attrs, **FIFO)
    sqs.send_message(QueueUrl=os.environ["Q"], MessageBody="{}")
    entries = [{"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b", "MessageGroupId": "g"}]
    sqs.send_message_batch(QueueUrl=os.environ["Q"], Entries=entries)
"#;
    let f = ex(src);
    let p = &f.calls[0].params;
    assert!(matches!(p.field("MessageGroupId"), Field::Present(Val::Str(g), _) if g == "orders"));
    assert!(matches!(
        p.field("MessageDeduplicationId"),
        Field::Present(..)
    ));
    let attrs = p.get("MessageAttributes").expect("attrs");
    assert_eq!(
        attrs.get("type").and_then(|t| t.get("StringValue")),
        Some(&s("order"))
    );
    assert_eq!(f.calls[1].params.field("MessageGroupId"), Field::Absent);
    let Some(Val::List(entries)) = f.calls[2].params.get("Entries") else {
        panic!("entries")
    };
    assert_eq!(entries[0].field("MessageGroupId"), Field::Absent);
    assert!(matches!(
        entries[1].field("MessageGroupId"),
        Field::Present(..)
    ));
}
