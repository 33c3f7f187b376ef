import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Finding, FindingType } from "../../src/domain/finding.js";
import { parseInventory, type Secret } from "../../src/domain/secret.js";
import { destructiveActionsToday, monthlyCost, planAccount, SecretIndex } from "../../src/policy/plan.js";
import type { Policy } from "../../src/policy/schema.js";
import { daysAgo, defaultPolicy, isoDaysAgo, loadYaml, makeSecret, NOW, stagedSecret } from "./builders.js";

function configFinding(type: FindingType, secretId: string, status: "open" | "resolved"): Finding {
  return { type, secretId, status, source: "config", observedAt: NOW };
}

function byName(plan: ReturnType<typeof planAccount>) {
  return Object.fromEntries(plan.decisions.map((d) => [`${d.name}/${d.finding}`, d]));
}

/** A policy whose lifecycle quarantines after 1 day, with the given limits. */
function limited(limits: string): Policy {
  return loadYaml(`limits:
${limits}
rules:
  - name: unused-secrets
    match: { finding: unused }
    lifecycle:
      quarantine: { afterDays: 1 }
      scheduleDeletion: { afterDays: 2 }
`);
}

describe("planAccount on the example inventory", () => {
  const secrets = parseInventory(readFileSync("examples/inventory.json", "utf8"));

  it("decides for every secret the default policy has something to say about", () => {
    // Act
    const plan = planAccount(secrets, defaultPolicy(), NOW, { mode: "report" });

    // Assess
    expect(plan.decisions.map((d) => [d.name, d.action, d.stage, d.guard])).toEqual([
      ["app/stale", "tag", "flagged", null],
      ["app/never-used", "tag", "flagged", null],
      ["app/flagged-5d", "none", "flagged", null],
      ["app/flagged-20d", "quarantine", "quarantined", null],
      ["app/quarantined-20d", "schedule-deletion", "deletion-scheduled", null],
      ["app/used-again", "untag", null, null],
      ["rds!db-7f3a9c1e-2b4d-4e8f-9a6b-1c2d3e4f5a6b", "none", null, "owning-service"],
      ["breakglass/root-mfa", "none", null, "exempt"],
      ["app/replicated", "none", null, "replicas-unknown"],
      ["app/retired", "none", "deletion-scheduled", "already-deleted"],
      ["app/legacy-epoch", "tag", "flagged", null],
    ]);
    expect(plan.mode).toBe("report");
    expect(plan.limit).toEqual({ allowed: 2, planned: 2, withheld: 0 });
  });

  it("summarises the cost: $0.40 a secret-month, nothing while deletion is pending", () => {
    // Act
    const plan = planAccount(secrets, defaultPolicy(), NOW, { mode: "report" });

    // Assess
    expect(plan.summary).toEqual({
      secrets: 13,
      unused: 8,
      monthlyCostUsd: 4.8,
      unusedMonthlyCostUsd: 3.2,
      realisedMonthlySavingsUsd: 0.4,
      projectedMonthlySavingsUsd: 2.4,
    });
  });
});

