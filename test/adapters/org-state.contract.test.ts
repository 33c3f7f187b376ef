import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrgStateStore, MemoryOrgStateStore } from "../../src/adapters/org-state.js";
import { orgOrder } from "../../src/domain/org-checks.js";
import type { OrgAccountRegion } from "../../src/domain/org-view.js";
import { AdapterError } from "../../src/errors.js";
import type { OrgStateStore } from "../../src/ports.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import { motoDynamoClient } from "../helpers/moto-dynamodb.js";
import { actionOf, heartbeatOf, summaryOf } from "../helpers/org-events.js";
import { createOrgStateTable } from "../helpers/org-table.js";

/** One contract, two stores: the central table on DynamoDB (moto_server, the real SDK client) and in memory. */

const A = { accountId: "111111111111", region: "eu-west-1" };
const B = { accountId: "222222222222", region: "eu-west-1" };

let moto: Moto;
let tables = 0;
beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(async () => {
  await moto?.stop();
});

async function all(store: OrgStateStore): Promise<OrgAccountRegion[]> {
  const out: OrgAccountRegion[] = [];
  for await (const page of store.accountRegions()) out.push(...page);
  return out;
}

const stores: [string, () => Promise<OrgStateStore>][] = [
  ["memory", async () => new MemoryOrgStateStore()],
  [
    "DynamoDB (moto)",
    async () => {
      const client = motoDynamoClient(moto.endpoint);
      return new DynamoOrgStateStore(client, await createOrgStateTable(client, `org-${++tables}`));
    },
  ],
];

describe.each(stores)("OrgStateStore contract: %s", (_, make) => {
  it("keeps the latest summary and the last heartbeat of an account-region in one item", async () => {
    const store = await make();
    const summary = summaryOf(A.accountId, A.region);
    const heartbeat = heartbeatOf(A.accountId, A.region);
    expect(await store.putSummary(A, summary, orgOrder(summary.sweptAt, "e1"))).toBe("written");
    expect(await store.putHeartbeat(A, heartbeat, orgOrder(heartbeat.time, "e2"))).toBe("written");
    expect(await all(store)).toEqual([{ ...A, summary, heartbeat }]);
  });

  it("leaves an item holding a later (or the same) event as it is", async () => {
    const store = await make();
    const newer = summaryOf(A.accountId, A.region, { sweptAt: "2026-11-23T06:00:00.000Z", secrets: 20 });
    const older = summaryOf(A.accountId, A.region, { sweptAt: "2026-11-22T06:00:00.000Z", secrets: 5 });
    expect(await store.putSummary(A, newer, orgOrder(newer.sweptAt, "new"))).toBe("written");
    expect(await store.putSummary(A, older, orgOrder(older.sweptAt, "old"))).toBe("stale");
    expect(await store.putSummary(A, newer, orgOrder(newer.sweptAt, "new"))).toBe("stale");
    const [item] = await all(store);
    expect(item?.summary?.secrets).toBe(20);
    // A newer summary does not touch the heartbeat's order: an older heartbeat still lands.
    expect(
      await store.putHeartbeat(
        A,
        heartbeatOf(A.accountId, A.region, { time: "2026-11-01T00:00:00Z" }),
        orgOrder("2026-11-01T00:00:00Z", "h"),
      ),
    ).toBe("written");
  });

  it("keeps account-regions apart, and reads no secret's item", async () => {
    const store = await make();
    await store.putSummary(A, summaryOf(A.accountId, A.region), orgOrder("2026-11-23T06:00:00Z", "a"));
    await store.putSummary(
      B,
      summaryOf(B.accountId, B.region, { secrets: 99 }),
      orgOrder("2026-11-23T06:00:00Z", "b"),
    );
    for (let i = 0; i < 5; i++) {
      const action = actionOf(A.accountId, A.region, {
        arn: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:s${i}-AbCdEf`,
        name: `s${i}`,
      });
      expect(await store.putAction(A, action, orgOrder(action.time, `x${i}`))).toBe("written");
    }
    const items = await all(store);
    expect(items.map((i) => [i.accountId, i.summary?.secrets])).toEqual([
      [A.accountId, 10],
      [B.accountId, 99],
    ]);
  });

  it("keeps the latest action per secret", async () => {
    const store = await make();
    const first = actionOf(A.accountId, A.region, { time: "2026-11-23T06:00:00Z", action: "tag" });
    const second = actionOf(A.accountId, A.region, { time: "2026-11-23T06:00:02Z", action: "quarantine" });
    expect(await store.putAction(A, second, orgOrder(second.time, "2"))).toBe("written");
    expect(await store.putAction(A, first, orgOrder(first.time, "1"))).toBe("stale");
    if (store instanceof MemoryOrgStateStore) expect(store.action(A, second.arn)?.action).toBe("quarantine");
  });

  it("reads every account-region once, one item each (paged in memory by 100)", async () => {
    const store = await make();
    for (let i = 0; i < 200; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => {
          const key = { accountId: String(100000000000 + i + j), region: "eu-west-1" };
          const s = summaryOf(key.accountId, key.region, {
            byTeam: Array.from({ length: 20 }, (_, t) => ({
              team: `team-${t}-${"x".repeat(40)}`,
              secrets: 1,
              unused: 0,
              unusedMonthlyCostUsd: 0,
            })),
          });
          return store.putSummary(key, s, orgOrder(s.sweptAt, `e${i + j}`));
        }),
      );
    const items = await all(store);
    expect(items).toHaveLength(200);
    expect(new Set(items.map((i) => i.accountId)).size).toBe(200);
  }, 120_000);
});

describe("DynamoOrgStateStore", () => {
  it("stores per-secret items under the account-region of the key it is given, never read by the digest", async () => {
    const client = motoDynamoClient(moto.endpoint);
    const table = await createOrgStateTable(client, `org-${++tables}`);
    const store = new DynamoOrgStateStore(client, table);
    const action = actionOf(A.accountId, A.region);
    await store.putAction(A, action, orgOrder(action.time, "1"));
    const { Items } = await client.send(new ScanCommand({ TableName: table }));
    expect(Items?.map((i) => [i.pk?.S, i.sk?.S])).toEqual([
      [`SECRET#${A.accountId}#${A.region}`, action.arn],
    ]);
    expect(await all(store)).toEqual([]);
  });

  it("fails retryable when the table does not answer", async () => {
    const client = motoDynamoClient("http://127.0.0.1:9");
    const store = new DynamoOrgStateStore(client, "missing");
    const error = await store.putSummary(A, summaryOf(A.accountId, A.region), "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).retryable).toBe(true);
  });
});
