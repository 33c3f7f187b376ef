import { describe, expect, it } from "vitest";
import { MemoryAccessFailureCounter } from "../../src/adapters/access-failure-counter.js";
import { MemoryReportedFindings } from "../../src/adapters/reported-findings.js";
import { MemorySecurityFindings } from "../../src/adapters/security-hub.js";
import { type ProcessDeps, processFindings } from "../../src/app/process-findings.js";
import { publish, SECURITY_HUB_FAILED, type SecurityHubDeps } from "../../src/app/security-hub.js";
import { runSweep } from "../../src/app/sweep.js";
import { AsffFindingSchema, findingId } from "../../src/domain/asff.js";
import type { SecretStore } from "../../src/ports.js";
import { closedFinding, rotationFailedFinding } from "../../src/report/security-hub.js";
import {
  accountOf,
  BREAK_GLASS,
  defaultPolicy,
  deniedFinding,
  entry,
  exampleAccount,
  NOW,
  RecordingLog,
  secretOf,
  unusedFinding,
} from "../fixtures/app/fakes.js";

/** The event path's Security Hub findings, through processFindings, on the in-memory adapters. */

const POLICY = defaultPolicy();

function hub(): SecurityHubDeps & {
  sink: MemorySecurityFindings;
  reported: MemoryReportedFindings;
  log: RecordingLog;
} {
  return {
    sink: new MemorySecurityFindings(),
    reported: new MemoryReportedFindings(),
    log: new RecordingLog(),
  };
}

function deps(
  store: SecretStore,
  securityHub: SecurityHubDeps,
  extra: Partial<ProcessDeps> = {},
): ProcessDeps {
  return {
    store,
    policy: POLICY,
    mode: "enforce",
    now: NOW,
    exemptPrincipals: [BREAK_GLASS],
    securityHub,
    ...extra,
  };
}

describe("the event path's findings", () => {
  it("opens one access-failure finding at the incident, not for the failures before it", async () => {
    // Prepare
    const account = accountOf([entry("app/db", { LastAccessedDate: "2026-11-22T00:00:00Z" })]);
    const secret = await secretOf(account, "app/db");
    const securityHub = hub();
    const counter = new MemoryAccessFailureCounter(15, 3);

    // Act: two failures, then the third that makes the incident, then a fourth in the same window
    for (const minute of [0, 1])
      await processFindings(
        [deniedFinding(secret.arn, minute)],
        deps(account, securityHub, { accessCounter: counter }),
      );
    expect(securityHub.sink.list()).toEqual([]);
    await processFindings(
      [deniedFinding(secret.arn, 2)],
      deps(account, securityHub, { accessCounter: counter }),
    );
    await processFindings(
      [deniedFinding(secret.arn, 3)],
      deps(account, securityHub, { accessCounter: counter }),
    );

    // Assess
    const findings = securityHub.sink.list();
    expect(findings.map((f) => [f.Id, f.Compliance.Status])).toEqual([
      [findingId("access-failure", secret.arn), "FAILED"],
    ]);
    expect(AsffFindingSchema.safeParse(findings[0]).success).toBe(true);
    expect(await securityHub.reported.list()).toEqual([
      expect.objectContaining({ kind: "access-failure", secretArn: secret.arn }),
    ]);
  });

  it("resolves a reported unused finding when Config says the secret is read again", async () => {
    // Prepare: a flagged secret whose unused finding was reported; Config now reports it COMPLIANT
    const account = accountOf([
      entry("app/back", {
        LastAccessedDate: "2026-11-22T00:00:00Z",
        tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-01" },
      }),
    ]);
    const secret = await secretOf(account, "app/back");
    const securityHub = hub();
    const first = new Date("2026-08-01T00:00:00Z");
    await securityHub.reported.remember([
      { kind: "unused", secretArn: secret.arn, createdAt: first, lastSeen: first },
    ]);

    // Act
    const [result] = await processFindings(
      [unusedFinding(secret.arn, "resolved")],
      deps(account, securityHub),
    );

    // Assess: the lifecycle reset happened, and the finding says so
    expect(result?.outcome?.decision.action).toBe("untag");
    expect(securityHub.sink.list().map((f) => [f.Compliance.Status, f.Workflow.Status, f.CreatedAt])).toEqual(
      [["PASSED", "RESOLVED", first.toISOString()]],
    );
    expect(await securityHub.reported.list()).toEqual([]);
  });

  it("imports nothing for an unused event that only flags: the sweep opens those", async () => {
    const account = accountOf([entry("app/old", { LastAccessedDate: "2025-01-01T00:00:00Z" })]);
    const secret = await secretOf(account, "app/old");
    const securityHub = hub();
    await processFindings([unusedFinding(secret.arn)], deps(account, securityHub));
    expect(securityHub.sink.requests).toEqual([]);
  });
});

