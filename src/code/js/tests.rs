use super::*;
use crate::code::facts::Field;
use crate::code::facts::{EnvRead, HttpCall, SdkCall};

const F: FileId = 7;

fn js(src: &str) -> FileFacts {
    Js { typescript: false }.extract(src, F)
}

fn ts(src: &str) -> FileFacts {
    Js { typescript: true }.extract(src, F)
}

/// The span of the `i`th occurrence of `needle` in `src`.
fn nth(src: &str, needle: &str, i: usize) -> Span {
    let start = src
        .match_indices(needle)
        .nth(i)
        .map(|(s, _)| s)
        .unwrap_or_else(|| panic!("{needle:?} not in source"));
    Span::new(F, start, start + needle.len())
}

fn at(src: &str, needle: &str) -> Span {
    nth(src, needle, 0)
}

fn s(v: &str) -> Val {
    Val::Str(v.into())
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

/// An object value; each field's span is the first occurrence of the given text.
fn obj(src: &str, fields: &[(&str, Val, &str)]) -> Val {
    Val::Object(
        fields
            .iter()
            .map(|(k, v, t)| ((*k).to_string(), v.clone(), at(src, t)))
            .collect(),
    )
}

fn call(src: &str, service: &str, op: &str, params: Val, text: &str) -> SdkCall {
    SdkCall {
        service: service.into(),
        operation: op.into(),
        params,
        span: at(src, text),
    }
}

/// (service, operation) of every call.
fn ops(f: &FileFacts) -> Vec<(String, String)> {
    f.calls
        .iter()
        .map(|c| (c.service.clone(), c.operation.clone()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect()
}

fn envs(f: &FileFacts) -> Vec<(String, bool)> {
    f.env
        .iter()
        .map(|e| (e.name.clone(), e.has_default))
        .collect()
}

fn text(src: &str, sp: Span) -> &str {
    src.get(sp.start as usize..sp.end as usize)
        .unwrap_or("<bad span>")
}

// ---- SDK v3 ----

#[test]
fn v3_esm_awaited_send_of_a_new_command() {
    let src = r#"import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const client = new SQSClient({ region: 'eu-west-1' });
export const handler = async (event) => {
  await client.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: 'hello', DelaySeconds: 5 }));
};
"#;
    let f = js(src);
    let params = obj(
        src,
        &[
            ("QueueUrl", env("QUEUE_URL"), "process.env.QUEUE_URL"),
            ("MessageBody", s("hello"), "'hello'"),
            ("DelaySeconds", Val::Num("5".into()), "5 }"),
        ],
    )
    .map_span(2, |sp| sp.map_end(1));
    assert_eq!(
        f.calls,
        vec![call(
            src,
            "sqs",
            "SendMessage",
            params,
            "client.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: 'hello', DelaySeconds: 5 }))"
        )]
    );
    assert_eq!(f.env.len(), 1);
    assert!(f.imports.iter().all(|i| !i.starts_with('.')));
    assert_eq!(f.syntax_error, None);
}

#[test]
fn v3_commonjs_destructured_require() {
    let src = r#"const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");
const sns = new SNSClient({});
exports.handler = async () => {
  const out = await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC, Message: JSON.stringify({ ok: true }) }));
  return out;
};
"#;
    let f = js(src);
    let params = obj(
        src,
        &[
            ("TopicArn", env("TOPIC"), "process.env.TOPIC"),
            (
                "Message",
                Val::Json(Box::new(obj(src, &[("ok", Val::Bool(true), "true")]))),
                "JSON.stringify({ ok: true })",
            ),
        ],
    );
    assert_eq!(
        f.calls,
        vec![call(
            src,
            "sns",
            "Publish",
            params,
            "sns.send(new PublishCommand({ TopicArn: process.env.TOPIC, Message: JSON.stringify({ ok: true }) }))"
        )]
    );
}

#[test]
fn v3_namespace_import_and_required_member() {
    let src = r#"import * as Lambda from '@aws-sdk/client-lambda';
const sfn = require('@aws-sdk/client-sfn');
const SendCmd = require('@aws-sdk/client-sqs').SendMessageCommand;
const lambda = new Lambda.LambdaClient({});
export async function handler() {
  await lambda.send(new Lambda.InvokeCommand({ FunctionName: 'worker', InvocationType: 'Event' }));
  await new sfn.SFNClient({}).send(new sfn.StartSyncExecutionCommand({ stateMachineArn: 'arn:sm' }));
  await x.send(new SendCmd({}));
}
"#;
    let f = js(src);
    assert_eq!(
        f.calls,
        vec![
            call(
                src,
                "lambda",
                "Invoke",
                obj(
                    src,
                    &[
                        ("FunctionName", s("worker"), "'worker'"),
                        ("InvocationType", s("Event"), "'Event'"),
                    ]
                ),
                "lambda.send(new Lambda.InvokeCommand({ FunctionName: 'worker', InvocationType: 'Event' }))"
            ),
            call(
                src,
                "states",
                "StartSyncExecution",
                obj(src, &[("stateMachineArn", s("arn:sm"), "'arn:sm'")]),
                "new sfn.SFNClient({}).send(new sfn.StartSyncExecutionCommand({ stateMachineArn: 'arn:sm' }))"
            ),
            call(
                src,
                "sqs",
                "SendMessage",
                Val::Object(vec![]),
                "x.send(new SendCmd({}))"
            ),
        ]
    );
}

#[test]
fn v3_command_built_into_a_variable_first() {
    let src = r#"import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
const eb = new EventBridgeClient();
const BUS = process.env.BUS_NAME ?? 'default';
export const handler = async (event) => {
  const input = { Entries: [{ EventBusName: BUS, Source: 'orders', DetailType: 'OrderPlaced', Detail: JSON.stringify(event) }] };
  const cmd = new PutEventsCommand(input);
  const res = await eb.send(cmd);
};
"#;
    let f = js(src);
    let entry = obj(
        src,
        &[
            ("EventBusName", env_or("BUS_NAME", s("default")), "BUS,"),
            ("Source", s("orders"), "'orders'"),
            ("DetailType", s("OrderPlaced"), "'OrderPlaced'"),
            (
                "Detail",
                Val::Json(Box::new(Val::Unknown)),
                "JSON.stringify(event)",
            ),
        ],
    )
    .map_span(0, |sp| sp.map_end(3));
    let list = "[{ EventBusName: BUS, Source: 'orders', DetailType: 'OrderPlaced', Detail: JSON.stringify(event) }]";
    let params = Val::Object(vec![(
        "Entries".into(),
        Val::List(vec![entry]),
        at(src, list),
    )]);
    assert_eq!(
        f.calls,
        vec![call(src, "events", "PutEvents", params, "eb.send(cmd)")]
    );
}

