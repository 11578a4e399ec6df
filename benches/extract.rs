//! Bench binary: handler code extraction over a generated monorepo.
//!
//! Writes a deterministic SAM app into a temporary folder: 500 functions, each with an entry
//! module and nine helper modules (5,000 handler files, Python, CommonJS/ESM JavaScript and
//! TypeScript, 50-300 lines each, with SDK v3/v2 and boto3 calls, environment reads, HTTP calls,
//! imports and plain helper functions), then prints the best of several runs of
//! - extraction alone (text already in memory) with 1 and 2 threads: files/s and MB/s;
//! - the whole `check` (all rules) over the app with 1 and 2 threads.
//!
//! Run with `cargo bench --bench extract [FUNCTIONS [KEEP_DIR]]` (default 500 functions, in a
//! temporary folder; with KEEP_DIR the app is written there and kept).

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "a bench binary prints its numbers"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use eventlint::code::{Extractor, js::Js, python::Python};
use eventlint::engine::Selection;
use rayon::prelude::*;

/// Files per function: the entry module and its helpers.
const FILES_PER_FN: usize = 10;
const RUNS: usize = 3;

/// SplitMix64: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Python,
    Cjs,
    Esm,
    Ts,
}

impl Kind {
    fn ext(self) -> &'static str {
        match self {
            Kind::Python => "py",
            Kind::Cjs => "js",
            Kind::Esm => "mjs",
            Kind::Ts => "ts",
        }
    }
}

/// One Python block (a function) using resource `r` of the app.
fn py_block(rng: &mut Rng, i: usize, r: usize, out: &mut String) {
    match rng.below(7) {
        0 => write!(
            out,
            "\n\ndef send_{i}(item):\n    body = json.dumps({{\"id\": item[\"id\"], \"kind\": \"order\"}})\n    return sqs.send_message(\n        QueueUrl=os.environ[\"QUEUE_{r}_URL\"],\n        MessageBody=body,\n        MessageAttributes={{\"source\": {{\"DataType\": \"String\", \"StringValue\": \"orders\"}}}},\n    )\n"
        ),
        1 => write!(
            out,
            "\n\ndef notify_{i}(order_id, total):\n    subject = f\"Order {{order_id}} placed\"\n    sns.publish(\n        TopicArn=TOPIC_{r},\n        Subject=subject,\n        Message=json.dumps({{\"order\": order_id, \"total\": total}}),\n    )\n"
        ),
        2 => write!(
            out,
            "\n\ndef save_{i}(item):\n    table = dynamodb.Table(os.environ.get(\"TABLE_{r}\", \"orders\"))\n    table.put_item(\n        Item={{\"pk\": f\"ORDER#{{item['id']}}\", \"sk\": \"META\", \"status\": item.get(\"status\", \"new\")}},\n        ConditionExpression=\"attribute_not_exists(pk)\",\n    )\n"
        ),
        3 => write!(
            out,
            "\n\ndef fetch_{i}(customer_id):\n    url = f\"{{os.getenv('PARTNER_API', 'https://partner.example.com')}}/customers/{{customer_id}}\"\n    resp = requests.get(url, timeout=5)\n    resp.raise_for_status()\n    return resp.json()\n"
        ),
        4 => write!(
            out,
            "\n\ndef emit_{i}(detail):\n    events.put_events(\n        Entries=[\n            {{\n                \"Source\": \"orders.service\",\n                \"DetailType\": \"OrderUpdated\",\n                \"Detail\": json.dumps(detail),\n                \"EventBusName\": os.environ[\"BUS_{r}\"],\n            }}\n        ]\n    )\n"
        ),
        5 => write!(
            out,
            "\n\ndef start_{i}(payload):\n    lambda_client.invoke(\n        FunctionName=os.environ[\"WORKER_{r}\"],\n        InvocationType=\"Event\",\n        Payload=json.dumps(payload).encode(),\n    )\n"
        ),
        _ => write!(
            out,
            "\n\ndef total_{i}(lines, discount=0):\n    total = 0\n    for line in lines:\n        qty = int(line.get(\"qty\", 1))\n        price = float(line[\"price\"])\n        if qty <= 0:\n            continue\n        total += qty * price\n    if discount:\n        total = total * (100 - discount) / 100\n    return round(total, 2)\n"
        ),
    }
    .unwrap();
}

