import { describe, expect, it } from "vitest";
import type { Decision, Step } from "../../src/domain/decision.js";
import type { FindingType } from "../../src/domain/finding.js";
import type { Secret } from "../../src/domain/secret.js";
import { type EvaluationInput, evaluate, readStage, routeFor } from "../../src/policy/evaluate.js";
import type { Policy } from "../../src/policy/schema.js";
import {
  daysAgo,
  defaultPolicy,
  isoDaysAgo,
  loadYaml,
  makeSecret,
  NOW,
  type SecretSpec,
  stagedSecret,
  withRules,
} from "./builders.js";

const TODAY = "2026-11-23";
const STAGE_TAGS = ["governor:stage", "governor:stage-since"];
const NOTIFY: Step = { kind: "notify", route: "default" };
const UNTAG: Step = { kind: "untag", keys: STAGE_TAGS };
/** The proof of use a denied read leaves on the secret. */
const USED_TODAY: Step = { kind: "tag", tags: { "governor:used-on": TODAY } };

/** The tags a rule's plain `quarantine` writes: the stage, its date and the rule that set it. */
function tagRuleQuarantine(rule: string): Step {
  return {
    kind: "tag",
    tags: { "governor:stage": "quarantined", "governor:stage-since": TODAY, "governor:stage-rule": rule },
  };
}

function tagStage(stage: string): Step {
  // The deletion stage carries the run's time, so that a run cut short before DeleteSecret can be told apart.
  const since = stage === "deletion-scheduled" ? NOW.toISOString() : TODAY;
  return { kind: "tag", tags: { "governor:stage": stage, "governor:stage-since": since } };
}

function judge(secret: Secret, policy: Policy = defaultPolicy(), extra: Partial<EvaluationInput> = {}) {
  return evaluate({ secret, finding: "unused", ...extra }, policy, NOW);
}

/** The default policy's lifecycle with other settings. */
function lifecycle(settings: string, top = ""): Policy {
  return loadYaml(`${top}rules:
  - name: unused-secrets
    match: { finding: unused }
    lifecycle:
${settings}
  - name: access-failures
    match: { finding: [access-denied, decryption-failure] }
    actions: [notify]
`);
}

type Expect = Pick<Decision, "action" | "steps" | "stage" | "guard"> & { next?: Decision["next"] };

function shape(decision: Decision | undefined): Expect | undefined {
  if (!decision) return undefined;
  const out: Expect = {
    action: decision.action,
    steps: decision.steps,
    stage: decision.stage,
    guard: decision.guard,
  };
  if (decision.next) out.next = decision.next;
  return out;
}

describe("evaluate: judging unused", () => {
  it.each<[string, SecretSpec, Expect | undefined]>([
    ["read exactly 90 days ago: nothing to do", { lastAccessedDate: daysAgo(90) }, undefined],
    [
      "read 91 days ago: flagged",
      { lastAccessedDate: daysAgo(91) },
      {
        action: "tag",
        steps: [tagStage("flagged"), NOTIFY],
        stage: "flagged",
        guard: null,
        next: { action: "quarantine", on: "2026-12-07" },
      },
    ],
    ["never read, created today: not flagged", { lastAccessedDate: undefined, createdDate: NOW }, undefined],
    [
      "never read, created 90 days ago: not flagged",
      { lastAccessedDate: undefined, createdDate: daysAgo(90) },
      undefined,
    ],
    [
      "never read, created 91 days ago: flagged",
      { lastAccessedDate: undefined, createdDate: daysAgo(91) },
      {
        action: "tag",
        steps: [tagStage("flagged"), NOTIFY],
        stage: "flagged",
        guard: null,
        next: { action: "quarantine", on: "2026-12-07" },
      },
    ],
    [
      "no dates at all: cannot judge, nothing to do (and it says so)",
      { lastAccessedDate: undefined, createdDate: undefined },
      { action: "none", steps: [], stage: null, guard: null },
    ],
    [
      "a replicated primary read in a replica last week: in use",
      {
        primaryRegion: "us-east-1",
        lastAccessedDate: daysAgo(300),
        replicas: [{ region: "eu-west-1", lastAccessedDate: daysAgo(7) }],
      },
      undefined,
    ],
    [
      "a replicated primary unused in every region: flagged",
      {
        primaryRegion: "us-east-1",
        lastAccessedDate: daysAgo(300),
        replicas: [{ region: "eu-west-1", lastAccessedDate: daysAgo(100) }],
      },
      {
        action: "tag",
        steps: [tagStage("flagged"), NOTIFY],
        stage: "flagged",
        guard: null,
        next: { action: "quarantine", on: "2026-12-07" },
      },
    ],
    [
      "a replicated primary without ReplicationStatus: guard replicas-unknown",
      { primaryRegion: "us-east-1", replicas: undefined, lastAccessedDate: daysAgo(300) },
      { action: "none", steps: [], stage: null, guard: "replicas-unknown" },
    ],
  ])("%s", (_label, spec, expected) => {
    // Prepare
    const secret = makeSecret(spec);

    // Act
    const decision = judge(secret);

    // Assess
    expect(shape(decision)).toEqual(expected);
  });

  it.each([
    [
      "first judged unused today: wait 3 days",
      91,
      { action: "none", next: { action: "tag", on: "2026-11-26" } },
    ],
    ["unused for 2 days: wait 1 more", 93, { action: "none", next: { action: "tag", on: "2026-11-24" } }],
    ["unused for 3 days: flag", 94, { action: "tag", next: { action: "quarantine", on: "2026-12-07" } }],
  ])("flag.afterDays counts days after first judged unused: %s", (_label, unread, expected) => {
    // Prepare
    const policy = lifecycle("      flag: { afterDays: 3 }\n      quarantine: { afterDays: 14 }");
    const secret = makeSecret({ lastAccessedDate: daysAgo(unread) });

    // Act
    const decision = judge(secret, policy);

    // Assess
    expect(decision).toMatchObject(expected);
  });

  it.each([
    ["the lifecycle", defaultPolicy()],
    [
      "a rule of plain actions",
      loadYaml("rules:\n  - name: unused-report\n    match: { finding: unused }\n    actions: [notify]\n"),
    ],
  ])("says why %s skips a secret with neither CreatedDate nor LastAccessedDate", (_label, policy) => {
    // Prepare
    const secret = makeSecret({ lastAccessedDate: undefined, createdDate: undefined });

    // Act
    const decision = judge(secret, policy);

    // Assess
    expect(decision).toMatchObject({
      action: "none",
      steps: [],
      guard: null,
      reason: "no CreatedDate or LastAccessedDate: cannot judge whether it is unused, so it is skipped",
    });
  });

  it("uses the rule's own unusedForDays", () => {
    // Prepare
    const policy = loadYaml(`rules:
  - name: unused-secrets
    match: { finding: unused }
    unusedForDays: 30
    lifecycle: {}
`);

    // Act
    const [at30, at31] = [30, 31].map((d) => judge(makeSecret({ lastAccessedDate: daysAgo(d) }), policy));

    // Assess
    expect(at30).toBeUndefined();
    expect(at31?.action).toBe("tag");
    expect(at31?.next).toBeUndefined();
  });
});

