import { describe, expect, it } from "vitest";
import { runSweep } from "../../src/app/sweep.js";
import { defaultPolicy } from "../fixtures/app/fakes.js";
import { faultsAt } from "../helpers/aws-emulator.js";
import {
  complianceRecords,
  drain,
  governedState,
  inconsistencies,
  NOW,
  smallAccount,
  wire,
} from "./harness.js";

const POLICY = { ...defaultPolicy(), mode: "enforce" as const };
const DAY = 86_400_000;

/** Daily sweeps from `NOW`, as the schedule runs them, and the event burst before the first. */
async function lifecycle(faultRate: number, seed: number) {
  const { s, account } = smallAccount(80);
  const w = await wire(account, s, {
    fault: faultRate > 0 ? faultsAt(faultRate, ["secretsmanager", "config", "events"], seed) : undefined,
  });
  try {
    const dead = await drain(complianceRecords(s), w.batchDeps(POLICY));
    const sweeps: number[] = [];
    for (const day of [0, 14, 31]) {
      const now = new Date(NOW.getTime() + day * DAY);
      // A run with a failed action fails its invocation; the schedule's next attempt does it again.
      let failed = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 3 && failed > 0; attempt++) {
        const result = await runSweep(w.sweepDeps(POLICY, now));
        failed = result.outcomes.filter((o) => o.outcome === "failed").length;
      }
      sweeps.push(failed);
    }
    return { state: governedState(account), dead, sweeps, faults: w.emulator.total("faulted"), account };
  } finally {
    await w.close();
  }
}

describe("throttling and 5xx from Secrets Manager, Config and EventBridge at 10% of calls", () => {
  it("converges to the same final state as a fault-free run, losing no event", async () => {
    // Prepare / Act
    const clean = await lifecycle(0, 0);
    const faulty = await lifecycle(0.1, 42);

    // Assess
    expect(faulty.faults).toBeGreaterThan(5);
    expect(faulty.dead).toEqual([]);
    expect(faulty.sweeps).toEqual([0, 0, 0]);
    expect(faulty.state).toEqual(clean.state);
    expect(inconsistencies(faulty.account)).toEqual([]);
    // The lifecycle really ran to its end: flagged on day 0, quarantined on day 14, deleted on day 31.
    const stages = Object.values(clean.state).map(
      (v) => (v as { tags: Record<string, string> }).tags["governor:stage"],
    );
    expect(stages.filter((stage) => stage === "deletion-scheduled").length).toBeGreaterThan(3);
  }, 120_000);
});