#[test]
fn v3_params_object_built_then_passed() {
    let src = r#"import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
const QUEUE_URL = process.env.QUEUE_URL;
export async function handler(event) {
  const params = { QueueUrl: QUEUE_URL, MessageBody: 'x' };
  params.MessageGroupId = 'group-1';
  await sqs.send(new SendMessageCommand(params));
}
"#;
    let f = js(src);
    assert_eq!(
        f.calls,
        vec![call(
            src,
            "sqs",
            "SendMessage",
            obj(
                src,
                &[
                    ("QueueUrl", env("QUEUE_URL"), "QUEUE_URL, "),
                    ("MessageBody", s("x"), "'x'"),
                    ("MessageGroupId", s("group-1"), "'group-1'"),
                ]
            )
            .map_span(0, |sp| sp.map_end(9)),
            "sqs.send(new SendMessageCommand(params))"
        )]
    );
}

/// Test helper: adjust the span of field `i` of an object value.
trait MapSpan {
    fn map_span(self, i: usize, f: impl Fn(Span) -> Span) -> Val;
}

impl MapSpan for Val {
    fn map_span(self, i: usize, f: impl Fn(Span) -> Span) -> Val {
        match self {
            Val::Object(mut fields) => {
                if let Some(x) = fields.get_mut(i) {
                    x.2 = f(x.2);
                }
                Val::Object(fields)
            }
            other => other,
        }
    }
}

#[test]
fn v3_aggregated_clients() {
    let src = r#"import { SQS } from '@aws-sdk/client-sqs';
import { Kinesis } from '@aws-sdk/client-kinesis';
const kinesis = new Kinesis({});
export const handler = async () => {
  await new SQS({}).sendMessage({ QueueUrl: 'q', MessageBody: 'b' });
  await kinesis.putRecords({ StreamName: 's', Records: [] });
  kinesis.destroy();
  await kinesis.send(whatever);
};
"#;
    let f = js(src);
    assert_eq!(
        f.calls,
        vec![
            call(
                src,
                "sqs",
                "SendMessage",
                obj(
                    src,
                    &[("QueueUrl", s("q"), "'q'"), ("MessageBody", s("b"), "'b'")]
                ),
                "new SQS({}).sendMessage({ QueueUrl: 'q', MessageBody: 'b' })"
            ),
            call(
                src,
                "kinesis",
                "PutRecords",
                obj(
                    src,
                    &[
                        ("StreamName", s("s"), "'s'"),
                        ("Records", Val::List(vec![]), "[]")
                    ]
                ),
                "kinesis.putRecords({ StreamName: 's', Records: [] })"
            ),
        ]
    );
}

#[test]
fn v3_lib_dynamodb_document_client_commands() {
    let src = r#"import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand, DeleteCommand, GetCommand, QueryCommand,
  BatchWriteCommand, TransactWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const T = process.env.TABLE;
export const handler = async () => {
  await doc.send(new PutCommand({ TableName: T, Item: { pk: '1' } }));
  await doc.send(new UpdateCommand({ TableName: T }));
  await doc.send(new DeleteCommand({ TableName: T }));
  await doc.send(new GetCommand({ TableName: T }));
  await doc.send(new QueryCommand({ TableName: T }));
  await doc.send(new BatchWriteCommand({ RequestItems: {} }));
  await doc.send(new TransactWriteCommand({ TransactItems: [] }));
  await doc.send(new ScanCommand({ TableName: T }));
};
"#;
    let f = js(src);
    assert_eq!(
        ops(&f),
        pairs(&[
            ("dynamodb", "PutItem"),
            ("dynamodb", "UpdateItem"),
            ("dynamodb", "DeleteItem"),
            ("dynamodb", "GetItem"),
            ("dynamodb", "Query"),
            ("dynamodb", "BatchWriteItem"),
            ("dynamodb", "TransactWriteItems"),
            ("dynamodb", "Scan"),
        ])
    );
    assert_eq!(
        f.calls[0],
        call(
            src,
            "dynamodb",
            "PutItem",
            obj(
                src,
                &[
                    ("TableName", env("TABLE"), "T, Item"),
                    ("Item", obj(src, &[("pk", s("1"), "'1'")]), "{ pk: '1' }"),
                ]
            )
            .map_span(0, |sp| sp.map_end(1)),
            "doc.send(new PutCommand({ TableName: T, Item: { pk: '1' } }))"
        )
    );
}

#[test]
fn v3_document_aggregated_and_client_dynamodb_commands() {
    let src = r#"import { DynamoDBClient, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
const client = new DynamoDBClient({});
const doc = DynamoDBDocument.from(client);
export const handler = async () => {
  await client.send(new PutItemCommand({ TableName: 't', Item: {} }));
  await client.send(new TransactWriteItemsCommand({ TransactItems: [] }));
  await doc.put({ TableName: 't', Item: {} });
  await doc.transactWrite({ TransactItems: [] });
  await doc.batchGet({ RequestItems: {} });
  doc.destroy();
};
"#;
    assert_eq!(
        ops(&js(src)),
        pairs(&[
            ("dynamodb", "PutItem"),
            ("dynamodb", "TransactWriteItems"),
            ("dynamodb", "PutItem"),
            ("dynamodb", "TransactWriteItems"),
            ("dynamodb", "BatchGetItem"),
        ])
    );
}

#[test]
fn v3_service_prefix_from_the_package() {
    let cases = [
        ("eventbridge", "PutEvents", "events"),
        ("sns", "Publish", "sns"),
        ("sqs", "SendMessageBatch", "sqs"),
        ("lambda", "Invoke", "lambda"),
        ("sfn", "StartExecution", "states"),
        ("dynamodb", "PutItem", "dynamodb"),
        ("s3", "PutObject", "s3"),
        ("kinesis", "PutRecord", "kinesis"),
        ("firehose", "PutRecordBatch", "firehose"),
        ("cloudwatch-events", "PutEvents", "events"),
        ("secrets-manager", "GetSecretValue", "secretsmanager"),
        ("ssm", "GetParameter", "ssm"),
        ("cloudwatch-logs", "PutLogEvents", "logs"),
        ("apigatewaymanagementapi", "PostToConnection", "execute-api"),
        ("scheduler", "CreateSchedule", "scheduler"),
    ];
    for (pkg, op, service) in cases {
        let src = format!(
            "import {{ {op}Command }} from '@aws-sdk/client-{pkg}';\nawait c.send(new {op}Command({{}}));\n"
        );
        let f = js(&src);
        assert_eq!(ops(&f), pairs(&[(service, op)]), "{pkg}");
        assert_eq!(
            text(&src, f.calls[0].span),
            format!("c.send(new {op}Command({{}}))")
        );
    }
}

#[test]
fn v3_import_alias_and_xray_wrapped_client() {
    let src = r#"import { SQSClient, SendMessageBatchCommand as Batch } from '@aws-sdk/client-sqs';
import AWSXRay from 'aws-xray-sdk-core';
const sqs = AWSXRay.captureAWSv3Client(new SQSClient({}));
export const handler = async () => sqs.send(new Batch({ QueueUrl: 'q', Entries: [] }));
"#;
    let f = js(src);
    assert_eq!(ops(&f), pairs(&[("sqs", "SendMessageBatch")]));
    assert_eq!(
        text(src, f.calls[0].span),
        "sqs.send(new Batch({ QueueUrl: 'q', Entries: [] }))"
    );
}

