import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readPolicyTexts } from "../../../src/cli/io.js";
import type { Secret } from "../../../src/domain/secret.js";
import { readInventory } from "../../../src/domain/secret.js";
import { loadPolicy } from "../../../src/policy/load.js";
import { planAccount, summariseCosts } from "../../../src/policy/plan.js";
import { buildReportModel, stepsText } from "../../../src/report/html/model.js";

const NOW = new Date("2026-11-23T00:00:00Z");
const { policy } = loadPolicy(readPolicyTexts("policies"));

function examplePlan(extra: Secret[] = []) {
  const { secrets } = readInventory(readFileSync("examples/inventory.json", "utf8"), "inventory.json");
  const all = [...secrets, ...extra];
  return { plan: planAccount(all, policy, NOW, { mode: "report" }), secrets: all };
}

/** An unused primary with two replicas: $1.20 a month, which is 1.2000000000000002 in floating point. */
const replicated: Secret = {
  arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ops/replicated-Zz11Yy",
  name: "ops/replicated",
  region: "us-east-1",
  accountId: "123456789012",
  tags: { team: "ops" },
  createdDate: new Date("2025-01-01T00:00:00Z"),
  rotationEnabled: false,
  primaryRegion: "us-east-1",
  replicas: [{ region: "eu-west-1" }, { region: "eu-central-1" }],
};

describe("the plan's per-secret costs", () => {
  it("are the summary: summariseCosts of them is the plan's CostSummary, to the cent", () => {
    const { plan } = examplePlan([replicated]);
    expect(plan.costs).toHaveLength(plan.summary.secrets);
    expect(summariseCosts(plan.costs)).toEqual(plan.summary);
    expect(plan.costs.find((c) => c.arn === replicated.arn)?.monthlyCostUsd).toBe(1.2);
    expect(plan.summary.monthlyCostUsd).toBe(6);
  });
});

describe("buildReportModel", () => {
  it("breaks the unused cost down by team and by stage, each adding up to the summary's", () => {
    const { plan, secrets } = examplePlan([replicated]);
    const model = buildReportModel({ plan, secrets, source: "test" });
    const total = (xs: { usd: number }[]) => Math.round(xs.reduce((t, x) => t + x.usd * 100, 0)) / 100;
    expect(total(model.costByTeam)).toBe(plan.summary.unusedMonthlyCostUsd);
    expect(total(model.costByStage)).toBe(plan.summary.unusedMonthlyCostUsd);
    expect(model.costByTeam.reduce((n, c) => n + c.secrets, 0)).toBe(plan.summary.unused);
    expect(model.costByTeam.map((c) => [c.key, c.usd, c.secrets])).toEqual([
      // Largest first; a tie by name.
      ["data", 1.2, 3],
      ["ops", 1.2, 1],
      ["payments", 1.2, 3],
      ["no team tag", 0.4, 1],
      ["security", 0.4, 1],
    ]);
    expect(model.costByStage.map((c) => [c.key, c.usd, c.secrets])).toEqual([
      ["flagged", 2.8, 5],
      ["quarantined", 0.4, 1],
      ["deletion-scheduled", 0.4, 1],
      ["not in the lifecycle", 0.8, 2],
    ]);
  });

  it("counts the funnel by the stage each secret is in after the plan, at it or past it", () => {
    const { plan, secrets } = examplePlan();
    const model = buildReportModel({ plan, secrets, source: "test" });
    expect(model.funnel.map((s) => [s.stage, s.reached, s.here, s.usd])).toEqual([
      ["flagged", 7, 4, 1.6],
      ["quarantined", 3, 1, 0.4],
      // app/retired is pending deletion: billed nothing.
      ["deletion-scheduled", 2, 2, 0.4],
    ]);
  });

  it("puts on the timeline the deletions the next 30 days bring: scheduled by the governor, or final", () => {
    const { plan, secrets } = examplePlan();
    const model = buildReportModel({ plan, secrets, source: "test" });
    expect(model.deletions.map((d) => [d.name, d.kind, d.date, d.days])).toEqual([
      ["app/flagged-20d", "scheduled", "2026-12-09", 16],
      ["app/quarantined-20d", "final", "2026-12-23", 30],
    ]);
  });

  it("has a row per decision, in the decisions' order, then one per secret the policy says nothing of", () => {
    const { plan, secrets } = examplePlan();
    const model = buildReportModel({ plan, secrets, source: "test" });
    const decided = model.rows.filter((r) => r.decision);
    expect(decided.map((r) => [r.arn, r.finding, r.action])).toEqual(
      plan.decisions.map((d) => [d.arn, d.finding, d.action]),
    );
    expect(model.rows.filter((r) => !r.decision).map((r) => r.name)).toEqual(["app/active", "app/new"]);
    const stale = model.rows.find((r) => r.name === "app/stale");
    expect(stale).toMatchObject({
      team: "data",
      owner: "bob",
      stage: "flagged",
      nextAction: "quarantine",
      nextDate: "2026-12-07",
      nextStep: "quarantine on 2026-12-07",
      monthlyCostUsd: 0.4,
      unused: true,
      lastAccessed: "2026-07-01",
    });
    expect(model.rows.find((r) => r.name === "app/quarantined-20d")?.nextStep).toBe(
      "deleted for good on 2026-12-23 unless restored",
    );
  });

  it("is plain data: it survives JSON as it is", () => {
    const { plan, secrets } = examplePlan();
    const model = buildReportModel({ plan, secrets, source: "test" });
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });
});

describe("stepsText", () => {
  it("puts a decision's steps on one line", () => {
    expect(
      stepsText([
        { kind: "quarantine" },
        { kind: "tag", tags: { "governor:stage": "quarantined", "governor:stage-since": "2026-11-23" } },
        { kind: "schedule-deletion", recoveryWindowDays: 30 },
        { kind: "untag", keys: ["a", "b"] },
        { kind: "notify", route: "default" },
      ]),
    ).toBe(
      "quarantine; tag governor:stage=quarantined,governor:stage-since=2026-11-23; schedule-deletion 30d; untag a,b; notify default",
    );
  });
});