describe("planAccount: findings", () => {
  const policy = loadYaml(`rules:
  - name: unused-secrets
    match: { finding: unused }
    lifecycle: { quarantine: { afterDays: 14 } }
  - name: rotation-disabled
    match: { finding: rotation-disabled }
    actions: [notify]
  - name: rotation-overdue
    match: { finding: rotation-overdue }
    actions: [notify]
  - name: cmk
    match: { finding: not-using-cmk }
    actions: [notify]
  - name: rotation-failed
    match: { finding: rotation-failed }
    actions: [notify]
`);

  it.each<[string, Partial<Secret>, string[]]>([
    [
      "a used, rotated secret on a customer key has no findings",
      {
        rotationEnabled: true,
        kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1",
      },
      [],
    ],
    ["rotation disabled, default key", {}, ["rotation-disabled", "not-using-cmk"]],
    [
      "rotation overdue",
      { rotationEnabled: true, nextRotationDate: daysAgo(3), kmsKeyId: "key-1" },
      ["rotation-overdue"],
    ],
    [
      "unused and otherwise fine",
      { lastAccessedDate: daysAgo(100), rotationEnabled: true, kmsKeyId: "key-1" },
      ["unused"],
    ],
  ])("derives from the inventory: %s", (_label, spec, findings) => {
    // Prepare
    const secret = makeSecret(spec);

    // Act
    const plan = planAccount([secret], policy, NOW, { mode: "report" });

    // Assess
    expect(plan.decisions.map((d) => d.finding).sort()).toEqual([...findings].sort());
  });

  it.each([
    ["its full ARN", (s: Secret) => s.arn],
    ["its partial ARN", (s: Secret) => s.arn.slice(0, -7)],
    ["its name", (s: Secret) => s.name],
  ])("takes Config's word over the judgement, naming the secret by %s", (_label, idOf) => {
    // Prepare
    const used = makeSecret({
      name: "app/used",
      lastAccessedDate: daysAgo(1),
      rotationEnabled: true,
      kmsKeyId: "k",
    });
    const stale = makeSecret({
      name: "app/stale",
      lastAccessedDate: daysAgo(200),
      rotationEnabled: true,
      kmsKeyId: "k",
    });
    const compliance = [
      configFinding("unused", idOf(used), "open"),
      configFinding("unused", idOf(stale), "resolved"),
      configFinding("rotation-failed", idOf(stale), "open"),
    ];

    // Act
    const plan = planAccount([used, stale], policy, NOW, { mode: "report", compliance });
    const decisions = byName(plan);

    // Assess
    expect(decisions["app/used/unused"]).toMatchObject({ action: "none", guard: "recently-accessed" });
    expect(decisions["app/stale/unused"]).toBeUndefined();
    expect(decisions["app/stale/rotation-failed"]).toMatchObject({
      action: "notify",
      rule: "rotation-failed",
    });
    // Config's open finding on app/used is kept by the recently-accessed guard: not unused, not a saving.
    expect(plan.summary.unused).toBe(0);
    expect(plan.summary.unusedMonthlyCostUsd).toBe(0);
  });

  it("ignores Config findings on secrets not in the inventory", () => {
    // Prepare
    const compliance = [configFinding("rotation-failed", "app/gone", "open")];

    // Act
    const plan = planAccount([makeSecret({ rotationEnabled: true, kmsKeyId: "k" })], policy, NOW, {
      mode: "enforce",
      compliance,
    });

    // Assess
    expect(plan.decisions).toEqual([]);
    expect(plan.mode).toBe("enforce");
  });
});

describe("SecretIndex", () => {
  const a = makeSecret({ name: "db/app" });
  const b = makeSecret({ name: "db/app-backup" });
  const c = makeSecret({ name: "rds!db-7f3a" });
  const index = new SecretIndex([a, b, c]);

  it.each([
    ["a full ARN", a.arn, "db/app"],
    ["a name", "db/app-backup", "db/app-backup"],
    ["a partial ARN", a.arn.slice(0, -7), "db/app"],
    ["a partial ARN whose name ends like a random suffix", b.arn.slice(0, -7), "db/app-backup"],
    ["a partial ARN of a name with '!'", c.arn.slice(0, -7), "rds!db-7f3a"],
    ["an unknown name", "db/other", undefined],
    [
      "a partial ARN in another account",
      a.arn.slice(0, -7).replace("123456789012", "999999999999"),
      undefined,
    ],
  ])("finds a secret by %s", (_label, id, expected) => {
    // Act
    const found = index.find(id);

    // Assess
    expect(found?.name).toBe(expected);
  });
});