#[test]
fn v3_command_sent_through_a_helper_is_still_a_call() {
    let src = r#"import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
const sfn = new SFNClient({});
const send = (command) => sfn.send(command);
export const handler = async () => {
  await send(new StartExecutionCommand({ stateMachineArn: process.env.SM }));
};
"#;
    let f = js(src);
    assert_eq!(
        f.calls,
        vec![call(
            src,
            "states",
            "StartExecution",
            obj(src, &[("stateMachineArn", env("SM"), "process.env.SM")]),
            "new StartExecutionCommand({ stateMachineArn: process.env.SM })"
        )]
    );
}

#[test]
fn v3_upload_presigned_url_and_paginator() {
    let src = r#"import { S3Client, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
const s3 = new S3Client({});
export const handler = async () => {
  await new Upload({ client: s3, params: { Bucket: 'b', Key: 'k', Body: stream } }).done();
  const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'b', Key: 'up' }), { expiresIn: 60 });
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: 'b' })) {}
};
"#;
    let f = js(src);
    assert_eq!(
        ops(&f),
        pairs(&[
            ("s3", "PutObject"),
            ("s3", "PutObject"),
            ("s3", "ListObjectsV2")
        ])
    );
    assert_eq!(
        f.calls[0].params,
        obj(
            src,
            &[
                ("Bucket", s("b"), "'b'"),
                ("Key", s("k"), "'k'"),
                ("Body", Val::Unknown, "stream")
            ]
        )
    );
    assert_eq!(
        text(src, f.calls[1].span),
        "getSignedUrl(s3, new PutObjectCommand({ Bucket: 'b', Key: 'up' }), { expiresIn: 60 })"
    );
    assert_eq!(f.calls[1].params.get("Key"), Some(&s("up")));
    assert_eq!(f.calls[2].params.get("Bucket"), Some(&s("b")));
}

#[test]
fn v3_near_misses_are_not_calls() {
    let src = r#"import express from 'express';
import { CreateOrderCommand, PutCommand } from './commands.js';
class PublishCommand {}
export const handler = async (req, res) => {
  res.send(new PublishCommand());
  await bus.send(new CreateOrderCommand({}));
  await bus.send(new PutCommand({ TableName: 't' }));
  await client.send(command);
  new Error('x');
};
"#;
    let f = js(src);
    assert!(f.calls.is_empty(), "{:?}", f.calls);
    let local: Vec<&String> = f.imports.iter().filter(|i| i.starts_with('.')).collect();
    assert_eq!(local, ["./commands.js"]);
}

#[test]
fn v3_commands_re_exported_by_a_project_module_are_known_by_name_when_sent() {
    let src = r#"import { eventBridge, PutEventsCommand } from './lib/clients.js';
import { SendMessageBatchCommand, BatchWriteCommand } from '@app/aws';
export const handler = async (event) => {
  await eventBridge.send(new PutEventsCommand({ Entries: [] }));
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: 'q', Entries: [] }));
  await doc.send(new BatchWriteCommand({ RequestItems: {} }));
  const unsent = new PutEventsCommand({ Entries: [] });
};
"#;
    let f = js(src);
    assert_eq!(
        ops(&f),
        pairs(&[
            ("events", "PutEvents"),
            ("sqs", "SendMessageBatch"),
            ("dynamodb", "BatchWriteItem"),
        ])
    );
    assert_eq!(
        text(src, f.calls[0].span),
        "eventBridge.send(new PutEventsCommand({ Entries: [] }))"
    );
}

// ---- SDK v2 ----

#[test]
fn v2_commonjs_promise_and_callback() {
    let src = r#"const AWS = require('aws-sdk');
const sqs = new AWS.SQS({ apiVersion: '2012-11-05' });
exports.handler = async (event) => {
  const params = { QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(event) };
  await sqs.sendMessage(params).promise();
  sqs.sendMessageBatch({ QueueUrl: 'q', Entries: [] }, (err, data) => {});
};
"#;
    let f = js(src);
    assert_eq!(
        f.calls,
        vec![
            call(
                src,
                "sqs",
                "SendMessage",
                obj(
                    src,
                    &[
                        ("QueueUrl", env("QUEUE_URL"), "process.env.QUEUE_URL"),
                        (
                            "MessageBody",
                            Val::Json(Box::new(Val::Unknown)),
                            "JSON.stringify(event)"
                        ),
                    ]
                ),
                "sqs.sendMessage(params)"
            ),
            call(
                src,
                "sqs",
                "SendMessageBatch",
                obj(
                    src,
                    &[
                        ("QueueUrl", s("q"), "'q'"),
                        ("Entries", Val::List(vec![]), "[]")
                    ]
                ),
                "sqs.sendMessageBatch({ QueueUrl: 'q', Entries: [] }, (err, data) => {})"
            ),
        ]
    );
}

#[test]
fn v2_document_client_methods() {
    let src = r#"const AWS = require('aws-sdk');
const doc = new AWS.DynamoDB.DocumentClient();
exports.handler = async () => {
  await doc.put({ TableName: 't', Item: {} }).promise();
  await doc.update({ TableName: 't' }).promise();
  await doc.delete({ TableName: 't' }).promise();
  await doc.get({ TableName: 't' }).promise();
  await doc.query({ TableName: 't' }).promise();
  await doc.batchWrite({ RequestItems: {} }).promise();
  await doc.transactWrite({ TransactItems: [] }).promise();
  doc.createSet([1, 2]);
};
"#;
    let f = js(src);
    assert_eq!(
        ops(&f),
        pairs(&[
            ("dynamodb", "PutItem"),
            ("dynamodb", "UpdateItem"),
            ("dynamodb", "DeleteItem"),
            ("dynamodb", "GetItem"),
            ("dynamodb", "Query"),
            ("dynamodb", "BatchWriteItem"),
            ("dynamodb", "TransactWriteItems"),
        ])
    );
    assert_eq!(
        text(src, f.calls[0].span),
        "doc.put({ TableName: 't', Item: {} })"
    );
}

#[test]
fn v2_service_from_the_class() {
    let cases = [
        ("SQS", "sendMessage", "sqs", "SendMessage"),
        ("SNS", "publish", "sns", "Publish"),
        ("EventBridge", "putEvents", "events", "PutEvents"),
        ("CloudWatchEvents", "putEvents", "events", "PutEvents"),
        ("Lambda", "invoke", "lambda", "Invoke"),
        (
            "StepFunctions",
            "startExecution",
            "states",
            "StartExecution",
        ),
        ("DynamoDB", "putItem", "dynamodb", "PutItem"),
        ("S3", "copyObject", "s3", "CopyObject"),
        ("Kinesis", "putRecord", "kinesis", "PutRecord"),
        ("Firehose", "putRecordBatch", "firehose", "PutRecordBatch"),
        (
            "SecretsManager",
            "getSecretValue",
            "secretsmanager",
            "GetSecretValue",
        ),
    ];
    for (class, method, service, op) in cases {
        let src = format!(
            "const AWS = require('aws-sdk');\nconst c = new AWS.{class}();\nc.{method}({{}}).promise();\n"
        );
        let f = js(&src);
        assert_eq!(ops(&f), pairs(&[(service, op)]), "{class}");
        assert_eq!(text(&src, f.calls[0].span), format!("c.{method}({{}})"));
    }
}

