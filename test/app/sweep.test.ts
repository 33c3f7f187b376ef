import { describe, expect, it } from "vitest";
import { loadLocalAccount } from "../../src/adapters/local-account.js";
import { runSweep, type SweepDeps } from "../../src/app/sweep.js";
import { ComplianceUnavailableError } from "../../src/errors.js";
import type { Policy } from "../../src/policy/schema.js";
import type { ComplianceSource, SecretStore } from "../../src/ports.js";
import {
  accountOf,
  BREAK_GLASS,
  complianceOf,
  defaultPolicy,
  entry,
  exampleAccount,
  governorTags,
  NOW,
  policyOf,
  RecordingAudit,
  RecordingLog,
  secretOf,
  unusedFinding,
  writesSince,
} from "../fixtures/app/fakes.js";

const POLICY = defaultPolicy();
const DAY = 86_400_000;

function sweepDeps(store: SecretStore, overrides: Partial<SweepDeps> = {}): SweepDeps {
  return { store, policy: POLICY, mode: "enforce", now: NOW, exemptPrincipals: [BREAK_GLASS], ...overrides };
}

function summaryOf(result: Awaited<ReturnType<typeof runSweep>>): string[] {
  return result.outcomes.map(
    (o) =>
      `${o.decision.name}: ${o.decision.action}${o.decision.guard ? ` (${o.decision.guard})` : ""} ${o.outcome}`,
  );
}