/// One JavaScript/TypeScript block (a function) using resource `r` of the app.
fn js_block(rng: &mut Rng, i: usize, r: usize, ts: bool, out: &mut String) {
    let (p, ret) = if ts {
        ("item: Record<string, any>", ": Promise<unknown>")
    } else {
        ("item", "")
    };
    match rng.below(7) {
        0 => write!(
            out,
            "\nasync function send{i}({p}){ret} {{\n  const body = JSON.stringify({{ id: item.id, kind: 'order' }});\n  return sqs.send(new SendMessageCommand({{\n    QueueUrl: process.env.QUEUE_{r}_URL,\n    MessageBody: body,\n  }}));\n}}\n"
        ),
        1 => write!(
            out,
            "\nasync function notify{i}({p}){ret} {{\n  const subject = `Order ${{item.id}} placed`;\n  return sns.send(new PublishCommand({{\n    TopicArn: process.env.TOPIC_{r},\n    Subject: subject,\n    Message: JSON.stringify(item),\n  }}));\n}}\n"
        ),
        2 => write!(
            out,
            "\nasync function save{i}({p}){ret} {{\n  return ddb.send(new PutCommand({{\n    TableName: process.env.TABLE_{r} ?? 'orders',\n    Item: {{ pk: `ORDER#${{item.id}}`, sk: 'META', status: item.status || 'new' }},\n    ConditionExpression: 'attribute_not_exists(pk)',\n  }}));\n}}\n"
        ),
        3 => write!(
            out,
            "\nasync function fetch{i}({p}){ret} {{\n  const base = process.env.PARTNER_API || 'https://partner.example.com';\n  const res = await fetch(`${{base}}/customers/${{item.id}}`, {{ method: 'GET' }});\n  if (!res.ok) throw new Error(`partner ${{res.status}}`);\n  return res.json();\n}}\n"
        ),
        4 => write!(
            out,
            "\nasync function emit{i}({p}){ret} {{\n  return events.send(new PutEventsCommand({{\n    Entries: [{{\n      Source: 'orders.service',\n      DetailType: 'OrderUpdated',\n      Detail: JSON.stringify(item),\n      EventBusName: process.env.BUS_{r},\n    }}],\n  }}));\n}}\n"
        ),
        5 => write!(
            out,
            "\nasync function legacy{i}({p}){ret} {{\n  const lambda = new AWS.Lambda();\n  return lambda.invoke({{\n    FunctionName: process.env.WORKER_{r},\n    InvocationType: 'Event',\n    Payload: JSON.stringify(item),\n  }}).promise();\n}}\n"
        ),
        _ => write!(
            out,
            "\nfunction total{i}(lines{}, discount = 0) {{\n  let total = 0;\n  for (const line of lines) {{\n    const qty = Number(line.qty ?? 1);\n    if (qty <= 0) continue;\n    total += qty * Number(line.price);\n  }}\n  if (discount) total = (total * (100 - discount)) / 100;\n  return Math.round(total * 100) / 100;\n}}\n",
            if ts { ": Array<{ qty?: number; price: number }>" } else { "" }
        ),
    }
    .unwrap();
}

fn header(kind: Kind, helpers: &[String]) -> String {
    let mut s = String::new();
    match kind {
        Kind::Python => {
            s.push_str("\"\"\"Order processing helpers.\"\"\"\nimport json\nimport os\n\nimport boto3\nimport requests\n");
            for h in helpers {
                writeln!(s, "from {h} import *  # noqa: F401,F403").unwrap();
            }
            s.push_str("\nsqs = boto3.client(\"sqs\")\nsns = boto3.client(\"sns\")\nevents = boto3.client(\"events\")\nlambda_client = boto3.client(\"lambda\")\ndynamodb = boto3.resource(\"dynamodb\")\nTOPIC_0 = os.environ[\"TOPIC_0\"]\n");
            for r in 1..4 {
                writeln!(s, "TOPIC_{r} = os.environ[\"TOPIC_{r}\"]").unwrap();
            }
        }
        Kind::Cjs => {
            s.push_str("'use strict';\nconst { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');\nconst { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');\nconst { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');\nconst { DynamoDBClient } = require('@aws-sdk/client-dynamodb');\nconst { DynamoDBDocumentClient, PutCommand } = require('@aws-sdk/lib-dynamodb');\nconst AWS = require('aws-sdk');\n");
            for (k, h) in helpers.iter().enumerate() {
                writeln!(s, "const helper{k} = require('./{h}.js');").unwrap();
            }
        }
        Kind::Esm | Kind::Ts => {
            s.push_str("import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\nimport { SNSClient, PublishCommand } from '@aws-sdk/client-sns';\nimport { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';\nimport { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';\nimport AWS from 'aws-sdk';\n");
            let ext = if kind == Kind::Ts { "js" } else { "mjs" };
            for (k, h) in helpers.iter().enumerate() {
                writeln!(s, "import * as helper{k} from './{h}.{ext}';").unwrap();
            }
        }
    }
    if kind != Kind::Python {
        s.push_str("\nconst sqs = new SQSClient({});\nconst sns = new SNSClient({});\nconst events = new EventBridgeClient({});\nconst ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n");
    }
    s
}

