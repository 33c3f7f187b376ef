import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  ListSecretsCommand,
  type SecretListEntry,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBridgeAuditSink } from "../../src/adapters/audit.js";
import { makeSecretsManagerClient } from "../../src/adapters/aws-clients.js";
import { EventBridgeOrgReporter } from "../../src/adapters/org-reporter.js";
import { DynamoOrgStateStore, secretKey } from "../../src/adapters/org-state.js";
import { NO_PACING } from "../../src/adapters/pacer.js";
import { SecretsManagerStore } from "../../src/adapters/secrets-manager.js";
import { SecretsManagerWebhookResolver, SlackNotifier } from "../../src/adapters/slack.js";
import type { OrgBatchResult } from "../../src/app/org-aggregate.js";
import { ORG_DIGEST_ROUTE, type OrgDigestResult, sendOrgDigest } from "../../src/app/org-digest.js";
import { runSweepWithOrgReport } from "../../src/app/sweep-org-report.js";
import type { AuditEntry } from "../../src/domain/audit.js";
import { type Mode, STAGE_SINCE_TAG, STAGE_TAG, type Stage } from "../../src/domain/decision.js";
import { orgActionSchema } from "../../src/domain/org-events.js";
import type { OrgAccountRegion } from "../../src/domain/org-view.js";
import { parseInventory, type Secret } from "../../src/domain/secret.js";
import { buildHeartbeat, buildOrgSummary } from "../../src/policy/org-summary.js";
import { planAccount } from "../../src/policy/plan.js";
import type { AuditSink, SecretStore } from "../../src/ports.js";
import { defaultPolicy } from "../fixtures/app/fakes.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
import { serialConnection } from "../helpers/moto-dynamodb.js";
import { assumeAccount, centralBusStandIn, drainIntoAggregator } from "../helpers/org-bus.js";
import { createOrgStateTable } from "../helpers/org-table.js";
import { SlackReceiver } from "../helpers/slack-receiver.js";

/**
 * The organization plane end to end on moto_server: an organization of 20 member accounts (Organizations
 * CreateAccount), STS AssumeRole into members (OrganizationAccountAccessRole; moto switches account by the
 * assumed credentials). The governors of 3 members x 2 regions sweep their own seeded secrets with the real SDK
 * clients (runSweepWithOrgReport, SecretsManagerStore, EventBridgeAuditSink, EventBridgeOrgReporter); their
 * summaries, heartbeats and audit actions go through EventBridge and SQS; the aggregator drains the real SQS
 * messages into the central table (DynamoDB) of an audit account; the org digest reads it and posts to a local
 * Slack receiver through the webhook secret read by name. The figures are checked to the cent against
 * `governor plan`'s planner over the inventory listed back from moto, and against hand-computed constants.
 *
 * What moto (5.2) does not do as AWS does, and how the test stands in for it:
 * - LastAccessedDate: moto's Secrets Manager never sets it. The seeded read dates are added to what moto lists
 *   and describes (`withReadDates`), for the sweep and for the expected plan alike; every write is moto's.
 * - EventBridge, the two gaps test/org/central.moto.test.ts documents: moto sets an event's `account` to the
 *   caller's only on the caller's own bus (a bus-to-bus rule re-puts as the target's account), and its SQS
 *   delivery omits `account`. So each member account-region puts on its own copy of the central bus (the
 *   pattern of rules/org-events.json, an SQS target whose input transformer writes the whole envelope, account
 *   included), and the aggregator drains every copy's queue into the one central table.
 * - DeletedDate: moto dates a pending deletion from its own clock at the DeleteSecret call, so the seeded ones
 *   cannot be older than the seeding; the sweeps run (their `now`) one day after it, as the next daily sweep.
 * The central table and the org digest's webhook secret live in the 20th member (the security account, with no
 * governor of its own); the other 16 members and the management account run no governor either.
 */

const REGIONS = ["eu-west-1", "us-east-1"] as const;
type Region = (typeof REGIONS)[number];
const CENTRAL_REGION: Region = "eu-west-1";
const BUS = "secrets-governor-org";
const DAY = 86_400_000;
const HOUR = 3_600_000;
const POLICY = defaultPolicy();
const quiet = { info() {}, warn() {}, error() {} };

