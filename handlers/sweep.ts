import { getRuntime } from "../src/adapters/runtime.js";
import { runSweep, type SweepDeps } from "../src/app/sweep.js";

/** Lambda entry for the daily sweep (a schedule). Tests call makeHandler with fakes. */
export function makeHandler(deps: (now: Date) => SweepDeps) {
  return async () => {
    const result = await runSweep(deps(new Date()));
    const failed = result.outcomes.filter((o) => o.outcome === "failed");
    const summary = {
      secrets: result.plan.summary.secrets,
      decisions: result.outcomes.length,
      done: result.outcomes.filter((o) => o.outcome === "done").length,
      failed: failed.length,
      limitWithheld: result.plan.limit.withheld,
      complianceUnavailable: result.complianceUnavailable ?? null,
      cost: result.plan.summary,
    };
    // A failed action fails the invocation: the schedule's retry and alarm make it visible.
    if (failed.length > 0) throw new Error(`sweep: ${failed.length} actions failed: ${failed.map((f) => `${f.decision.name}: ${f.detail}`).join("; ")}`);
    return summary;
  };
}

export const handler = makeHandler((now) => getRuntime().sweepDeps(now));
