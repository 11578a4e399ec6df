import os, json
import boto3
from .util import helper

sqs = boto3.client("sqs")
TABLE = os.environ["TABLE"]

def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            body = json.loads(record["body"])
            sqs.send_message(QueueUrl=os.environ.get("QUEUE_URL"), MessageBody=f"{body['id']}")
            boto3.resource("dynamodb").Table(TABLE).put_item(Item={"pk": body["id"]})
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