/** One seeded secret: when it was last read, and where it already is in the lifecycle. */
interface Seed {
  name: string;
  tags?: Record<string, string>;
  readDaysAgo: number;
  stage?: { stage: Stage; daysAgo: number };
  /** Scheduled for deletion (7-day recovery window) before the sweep. */
  deleted?: boolean;
}

/** The figures of one account-region's summary, worked out by hand from the seeds ($0.40 a secret-month). */
interface Figures {
  secrets: number;
  unused: number;
  monthlyCostUsd: number;
  unusedMonthlyCostUsd: number;
  realisedMonthlySavingsUsd: number;
  projectedMonthlySavingsUsd: number;
  deletionsDueTotal: number;
  /** Secrets per lifecycle stage once the sweep is done (in report mode: as tagged before it). */
  byStage: { flagged: number; quarantined: number; "deletion-scheduled": number };
}

interface Governed {
  /** Which of the 3 governed members (0, 1, 2). */
  member: number;
  region: Region;
  mode: Mode;
  sweepIntervalMinutes: number;
  seeds: Seed[];
  expected: Figures;
}

const team = (name: string) => ({ team: name });
/** Secrets Manager's price: $0.40 per secret-month, in whole cents. */
const price = (n: number) => (n * 40) / 100;
// Read yesterday: in use. Read 200 days ago: unused (the default policy's rule says 90 days).
const ACTIVE = 1;
const STALE = 200;

/**
 * Member 0 in report mode, member 1 enforce in eu-west-1 and report in us-east-1, member 2 enforce. Member 2's
 * us-east-1 governor sweeps hourly: the digest, 3 hours after the sweeps, finds it silent.
 * Per account-region: cost = $0.40 per secret not pending deletion; unused = not read for 90 days, not pending
 * deletion; realised = a deletion the governor scheduled (stage deletion-scheduled, pending); projected = the
 * unused ones the lifecycle will delete (not the exempt one); due in 7 days = a pending deletion (7-day window) or
 * one this sweep schedules.
 */
