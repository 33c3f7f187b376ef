import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrgStateStore } from "../../src/adapters/org-state.js";
import { SecretsManagerWebhookResolver, SlackNotifier } from "../../src/adapters/slack.js";
import type { OrgBatchResult } from "../../src/app/org-aggregate.js";
import { ORG_DIGEST_ROUTE, readOrgView, sendOrgDigest } from "../../src/app/org-digest.js";
import type { OrgSummary } from "../../src/domain/org-events.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
import { motoDynamoClient, serialConnection } from "../helpers/moto-dynamodb.js";
import { assumeAccount, centralBusStandIn, drainIntoAggregator } from "../helpers/org-bus.js";
import {
  actionEvent,
  actionOf,
  heartbeatEvent,
  heartbeatOf,
  putEntry,
  secretArnOf,
  summaryEvent,
  summaryOf,
} from "../helpers/org-events.js";
import { createOrgStateTable } from "../helpers/org-table.js";
import { SlackReceiver } from "../helpers/slack-receiver.js";

/**
 * The central stack's path on moto_server: events of 3 member accounts x 2 regions, built with the contract
 * schemas, put on EventBridge, matched by rules/org-events.json, delivered to SQS; the aggregator drains the real
 * SQS messages into the central table (DynamoDB); the digest reads it and posts to a local Slack receiver through
 * the webhook secret read by name.
 *
 * moto 5.2 does two things otherwise than AWS; the stand-ins are in test/helpers/org-bus.ts.
 */

const ACCOUNTS = ["111111111111", "222222222222", "333333333333"] as const;
const REGIONS = ["eu-west-1", "us-east-1"] as const;
const BUS = "secrets-governor-org-test";
const NOW = new Date("2026-11-23T12:00:00Z");
interface Member {
  accountId: string;
  region: string;
  events: EventBridgeClient;
  sqs: SQSClient;
  queueUrl: string;
}

let moto: Moto;
let receiver: SlackReceiver;
let store: DynamoOrgStateStore;
let table: string;
const members: Member[] = [];

async function credentialsOf(accountId: string) {
  return assumeAccount(moto.endpoint, accountId, "governor");
}

const base = () => ({
  accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY,
});

function member(accountId: string, region: string): Member {
  const found = members.find((m) => m.accountId === accountId && m.region === region);
  if (!found) throw new Error(`no member ${accountId} ${region}`);
  return found;
}

/** Figures of account i (1-based) in region r (0 or 1): distinct per account-region, in whole cents. */
function figures(i: number, r: number, accountId: string, region: string): OrgSummary {
  const secrets = 10 * i + r;
  const unused = i + r;
  return summaryOf(accountId, region, {
    mode: i === 3 || (i === 2 && r === 1) ? "enforce" : "report",
    secrets,
    unused,
    monthlyCostUsd: secrets * 0.4,
    unusedMonthlyCostUsd: unused * 0.4,
    realisedMonthlySavingsUsd: i * 0.4,
    projectedMonthlySavingsUsd: unused * 0.4,
    byTeam: [{ team: i === 1 ? "payments" : "web", secrets, unused, unusedMonthlyCostUsd: unused * 0.4 }],
    deletionsDue:
      i === 2
        ? [
            {
              arn: secretArnOf(accountId, region, `old-${region}`),
              name: `old-${region}`,
              team: "web",
              on: "2026-11-26T06:00:00Z",
            },
          ]
        : [],
    deletionsDueTotal: i === 2 ? 1 : 0,
  });
}

async function put(from: Member, events: Record<string, unknown>[]): Promise<void> {
  const out = await from.events.send(new PutEventsCommand({ Entries: events.map((e) => putEntry(e, BUS)) }));
  expect(out.FailedEntryCount ?? 0).toBe(0);
}

/** Drains every member's queue through the aggregator, deleting what it did not ask to retry. */
async function drain(): Promise<OrgBatchResult[]> {
  return drainIntoAggregator(members, { store, now: NOW, log: { info() {}, warn() {}, error() {} } });
}

