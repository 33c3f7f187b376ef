import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBridgeAuditSink } from "../../src/adapters/audit.js";
import { EventBridgeOrgReporter, MemoryOrgReporter } from "../../src/adapters/org-reporter.js";
import { runSweepWithOrgReport } from "../../src/app/sweep-org-report.js";
import {
  ORG_ACTION_DETAIL_TYPE,
  ORG_EVENT_SOURCE,
  ORG_HEARTBEAT_DETAIL_TYPE,
  ORG_SUMMARY_DETAIL_TYPE,
  orgActionSchema,
  orgHeartbeatSchema,
  orgSummarySchema,
} from "../../src/domain/org-events.js";
import { parseInventory } from "../../src/domain/secret.js";
import { buildHeartbeat, buildOrgSummary } from "../../src/policy/org-summary.js";
import { planAccount } from "../../src/policy/plan.js";
import type { OrgEvent, OrgReporter } from "../../src/ports.js";
import { accountOf, defaultPolicy, entry, NOW } from "../fixtures/app/fakes.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";

/**
 * The org reporter on EventBridge (moto_server, the real SDK clients), and the member stack's forwarding as the
 * template builds it (serverless/org-member.yml): a rule on the member's audit bus matching the governor's source,
 * whose target is the central bus in ANOTHER account, with a role. moto keeps one backend per account and switches
 * account by the credentials, so the central account is reached with STS AssumeRole credentials.
 *
 * What moto does not emulate, and AWS does: it neither assumes the target's RoleArn nor checks the central bus
 * policy, and a forwarded event's `account` is the central account's (AWS keeps the sender's). Those are checked
 * as the template's shape (test/deploy/package.test.ts) and by the central aggregator's own tests.
 */

const MEMBER = "123456789012";
const CENTRAL = "210987654321";
const REGION = MOTO_ENV.AWS_REGION;

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const memberCredentials: Credentials = {
  accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY,
};
const config = (credentials: Credentials) => ({
  endpoint: moto.endpoint,
  region: REGION,
  credentials,
  maxAttempts: 1,
});

