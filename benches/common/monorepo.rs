//! A deterministic generator of synthetic SAM projects for the scale bench; no randomness, no
//! downloads. The same arguments always write the same bytes.
//!
//! - [`monorepo`]: `services` folders, each a SAM template with 4 functions (2 Python, 2
//!   JavaScript, with their handler files), a work queue with its DLQ, a topic, an event bus, a
//!   table, an EventBridge rule, a schedule, and cross-stack links: every service exports its
//!   queue and imports the next service's (a ring), so `Export`/`ImportValue` join all templates.
//! - [`resource_limit`]: one template with exactly 500 resources (CloudFormation's per-template
//!   limit) and its handler.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// Functions per generated service template.
pub const FUNCTIONS_PER_SERVICE: usize = 4;

/// Write a monorepo of `services` templates under `root` (created; existing files overwritten).
pub fn monorepo(root: &Path, services: usize) -> io::Result<()> {
    for i in 0..services {
        let next = (i + 1) % services.max(1);
        let dir = root.join(format!("services/svc{i:05}"));
        write(&dir.join("template.yaml"), &service_template(i, next))?;
        write(&dir.join("src/ingest/app.py"), &ingest_py(i))?;
        write(&dir.join("src/notify/index.mjs"), &notify_mjs(i))?;
        write(&dir.join("src/route/app.py"), ROUTE_PY)?;
        write(&dir.join("src/audit/index.js"), AUDIT_JS)?;
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

fn service_template(i: usize, next: usize) -> String {
    let s = format!("svc{i:05}");
    let n = format!("svc{next:05}");
    format!(
        r"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: Synthetic service {s} of a generated monorepo (eventlint scale bench)

Globals:
  Function:
    Timeout: 30
    MemorySize: 256
    Environment:
      Variables:
        SERVICE: {s}

Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: {s}-bus

  ItemsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH

  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt WorkDlq.Arn
        maxReceiveCount: 5

  WorkDlq:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600

  NoticeTopic:
    Type: AWS::SNS::Topic

  IngestFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/ingest/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          TOPIC_ARN: !Ref NoticeTopic
          TABLE_NAME: !Ref ItemsTable
      Policies:
        - SNSPublishMessagePolicy:
            TopicName: !GetAtt NoticeTopic.TopicName
        - DynamoDBCrudPolicy:
            TableName: !Ref ItemsTable
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt WorkQueue.Arn
            BatchSize: 10
            FunctionResponseTypes:
              - ReportBatchItemFailures

  NotifyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/notify/
      Handler: index.handler
      Runtime: nodejs20.x
      Environment:
        Variables:
          BUS_NAME: !Ref Bus
      Policies:
        - EventBridgePutEventsPolicy:
            EventBusName: !Ref Bus
      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt WorkDlq.Arn
      Events:
        Notice:
          Type: SNS
          Properties:
            Topic: !Ref NoticeTopic

  RouteFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/route/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          NEXT_QUEUE_URL: !ImportValue {n}-WorkQueueUrl
      Policies:
        - SQSSendMessagePolicy:
            QueueName: !ImportValue {n}-WorkQueueName
      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt WorkDlq.Arn
      Events:
        Noticed:
          Type: EventBridgeRule
          Properties:
            EventBusName: !Ref Bus
            Pattern:
              source:
                - {s}.notify
              detail-type:
                - ItemNoticed
            DeadLetterConfig:
              Type: SQS
            RetryPolicy:
              MaximumRetryAttempts: 5
              MaximumEventAgeInSeconds: 3600

  AuditFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/audit/
      Handler: index.handler
      Runtime: nodejs20.x
      Environment:
        Variables:
          TABLE_NAME: !Ref ItemsTable
      Policies:
        - DynamoDBWritePolicy:
            TableName: !Ref ItemsTable
      Events:
        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)

Outputs:
  WorkQueueUrl:
    Value: !Ref WorkQueue
    Export:
      Name: {s}-WorkQueueUrl
  WorkQueueName:
    Value: !GetAtt WorkQueue.QueueName
    Export:
      Name: {s}-WorkQueueName
  WorkQueueArn:
    Value: !GetAtt WorkQueue.Arn
    Export:
      Name: !Sub '{s}-WorkQueueArn'
"
    )
}

fn ingest_py(i: usize) -> String {
    format!(
        r#"import json
import os

import boto3

sns = boto3.client("sns")
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
TOPIC_ARN = os.environ["TOPIC_ARN"]


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            body = json.loads(record["body"])
            table.put_item(Item={{"id": body["id"], "service": "svc{i:05}"}})
            sns.publish(TopicArn=TOPIC_ARN, Message=json.dumps(body))
        except Exception:
            failures.append({{"itemIdentifier": record["messageId"]}})
    return {{"batchItemFailures": failures}}
"#
    )
}

fn notify_mjs(i: usize) -> String {
    format!(
        r#"import {{ EventBridgeClient, PutEventsCommand }} from "@aws-sdk/client-eventbridge";

const client = new EventBridgeClient({{}});

export const handler = async (event) => {{
  for (const record of event.Records) {{
    const message = JSON.parse(record.Sns.Message);
    await client.send(
      new PutEventsCommand({{
        Entries: [
          {{
            EventBusName: process.env.BUS_NAME,
            Source: "svc{i:05}.notify",
            DetailType: "ItemNoticed",
            Detail: JSON.stringify({{ id: message.id, version: 1 }}),
          }},
        ],
      }}),
    );
  }}
}};
"#
    )
}

const ROUTE_PY: &str = r#"import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    sqs.send_message(
        QueueUrl=os.environ["NEXT_QUEUE_URL"],
        MessageBody=json.dumps(event["detail"]),
    )
