import { buildHeartbeat, buildOrgSummary } from "../policy/org-summary.js";
import type { Clock, OrgEvent, OrgReporter } from "../ports.js";
import type { Log } from "./process-findings.js";
import { runSweep, type SweepDeps, type SweepResult } from "./sweep.js";

/** What the sweep needs to report to the organization plane (only when the stack has an OrgBusArn). */
export interface OrgReportDeps {
  reporter: OrgReporter;
  /** This stack's account and region: the summary speaks for them only. */
  accountId: string;
  region: string;
  /** From the stack's SweepSchedule (src/domain/schedule.ts). */
  sweepIntervalMinutes: number;
  clock: Clock;
}

/**
 * The sweep, then its report to the organization plane: the summary of its plan and a heartbeat. The heartbeat
 * goes out even when the sweep throws (sweepCompleted false), so the central view sees a governor that runs but
 * fails apart from one that has gone silent; a sweep that stopped at its time budget is not complete either.
 * Reporting never fails the sweep: a refused or failed PutEvents is logged (`orgReportFailed`, a metric filter
 * counts it) and the sweep's own result or error stands. Without `org`, this is runSweep.
 */
export async function runSweepWithOrgReport(
  deps: SweepDeps,
  org: OrgReportDeps | undefined,
): Promise<SweepResult> {
  if (!org) return runSweep(deps);
  let result: SweepResult | undefined;
  try {
    result = await runSweep(deps);
    return result;
  } finally {
    await reportToOrg(org, deps, result);
  }
}

async function reportToOrg(
  org: OrgReportDeps,
  deps: SweepDeps,
  result: SweepResult | undefined,
): Promise<void> {
  const events: OrgEvent[] = [];
  try {
    if (result) {
      // The decisions as carried out: a failed action changed no stage and scheduled no deletion.
      const decisions = result.outcomes.map((o) =>
        o.outcome === "failed" ? { ...o.decision, action: "none" as const, steps: [] } : o.decision,
      );
      const plan = { ...result.plan, decisions };
      events.push({
        kind: "summary",
        detail: buildOrgSummary(plan, result.secrets, org.accountId, org.region, deps.now),
      });
    }
    events.push({
      kind: "heartbeat",
      detail: buildHeartbeat({
        accountId: org.accountId,
        region: org.region,
        mode: deps.mode,
        time: org.clock.now(),
        sweepIntervalMinutes: org.sweepIntervalMinutes,
        sweepCompleted: result !== undefined && !result.leftForNextRun,
      }),
    });
    await org.reporter.publish(events);
    deps.log?.info("org report sent", { orgEvents: events.map((e) => e.kind) });
  } catch (error) {
    logFailure(deps.log, error, events.length);
  }
}

function logFailure(log: Log | undefined, error: unknown, events: number): void {
  log?.error("org report not sent", {
    orgReportFailed: Math.max(events, 1),
    reason: error instanceof Error ? error.message : String(error),
  });
}
