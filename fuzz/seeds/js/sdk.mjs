import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
const sqs = new SQSClient({});
const eb = new EventBridgeClient({});
const { QUEUE_URL, BUS = "default" } = process.env;
export const handler = async (event) => {
  const failures = [];
  for (const r of event.Records ?? []) {
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: `${r.body}` }));
      await eb.send(new PutEventsCommand({ Entries: [{ EventBusName: process.env.BUS, Source: "app", DetailType: "X", Detail: JSON.stringify(r) }] }));
      await fetch(`https://${process.env.API_HOST}/orders`, { method: "POST" });
    } catch (e) { failures.push({ itemIdentifier: r.messageId }); }
  }
  return { batchItemFailures: failures };
};