describe("planAccount: cost", () => {
  it.each<[string, Partial<Secret>, number]>([
    ["an ordinary secret", {}, 0.4],
    [
      "a primary with two replicas",
      { primaryRegion: "us-east-1", replicas: [{ region: "eu-west-1" }, { region: "ap-south-1" }] },
      1.2,
    ],
    ["a secret pending deletion", { deletedDate: daysAgo(1) }, 0],
  ])("monthlyCost: %s", (_label, spec, expected) => {
    // Act
    const cost = monthlyCost(makeSecret(spec));

    // Assess
    expect(cost).toBeCloseTo(expected, 10);
  });

  it.each<[string, Secret, { unused: number; realised: number; projected: number }]>([
    [
      "unused on a lifecycle with deletion: projected",
      makeSecret({ lastAccessedDate: daysAgo(100) }),
      {
        unused: 0.4,
        realised: 0,
        projected: 0.4,
      },
    ],
    ["in use: nothing", makeSecret(), { unused: 0, realised: 0, projected: 0 }],
    [
      "unused but exempt: not projected",
      makeSecret({ lastAccessedDate: daysAgo(100), tags: { "governor:exempt": "true" } }),
      {
        unused: 0.4,
        realised: 0,
        projected: 0,
      },
    ],
    [
      "unused but managed by RDS: not projected",
      makeSecret({ lastAccessedDate: daysAgo(100), owningService: "rds" }),
      {
        unused: 0.4,
        realised: 0,
        projected: 0,
      },
    ],
    [
      "unused primary with replicas (never deleted): not projected",
      makeSecret({
        lastAccessedDate: daysAgo(100),
        primaryRegion: "us-east-1",
        replicas: [{ region: "eu-west-1", lastAccessedDate: daysAgo(100) }],
      }),
      { unused: 0.8, realised: 0, projected: 0 },
    ],
    [
      "deletion the governor scheduled: realised",
      stagedSecret("deletion-scheduled", 3, { deletedDate: daysAgo(3) }),
      { unused: 0, realised: 0.4, projected: 0 },
    ],
    [
      "deletion someone else scheduled: not the governor's saving",
      makeSecret({ lastAccessedDate: daysAgo(100), deletedDate: daysAgo(3) }),
      { unused: 0, realised: 0, projected: 0 },
    ],
  ])("%s", (_label, secret, expected) => {
    // Act
    const { summary } = planAccount([secret], defaultPolicy(), NOW, { mode: "report" });

    // Assess
    expect({
      unused: summary.unusedMonthlyCostUsd,
      realised: summary.realisedMonthlySavingsUsd,
      projected: summary.projectedMonthlySavingsUsd,
    }).toEqual(expected);
  });

  it.each<
    [string, Secret, "open" | "resolved" | undefined, { count: number; unused: number; projected: number }]
  >([
    [
      "Config says unused, read yesterday (guard recently-accessed): not counted",
      makeSecret({ lastAccessedDate: daysAgo(1) }),
      "open",
      { count: 0, unused: 0, projected: 0 },
    ],
    [
      "Config says unused, a read denied by the quarantine yesterday (governor:used-on): not counted",
      makeSecret({ lastAccessedDate: daysAgo(200), tags: { "governor:used-on": isoDaysAgo(1) } }),
      "open",
      { count: 0, unused: 0, projected: 0 },
    ],
    [
      "flagged, Config says unused, read yesterday (the way back): not counted",
      stagedSecret("flagged", 5, { lastAccessedDate: daysAgo(1) }),
      "open",
      { count: 0, unused: 0, projected: 0 },
    ],
    [
      "Config says unused and the facts agree: counted and projected",
      makeSecret({ lastAccessedDate: daysAgo(200) }),
      "open",
      { count: 1, unused: 0.4, projected: 0.4 },
    ],
    [
      "Config says compliant though unread for 200 days: not counted",
      makeSecret({ lastAccessedDate: daysAgo(200) }),
      "resolved",
      { count: 0, unused: 0, projected: 0 },
    ],
  ])("counts as unused only what the decision treats as unused: %s", (_label, secret, status, expected) => {
    // Prepare
    const compliance = status ? [configFinding("unused", secret.arn, status)] : [];

    // Act
    const { summary } = planAccount([secret], defaultPolicy(), NOW, { mode: "report", compliance });

    // Assess
    expect({
      count: summary.unused,
      unused: summary.unusedMonthlyCostUsd,
      projected: summary.projectedMonthlySavingsUsd,
    }).toEqual(expected);
  });

  it("projects nothing for a lifecycle without a deletion stage", () => {
    // Prepare
    const policy = loadYaml(
      "rules:\n  - name: u\n    match: { finding: unused }\n    lifecycle: { quarantine: { afterDays: 14 } }\n",
    );

    // Act
    const { summary } = planAccount([makeSecret({ lastAccessedDate: daysAgo(100) })], policy, NOW, {
      mode: "report",
    });

    // Assess
    expect(summary.unusedMonthlyCostUsd).toBe(0.4);
    expect(summary.projectedMonthlySavingsUsd).toBe(0);
  });

  it("counts the savings of a rule that deletes with plain actions", () => {
    const policy = loadYaml(
      "rules:\n  - name: u\n    match: { finding: unused }\n    actions: [quarantine, schedule-deletion]\n",
    );
    const { summary } = planAccount([makeSecret({ lastAccessedDate: daysAgo(100) })], policy, NOW, {
      mode: "report",
    });
    expect(summary.projectedMonthlySavingsUsd).toBe(0.4);
  });
});

