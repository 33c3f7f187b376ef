import { describe, expect, it } from "vitest";
import { AccessFailureWindow } from "../../src/app/access-window.js";
import { type ProcessDeps, processFindings } from "../../src/app/process-findings.js";
import type { Finding } from "../../src/domain/finding.js";
import { addQuarantine, QUARANTINE_SID, quarantineStatement } from "../../src/domain/quarantine.js";
import { AdapterError } from "../../src/errors.js";
import type { SecretStore } from "../../src/ports.js";
import {
  accountOf,
  arnOf,
  BREAK_GLASS,
  defaultPolicy,
  deniedFinding,
  entry,
  exampleAccount,
  examplePolicyText,
  governorTags,
  NOW,
  policyOf,
  RecordingAudit,
  rotationFailedFinding,
  ScriptedStore,
  secretOf,
  unusedFinding,
  writesSince,
} from "../fixtures/app/fakes.js";

const POLICY = defaultPolicy();

function deps(
  store: SecretStore,
  overrides: Partial<ProcessDeps> = {},
): ProcessDeps & { audit: RecordingAudit } {
  const policy = overrides.policy ?? POLICY;
  return {
    store,
    policy,
    mode: "enforce",
    now: NOW,
    exemptPrincipals: [BREAK_GLASS],
    audit: new RecordingAudit(),
    accessWindow: new AccessFailureWindow(
      policy.accessFailures.windowMinutes,
      policy.accessFailures.incidentAfter,
    ),
    ...overrides,
  } as ProcessDeps & { audit: RecordingAudit };
}

