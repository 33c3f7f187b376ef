import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountOf, complianceChangeEvent, scenario } from "../../bench/scenario.js";
import { MemoryAccessFailureCounter } from "../../src/adapters/access-failure-counter.js";
import { dynamoEventLedger, MemoryCacheClient, memoryEventLedger } from "../../src/adapters/event-ledger.js";
import { worthReporting } from "../../src/app/execute.js";
import type { BatchDeps } from "../../src/app/handle-batch.js";
import { parseEvent } from "../../src/domain/events.js";
import type { EventLedger } from "../../src/ports.js";
import { defaultPolicy, RecordingLog } from "../fixtures/app/fakes.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable } from "../helpers/moto-dynamodb.js";
import { drainOnInstances } from "./harness.js";

/**
 * Several handler instances (separate runtimes, each with its own memory) share the account and the state store,
 * as Lambda runs them: the same burst of events is fed to them interleaved, a tenth of it delivered twice, some
 * instances replaced mid-way (a cold start: a new runtime with empty memory). Each event is acted on and reported
 * exactly once, whichever instance gets which delivery.
 */

const NOW = new Date("2026-11-23T00:00:00Z");
const POLICY = { ...defaultPolicy(), mode: "enforce" as const };
let moto: Moto;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

async function dynamoLedgers(): Promise<() => EventLedger> {
  const client = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: MOTO_ENV.AWS_REGION,
    credentials: { accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY },
  });
  const name = await createStateTable(client, `governor-instances-${++tables}`);
  return () => dynamoEventLedger(client, name);
}

async function memoryLedgers(): Promise<() => EventLedger> {
  const shared = new MemoryCacheClient();
  return () => memoryEventLedger(shared);
}

describe.each([
  ["DynamoDB on moto", dynamoLedgers],
  ["memory", memoryLedgers],
])("three handler instances, duplicates and cold starts (%s)", (_name, ledgers) => {
  it("acts on and reports each event exactly once", async () => {
    // Prepare: 60 Config changes; a tenth delivered twice, to another instance, some after a cold start.
    const s = scenario(60, NOW, "burst");
    const account = accountOf(s, NOW);
    const events = s.secrets.map((secret, i) =>
      JSON.stringify(complianceChangeEvent(secret, s.compliance[i] ?? "COMPLIANT", `event-${i}`, NOW)),
    );
    // A duplicate right behind its original: two instances get the same event at the same time.
    const deliveries: { id: string; body: string }[] = [];
    for (const [i, body] of events.entries()) {
      deliveries.push({ id: `m-${i}`, body });
      if (i % 10 === 3) deliveries.push({ id: `m-dup-${i}`, body });
    }
    const newLedger = await ledgers();
    const reported: string[] = [];
    const instance = (): BatchDeps => ({
      route: "config-compliance",
      parse: parseEvent,
      stack: { account: "123456789012", region: "us-east-1" },
      log: new RecordingLog(),
      store: account,
      policy: POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [],
      accessCounter: new MemoryAccessFailureCounter(15, 3),
      ledger: newLedger(),
      notify: async (results) => {
        for (const r of results)
          if (r.decision && worthReporting(r.decision, r.outcome?.outcome)) reported.push(r.decision.arn);
      },
    });

    // Act: three instances drain the queue at once, a record at a time; every tenth record handled, the
    // instance that handled it is replaced (a cold start). A record that failed (busy elsewhere) comes back.
    await drainOnInstances(deliveries, instance);

    // Assess: one tag write per secret that needed one, one report per event worth one.
    const writes = account.calls.filter(
      (c) => c.operation === "TagResource" || c.operation === "UntagResource",
    );
    expect(new Set(writes.map((c) => c.arn)).size).toBe(writes.length);
    expect(writes.length).toBeGreaterThan(30);
    expect(new Set(reported).size).toBe(reported.length);
    expect(reported.length).toBe(writes.length);
  });
});
