import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateEventBusCommand,
  type EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  aggregateOrgBatch,
  type OrgAggregateDeps,
  type OrgBatchResult,
} from "../../src/app/org-aggregate.js";
import { MOTO_ENV } from "./moto.js";

/**
 * The organization plane's path on moto_server (5.2), with the stand-ins for what moto does not do as AWS does:
 * - moto keeps buses per account and region, sets an event's `account` to the caller's account only on the
 *   caller's own bus, and re-puts a bus-to-bus forwarded event as the target bus's account: so each member
 *   account-region puts on its own copy of the central bus (rules/org-events.json's pattern, an SQS target), and
 *   the aggregator drains every copy's queue into the one central table. What AWS guarantees and the tests keep:
 *   the envelope's account is the caller's, set by EventBridge, never the sender's choice.
 * - moto's SQS delivery drops `account` from the envelope (its default input template omits it): the target
 *   carries an input transformer that writes the whole envelope as EventBridge delivers it, account included.
 */

export const ORG_EVENTS_PATTERN = readFileSync(
  join(import.meta.dirname, "..", "..", "rules", "org-events.json"),
  "utf8",
);
const ENVELOPE_TEMPLATE =
  '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", "account": "<account>", "time": "<time>", "region": "<region>", "resources": <resources>, "detail": <detail>}';
const ENVELOPE_PATHS = {
  id: "$.id",
  "detail-type": "$.detail-type",
  source: "$.source",
  account: "$.account",
  time: "$.time",
  region: "$.region",
  resources: "$.resources",
  detail: "$.detail",
};

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Credentials in another moto account: AssumeRole into it (moto switches account by the credentials). */
export async function assumeAccount(endpoint: string, accountId: string, role: string): Promise<Credentials> {
  const sts = new STSClient({
    endpoint,
    region: MOTO_ENV.AWS_REGION,
    credentials: { accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY },
  });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/${role}`,
      RoleSessionName: "secrets-governor-test",
    }),
  );
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error("moto returned no credentials");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** The central bus's stand-in in the clients' account and region: the bus, the rule, its queue. Its queue URL. */
export async function centralBusStandIn(
  events: EventBridgeClient,
  sqs: SQSClient,
  bus: string,
): Promise<string> {
  await events.send(new CreateEventBusCommand({ Name: bus }));
  const { QueueUrl = "" } = await sqs.send(new CreateQueueCommand({ QueueName: "org-events" }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await events.send(
    new PutRuleCommand({ Name: "org-events", EventBusName: bus, EventPattern: ORG_EVENTS_PATTERN }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: "org-events",
      EventBusName: bus,
      Targets: [
        {
          Id: "buffer",
          Arn: Attributes?.QueueArn,
          InputTransformer: { InputTemplate: ENVELOPE_TEMPLATE, InputPathsMap: ENVELOPE_PATHS },
        },
      ],
    }),
  );
  return QueueUrl;
}

/** Drains each queue through the aggregator, deleting what it did not ask to retry; the result of every batch. */
export async function drainIntoAggregator(
  queues: readonly { sqs: SQSClient; queueUrl: string }[],
  deps: OrgAggregateDeps,
): Promise<OrgBatchResult[]> {
  const results: OrgBatchResult[] = [];
  for (const { sqs, queueUrl } of queues)
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
      );
      if (Messages.length === 0) break;
      const result = await aggregateOrgBatch(
        Messages.map((m) => ({ id: m.MessageId ?? "", body: m.Body ?? "" })),
        deps,
      );
      results.push(result);
      const done = Messages.filter((m) => !result.failedIds.includes(m.MessageId ?? ""));
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle ?? "" })),
        }),
      );
    }
  return results;
}
