import { describe, expect, it } from "vitest";
import { runSweep } from "../../src/app/sweep.js";
import {
  ASFF_LIMITS,
  type AsffFinding,
  AsffFindingSchema,
  findingId,
  productArn,
  type ReportedFinding,
} from "../../src/domain/asff.js";
import type { Decision } from "../../src/domain/decision.js";
import type { Secret } from "../../src/domain/secret.js";
import {
  ACCESS_QUIET_DAYS,
  eventFindings,
  reconcileSweep,
  restoredFinding,
  severityFor,
  unusedFinding,
} from "../../src/report/security-hub.js";
import {
  ACCOUNT_ID,
  accountOf,
  arnOf,
  BREAK_GLASS,
  defaultPolicy,
  deniedFinding,
  entry,
  exampleAccount,
  NOW,
  policyOf,
  rotationFailedFinding,
  secretOf,
} from "../fixtures/app/fakes.js";

const POLICY = defaultPolicy();
const DAY = 86_400_000;

/** Every finding must fit ASFF's required fields and bounds. */
function valid(findings: AsffFinding[]): AsffFinding[] {
  for (const f of findings) {
    const parsed = AsffFindingSchema.safeParse(f);
    expect(parsed.success, `${f.Id}: ${parsed.success ? "" : parsed.error.message}`).toBe(true);
  }
  return findings;
}

async function sweepDecisions(now = NOW) {
  const account = exampleAccount(now);
  const result = await runSweep({
    store: account,
    policy: POLICY,
    mode: "report",
    now,
    exemptPrincipals: [BREAK_GLASS],
  });
  return { decisions: result.outcomes.map((o) => o.decision), secrets: result.secrets, account };
}

const byName = (findings: AsffFinding[]) =>
  Object.fromEntries(
    findings.map((f) => [
      f.Resources[0]?.Details?.AwsSecretsManagerSecret.Name ?? f.Resources[0]?.Id,
      `${f.Compliance.Status} ${f.Severity.Label} ${f.RecordState} ${f.Workflow.Status}`,
    ]),
  );

