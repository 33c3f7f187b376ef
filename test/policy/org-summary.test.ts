import { describe, expect, it } from "vitest";
import {
  MAX_DELETIONS_DUE,
  MAX_TEAMS,
  NO_TEAM,
  OTHER_TEAMS,
  orgHeartbeatSchema,
  orgSummarySchema,
} from "../../src/domain/org-events.js";
import { parseInventory } from "../../src/domain/secret.js";
import { buildHeartbeat, buildOrgSummary, fitOrgSummary, teamOf } from "../../src/policy/org-summary.js";
import { planAccount } from "../../src/policy/plan.js";
import { defaultPolicy, entry, NOW } from "../fixtures/app/fakes.js";

const POLICY = defaultPolicy();
const ACCOUNT = "123456789012";
const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();
const stage = (name: string, sinceDays: number) => ({
  "governor:stage": name,
  "governor:stage-since": day(sinceDays).slice(0, 10),
});

function inventory(entries: Record<string, unknown>[]) {
  return parseInventory(JSON.stringify({ SecretList: entries }));
}

const SECRETS = inventory([
  entry("pay/active", { LastAccessedDate: day(-2), tags: { team: "payments" } }),
  entry("pay/stale", { LastAccessedDate: day(-200), tags: { team: "payments", owner: "alice" } }),
  entry("data/quarantined", {
    LastAccessedDate: day(-300),
    tags: { team: "data", ...stage("quarantined", -12) },
  }),
  entry("data/quarantined-soon-due", {
    LastAccessedDate: day(-300),
    tags: { team: "data", ...stage("quarantined", -27) },
  }),
  entry("data/pending", { DeletedDate: day(3), tags: { owner: "bob", ...stage("deletion-scheduled", -27) } }),
  entry("data/pending-later", {
    DeletedDate: day(20),
    tags: { owner: "bob", ...stage("deletion-scheduled", -10) },
  }),
  entry("misc/untagged", { LastAccessedDate: day(-100) }),
  entry("misc/flagged", { LastAccessedDate: day(-120), tags: { team: "ops", ...stage("flagged", -3) } }),
]);

