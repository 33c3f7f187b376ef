import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryAccessFailureCounter } from "../../src/adapters/access-failure-counter.js";
import {
  AUDIT_DELIVERY_FAILED,
  OWN_CALL_REFUSED_RULE,
  type ProcessDeps,
  processFindings,
  recordAudit,
} from "../../src/app/process-findings.js";
import type { Finding } from "../../src/domain/finding.js";
import {
  addQuarantine,
  isQuarantined,
  QUARANTINE_SID,
  quarantineStatement,
} from "../../src/domain/quarantine.js";
import { AdapterError, AuditDeliveryError } from "../../src/errors.js";
import type { AuditEntry, AuditSink, SecretStore } from "../../src/ports.js";
import {
  accountOf,
  arnOf,
  BREAK_GLASS,
  defaultPolicy,
  deniedFinding,
  entry,
  exampleAccount,
  examplePolicyText,
  GOVERNOR_ROLE,
  governorTags,
  NOW,
  policyOf,
  RecordingAudit,
  RecordingLog,
  rotationFailedFinding,
  ScriptedStore,
  secretOf,
  unusedFinding,
  writesSince,
} from "../fixtures/app/fakes.js";

// One denied read proves use here (releaseAfter: 1): these tests are about what the release does; the threshold
// and who may prove use are tested below with the default policy.
const POLICY = { ...defaultPolicy(), accessFailures: { ...defaultPolicy().accessFailures, releaseAfter: 1 } };

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
    accessCounter: new MemoryAccessFailureCounter(
      policy.accessFailures.windowMinutes,
      policy.accessFailures.incidentAfter,
    ),
    ...overrides,
  } as ProcessDeps & { audit: RecordingAudit };
}