const GOVERNED: Governed[] = [
  {
    member: 0,
    region: "eu-west-1",
    mode: "report",
    sweepIntervalMinutes: 1440,
    seeds: [
      { name: "payments/api", tags: team("payments"), readDaysAgo: ACTIVE },
      { name: "payments/ledger-old", tags: team("payments"), readDaysAgo: STALE },
      { name: "web/session-old", tags: team("web"), readDaysAgo: STALE },
      {
        name: "web/cdn-key",
        tags: team("web"),
        readDaysAgo: STALE,
        stage: { stage: "flagged", daysAgo: 20 },
      },
      {
        name: "payments/retired",
        tags: team("payments"),
        readDaysAgo: STALE,
        stage: { stage: "deletion-scheduled", daysAgo: 3 },
        deleted: true,
      },
    ],
    expected: {
      secrets: 5,
      unused: 3,
      monthlyCostUsd: price(4),
      unusedMonthlyCostUsd: price(3),
      realisedMonthlySavingsUsd: price(1),
      projectedMonthlySavingsUsd: price(3),
      deletionsDueTotal: 1,
      byStage: { flagged: 1, quarantined: 0, "deletion-scheduled": 1 },
    },
  },
  {
    member: 0,
    region: "us-east-1",
    mode: "report",
    sweepIntervalMinutes: 1440,
    seeds: [
      { name: "data/warehouse", tags: team("data"), readDaysAgo: ACTIVE },
      { name: "data/etl-old", tags: team("data"), readDaysAgo: STALE },
      // No team tag: the owner tag names the team.
      { name: "ops/owner-only", tags: { owner: "ops" }, readDaysAgo: STALE },
      { name: "misc/untagged", readDaysAgo: ACTIVE },
    ],
    expected: {
      secrets: 4,
      unused: 2,
      monthlyCostUsd: price(4),
      unusedMonthlyCostUsd: price(2),
      realisedMonthlySavingsUsd: 0,
      projectedMonthlySavingsUsd: price(2),
      deletionsDueTotal: 0,
      byStage: { flagged: 0, quarantined: 0, "deletion-scheduled": 0 },
    },
  },
  {
    member: 1,
    region: "eu-west-1",
    mode: "enforce",
    sweepIntervalMinutes: 1440,
    seeds: [
      { name: "web/frontend", tags: team("web"), readDaysAgo: ACTIVE },
      { name: "web/old-token", tags: team("web"), readDaysAgo: STALE },
      {
        name: "web/legacy",
        tags: team("web"),
        readDaysAgo: STALE,
        stage: { stage: "quarantined", daysAgo: 40 },
      },
      {
        name: "payments/exempt-old",
        tags: { team: "payments", "governor:exempt": "true" },
        readDaysAgo: STALE,
      },
      {
        name: "web/gone",
        tags: team("web"),
        readDaysAgo: STALE,
        stage: { stage: "deletion-scheduled", daysAgo: 5 },
        deleted: true,
      },
    ],
    expected: {
      secrets: 5,
      unused: 3,
      monthlyCostUsd: price(4),
      unusedMonthlyCostUsd: price(3),
      realisedMonthlySavingsUsd: price(1),
      projectedMonthlySavingsUsd: price(2),
      deletionsDueTotal: 2,
      byStage: { flagged: 1, quarantined: 0, "deletion-scheduled": 2 },
    },
  },
  {
    member: 1,
    region: "us-east-1",
    mode: "report",
    sweepIntervalMinutes: 1440,
    seeds: [
      { name: "api/key-1", tags: team("api"), readDaysAgo: ACTIVE },
      { name: "api/key-2", tags: team("api"), readDaysAgo: ACTIVE },
      { name: "api/old", tags: team("api"), readDaysAgo: STALE },
    ],
    expected: {
      secrets: 3,
      unused: 1,
      monthlyCostUsd: price(3),
      unusedMonthlyCostUsd: price(1),
      realisedMonthlySavingsUsd: 0,
      projectedMonthlySavingsUsd: price(1),
      deletionsDueTotal: 0,
      byStage: { flagged: 0, quarantined: 0, "deletion-scheduled": 0 },
    },
  },
  {
    member: 2,
    region: "eu-west-1",
    mode: "enforce",
    sweepIntervalMinutes: 1440,
    seeds: [
      { name: "data/a", tags: team("data"), readDaysAgo: ACTIVE },
      { name: "data/b", tags: team("data"), readDaysAgo: STALE, stage: { stage: "flagged", daysAgo: 20 } },
      { name: "data/c", tags: team("data"), readDaysAgo: STALE },
      { name: "web/x", tags: team("web"), readDaysAgo: STALE },
      {
        name: "data/retired",
        tags: team("data"),
        readDaysAgo: STALE,
        stage: { stage: "deletion-scheduled", daysAgo: 2 },
        deleted: true,
      },
    ],
    expected: {
      secrets: 5,
      unused: 3,
      monthlyCostUsd: price(4),
      unusedMonthlyCostUsd: price(3),
      realisedMonthlySavingsUsd: price(1),
      projectedMonthlySavingsUsd: price(3),
      deletionsDueTotal: 1,
      byStage: { flagged: 2, quarantined: 1, "deletion-scheduled": 1 },
    },
  },
  {
    member: 2,
    region: "us-east-1",
    mode: "enforce",
    sweepIntervalMinutes: 60,
    seeds: [
      { name: "payments/p1", tags: team("payments"), readDaysAgo: ACTIVE },
      { name: "payments/p2", tags: team("payments"), readDaysAgo: STALE },
    ],
    expected: {
      secrets: 2,
      unused: 1,
      monthlyCostUsd: price(2),
      unusedMonthlyCostUsd: price(1),
      realisedMonthlySavingsUsd: 0,
      projectedMonthlySavingsUsd: price(1),
      deletionsDueTotal: 0,
      byStage: { flagged: 1, quarantined: 0, "deletion-scheduled": 0 },
    },
  },
];

