import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountOf, complianceChangeEvent, scenario } from "../../bench/scenario.js";
import { dynamoEventLedger, MemoryCacheClient, memoryEventLedger } from "../../src/adapters/event-ledger.js";
import type { LocalAccount } from "../../src/adapters/local-account.js";
import { worthReporting } from "../../src/app/execute.js";
import { type BatchDeps, handleBatch, STATE_STORE_UNAVAILABLE } from "../../src/app/handle-batch.js";
import { parseEvent } from "../../src/domain/events.js";
import type { EventLedger, SecretStore } from "../../src/ports.js";
import { defaultPolicy, RecordingLog } from "../fixtures/app/fakes.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient } from "../helpers/moto-dynamodb.js";

/**
 * The state store under failure: a handler killed between claiming an event and completing it (the retry, on
 * another instance once the claim has expired, converges: the same writes as a clean run, never twice, never two
 * messages), and the table throttling (the record fails, nothing is written, the redelivery acts once). Against
 * the DynamoDB ledger on moto_server and the in-memory one.
 */

const NOW = new Date("2026-11-23T00:00:00Z");
const POLICY = { ...defaultPolicy(), mode: "enforce" as const };
/** How long a claim holds in these tests: the retry comes after it. */
const HOLD_MS = 30;
const WRITE_OPERATIONS = new Set([
  "TagResource",
  "UntagResource",
  "PutResourcePolicy",
  "DeleteResourcePolicy",
  "DeleteSecret",
  "RestoreSecret",
]);

let moto: Moto;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

/** A ledger factory over one store, and a switch that makes the store throttle every call while it is on. */
interface Store {
  ledger(): EventLedger;
  throttle(on: boolean): void;
}

async function dynamoStore(): Promise<Store> {
  const client = motoDynamoClient(moto.endpoint);
  const name = await createStateTable(client, `governor-faults-${++tables}`);
  let throttled = false;
  // The real client, wrapped: while throttled every call fails as DynamoDB fails it (after the SDK's retries).
  const send = client.send.bind(client);
  client.send = (async (command: unknown) => {
    if (throttled) {
      const error = Object.assign(new Error("Rate of requests exceeds the allowed throughput."), {
        name: "ThrottlingException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
      throw error;
    }
    return send(command as never);
  }) as typeof client.send;
  return {
    ledger: () => dynamoEventLedger(client, name),
    throttle: (on) => {
      throttled = on;
    },
  };
}

async function memoryStore(): Promise<Store> {
  const shared = new MemoryCacheClient();
  let throttled = false;
  const failing = new Proxy(shared, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (throttled) return Promise.reject(new Error("the cache is throttling"));
        return value.apply(target, args);
      };
    },
  });
  return {
    ledger: () => memoryEventLedger(failing),
    throttle: (on) => {
      throttled = on;
    },
  };
}

class KilledError extends Error {}

/** Where the first instance dies: after claiming, after its first write to the account, after its Slack notice. */
type KillPoint = "claim" | "write" | "notify";

/** An object whose every method fails once `isDead()` says so; `after` is called after each successful call. */
function mortal<T extends object>(target: T, isDead: () => boolean, after: (method: string) => void): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        if (isDead()) throw new KilledError("the instance was killed");
        const result = await value.apply(object, args);
        after(String(property));
        return result;
      };
    },
  });
}

interface Run {
  account: LocalAccount;
  deliveries: { id: string; body: string }[];
  reported: string[];
  log: RecordingLog;
}

function setUp(): Run {
  const s = scenario(20, NOW, "burst");
  const account = accountOf(s, NOW);
  const deliveries = s.secrets.map((secret, i) => ({
    id: `m-${i}`,
    body: JSON.stringify(complianceChangeEvent(secret, s.compliance[i] ?? "COMPLIANT", `event-${i}`, NOW)),
  }));
  return { account, deliveries, reported: [], log: new RecordingLog() };
}

function depsOf(run: Run, store: SecretStore, ledger: EventLedger, notifyDone?: () => void): BatchDeps {
  return {
    route: "config-compliance",
    parse: parseEvent,
    stack: { account: "123456789012", region: "us-east-1" },
    log: run.log,
    store,
    policy: POLICY,
    mode: "enforce",
    now: NOW,
    exemptPrincipals: [],
    ledger,
    holdMs: HOLD_MS,
    notify: async (results) => {
      for (const r of results)
        if (r.decision && worthReporting(r.decision, r.outcome?.outcome)) run.reported.push(r.decision.arn);
      notifyDone?.();
    },
  };
}

function writesOf(account: LocalAccount): string[] {
  return account.calls.filter((c) => WRITE_OPERATIONS.has(c.operation)).map((c) => `${c.operation} ${c.arn}`);
}