describe("processFindings", () => {
  it("handles findings in order, each seeing the state the previous one left", async () => {
    // Prepare: a read denied by the quarantine releases it and records the proof of use; Config, which still
    // sees the old LastAccessedDate, says unused again right after.
    const account = exampleAccount();
    const arn = (await secretOf(account, "app/quarantined-20d")).arn;
    const findings = [deniedFinding(arn), unusedFinding(arn)];

    // Act
    const results = await processFindings(findings, deps(account));

    // Assess: the proof keeps the lifecycle from starting again.
    expect(
      results.map((r) => [r.outcome?.decision.action, r.outcome?.decision.guard, r.outcome?.outcome]),
    ).toEqual([
      ["release", null, "done"],
      ["none", "recently-accessed", "withheld"],
    ]);
    expect(results[1]?.secret?.tags["governor:stage"]).toBeUndefined();
    expect(governorTags(await secretOf(account, arn))).toEqual({ "governor:used-on": "2026-11-23" });
  });

  it("records the proof of use before the release, so a run cut short still leaves the secret in use", async () => {
    // Prepare
    const account = exampleAccount();
    const from = account.calls.length;

    // Act
    await processFindings([deniedFinding("app/quarantined-20d")], deps(account));

    // Assess
    expect(writesSince(account, from)).toEqual([
      "TagResource app/quarantined-20d",
      "PutResourcePolicy app/quarantined-20d",
      "UntagResource app/quarantined-20d",
    ]);
  });

  it("cancels a deletion before it records the proof (AWS refuses tags on a secret scheduled for deletion)", async () => {
    // Prepare
    const account = exampleAccount();
    const from = account.calls.length;

    // Act
    const results = await processFindings([deniedFinding("app/retired")], deps(account));

    // Assess
    expect(results[0]?.outcome?.outcome).toBe("done");
    expect(writesSince(account, from)[0]).toBe("RestoreSecret app/retired");
    expect(writesSince(account, from)).toContain("TagResource app/retired");
    expect(governorTags(await secretOf(account, "app/retired"))).toEqual({
      "governor:used-on": "2026-11-23",
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
    expect(governorTags(await secretOf(account, name))).toEqual({ "governor:used-on": "2026-11-23" });
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
    expect(governorTags(await secretOf(account, arn))).toEqual({ "governor:used-on": "2026-11-23" });
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
        accessCounter: new MemoryAccessFailureCounter(
          policy.accessFailures.windowMinutes,
          policy.accessFailures.incidentAfter,
        ),
      }),
    );

    // Assess
    expect(results[0]?.decision?.action).toBe("notify");
    expect(results[0]?.decision?.rule).toBe("access");
  });

  it("makes one incident of a fleet: failures of one role's sessions, each session named", async () => {
    // Prepare: three instances of one service, each its own session ARN.
    const account = exampleAccount();
    const session = (i: number) => `arn:aws:sts::123456789012:assumed-role/orders-app/i-00${i}`;
    const findings = [1, 2, 3, 4].map((i) => deniedFinding("app/active", i, session(i)));

    // Act
    const results = await processFindings(findings, deps(account));

    // Assess
    expect(results.map((r) => r.decision?.action ?? r.note)).toEqual([
      "1 of 3 failures within 15 minutes: not an incident yet",
      "2 of 3 failures within 15 minutes: not an incident yet",
      "notify",
      "already reported in this window (1 more since)",
    ]);
    expect(results[2]?.accessFailures).toEqual({
      principal: "arn:aws:iam::123456789012:role/orders-app",
      count: 3,
      sessions: ["i-001", "i-002", "i-003"],
    });
    expect(results[2]?.decision?.reason).toContain(
      "3 failures within 15 minutes by arn:aws:iam::123456789012:role/orders-app from 3 sessions: i-001, i-002, i-003",
    );
  });

  it("reports the governor's own refused calls as such: no incident, no aggregation", async () => {
    // Prepare: three TagResource denials of the governor's own role, above the incident threshold.
    const account = exampleAccount();
    const own =
      "arn:aws:sts::123456789012:assumed-role/secrets-governor/secrets-governor-prod-config-compliance";
    const findings = [0, 1, 2].map((m) => {
      const f = deniedFinding("app/active", m, own);
      return { ...f, access: { ...f.access, api: "TagResource" } } as Finding;
    });
    const window = new MemoryAccessFailureCounter(15, 3);
    const d = deps(account, { selfPrincipals: [GOVERNOR_ROLE], accessCounter: window });

    // Act
    const results = await processFindings(findings, d);

    // Assess
    expect(results.map((r) => [r.decision?.rule, r.decision?.action, r.outcome?.outcome, r.note])).toEqual(
      findings.map(() => [OWN_CALL_REFUSED_RULE, "none", "skipped", undefined]),
    );
    expect(results[0]?.decision?.reason).toMatch(
      /^the governor's own TagResource call was refused \(AccessDenied\) for .*secrets-governor.*: not an incident/,
    );
    expect(window.size).toBe(0);
    expect(writesSince(account)).toEqual([]);
  });

  it("never takes the governor's own refused call on a quarantined secret as proof of use", async () => {
    // Prepare
    const account = exampleAccount();
    const arn = (await secretOf(account, "app/quarantined-20d")).arn;
    const own = "arn:aws:sts::123456789012:assumed-role/secrets-governor/sweep";

    // Act
    const results = await processFindings(
      [deniedFinding(arn, 0, own)],
      deps(account, { selfPrincipals: [GOVERNOR_ROLE] }),
    );

    // Assess
    expect(results[0]?.decision?.rule).toBe(OWN_CALL_REFUSED_RULE);
    expect(writesSince(account)).toEqual([]);
    expect(isQuarantined(await account.getResourcePolicy(arn))).toBe(true);
    expect(governorTags(await secretOf(account, arn))["governor:stage"]).toBe("quarantined");
  });

  it("takes another role's denial as usual when selfPrincipals are given", async () => {
    // Prepare
    const account = exampleAccount();

    // Act
    const results = await processFindings(
      [deniedFinding("app/quarantined-20d")],
      deps(account, { selfPrincipals: [GOVERNOR_ROLE] }),
    );

    // Assess
    expect(results[0]?.decision?.rule).toBe("quarantine-feedback");
  });
});