type Credentials = Awaited<ReturnType<typeof assumeAccount>>;

interface AccountRegion {
  spec: Governed;
  accountId: string;
  credentials: Credentials;
  secrets: SecretsManagerClient;
  events: EventBridgeClient;
  sqs: SQSClient;
  queueUrl: string;
  /** The read dates moto cannot hold, by ARN. */
  readDates: Map<string, Date>;
  /** What the sweep was planned from, listed back from moto before it ran (as `governor plan` reads it). */
  inventory: Secret[];
  audit: AuditEntry[];
}

let moto: Moto;
let receiver: SlackReceiver;
let store: DynamoOrgStateStore;
let doc: DynamoDBDocumentClient;
let table: string;
let auditAccount: string;
let auditCredentials: Credentials;
/** The organization's member accounts, in creation order. */
const memberIds: string[] = [];
let managementId: string;
let governedIds: string[] = [];
let now: Date;
const regions: AccountRegion[] = [];
const batches: OrgBatchResult[] = [];

const base = () => ({
  accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY,
});

async function credentialsOf(accountId: string): Promise<Credentials> {
  return assumeAccount(moto.endpoint, accountId, "OrganizationAccountAccessRole");
}

/** The account the credentials act in, as the sweep function learns it. */
async function callerAccount(credentials: Credentials): Promise<string> {
  const sts = new STSClient({ endpoint: moto.endpoint, region: MOTO_ENV.AWS_REGION, credentials });
  return (await sts.send(new GetCallerIdentityCommand({}))).Account ?? "";
}

/** What moto lists and describes, with the read dates it lacks (AWS gives LastAccessedDate in both). */
function withReadDates(inner: SecretStore, readDates: ReadonlyMap<string, Date>): SecretStore {
  const add = (s: Secret): Secret => {
    const read = readDates.get(s.arn);
    return read ? { ...s, lastAccessedDate: read } : s;
  };
  return {
    async describe(id) {
      const s = await inner.describe(id);
      return s && add(s);
    },
    async *list() {
      for await (const page of inner.list()) yield page.map(add);
    },
    tag: (arn, tags) => inner.tag(arn, tags),
    untag: (arn, keys) => inner.untag(arn, keys),
    getResourcePolicy: (arn) => inner.getResourcePolicy(arn),
    putResourcePolicy: (arn, policy) => inner.putResourcePolicy(arn, policy),
    deleteResourcePolicy: (arn) => inner.deleteResourcePolicy(arn),
    scheduleDeletion: (arn, days) => inner.scheduleDeletion(arn, days),
    restore: (arn) => inner.restore(arn),
  };
}

/** The audit sink, keeping a copy of what the sweep recorded. */
function recording(inner: AuditSink, into: AuditEntry[]): AuditSink {
  return {
    async record(entries) {
      into.push(...entries);
      await inner.record(entries);
    },
  };
}

/** Midnight UTC `days` before `from`: AWS keeps LastAccessedDate as a day. */
const daysBefore = (from: Date, days: number) =>
  new Date(Math.floor(from.getTime() / DAY) * DAY - days * DAY);