#[test]
fn v2_import_forms() {
    let src = r#"import AWS from 'aws-sdk';
import * as AWS2 from 'aws-sdk';
const { SNS, Lambda } = require('aws-sdk');
const SQS = require('aws-sdk/clients/sqs');
const DynamoDB = require('aws-sdk/clients/dynamodb');
import { DocumentClient } from 'aws-sdk/clients/dynamodb';
const XRay = require('aws-xray-sdk');
const AWS3 = XRay.captureAWS(require('aws-sdk'));
export const handler = async () => {
  await new AWS.Kinesis().putRecord({}).promise();
  await new AWS2.Firehose().putRecord({}).promise();
  await new SNS().publish({}).promise();
  await new Lambda({ region: 'x' }).invoke({}).promise();
  await new SQS().sendMessage({}).promise();
  await new DynamoDB.DocumentClient().put({}).promise();
  await new DocumentClient().delete({}).promise();
  await new AWS3.StepFunctions().startExecution({}).promise();
  AWS.config.update({ region: 'x' });
};
"#;
    assert_eq!(
        ops(&js(src)),
        pairs(&[
            ("kinesis", "PutRecord"),
            ("firehose", "PutRecord"),
            ("sns", "Publish"),
            ("lambda", "Invoke"),
            ("sqs", "SendMessage"),
            ("dynamodb", "PutItem"),
            ("dynamodb", "DeleteItem"),
            ("states", "StartExecution"),
        ])
    );
}

#[test]
fn v2_s3_uploads_and_presigned_urls() {
    let src = r#"const AWS = require('aws-sdk');
const s3 = new AWS.S3();
exports.handler = async () => {
  await s3.upload({ Bucket: 'b', Key: 'a' }).promise();
  const u = s3.getSignedUrl('putObject', { Bucket: 'b', Key: 'c' });
  const g = await s3.getSignedUrlPromise('getObject', { Bucket: 'b', Key: 'd' });
  s3.on('error', () => {});
  await s3.getObject({ Bucket: 'b', Key: 'e' }).promise();
};
"#;
    let f = js(src);
    assert_eq!(
        ops(&f),
        pairs(&[
            ("s3", "PutObject"),
            ("s3", "PutObject"),
            ("s3", "GetObject"),
            ("s3", "GetObject"),
        ])
    );
    assert_eq!(f.calls[1].params.get("Key"), Some(&s("c")));
}

#[test]
fn v2_clients_made_lazily_or_kept_in_objects() {
    let src = r#"const AWS = require('aws-sdk');
let sqs;
let sns = null;
const clients = { lambda: new AWS.Lambda(), s3: new AWS.S3() };
class Store {
  #doc = new AWS.DynamoDB.DocumentClient();
  save(item) { return this.#doc.put({ TableName: 't', Item: item }).promise(); }
}
exports.handler = async () => {
  if (!sqs) sqs = new AWS.SQS();
  if (!sns) { sns = new AWS.SNS(); }
  await sqs.sendMessage({ QueueUrl: 'q', MessageBody: 'm' }).promise();
  await sns.publish({ TopicArn: 't', Message: 'm' }).promise();
  await clients.lambda.invoke({ FunctionName: 'f' }).promise();
};
"#;
    let f = js(src);
    assert_eq!(
        ops(&f),
        pairs(&[
            ("dynamodb", "PutItem"),
            ("sqs", "SendMessage"),
            ("sns", "Publish"),
            ("lambda", "Invoke"),
        ])
    );
    // two different clients in one variable: nothing is known
    let src = "const AWS = require('aws-sdk');\nlet c = new AWS.SQS();\nc = new AWS.SNS();\nc.publish({});\nconst creds = new AWS.SharedIniFileCredentials();\ncreds.get(cb);\nnew AWS.Endpoint('x').getHost();\n";
    assert!(js(src).calls.is_empty());
}

// ---- parameter values ----

#[test]
fn values_literals_templates_concat_and_json() {
    let src = r#"import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
const PREFIX = 'arn:aws:sns:' + process.env.AWS_REGION;
const STAGE = process.env.STAGE || 'dev';
export const handler = async (event) => {
  await sns.send(new PublishCommand({
    TopicArn: `${PREFIX}:123:topic-${STAGE}`,
    Subject: 'line\n"quoted"\u0041',
    Message: JSON.stringify({ n: 1.5, ok: false, items: ['a', 2] }),
    MessageAttributes: { kind: { DataType: 'String', StringValue: "x" + 'y' } },
    MessageGroupId: event.id,
    Nested: `plain`,
  }));
};
"#;
    let f = js(src);
    let p = &f.calls[0].params;
    assert_eq!(
        p.get("TopicArn"),
        Some(&Val::Concat(vec![
            s("arn:aws:sns:"),
            env("AWS_REGION"),
            s(":123:topic-"),
            env_or("STAGE", s("dev")),
        ]))
    );
    assert_eq!(p.get("Subject"), Some(&s("line\n\"quoted\"A")));
    assert_eq!(
        p.get("Message"),
        Some(&Val::Json(Box::new(obj(
            src,
            &[
                ("n", Val::Num("1.5".into()), "1.5"),
                ("ok", Val::Bool(false), "false"),
                (
                    "items",
                    Val::List(vec![s("a"), Val::Num("2".into())]),
                    "['a', 2]"
                ),
            ]
        ))))
    );
    assert_eq!(
        p.get("MessageAttributes")
            .and_then(|m| m.get("kind"))
            .and_then(|k| k.get("StringValue")),
        Some(&s("xy"))
    );
    assert_eq!(p.get("MessageGroupId"), Some(&Val::Unknown));
    assert_eq!(p.get("Nested"), Some(&s("plain")));
    assert_eq!(p.span_of("Nested"), Some(at(src, "`plain`")));
}

#[test]
fn values_env_forms_and_defaults() {
    let src = r#"import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const { QUEUE_A, QUEUE_B = 'b-default' } = process.env;
const env = process.env;
export const handler = async () => {
  await sqs.send(new SendMessageCommand({
    A: QUEUE_A,
    B: QUEUE_B,
    C: process.env['QUEUE_C'],
    D: process.env.QUEUE_D ?? process.env.QUEUE_E ?? 'e',
    E: env.QUEUE_F,
    F: process.env[`QUEUE_G`]!,
  }));
};
"#;
    let f = ts(src);
    let p = &f.calls[0].params;
    assert_eq!(p.get("A"), Some(&env("QUEUE_A")));
    assert_eq!(p.get("B"), Some(&env_or("QUEUE_B", s("b-default"))));
    assert_eq!(p.get("C"), Some(&env("QUEUE_C")));
    assert_eq!(
        p.get("D"),
        Some(&env_or("QUEUE_D", env_or("QUEUE_E", s("e"))))
    );
    assert_eq!(p.get("E"), Some(&env("QUEUE_F")));
    assert_eq!(p.get("F"), Some(&env("QUEUE_G")));
}

#[test]
fn values_shorthand_spread_computed_and_scopes() {
    let src = r#"import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const QueueUrl = process.env.Q;
const base = { MessageBody: 'b', DelaySeconds: 1 };
const KEY = 'MessageGroupId';
let mutable = 'first';
mutable = 'second';
var later = 'v';
export const handler = async (event, extra) => {
  const MessageBody = 'shadowed';
  await sqs.send(new SendMessageCommand({ QueueUrl, ...base, MessageBody, [KEY]: 'g', M: mutable, V: later }));
  await sqs.send(new SendMessageCommand({ ...extra, [event.key]: 1, QueueUrl }));
};
function other(QueueUrl) {
  return sqs.send(new SendMessageCommand({ QueueUrl }));
}
"#;
    let f = js(src);
    let first = &f.calls[0].params;
    let Val::Object(fields) = first else {
        panic!("{first:?}")
    };
    let keys: Vec<&str> = fields.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "QueueUrl",
            "MessageBody",
            "DelaySeconds",
            "MessageGroupId",
            "M",
            "V"
        ]
    );
    assert_eq!(first.get("QueueUrl"), Some(&env("Q")));
    assert_eq!(first.get("MessageBody"), Some(&s("shadowed")));
    assert_eq!(first.get("DelaySeconds"), Some(&Val::Num("1".into())));
    assert_eq!(first.get("MessageGroupId"), Some(&s("g")));
    assert_eq!(first.get("M"), Some(&Val::Unknown));
    assert_eq!(first.get("V"), Some(&s("v")));
    // the spread's fields keep the spans of their definition
    assert_eq!(
        first.span_of("DelaySeconds"),
        Some(at(src, "1 }").map_end(1))
    );
    let second = &f.calls[1].params;
    let Val::Object(fields) = second else {
        panic!("{second:?}")
    };
    let keys: Vec<&str> = fields.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(keys, [UNKNOWN_FIELD, UNKNOWN_FIELD, "QueueUrl"]);
    // a parameter shadows the module-level constant
    assert_eq!(f.calls[2].params.get("QueueUrl"), Some(&Val::Unknown));
}

