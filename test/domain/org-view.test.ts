import { describe, expect, it } from "vitest";
import { buildOrgView, type OrgAccountRegion, silenceOf } from "../../src/domain/org-view.js";
import { heartbeatOf, secretArnOf, summaryOf } from "../helpers/org-events.js";

const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const now = new Date("2026-11-23T12:00:00Z");

function item(accountId: string, region: string, parts: Partial<OrgAccountRegion>): OrgAccountRegion {
  return { accountId, region, ...parts };
}

describe("buildOrgView", () => {
  const items: OrgAccountRegion[] = [
    item(A, "eu-west-1", {
      summary: summaryOf(A, "eu-west-1", {
        secrets: 3,
        unused: 1,
        monthlyCostUsd: 1.2,
        unusedMonthlyCostUsd: 0.4,
        realisedMonthlySavingsUsd: 0.1,
        projectedMonthlySavingsUsd: 0.4,
        byTeam: [
          { team: "payments", secrets: 2, unused: 1, unusedMonthlyCostUsd: 0.4 },
          { team: "web", secrets: 1, unused: 0, unusedMonthlyCostUsd: 0 },
        ],
        deletionsDue: [
          {
            arn: secretArnOf(A, "eu-west-1", "soon"),
            name: "soon",
            team: "payments",
            on: "2026-11-25T00:00:00Z",
          },
          {
            arn: secretArnOf(A, "eu-west-1", "this-morning"),
            name: "this-morning",
            team: "payments",
            on: "2026-11-23T06:00:00Z",
          },
          {
            arn: secretArnOf(A, "eu-west-1", "yesterday"),
            name: "yesterday",
            team: "payments",
            on: "2026-11-22T23:59:00Z",
          },
          {
            arn: secretArnOf(A, "eu-west-1", "later"),
            name: "later",
            team: "payments",
            on: "2026-12-15T00:00:00Z",
          },
        ],
        deletionsDueTotal: 2,
      }),
      heartbeat: heartbeatOf(A, "eu-west-1", { time: "2026-11-23T06:00:00Z" }),
    }),
    item(A, "us-east-1", {
      summary: summaryOf(A, "us-east-1", {
        mode: "enforce",
        secrets: 7,
        unused: 2,
        monthlyCostUsd: 2.8,
        unusedMonthlyCostUsd: 0.8,
        realisedMonthlySavingsUsd: 0.2,
        projectedMonthlySavingsUsd: 0.8,
        byTeam: [{ team: "payments", secrets: 7, unused: 2, unusedMonthlyCostUsd: 0.8 }],
      }),
      heartbeat: heartbeatOf(A, "us-east-1", { mode: "enforce", time: "2026-11-23T06:00:00Z" }),
    }),
    // Summary, no heartbeat ever: silent.
    item(B, "eu-west-1", {
      summary: summaryOf(B, "eu-west-1", {
        secrets: 1,
        unused: 1,
        monthlyCostUsd: 0.1,
        unusedMonthlyCostUsd: 0.1,
      }),
    }),
    // Hourly governor, last heard three hours ago: silent.
    item(C, "eu-west-1", {
      heartbeat: heartbeatOf(C, "eu-west-1", { time: "2026-11-23T09:00:00Z", sweepIntervalMinutes: 60 }),
    }),
  ];
  const view = buildOrgView(items, now);

  it("sums the organization to the cent", () => {
    expect(view.accounts).toBe(3);
    expect(view.accountRegions).toBe(4);
    expect(view.totals).toEqual({
      secrets: 11,
      unused: 4,
      monthlyCostUsd: 4.1,
      unusedMonthlyCostUsd: 1.3,
      realisedMonthlySavingsUsd: 0.7,
      projectedMonthlySavingsUsd: 2,
      deletionsDue: 2,
    });
  });

  it("sums each account over its regions, costliest unused first", () => {
    expect(
      view.byAccount.map((a) => [a.accountId, a.regions, a.mode, a.unusedMonthlyCostUsd, a.monthlyCostUsd]),
    ).toEqual([
      [A, ["eu-west-1", "us-east-1"], "mixed", 1.2, 4],
      [B, ["eu-west-1"], "report", 0.1, 0.1],
      [C, ["eu-west-1"], "report", 0, 0],
    ]);
  });

  it("sums teams across accounts", () => {
    // B's summary has the default team line: payments, 10 secrets, 2 unused, $0.80.
    expect(view.byTeam[0]).toEqual({
      team: "payments",
      secrets: 19,
      unused: 5,
      unusedMonthlyCostUsd: 2,
      accounts: 2,
    });
    expect(view.byTeam[1]).toEqual({
      team: "web",
      secrets: 1,
      unused: 0,
      unusedMonthlyCostUsd: 0,
      accounts: 1,
    });
  });

  it("lists only the deletions due from the start of today to 7 days ahead (this morning's sweep's included)", () => {
    expect(view.deletionsDue.map((d) => [d.name, d.accountId])).toEqual([
      ["this-morning", A],
      ["soon", A],
    ]);
  });

  it("counts modes by account-region and by account", () => {
    expect(view.modes).toEqual({ report: 3, enforce: 1 });
    expect(view.accountModes).toEqual({ report: 2, enforce: 0, mixed: 1 });
  });

  it("names every silent governor: never heard from first", () => {
    expect(view.silent).toEqual([
      { accountId: B, region: "eu-west-1" },
      { accountId: C, region: "eu-west-1", lastHeartbeat: "2026-11-23T09:00:00Z", sweepIntervalMinutes: 60 },
    ]);
  });
});

describe("silenceOf", () => {
  const hb = (time: string) =>
    item(A, "eu-west-1", { heartbeat: heartbeatOf(A, "eu-west-1", { time, sweepIntervalMinutes: 60 }) });
  it.each([
    ["just under two intervals", "2026-11-23T10:00:01Z", false],
    ["exactly two intervals", "2026-11-23T10:00:00Z", false],
    ["past two intervals", "2026-11-23T09:59:59Z", true],
  ])("%s", (_, time, silent) => {
    expect(silenceOf(hb(time), now) !== undefined).toBe(silent);
  });
  it("a heartbeat without a summary is not silent; nothing at all is not listed", () => {
    expect(silenceOf(hb("2026-11-23T11:00:00Z"), now)).toBeUndefined();
    expect(silenceOf(item(A, "eu-west-1", {}), now)).toBeUndefined();
  });
});