describe("evaluate: lifecycle stages", () => {
  it.each<[string, Secret, Expect]>([
    [
      "flagged 13 days: quarantine tomorrow",
      stagedSecret("flagged", 13),
      {
        action: "none",
        steps: [],
        stage: "flagged",
        guard: null,
        next: { action: "quarantine", on: "2026-11-24" },
      },
    ],
    [
      "flagged 14 days: quarantined",
      stagedSecret("flagged", 14),
      {
        action: "quarantine",
        steps: [{ kind: "quarantine" }, tagStage("quarantined"), NOTIFY],
        stage: "quarantined",
        guard: null,
        next: { action: "schedule-deletion", on: "2026-12-09" },
      },
    ],
    [
      "flagged 40 days (a missed run): quarantined, not deleted",
      stagedSecret("flagged", 40),
      {
        action: "quarantine",
        steps: [{ kind: "quarantine" }, tagStage("quarantined"), NOTIFY],
        stage: "quarantined",
        guard: null,
        next: { action: "schedule-deletion", on: "2026-12-09" },
      },
    ],
    [
      "quarantined 15 days: deletion tomorrow",
      stagedSecret("quarantined", 15),
      {
        action: "none",
        steps: [],
        stage: "quarantined",
        guard: null,
        next: { action: "schedule-deletion", on: "2026-11-24" },
      },
    ],
    [
      "quarantined 16 days: deletion scheduled with the recovery window",
      stagedSecret("quarantined", 16),
      {
        action: "schedule-deletion",
        steps: [
          tagStage("deletion-scheduled"),
          { kind: "schedule-deletion", recoveryWindowDays: 30 },
          NOTIFY,
        ],
        stage: "deletion-scheduled",
        guard: null,
      },
    ],
    [
      "deletion scheduled and pending: nothing (already-deleted)",
      stagedSecret("deletion-scheduled", 5, { deletedDate: daysAgo(5) }),
      { action: "none", steps: [], stage: "deletion-scheduled", guard: "already-deleted" },
    ],
    [
      "tagged deletion-scheduled by a run, unchanged since, not scheduled (cut short before DeleteSecret): completed",
      stagedSecret("deletion-scheduled", 1, {
        tags: { "governor:stage": "deletion-scheduled", "governor:stage-since": "2026-11-22T06:00:00.000Z" },
        lastChangedDate: new Date("2026-05-01T00:00:00Z"),
      }),
      {
        action: "schedule-deletion",
        steps: [{ kind: "schedule-deletion", recoveryWindowDays: 30 }, NOTIFY],
        stage: "deletion-scheduled",
        guard: null,
      },
    ],
    [
      "tagged deletion-scheduled by a run, then changed (deleted and restored by hand): the way back",
      stagedSecret("deletion-scheduled", 1, {
        tags: { "governor:stage": "deletion-scheduled", "governor:stage-since": "2026-11-22T06:00:00.000Z" },
        lastChangedDate: new Date("2026-11-22T09:30:00Z"),
      }),
      { action: "release", steps: [{ kind: "release" }, UNTAG, NOTIFY], stage: null, guard: null },
    ],
    [
      "deletion scheduled but restored outside the governor: the way back",
      stagedSecret("deletion-scheduled", 5),
      { action: "release", steps: [{ kind: "release" }, UNTAG, NOTIFY], stage: null, guard: null },
    ],
    [
      "flagged without stage-since: the clock restarts today",
      makeSecret({ lastAccessedDate: daysAgo(200), tags: { "governor:stage": "flagged" } }),
      { action: "tag", steps: [tagStage("flagged")], stage: "flagged", guard: null },
    ],
    [
      "quarantined with an invalid stage-since: the clock restarts today",
      makeSecret({
        lastAccessedDate: daysAgo(200),
        tags: { "governor:stage": "quarantined", "governor:stage-since": "last week" },
      }),
      { action: "tag", steps: [tagStage("quarantined")], stage: "quarantined", guard: null },
    ],
    [
      "an unknown stage value is treated as no stage",
      makeSecret({
        lastAccessedDate: daysAgo(200),
        tags: { "governor:stage": "purgatory", "governor:stage-since": isoDaysAgo(100) },
      }),
      {
        action: "tag",
        steps: [tagStage("flagged"), NOTIFY],
        stage: "flagged",
        guard: null,
        next: { action: "quarantine", on: "2026-12-07" },
      },
    ],
  ])("%s", (_label, secret, expected) => {
    // Act
    const decision = judge(secret);

    // Assess
    expect(shape(decision)).toEqual(expected);
  });

  it.each([
    [
      "a flag-only lifecycle keeps a flagged secret flagged",
      "      flag: { afterDays: 0 }",
      "flagged",
      "(no quarantine stage)",
    ],
    [
      "a lifecycle without deletion keeps a quarantined secret quarantined",
      "      quarantine: { afterDays: 14 }",
      "quarantined",
      "(no deletion stage)",
    ],
  ])("%s", (_label, settings, stage, reason) => {
    // Prepare
    const policy = lifecycle(settings);

    // Act
    const decision = judge(stagedSecret(stage, 300), policy);

    // Assess
    expect(decision?.action).toBe("none");
    expect(decision?.stage).toBe(stage);
    expect(decision?.reason).toContain(reason);
  });

  it("stage-since counts in UTC days: a --now of 01:00+05:00 is still the day before", () => {
    // Prepare
    const secret = stagedSecret("flagged", 14);
    const now = new Date("2026-11-23T01:00:00+05:00");

    // Act
    const decision = evaluate({ secret, finding: "unused" }, defaultPolicy(), now);

    // Assess
    expect(decision?.action).toBe("none");
    expect(decision?.next).toEqual({ action: "quarantine", on: "2026-11-23" });
  });

  it("quarantines on the exact day across a leap day", () => {
    // Prepare
    const now = new Date("2028-03-01T09:00:00Z");
    const secret = makeSecret({
      lastAccessedDate: new Date("2027-01-01T00:00:00Z"),
      tags: { "governor:stage": "flagged", "governor:stage-since": "2028-02-16" },
    });

    // Act
    const decision = evaluate({ secret, finding: "unused" }, defaultPolicy(), now);

    // Assess
    expect(decision?.action).toBe("quarantine");
    expect(decision?.steps[1]).toEqual({
      kind: "tag",
      tags: { "governor:stage": "quarantined", "governor:stage-since": "2028-03-01" },
    });
    expect(decision?.next).toEqual({ action: "schedule-deletion", on: "2028-03-17" });
  });
});