describe("processFindings: an audit that cannot be delivered", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  class FailingAudit implements AuditSink {
    constructor(private readonly error: (entries: AuditEntry[]) => Error) {}
    async record(entries: AuditEntry[]): Promise<void> {
      throw this.error(entries);
    }
  }

  it("never throws: the results come back and the entries are logged whole, marked auditDeliveryFailed", async () => {
    // Prepare
    const account = exampleAccount();
    const log = new RecordingLog();
    const error = new AdapterError("PutEvents failed: AccessDeniedException", "PutEvents", false);
    const d = deps(account, { audit: new FailingAudit(() => error), log });

    // Act
    const results = await processFindings([unusedFinding("app/stale")], d);

    // Assess
    expect(results[0]?.outcome?.outcome).toBe("done");
    expect(log.at("error")).toHaveLength(1);
    const line = log.at("error")[0];
    expect(line?.message).toBe(AUDIT_DELIVERY_FAILED);
    expect(line?.extra).toMatchObject({ auditDeliveryFailed: 1, error: error.message });
    expect(line?.extra.entries).toEqual([
      expect.objectContaining({ name: "app/stale", action: "tag", outcome: "done" }),
    ]);
  });

  it("logs only the entries the sink says it could not deliver", async () => {
    // Prepare
    const account = exampleAccount();
    const log = new RecordingLog();
    const audit = new FailingAudit(
      (entries) => new AuditDeliveryError("PutEvents: 1 of 2 failed twice", true, entries.slice(1)),
    );

    // Act
    await processFindings(
      [unusedFinding("app/stale"), unusedFinding("app/never-used")],
      deps(account, { audit, log }),
    );

    // Assess
    const line = log.at("error")[0];
    expect(line?.extra.auditDeliveryFailed).toBe(1);
    expect((line?.extra.entries as AuditEntry[]).map((e) => e.name)).toEqual(["app/never-used"]);
  });

  it("without a log, writes the entries as one JSON line to stderr", async () => {
    // Prepare
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((text: string) => {
      lines.push(text);
    });
    const entry = {
      time: NOW.toISOString(),
      mode: "enforce",
      arn: arnOf("app/x"),
      name: "app/x",
      finding: "unused",
      action: "tag",
      guard: null,
      outcome: "done",
    } satisfies AuditEntry;

    // Act
    const delivered = await recordAudit(new FailingAudit(() => new Error("down")), [entry]);

    // Assess
    expect(delivered).toBe(false);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { message: AUDIT_DELIVERY_FAILED, auditDeliveryFailed: 1, error: "down", entries: [entry] },
    ]);
  });

  it("records nothing and reports delivered when there is nothing to record", async () => {
    // Prepare
    const audit = new RecordingAudit();

    // Act
    const delivered = await recordAudit(audit, []);

    // Assess
    expect(delivered).toBe(true);
    expect(audit.batches).toEqual([]);
  });
});

describe("processFindings: denied reads of a secret that does not exist", () => {
  it("makes an incident of them at the threshold, to the default route, and a note below it", async () => {
    const account = exampleAccount();
    const d = deps(account);
    const findings = [0, 1, 2].map((minute) => deniedFinding("app/nope", minute));

    const results = await processFindings(findings, d);

    expect(results.slice(0, 2).map((r) => r.note)).toEqual([
      "secret app/nope does not exist (deleted before the event was handled): skipped",
      "secret app/nope does not exist (deleted before the event was handled): skipped",
    ]);
    expect(results[2]?.outcome?.decision).toMatchObject({
      rule: "unknown-secret",
      action: "notify",
      name: "app/nope",
      route: "default",
    });
    expect(results[2]?.outcome?.decision.reason).toContain("someone may be probing for secret names");
    expect(writesSince(account)).toEqual([]);
  });
});