describe("the sweep's findings (reconcileSweep)", () => {
  it("reports every unused secret once, FAILED with a severity rising with its stage, and report-only ones as WARNING", async () => {
    // Prepare
    const { decisions, secrets } = await sweepDecisions();

    // Act
    const plan = reconcileSweep({ decisions, secrets, reported: [], policy: POLICY, now: NOW });

    // Assess
    expect(byName(valid(plan.findings))).toEqual({
      "app/stale": "FAILED LOW ACTIVE NEW",
      "app/never-used": "FAILED LOW ACTIVE NEW",
      "app/flagged-5d": "FAILED LOW ACTIVE NEW",
      "app/flagged-20d": "FAILED MEDIUM ACTIVE NEW",
      "app/quarantined-20d": "FAILED HIGH ACTIVE NEW",
      // Read again: the governor resets its lifecycle, and says so even without a record of the finding.
      "app/used-again": "PASSED INFORMATIONAL ACTIVE RESOLVED",
      "rds!db-7f3a9c1e-2b4d-4e8f-9a6b-1c2d3e4f5a6b": "WARNING LOW ACTIVE NEW",
      "app/retired": "FAILED HIGH ACTIVE NEW",
      "app/legacy-epoch": "FAILED LOW ACTIVE NEW",
    });
    // Exempt and replicas-unknown secrets: nothing reported (exempt has no record to resolve).
    expect(plan.remember.map((r) => r.secretArn)).toHaveLength(8);
    expect(plan.forget).toEqual([]);
  });

  it("gives each finding a stable Id, the account's default product ARN, and the fields Security Hub requires", async () => {
    const { decisions, secrets } = await sweepDecisions();
    const plan = reconcileSweep({ decisions, secrets, reported: [], policy: POLICY, now: NOW });
    const stale = plan.findings.find((f) => f.Title.includes("app/stale")) as AsffFinding;
    const arn = (secrets.find((s) => s.name === "app/stale") as Secret).arn;

    expect(stale.Id).toBe(`${ACCOUNT_ID}/us-east-1/secrets-governor/unused/${arn}`);
    expect(stale.Id).toBe(findingId("unused", arn));
    expect(stale.ProductArn).toBe(
      `arn:aws:securityhub:us-east-1:${ACCOUNT_ID}:product/${ACCOUNT_ID}/default`,
    );
    expect(stale.ProductArn).toBe(productArn("aws", "us-east-1", ACCOUNT_ID));
    expect(stale).toMatchObject({
      GeneratorId: "secrets-governor/unused",
      AwsAccountId: ACCOUNT_ID,
      Types: ["Software and Configuration Checks/AWS Security Best Practices/Unused Secrets Manager secret"],
      UpdatedAt: NOW.toISOString(),
      Compliance: { Status: "FAILED" },
      Workflow: { Status: "NEW" },
      RecordState: "ACTIVE",
      FindingProviderFields: { Severity: { Label: "LOW" } },
      ProductFields: { "secrets-governor/kind": "unused", "secrets-governor/stage": "flagged" },
    });
    expect(stale.Resources).toEqual([
      expect.objectContaining({
        Type: "AwsSecretsManagerSecret",
        Id: arn,
        Region: "us-east-1",
        Partition: "aws",
      }),
    ]);
    expect(stale.Resources[0]?.Details?.AwsSecretsManagerSecret).toMatchObject({
      Name: "app/stale",
      Deleted: false,
    });
    expect(stale.Remediation.Recommendation.Text).toContain(`governor restore ${arn} --live`);
    // CreatedAt: when the secret became unused (its last read plus the rule's 90 days), not the run's time.
    expect(stale.CreatedAt).toBe("2026-09-29T00:00:00.000Z");
  });

  it("says in report mode what a step would do, since nothing was changed", async () => {
    const { decisions, secrets } = await sweepDecisions();
    const plan = reconcileSweep({
      decisions,
      secrets,
      reported: [],
      policy: POLICY,
      now: NOW,
      mode: "report",
    });
    const stale = plan.findings.find((f) => f.Title.includes("app/stale"));
    expect(stale?.Title).toBe("Unused secret (report mode: would be flagged): app/stale");
    expect(stale?.Description).toMatch(/^Report mode, nothing was changed: /);
    expect(stale?.Compliance.Status).toBe("FAILED");
  });

  it("keeps CreatedAt from the record, so every update carries the first one", async () => {
    const { decisions, secrets } = await sweepDecisions();
    const arn = (secrets.find((s) => s.name === "app/stale") as Secret).arn;
    const first = new Date("2026-10-01T06:00:00Z");
    const reported: ReportedFinding[] = [
      { kind: "unused", secretArn: arn, createdAt: first, lastSeen: first },
    ];

    const plan = reconcileSweep({ decisions, secrets, reported, policy: POLICY, now: NOW });

    expect(plan.findings.find((f) => f.Id === findingId("unused", arn))?.CreatedAt).toBe(first.toISOString());
    expect(plan.remember.find((r) => r.secretArn === arn)).toEqual({
      kind: "unused",
      secretArn: arn,
      createdAt: first,
      lastSeen: NOW,
    });
  });

  it("resolves what was reported and holds no more, archives what is gone, updates what still holds", async () => {
    // Prepare: five findings reported before
    const then = new Date(NOW.getTime() - 3 * DAY);
    const account = accountOf([
      entry("app/read-now", { LastAccessedDate: "2026-11-22T00:00:00Z" }),
      entry("app/exempted", {
        LastAccessedDate: "2026-11-22T00:00:00Z",
        RotationEnabled: true,
        tags: { "governor:exempt": "true" },
      }),
      entry("app/rotated", {
        LastAccessedDate: "2026-11-22T00:00:00Z",
        RotationEnabled: true,
        LastRotatedDate: "2026-11-22T12:00:00Z",
      }),
      entry("app/still-failing", {
        LastAccessedDate: "2026-11-22T00:00:00Z",
        RotationEnabled: true,
        LastRotatedDate: "2026-10-01T00:00:00Z",
      }),
      entry("app/probed", { LastAccessedDate: "2026-11-22T00:00:00Z" }),
      entry("app/probed-long-ago", { LastAccessedDate: "2026-11-22T00:00:00Z" }),
    ]);
    const secrets: Secret[] = [];
    for await (const page of account.list()) secrets.push(...page);
    const reported: ReportedFinding[] = [
      { kind: "unused", secretArn: arnOf("app/read-now"), createdAt: then, lastSeen: then },
      { kind: "rotation-failed", secretArn: arnOf("app/exempted"), createdAt: then, lastSeen: then },
      { kind: "rotation-failed", secretArn: arnOf("app/rotated"), createdAt: then, lastSeen: then },
      { kind: "rotation-failed", secretArn: arnOf("app/still-failing"), createdAt: then, lastSeen: then },
      { kind: "access-failure", secretArn: arnOf("app/probed"), createdAt: then, lastSeen: then },
      {
        kind: "access-failure",
        secretArn: arnOf("app/probed-long-ago"),
        createdAt: then,
        lastSeen: new Date(NOW.getTime() - ACCESS_QUIET_DAYS * DAY),
      },
      { kind: "unused", secretArn: arnOf("app/deleted"), createdAt: then, lastSeen: then },
    ];

    // Act: no decisions today (nothing unused)
    const plan = reconcileSweep({ decisions: [], secrets, reported, policy: POLICY, now: NOW });

    // Assess
    const states = Object.fromEntries(
      valid(plan.findings).map((f) => [f.Id, `${f.Compliance.Status} ${f.RecordState} ${f.Workflow.Status}`]),
    );
    expect(states).toEqual({
      [findingId("unused", arnOf("app/read-now"))]: "PASSED ACTIVE RESOLVED",
      [findingId("rotation-failed", arnOf("app/exempted"))]: "PASSED ACTIVE RESOLVED",
      [findingId("rotation-failed", arnOf("app/rotated"))]: "PASSED ACTIVE RESOLVED",
      [findingId("rotation-failed", arnOf("app/still-failing"))]: "FAILED ACTIVE NEW",
      [findingId("access-failure", arnOf("app/probed"))]: "FAILED ACTIVE NEW",
      [findingId("access-failure", arnOf("app/probed-long-ago"))]: "PASSED ACTIVE RESOLVED",
      [findingId("unused", arnOf("app/deleted"))]: "PASSED ARCHIVED RESOLVED",
    });
    for (const f of plan.findings) expect(f.CreatedAt).toBe(then.toISOString());
    expect(plan.forget.map((r) => `${r.kind} ${r.secretArn.split(":secret:")[1]}`).sort()).toEqual([
      "access-failure app/probed-long-ago-AbCdEf",
      "rotation-failed app/exempted-AbCdEf",
      "rotation-failed app/rotated-AbCdEf",
      "unused app/deleted-AbCdEf",
      "unused app/read-now-AbCdEf",
    ]);
    const archived = plan.findings.find((f) => f.RecordState === "ARCHIVED") as AsffFinding;
    expect(archived.Resources[0]).toMatchObject({
      Id: arnOf("app/deleted"),
      Details: { AwsSecretsManagerSecret: { Deleted: true } },
    });
  });

  it("resolves the unused finding of a secret that became exempt", async () => {
    const secret = await secretOf(
      accountOf([
        entry("app/kept", { LastAccessedDate: "2025-01-01T00:00:00Z", tags: { "governor:exempt": "true" } }),
      ]),
      "app/kept",
    );
    const exempt: Decision = {
      arn: secret.arn,
      name: secret.name,
      finding: "unused",
      rule: "unused-secrets",
      action: "none",
      steps: [],
      stage: null,
      reason: "exempt (tag governor:exempt=true)",
      guard: "exempt",
      route: "default",
      trace: [],
    };
    const reported: ReportedFinding[] = [
      { kind: "unused", secretArn: secret.arn, createdAt: NOW, lastSeen: NOW },
    ];

    const plan = reconcileSweep({
      decisions: [exempt],
      secrets: [secret],
      reported,
      policy: POLICY,
      now: NOW,
    });

    expect(plan.findings.map((f) => [f.Compliance.Status, f.Workflow.Status])).toEqual([
      ["PASSED", "RESOLVED"],
    ]);
    expect(plan.forget).toHaveLength(1);
  });
});