fn handler(kind: Kind) -> &'static str {
    match kind {
        Kind::Python => {
            "\n\ndef handler(event, context):\n    failures = []\n    for record in event.get(\"Records\", []):\n        try:\n            item = json.loads(record[\"body\"])\n            send_0(item)\n        except Exception:\n            failures.append({\"itemIdentifier\": record[\"messageId\"]})\n    return {\"batchItemFailures\": failures}\n"
        }
        Kind::Cjs => {
            "\nexports.handler = async (event) => {\n  const batchItemFailures = [];\n  for (const record of event.Records ?? []) {\n    try {\n      await send0(JSON.parse(record.body));\n    } catch (e) {\n      batchItemFailures.push({ itemIdentifier: record.messageId });\n    }\n  }\n  return { batchItemFailures };\n};\n"
        }
        Kind::Esm | Kind::Ts => {
            "\nexport const handler = async (event) => {\n  const batchItemFailures = [];\n  for (const record of event.Records ?? []) {\n    try {\n      await send0(JSON.parse(record.body));\n    } catch (e) {\n      batchItemFailures.push({ itemIdentifier: record.messageId });\n    }\n  }\n  return { batchItemFailures };\n};\n"
        }
    }
}

/// One file of 50-300 lines.
fn file(rng: &mut Rng, kind: Kind, helpers: &[String], entry: bool) -> String {
    let target = 50 + rng.below(251);
    let mut s = header(kind, helpers);
    let mut i = 0;
    // the entry's handler calls `send_0`/`send0`: make sure it exists
    let mut first = true;
    while s.lines().count() + 12 < target || first {
        let r = rng.below(4);
        if first {
            let mut fixed = Rng(0);
            match kind {
                Kind::Python => write!(s, "\n\ndef send_0(item):\n    return sqs.send_message(QueueUrl=os.environ[\"QUEUE_{r}_URL\"], MessageBody=json.dumps(item))\n").unwrap(),
                _ => js_block(&mut fixed, 0, r, kind == Kind::Ts, &mut s),
            }
            first = false;
        } else if kind == Kind::Python {
            py_block(rng, i, r, &mut s);
        } else {
            js_block(rng, i, r, kind == Kind::Ts, &mut s);
        }
        i += 1;
    }
    if entry {
        s.push_str(handler(kind));
    }
    s
}

/// Write the app: template.yaml and `functions/fNNN/` folders. Returns (path, kind, bytes).
fn generate(dir: &Path, functions: usize) -> Vec<(PathBuf, Kind)> {
    let mut rng = Rng(0x5eed);
    let mut tpl = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nDescription: generated monorepo for the extraction bench\nGlobals:\n  Function:\n    Timeout: 30\n    MemorySize: 256\nResources:\n",
    );
    for r in 0..4 {
        write!(tpl, "  Queue{r}:\n    Type: AWS::SQS::Queue\n  Topic{r}:\n    Type: AWS::SNS::Topic\n  Bus{r}:\n    Type: AWS::Events::EventBus\n    Properties:\n      Name: bus-{r}\n  Table{r}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n        - AttributeName: pk\n          AttributeType: S\n      KeySchema:\n        - AttributeName: pk\n          KeyType: HASH\n").unwrap();
    }
    let mut files = Vec::new();
    for f in 0..functions {
        let kind = match f % 10 {
            0..=4 => Kind::Python,
            5 | 6 => Kind::Cjs,
            7 => Kind::Esm,
            _ => Kind::Ts,
        };
        let fdir = dir.join(format!("functions/f{f:03}"));
        std::fs::create_dir_all(&fdir).unwrap();
        let helpers: Vec<String> = (1..FILES_PER_FN).map(|h| format!("helper{h}")).collect();
        for (n, name) in std::iter::once("app".to_string())
            .chain(helpers.iter().cloned())
            .enumerate()
        {
            let imports = if n == 0 { &helpers[..] } else { &[] };
            let text = file(&mut rng, kind, imports, n == 0);
            let path = fdir.join(format!("{name}.{}", kind.ext()));
            std::fs::write(&path, text).unwrap();
            files.push((path, kind));
        }
        let runtime = if kind == Kind::Python {
            "python3.12"
        } else {
            "nodejs20.x"
        };
        write!(tpl, "  Fn{f:03}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {runtime}\n      Handler: app.handler\n      CodeUri: functions/f{f:03}/\n      Environment:\n        Variables:\n          PARTNER_API: https://partner.example.com\n").unwrap();
        for r in 0..4 {
            write!(tpl, "          QUEUE_{r}_URL: !Ref Queue{r}\n          TOPIC_{r}: !Ref Topic{r}\n          BUS_{r}: !Ref Bus{r}\n          TABLE_{r}: !Ref Table{r}\n          WORKER_{r}: !Ref Fn{:03}\n", (f + r + 1) % functions).unwrap();
        }
        tpl.push_str("      Policies:\n");
        for r in 0..4 {
            write!(tpl, "        - SQSSendMessagePolicy:\n            QueueName: !GetAtt Queue{r}.QueueName\n        - SNSPublishMessagePolicy:\n            TopicName: !GetAtt Topic{r}.TopicName\n        - EventBridgePutEventsPolicy:\n            EventBusName: !Ref Bus{r}\n        - DynamoDBCrudPolicy:\n            TableName: !Ref Table{r}\n        - LambdaInvokePolicy:\n            FunctionName: !Ref Fn{:03}\n", (f + r + 1) % functions).unwrap();
        }
        write!(tpl, "      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue{}.Arn\n            FunctionResponseTypes:\n              - ReportBatchItemFailures\n", f % 4).unwrap();
    }
    std::fs::write(dir.join("template.yaml"), tpl).unwrap();
    files
}

