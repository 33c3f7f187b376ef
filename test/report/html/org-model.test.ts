import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { accountRegionRows, buildOrgView, type OrgAccountRegion } from "../../../src/domain/org-view.js";
import type { OrgRollup } from "../../../src/policy/org-rollup.js";
import {
  buildOrgReportModelOfRollup,
  buildOrgReportModelOfView,
} from "../../../src/report/html/org-model.js";
import { runCli } from "../../helpers/cli.js";
import { heartbeatOf, secretArnOf, summaryOf } from "../../helpers/org-events.js";
import { HOSTILE_NAMES } from "./hostile-inventory.js";
import { hostileOrg } from "./hostile-org.js";

const NOW = "2026-11-23T00:00:00Z";
const { dir } = hostileOrg(NOW);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cents = (values: readonly number[]) => values.reduce((t, v) => t + Math.round(v * 100), 0);

async function rollupOf(folder: string): Promise<OrgRollup> {
  const { code, stdout, stderr } = await runCli("org", "plan", folder, "--now", NOW, "--format", "json");
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as OrgRollup;
}

describe("buildOrgReportModelOfRollup (governor org plan)", () => {
  it.each([
    ["examples/org", "examples/org"],
    ["the hostile organization", dir],
  ])("has the roll-up's figures, and charts that add up to them to the cent: %s", async (_, folder) => {
    // Prepare
    const rollup = await rollupOf(folder);
    // Act
    const model = buildOrgReportModelOfRollup(rollup, folder);
    // Assess
    const t = rollup.totals;
    expect(model.totals).toEqual({
      accounts: t.accounts,
      accountRegions: t.accountRegions,
      secrets: t.secrets,
      unused: t.unused,
      monthlyCostUsd: t.monthlyCostUsd,
      unusedMonthlyCostUsd: t.unusedMonthlyCostUsd,
      realisedMonthlySavingsUsd: t.realisedMonthlySavingsUsd,
      projectedMonthlySavingsUsd: t.projectedMonthlySavingsUsd,
      deletionsDue: t.deletionsDueTotal,
      silent: null,
      modes: t.byMode,
    });
    expect(model.heartbeats).toBe(false);
    expect(cents(model.costByAccount.map((a) => a.usd))).toBe(cents([t.unusedMonthlyCostUsd]));
    expect(model.costByAccount.reduce((n, a) => n + a.secrets, 0)).toBe(t.unused);
    expect(cents(model.costByTeam.map((a) => a.usd))).toBe(cents([t.unusedMonthlyCostUsd]));
    expect(model.rows.map((r) => [r.accountId, r.region, r.secrets, r.monthlyCostUsd])).toEqual(
      rollup.accountRegions.map((s) => [s.accountId, s.region, s.secrets, s.monthlyCostUsd]),
    );
    expect(cents(model.rows.map((r) => r.unusedMonthlyCostUsd))).toBe(cents([t.unusedMonthlyCostUsd]));
    expect(model.rows.every((r) => r.silent === null && r.lastHeartbeat === null)).toBe(true);
    expect(model.deletions.map((d) => [d.name, d.accountId, d.region, d.on])).toEqual(
      rollup.deletionsDue.map((d) => [d.name, d.accountId, d.region, d.on]),
    );
    for (const d of model.deletions) {
      expect(d.days).toBeGreaterThanOrEqual(0);
      expect(d.days).toBeLessThanOrEqual(model.horizonDays);
      expect(d.date).toBe(d.on.slice(0, 10));
    }
  });

  it("keeps the hostile names as they are: escaping is the page's, and the model is data", async () => {
    const model = buildOrgReportModelOfRollup(await rollupOf(dir), dir);
    const teams = model.costByTeam.map((t) => t.key);
    expect(teams).toContain(HOSTILE_NAMES[1]);
    expect(teams).toContain(HOSTILE_NAMES[3]);
    // A team whose only secret is pending deletion has no unused cost: not a bar.
    expect(teams).not.toContain(HOSTILE_NAMES[0]);
    const deleted = model.deletions.map((d) => d.name);
    for (const i of [0, 2, 4]) expect(deleted).toContain(HOSTILE_NAMES[i]);
  });
});

describe("buildOrgReportModelOfView (governor org report)", () => {
  const A = "111111111111";
  const B = "222222222222";
  const now = new Date("2026-11-23T12:00:00Z");
  const items: OrgAccountRegion[] = [
    {
      accountId: A,
      region: "eu-west-1",
      summary: summaryOf(A, "eu-west-1", {
        unusedMonthlyCostUsd: 1.2,
        unused: 3,
        byTeam: [
          { team: HOSTILE_NAMES[0], secrets: 6, unused: 2, unusedMonthlyCostUsd: 0.8 },
          { team: "payments", secrets: 4, unused: 1, unusedMonthlyCostUsd: 0.4 },
        ],
        deletionsDue: [
          {
            arn: secretArnOf(A, "eu-west-1", "x"),
            name: HOSTILE_NAMES[1],
            team: "t",
            on: "2026-11-25T06:00:00Z",
          },
        ],
        deletionsDueTotal: 3,
      }),
      heartbeat: heartbeatOf(A, "eu-west-1"),
    },
    { accountId: B, region: "us-east-1", summary: summaryOf(B, "us-east-1", { mode: "enforce" }) },
    {
      accountId: B,
      region: "eu-west-1",
      heartbeat: heartbeatOf(B, "eu-west-1", { time: "2026-11-19T00:00:00Z" }),
    },
  ];

  it("has the view's totals, its silent governors, and one row per account-region as the CSV has them", () => {
    // Prepare
    const view = buildOrgView(items, now);
    const rows = accountRegionRows(items, now);
    // Act
    const model = buildOrgReportModelOfView(view, rows, "test");
    // Assess
    expect(model.totals).toMatchObject({ ...view.totals, silent: 2, modes: view.modes });
    expect(model.heartbeats).toBe(true);
    expect(model.rows.map((r) => [r.accountId, r.region, r.silent, r.lastHeartbeat])).toEqual([
      [A, "eu-west-1", false, "2026-11-23T06:00:05.000Z"],
      [B, "eu-west-1", true, "2026-11-19T00:00:00Z"],
      [B, "us-east-1", true, null],
    ]);
    expect(model.costByAccount.map((a) => [a.key, a.usd, a.secrets])).toEqual(
      view.byAccount.map((a) => [a.accountId, a.unusedMonthlyCostUsd, a.unused]),
    );
    expect(cents(model.costByAccount.map((a) => a.usd))).toBe(cents([view.totals.unusedMonthlyCostUsd]));
    expect(model.costByTeam.map((t) => [t.key, t.usd])).toEqual([
      ["payments", 1.2],
      [HOSTILE_NAMES[0], 0.8],
    ]);
    // Three due, one named: the page says so.
    expect(model.totals.deletionsDue).toBe(3);
    expect(model.deletions).toEqual([
      expect.objectContaining({
        name: HOSTILE_NAMES[1],
        date: "2026-11-25",
        days: 2,
        kind: "due",
        accountId: A,
      }),
    ]);
  });
});
