import { readFileSync } from "node:fs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DynamoAccessFailureCounter,
  MemoryAccessFailureCounter,
  type MemoryWindowItem,
} from "../../src/adapters/access-failure-counter.js";
import { dynamoEventLedger, MemoryCacheClient, memoryEventLedger } from "../../src/adapters/event-ledger.js";
import type { BatchDeps, BatchRecord } from "../../src/app/handle-batch.js";
import type { FindingResult } from "../../src/app/process-findings.js";
import { accessWindowOf, windowIndexOf } from "../../src/domain/access-window.js";
import { parseEvent } from "../../src/domain/events.js";
import type { Finding } from "../../src/domain/finding.js";
import type { AccessFailureCounter, EventLedger } from "../../src/ports.js";
import { defaultPolicy, exampleAccount, NOW, RecordingLog } from "../fixtures/app/fakes.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient, serialConnection } from "../helpers/moto-dynamodb.js";
import { drainOnInstances } from "./harness.js";

/**
 * Access failures across handler instances: the same denied reads fed to three instances interleaved, a tenth
 * delivered twice, instances replaced by cold starts. The counts are shared (the state table, or one memory), so
 * each secret and role crosses the threshold once per window, whichever instance counts which failure, and a
 * quarantine that reads prove in use is released once.
 */

const POLICY = { ...defaultPolicy(), mode: "enforce" as const };
const { windowMinutes, incidentAfter, releaseAfter } = POLICY.accessFailures;
const SECRETS = ["app/active-Ab12Cd", "app/stale-Ef34Gh", "app/never-used-Ij56Kl", "app/new-Mn90Op"];
const ROLES = ["orders-app", "billing"];
const QUARANTINED = "app/quarantined-20d-Uv34Wx";
const READER = "arn:aws:sts::123456789012:assumed-role/reporting-batch/i-0abc123";
/** Failures per secret and role in the first window (an incident), then in the next (below the threshold). */
const IN_FIRST = 5;
const IN_NEXT = 2;

let moto: Moto;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

interface DeniedEvent {
  id: string;
  time: string;
  detail: {
    eventTime: string;
    requestParameters: Record<string, string>;
    userIdentity: { arn: string };
    errorMessage: string;
  };
}