trait MapEnd {
    fn map_end(self, len: u32) -> Span;
}

impl MapEnd for Span {
    fn map_end(mut self, len: u32) -> Span {
        self.end = self.start + len;
        self
    }
}

#[test]
fn values_sdk_enums() {
    let src = r#"import { LambdaClient, InvokeCommand, InvocationType } from '@aws-sdk/client-lambda';
import * as s3 from '@aws-sdk/client-s3';
await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: InvocationType.Event }));
await c.send(new s3.PutObjectCommand({ ACL: s3.ObjectCannedACL.public_read, StorageClass: s3.StorageClass.STANDARD_IA }));
"#;
    let f = js(src);
    assert_eq!(f.calls[0].params.get("InvocationType"), Some(&s("Event")));
    assert_eq!(f.calls[1].params.get("ACL"), Some(&Val::Unknown));
    assert_eq!(
        f.calls[1].params.get("StorageClass"),
        Some(&s("STANDARD_IA"))
    );
}

#[test]
fn values_class_fields_and_member_of_const_objects() {
    let src = r#"import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
const CONFIG = { topics: { orders: process.env.ORDERS_TOPIC } };
class Notifier {
  topic = 'arn:fixed';
  constructor() { this.client = new SNSClient({}); }
  async notify() {
    await this.client.send(new PublishCommand({ TopicArn: this.topic, Message: 'm' }));
    await this.client.send(new PublishCommand({ TopicArn: CONFIG.topics.orders, Message: 'm' }));
  }
}
"#;
    let f = js(src);
    assert_eq!(f.calls[0].params.get("TopicArn"), Some(&s("arn:fixed")));
    assert_eq!(
        f.calls[1].params.get("TopicArn"),
        Some(&env("ORDERS_TOPIC"))
    );
}

#[test]
fn values_do_not_blow_up() {
    // each constant doubles the size of the one before: resolution stays bounded
    let mut src = String::from(
        "import { PutEventsCommand } from '@aws-sdk/client-eventbridge';\nconst a0 = { x: 'leaf' };\n",
    );
    for i in 1..40 {
        src.push_str(&format!(
            "const a{i} = {{ l: a{p}, r: a{p} }};\n",
            p = i - 1
        ));
    }
    src.push_str("const loop1 = loop2; const loop2 = loop1;\n");
    src.push_str("await eb.send(new PutEventsCommand({ L: loop1, Entries: a39 }));\n");
    let f = js(&src);
    assert_eq!(ops(&f), pairs(&[("events", "PutEvents")]));
    assert_eq!(f.calls[0].params.get("L"), Some(&Val::Unknown));
}

// ---- HTTP ----

#[test]
fn http_fetch() {
    let src = r#"const API = process.env.API_URL;
export const handler = async () => {
  await fetch(`${API}/orders`);
  await fetch('https://hooks.example.com/x', { method: 'post', body: '{}' });
  await fetch(API, opts);
};
"#;
    let f = js(src);
    assert_eq!(
        f.http,
        vec![
            HttpCall {
                url: Val::Concat(vec![env("API_URL"), s("/orders")]),
                method: Some("GET".into()),
                span: at(src, "fetch(`${API}/orders`)"),
            },
            HttpCall {
                url: s("https://hooks.example.com/x"),
                method: Some("POST".into()),
                span: at(
                    src,
                    "fetch('https://hooks.example.com/x', { method: 'post', body: '{}' })"
                ),
            },
            HttpCall {
                url: env("API_URL"),
                method: None,
                span: at(src, "fetch(API, opts)"),
            },
        ]
    );
}

#[test]
fn http_local_fetch_is_not_the_global() {
    let src = "function fetch(id) { return db[id]; }\nfetch('a');\nconst f = require('node-fetch');\nf('https://x');\n";
    let f = js(src);
    assert_eq!(f.http.len(), 1);
    assert_eq!(f.http[0].url, s("https://x"));
}

#[test]
fn http_axios() {
    let src = r#"const axios = require('axios');
const api = axios.create({ baseURL: process.env.API });
module.exports.handler = async () => {
  await axios.get('https://a.example.com/x');
  await axios.post(`https://b.example.com/${id}`, body);
  await axios({ url: 'https://c.example.com', method: 'put' });
  await axios('https://d.example.com');
  await api.get('/users');
  await api.delete('https://e.example.com/abs');
  axios.interceptors.request.use(() => {});
};
"#;
    let f = js(src);
    let got: Vec<(Val, Option<String>, &str)> = f
        .http
        .iter()
        .map(|h| (h.url.clone(), h.method.clone(), text(src, h.span)))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                s("https://a.example.com/x"),
                Some("GET".into()),
                "axios.get('https://a.example.com/x')"
            ),
            (
                Val::Concat(vec![s("https://b.example.com/"), Val::Unknown]),
                Some("POST".into()),
                "axios.post(`https://b.example.com/${id}`, body)"
            ),
            (
                s("https://c.example.com"),
                Some("PUT".into()),
                "axios({ url: 'https://c.example.com', method: 'put' })"
            ),
            (
                s("https://d.example.com"),
                Some("GET".into()),
                "axios('https://d.example.com')"
            ),
            (
                Val::Concat(vec![env("API"), s("/users")]),
                Some("GET".into()),
                "api.get('/users')"
            ),
            (
                s("https://e.example.com/abs"),
                Some("DELETE".into()),
                "api.delete('https://e.example.com/abs')"
            ),
        ]
    );
}