/** Every delivery handled once by a healthy instance: what a run without faults writes and reports. */
async function cleanRun(store: Store): Promise<Run> {
  const run = setUp();
  const deps = depsOf(run, run.account, store.ledger());
  for (const delivery of run.deliveries) await handleBatch([delivery], deps);
  return run;
}

describe.each([
  ["DynamoDB on moto", dynamoStore],
  ["memory", memoryStore],
])("the state store under failure (%s)", (_name, makeStore) => {
  it.each<KillPoint>([
    "claim",
    "write",
    "notify",
  ])("an instance killed after %s: the retry on another instance converges, nothing twice", async (point) => {
    // Prepare: the reference run, and a run whose first instance dies on the first event that writes.
    const reference = await cleanRun(await makeStore());
    const store = await makeStore();
    const run = setUp();
    let dead = false;
    let armed = false;
    const kill = (method: string) => {
      if (!armed) return;
      if (point === "claim" && method === "claim") dead = true;
      if (point === "write" && ["tag", "untag", "putResourcePolicy"].includes(method)) dead = true;
    };
    const victim = depsOf(
      run,
      mortal(run.account as SecretStore, () => dead, kill),
      mortal(store.ledger(), () => dead, kill),
      () => {
        if (armed && point === "notify") dead = true;
      },
    );
    const target = reference.deliveries.findIndex((d, i) => {
      const arn = JSON.parse(d.body).detail.resourceId as string;
      return writesOf(reference.account).some((w) => w.endsWith(arn)) && i > 0;
    });
    expect(target).toBeGreaterThan(0);
    const survivor = depsOf(run, run.account, store.ledger());

    // Act: the victim handles the events before the target, then dies inside the target's handling; SQS
    // redelivers the target after its visibility timeout, to another instance, once the claim has expired.
    for (const delivery of run.deliveries.slice(0, target)) await handleBatch([delivery], victim);
    armed = true;
    await handleBatch([run.deliveries[target] as { id: string; body: string }], victim).catch((error) => {
      if (!(error instanceof KilledError)) throw error;
    });
    expect(dead).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS * 3));
    for (const delivery of run.deliveries.slice(target)) {
      const result = await handleBatch([delivery], survivor);
      expect(result.failedIds).toEqual([]);
    }
    // A late duplicate of the target, after all that: skipped.
    const late = await handleBatch(
      [{ ...(run.deliveries[target] as { id: string; body: string }), id: "late" }],
      survivor,
    );

    // Assess: the same writes as the clean run, each once; the same secrets in the same state.
    expect(late.results).toEqual([]);
    expect(writesOf(run.account).sort()).toEqual(writesOf(reference.account).sort());
    for await (const page of reference.account.list())
      for (const secret of page)
        expect((await run.account.describe(secret.arn))?.tags, secret.name).toEqual(secret.tags);
    // Never two messages for one event. A kill between a write and the notice can lose that one notice (when the
    // retry finds nothing left to do); every other kill point reports it exactly once.
    expect(new Set(run.reported).size).toBe(run.reported.length);
    expect(reference.reported).toEqual(expect.arrayContaining(run.reported));
    if (point === "write") expect(reference.reported.length - run.reported.length).toBeLessThanOrEqual(1);
    else expect(run.reported.sort()).toEqual(reference.reported.sort());
  });

  it("a throttled table fails the records, writes nothing and loses nothing: the redelivery acts once", async () => {
    // Prepare
    const reference = await cleanRun(await makeStore());
    const store = await makeStore();
    const run = setUp();
    const deps = depsOf(run, run.account, store.ledger());

    // Act: the whole burst arrives while the table throttles, then again (SQS redelivery) once it recovers.
    store.throttle(true);
    const throttled = await handleBatch(run.deliveries, deps);
    store.throttle(false);
    const retried = await handleBatch(run.deliveries, deps);
    const again = await handleBatch(run.deliveries, deps);

    // Assess
    expect(throttled.failedIds.sort()).toEqual(run.deliveries.map((d) => d.id).sort());
    expect(throttled.results).toEqual([]);
    expect(run.log.lines.filter((e) => e.message === STATE_STORE_UNAVAILABLE)).toHaveLength(
      run.deliveries.length,
    );
    expect(run.log.lines.find((e) => e.message === STATE_STORE_UNAVAILABLE)?.extra).toMatchObject({
      stateStoreUnavailable: 1,
    });
    expect(retried.failedIds).toEqual([]);
    expect(again.results).toEqual([]);
    expect(writesOf(run.account).sort()).toEqual(writesOf(reference.account).sort());
    expect(run.reported.sort()).toEqual(reference.reported.sort());
  });
});