const arnOf = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`;
const template = (file: string) => JSON.parse(readFileSync(file, "utf8")) as DeniedEvent;
const DENIED = template("examples/events/05-getsecretvalue-accessdenied.json");
const BY_QUARANTINE = template("examples/events/03-getsecretvalue-denied-by-quarantine.json");

/** A denied GetSecretValue as CloudTrail sends it, by `principal` on `secretArn` at `at`. */
function deniedEvent(
  id: string,
  secretArn: string,
  principal: string,
  at: string,
  byQuarantine = false,
): DeniedEvent {
  const event = structuredClone(byQuarantine ? BY_QUARANTINE : DENIED);
  const why = byQuarantine
    ? "with an explicit deny in a resource-based policy"
    : "because no identity-based policy allows the secretsmanager:GetSecretValue action";
  event.id = id;
  event.time = at;
  event.detail.eventTime = at;
  event.detail.requestParameters = { secretId: secretArn };
  event.detail.userIdentity.arn = principal;
  event.detail.errorMessage = `User: ${principal} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secretArn} ${why}`;
  return event;
}

const session = (role: string, n: number) => `arn:aws:sts::123456789012:assumed-role/${role}/i-00${n}`;
const at = (minute: number, second = 0) =>
  `2026-11-23T09:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}Z`;

/** The events, in CloudTrail's order: the failures of each secret and role, and four reads of the quarantine. */
function events() {
  const list: DeniedEvent[] = [];
  for (let i = 0; i < IN_FIRST + IN_NEXT; i++) {
    // The first window: 09:01 to 09:05; the next: 09:20 and 09:21.
    const minute = i < IN_FIRST ? 1 + i : 20 + (i - IN_FIRST);
    for (const [s, name] of SECRETS.entries())
      for (const role of ROLES)
        list.push(deniedEvent(`ev-${name}-${role}-${i}`, arnOf(name), session(role, i), at(minute, s)));
  }
  for (let i = 0; i < releaseAfter + 1; i++)
    list.push(deniedEvent(`ev-proof-${i}`, arnOf(QUARANTINED), READER, at(16 + i), true));
  return list;
}

interface Shared {
  ledger(): EventLedger;
  counter(): AccessFailureCounter;
  /** The stored count of a window. */
  count(id: string): Promise<number | undefined>;
}

async function dynamoShared(): Promise<Shared> {
  // One connection for every instance's clients: moto's UpdateItem is atomic only one at a time.
  const connection = serialConnection();
  const client = (): DynamoDBClient => motoDynamoClient(moto.endpoint, connection);
  const name = await createStateTable(client(), `governor-access-${++tables}`);
  const doc = DynamoDBDocumentClient.from(client());
  return {
    ledger: () => dynamoEventLedger(client(), name),
    counter: () => new DynamoAccessFailureCounter(client(), name, windowMinutes, incidentAfter),
    count: async (id) =>
      (await doc.send(new GetCommand({ TableName: name, Key: { id } }))).Item?.count as number | undefined,
  };
}

async function memoryShared(): Promise<Shared> {
  const cache = new MemoryCacheClient();
  const items = new Map<string, MemoryWindowItem>();
  return {
    ledger: () => memoryEventLedger(cache),
    counter: () => new MemoryAccessFailureCounter(windowMinutes, incidentAfter, items),
    count: async (id) => items.get(id)?.count,
  };
}

describe.each([
  ["DynamoDB on moto", dynamoShared],
  ["memory", memoryShared],
])("access failures on three handler instances, duplicates and cold starts (%s)", (_name, shared) => {
  it("crosses the threshold once per secret, role and window, and releases a proven quarantine once", async () => {
    // Prepare: a tenth of the events delivered twice, right behind the original (two instances at once).
    const account = exampleAccount();
    const list = events();
    const deliveries: BatchRecord[] = [];
    for (const [i, event] of list.entries()) {
      deliveries.push({ id: `m-${i}`, body: JSON.stringify(event) });
      if (i % 10 === 3) deliveries.push({ id: `m-dup-${i}`, body: JSON.stringify(event) });
    }
    const store = await shared();
    const results: FindingResult[] = [];
    const instance = (): BatchDeps => ({
      route: "access-failure",
      parse: parseEvent,
      stack: { account: "123456789012", region: "us-east-1" },
      log: new RecordingLog(),
      store: account,
      policy: POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [],
      accessCounter: store.counter(),
      ledger: store.ledger(),
      notify: async (batch) => {
        results.push(...batch);
      },
    });

    // Act: every seventh record handled, the instance that handled it starts cold.
    const receives = await drainOnInstances(deliveries, instance, { coldStartEvery: 7 });

    // Assess: one incident per secret and role, in the first window only, and each failure counted once.
    const incidents = results
      .filter((r) => r.outcome?.outcome === "done")
      .map(
        (r) => `${r.secret?.name} ${r.accessFailures?.principal} ${windowIndexOf(r.finding.observedAt, 15)}`,
      );
    const first = windowIndexOf(new Date(at(1)), 15);
    const expected = SECRETS.flatMap((name) =>
      ROLES.map((role) => `${name.slice(0, -7)} arn:aws:iam::123456789012:role/${role} ${first}`),
    );
    expect(incidents.toSorted()).toEqual(
      [
        ...expected,
        `app/quarantined-20d arn:aws:iam::123456789012:role/reporting-batch ${first + 1}`,
      ].toSorted(),
    );
    expect(results.filter((r) => r.outcome?.decision.action === "release")).toHaveLength(1);
    const policyWrites = account.calls.filter(
      (c) => c.operation === "PutResourcePolicy" && c.arn?.includes("quarantined-20d"),
    );
    expect(policyWrites).toHaveLength(1);
    const counted = async (name: string, role: string, minute: number) => {
      const finding: Finding = {
        type: "access-denied",
        secretId: arnOf(name),
        source: "cloudtrail",
        status: "open",
        observedAt: new Date(at(minute)),
        access: { api: "GetSecretValue", principalArn: session(role, 0) },
      };
      return store.count(accessWindowOf(finding, arnOf(name), windowMinutes).id);
    };
    for (const name of SECRETS)
      for (const role of ROLES) {
        expect(await counted(name, role, 1)).toBe(IN_FIRST);
        expect(await counted(name, role, 20)).toBe(IN_NEXT);
      }
    // The duplicates did reach the instances (some of them while their original was in progress).
    expect(deliveries.filter((d) => d.id.startsWith("m-dup-")).every((d) => receives.has(d.id))).toBe(true);
  });
});