#[test]
fn http_node_modules() {
    let src = r#"import https from 'node:https';
import { get } from 'http';
const http = require('http');
https.request({ hostname: process.env.HOST, path: '/v1/items', method: 'POST' }, (res) => {});
https.request('https://x.example.com/a', { method: 'DELETE' });
http.get('http://y.example.com', (res) => {});
get({ host: 'z.example.com' });
"#;
    let f = js(src);
    let got: Vec<(Val, Option<String>)> = f
        .http
        .iter()
        .map(|h| (h.url.clone(), h.method.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Val::Concat(vec![s("https://"), env("HOST"), s("/v1/items")]),
                Some("POST".into())
            ),
            (s("https://x.example.com/a"), Some("DELETE".into())),
            (s("http://y.example.com"), Some("GET".into())),
            (s("http://z.example.com"), Some("GET".into())),
        ]
    );
    assert_eq!(
        text(src, f.http[2].span),
        "http.get('http://y.example.com', (res) => {})"
    );
}

#[test]
fn http_global_this_fetch_and_url_objects() {
    let src = "await globalThis.fetch(new URL('https://a.example.com/x'));\nawait fetch(new URL(path, base));\n";
    let f = js(src);
    assert_eq!(
        f.http.iter().map(|h| h.url.clone()).collect::<Vec<_>>(),
        vec![s("https://a.example.com/x"), Val::Unknown]
    );
}

// ---- environment ----

#[test]
fn env_reads_with_and_without_defaults() {
    let src = r#"const a = process.env.A;
const b = process.env.B ?? 'b';
const c = process.env['C'] || 'c';
if (process.env.D) {
  console.log(process.env.D, process.env.E);
}
const f = process.env.F ? process.env.F : 'f';
const g = process.env.G && process.env.G.split(',');
const h = process.env.H?.trim();
const i = typeof process.env.I;
const { J, K = 'k' } = process.env;
process.env.L = 'set';
if (!process.env.M) { throw new Error('M'); }
const n = process.env.N.split(',');
"#;
    let f = js(src);
    assert_eq!(
        envs(&f),
        [
            ("A", false),
            ("B", true),
            ("C", true),
            ("D", true),
            ("D", true),
            ("E", false),
            ("F", true),
            ("F", true),
            ("G", true),
            ("G", true),
            ("H", true),
            ("I", true),
            ("J", false),
            ("K", true),
            ("M", true),
            ("N", false),
        ]
        .map(|(n, d)| (n.to_string(), d))
    );
    assert_eq!(
        f.env[0],
        EnvRead {
            name: "A".into(),
            has_default: false,
            span: at(src, "process.env.A"),
        }
    );
    assert_eq!(f.env[12].span, at(src, "J"));
    assert_eq!(f.env[13].span, at(src, "K = 'k'"));
}

#[test]
fn env_through_an_alias_and_a_shadowed_process() {
    let src = "const env = process.env;\nconst x = env.X;\nfunction f(process) { return process.env.Y; }\n";
    assert_eq!(envs(&js(src)), [("X".to_string(), false)]);
}

#[test]
fn env_from_the_process_module() {
    let src = "import { env } from 'node:process';\nimport process from 'process';\nconst a = env.A;\nconst b = process.env.B;\n";
    assert_eq!(
        envs(&js(src)),
        [("A".to_string(), false), ("B".to_string(), false)]
    );
}

// ---- imports ----

#[test]
fn imports_as_written() {
    let src = r#"import fs from 'fs';
import { a } from './a.js';
import * as b from '../lib/b';
import './side-effect.mjs';
export { c } from './c.js';
export * from './d';
const e = require('./e');
const lodash = require('lodash');
const g = await import('./g.js');
const again = require('./a.js');
"#;
    assert_eq!(
        js(src).imports,
        [
            "fs",
            "./a.js",
            "../lib/b",
            "./side-effect.mjs",
            "./c.js",
            "./d",
            "./e",
            "lodash",
            "./g.js"
        ]
    );
    let src = "import type { T } from './types';\nimport x = require('./legacy');\nimport { y } from '@scope/pkg';\n";
    assert_eq!(ts(src).imports, ["./types", "./legacy", "@scope/pkg"]);
}

// ---- batch failures, images, idempotency ----

#[test]
fn batch_item_failures_returned_built_or_via_helper() {
    let src = r#"const toResponse = (failures) => ({ batchItemFailures: failures });
export const handler = async (event) => {
  const batchItemFailures = [];
  if (event.x) return { batchItemFailures };
  const response = {};
  response.batchItemFailures = [];
  return toResponse([]);
};
"#;
    let f = js(src);
    assert_eq!(
        f.batch_failures,
        vec![
            at(src, "{ batchItemFailures: failures }"),
            at(src, "{ batchItemFailures }"),
            at(src, "response.batchItemFailures = []"),
        ]
    );
}

#[test]
fn batch_item_failures_from_powertools_and_middy() {
    let src = r#"import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
const processor = new BatchProcessor(EventType.SQS);
export const handler = async (event, context) => processPartialResponse(event, record, processor, { context });
export const h2 = middy(base).use(sqsPartialBatchFailure());
"#;
    let f = js(src);
    assert_eq!(
        f.batch_failures,
        vec![
            at(src, "new BatchProcessor(EventType.SQS)"),
            at(
                src,
                "processPartialResponse(event, record, processor, { context })"
            ),
            at(src, "sqsPartialBatchFailure()"),
        ]
    );
}

#[test]
fn stream_images() {
    let src = r#"export const handler = async (event) => {
  for (const record of event.Records) {
    const img = record.dynamodb.NewImage;
    const old = record.dynamodb?.OldImage;
    const alt = record['dynamodb']['NewImage'];
    const { NewImage, OldImage: previous } = record.dynamodb;
  }
};
"#;
    let f = js(src);
    assert_eq!(
        f.images,
        vec![
            ("NewImage".to_string(), at(src, "record.dynamodb.NewImage")),
            ("OldImage".to_string(), at(src, "record.dynamodb?.OldImage")),
            (
                "NewImage".to_string(),
                at(src, "record['dynamodb']['NewImage']")
            ),
            ("NewImage".to_string(), nth(src, "NewImage", 2)),
            ("OldImage".to_string(), nth(src, "OldImage", 1)),
        ]
    );
}

