import { describe, expect, it } from "vitest";
import { handleBatch } from "../../src/app/handle-batch.js";
import { defaultPolicy } from "../fixtures/app/fakes.js";
import { complianceRecords, governedState, inconsistencies, smallAccount, wire } from "./harness.js";

const POLICY = { ...defaultPolicy(), mode: "enforce" as const };

describe("concurrent deliveries of the same secrets' events to two handler instances", () => {
  it("end in the state one delivery gives, with no destructive call at all", async () => {
    // Prepare: the same 100 events, delivered once to one account and twice at once to another.
    const once = smallAccount(100, "burst");
    const twice = smallAccount(100, "burst");
    const a = await wire(once.account, once.s);
    const b = await wire(twice.account, twice.s);
    try {
      const records = complianceRecords(once.s);

      // Act
      await handleBatch(records, a.batchDeps(POLICY));
      const results = await Promise.all([
        handleBatch(records, b.batchDeps(POLICY)),
        handleBatch([...records].reverse(), b.batchDeps(POLICY)),
      ]);

      // Assess
      expect(results.map((r) => r.failedIds)).toEqual([[], []]);
      expect(governedState(twice.account)).toEqual(governedState(once.account));
      const stages = Object.values(governedState(once.account)).map(
        (v) => (v as { tags: Record<string, string> }).tags["governor:stage"],
      );
      expect(stages.filter((stage) => stage === "flagged").length).toBeGreaterThan(50);
      expect(inconsistencies(twice.account)).toEqual([]);
      const destructive = twice.account.calls.filter(
        (c) => c.operation === "PutResourcePolicy" || c.operation === "DeleteSecret",
      );
      expect(destructive).toEqual([]);
      // Each flag is at most written twice (both instances saw it unflagged), never more.
      const tags = new Map<string, number>();
      for (const c of twice.account.calls.filter((c) => c.operation === "TagResource"))
        tags.set(c.arn, (tags.get(c.arn) ?? 0) + 1);
      expect(tags.size).toBeGreaterThan(50);
      expect(Math.max(...tags.values())).toBeLessThanOrEqual(2);
      expect(tags.size).toBe(once.account.calls.filter((c) => c.operation === "TagResource").length);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
