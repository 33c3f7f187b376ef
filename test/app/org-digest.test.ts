import { describe, expect, it } from "vitest";
import { MemoryOrgStateStore } from "../../src/adapters/org-state.js";
import { ORG_DIGEST_ROUTE, sendOrgDigest } from "../../src/app/org-digest.js";
import { orgOrder } from "../../src/domain/org-checks.js";
import type { Notifier } from "../../src/ports.js";
import type { RoutedMessage } from "../../src/report/message.js";
import { actionOf, heartbeatOf, summaryOf } from "../helpers/org-events.js";

const silent = { info() {}, warn() {}, error() {} };

function fakeNotifier(fail = false) {
  const sent: RoutedMessage[] = [];
  const notifier: Notifier = {
    send: async () => ({ sent: 0, failed: [] }),
    deliver: async (messages) => {
      sent.push(...messages);
      return fail
        ? {
            sent: 0,
            failed: messages.map((m) => ({
              route: m.route,
              reason: "HTTP 500",
              retryable: true,
              payload: m.message,
            })),
          }
        : { sent: messages.length, failed: [] };
    },
  };
  return { notifier, sent };
}

describe("sendOrgDigest", () => {
  it("reads one item per account-region, however many secrets the table holds, and posts to the org route", async () => {
    const store = new MemoryOrgStateStore();
    for (const region of ["eu-west-1", "us-east-1"]) {
      const key = { accountId: "111111111111", region };
      await store.putSummary(key, summaryOf(key.accountId, region), orgOrder("2026-11-23T06:00:00Z", region));
      await store.putHeartbeat(
        key,
        heartbeatOf(key.accountId, region),
        orgOrder("2026-11-23T06:00:05Z", region),
      );
      for (let i = 0; i < 50; i++) {
        const a = actionOf(key.accountId, region, {
          arn: `arn:aws:secretsmanager:${region}:111111111111:secret:s${i}-AbCdEf`,
        });
        await store.putAction(key, a, orgOrder(a.time, `a${i}`));
      }
    }
    const { notifier, sent } = fakeNotifier();
    const result = await sendOrgDigest({
      store,
      notifier,
      now: new Date("2026-11-23T12:00:00Z"),
      log: silent,
      table: "t",
    });
    expect(result.itemsRead).toBe(2);
    expect(result.view.totals.secrets).toBe(20);
    expect(sent.map((m) => m.route)).toEqual([ORG_DIGEST_ROUTE]);
  });

  it("logs an undelivered digest with the field the metric filter counts", async () => {
    const errors: Record<string, unknown>[] = [];
    const { notifier } = fakeNotifier(true);
    const result = await sendOrgDigest({
      store: new MemoryOrgStateStore(),
      notifier,
      now: new Date(),
      log: { ...silent, error: (_m: string, extra?: Record<string, unknown>) => errors.push(extra ?? {}) },
    });
    expect(result.delivery.failed).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ slackDeliveryFailed: 1 })]);
  });
});
