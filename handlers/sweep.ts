import { deadlineOf, type LambdaContext } from "../src/app/lambda-events.js";
import { type NotifyDeps, notifySweep } from "../src/app/notify.js";
import type { SweepDeps } from "../src/app/sweep.js";
import { type OrgReportDeps, runSweepWithOrgReport } from "../src/app/sweep-org-report.js";
import { getRuntime } from "../src/composition/runtime.js";
import { orgReportDeps, sweepDeps } from "../src/composition/sweep-runtime.js";

/** Lambda entry for the daily sweep (a schedule). Tests call makeHandler with fakes. */
export function makeHandler(
  deps: (now: Date, deadline?: number) => { sweep: SweepDeps; notify: NotifyDeps; org?: OrgReportDeps },
) {
  return async (_event?: unknown, context?: LambdaContext) => {
    const { sweep, notify, org } = deps(new Date(), deadlineOf(context));
    const remaining = context?.getRemainingTimeInMillis;
    // With an OrgBusArn, a summary and a heartbeat follow the sweep (the heartbeat even when it throws).
    const result = await runSweepWithOrgReport(
      remaining ? { ...sweep, remainingMs: () => remaining.call(context) } : sweep,
      org,
    );
    const { failedDeliveries, keptAlertsRejected } = await notifySweep(result, notify);
    const failed = result.outcomes.filter((o) => o.outcome === "failed");
    if (failed.length > 0)
      // A failed action fails the invocation: the errors alarm shows it; the next daily run does it again.
      throw new Error(
        `sweep: ${failed.length} actions failed: ${failed.map((f) => `${f.decision.name}: ${f.detail}`).join("; ")}`,
      );
    return {
      secrets: result.plan.summary.secrets,
      decisions: result.outcomes.length,
      done: result.outcomes.filter((o) => o.outcome === "done").length,
      limitWithheld: result.plan.limit.withheld,
      complianceUnavailable: result.complianceUnavailable ?? null,
      failedDeliveries,
      keptAlertsRejected,
      securityHub: result.securityHub ?? null,
      cost: result.plan.summary,
    };
  };
}

export const handler = makeHandler((now, deadline) => {
  const runtime = getRuntime();
  const org = orgReportDeps();
  return { sweep: sweepDeps(now), notify: runtime.notifyDeps(now, deadline), ...(org ? { org } : {}) };
});