describe("runSweep", () => {
  it("advances every lifecycle whose grace period has passed, and only those", async () => {
    // Prepare
    const account = exampleAccount();

    // Act
    const result = await runSweep(sweepDeps(account));

    // Assess
    expect(summaryOf(result)).toEqual([
      "app/stale: tag done",
      "app/never-used: tag done",
      "app/flagged-5d: none skipped",
      "app/flagged-20d: quarantine done",
      "app/quarantined-20d: schedule-deletion done",
      "app/used-again: untag done",
      "rds!db-7f3a9c1e-2b4d-4e8f-9a6b-1c2d3e4f5a6b: none (owning-service) withheld",
      "breakglass/root-mfa: none (exempt) withheld",
      "app/replicated: none (replicas-unknown) withheld",
      "app/retired: none (already-deleted) withheld",
      "app/legacy-epoch: tag done",
    ]);
    expect(governorTags(await secretOf(account, "app/flagged-5d"))).toEqual({
      "governor:stage": "flagged",
      "governor:stage-since": "2026-11-18",
    });
    expect((await secretOf(account, "app/quarantined-20d")).deletedDate).toEqual(NOW);
    expect(result.plan.limit).toEqual({ allowed: 2, planned: 2, withheld: 0 });
  });

  it("takes an unused secret through flag, quarantine and deletion over successive daily sweeps", async () => {
    // Prepare
    let now = NOW;
    const text = JSON.stringify({
      SecretList: [entry("app/stale", { LastAccessedDate: "2026-07-01T00:00:00Z" })],
    });
    const account = loadLocalAccount(text, "one-secret.json", { clock: { now: () => now } });
    const stages: (string | undefined)[] = [];

    // Act
    for (const day of [0, 13, 14, 29, 30]) {
      now = new Date(NOW.getTime() + day * DAY);
      await runSweep(sweepDeps(account, { now }));
      stages.push((await secretOf(account, "app/stale")).tags["governor:stage"]);
    }

    // Assess
    expect(stages).toEqual(["flagged", "flagged", "quarantined", "quarantined", "deletion-scheduled"]);
    expect((await secretOf(account, "app/stale")).deletedDate).toEqual(new Date(NOW.getTime() + 30 * DAY));
  });

  it("judges unused from ListSecrets when Config compliance cannot be read", async () => {
    // Prepare: Config answers one page, then fails.
    const account = exampleAccount();
    const compliance = complianceOf([[unusedFinding("app/active")], [unusedFinding("app/new")]], {
      pages: 1,
      error: new ComplianceUnavailableError(
        "NoSuchConfigRuleException",
        "GetComplianceDetailsByConfigRule",
        false,
      ),
    });
    const without = await runSweep(sweepDeps(exampleAccount()));

    // Act
    const result = await runSweep(sweepDeps(account, { compliance }));

    // Assess
    expect(result.complianceUnavailable).toBe(
      "Config compliance could not be read (NoSuchConfigRuleException); unused is judged from ListSecrets",
    );
    expect(summaryOf(result)).toEqual(summaryOf(without));
    expect(result.outcomes.some((o) => o.decision.name === "app/active")).toBe(false);
  });

  it("uses Config's compliance when it can be read", async () => {
    // Prepare: Config says app/stale is in use and app/active is not.
    const account = exampleAccount();
    const stale = await secretOf(account, "app/stale");
    const active = await secretOf(account, "app/active");
    const compliance: ComplianceSource = complianceOf([
      [unusedFinding(stale.arn, "resolved")],
      [unusedFinding(active.name, "open")],
    ]);

    // Act
    const result = await runSweep(sweepDeps(account, { compliance }));

    // Assess
    expect(result.complianceUnavailable).toBeUndefined();
    const byName = new Map(result.outcomes.map((o) => [o.decision.name, o]));
    expect(byName.has("app/stale")).toBe(false);
    expect(byName.get("app/active")?.decision.guard).toBe("recently-accessed");
    expect(governorTags(await secretOf(account, stale.arn))).toEqual({});
  });

  it("reads the account in pages of 100 and describes only replicated primaries without ReplicationStatus", async () => {
    // Prepare: 250 secrets, all read recently; five of them take part in replication.
    const read = { LastAccessedDate: "2026-11-20T00:00:00Z" };
    const secrets = Array.from({ length: 245 }, (_, i) => entry(`app/s-${String(i).padStart(3, "0")}`, read));
    secrets.push(
      entry("app/primary-a", { ...read, PrimaryRegion: "us-east-1" }),
      entry("app/primary-b", { ...read, PrimaryRegion: "us-east-1" }),
      entry("app/primary-known", {
        ...read,
        PrimaryRegion: "us-east-1",
        ReplicationStatus: [{ Region: "eu-west-1", Status: "InSync" }],
      }),
      entry("app/primary-deleted", {
        ...read,
        PrimaryRegion: "us-east-1",
        DeletedDate: "2026-11-20T00:00:00Z",
      }),
      {
        ...entry("app/replica", { ...read, PrimaryRegion: "us-east-1" }),
        ARN: "arn:aws:secretsmanager:us-west-2:123456789012:secret:app/replica-AbCdEf",
      },
    );
    const account = accountOf(secrets);

    // Act
    const result = await runSweep(sweepDeps(account));

    // Assess
    expect(result.secrets).toHaveLength(250);
    expect(account.calls.filter((c) => c.operation === "ListSecrets")).toHaveLength(3);
    expect(
      account.calls.filter((c) => c.operation === "DescribeSecret").map((c) => c.arn.split(":secret:")[1]),
    ).toEqual(["app/primary-a-AbCdEf", "app/primary-b-AbCdEf"]);
    expect(writesSince(account)).toEqual([]);
  });

  it("holds back the destructive actions over the blast-radius share of the account", async () => {
    // Prepare: every one of 30 secrets is due for quarantine; 10% may be quarantined per run.
    const policy: Policy = policyOf(`
limits:
  perRun: { percent: 10 }
  perDay: { percent: 50 }
rules:
  - name: unused
    match: { finding: unused }
    lifecycle:
      quarantine: { afterDays: 14 }
`);
    const names = Array.from({ length: 30 }, (_, i) => `app/u-${String(i).padStart(2, "0")}`);
    const account = accountOf(
      names.map((n) =>
        entry(n, {
          LastAccessedDate: "2026-05-01T00:00:00Z",
          tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-01" },
        }),
      ),
    );
    const audit = new RecordingAudit();

    // Act
    const result = await runSweep(sweepDeps(account, { policy, audit }));

    // Assess
    expect(result.plan.limit).toEqual({ allowed: 3, planned: 30, withheld: 27 });
    expect(result.outcomes.filter((o) => o.outcome === "done").map((o) => o.decision.name)).toEqual([
      "app/u-00",
      "app/u-01",
      "app/u-02",
    ]);
    expect(result.outcomes.filter((o) => o.decision.guard === "limit-reached")).toHaveLength(27);
    expect(writesSince(account).filter((w) => w.startsWith("PutResourcePolicy"))).toHaveLength(3);
    expect(audit.entries.filter((e) => e.outcome === "withheld" && e.guard === "limit-reached")).toHaveLength(
      27,
    );
  });

  it("in report mode plans the same actions and changes nothing", async () => {
    // Prepare
    const account = exampleAccount();
    const snapshot = account.snapshot();
    const audit = new RecordingAudit();

    // Act
    const result = await runSweep(sweepDeps(account, { mode: "report", audit }));

    // Assess
    expect(result.outcomes.filter((o) => o.outcome === "planned").map((o) => o.decision.action)).toEqual([
      "tag",
      "tag",
      "quarantine",
      "schedule-deletion",
      "untag",
      "tag",
    ]);
    expect(writesSince(account)).toEqual([]);
    expect(account.snapshot()).toEqual(snapshot);
    expect(audit.entries.every((e) => e.mode === "report")).toBe(true);
    // Audited: what is planned or withheld, not the decisions that have nothing to do yet.
    const worth = result.outcomes.filter((o) => o.decision.action !== "none" || o.decision.guard !== null);
    expect(worth.length).toBeLessThan(result.outcomes.length);
    expect(audit.entries.map((e) => e.name)).toEqual(worth.map((o) => o.decision.name));
  });

  it("stops acting when its time runs out, and leaves the rest for the next run", async () => {
    // Prepare: 200 seconds left, then 100 (under the margin) after the first action.
    const account = exampleAccount();
    const log = new RecordingLog();
    let left = 200_000;
    const tag = account.tag.bind(account);
    account.tag = async (arn, tags) => {
      await tag(arn, tags);
      left = 100_000;
    };
    const deps = sweepDeps(account, { log, remainingMs: () => left });

    // Act
    const result = await runSweep(deps);

    // Assess
    const done = result.outcomes.filter((o) => o.outcome === "done");
    const leftOver = result.outcomes.filter((o) => o.detail?.startsWith("time budget reached"));
    expect(done).toHaveLength(1);
    expect(leftOver.length).toBeGreaterThan(1);
    expect(leftOver.every((o) => o.decision.action === "none")).toBe(true);
    expect(log.lines.some((l) => l.message === "sweep time budget reached")).toBe(true);
    const logged = log.lines.filter((l) => l.message === "decision").map((l) => l.extra.secret);
    expect(logged).toContain(done[0]?.decision.arn);
    expect(leftOver.filter((o) => logged.includes(o.decision.arn))).toEqual([]);
  });

  it("never flaps a secret between two rules: the cmk rule's quarantine stays, day after day", async () => {
    // Prepare: a secret read yesterday, on the default key: the unused lifecycle has nothing against it,
    // the not-using-cmk rule quarantines it.
    const policy = policyOf(`
mode: enforce
rules:
  - name: unused-secrets
    match: { finding: unused }
    lifecycle:
      quarantine: { afterDays: 14 }
      scheduleDeletion: { afterDays: 30, recoveryWindowDays: 30 }
  - name: prod-without-cmk
    match: { finding: not-using-cmk }
    actions: [notify, quarantine]
`);
    const account = accountOf([entry("prod/db", { LastAccessedDate: "2026-11-22T00:00:00Z" })]);
    const cmk = {
      type: "not-using-cmk" as const,
      secretId: "prod/db",
      source: "config" as const,
      status: "open" as const,
      observedAt: NOW,
    };

    // Act: three daily sweeps.
    const actions: string[][] = [];
    for (const day of [0, 1, 2]) {
      const result = await runSweep(
        sweepDeps(account, {
          policy,
          now: new Date(NOW.getTime() + day * DAY),
          compliance: complianceOf([[cmk]]),
        }),
      );
      actions.push(result.outcomes.filter((o) => o.outcome === "done").map((o) => o.decision.action));
    }

    // Assess
    expect(actions[0]).toContain("quarantine");
    expect(
      actions
        .slice(1)
        .flat()
        .filter((a) => a === "release" || a === "quarantine"),
    ).toEqual([]);
    expect(governorTags(await secretOf(account, "prod/db"))).toMatchObject({
      "governor:stage": "quarantined",
      "governor:stage-rule": "prod-without-cmk",
    });
    expect(account.calls.filter((c) => c.operation === "PutResourcePolicy")).toHaveLength(1);
  });
});