"#;

const AUDIT_JS: &str = r#"const { DynamoDBClient, PutItemCommand } = require("@aws-sdk/client-dynamodb");

const client = new DynamoDBClient({});

exports.handler = async () => {
  await client.send(
    new PutItemCommand({
      TableName: process.env.TABLE_NAME,
      Item: { id: { S: `audit-${Date.now()}` } },
    }),
  );
};
"#;

/// Groups of five resources in [`resource_limit`] (100 x 5 = 500).
const GROUPS: usize = 100;

/// Write one template with 500 resources (100 functions, 200 queues, 100 topics, 100 rules)
/// and the handler they share, under `root`.
pub fn resource_limit(root: &Path) -> io::Result<()> {
    let mut t = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\n\
         Transform: AWS::Serverless-2016-10-31\n\
         Description: One template at CloudFormation's limit of 500 resources (eventlint scale bench)\n\
         \nResources:\n",
    );
    for g in 0..GROUPS {
        let _ = write!(
            t,
            r"  Queue{g:03}:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq{g:03}.Arn
        maxReceiveCount: 5
  Dlq{g:03}:
    Type: AWS::SQS::Queue
  Topic{g:03}:
    Type: AWS::SNS::Topic
  Rule{g:03}:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source:
          - limit.g{g:03}
      Targets:
        - Id: queue
          Arn: !GetAtt Queue{g:03}.Arn
          DeadLetterConfig:
            Arn: !GetAtt Dlq{g:03}.Arn
  Function{g:03}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Timeout: 30
      Environment:
        Variables:
          TOPIC_ARN: !Ref Topic{g:03}
      Policies:
        - SNSPublishMessagePolicy:
            TopicName: !GetAtt Topic{g:03}.TopicName
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue{g:03}.Arn
"
        );
    }
    write(&root.join("template.yaml"), &t)?;
    write(
        &root.join("src/app.py"),
        r#"import os

import boto3

sns = boto3.client("sns")


def handler(event, context):
    for record in event["Records"]:
        sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=record["body"])
"#,
    )
}