describe("buildOrgSummary", () => {
  it("carries the plan's figures, to the cent, split by team, with the deletions due this week", () => {
    // Prepare
    const plan = planAccount(SECRETS, POLICY, NOW, { mode: "report" });

    // Act
    const summary = buildOrgSummary(plan, SECRETS, ACCOUNT, "us-east-1", NOW);

    // Assess: the contract's schema takes it, and the figures are the plan's.
    expect(orgSummarySchema.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({
      schema: 1,
      accountId: ACCOUNT,
      region: "us-east-1",
      mode: "report",
      sweptAt: "2026-11-23T10:00:00.000Z",
      ...plan.summary,
    });
    expect(plan.summary).toEqual({
      secrets: 8,
      unused: 5,
      monthlyCostUsd: 2.4,
      unusedMonthlyCostUsd: 2,
      realisedMonthlySavingsUsd: 0.8,
      projectedMonthlySavingsUsd: 2,
    });
    // Report mode changes nothing: the stages are the tags'.
    expect(summary.byStage).toEqual({ flagged: 1, quarantined: 2, "deletion-scheduled": 2 });
    expect(summary.byTeam).toEqual([
      { team: "data", secrets: 2, unused: 2, unusedMonthlyCostUsd: 0.8 },
      { team: "payments", secrets: 2, unused: 1, unusedMonthlyCostUsd: 0.4 },
      { team: NO_TEAM, secrets: 1, unused: 1, unusedMonthlyCostUsd: 0.4 },
      { team: "ops", secrets: 1, unused: 1, unusedMonthlyCostUsd: 0.4 },
      { team: "bob", secrets: 2, unused: 0, unusedMonthlyCostUsd: 0 },
    ]);
    const teamCost = summary.byTeam.reduce((n, t) => n + t.unusedMonthlyCostUsd, 0);
    expect(Math.round(teamCost * 100)).toBe(Math.round(summary.unusedMonthlyCostUsd * 100));
    expect(summary.byTeam.reduce((n, t) => n + t.secrets, 0)).toBe(summary.secrets);
    // Soonest first: the deletion this plan schedules (today, within the blast-radius limit of 1), the
    // pending one final in 3 days, the one the lifecycle schedules in 4 days; not the one final in 20 days.
    expect(summary.deletionsDue.map((d) => [d.name, d.team, d.on])).toEqual([
      ["data/quarantined-soon-due", "data", "2026-11-23T10:00:00.000Z"],
      ["data/pending", "bob", "2026-11-26T10:00:00.000Z"],
      ["data/quarantined", "data", "2026-11-27T00:00:00.000Z"],
    ]);
    expect(summary.deletionsDueTotal).toBe(3);
  });

  it("in enforce mode counts the stages the plan leaves the secrets in", () => {
    const plan = planAccount(SECRETS, POLICY, NOW, { mode: "enforce" });
    const summary = buildOrgSummary(plan, SECRETS, ACCOUNT, "us-east-1", NOW);
    // pay/stale and misc/untagged are flagged by this run; one quarantined secret moves to deletion.
    expect(summary.byStage).toEqual({ flagged: 3, quarantined: 1, "deletion-scheduled": 3 });
    expect(summary.mode).toBe("enforce");
  });

  it("names at most MAX_TEAMS teams, costliest first, and sums the rest", () => {
    const secrets = inventory(
      Array.from({ length: MAX_TEAMS + 5 }, (_, i) =>
        entry(`t/${i}`, {
          LastAccessedDate: day(i < 3 ? -200 : -1),
          tags: { team: `team-${String(i).padStart(3, "0")}` },
        }),
      ),
    );
    const summary = buildOrgSummary(
      planAccount(secrets, POLICY, NOW, { mode: "report" }),
      secrets,
      ACCOUNT,
      "eu-west-1",
      NOW,
    );
    expect(orgSummarySchema.safeParse(summary).success).toBe(true);
    expect(summary.byTeam).toHaveLength(MAX_TEAMS + 1);
    expect(summary.byTeam.slice(0, 3).map((t) => t.team)).toEqual(["team-000", "team-001", "team-002"]);
    expect(summary.byTeam.at(-1)).toEqual({
      team: OTHER_TEAMS,
      secrets: 5,
      unused: 0,
      unusedMonthlyCostUsd: 0,
    });
  });

  it("lists at most MAX_DELETIONS_DUE deletions and counts them all", () => {
    const secrets = inventory(
      Array.from({ length: MAX_DELETIONS_DUE + 20 }, (_, i) =>
        entry(`gone/${i}`, { DeletedDate: day(1 + (i % 5)), tags: stage("deletion-scheduled", -29) }),
      ),
    );
    const summary = buildOrgSummary(
      planAccount(secrets, POLICY, NOW, { mode: "report" }),
      secrets,
      ACCOUNT,
      "eu-west-1",
      NOW,
    );
    expect(summary.deletionsDue).toHaveLength(MAX_DELETIONS_DUE);
    expect(summary.deletionsDueTotal).toBe(MAX_DELETIONS_DUE + 20);
    expect(summary.deletionsDue[0]?.on).toBe(day(1));
    expect(orgSummarySchema.safeParse(summary).success).toBe(true);
  });
});

describe("teamOf", () => {
  it.each([
    [{ team: "payments", owner: "alice" }, "payments"],
    [{ owner: "alice" }, "alice"],
    [{ team: "  " }, NO_TEAM],
    [{}, NO_TEAM],
  ])("%j -> %s", (tags, team) => {
    expect(teamOf(inventory([entry("a", { tags })]).at(0) as never)).toBe(team);
  });
});

describe("fitOrgSummary", () => {
  it("drops the latest deletions, then folds the smallest teams, until the JSON fits", () => {
    const long = "x".repeat(400);
    const secrets = inventory(
      Array.from({ length: 100 }, (_, i) =>
        entry(`${long}/${i}`, {
          DeletedDate: day(2),
          tags: { team: `${i}-${"y".repeat(240)}`, ...stage("deletion-scheduled", -28) },
        }),
      ),
    );
    const summary = buildOrgSummary(
      planAccount(secrets, POLICY, NOW, { mode: "report" }),
      secrets,
      ACCOUNT,
      "eu-west-1",
      NOW,
    );
    const size = (s: unknown) => new TextEncoder().encode(JSON.stringify(s)).length;
    expect(size(summary)).toBeGreaterThan(40_000);

    const fitted = fitOrgSummary(summary, 20_000);
    expect(size(fitted)).toBeLessThanOrEqual(20_000);
    expect(fitted.deletionsDue).toEqual([]);
    expect(fitted.deletionsDueTotal).toBe(100);
    expect(fitted.byTeam.at(-1)?.team).toBe(OTHER_TEAMS);
    expect(fitted.byTeam.reduce((n, t) => n + t.secrets, 0)).toBe(100);
    expect(orgSummarySchema.safeParse(fitted).success).toBe(true);
    expect(fitOrgSummary(summary, 1_000_000)).toBe(summary);
  });
});

describe("buildHeartbeat", () => {
  it("is what the contract's schema takes", () => {
    const heartbeat = buildHeartbeat({
      accountId: ACCOUNT,
      region: "eu-west-1",
      mode: "enforce",
      time: NOW,
      sweepIntervalMinutes: 1440,
      sweepCompleted: false,
    });
    expect(orgHeartbeatSchema.parse(heartbeat)).toEqual({
      schema: 1,
      accountId: ACCOUNT,
      region: "eu-west-1",
      mode: "enforce",
      time: "2026-11-23T10:00:00.000Z",
      sweepIntervalMinutes: 1440,
      sweepCompleted: false,
    });
  });
});