describe("the sweep out of time", () => {
  it("leaves the import to the next sweep, and says so, so that the digests still go out", async () => {
    const securityHub = hub();
    const result = await runSweep({
      store: exampleAccount(NOW),
      policy: POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
      remainingMs: () => 30_000,
      securityHub,
      log: securityHub.log,
    });
    expect(result.securityHub).toBeUndefined();
    expect(securityHub.sink.requests).toEqual([]);
    expect(securityHub.log.lines.find((l) => l.message === SECURITY_HUB_FAILED)?.extra).toMatchObject({
      securityHubFailed: 1,
    });
  });
});

describe("publish", () => {
  it("forgets a resolved finding only once Security Hub took it, and remembers open ones even when it did not", async () => {
    const securityHub = hub();
    const refusing = {
      import: async (findings: { Id: string }[]) => ({
        imported: 0,
        failed: findings.map((f) => ({ id: f.Id, code: "InternalException", message: "down" })),
      }),
    };
    const account = accountOf([entry("app/a"), entry("app/b")]);
    const a = await secretOf(account, "app/a");
    const b = await secretOf(account, "app/b");
    await securityHub.reported.remember([
      { kind: "unused", secretArn: a.arn, createdAt: NOW, lastSeen: NOW },
    ]);

    const summary = await publish(
      {
        findings: [
          closedFinding("unused", a.arn, a, NOW, NOW, "read again"),
          rotationFailedFinding(b, POLICY, NOW, NOW, NOW),
        ],
        remember: [{ kind: "rotation-failed", secretArn: b.arn, createdAt: NOW, lastSeen: NOW }],
        forget: [{ kind: "unused", secretArn: a.arn, createdAt: NOW, lastSeen: NOW }],
      },
      { ...securityHub, sink: refusing as never },
    );

    expect(summary).toEqual({ imported: 0, failed: 2 });
    expect((await securityHub.reported.list()).map((r) => r.kind).sort()).toEqual([
      "rotation-failed",
      "unused",
    ]);
    expect(
      securityHub.log.lines.find((l) => l.message === SECURITY_HUB_FAILED)?.extra.securityHubFailed,
    ).toBe(2);
  });

  it("never throws when the record cannot be written: logs and counts it", async () => {
    const securityHub = hub();
    const broken = {
      list: async () => [],
      remember: async () => {
        throw new Error("ProvisionedThroughputExceededException");
      },
      forget: async () => {},
    };
    const account = accountOf([entry("app/a")]);
    const a = await secretOf(account, "app/a");

    const summary = await publish(
      {
        findings: [rotationFailedFinding(a, POLICY, NOW, NOW, NOW)],
        remember: [{ kind: "rotation-failed", secretArn: a.arn, createdAt: NOW, lastSeen: NOW }],
        forget: [],
      },
      { ...securityHub, reported: broken },
    );

    expect(summary).toEqual({ imported: 1, failed: 1 });
    expect(securityHub.log.lines.find((l) => l.message === SECURITY_HUB_FAILED)?.extra).toMatchObject({
      step: "record reported findings",
    });
  });
});