#[test]
fn idempotency_wrappers_and_conditional_writes() {
    let src = r#"import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
const COND = 'attribute_not_exists(pk)';
export const handler = makeIdempotent(async (event) => {
  await doc.put({ TableName: 't', Item: {}, ConditionExpression: 'attribute_not_exists(pk) AND x = :x' }).promise();
  await doc.put({ TableName: 't', Item: {}, ConditionExpression: COND }).promise();
  await doc.update({ TableName: 't', ConditionExpression: 'attribute_exists(pk)' }).promise();
}, { persistenceStore });
export const h2 = middy(base).use(makeHandlerIdempotent({ persistenceStore }));
"#;
    let f = js(src);
    assert_eq!(
        f.idempotency,
        vec![
            at(src, "makeIdempotent(async (event) => {"),
            at(
                src,
                "ConditionExpression: 'attribute_not_exists(pk) AND x = :x'"
            ),
            at(src, "ConditionExpression: COND"),
            at(src, "makeHandlerIdempotent({ persistenceStore })"),
        ]
        .into_iter()
        .map(|sp| if text(src, sp).starts_with("makeIdempotent") {
            // the whole call, to its closing parenthesis
            let end = src.find("{ persistenceStore });").unwrap() + "{ persistenceStore })".len();
            Span::new(F, sp.start as usize, end)
        } else {
            sp
        })
        .collect::<Vec<_>>()
    );
}

// ---- TypeScript ----

#[test]
fn typescript_v3_with_annotations_casts_and_parameter_properties() {
    let src = r#"import type { SQSEvent, SQSBatchResponse } from 'aws-lambda';
import { SQS } from '@aws-sdk/client-sqs';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { idempotent } from '@aws-lambda-powertools/idempotency';

const QUEUE_URL: string = process.env.QUEUE_URL!;

class Publisher {
  constructor(private readonly sqs: SQS, private kinesis: KinesisClient) {}

  @idempotent({ persistenceStore })
  async publish(body: string): Promise<void> {
    await this.sqs.sendMessage({ QueueUrl: QUEUE_URL as string, MessageBody: body });
    await this.kinesis.send(new PutRecordCommand({ StreamName: <string>process.env.STREAM, PartitionKey: 'p' } satisfies object));
  }
}

async function save(doc: DynamoDBDocumentClient, item: Record<string, unknown>): Promise<void> {
  await doc.send(new PutCommand({ TableName: process.env.TABLE as string, Item: item }));
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const response: SQSBatchResponse = { batchItemFailures: [] };
  return response;
};
"#;
    let f = ts(src);
    assert_eq!(f.syntax_error, None);
    assert_eq!(
        f.calls,
        vec![
            call(
                src,
                "sqs",
                "SendMessage",
                obj(
                    src,
                    &[
                        ("QueueUrl", env("QUEUE_URL"), "QUEUE_URL as string"),
                        ("MessageBody", Val::Unknown, "body }"),
                    ]
                )
                .map_span(1, |sp| sp.map_end(4)),
                "this.sqs.sendMessage({ QueueUrl: QUEUE_URL as string, MessageBody: body })"
            ),
            call(
                src,
                "kinesis",
                "PutRecord",
                obj(
                    src,
                    &[
                        ("StreamName", env("STREAM"), "<string>process.env.STREAM"),
                        ("PartitionKey", s("p"), "'p'"),
                    ]
                ),
                "this.kinesis.send(new PutRecordCommand({ StreamName: <string>process.env.STREAM, PartitionKey: 'p' } satisfies object))"
            ),
            call(
                src,
                "dynamodb",
                "PutItem",
                obj(
                    src,
                    &[
                        ("TableName", env("TABLE"), "process.env.TABLE as string"),
                        ("Item", Val::Unknown, "item }"),
                    ]
                )
                .map_span(1, |sp| sp.map_end(4)),
                "doc.send(new PutCommand({ TableName: process.env.TABLE as string, Item: item }))"
            ),
        ]
    );
    assert_eq!(
        f.idempotency,
        vec![at(src, "@idempotent({ persistenceStore })")]
    );
    assert_eq!(f.batch_failures, vec![at(src, "{ batchItemFailures: [] }")]);
    assert_eq!(
        envs(&f),
        [("QUEUE_URL", false), ("STREAM", false), ("TABLE", false)]
            .map(|(n, d)| (n.to_string(), d))
    );
}

#[test]
fn typescript_v2_namespace_import_and_typed_parameter() {
    let src = r#"import * as AWS from 'aws-sdk';
import { DocumentClient } from 'aws-sdk/clients/dynamodb';
const sns = new AWS.SNS();
export async function publish(client: AWS.SQS, doc: DocumentClient, message: string): Promise<void> {
  await sns.publish({ TopicArn: process.env.TOPIC!, Message: message }).promise();
  await client.sendMessage({ QueueUrl: 'q', MessageBody: message }).promise();
  await doc.transactWrite({ TransactItems: [] }).promise();
}
"#;
    let f = ts(src);
    assert_eq!(
        ops(&f),
        pairs(&[
            ("sns", "Publish"),
            ("sqs", "SendMessage"),
            ("dynamodb", "TransactWriteItems")
        ])
    );
    assert_eq!(f.calls[0].params.get("TopicArn"), Some(&env("TOPIC")));
    assert_eq!(
        text(src, f.calls[0].span),
        "sns.publish({ TopicArn: process.env.TOPIC!, Message: message })"
    );
}

#[test]
fn typescript_destructured_parameter_with_an_object_type() {
    let src = r#"import { DynamoDB, SQS } from 'aws-sdk';
export const putItem = async ({ client, queue: q }: { client: DynamoDB.DocumentClient; queue: SQS }) => {
  await client.put({ TableName: 't', Item: {} }).promise();
  await q.sendMessage({ QueueUrl: 'u', MessageBody: 'b' }).promise();
};
"#;
    assert_eq!(
        ops(&ts(src)),
        pairs(&[("dynamodb", "PutItem"), ("sqs", "SendMessage")])
    );
}

#[test]
fn the_same_code_as_commonjs_esm_and_typescript() {
    let body = "\nconst sfn = new SFNClient({});\nexport const handler = async (event) => {\n  await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.SM_ARN, input: JSON.stringify(event) }));\n};\n";
    let esm =
        format!("import {{ SFNClient, StartExecutionCommand }} from '@aws-sdk/client-sfn';{body}");
    let cjs = format!(
        "const {{ SFNClient, StartExecutionCommand }} = require('@aws-sdk/client-sfn');{}",
        body.replace("export const handler", "exports.handler")
    );
    let typescript = esm.replace("async (event) =>", "async (event: unknown) =>");
    for (src, f) in [
        (&esm, js(&esm)),
        (&cjs, js(&cjs)),
        (&typescript, ts(&typescript)),
    ] {
        assert_eq!(
            f.calls,
            vec![call(
                src,
                "states",
                "StartExecution",
                obj(
                    src,
                    &[
                        ("stateMachineArn", env("SM_ARN"), "process.env.SM_ARN"),
                        (
                            "input",
                            Val::Json(Box::new(Val::Unknown)),
                            "JSON.stringify(event)"
                        ),
                    ]
                ),
                "sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.SM_ARN, input: JSON.stringify(event) }))"
            )],
            "{src}"
        );
        assert_eq!(f.syntax_error, None);
    }
}

