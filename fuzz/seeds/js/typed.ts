import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";
import type { SQSEvent, SQSBatchResponse } from "aws-lambda";
const sns = new SNSClient({});
interface Order { id: string; total: number }
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  for (const r of event.Records) {
    const o = JSON.parse(r.body) as Order;
    await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN!, Message: JSON.stringify(o) }));
  }
  return { batchItemFailures: [] };
}