describe("processFindings: a denied read of a quarantined secret, as an attacker would send it", () => {
  const DEFAULTS = defaultPolicy();
  const ATTACKER = "arn:aws:sts::999999999999:assumed-role/attacker/x";
  const READER = "arn:aws:sts::123456789012:assumed-role/reporting-batch/i-0abc123";
  const NAME = "app/quarantined-20d";

  function withDefaults(store: SecretStore) {
    return deps(store, { policy: DEFAULTS });
  }

  it("never releases for a caller of another account, however often: three denials make one probe notice", async () => {
    // Prepare
    const account = exampleAccount();
    const arn = (await secretOf(account, NAME)).arn;
    const findings = [0, 1, 2, 3].map((i) => deniedFinding(arn, i, ATTACKER));
    const d = withDefaults(account);

    // Act
    const results = await processFindings(findings, d);

    // Assess
    expect(writesSince(account)).toEqual([]);
    expect(governorTags(await secretOf(account, arn))["governor:stage"]).toBe("quarantined");
    expect(results.map((r) => r.decision?.rule ?? r.note)).toEqual([
      expect.stringMatching(/^1 of 3 failures .*not proof of use \(a caller of account 999999999999/),
      expect.stringMatching(/^2 of 3 failures/),
      "quarantine-probe",
      "already reported in this window (1 more since)",
    ]);
    expect(results[2]?.decision?.steps.map((s) => s.kind)).toEqual(["notify"]);
    expect(d.audit.entries.map((e) => [e.action, e.outcome])).toEqual([["notify", "done"]]);
  });

  it("does not release when the denial is not the quarantine's (an identity-policy deny of the reader)", async () => {
    // Prepare
    const account = exampleAccount();
    const arn = (await secretOf(account, NAME)).arn;
    const findings = [0, 1, 2].map((i) => {
      const f = deniedFinding(arn, i, READER);
      const message = f.access?.errorMessage?.replace("resource-based", "identity-based");
      return { ...f, access: { ...f.access, api: "GetSecretValue", errorMessage: message ?? "" } };
    });

    // Act
    const results = await processFindings(findings, withDefaults(account));

    // Assess
    expect(writesSince(account)).toEqual([]);
    expect(results[2]?.decision?.rule).toBe("quarantine-probe");
  });

  it("does not release when the secret's policy no longer holds the governor's statement", async () => {
    // Prepare
    const account = exampleAccount();
    const arn = (await secretOf(account, NAME)).arn;
    // Someone replaced the policy (a set-up write, so first removed: the test store checks writes of ours).
    await account.deleteResourcePolicy(arn);
    await account.putResourcePolicy(arn, examplePolicyText("app/active"));
    const from = account.calls.length;

    // Act
    const results = await processFindings(
      [0, 1, 2].map((i) => deniedFinding(arn, i, READER)),
      withDefaults(account),
    );

    // Assess
    expect(writesSince(account, from)).toEqual([]);
    expect(results[2]?.decision?.reason).toMatch(/does not hold the governor's quarantine/);
  });

  it.each([
    [1, []],
    [2, []],
    [3, ["TagResource", "PutResourcePolicy", "UntagResource"]],
  ])("a reader of the same account, denied by the quarantine %i time(s): released at releaseAfter (3)", async (times, writes) => {
    // Prepare: sessions of one role count as that role.
    const account = exampleAccount();
    const arn = (await secretOf(account, NAME)).arn;
    const findings = Array.from({ length: times }, (_, i) =>
      deniedFinding(arn, i, `arn:aws:sts::123456789012:assumed-role/reporting-batch/i-${i}`),
    );

    // Act
    const results = await processFindings(findings, withDefaults(account));

    // Assess
    expect(writesSince(account).map((w) => w.split(" ")[0])).toEqual(writes);
    expect(results.at(-1)?.decision?.rule ?? null).toBe(times === 3 ? "quarantine-feedback" : null);
  });

  it("releases at the first denial when the policy says one is enough (releaseAfter: 1)", async () => {
    // Prepare
    const account = exampleAccount();
    const arn = (await secretOf(account, NAME)).arn;
    const policy = { ...DEFAULTS, accessFailures: { ...DEFAULTS.accessFailures, releaseAfter: 1 } };

    // Act
    const results = await processFindings([deniedFinding(arn, 0, READER)], deps(account, { policy }));

    // Assess
    expect(results[0]?.outcome?.decision.rule).toBe("quarantine-feedback");
    expect(results[0]?.outcome?.outcome).toBe("done");
  });

  it("releases for a foreign reader the secret's policy allowed before the quarantine", async () => {
    // Prepare
    const account = exampleAccount();
    const arn = (await secretOf(account, NAME)).arn;
    const partner = "arn:aws:iam::210987654321:role/partner";
    const before = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Partner",
          Effect: "Allow",
          Principal: { AWS: partner },
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
        },
      ],
    });
    await account.deleteResourcePolicy(arn);
    await account.putResourcePolicy(arn, before);
    await account.putResourcePolicy(arn, addQuarantine(before, quarantineStatement([GOVERNOR_ROLE])));
    const findings = [0, 1, 2].map((i) =>
      deniedFinding(arn, i, "arn:aws:sts::210987654321:assumed-role/partner/job"),
    );

    // Act
    const results = await processFindings(findings, withDefaults(account));

    // Assess
    expect(results[2]?.outcome?.decision.rule).toBe("quarantine-feedback");
    expect(JSON.parse((await account.getResourcePolicy(arn)) ?? "{}")).toEqual(JSON.parse(before));
  });
});