describe("severity", () => {
  it("takes the rule's severity over the defaults", () => {
    const policy = policyOf(`
version: 1
rules:
  - name: unused
    match: { finding: unused }
    severity: CRITICAL
    lifecycle: { flag: { afterDays: 0 } }
  - name: rotation
    match: { finding: rotation-failed }
    actions: [notify]
`);
    expect(severityFor(policy, "unused", "unused", "flagged")).toBe("CRITICAL");
    expect(severityFor(policy, "rotation-failed", "rotation", null)).toBe("MEDIUM");
    expect(severityFor(policy, "access-failure", null, null)).toBe("MEDIUM");
    expect(severityFor(POLICY, "unused", "unused-secrets", "deletion-scheduled")).toBe("HIGH");
  });
});

describe("bounds", () => {
  it("keeps titles, descriptions, names and tags within ASFF's limits, whatever the secret says", async () => {
    const long = `app/${"x".repeat(500)}`;
    const tags: Record<string, string> = {};
    for (let i = 0; i < 60; i++) tags[`team-${String(i).padStart(2, "0")}`] = "v".repeat(300);
    const secret = await secretOf(
      accountOf([
        entry(long, { LastAccessedDate: "2025-01-01T00:00:00Z", Description: "d".repeat(3000), tags }),
      ]),
      long,
    );
    const decision: Decision = {
      arn: secret.arn,
      name: secret.name,
      finding: "unused",
      rule: "unused-secrets",
      action: "tag",
      steps: [],
      stage: "flagged",
      reason: "r".repeat(2000),
      guard: null,
      route: "default",
      trace: [],
    };

    const [finding] = valid([unusedFinding(decision, secret, POLICY, NOW) as AsffFinding]);

    expect(finding?.Title.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
    expect(finding?.Description.length).toBeLessThanOrEqual(ASFF_LIMITS.description);
    expect(Object.keys(finding?.Resources[0]?.Tags ?? {})).toHaveLength(50);
    expect(Object.values(finding?.Resources[0]?.Tags ?? {}).every((v) => v.length <= 256)).toBe(true);
    // The ARN is over ASFF's 512 characters with its prefix: the Id carries its hash, stable all the same.
    expect(finding?.Id.length).toBeLessThanOrEqual(ASFF_LIMITS.id);
    expect(finding?.Id).toBe(findingId("unused", secret.arn));
    expect(finding?.Id).toMatch(/\/secrets-governor\/unused\/hash-[0-9a-f]+$/);
  });
});

describe("the event path's findings (eventFindings)", () => {
  const at = new Date("2026-11-23T09:00:00Z");

  async function withSecret(tags: Record<string, string> = {}) {
    return secretOf(accountOf([entry("app/db", { RotationEnabled: true, tags })]), "app/db");
  }

  function decisionFor(secret: Secret, finding: Decision["finding"], rule = "rotation-failures"): Decision {
    return {
      arn: secret.arn,
      name: secret.name,
      finding,
      rule,
      action: "notify",
      steps: [{ kind: "notify", route: "default" }],
      stage: null,
      reason: "3 failures within 15 minutes by arn:aws:iam::123456789012:role/app",
      guard: null,
      route: "default",
      trace: [],
    };
  }

  it("opens a rotation failure, and resolves it when Config reports the rotation COMPLIANT again", async () => {
    const secret = await withSecret();
    const failed = { ...rotationFailedFinding(secret.arn), observedAt: at };
    const open = eventFindings(
      [{ finding: failed, secret, decision: decisionFor(secret, "rotation-failed") }],
      [],
      POLICY,
      NOW,
    );
    expect(valid(open.findings).map((f) => [f.Id, f.Compliance.Status, f.CreatedAt])).toEqual([
      [findingId("rotation-failed", secret.arn), "FAILED", at.toISOString()],
    ]);
    expect(open.remember).toEqual([
      { kind: "rotation-failed", secretArn: secret.arn, createdAt: at, lastSeen: at },
    ]);

    const resolved = eventFindings(
      [
        {
          finding: { ...failed, status: "resolved" },
          secret,
          decision: decisionFor(secret, "rotation-failed"),
        },
      ],
      open.remember,
      POLICY,
      NOW,
    );
    expect(valid(resolved.findings).map((f) => [f.Compliance.Status, f.CreatedAt])).toEqual([
      ["PASSED", at.toISOString()],
    ]);
    expect(resolved.forget).toHaveLength(1);
  });

  it("reports nothing for a rotation the governor's own quarantine broke", async () => {
    const secret = await withSecret({
      "governor:stage": "quarantined",
      "governor:stage-since": "2026-11-01",
    });
    const plan = eventFindings(
      [
        {
          finding: rotationFailedFinding(secret.arn),
          secret,
          decision: decisionFor(secret, "rotation-failed"),
        },
      ],
      [],
      POLICY,
      NOW,
    );
    expect(plan.findings).toEqual([]);
  });

  it("opens an access-failure incident with the incident's reason, but not the governor's own refused call", async () => {
    const secret = await withSecret();
    const denied = deniedFinding(secret.arn);
    const plan = eventFindings(
      [
        { finding: denied, secret, decision: decisionFor(secret, "access-denied", "access-failures") },
        { finding: denied, secret, decision: decisionFor(secret, "access-denied", "own-call-refused") },
      ],
      [],
      POLICY,
      NOW,
    );
    expect(valid(plan.findings)).toHaveLength(1);
    expect(plan.findings[0]).toMatchObject({
      Id: findingId("access-failure", secret.arn),
      GeneratorId: "secrets-governor/access-failure",
      Compliance: { Status: "FAILED" },
      Severity: { Label: "MEDIUM" },
    });
    expect(plan.findings[0]?.Description).toContain("3 failures within 15 minutes");
  });
});

describe("restore", () => {
  it("resolves the unused finding, keeping its CreatedAt", async () => {
    const secret = await withSecretNamed("app/restored");
    const first = new Date("2026-10-01T00:00:00Z");
    const [finding] = valid([
      restoredFinding(secret, NOW, {
        kind: "unused",
        secretArn: secret.arn,
        createdAt: first,
        lastSeen: first,
      }),
    ]);
    expect(finding).toMatchObject({
      Id: findingId("unused", secret.arn),
      CreatedAt: first.toISOString(),
      Compliance: { Status: "PASSED" },
      Workflow: { Status: "RESOLVED" },
      RecordState: "ACTIVE",
    });
  });
});

async function withSecretNamed(name: string): Promise<Secret> {
  return secretOf(accountOf([entry(name)]), name);
}