async function centralCredentials(): Promise<Credentials> {
  const sts = new STSClient(config(memberCredentials));
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${CENTRAL}:role/OrganizationAccountAccessRole`,
      RoleSessionName: "test",
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("moto returned no credentials");
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
  };
}

/** A queue that receives every governor event on `bus` of the account of `credentials`. */
async function tap(
  credentials: Credentials,
  bus: string,
  name: string,
): Promise<{ sqs: SQSClient; url: string }> {
  const sqs = new SQSClient(config(credentials));
  const events = new EventBridgeClient(config(credentials));
  const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
  );
  await events.send(
    new PutRuleCommand({
      Name: `${name}-rule`,
      EventBusName: bus,
      EventPattern: JSON.stringify({ source: [ORG_EVENT_SOURCE] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: `${name}-rule`,
      EventBusName: bus,
      Targets: [{ Id: "tap", Arn: attributes.Attributes?.QueueArn }],
    }),
  );
  if (!url) throw new Error("moto created no queue");
  return { sqs, url };
}

type Event = { source: string; "detail-type": string; account: string; region: string; detail: unknown };

async function drain({ sqs, url }: { sqs: SQSClient; url: string }): Promise<Event[]> {
  const events: Event[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return events;
    for (const m of out.Messages) {
      events.push(JSON.parse(m.Body ?? "{}") as Event);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

function orgEvents(accountId = MEMBER): OrgEvent[] {
  const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();
  const secrets = parseInventory(
    JSON.stringify({
      SecretList: [
        entry("pay/stale", { LastAccessedDate: day(-200), tags: { team: "payments" } }),
        entry("pay/active", { LastAccessedDate: day(-1), tags: { team: "payments" } }),
      ],
    }),
  );
  const plan = planAccount(secrets, defaultPolicy(), NOW, { mode: "report" });
  return [
    { kind: "summary", detail: buildOrgSummary(plan, secrets, accountId, REGION, NOW) },
    {
      kind: "heartbeat",
      detail: buildHeartbeat({
        accountId,
        region: REGION,
        mode: "report",
        time: NOW,
        sweepIntervalMinutes: 1440,
        sweepCompleted: true,
      }),
    },
  ];
}

/** The OrgReporter contract: what is published is what a reader of the bus gets, detail for detail. */
function contract(
  name: string,
  make: () => Promise<{ reporter: OrgReporter; read: () => Promise<OrgEvent[]> }>,
) {
  describe(`OrgReporter contract: ${name}`, () => {
    it("publishes the summary and the heartbeat, each under its detail-type and within its schema", async () => {
      const { reporter, read } = await make();
      const events = orgEvents();
      await reporter.publish(events);
      const got = await read();
      expect(got).toEqual(events);
      expect(orgSummarySchema.safeParse(got[0]?.detail).success).toBe(true);
      expect(orgHeartbeatSchema.safeParse(got[1]?.detail).success).toBe(true);
    });

    it("refuses to send a summary the central plane would refuse", async () => {
      const { reporter, read } = await make();
      const [summary] = orgEvents("not-an-account");
      await expect(reporter.publish([summary as OrgEvent])).rejects.toThrow(/12 digits/);
      expect(await read()).toEqual([]);
    });
  });
}

let taps = 0;
contract("EventBridge (moto_server)", async () => {
  const bus = `audit-${++taps}`;
  const events = new EventBridgeClient(config(memberCredentials));
  await events.send(new CreateEventBusCommand({ Name: bus }));
  const queue = await tap(memberCredentials, bus, `contract-${taps}`);
  return {
    reporter: new EventBridgeOrgReporter(events, bus),
    read: async () =>
      (await drain(queue)).map((e) =>
        e["detail-type"] === ORG_SUMMARY_DETAIL_TYPE
          ? ({ kind: "summary", detail: e.detail } as OrgEvent)
          : ({ kind: "heartbeat", detail: e.detail } as OrgEvent),
      ),
  };
});

contract("memory", async () => {
  const reporter = new MemoryOrgReporter();
  return { reporter, read: async () => reporter.events };
});

describe("forwarding to the central bus in another account", () => {
  it("delivers the governor's summary, heartbeat and audit events from the member's audit bus", async () => {
    // Prepare: the central account's bus (and a queue to see what reaches it), then the member's rule.
    const central = await centralCredentials();
    const centralEvents = new EventBridgeClient(config(central));
    const { EventBusArn: centralBus } = await centralEvents.send(
      new CreateEventBusCommand({ Name: "secrets-governor-org" }),
    );
    expect(centralBus).toBe(`arn:aws:events:${REGION}:${CENTRAL}:event-bus/secrets-governor-org`);
    const seen = await tap(central, "secrets-governor-org", "central");

    // moto does not assume a target's role: the role's trust and policy are the template's (package.test.ts).
    const roleArn = `arn:aws:iam::${MEMBER}:role/secrets-governor-dev-org-forward`;
    const member = new EventBridgeClient(config(memberCredentials));
    await member.send(
      new PutRuleCommand({
        Name: "secrets-governor-dev-org-forward",
        EventBusName: "default",
        EventPattern: JSON.stringify({ source: [ORG_EVENT_SOURCE] }),
      }),
    );
    await member.send(
      new PutTargetsCommand({
        Rule: "secrets-governor-dev-org-forward",
        EventBusName: "default",
        Targets: [{ Id: "org-bus", Arn: centralBus, RoleArn: roleArn }],
      }),
    );

    // Act: a sweep of the member's account (report mode), its audit and its org report on the member's audit
    // bus, as in Lambda.
    const account = accountOf([
      entry("pay/stale", { LastAccessedDate: "2026-05-01T00:00:00Z", tags: { team: "payments" } }),
      entry("pay/active", { LastAccessedDate: "2026-11-22T00:00:00Z", tags: { team: "payments" } }),
    ]);
    const result = await runSweepWithOrgReport(
      {
        store: account,
        policy: defaultPolicy(),
        mode: "report",
        now: NOW,
        exemptPrincipals: [],
        audit: new EventBridgeAuditSink(member, "default"),
      },
      {
        reporter: new EventBridgeOrgReporter(member, "default"),
        accountId: MEMBER,
        region: REGION,
        sweepIntervalMinutes: 1440,
        clock: { now: () => NOW },
      },
    );
    expect(result.plan.summary).toMatchObject({ secrets: 2, unused: 1 });

    // Assess: all three reached the central bus, each in its contract's shape.
    const arrived = await drain(seen);
    // One audit entry (pay/stale would be flagged), the summary and the heartbeat.
    expect(arrived.map((e) => e["detail-type"]).sort()).toEqual(
      [ORG_ACTION_DETAIL_TYPE, ORG_HEARTBEAT_DETAIL_TYPE, ORG_SUMMARY_DETAIL_TYPE].sort(),
    );
    for (const event of arrived) {
      expect(event.source).toBe(ORG_EVENT_SOURCE);
      expect(event.region).toBe(REGION);
      const schema =
        event["detail-type"] === ORG_SUMMARY_DETAIL_TYPE
          ? orgSummarySchema
          : event["detail-type"] === ORG_HEARTBEAT_DETAIL_TYPE
            ? orgHeartbeatSchema
            : orgActionSchema;
      expect(schema.safeParse(event.detail).success, event["detail-type"]).toBe(true);
    }
    const summary = orgSummarySchema.parse(
      arrived.find((e) => e["detail-type"] === ORG_SUMMARY_DETAIL_TYPE)?.detail,
    );
    // The member speaks for itself in the detail, whatever account moto writes on the forwarded envelope.
    expect(summary).toMatchObject({ accountId: MEMBER, secrets: 2, unused: 1, unusedMonthlyCostUsd: 0.4 });
  }, 30_000);
});