describe("planAccount: the blast-radius limit", () => {
  /** `n` secrets flagged long enough to be quarantined; the i-th flagged 10+i days ago (the last waited longest). */
  function dueForQuarantine(n: number): Secret[] {
    return Array.from({ length: n }, (_, i) =>
      stagedSecret("flagged", 10 + i, { name: `app/s${String(i).padStart(2, "0")}` }),
    );
  }

  /** `n` secrets the governor already quarantined today. */
  function quarantinedToday(n: number): Secret[] {
    return Array.from({ length: n }, (_, i) => stagedSecret("quarantined", 0, { name: `done/s${i}` }));
  }

  it.each<[string, string, Secret[], { allowed: number; planned: number; withheld: number }]>([
    [
      "per run, by count",
      "  perRun: { count: 2 }",
      dueForQuarantine(5),
      { allowed: 2, planned: 5, withheld: 3 },
    ],
    [
      "per run, by percent (rounded up)",
      "  perRun: { percent: 10 }",
      dueForQuarantine(11),
      {
        allowed: 2,
        planned: 11,
        withheld: 9,
      },
    ],
    [
      "per run, the smaller of count and percent",
      "  perRun: { count: 1, percent: 50 }",
      dueForQuarantine(4),
      {
        allowed: 1,
        planned: 4,
        withheld: 3,
      },
    ],
    [
      "per day, minus what was done today",
      "  perRun: { count: 10 }\n  perDay: { count: 4 }",
      [...dueForQuarantine(4), ...quarantinedToday(3)],
      { allowed: 1, planned: 4, withheld: 3 },
    ],
    [
      "per day, by percent of all secrets (rounded up), minus today's",
      "  perRun: { count: 10 }\n  perDay: { percent: 50 }",
      [...dueForQuarantine(4), ...quarantinedToday(1)],
      { allowed: 2, planned: 4, withheld: 2 },
    ],
    [
      "per day already spent",
      "  perRun: { count: 10 }\n  perDay: { count: 2 }",
      [...dueForQuarantine(2), ...quarantinedToday(3)],
      { allowed: 0, planned: 2, withheld: 2 },
    ],
    [
      "a fractional percent is not rounded up by floating-point error (375 * 8.8% is 33)",
      "  perRun: { percent: 8.8 }\n  perDay: { count: 1000 }",
      [...dueForQuarantine(40), ...Array.from({ length: 335 }, (_, i) => makeSecret({ name: `ok/s${i}` }))],
      { allowed: 33, planned: 40, withheld: 7 },
    ],
    [
      "no limit given: the defaults (20 and 10% per run)",
      "  perDay: { count: 1000 }",
      dueForQuarantine(30),
      {
        allowed: 3,
        planned: 30,
        withheld: 27,
      },
    ],
  ])("%s", (_label, limits, secrets, expected) => {
    // Act
    const plan = planAccount(secrets, limited(limits), NOW, { mode: "enforce" });

    // Assess
    expect(plan.limit).toEqual(expected);
    expect(plan.decisions.filter((d) => d.action === "quarantine")).toHaveLength(expected.allowed);
    expect(plan.decisions.filter((d) => d.guard === "limit-reached")).toHaveLength(expected.withheld);
  });

  it("lets the longest-waiting go first and withholds the rest with their current stage", () => {
    // Prepare
    const secrets = dueForQuarantine(4);

    // Act
    const plan = planAccount(secrets, limited("  perRun: { count: 2 }\n  perDay: { count: 50 }"), NOW, {
      mode: "enforce",
    });

    // Assess
    expect(plan.decisions.map((d) => [d.name, d.action, d.stage, d.guard])).toEqual([
      ["app/s00", "none", "flagged", "limit-reached"],
      ["app/s01", "none", "flagged", "limit-reached"],
      ["app/s02", "quarantine", "quarantined", null],
      ["app/s03", "quarantine", "quarantined", null],
    ]);
    const withheld = plan.decisions[0];
    expect(withheld?.steps).toEqual([]);
    expect(withheld?.next).toBeUndefined();
    expect(withheld?.reason).toBe(
      "blast-radius limit of 2 per run reached: quarantine waits for the next run",
    );
    expect(withheld?.trace.at(-1)).toBe(`guard limit-reached: ${withheld?.reason}`);
  });

  it("counts deletions as destructive and leaves flagging alone", () => {
    // Prepare
    const secrets = [
      stagedSecret("quarantined", 6, { name: "app/q" }),
      stagedSecret("flagged", 5, { name: "app/f" }),
      makeSecret({ name: "app/new-unused", lastAccessedDate: daysAgo(100) }),
    ];

    // Act
    const plan = planAccount(secrets, limited("  perRun: { count: 1 }\n  perDay: { count: 50 }"), NOW, {
      mode: "enforce",
    });

    // Assess
    expect(plan.decisions.map((d) => [d.name, d.action, d.guard])).toEqual([
      ["app/q", "schedule-deletion", null],
      ["app/f", "none", "limit-reached"],
      ["app/new-unused", "tag", null],
    ]);
  });

  it("counts today's destructive actions from governor:stage-since", () => {
    // Prepare
    const secrets = [
      stagedSecret("quarantined", 0),
      stagedSecret("deletion-scheduled", 0, { deletedDate: NOW }),
      stagedSecret("flagged", 0),
      stagedSecret("quarantined", 1),
      makeSecret({
        tags: { "governor:stage": "quarantined", "governor:stage-since": `${isoDaysAgo(0)}T23:00:00Z` },
      }),
    ];

    // Act
    const count = destructiveActionsToday(secrets, NOW);

    // Assess
    expect(count).toBe(3);
  });
});
