import { describe, expect, it } from "vitest";
import { MemoryOrgStateStore } from "../../src/adapters/org-state.js";
import { aggregateOrgBatch, ORG_BATCH_SUMMARY, ORG_EVENT_REFUSED } from "../../src/app/org-aggregate.js";
import type { OrgAccountRegion } from "../../src/domain/org-view.js";
import { AdapterError } from "../../src/errors.js";
import type { OrgStateStore } from "../../src/ports.js";
import {
  actionEvent,
  actionOf,
  heartbeatEvent,
  heartbeatOf,
  summaryEvent,
  summaryOf,
} from "../helpers/org-events.js";

const A = "111111111111";
const B = "222222222222";
const now = new Date("2026-11-23T07:00:00Z");

function recordingLog() {
  const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      lines.push({ level, message, extra: Object.assign({}, ...extra) });
  return { lines, info: at("info"), warn: at("warn"), error: at("error") };
}

const records = (events: unknown[]) => events.map((e, i) => ({ id: `m${i}`, body: JSON.stringify(e) }));

async function all(store: OrgStateStore): Promise<OrgAccountRegion[]> {
  const out: OrgAccountRegion[] = [];
  for await (const page of store.accountRegions()) out.push(...page);
  return out;
}

describe("aggregateOrgBatch", () => {
  it("writes summaries, heartbeats and actions, and logs one summary line", async () => {
    const store = new MemoryOrgStateStore();
    const log = recordingLog();
    const action = actionOf(A, "eu-west-1");
    const result = await aggregateOrgBatch(
      records([
        summaryEvent(summaryOf(A, "eu-west-1")),
        heartbeatEvent(heartbeatOf(A, "eu-west-1")),
        actionEvent(action, A, "eu-west-1"),
      ]),
      { store, now, log },
    );
    expect(result).toMatchObject({
      records: 3,
      written: 3,
      refused: 0,
      ignored: 0,
      failed: 0,
      failedIds: [],
    });
    expect((await all(store)).map((i) => [i.accountId, !!i.summary, !!i.heartbeat])).toEqual([
      [A, true, true],
    ]);
    expect(store.action({ accountId: A, region: "eu-west-1" }, action.arn)?.outcome).toBe("done");
    expect(log.lines.filter((l) => l.message === ORG_BATCH_SUMMARY)).toEqual([
      expect.objectContaining({ extra: expect.objectContaining({ records: 3, written: 3, refused: 0 }) }),
    ]);
  });

  it("changes nothing for forged or bad events, and counts each by reason", async () => {
    const store = new MemoryOrgStateStore();
    const genuine = summaryOf(B, "eu-west-1", { secrets: 7 });
    await aggregateOrgBatch(records([summaryEvent(genuine)]), { store, now, log: recordingLog() });
    const before = structuredClone(await all(store));
    const log = recordingLog();
    const result = await aggregateOrgBatch(
      records([
        // Account A's governor (envelope A) writing B's summary, heartbeat and secret.
        summaryEvent(summaryOf(B, "eu-west-1", { secrets: 0 }), { account: A }),
        heartbeatEvent(heartbeatOf(B, "eu-west-1"), { account: A }),
        actionEvent(actionOf(B, "eu-west-1"), A, "eu-west-1"),
        summaryEvent(summaryOf(B, "eu-west-1"), { source: "not-the-governor" }),
        summaryEvent(summaryOf(B, "eu-west-1"), { detail: { schema: 1 } }),
        // B's own summary, replayed from a day before.
        summaryEvent(summaryOf(B, "eu-west-1", { sweptAt: "2026-11-22T06:00:00.000Z", secrets: 1 })),
      ]).concat([{ id: "big", body: `{"pad":"${"x".repeat(300_000)}"}` }]),
      { store, now, log },
    );
    expect(result).toMatchObject({
      records: 7,
      written: 0,
      refused: 6,
      ignored: 1,
      failedIds: [],
      byReason: { "account-mismatch": 3, "unknown-source": 1, schema: 1, oversized: 1, stale: 1 },
    });
    expect(await all(store)).toEqual(before);
    expect(log.lines.filter((l) => l.message === ORG_EVENT_REFUSED)).toHaveLength(6);
    expect(log.lines.find((l) => l.message === ORG_EVENT_REFUSED)?.extra).toMatchObject({
      reason: "account-mismatch",
      accountId: A,
      messageId: "m0",
    });
  });

  it("retries only the records whose write failed", async () => {
    const memory = new MemoryOrgStateStore();
    const flaky: OrgStateStore = {
      ...memory,
      accountRegions: () => memory.accountRegions(),
      putAction: (k, a, o) => memory.putAction(k, a, o),
      putHeartbeat: (k, h, o) => memory.putHeartbeat(k, h, o),
      putSummary: async () => {
        throw new AdapterError("throttled", "UpdateItem", true);
      },
    };
    const log = recordingLog();
    const result = await aggregateOrgBatch(
      records([summaryEvent(summaryOf(A, "eu-west-1")), heartbeatEvent(heartbeatOf(A, "eu-west-1"))]),
      { store: flaky, now, log },
    );
    expect(result).toMatchObject({ failedIds: ["m0"], failed: 1, written: 1 });
    expect(log.lines.find((l) => l.level === "error")?.extra).toMatchObject({ stateStoreUnavailable: 1 });
  });
});