/// CPU seconds this process used (user + system, Linux `/proc/self/stat`; 0 elsewhere).
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // fields after the `)` closing the command name: utime and stime are the 12th and 13th
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0 // clock ticks (USER_HZ, 100 on Linux)
}

/// Best wall time and best CPU time of RUNS runs (the machine may be shared: CPU time shows
/// the work, wall time what a user waits).
fn best<T>(mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut last = None;
    for _ in 0..RUNS {
        let c = cpu_secs();
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(cpu_secs() - c);
        last = Some(v);
    }
    (best, best_cpu, last.unwrap())
}

fn main() {
    let functions: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(500);
    // a second argument keeps the generated app in that folder (to look at it, or check it)
    let keep = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .nth(1);
    let tmp = tempfile::tempdir().unwrap();
    let root = keep.map_or_else(|| tmp.path().to_path_buf(), PathBuf::from);
    let t = Instant::now();
    let paths = generate(&root, functions);
    let texts: Vec<(String, Kind)> = paths
        .iter()
        .map(|(p, k)| (std::fs::read_to_string(p).unwrap(), *k))
        .collect();
    let bytes: usize = texts.iter().map(|(t, _)| t.len()).sum();
    let lines: usize = texts.iter().map(|(t, _)| t.lines().count()).sum();
    println!(
        "generated {functions} functions, {} files, {lines} lines, {:.1} MB in {:.0} ms (best of {RUNS} runs below)",
        texts.len(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64() * 1e3
    );
    let py = Python;
    let js = Js { typescript: false };
    let ts = Js { typescript: true };
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let (secs, cpu, calls) = best(|| {
            pool.install(|| {
                texts
                    .par_iter()
                    .enumerate()
                    .map(|(i, (text, kind))| {
                        let x: &dyn Extractor = match kind {
                            Kind::Python => &py,
                            Kind::Cjs | Kind::Esm => &js,
                            Kind::Ts => &ts,
                        };
                        x.extract(text, i as u32).calls.len()
                    })
                    .sum::<usize>()
            })
        });
        println!(
            "extract  {threads} thread(s): {:7.1} ms  {:8.0} files/s  {:6.1} MB/s  ({calls} SDK calls; {:.0} files per CPU second)",
            secs * 1e3,
            texts.len() as f64 / secs,
            bytes as f64 / 1e6 / secs,
            texts.len() as f64 / cpu.max(0.01),
        );
    }
    let app = [root.clone()];
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let (secs, cpu, findings) = best(|| {
            pool.install(|| {
                eventlint::analyze(&app, &Selection::default())
                    .diagnostics
                    .len()
            })
        });
        println!(
            "check    {threads} thread(s): {:7.1} ms  {:8.0} files/s  ({findings} findings; {:.1} CPU s)",
            secs * 1e3,
            texts.len() as f64 / secs,
            cpu
        );
    }
}
