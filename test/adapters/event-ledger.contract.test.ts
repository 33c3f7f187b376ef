import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoEventLedger, MemoryCacheClient, memoryEventLedger } from "../../src/adapters/event-ledger.js";
import { AdapterError } from "../../src/errors.js";
import type { EventLedger } from "../../src/ports.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient } from "../helpers/moto-dynamodb.js";

/**
 * The event ledger's semantics, the same for the in-memory one (CLI, demo, tests) and the DynamoDB one on
 * moto_server with the real SDK client: two "instances" are two ledgers over one store.
 */

let moto: Moto;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

/** A fresh table shaped as serverless.yml creates it: partition key `id`, TTL on `expiration`. */
async function table(): Promise<{ client: DynamoDBClient; name: string }> {
  const client = motoDynamoClient(moto.endpoint);
  return { client, name: await createStateTable(client, `governor-state-${++tables}`) };
}

const IMPLEMENTATIONS: [string, () => Promise<[EventLedger, EventLedger]>][] = [
  [
    "memory",
    async () => {
      const shared = new MemoryCacheClient();
      return [memoryEventLedger(shared), memoryEventLedger(shared)];
    },
  ],
  [
    "DynamoDB on moto",
    async () => {
      const { client, name } = await table();
      return [dynamoEventLedger(client, name), dynamoEventLedger(client, name)];
    },
  ],
];

const EVENT = {
  route: "config-compliance",
  eventId: "c3b590f2-f209-5dbe-ac5e-52453914e2eb",
  content: "[...]",
};

describe.each(IMPLEMENTATIONS)("event ledger (%s)", (_name, make) => {
  it("claims a new event once: the other instance sees it busy, then done once completed", async () => {
    const [a, b] = await make();
    expect(await a.claim(EVENT, 60_000)).toBe("claimed");
    expect(await b.claim(EVENT, 60_000)).toBe("busy");
    await a.complete(EVENT);
    expect(await b.claim(EVENT, 60_000)).toBe("done");
    expect(await a.claim(EVENT, 60_000)).toBe("done");
  });

  it("keys on the route and the event id", async () => {
    const [a] = await make();
    expect(await a.claim(EVENT, 60_000)).toBe("claimed");
    expect(await a.claim({ ...EVENT, route: "access-failure" }, 60_000)).toBe("claimed");
    expect(await a.claim({ ...EVENT, eventId: "another" }, 60_000)).toBe("claimed");
  });

  it("calls a completed id with other content a conflict, never a duplicate", async () => {
    const [a, b] = await make();
    await a.claim(EVENT, 60_000);
    await a.complete(EVENT);
    expect(await b.claim({ ...EVENT, content: "[forged]" }, 60_000)).toBe("conflict");
  });

  it("lets the retry of a released event run", async () => {
    const [a, b] = await make();
    await a.claim(EVENT, 60_000);
    await a.release(EVENT);
    expect(await b.claim(EVENT, 60_000)).toBe("claimed");
  });

  it("lets another instance claim an event whose claim a crashed invocation left, once it expired", async () => {
    const [crashed, retry] = await make();
    expect(await crashed.claim(EVENT, 50)).toBe("claimed");
    await new Promise((r) => setTimeout(r, 120));
    expect(await retry.claim(EVENT, 60_000)).toBe("claimed");
    expect(await crashed.claim(EVENT, 60_000)).toBe("busy");
  });
});

describe("event ledger on an unreachable table", () => {
  it("throws a retryable AdapterError, so the event is retried", async () => {
    const ledger = dynamoEventLedger(motoDynamoClient("http://127.0.0.1:9"), "governor-state");
    const error = await ledger.claim(EVENT, 60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).retryable).toBe(true);
  });

  it("throws a retryable AdapterError for a table that does not exist (a broken deployment is retried, not dropped)", async () => {
    const ledger = dynamoEventLedger(motoDynamoClient(moto.endpoint), "no-such-table");
    const error = await ledger.claim(EVENT, 60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).retryable).toBe(true);
  });
});