async function seed(ar: AccountRegion, seededAt: Date): Promise<void> {
  for (const s of ar.spec.seeds) {
    const tags: Record<string, string> = { ...s.tags };
    if (s.stage) {
      tags[STAGE_TAG] = s.stage.stage;
      tags[STAGE_SINCE_TAG] = new Date(seededAt.getTime() - s.stage.daysAgo * DAY).toISOString();
    }
    const { ARN = "" } = await ar.secrets.send(
      new CreateSecretCommand({
        Name: s.name,
        SecretString: "not-a-real-secret",
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    ar.readDates.set(ARN, daysBefore(seededAt, s.readDaysAgo));
    if (s.deleted) await ar.secrets.send(new DeleteSecretCommand({ SecretId: ARN, RecoveryWindowInDays: 7 }));
  }
}

/** The inventory as `aws secretsmanager list-secrets --include-planned-deletion` gives it, read dates added. */
async function listBack(ar: AccountRegion): Promise<Secret[]> {
  const entries: SecretListEntry[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ar.secrets.send(new ListSecretsCommand({ IncludePlannedDeletion: true, NextToken }));
    entries.push(...(page.SecretList ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const SecretList = entries.map((e) => ({ ...e, LastAccessedDate: ar.readDates.get(e.ARN ?? "") }));
  return parseInventory(JSON.stringify({ SecretList }), `${ar.accountId}-${ar.spec.region}.json`);
}

async function setUpAccountRegion(spec: Governed, accountId: string, credentials: Credentials) {
  const { region } = spec;
  const events = new EventBridgeClient({ endpoint: moto.endpoint, region, credentials });
  const sqs = new SQSClient({ endpoint: moto.endpoint, region, credentials });
  // The stand-in for the central bus (test/helpers/org-bus.ts): the same rule, into a queue the aggregator drains.
  const QueueUrl = await centralBusStandIn(events, sqs, BUS);
  const secrets = makeSecretsManagerClient({ region, endpoint: moto.endpoint, credentials, maxAttempts: 1 });
  const ar: AccountRegion = {
    spec,
    accountId,
    credentials,
    secrets,
    events,
    sqs,
    queueUrl: QueueUrl,
    readDates: new Map(),
    inventory: [],
    audit: [],
  };
  regions.push(ar);
  return ar;
}

/** One governor's scheduled sweep, as handlers/sweep.ts wires it with OrgBusArn set. */
async function sweep(ar: AccountRegion): Promise<void> {
  const { region, mode, sweepIntervalMinutes } = ar.spec;
  const result = await runSweepWithOrgReport(
    {
      store: withReadDates(new SecretsManagerStore(ar.secrets, NO_PACING), ar.readDates),
      policy: POLICY,
      mode,
      now,
      exemptPrincipals: [],
      audit: recording(new EventBridgeAuditSink(ar.events, BUS), ar.audit),
      log: {
        ...quiet,
        error(message: string, extra?: unknown) {
          throw new Error(`${ar.accountId} ${region}: ${message} ${JSON.stringify(extra)}`);
        },
      },
    },
    {
      reporter: new EventBridgeOrgReporter(ar.events, BUS),
      accountId: await callerAccount(ar.credentials),
      region,
      sweepIntervalMinutes,
      clock: { now: () => now },
    },
  );
  expect(result.outcomes.filter((o) => o.outcome === "failed")).toEqual([]);
}

/** Drains every member's queue through the aggregator, deleting what it did not ask to retry. */
async function drain(at: Date): Promise<void> {
  batches.push(...(await drainIntoAggregator(regions, { store, now: at, log: quiet })));
}

async function centralItems(): Promise<OrgAccountRegion[]> {
  const items: OrgAccountRegion[] = [];
  for await (const page of store.accountRegions()) items.push(...page);
  return items;
}

function itemOf(items: OrgAccountRegion[], ar: AccountRegion): OrgAccountRegion | undefined {
  return items.find((i) => i.accountId === ar.accountId && i.region === ar.spec.region);
}

const sum = (field: "records" | "written" | "refused" | "ignored" | "failed") =>
  batches.reduce((n, r) => n + r[field], 0);

beforeAll(async () => {
  moto = await startMoto();
  receiver = await SlackReceiver.start();

  // The organization: the management account (moto's default) and 20 members.
  const org = new OrganizationsClient({
    endpoint: moto.endpoint,
    region: MOTO_ENV.AWS_REGION,
    credentials: base(),
  });
  const created = await org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  managementId = created.Organization?.MasterAccountId ?? "";
  for (let n = 1; n <= 20; n++) {
    const { CreateAccountStatus } = await org.send(
      new CreateAccountCommand({ AccountName: `member-${n}`, Email: `member-${n}@example.com` }),
    );
    const status = await org.send(
      new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: CreateAccountStatus?.Id }),
    );
    expect(status.CreateAccountStatus?.State).toBe("SUCCEEDED");
    memberIds.push(status.CreateAccountStatus?.AccountId ?? "");
  }
  governedIds = memberIds.slice(0, 3);
  // The security account that holds the central stack: a member without a governor of its own.
  auditAccount = memberIds[19] ?? "";
  auditCredentials = await credentialsOf(auditAccount);

  // The central table and the org digest's webhook secret, in the audit account.
  const dynamo = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: CENTRAL_REGION,
    credentials: auditCredentials,
    maxAttempts: 1,
    requestHandler: { httpAgent: serialConnection() },
  });
  table = await createOrgStateTable(dynamo, "secrets-governor-org-prod-OrgStateTable");
  store = new DynamoOrgStateStore(dynamo, table);
  doc = DynamoDBDocumentClient.from(dynamo);

  // Each governed account-region: its bus and queue, then its secrets, written with the member's credentials.
  const seededAt = new Date();
  const credentials = await Promise.all(governedIds.map(credentialsOf));
  for (const spec of GOVERNED) {
    const accountId = governedIds[spec.member] ?? "";
    const ar = await setUpAccountRegion(spec, accountId, credentials[spec.member] as Credentials);
    await seed(ar, seededAt);
  }
  // The sweeps run the day after the seeding, as a daily governor would: moto dates a pending deletion from the
  // DeleteSecret call (the call's time plus the window, 7 days at least), and a deletion counts as due in 7 days
  // up to the start of the 7th day.
  now = new Date(Date.now() + DAY);
  for (const ar of regions) ar.inventory = await listBack(ar);

  // Act: every governor sweeps its own account-region; then the aggregator drains the queues.
  for (const ar of regions) await sweep(ar);
  await drain(new Date(now.getTime() + 60_000));
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await moto?.stop();
});

describe("the organization plane on moto: 20 members, 3 governed x 2 regions", () => {
  it("the organization has 20 members, each reached through its own credentials", async () => {
    const org = new OrganizationsClient({
      endpoint: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
      credentials: base(),
    });
    const listed: string[] = [];
    for await (const page of paginateListAccounts({ client: org }, {}))
      listed.push(...(page.Accounts ?? []).map((a) => a.Id ?? ""));
    expect(listed.sort()).toEqual([managementId, ...memberIds].sort());
    expect(new Set(memberIds).size).toBe(20);
    expect(await callerAccount(auditCredentials)).toBe(auditAccount);
    // Each governor's secrets are its own account's and region's.
    for (const ar of regions)
      for (const s of ar.inventory) expect(s.arn).toMatch(`:${ar.spec.region}:${ar.accountId}:secret:`);
  });

  it("every summary, heartbeat and action of the 6 account-regions reaches the central table", async () => {
    const actions = regions.reduce((n, ar) => n + ar.audit.length, 0);
    expect(actions).toBeGreaterThan(0);
    expect(sum("records")).toBe(6 * 2 + actions);
    expect(sum("written")).toBe(6 * 2 + actions);
    expect(sum("refused") + sum("ignored") + sum("failed")).toBe(0);

    const items = await centralItems();
    expect(items.map((i) => `${i.accountId} ${i.region}`).sort()).toEqual(
      regions.map((ar) => `${ar.accountId} ${ar.spec.region}`).sort(),
    );
    for (const ar of regions) {
      const item = itemOf(items, ar);
      expect(item?.heartbeat).toEqual(
        buildHeartbeat({
          accountId: ar.accountId,
          region: ar.spec.region,
          mode: ar.spec.mode,
          time: now,
          sweepIntervalMinutes: ar.spec.sweepIntervalMinutes,
          sweepCompleted: true,
        }),
      );
      // Per secret, the latest action it was audited with: one item per secret the sweep audited.
      const { pk } = secretKey({ accountId: ar.accountId, region: ar.spec.region }, "");
      const { Items = [] } = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "pk = :p",
          ExpressionAttributeValues: { ":p": pk },
        }),
      );
      const audited = new Set(ar.audit.map((a) => a.arn));
      expect(Items.map((i) => i.sk).sort(), `${ar.accountId} ${ar.spec.region}`).toEqual([...audited].sort());
      for (const i of Items)
        expect(ar.audit.filter((a) => a.arn === i.sk).map((a) => orgActionSchema.parse(a))).toContainEqual(
          i.action,
        );
    }
  });

  it.each(
    GOVERNED.map((g, k) => [k, `member ${g.member} ${g.region} (${g.mode})`] as const),
  )("the central summary of %i, %s, is what governor plan gives for its inventory, to the cent", async (k) => {
    const ar = regions[k] as AccountRegion;
    const item = itemOf(await centralItems(), ar);
    // governor plan: the same planner, policy, date and mode over the inventory listed back from moto.
    const plan = planAccount(ar.inventory, POLICY, now, { mode: ar.spec.mode });
    const planned = buildOrgSummary(plan, ar.inventory, ar.accountId, ar.spec.region, now);
    expect(item?.summary).toEqual(planned);
    expect(item?.summary).toMatchObject({ ...ar.spec.expected, accountId: ar.accountId, mode: ar.spec.mode });
    expect(plan.summary).toEqual({
      secrets: ar.spec.expected.secrets,
      unused: ar.spec.expected.unused,
      monthlyCostUsd: ar.spec.expected.monthlyCostUsd,
      unusedMonthlyCostUsd: ar.spec.expected.unusedMonthlyCostUsd,
      realisedMonthlySavingsUsd: ar.spec.expected.realisedMonthlySavingsUsd,
      projectedMonthlySavingsUsd: ar.spec.expected.projectedMonthlySavingsUsd,
    });
  });

  it("each enforce governor carried out its plan in its own account-region on moto; report ones changed nothing", async () => {
    for (const ar of regions) {
      const where = `member ${ar.spec.member} ${ar.spec.region}`;
      const after = await listBack(ar);
      const stages = { flagged: 0, quarantined: 0, "deletion-scheduled": 0 };
      for (const s of after) {
        const stage = s.tags[STAGE_TAG] as Stage | undefined;
        if (stage) stages[stage]++;
      }
      expect(stages, where).toEqual(ar.spec.expected.byStage);
      const facts = (secrets: Secret[]) =>
        secrets.map((s) => ({ arn: s.arn, tags: s.tags, deleted: s.deletedDate }));
      if (ar.spec.mode === "report") expect(facts(after), where).toEqual(facts(ar.inventory));
      else expect(facts(after), where).not.toEqual(facts(ar.inventory));
    }
    const [, , memberOneEu, , memberTwoEu] = regions as [
      AccountRegion,
      AccountRegion,
      AccountRegion,
      AccountRegion,
      AccountRegion,
    ];
    const legacy = (await listBack(memberOneEu)).find((s) => s.name === "web/legacy");
    expect(legacy?.deletedDate).toBeInstanceOf(Date);
    const quarantined = (await listBack(memberTwoEu)).find((s) => s.name === "data/b");
    const policy = await new SecretsManagerStore(memberTwoEu.secrets, NO_PACING).getResourcePolicy(
      quarantined?.arn ?? "",
    );
    expect(policy).toContain('"Deny"');
  });

  describe("the org digest, 3 hours after the sweeps", () => {
    let digest: OrgDigestResult;
    let text: string;
    const a = () => governedIds[0] ?? "";
    const b = () => governedIds[1] ?? "";
    const c = () => governedIds[2] ?? "";

    beforeAll(async () => {
      const secrets = makeSecretsManagerClient({
        region: CENTRAL_REGION,
        endpoint: moto.endpoint,
        credentials: auditCredentials,
        maxAttempts: 1,
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
      digest = await sendOrgDigest({
        store,
        notifier,
        now: new Date(now.getTime() + 3 * HOUR),
        log: quiet,
        table,
      });
      text = JSON.stringify(receiver.accepted);
    });

    it("arrives once, read from one item per account-region", () => {
      expect(digest.itemsRead).toBe(6);
      expect(digest.delivery).toEqual({ sent: 1, failed: [] });
      expect(receiver.accepted).toHaveLength(1);
      expect(receiver.requests.every((r) => r.violations.length === 0)).toBe(true);
    });

    it("has the organization's totals and each account's figures, to the cent", () => {
      const { view } = digest;
      // 24 secrets, 21 of them not pending deletion; 13 unused, 12 of them headed for deletion (one is exempt).
      expect(view.totals).toEqual({
        secrets: 24,
        unused: 13,
        monthlyCostUsd: 8.4,
        unusedMonthlyCostUsd: 5.2,
        realisedMonthlySavingsUsd: 1.2,
        projectedMonthlySavingsUsd: 4.8,
        deletionsDue: 4,
      });
      expect(view.byAccount.map((x) => x.accountId)).toEqual([a(), b(), c()]);
      expect(text).toContain("*Secrets*\\n24 ($8.40/month)");
      expect(text).toContain("*Unused*\\n13 ($5.20/month)");
      expect(text).toContain("*Savings realised this month*\\n$1.20/month");
      expect(text).toContain("*Savings projected*\\n$4.80/month");
      expect(text).toContain("*Deletions due in 7 days*\\n4");
      expect(text).toContain("accounts: 1 report, 1 enforce, 1 mixed\\naccount-regions: 3 report, 3 enforce");
      expect(text).toContain(
        `• \`${a()}\` (2 regions, report): 5 unused, $2.00 of $3.20/month; saved $0.40; 1 due`,
      );
      expect(text).toContain(
        `• \`${b()}\` (2 regions, mixed): 4 unused, $1.60 of $2.80/month; saved $0.40; 2 due`,
      );
      expect(text).toContain(
        `• \`${c()}\` (2 regions, enforce): 4 unused, $1.60 of $2.40/month; saved $0.40; 1 due`,
      );
      expect(text).toContain("• `web`: 5 of 7 unused, $2.00/month, in 3 accounts");
      expect(text).toContain("• `payments`: 3 of 6 unused, $1.20/month, in 3 accounts");
      expect(text).toContain("• `data`: 3 of 6 unused, $1.20/month, in 2 accounts");
      expect(text).toContain("• `api`: 1 of 3 unused, $0.40/month, in 1 account");
      expect(text).toContain("• `ops`: 1 of 1 unused, $0.40/month, in 1 account");
      expect(text).toContain("• `(no team)`: 0 of 1 unused, $0.00/month, in 1 account");
      // The deletions pending since the seeding, on the day Secrets Manager deletes them for good.
      for (const [k, name, owner] of [
        [0, "payments/retired", "payments"],
        [2, "web/gone", "web"],
        [4, "data/retired", "data"],
      ] as const) {
        const ar = regions[k] as AccountRegion;
        const day = ar.inventory
          .find((s) => s.name === name)
          ?.deletedDate?.toISOString()
          .slice(0, 10);
        expect(text).toContain(
          `• ${day} \`${name}\` in \`${ar.accountId}\` \`${ar.spec.region}\`, team \`${owner}\``,
        );
      }
    });

    it("names the one silent governor and leaves out every member without a governor", () => {
      expect(digest.view.silent).toEqual([
        { accountId: c(), region: "us-east-1", lastHeartbeat: now.toISOString(), sweepIntervalMinutes: 60 },
      ]);
      expect(text).toContain("1 silent governor");
      expect(text).toContain(`• \`${c()}\` \`us-east-1\`: last heartbeat 3 h ago (sweeps every 60 min)`);
      expect(digest.view.accounts).toBe(3);
      expect(digest.view.accountRegions).toBe(6);
      const ungoverned = [managementId, ...memberIds.slice(3)];
      expect(ungoverned).toHaveLength(18);
      for (const id of ungoverned) expect(text).not.toContain(id);
      const named = new Set([
        ...digest.view.byAccount.map((x) => x.accountId),
        ...digest.view.silent.map((s) => s.accountId),
        ...digest.view.deletionsDue.map((d) => d.accountId),
      ]);
      expect([...named].sort()).toEqual([...governedIds].sort());
    });
  });
});