// ---- malformed input ----

#[test]
fn every_field_read_exists_in_both_grammars() {
    for typescript in [false, true] {
        for (name, id) in FIELD_NAMES.iter().zip(fields(typescript)) {
            // type annotations are TypeScript's
            if *name == "type" && !typescript {
                continue;
            }
            assert_ne!(*id, 0, "{name} (typescript: {typescript})");
        }
    }
}

#[test]
fn syntax_error_points_at_the_first_error_and_keeps_the_rest() {
    let src = "import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';\nawait sns.send(new PublishCommand({ TopicArn: 't' }));\nconst x = {;\n";
    let f = js(src);
    let err = f.syntax_error.expect("an error");
    assert!(err.start as usize >= src.find("{;").unwrap(), "{err:?}");
    assert_eq!(ops(&f), pairs(&[("sns", "Publish")]));
    // TypeScript syntax is an error in a .js file, not in a .ts file
    let typed = "const x: number = 1;\n";
    assert!(js(typed).syntax_error.is_some());
    assert_eq!(ts(typed).syntax_error, None);
}

#[test]
fn hostile_input_does_not_panic() {
    let deep_parens = format!("x = {}1{};", "(".repeat(20_000), ")".repeat(20_000));
    let deep_objects = format!(
        "import {{ PutEventsCommand }} from '@aws-sdk/client-eventbridge';\nawait c.send(new PutEventsCommand({}1{}));",
        "{a: [".repeat(3_000),
        "]}".repeat(3_000)
    );
    let deep_env = format!("const v = {}'d';", "process.env.X ?? ".repeat(5_000));
    let deep_and = format!("const v = {}1;", "process.env.X && ".repeat(5_000));
    let wide = format!(
        "import {{ PutEventsCommand }} from '@aws-sdk/client-eventbridge';\nconst big = {{ {} }};\nconst list = [{}];\n{}",
        (0..5_000)
            .map(|i| format!("k{i}: 'v'"))
            .collect::<Vec<_>>()
            .join(", "),
        (0..5_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        "await c.send(new PutEventsCommand({ ...big, L: list }));\n".repeat(50)
    );
    let deep_template = format!("const v = {}x{};", "`${".repeat(2_000), "}`".repeat(2_000));
    let inputs: Vec<String> = vec![
        String::new(),
        "\u{feff}".into(),
        "`unterminated ${".into(),
        "'\\u{ZZZZ}' + '\\x' + '\\u{110000}'".into(),
        "new new new".into(),
        "client.send(new)".into(),
        "const { a: { b: [c = process.env.X] } } = process.env;".into(),
        "import { } from '';\nrequire();\nimport();".into(),
        "x.y.z.send(new (class {})());".into(),
        "\0\u{1}\u{2} @@@ ### }}}".into(),
        "let a = a; let b = b.c; a.d = a; fetch(a);".into(),
        deep_parens,
        deep_objects,
        deep_env,
        deep_template,
        deep_and,
        wide.clone(),
    ];
    for src in &inputs {
        let _ = js(src);
        let _ = ts(src);
    }
    // wide values are cut short with an unknown last field / item
    let f = js(&wide);
    assert_eq!(f.calls.len(), 50);
    let Val::Object(fields) = &f.calls[0].params else {
        panic!("{:?}", f.calls[0].params)
    };
    assert!(fields.len() <= MAX_ITEMS + 2, "{}", fields.len());
    assert!(fields.iter().any(|(k, _, _)| k == UNKNOWN_FIELD));
}

// ---- statically known shapes (issue 5) ----

#[test]
fn spreads_and_object_assign_merge_or_open() {
    let src = r#"
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
const FIFO = { MessageGroupId: "orders" };
export const handler = async (event, extra) => {
  const base = { kind: "a", version: "1" };
  const body = { ...base, kind: "b" };
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.Q, MessageBody: JSON.stringify(body), ...FIFO }));
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.Q, MessageBody: "x", ...extra }));
  const merged = Object.assign({}, base, { kind: "c" });
  const open = Object.assign({}, extra, { kind: "d" });
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.Q, MessageBody: JSON.stringify(merged), MessageAttributes: open }));
};
"#;
    let f = js(src);
    let sends: Vec<&Val> = f
        .calls
        .iter()
        .filter(|c| c.operation == "SendMessage")
        .map(|c| &c.params)
        .collect();
    assert_eq!(sends.len(), 3);
    assert!(
        matches!(sends[0].field("MessageGroupId"), Field::Present(Val::Str(g), _) if g == "orders")
    );
    assert_eq!(sends[0].field("MessageDeduplicationId"), Field::Absent);
    let Some(Val::Json(body)) = sends[0].get("MessageBody") else {
        panic!("body")
    };
    assert_eq!(body.get("kind"), Some(&s("b")));
    assert_eq!(body.get("version"), Some(&s("1")));
    assert!(sends[1].is_open());
    assert_eq!(sends[1].field("MessageGroupId"), Field::Unknown);
    let Some(Val::Json(merged)) = sends[2].get("MessageBody") else {
        panic!("merged")
    };
    assert!(!merged.is_open());
    assert_eq!(merged.get("kind"), Some(&s("c")));
    let open = sends[2].get("MessageAttributes").expect("attrs");
    assert!(open.is_open());
    assert_eq!(open.get("kind"), Some(&s("d")));
}

#[test]
fn entries_list_of_object_variables() {
    let src = r#"
const { EventBridgeClient, PutEventsCommand } = require("@aws-sdk/client-eventbridge");
const eb = new EventBridgeClient({});
exports.handler = async () => {
  const placed = { Source: "shop", DetailType: "OrderPlaced", Detail: JSON.stringify({ id: 1 }) };
  const shipped = { Source: "shop", DetailType: "OrderShipped", Detail: "{}", EventBusName: "orders" };
  await eb.send(new PutEventsCommand({ Entries: [placed, shipped] }));
};
"#;
    let f = js(src);
    let p = &f.calls[0].params;
    let Some(Val::List(entries)) = p.get("Entries") else {
        panic!("entries {p:?}")
    };
    assert_eq!(entries[0].get("DetailType"), Some(&s("OrderPlaced")));
    assert_eq!(entries[0].field("EventBusName"), Field::Absent);
    assert_eq!(entries[1].get("EventBusName"), Some(&s("orders")));
}

#[test]
fn powertools_batch_processor_with_response_counts_as_returning_failures() {
    let src = r#"import { BatchProcessorSync, EventType } from '@aws-lambda-powertools/batch';
const processor = new BatchProcessorSync(EventType.SQS);
export const handler = async (event) => {
  processor.register(event.Records, record);
  processor.processSync();
  return processor.response();
};
"#;
    let f = js(src);
    assert_eq!(
        f.batch_failures,
        vec![at(src, "new BatchProcessorSync(EventType.SQS)")]
    );
}
