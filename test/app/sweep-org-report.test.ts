import { describe, expect, it } from "vitest";
import { MemoryOrgReporter } from "../../src/adapters/org-reporter.js";
import { runSweep, type SweepDeps } from "../../src/app/sweep.js";
import { type OrgReportDeps, runSweepWithOrgReport } from "../../src/app/sweep-org-report.js";
import { orgHeartbeatSchema, orgSummarySchema } from "../../src/domain/org-events.js";
import { AdapterError } from "../../src/errors.js";
import { buildOrgSummary } from "../../src/policy/org-summary.js";
import type { SecretStore } from "../../src/ports.js";
import {
  ACCOUNT_ID,
  BREAK_GLASS,
  defaultPolicy,
  exampleAccount,
  NOW,
  RecordingLog,
  ScriptedStore,
} from "../fixtures/app/fakes.js";

const POLICY = defaultPolicy();
const LATER = new Date(NOW.getTime() + 90_000);

function deps(store: SecretStore, log = new RecordingLog(), overrides: Partial<SweepDeps> = {}): SweepDeps {
  return {
    store,
    policy: POLICY,
    mode: "enforce",
    now: NOW,
    exemptPrincipals: [BREAK_GLASS],
    log,
    ...overrides,
  };
}

function org(reporter = new MemoryOrgReporter()): OrgReportDeps & { reporter: MemoryOrgReporter } {
  return {
    reporter,
    accountId: ACCOUNT_ID,
    region: "us-east-1",
    sweepIntervalMinutes: 1440,
    clock: { now: () => LATER },
  };
}

describe("runSweepWithOrgReport", () => {
  it("sends the summary of the sweep's plan and a heartbeat of a completed sweep", async () => {
    // Prepare
    const reporter = org();
    const expected = await runSweep(deps(exampleAccount()));

    // Act
    const result = await runSweepWithOrgReport(deps(exampleAccount()), reporter);

    // Assess
    expect(result.plan.summary).toEqual(expected.plan.summary);
    const [summary, heartbeat, ...more] = reporter.reporter.events;
    expect(more).toEqual([]);
    expect(summary?.kind).toBe("summary");
    expect(orgSummarySchema.parse(summary?.detail)).toEqual(
      buildOrgSummary(expected.plan, expected.secrets, ACCOUNT_ID, "us-east-1", NOW),
    );
    expect(summary?.detail).toMatchObject({
      ...expected.plan.summary,
      mode: "enforce",
      accountId: ACCOUNT_ID,
    });
    expect(heartbeat?.kind).toBe("heartbeat");
    expect(orgHeartbeatSchema.parse(heartbeat?.detail)).toEqual({
      schema: 1,
      accountId: ACCOUNT_ID,
      region: "us-east-1",
      mode: "enforce",
      time: LATER.toISOString(),
      sweepIntervalMinutes: 1440,
      sweepCompleted: true,
    });
  });

  it("sends a heartbeat of an incomplete sweep, and no summary, when the sweep throws; the error stands", async () => {
    const reporter = org();
    const failing = new ScriptedStore(exampleAccount()).fail(
      "list",
      new AdapterError("ListSecrets failed: ThrottlingException", "ListSecrets", true),
    );

    await expect(runSweepWithOrgReport(deps(failing), reporter)).rejects.toThrow("ListSecrets failed");

    expect(reporter.reporter.events.map((e) => e.kind)).toEqual(["heartbeat"]);
    expect(reporter.reporter.events[0]?.detail).toMatchObject({ sweepCompleted: false });
  });

  it("calls a sweep that stopped at its time budget incomplete, and still sends its summary", async () => {
    const reporter = org();

    const result = await runSweepWithOrgReport(
      deps(exampleAccount(), new RecordingLog(), { remainingMs: () => 1_000 }),
      reporter,
    );

    expect(result.leftForNextRun).toBeGreaterThan(0);
    expect(reporter.reporter.events.map((e) => e.kind)).toEqual(["summary", "heartbeat"]);
    expect(reporter.reporter.events[1]?.detail).toMatchObject({ sweepCompleted: false });
  });

  it("never fails the sweep when the events are not taken: logged with a count for the metric", async () => {
    const reporter = org();
    reporter.reporter.fail = new AdapterError(
      "PutEvents: 2 of 2 org events refused (AccessDeniedException)",
      "PutEvents",
      false,
    );
    const log = new RecordingLog();

    const result = await runSweepWithOrgReport(deps(exampleAccount(), log), reporter);

    expect(result.plan.summary.secrets).toBe(13);
    const [failure] = log.at("error").filter((l) => l.message === "org report not sent");
    expect(failure?.extra).toEqual({
      orgReportFailed: 2,
      reason: "PutEvents: 2 of 2 org events refused (AccessDeniedException)",
    });
  });

  it("counts the stages the sweep left, not those of the actions that failed", async () => {
    const reporter = org();
    const store = new ScriptedStore(exampleAccount()).fail(
      "tag",
      new AdapterError("TagResource failed: AccessDeniedException", "TagResource", false),
    );
    const planned = await runSweep(deps(exampleAccount()));
    const full = buildOrgSummary(planned.plan, planned.secrets, ACCOUNT_ID, "us-east-1", NOW);

    const result = await runSweepWithOrgReport(deps(store), reporter);

    expect(result.outcomes.some((o) => o.outcome === "failed")).toBe(true);
    const summary = orgSummarySchema.parse(reporter.reporter.events[0]?.detail);
    // Every tag failed: no secret became flagged by this run; the cost figures are the plan's all the same.
    expect(summary.byStage.flagged).toBeLessThan(full.byStage.flagged);
    expect(summary.unusedMonthlyCostUsd).toBe(full.unusedMonthlyCostUsd);
  });

  it("is the plain sweep without an org bus", async () => {
    const result = await runSweepWithOrgReport(deps(exampleAccount()), undefined);
    expect(result.plan.summary.secrets).toBe(13);
  });
});