describe("processFindings", () => {
  it("handles findings in order, each seeing the state the previous one left", async () => {
    // Prepare: a read denied by the quarantine releases it; the next unused finding starts the lifecycle again.
    const account = exampleAccount();
    const arn = (await secretOf(account, "app/quarantined-20d")).arn;
    const findings = [deniedFinding(arn), unusedFinding(arn)];

    // Act
    const results = await processFindings(findings, deps(account));

    // Assess
    expect(results.map((r) => [r.outcome?.decision.action, r.outcome?.outcome])).toEqual([
      ["release", "done"],
      ["tag", "done"],
    ]);
    expect(results[1]?.secret?.tags["governor:stage"]).toBeUndefined();
    expect(governorTags(await secretOf(account, arn))).toEqual({
      "governor:stage": "flagged",
      "governor:stage-since": "2026-11-23",
    });
  });

  it("changes nothing for a duplicate finding", async () => {
    // Prepare
    const account = exampleAccount();
    const finding = unusedFinding("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/stale-Ef34Gh");

    // Act
    const first = await processFindings([finding], deps(account));
    const from = account.calls.length;
    const second = await processFindings([{ ...finding }], deps(account));

    // Assess
    expect(first[0]?.outcome?.outcome).toBe("done");
    expect(second[0]?.outcome?.decision.action).toBe("none");
    expect(second[0]?.outcome?.outcome).toBe("skipped");
    expect(second[0]?.outcome?.decision.next).toEqual({ action: "quarantine", on: "2026-12-07" });
    expect(writesSince(account, from)).toEqual([]);
  });

  it("notes a finding for a secret that does not exist, without a failure or an audit entry", async () => {
    // Prepare
    const account = exampleAccount();
    const d = deps(account);

    // Act
    const results = await processFindings([unusedFinding("app/gone")], d);

    // Assess
    expect(results).toHaveLength(1);
    expect(results[0]?.note).toBe(
      "secret app/gone does not exist (deleted before the event was handled): skipped",
    );
    expect(results[0]?.decision).toBeUndefined();
    expect(results[0]?.outcome).toBeUndefined();
    expect(d.audit.entries).toEqual([]);
  });

  it("fails a finding whose secret cannot be described, and goes on with the next", async () => {
    // Prepare
    const account = exampleAccount();
    const throttled = new AdapterError("DescribeSecret: ThrottlingException", "DescribeSecret", true);
    const store = new ScriptedStore(account).fail("describe", throttled, ["app/stale"]);

    // Act
    const results = await processFindings(
      [unusedFinding("app/stale"), unusedFinding("app/never-used")],
      deps(store),
    );

    // Assess
    expect(results.map((r) => r.outcome?.outcome)).toEqual(["failed", "done"]);
    expect(results[0]?.outcome?.error).toBe(throttled);
    expect(results[0]?.outcome?.decision.action).toBe("none");
  });

  it.each([
    { failures: 1, notes: ["1 of 3 failures within 15 minutes: not an incident yet"], actions: [] },
    {
      failures: 2,
      notes: [
        "1 of 3 failures within 15 minutes: not an incident yet",
        "2 of 3 failures within 15 minutes: not an incident yet",
      ],
      actions: [],
    },
    {
      failures: 3,
      notes: [
        "1 of 3 failures within 15 minutes: not an incident yet",
        "2 of 3 failures within 15 minutes: not an incident yet",
      ],
      actions: ["notify"],
    },
    {
      failures: 4,
      notes: [
        "1 of 3 failures within 15 minutes: not an incident yet",
        "2 of 3 failures within 15 minutes: not an incident yet",
        "already reported in this window (1 more since)",
      ],
      actions: ["notify"],
    },
  ])("$failures access failure(s) of one principal: a decision only at the threshold", async ({
    failures,
    notes,
    actions,
  }) => {
    // Prepare
    const account = exampleAccount();
    const findings = Array.from({ length: failures }, (_, i) => deniedFinding("app/active", i));
    const d = deps(account);

    // Act
    const results = await processFindings(findings, d);

    // Assess
    expect(results.flatMap((r) => (r.note ? [r.note] : []))).toEqual(notes);
    expect(results.flatMap((r) => (r.decision ? [r.decision.action] : []))).toEqual(actions);
    expect(d.audit.entries.map((e) => e.action)).toEqual(actions);
    expect(writesSince(account)).toEqual([]);
  });

  it.each([
    "access-denied",
    "decryption-failure",
  ] as const)("releases at once on the first %s of a secret it quarantined", async (type) => {
    // Prepare
    const name = "app/quarantined-20d";
    const account = exampleAccount();
    const finding: Finding = { ...deniedFinding(name), type };

    // Act
    const results = await processFindings([finding], deps(account));

    // Assess
    const decision = results[0]?.outcome?.decision;
    expect(decision?.rule).toBe("quarantine-feedback");
    expect(decision?.action).toBe("release");
    expect(results[0]?.outcome?.outcome).toBe("done");
    const original = JSON.parse(examplePolicyText(name)) as { Statement: { Sid: string }[] };
    expect(JSON.parse((await account.getResourcePolicy(finding.secretId)) ?? "{}")).toEqual({
      ...original,
      Statement: original.Statement.filter((s) => s.Sid !== QUARANTINE_SID),
    });
    expect(governorTags(await secretOf(account, name))).toEqual({});
  });

  it("takes a read denied by its own statement on a secret still tagged flagged (a run cut short) as proof of use", async () => {
    // Prepare: the deny statement was put, the run died before the tag said quarantined.
    const arn = arnOf("app/half-quarantined");
    const account = accountOf(
      [
        entry("app/half-quarantined", {
          LastAccessedDate: "2026-05-01T00:00:00Z",
          tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-01" },
        }),
      ],
      { [arn]: addQuarantine(undefined, quarantineStatement([BREAK_GLASS])) },
    );

    // Act: a single denial, below any incident threshold.
    const results = await processFindings([deniedFinding("app/half-quarantined")], deps(account));

    // Assess
    expect(results[0]?.outcome?.decision).toMatchObject({ rule: "quarantine-feedback", action: "release" });
    expect(results[0]?.outcome?.outcome).toBe("done");
    expect(await account.getResourcePolicy(arn)).toBeUndefined();
    expect(governorTags(await secretOf(account, arn))).toEqual({});
  });

  it.each([
    ["app/quarantined-20d", "caused by the governor's own quarantine"],
    ["app/retired", "caused by the governor's own deletion"],
  ])("says a rotation failure of %s was caused by the governor", async (name, reason) => {
    // Prepare
    const account = exampleAccount();

    // Act
    const results = await processFindings([rotationFailedFinding(name)], deps(account));

    // Assess
    expect(results[0]?.decision?.action).toBe("notify");
    expect(results[0]?.decision?.reason).toContain(reason);
    expect(results[0]?.outcome?.decision.reason).toContain(reason);
  });

  it("reports a rotation failure of a secret it has not quarantined as the owner's problem", async () => {
    // Prepare
    const account = exampleAccount();

    // Act
    const results = await processFindings([rotationFailedFinding("app/flagged-5d")], deps(account));

    // Assess
    expect(results[0]?.decision?.reason).toBe(
      "rotation-failed: Error when executing lambda during setSecret step",
    );
  });

  it("never escalates on the event path: a due quarantine is left to the sweep, which holds the limit", async () => {
    // Prepare: four secrets due for quarantine (a burst of Config events), a generous limit.
    const names = ["app/a", "app/b", "app/c", "app/d"];
    const account = accountOf(
      names.map((name) =>
        entry(name, {
          LastAccessedDate: "2026-05-01T00:00:00Z",
          tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-01" },
        }),
      ),
    );
    const d = deps(account);

    // Act
    const results = await processFindings(
      names.map((n) => unusedFinding(n)),
      d,
    );

    // Assess
    expect(
      results.map((r) => [r.outcome?.decision.action, r.outcome?.decision.guard, r.outcome?.outcome]),
    ).toEqual(names.map(() => ["none", null, "skipped"]));
    expect(results[0]?.outcome?.decision.next).toEqual({ action: "quarantine", on: "2026-11-23" });
    expect(results[0]?.outcome?.detail).toContain(
      "the daily sweep carries it out, under the blast-radius limit",
    );
    expect(writesSince(account)).toEqual([]);
    for (const name of names)
      expect(governorTags(await secretOf(account, name))["governor:stage"]).toBe("flagged");
  });

  it("records one audit entry per decision, with its outcome, in one call", async () => {
    // Prepare
    const account = exampleAccount();
    const d = deps(account, { mode: "enforce" });
    const findings = [
      unusedFinding("app/stale"),
      unusedFinding("app/gone"),
      unusedFinding("breakglass/root-mfa"),
      unusedFinding("app/flagged-20d"),
      deniedFinding("app/active"),
    ];

    // Act
    await processFindings(findings, d);

    // Assess
    expect(d.audit.batches).toHaveLength(1);
    expect(
      d.audit.entries.map((e) => ({
        name: e.name,
        action: e.action,
        guard: e.guard,
        outcome: e.outcome,
        mode: e.mode,
      })),
    ).toEqual([
      { name: "app/stale", action: "tag", guard: null, outcome: "done", mode: "enforce" },
      { name: "breakglass/root-mfa", action: "none", guard: "exempt", outcome: "withheld", mode: "enforce" },
      { name: "app/flagged-20d", action: "none", guard: null, outcome: "skipped", mode: "enforce" },
    ]);
    expect(d.audit.entries.every((e) => e.time === NOW.toISOString() && e.finding === "unused")).toBe(true);
    expect(d.audit.entries[1]?.detail).toContain("exempt");
  });

  it("in report mode plans every decision and writes nothing", async () => {
    // Prepare
    const account = exampleAccount();
    const snapshot = account.snapshot();
    const d = deps(account, { mode: "report" });

    // Act
    const results = await processFindings(
      [unusedFinding("app/stale"), unusedFinding("app/flagged-20d"), deniedFinding("app/quarantined-20d")],
      d,
    );

    // Assess
    expect(results.map((r) => [r.outcome?.decision.action, r.outcome?.outcome])).toEqual([
      ["tag", "planned"],
      ["none", "skipped"],
      ["release", "planned"],
    ]);
    expect(d.audit.entries.map((e) => e.outcome)).toEqual(["planned", "skipped", "planned"]);
    expect(writesSince(account)).toEqual([]);
    expect(account.snapshot()).toEqual(snapshot);
  });

  it("uses the policy's own threshold for access failures", async () => {
    // Prepare
    const policy = policyOf(`
accessFailures: { incidentAfter: 1 }
rules:
  - name: access
    match: { finding: access-denied }
    actions: [notify]
`);
    const account = exampleAccount();

    // Act
    const results = await processFindings(
      [deniedFinding("app/active")],
      deps(account, {
        policy,
        accessWindow: new AccessFailureWindow(
          policy.accessFailures.windowMinutes,
          policy.accessFailures.incidentAfter,
        ),
      }),
    );

    // Assess
    expect(results[0]?.decision?.action).toBe("notify");
    expect(results[0]?.decision?.rule).toBe("access");
  });
});