describe("evaluate: the way back when used again", () => {
  it.each<[string, Secret, Partial<EvaluationInput>, Expect]>([
    [
      "flagged, read yesterday: untagged",
      stagedSecret("flagged", 5, { lastAccessedDate: daysAgo(1) }),
      {},
      { action: "untag", steps: [UNTAG, NOTIFY], stage: null, guard: null },
    ],
    [
      "quarantined, read 90 days ago (not unused any more): released",
      stagedSecret("quarantined", 5, { lastAccessedDate: daysAgo(90) }),
      {},
      { action: "release", steps: [{ kind: "release" }, UNTAG, NOTIFY], stage: null, guard: null },
    ],
    [
      "quarantined, Config says compliant again: released",
      stagedSecret("quarantined", 5),
      { status: "resolved" },
      { action: "release", steps: [{ kind: "release" }, UNTAG, NOTIFY], stage: null, guard: null },
    ],
    [
      "deletion pending, Config says compliant again: deletion cancelled first",
      stagedSecret("deletion-scheduled", 2, { deletedDate: daysAgo(2) }),
      { status: "resolved" },
      {
        action: "cancel-deletion",
        steps: [{ kind: "cancel-deletion" }, { kind: "release" }, UNTAG, NOTIFY],
        stage: null,
        guard: null,
      },
    ],
    [
      "quarantined, Config says unused but it was read yesterday: released",
      stagedSecret("quarantined", 5, { lastAccessedDate: daysAgo(1) }),
      { status: "open" },
      { action: "release", steps: [{ kind: "release" }, UNTAG, NOTIFY], stage: null, guard: null },
    ],
  ])("%s", (_label, secret, extra, expected) => {
    // Act
    const decision = judge(secret, defaultPolicy(), extra);

    // Assess
    expect(shape(decision)).toEqual(expected);
  });

  it.each([
    ["flagged", stagedSecret("flagged", 5, { lastAccessedDate: daysAgo(1) })],
    ["quarantined", stagedSecret("quarantined", 5, { lastAccessedDate: daysAgo(1) })],
  ])("whenUsedAgain: notify only tells the owner (%s)", (stage, secret) => {
    // Prepare
    const policy = lifecycle("      quarantine: { afterDays: 14 }\n      whenUsedAgain: notify");

    // Act
    const decision = judge(secret, policy);

    // Assess
    expect(shape(decision)).toEqual({ action: "notify", steps: [NOTIFY], stage, guard: null });
    expect(decision?.reason).toContain("nothing undone (whenUsedAgain: notify)");
  });
});