const sum = (results: OrgBatchResult[], field: "records" | "written" | "refused" | "ignored" | "failed") =>
  results.reduce((n, r) => n + r[field], 0);

beforeAll(async () => {
  moto = await startMoto();
  receiver = await SlackReceiver.start();
  const dynamo = motoDynamoClient(moto.endpoint, serialConnection());
  table = await createOrgStateTable(dynamo, "secrets-governor-org-state");
  store = new DynamoOrgStateStore(dynamo, table);
  for (const accountId of ACCOUNTS) {
    const credentials = await credentialsOf(accountId);
    for (const region of REGIONS) {
      const events = new EventBridgeClient({ endpoint: moto.endpoint, region, credentials });
      const sqs = new SQSClient({ endpoint: moto.endpoint, region, credentials });
      const QueueUrl = await centralBusStandIn(events, sqs, BUS);
      members.push({ accountId, region, events, sqs, queueUrl: QueueUrl });
    }
  }
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await moto?.stop();
});

describe("the central stack on moto", () => {
  it("members' summaries, heartbeats and actions reach the table through the bus and the queue", async () => {
    for (const [i, accountId] of ACCOUNTS.entries())
      for (const [r, region] of REGIONS.entries()) {
        const m = member(accountId, region);
        const summary = figures(i + 1, r, accountId, region);
        const events = [summaryEvent(summary)];
        // The last account-region's governor stopped after its summary: no heartbeat.
        if (!(i === 2 && r === 1))
          events.push(
            heartbeatEvent(
              heartbeatOf(accountId, region, { time: "2026-11-23T06:00:05Z", mode: summary.mode }),
            ),
          );
        events.push(actionEvent(actionOf(accountId, region), accountId, region));
        await put(m, events);
      }
    const results = await drain();
    expect(sum(results, "records")).toBe(17);
    expect(sum(results, "written")).toBe(17);
    expect(sum(results, "refused")).toBe(0);
    const { view, itemsRead } = await readOrgView(store, NOW);
    expect(itemsRead).toBe(6);
    expect(view.totals).toEqual({
      secrets: 123,
      unused: 15,
      monthlyCostUsd: 49.2,
      unusedMonthlyCostUsd: 6,
      realisedMonthlySavingsUsd: 4.8,
      projectedMonthlySavingsUsd: 6,
      deletionsDue: 2,
    });
  });

  it("forged and bad events change nothing and are counted", async () => {
    const before = await readOrgView(store, NOW);
    const [a, b] = ACCOUNTS;
    const fromA = member(a, "eu-west-1");
    await put(fromA, [
      // Account A's credentials speaking for B: B's summary, B's heartbeat, B's secret, B's deletion.
      summaryEvent(summaryOf(b, "eu-west-1", { secrets: 0, monthlyCostUsd: 0 })),
      heartbeatEvent(heartbeatOf(b, "eu-west-1", { mode: "enforce" })),
      actionEvent(actionOf(b, "eu-west-1", { action: "schedule-deletion" }), a, "eu-west-1"),
      summaryEvent(
        summaryOf(a, "eu-west-1", {
          deletionsDue: [
            {
              arn: secretArnOf(b, "eu-west-1", "theirs"),
              name: "theirs",
              team: "x",
              on: "2026-11-24T00:00:00Z",
            },
          ],
          deletionsDueTotal: 1,
          sweptAt: "2026-11-23T07:00:00.000Z",
        }),
      ),
      // A's own summary from region us-east-1, sent in eu-west-1.
      summaryEvent(summaryOf(a, "us-east-1", { sweptAt: "2026-11-23T07:00:00.000Z" })),
      // Malformed: the schema's version missing.
      { ...summaryEvent(summaryOf(a, "eu-west-1")), detail: { accountId: a, region: "eu-west-1" } },
      // A's own summary from the day before, replayed.
      summaryEvent({ ...figures(1, 0, a, "eu-west-1"), sweptAt: "2026-11-22T06:00:00.000Z" }),
    ]);
    // Another source: the central rule does not even deliver it.
    await put(fromA, [summaryEvent(summaryOf(a, "eu-west-1"), { source: "not-the-governor" })]);
    const results = await drain();
    expect(sum(results, "records")).toBe(7);
    expect(sum(results, "written")).toBe(0);
    expect(sum(results, "refused")).toBe(6);
    expect(sum(results, "ignored")).toBe(1);
    const byReason: Record<string, number> = {};
    for (const r of results)
      for (const [k, n] of Object.entries(r.byReason)) byReason[k] = (byReason[k] ?? 0) + (n ?? 0);
    expect(byReason).toEqual({ "account-mismatch": 4, "region-mismatch": 1, schema: 1, stale: 1 });
    expect(await readOrgView(store, NOW)).toEqual(before);
  });

  it("an oversized message on the queue is refused by the aggregator, unparsed", async () => {
    const m = member(ACCOUNTS[0], "eu-west-1");
    // Larger than anything EventBridge delivers (an entry is under 256 KB); SQS takes up to 1 MiB.
    await m.sqs.send(
      new SendMessageCommand({ QueueUrl: m.queueUrl, MessageBody: `{"pad":"${"x".repeat(300_000)}"}` }),
    );
    const results = await drain();
    expect(sum(results, "records")).toBe(1);
    expect(results[0]?.byReason).toEqual({ oversized: 1 });
  });

  it("the digest reads one item per account-region and arrives with each account's figures, to the cent", async () => {
    const secrets = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
      credentials: base(),
    });
    await secrets.send(
      new CreateSecretCommand({ Name: "secrets-governor/slack/org", SecretString: receiver.url() }),
    );
    const notifier = new SlackNotifier({
      resolver: new SecretsManagerWebhookResolver(secrets, {
        [ORG_DIGEST_ROUTE]: { webhookSecret: "secrets-governor/slack/org" },
      }),
      log: { warn() {}, error() {} },
    });
    const result = await sendOrgDigest({
      store,
      notifier,
      now: NOW,
      log: { info() {}, warn() {}, error() {} },
      table,
    });
    expect(result.itemsRead).toBe(6);
    expect(result.delivery).toEqual({ sent: 1, failed: [] });
    expect(receiver.accepted).toHaveLength(1);
    const text = JSON.stringify(receiver.accepted[0]);
    expect(text).toContain("*Secrets*\\n123 ($49.20/month)");
    expect(text).toContain("*Unused*\\n15 ($6.00/month)");
    expect(text).toContain("*Savings realised this month*\\n$4.80/month");
    expect(text).toContain("*Deletions due in 7 days*\\n2");
    expect(text).toContain("accounts: 1 report, 1 enforce, 1 mixed");
    expect(text).toContain(
      "• `333333333333` (2 regions, enforce): 7 unused, $2.80 of $24.40/month; saved $2.40; 0 due",
    );
    expect(text).toContain(
      "• `222222222222` (2 regions, mixed): 5 unused, $2.00 of $16.40/month; saved $1.60; 2 due",
    );
    expect(text).toContain(
      "• `111111111111` (2 regions, report): 3 unused, $1.20 of $8.40/month; saved $0.80; 0 due",
    );
    expect(text).toContain("• `web`: 12 of 102 unused, $4.80/month, in 2 accounts");
    expect(text).toContain("• `payments`: 3 of 21 unused, $1.20/month, in 1 account");
    // The one account-region without a heartbeat is named.
    expect(text).toContain("1 silent governor");
    expect(text).toContain("• `333333333333` `us-east-1`: no heartbeat ever received");
    expect(text).toContain("2026-11-26 `old-eu-west-1` in `222222222222` `eu-west-1`");
  });
});
