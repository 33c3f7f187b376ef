import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqsAlertDeadLetter } from "../../src/adapters/alert-dead-letter.js";
import { SingleUrlResolver, SlackNotifier } from "../../src/adapters/slack.js";
import { KEPT_ALERTS_SUMMARY, redeliverKept } from "../../src/app/notify.js";
import { NOW, policyOf, RecordingAudit, RecordingLog } from "../fixtures/app/fakes.js";
import { foreignSequences, genuineAlert, HOSTILE_KEPT_BODIES } from "../helpers/hostile-alerts.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
import { SlackReceiver } from "../helpers/slack-receiver.js";

/**
 * The alert dead letter on SQS (moto_server, the real SDK client) with bodies an in-account sender put there
 * next to the governor's own: the sweep re-sends only the governor's, over HTTP to a stand-in for Slack, and
 * leaves the queue empty.
 */

const POLICY = policyOf(`
routes:
  default: { webhookSecret: slack/default }
routing: { default: default }
`);

let moto: Moto;
let queues = 0;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

function sqsClient(): SQSClient {
  return new SQSClient({
    endpoint: moto.endpoint,
    region: MOTO_ENV.AWS_REGION,
    credentials: { accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
}

async function queue(client: SQSClient): Promise<string> {
  const out = await client.send(new CreateQueueCommand({ QueueName: `alerts-dlq-${++queues}` }));
  if (!out.QueueUrl) throw new Error("moto created no queue");
  return out.QueueUrl;
}

/** Messages in the queue, visible or taken and not yet deleted. */
async function depth(client: SQSClient, url: string): Promise<number> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
}

describe("SqsAlertDeadLetter on moto, with hostile bodies", () => {
  it("re-sends the governor's failed alert as built and refuses, deletes and counts every hostile body", async () => {
    // Prepare: Slack is down for the governor's alert, which is kept; then hostile bodies are sent to the queue.
    const client = sqsClient();
    const url = await queue(client);
    const deadLetter = new SqsAlertDeadLetter(client, url);
    const receiver = await SlackReceiver.start();
    const log = new RecordingLog();
    const notifier = new SlackNotifier({
      resolver: new SingleUrlResolver(receiver.url()),
      log,
      sleep: async () => {},
    });
    try {
      const genuine = genuineAlert("default");
      receiver.script(...Array.from({ length: 4 }, () => ({ status: 503 })));
      const failed = await notifier.deliver([{ route: genuine.route, message: genuine.payload }]);
      expect(failed.failed).toHaveLength(1);
      await deadLetter.put(failed.failed);
      const hostile = Object.values(HOSTILE_KEPT_BODIES);
      for (const body of hostile)
        await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
      expect(await depth(client, url)).toBe(hostile.length + 1);
      receiver.clearScript();
      const before = receiver.requests.length;
      const audit = new RecordingAudit();

      // Act: the sweep's redelivery, Slack back.
      const outcome = await redeliverKept({
        notifier,
        deadLetter,
        log,
        audit,
        mode: "enforce",
        now: NOW,
        policy: POLICY,
      });

      // Assess: one request, the governor's alert as built; nothing else reached the webhook.
      const arrived = receiver.requests.slice(before);
      expect(arrived.map((r) => r.payload)).toEqual([genuine.payload]);
      expect(arrived.flatMap((r) => foreignSequences(r.payload))).toEqual([]);
      expect(outcome).toEqual({
        redelivered: 1,
        stillKept: 0,
        dropped: 0,
        keptAlertsRejected: hostile.length,
      });
      expect(audit.entries.map((e) => e.outcome)).toEqual(hostile.map(() => "refused"));
      expect(log.lines.find((l) => l.message === KEPT_ALERTS_SUMMARY)?.extra).toMatchObject({
        keptAlertsRejected: hostile.length,
      });
      // Everything was deleted: the next run reads nothing.
      expect(await depth(client, url)).toBe(0);
      expect(await deadLetter.take(100)).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