describe("evaluate: guards", () => {
  it.each<[string, Secret, Partial<EvaluationInput>, Expect]>([
    [
      "exempt by tag, whatever the case of its value",
      makeSecret({ lastAccessedDate: daysAgo(400), tags: { "governor:exempt": "True" } }),
      {},
      { action: "none", steps: [], stage: null, guard: "exempt" },
    ],
    [
      "exempt wins over Config's open finding",
      makeSecret({ lastAccessedDate: daysAgo(400), tags: { "governor:exempt": "true" } }),
      { status: "open" },
      { action: "none", steps: [], stage: null, guard: "exempt" },
    ],
    [
      "exempt on a quarantined secret: the governor stops touching it and tells the owner how to restore it",
      stagedSecret("quarantined", 20, { tags: { "governor:exempt": "true" } }),
      {},
      { action: "notify", steps: [NOTIFY], stage: "quarantined", guard: "exempt" },
    ],
    [
      "exempt on a secret the governor scheduled for deletion: the deletion is cancelled, nothing else touched",
      stagedSecret("deletion-scheduled", 3, { deletedDate: daysAgo(3), tags: { "governor:exempt": "true" } }),
      {},
      {
        action: "cancel-deletion",
        steps: [{ kind: "cancel-deletion" }, NOTIFY],
        stage: "deletion-scheduled",
        guard: "exempt",
      },
    ],
    [
      "managed by another service: report only",
      makeSecret({ lastAccessedDate: daysAgo(400), owningService: "rds" }),
      {},
      { action: "none", steps: [], stage: null, guard: "owning-service" },
    ],
    [
      "a replica is governed in its primary's region",
      makeSecret({
        region: "eu-west-1",
        primaryRegion: "us-east-1",
        lastAccessedDate: daysAgo(400),
        replicas: undefined,
      }),
      {},
      { action: "none", steps: [], stage: null, guard: "replica" },
    ],
    [
      "a primary with replicas is quarantined but never scheduled for deletion",
      stagedSecret("quarantined", 30, {
        primaryRegion: "us-east-1",
        replicas: [{ region: "eu-west-1", lastAccessedDate: daysAgo(300) }],
      }),
      {},
      { action: "none", steps: [], stage: "quarantined", guard: "replica" },
    ],
    [
      "a primary whose replicas were all removed can be scheduled for deletion",
      stagedSecret("quarantined", 30, { primaryRegion: "us-east-1", replicas: [] }),
      {},
      {
        action: "schedule-deletion",
        steps: [
          tagStage("deletion-scheduled"),
          { kind: "schedule-deletion", recoveryWindowDays: 30 },
          NOTIFY,
        ],
        stage: "deletion-scheduled",
        guard: null,
      },
    ],
    [
      "Config says unused but the facts show a read yesterday",
      makeSecret({ lastAccessedDate: daysAgo(1) }),
      { status: "open" },
      { action: "none", steps: [], stage: null, guard: "recently-accessed" },
    ],
    [
      "scheduled for deletion by someone else",
      makeSecret({ lastAccessedDate: daysAgo(400), deletedDate: daysAgo(1) }),
      {},
      { action: "none", steps: [], stage: null, guard: "already-deleted" },
    ],
    [
      "Config says unused and the facts cannot tell: flagged on Config's word",
      makeSecret({ lastAccessedDate: undefined, createdDate: undefined }),
      { status: "open" },
      {
        action: "tag",
        steps: [tagStage("flagged"), NOTIFY],
        stage: "flagged",
        guard: null,
        next: { action: "quarantine", on: "2026-12-07" },
      },
    ],
  ])("%s", (_label, secret, extra, expected) => {
    // Act
    const decision = judge(secret, defaultPolicy(), extra);

    // Assess
    expect(shape(decision)).toEqual(expected);
  });

  it.each([
    ["a name glob", { name: "breakglass/root" }],
    ["a `*` tag", { tags: { "backup-of": "anything" } }],
  ])("exempt by %s", (_label, spec) => {
    // Prepare
    const policy = lifecycle(
      "      quarantine: { afterDays: 14 }",
      'exempt:\n  tags: { "backup-of": "*" }\n  names: ["breakglass/**"]\n',
    );

    // Act
    const decision = judge(makeSecret({ lastAccessedDate: daysAgo(400), ...spec }), policy);

    // Assess
    expect(decision?.guard).toBe("exempt");
    expect(decision?.action).toBe("none");
  });
});

describe("evaluate: access failures on a quarantined secret", () => {
  const PROOF = { proof: true, why: "a principal of the secret's own account 123456789012" };
  it.each<[string, FindingType, Secret, Expect]>([
    [
      "access-denied while quarantined: the proof of use recorded, then released",
      "access-denied",
      stagedSecret("quarantined", 3),
      {
        action: "release",
        steps: [USED_TODAY, { kind: "release" }, UNTAG, NOTIFY],
        stage: null,
        guard: null,
      },
    ],
    [
      "decryption-failure while quarantined: the proof of use recorded, then released",
      "decryption-failure",
      stagedSecret("quarantined", 3),
      {
        action: "release",
        steps: [USED_TODAY, { kind: "release" }, UNTAG, NOTIFY],
        stage: null,
        guard: null,
      },
    ],
    [
      "access-denied while deletion is pending: deletion cancelled first (AWS refuses tags until then)",
      "access-denied",
      stagedSecret("deletion-scheduled", 3, { deletedDate: daysAgo(3) }),
      {
        action: "cancel-deletion",
        steps: [{ kind: "cancel-deletion" }, USED_TODAY, { kind: "release" }, UNTAG, NOTIFY],
        stage: null,
        guard: null,
      },
    ],
    [
      "access-denied while quarantined, the proof already recorded today: not tagged again",
      "access-denied",
      stagedSecret("quarantined", 3, { tags: { "governor:used-on": TODAY } }),
      { action: "release", steps: [{ kind: "release" }, UNTAG, NOTIFY], stage: null, guard: null },
    ],
    [
      "access-denied on a flagged secret: the ordinary rule",
      "access-denied",
      stagedSecret("flagged", 3),
      { action: "notify", steps: [NOTIFY], stage: "flagged", guard: null },
    ],
  ])("%s", (_label, finding, secret, expected) => {
    // Prepare
    const input: EvaluationInput = {
      secret,
      finding,
      access: {
        api: "GetSecretValue",
        principalArn: "arn:aws:iam::123456789012:role/app",
        errorCode: "AccessDeniedException",
      },
      denial: PROOF,
    };

    // Act
    const decision = evaluate(input, defaultPolicy(), NOW);

    // Assess
    expect(shape(decision)).toEqual(expected);
  });

  it.each<[string, EvaluationInput["denial"]]>([
    ["not judged (no denial given)", undefined],
    [
      "judged not proof",
      {
        proof: false,
        why: "a caller of account 999999999999, which the secret's resource policy never allowed to read it",
      },
    ],
  ])("a denied read %s is a probe: the owner is told, the quarantine stays", (_label, denial) => {
    // Prepare
    const input: EvaluationInput = {
      secret: stagedSecret("deletion-scheduled", 3, { deletedDate: daysAgo(3) }),
      finding: "access-denied",
      access: { api: "GetSecretValue", principalArn: "arn:aws:sts::999999999999:assumed-role/attacker/x" },
      ...(denial ? { denial } : {}),
    };

    // Act
    const decision = evaluate(input, defaultPolicy(), NOW);

    // Assess
    expect(shape(decision)).toEqual({
      action: "notify",
      steps: [NOTIFY],
      stage: "deletion-scheduled",
      guard: null,
    });
    expect(decision?.rule).toBe("quarantine-probe");
    expect(decision?.reason).toContain("not proof of use");
  });

  it("names the quarantine-feedback rule and the principal", () => {
    // Prepare
    const input: EvaluationInput = {
      secret: stagedSecret("quarantined", 3),
      finding: "access-denied",
      access: { api: "GetSecretValue", principalArn: "arn:aws:iam::123456789012:role/app" },
      denial: PROOF,
    };

    // Act
    const decision = evaluate(input, defaultPolicy(), NOW);

    // Assess
    expect(decision?.rule).toBe("quarantine-feedback");
    expect(decision?.reason).toBe(
      "arn:aws:iam::123456789012:role/app still reads it (GetSecretValue denied while quarantined): the secret is in use",
    );
  });

  it("only notifies when accessFailures.onQuarantined is notify", () => {
    // Prepare
    const policy = lifecycle(
      "      quarantine: { afterDays: 14 }",
      "accessFailures:\n  onQuarantined: notify\n",
    );

    // Act
    const decision = evaluate(
      { secret: stagedSecret("quarantined", 3), finding: "access-denied", denial: PROOF },
      policy,
      NOW,
    );

    // Assess
    expect(shape(decision)).toEqual({ action: "notify", steps: [NOTIFY], stage: "quarantined", guard: null });
  });
});

