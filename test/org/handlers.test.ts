import { describe, expect, it } from "vitest";
import { makeHandler as makeAggregate } from "../../org/handlers/aggregate.js";
import { makeHandler as makeDigest } from "../../org/handlers/digest.js";
import { MemoryOrgStateStore } from "../../src/adapters/org-state.js";
import { AdapterError } from "../../src/errors.js";
import type { Notifier, OrgStateStore } from "../../src/ports.js";
import { heartbeatEvent, heartbeatOf, summaryEvent, summaryOf } from "../helpers/org-events.js";

const log = { info() {}, warn() {}, error() {} };
const A = "111111111111";

describe("org/handlers/aggregate", () => {
  it("answers SQS with the records to retry only, and the counts", async () => {
    const memory = new MemoryOrgStateStore();
    const store: OrgStateStore = {
      accountRegions: () => memory.accountRegions(),
      putAction: (k, a, o) => memory.putAction(k, a, o),
      putSummary: (k, s, o) => memory.putSummary(k, s, o),
      putHeartbeat: async () => {
        throw new AdapterError("throttled", "UpdateItem", true);
      },
    };
    const handler = makeAggregate((now) => ({ store, log, now }));
    const Records = [
      {
        messageId: "ok",
        body: JSON.stringify(summaryEvent(summaryOf(A, "eu-west-1", { sweptAt: new Date().toISOString() }))),
      },
      {
        messageId: "retry",
        body: JSON.stringify(heartbeatEvent(heartbeatOf(A, "eu-west-1", { time: new Date().toISOString() }))),
      },
      {
        messageId: "forged",
        body: JSON.stringify(summaryEvent(summaryOf("222222222222", "eu-west-1"), { account: A })),
      },
    ];
    const out = await handler({ Records });
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "retry" }]);
    expect(out.counts).toMatchObject({
      records: 3,
      written: 1,
      refused: 1,
      failed: 1,
      byReason: { "account-mismatch": 1 },
    });
  });
});

describe("org/handlers/digest", () => {
  const notifier = (ok: boolean): Notifier => ({
    send: async () => ({ sent: 0, failed: [] }),
    deliver: async (messages) =>
      ok
        ? { sent: messages.length, failed: [] }
        : {
            sent: 0,
            failed: messages.map((m) => ({
              route: m.route,
              reason: "HTTP 500",
              retryable: true,
              payload: m.message,
            })),
          },
  });

  it("returns what it read and sent", async () => {
    const handler = makeDigest((now) => ({
      store: new MemoryOrgStateStore(),
      notifier: notifier(true),
      log,
      now,
    }));
    expect(await handler()).toEqual({ itemsRead: 0, accounts: 0, silent: 0, sent: 1 });
  });

  it("fails the invocation when the digest was not delivered", async () => {
    const handler = makeDigest((now) => ({
      store: new MemoryOrgStateStore(),
      notifier: notifier(false),
      log,
      now,
    }));
    await expect(handler()).rejects.toThrow(/not delivered: HTTP 500/);
  });
});