describe("evaluate: rules with plain actions", () => {
  const policy = loadYaml(`routes:
  default: { webhookSecret: slack/default }
  security: { webhookSecret: slack/security }
rules:
  - name: rotation
    match: { finding: rotation-disabled, name: "app/**" }
    actions: [notify, { tag: { "governor:rotation": required } }]
  - name: rotation-others
    match: { finding: rotation-disabled }
    actions: [{ untag: ["governor:rotation"] }]
  - name: cmk
    match: { finding: not-using-cmk, kmsKey: aws/secretsmanager }
    route: security
    actions: [{ notify: {} }, quarantine, { schedule-deletion: { recoveryWindowDays: 7, afterQuarantineDays: 7 } }]
  - name: unused-report
    match: { finding: unused }
    unusedForDays: 30
    actions: [notify]
`);
  const SECURITY: Step = { kind: "notify", route: "security" };

  it.each<[string, FindingType, SecretSpec, Partial<EvaluationInput>, Expect | undefined]>([
    [
      "notify and tag",
      "rotation-disabled",
      { name: "app/db" },
      {},
      {
        action: "tag",
        steps: [NOTIFY, { kind: "tag", tags: { "governor:rotation": "required" } }],
        stage: null,
        guard: null,
      },
    ],
    [
      "a tag already present is not written again",
      "rotation-disabled",
      { name: "app/db", tags: { "governor:rotation": "required" } },
      {},
      { action: "notify", steps: [NOTIFY], stage: null, guard: null },
    ],
    [
      "the first matching rule wins: the second rule untags",
      "rotation-disabled",
      { name: "ops/db", tags: { "governor:rotation": "required" } },
      {},
      { action: "untag", steps: [{ kind: "untag", keys: ["governor:rotation"] }], stage: null, guard: null },
    ],
    [
      "untag of an absent tag does nothing",
      "rotation-disabled",
      { name: "ops/db" },
      {},
      { action: "none", steps: [], stage: null, guard: null },
    ],
    [
      "quarantine on the default key, to the rule's route",
      "not-using-cmk",
      {},
      {},
      {
        action: "quarantine",
        steps: [SECURITY, { kind: "quarantine" }, tagRuleQuarantine("cmk")],
        stage: "quarantined",
        guard: null,
      },
    ],
    [
      "quarantined 6 days: no second quarantine, no deletion yet",
      "not-using-cmk",
      { tags: { "governor:stage": "quarantined", "governor:stage-since": isoDaysAgo(6) } },
      {},
      { action: "notify", steps: [SECURITY], stage: "quarantined", guard: null },
    ],
    [
      "quarantined 7 days: deletion scheduled",
      "not-using-cmk",
      { tags: { "governor:stage": "quarantined", "governor:stage-since": isoDaysAgo(7) } },
      {},
      {
        action: "schedule-deletion",
        steps: [
          SECURITY,
          tagStage("deletion-scheduled"),
          { kind: "schedule-deletion", recoveryWindowDays: 7 },
        ],
        stage: "deletion-scheduled",
        guard: null,
      },
    ],
    [
      "a customer key does not match kmsKey aws/secretsmanager",
      "not-using-cmk",
      { kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1" },
      {},
      undefined,
    ],
    [
      "owning-service withholds the quarantine, keeps the notice",
      "not-using-cmk",
      { owningService: "rds" },
      {},
      { action: "notify", steps: [SECURITY], stage: null, guard: "owning-service" },
    ],
    [
      "a replica withholds the quarantine",
      "not-using-cmk",
      { region: "eu-west-1", primaryRegion: "us-east-1", replicas: undefined },
      {},
      { action: "notify", steps: [SECURITY], stage: null, guard: "replica" },
    ],
    [
      "exempt withholds everything",
      "not-using-cmk",
      { tags: { "governor:exempt": "true" } },
      {},
      { action: "none", steps: [], stage: null, guard: "exempt" },
    ],
    ["a resolved finding needs nothing", "not-using-cmk", {}, { status: "resolved" }, undefined],
    [
      "unused by the rule's threshold: notify",
      "unused",
      { lastAccessedDate: daysAgo(31) },
      {},
      {
        action: "notify",
        steps: [NOTIFY],
        stage: null,
        guard: null,
      },
    ],
    [
      "not unused by the rule's threshold: nothing",
      "unused",
      { lastAccessedDate: daysAgo(30) },
      {},
      undefined,
    ],
    [
      "Config's open unused finding on a secret read 3 days ago: the notice says recently-accessed",
      "unused",
      { lastAccessedDate: daysAgo(3) },
      { status: "open" },
      {
        action: "notify",
        steps: [NOTIFY],
        stage: null,
        guard: "recently-accessed",
      },
    ],
    [
      "Config's open unused finding on a secret read 31 days ago: taken as is",
      "unused",
      { lastAccessedDate: daysAgo(31) },
      { status: "open" },
      { action: "notify", steps: [NOTIFY], stage: null, guard: null },
    ],
    ["no rule on the finding", "rotation-failed", {}, {}, undefined],
  ])("%s", (_label, finding, spec, extra, expected) => {
    // Act
    const decision = evaluate({ secret: makeSecret(spec), finding, ...extra }, policy, NOW);

    // Assess
    expect(shape(decision)).toEqual(expected);
  });
});

describe("routing", () => {
  const policy = loadYaml(`routes:
  default: { webhookSecret: slack/default }
  payments: { webhookSecret: slack/payments }
  data-eng: { webhookSecret: slack/data }
  security: { webhookSecret: slack/security }
routing:
  tags: [team, owner]
  map: { data: data-eng }
  default: default
rules:
  - name: cmk
    match: { finding: not-using-cmk }
    route: security
    actions: [notify]
  - name: rotation
    match: { finding: rotation-disabled }
    actions: [notify]
`);

  it.each<[string, FindingType, Record<string, string>, string]>([
    ["the rule's route wins over tags", "not-using-cmk", { team: "payments" }, "security"],
    ["a team tag naming a route", "rotation-disabled", { team: "payments" }, "payments"],
    ["a team tag mapped to a route", "rotation-disabled", { team: "data" }, "data-eng"],
    [
      "the first routing tag naming no route falls to the next",
      "rotation-disabled",
      { team: "web", owner: "payments" },
      "payments",
    ],
    ["no routing tag", "rotation-disabled", {}, "default"],
    ["a tag value that is an Object.prototype key", "rotation-disabled", { team: "constructor" }, "default"],
    ["a tag value of __proto__", "rotation-disabled", { team: "__proto__" }, "default"],
  ])("%s -> %s", (_label, finding, tags, expected) => {
    // Prepare
    const secret = makeSecret({ tags });

    // Act
    const decision = evaluate({ secret, finding }, policy, NOW);

    // Assess
    expect(decision?.route).toBe(expected);
    expect(decision?.steps).toEqual([{ kind: "notify", route: expected }]);
    expect(
      routeFor(
        policy,
        secret,
        policy.rules.find((r) => r.name === decision?.rule),
      ),
    ).toBe(expected);
  });
});

describe("decisions explain themselves", () => {
  it("carries the rule, reason and a trace ending in the action", () => {
    // Prepare
    const secret = makeSecret({ name: "app/stale", lastAccessedDate: new Date("2026-07-01T00:00:00Z") });

    // Act
    const decision = judge(secret);

    // Assess
    expect(decision).toMatchObject({
      arn: secret.arn,
      name: "app/stale",
      finding: "unused",
      rule: "unused-secrets",
      route: "default",
      reason: "not read for 145 days (last read 2026-07-01): flagged, owner warned",
    });
    expect(decision?.trace).toEqual([
      "rule unused-secrets: lifecycle, stage none",
      "unused: not read for 145 days (last read 2026-07-01) (threshold 90)",
      "=> tag: not read for 145 days (last read 2026-07-01): flagged, owner warned",
    ]);
  });

  it.each([
    [
      { "governor:stage": "quarantined", "governor:stage-since": "2026-11-01" },
      "quarantined",
      "2026-11-01T00:00:00.000Z",
    ],
    [{ "governor:stage": "quarantined" }, "quarantined", undefined],
    [{ "governor:stage": "QUARANTINED", "governor:stage-since": "x" }, null, undefined],
  ])("readStage(%j)", (tags, stage, since) => {
    // Act
    const read = readStage(makeSecret({ tags }));

    // Assess
    expect(read.stage).toBe(stage);
    expect(read.since?.toISOString()).toBe(since);
  });
});

describe("evaluate: findings that go away", () => {
  const policy = loadYaml(`rules:
  - name: quarantine-without-cmk
    match: { finding: not-using-cmk }
    actions: [notify, quarantine]
  - name: rotation-failures
    match: { finding: rotation-failed }
    actions: [notify]
`);

  it("releases a quarantine that a rule's plain actions put in place once its finding resolves", () => {
    const secret = stagedSecret(
      "quarantined",
      3,
      { tags: { "governor:stage-rule": "quarantine-without-cmk" } },
      1,
    );
    const decision = evaluate({ secret, finding: "not-using-cmk", status: "resolved" }, policy, NOW);
    expect(shape(decision)).toEqual({
      action: "release",
      steps: [{ kind: "release" }, { kind: "untag", keys: [...STAGE_TAGS, "governor:stage-rule"] }, NOTIFY],
      stage: null,
      guard: null,
    });
  });

  it("never releases a quarantine another rule, or the unused lifecycle, put in place", () => {
    for (const tags of [{}, { "governor:stage-rule": "another-rule" }] as Record<string, string>[]) {
      const secret = stagedSecret("quarantined", 3, { tags }, 1);
      expect(evaluate({ secret, finding: "not-using-cmk", status: "resolved" }, policy, NOW)).toBeUndefined();
    }
  });

  it.each<[string, Secret, FindingType]>([
    ["not quarantined", makeSecret(), "not-using-cmk"],
    ["a rule without quarantine", stagedSecret("quarantined", 3, {}, 1), "rotation-failed"],
    ["pending deletion", stagedSecret("quarantined", 3, { deletedDate: daysAgo(1) }, 1), "not-using-cmk"],
  ])("leaves a resolved finding alone when %s", (_, secret, finding) => {
    expect(evaluate({ secret, finding, status: "resolved" }, policy, NOW)).toBeUndefined();
  });

  it("says what the source said in the reason", () => {
    const decision = evaluate(
      {
        secret: makeSecret(),
        finding: "rotation-failed",
        status: "open",
        message: "Error during setSecret step",
      },
      policy,
      NOW,
    );
    expect(decision?.reason).toBe("rotation-failed: Error during setSecret step");
  });
});

describe("evaluate: a read denied on an exempt secret the governor quarantined", () => {
  it("does not touch its policy or tags (the role may not), only tells the owner", () => {
    const secret = stagedSecret("quarantined", 5, { tags: { "governor:exempt": "true" } });
    const decision = evaluate(
      {
        secret,
        finding: "access-denied",
        status: "open",
        access: { api: "GetSecretValue", principalArn: "arn:aws:iam::123456789012:role/app" },
        denial: { proof: true, why: "a principal of the secret's own account 123456789012" },
      },
      defaultPolicy(),
      NOW,
    );
    expect(shape(decision)).toEqual({
      action: "notify",
      steps: [NOTIFY],
      stage: "quarantined",
      guard: "exempt",
    });
    expect(decision?.reason).toContain("governor restore");
  });
});

describe("evaluate: the guards of unused hold for a rule with plain actions", () => {
  const policy = loadYaml(`rules:
  - name: unused-quarantine
    match: { finding: unused }
    actions: [notify, quarantine]
`);
  const QUARANTINE: Expect = {
    action: "quarantine",
    steps: [NOTIFY, { kind: "quarantine" }, tagRuleQuarantine("unused-quarantine")],
    stage: "quarantined",
    guard: null,
  };

  it.each<[string, SecretSpec, Partial<EvaluationInput>, Expect | undefined]>([
    [
      "Config says unused, read yesterday: only the notice, guard recently-accessed",
      { lastAccessedDate: daysAgo(1) },
      { status: "open" },
      { action: "notify", steps: [NOTIFY], stage: null, guard: "recently-accessed" },
    ],
    [
      "Config says unused, read in a replica last week: guard recently-accessed",
      {
        primaryRegion: "us-east-1",
        lastAccessedDate: daysAgo(300),
        replicas: [{ region: "eu-west-1", lastAccessedDate: daysAgo(7) }],
      },
      { status: "open" },
      { action: "notify", steps: [NOTIFY], stage: null, guard: "recently-accessed" },
    ],
    [
      "Config says unused, a replicated primary whose replicas are unknown: guard replicas-unknown",
      { primaryRegion: "us-east-1", replicas: undefined, lastAccessedDate: daysAgo(300) },
      { status: "open" },
      { action: "notify", steps: [NOTIFY], stage: null, guard: "replicas-unknown" },
    ],
    [
      "judged from the facts, a replicated primary whose replicas are unknown: guard replicas-unknown",
      { primaryRegion: "us-east-1", replicas: undefined, lastAccessedDate: daysAgo(300) },
      {},
      { action: "notify", steps: [NOTIFY], stage: null, guard: "replicas-unknown" },
    ],
    [
      "Config says unused, a read denied by the quarantine yesterday (governor:used-on): guard recently-accessed",
      { lastAccessedDate: daysAgo(300), tags: { "governor:used-on": isoDaysAgo(1) } },
      { status: "open" },
      { action: "notify", steps: [NOTIFY], stage: null, guard: "recently-accessed" },
    ],
    [
      "Config says unused and the facts agree: quarantined",
      { lastAccessedDate: daysAgo(300) },
      { status: "open" },
      QUARANTINE,
    ],
    ["judged from the facts, unused: quarantined", { lastAccessedDate: daysAgo(300) }, {}, QUARANTINE],
    ["judged from the facts, read yesterday: nothing", { lastAccessedDate: daysAgo(1) }, {}, undefined],
  ])("%s", (_label, spec, extra, expected) => {
    // Act
    const decision = judge(makeSecret(spec), policy, extra);

    // Assess
    expect(shape(decision)).toEqual(expected);
  });

  it("names the guard in the reason", () => {
    // Act
    const decision = judge(makeSecret({ lastAccessedDate: daysAgo(1) }), policy, { status: "open" });

    // Assess
    expect(decision?.reason).toBe("unused; Config says unused but it was read 1 day ago");
    expect(decision?.trace).toContain(
      "guard recently-accessed: Config says unused but it was read 1 day ago",
    );
  });
});

describe("evaluate: the proof of use (governor:used-on)", () => {
  it.each<[string, Secret, Partial<EvaluationInput>, Expect | undefined]>([
    [
      "never flagged, unread for 200 days but read denied 10 days ago: nothing to do",
      makeSecret({ lastAccessedDate: daysAgo(200), tags: { "governor:used-on": isoDaysAgo(10) } }),
      {},
      undefined,
    ],
    [
      "Config says unused, read denied 10 days ago: guard recently-accessed",
      makeSecret({ lastAccessedDate: daysAgo(200), tags: { "governor:used-on": isoDaysAgo(10) } }),
      { status: "open" },
      { action: "none", steps: [], stage: null, guard: "recently-accessed" },
    ],
    [
      "a proof of use 91 days old: flagged again",
      makeSecret({ lastAccessedDate: daysAgo(200), tags: { "governor:used-on": isoDaysAgo(91) } }),
      {},
      {
        action: "tag",
        steps: [tagStage("flagged"), NOTIFY],
        stage: "flagged",
        guard: null,
        next: { action: "quarantine", on: "2026-12-07" },
      },
    ],
    [
      "a used-on tag that is not a date counts for nothing",
      makeSecret({ lastAccessedDate: daysAgo(200), tags: { "governor:used-on": "20261122" } }),
      {},
      {
        action: "tag",
        steps: [tagStage("flagged"), NOTIFY],
        stage: "flagged",
        guard: null,
        next: { action: "quarantine", on: "2026-12-07" },
      },
    ],
    [
      "flagged, read denied yesterday: the way back",
      stagedSecret("flagged", 5, { tags: { "governor:used-on": isoDaysAgo(1) } }),
      {},
      { action: "untag", steps: [UNTAG, NOTIFY], stage: null, guard: null },
    ],
  ])("%s", (_label, secret, extra, expected) => {
    // Act
    const decision = judge(secret, defaultPolicy(), extra);

    // Assess
    expect(shape(decision)).toEqual(expected);
  });

  it.each([
    [
      "onQuarantined: notify leaves the quarantine, so records no proof that would undo it",
      lifecycle("      quarantine: { afterDays: 14 }", "accessFailures:\n  onQuarantined: notify\n"),
      stagedSecret("quarantined", 3),
      [NOTIFY],
    ],
    [
      "an exempt secret is not tagged (the role may not)",
      defaultPolicy(),
      stagedSecret("quarantined", 3, { tags: { "governor:exempt": "true" } }),
      [NOTIFY],
    ],
  ])("a denied read records no proof when %s", (_label, policy, secret, steps) => {
    // Act
    const decision = evaluate({ secret, finding: "access-denied", status: "open" }, policy, NOW);

    // Assess
    expect(decision?.steps).toEqual(steps);
  });
});

describe("evaluate: governor:stage-since is an ISO-8601 date", () => {
  it.each([
    ["a compact numeric date", "20261122"],
    ["epoch seconds", "1795305600"],
    ["a fractional number", "1795305600.5"],
  ])("%s is missing or invalid: the clock restarts today, nothing escalates", (_label, since) => {
    // Prepare
    const secret = makeSecret({
      lastAccessedDate: daysAgo(200),
      tags: { "governor:stage": "flagged", "governor:stage-since": since },
    });

    // Act
    const decision = judge(secret);

    // Assess
    expect(shape(decision)).toEqual({
      action: "tag",
      steps: [tagStage("flagged")],
      stage: "flagged",
      guard: null,
    });
    expect(decision?.trace).toContain("governor:stage-since missing or invalid: the clock restarts today");
  });

  it.each([
    ["a date", "2026-11-01", "2026-11-01T00:00:00.000Z"],
    ["a full ISO timestamp", "2026-11-01T10:30:00Z", "2026-11-01T10:30:00.000Z"],
    ["a full ISO timestamp with an offset", "2026-11-01T10:30:00+02:00", "2026-11-01T08:30:00.000Z"],
    ["a compact numeric date", "20261122", undefined],
    ["epoch seconds", "1795305600", undefined],
  ])("readStage reads %s", (_label, since, expected) => {
    // Act
    const read = readStage(
      makeSecret({ tags: { "governor:stage": "flagged", "governor:stage-since": since } }),
    );

    // Assess
    expect(read.since?.toISOString()).toBe(expected);
  });
});

describe("evaluate: reasons count days in good English", () => {
  it.each<[string, Secret, Policy, Partial<EvaluationInput>, string]>([
    [
      "used again, read 1 day ago",
      stagedSecret("flagged", 5, { lastAccessedDate: daysAgo(1) }),
      defaultPolicy(),
      {},
      "used again (read 1 day ago)",
    ],
    [
      "used again, read today",
      stagedSecret("flagged", 5, { lastAccessedDate: NOW }),
      defaultPolicy(),
      {},
      "used again (read today)",
    ],
    [
      "Config says unused, read 1 day ago",
      makeSecret({ lastAccessedDate: daysAgo(1) }),
      defaultPolicy(),
      { status: "open" },
      "Config says unused but it was read 1 day ago",
    ],
    [
      "Config says unused, never read and created 1 day ago",
      makeSecret({ lastAccessedDate: undefined, createdDate: daysAgo(1) }),
      defaultPolicy(),
      { status: "open" },
      "Config says unused but it was created 1 day ago, never read",
    ],
    [
      "flagged 1 day ago: quarantined",
      stagedSecret("flagged", 1),
      lifecycle("      quarantine: { afterDays: 1 }"),
      {},
      "not read for 200 days (last read 2026-05-07); flagged 1 day ago: quarantined",
    ],
    [
      "quarantined 1 day: deletion scheduled",
      stagedSecret("quarantined", 1),
      lifecycle("      quarantine: { afterDays: 14 }\n      scheduleDeletion: { afterDays: 15 }"),
      {},
      "not read for 200 days (last read 2026-05-07); quarantined 1 day: deletion scheduled, final on 2026-12-23",
    ],
    [
      "unused past a threshold of 1 day, read 2 days ago",
      makeSecret({ lastAccessedDate: daysAgo(2) }),
      loadYaml(
        "rules:\n  - name: u\n    match: { finding: unused }\n    unusedForDays: 1\n    lifecycle: {}\n",
      ),
      {},
      "not read for 2 days (last read 2026-11-21): flagged, owner warned",
    ],
  ])("%s", (_label, secret, policy, extra, reason) => {
    // Act
    const decision = judge(secret, policy, extra);

    // Assess
    expect(decision?.reason).toBe(reason);
    expect(decision?.reason).not.toMatch(/\b1 days\b/);
  });
});

describe("evaluate: cancel-deletion as a plain action", () => {
  const policy = withRules(`  - name: keep-cmk-secrets
    match: { finding: not-using-cmk }
    actions: [cancel-deletion]
`);

  it.each([
    [
      "a deletion the governor scheduled: cancelled",
      { "governor:stage": "deletion-scheduled" },
      ["cancel-deletion"],
    ],
    ["a deletion a person scheduled on a secret outside the lifecycle: theirs, left alone", {}, []],
  ])("%s", (_, tags, kinds) => {
    const secret = makeSecret({ lastAccessedDate: daysAgo(1), deletedDate: daysAgo(2), tags });
    const decision = evaluate({ secret, finding: "not-using-cmk", status: "open" }, policy, NOW);
    expect(decision?.steps.map((s) => s.kind).filter((k) => k !== "notify")).toEqual(kinds);
  });
});

describe("evaluate: two rules on one secret never undo each other", () => {
  const policy = loadYaml(`rules:
  - name: unused-secrets
    match: { finding: unused }
    lifecycle:
      quarantine: { afterDays: 14 }
      scheduleDeletion: { afterDays: 30, recoveryWindowDays: 30 }
  - name: prod-without-cmk
    match: { finding: not-using-cmk }
    actions: [notify, quarantine]
`);

  it("the unused lifecycle leaves a quarantine that prod-without-cmk put alone, even on a secret read today", () => {
    const secret = stagedSecret("quarantined", 3, { tags: { "governor:stage-rule": "prod-without-cmk" } }, 0);
    const decision = evaluate({ secret, finding: "unused" }, policy, NOW);
    expect(decision).toMatchObject({ action: "none", steps: [], guard: null });
    expect(decision?.reason).toContain("by rule prod-without-cmk, not by this lifecycle");
  });

  it("a read denied by that rule's quarantine is an access failure, not proof against it", () => {
    const secret = stagedSecret(
      "quarantined",
      3,
      { tags: { "governor:stage-rule": "prod-without-cmk" } },
      200,
    );
    const decision = evaluate(
      {
        secret,
        finding: "access-denied",
        status: "open",
        access: { api: "GetSecretValue", principalArn: "arn:aws:sts::123456789012:assumed-role/app/i-1" },
      },
      policy,
      NOW,
    );
    expect(decision?.rule).not.toBe("quarantine-feedback");
  });

  it("the lifecycle still takes back its own quarantine when the secret is read again", () => {
    const secret = stagedSecret("quarantined", 3, {}, 0);
    expect(evaluate({ secret, finding: "unused" }, policy, NOW)?.action).toBe("release");
  });
});
