import { describe, expect, it } from "vitest";
import { executeDecision } from "../../src/app/execute.js";
import type { Decision, Mode, Step } from "../../src/domain/decision.js";
import { QUARANTINE_SID } from "../../src/domain/quarantine.js";
import type { Secret } from "../../src/domain/secret.js";
import { AdapterError, ResourcePolicyError } from "../../src/errors.js";
import { type EvaluationInput, evaluate } from "../../src/policy/evaluate.js";
import type { Policy } from "../../src/policy/schema.js";
import type { SecretStore } from "../../src/ports.js";
import {
  accountOf,
  BREAK_GLASS,
  DESTRUCTIVE_OPERATIONS,
  defaultPolicy,
  entry,
  exampleAccount,
  examplePolicyText,
  GOVERNOR_ROLE,
  governorTags,
  NOW,
  ScriptedStore,
  secretOf,
  writesSince,
} from "../fixtures/app/fakes.js";

const POLICY = defaultPolicy();
const EXEMPT = [GOVERNOR_ROLE, BREAK_GLASS];

function options(store: SecretStore, mode: Mode = "enforce", policy: Policy = POLICY) {
  return { store, policy, mode, now: NOW, exemptPrincipals: EXEMPT };
}

/** The decision the policy takes on a Config "unused" finding for this secret. */
function decideUnused(secret: Secret, status: "open" | "resolved" = "open"): Decision {
  const decision = evaluate({ secret, finding: "unused", status }, POLICY, NOW);
  if (!decision) throw new Error(`no decision for ${secret.name}`);
  return decision;
}

/** A decision made by hand, for steps that need no re-check. */
function decisionOf(secret: Secret, steps: Step[], action: Decision["action"]): Decision {
  return {
    arn: secret.arn,
    name: secret.name,
    finding: "unused",
    rule: "test",
    action,
    steps,
    stage: null,
    reason: "test",
    guard: null,
    route: "default",
    trace: [],
  };
}

function statementsOf(policyText: string | undefined): Record<string, unknown>[] {
  const doc = JSON.parse(policyText ?? "{}") as { Statement: unknown };
  return [doc.Statement].flat() as Record<string, unknown>[];
}

const GOVERNOR_STATEMENT = {
  Sid: QUARANTINE_SID,
  Effect: "Deny",
  Principal: "*",
  Action: "secretsmanager:GetSecretValue",
  Resource: "*",
  Condition: { ArnNotLike: { "aws:PrincipalArn": EXEMPT } },
};

describe("executeDecision: each step against the account", () => {
  it.each([
    {
      name: "tag adds exactly the given tags and keeps the others",
      steps: [{ kind: "tag", tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-23" } }],
      action: "tag",
      writes: ["TagResource app/stale"],
      tags: { team: "data", owner: "bob", "governor:stage": "flagged", "governor:stage-since": "2026-11-23" },
    },
    {
      name: "untag removes exactly the given keys",
      steps: [{ kind: "untag", keys: ["owner", "not-there"] }],
      action: "untag",
      writes: ["UntagResource app/stale"],
      tags: { team: "data" },
    },
  ] as {
    name: string;
    steps: Step[];
    action: Decision["action"];
    writes: string[];
    tags: object;
  }[])("$name", async ({ steps, action, writes, tags }) => {
    // Prepare
    const account = exampleAccount();
    const secret = await secretOf(account, "app/stale");
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decisionOf(secret, steps, action),
      { secret, finding: "unused" },
      options(account),
    );

    // Assess
    expect(outcome.outcome).toBe("done");
    expect(writesSince(account, from)).toEqual(writes);
    expect((await secretOf(account, "app/stale")).tags).toEqual(tags);
  });

  it("quarantine merges into the existing resource policy, keeps its statements, and release gives it back exactly", async () => {
    // Prepare: flagged 20 days ago, with its own resource policy.
    const account = exampleAccount();
    const original = examplePolicyText("app/flagged-20d");
    const secret = await secretOf(account, "app/flagged-20d");
    const decision = decideUnused(secret);

    // Act
    const quarantined = await executeDecision(
      decision,
      { secret, finding: "unused", status: "open" },
      options(account),
    );
    const merged = await account.getResourcePolicy(secret.arn);
    const fresh = await secretOf(account, secret.arn);
    const released = await executeDecision(
      decisionOf(fresh, [{ kind: "release" }], "release"),
      { secret: fresh, finding: "unused" },
      options(account),
    );

    // Assess
    expect(decision.action).toBe("quarantine");
    expect(quarantined.outcome).toBe("done");
    expect(statementsOf(merged)).toEqual([...statementsOf(original), GOVERNOR_STATEMENT]);
    expect(governorTags(fresh)).toEqual({
      "governor:stage": "quarantined",
      "governor:stage-since": "2026-11-23",
    });
    expect(released.outcome).toBe("done");
    expect(await account.getResourcePolicy(secret.arn)).toBe(original);
  });

  it("release of a single-statement policy gives back its original form, not an array", async () => {
    // Prepare
    const single = {
      Version: "2012-10-17",
      Statement: {
        Sid: "Reads",
        Effect: "Allow",
        Principal: { AWS: GOVERNOR_ROLE },
        Action: "*",
        Resource: "*",
      },
    };
    const account = accountOf(
      [
        entry("app/single", {
          LastAccessedDate: "2026-05-01T00:00:00Z",
          tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-01" },
        }),
      ],
      { "app/single": single },
    );
    const secret = await secretOf(account, "app/single");

    // Act
    await executeDecision(
      decideUnused(secret),
      { secret, finding: "unused", status: "open" },
      options(account),
    );
    const during = await account.getResourcePolicy(secret.arn);
    await executeDecision(
      decisionOf(secret, [{ kind: "release" }], "release"),
      { secret, finding: "unused" },
      options(account),
    );

    // Assess
    expect(statementsOf(during)).toEqual([GOVERNOR_STATEMENT, single.Statement]);
    expect(await account.getResourcePolicy(secret.arn)).toBe(JSON.stringify(single));
  });

  it("release deletes the resource policy when the secret had none before the quarantine", async () => {
    // Prepare
    const account = accountOf([
      entry("app/bare", {
        LastAccessedDate: "2026-05-01T00:00:00Z",
        tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-01" },
      }),
    ]);
    const secret = await secretOf(account, "app/bare");
    await executeDecision(
      decideUnused(secret),
      { secret, finding: "unused", status: "open" },
      options(account),
    );
    const quarantined = await account.getResourcePolicy(secret.arn);
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decisionOf(secret, [{ kind: "release" }], "release"),
      { secret, finding: "unused" },
      options(account),
    );

    // Assess
    expect(statementsOf(quarantined)).toEqual([GOVERNOR_STATEMENT]);
    expect(outcome.outcome).toBe("done");
    expect(writesSince(account, from)).toEqual(["DeleteResourcePolicy app/bare"]);
    expect(await account.getResourcePolicy(secret.arn)).toBeUndefined();
  });

  it("release of a secret that is not quarantined writes nothing", async () => {
    // Prepare
    const account = exampleAccount();
    const secret = await secretOf(account, "app/active");
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decisionOf(secret, [{ kind: "release" }], "release"),
      { secret, finding: "unused" },
      options(account),
    );

    // Assess
    expect(outcome.outcome).toBe("done");
    expect(writesSince(account, from)).toEqual([]);
    expect(await account.getResourcePolicy(secret.arn)).toBe(examplePolicyText("app/active"));
  });

  it("schedule-deletion uses the rule's recovery window once the quarantine is in place", async () => {
    // Prepare: quarantined 20 days ago, the deny statement present.
    const account = exampleAccount();
    const store = new ScriptedStore(account);
    const secret = await secretOf(account, "app/quarantined-20d");
    const before = await account.getResourcePolicy(secret.arn);
    const decision = decideUnused(secret);
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decision,
      { secret, finding: "unused", status: "open" },
      options(store),
    );

    // Assess
    const after = await secretOf(account, secret.arn);
    expect(decision.action).toBe("schedule-deletion");
    expect(outcome.outcome).toBe("done");
    expect(store.scheduled).toEqual([{ arn: secret.arn, recoveryWindowDays: 30 }]);
    expect(after.deletedDate).toEqual(NOW);
    expect(governorTags(after)).toEqual({
      "governor:stage": "deletion-scheduled",
      "governor:stage-since": NOW.toISOString(),
    });
    expect(writesSince(account, from)).toEqual([
      "TagResource app/quarantined-20d",
      "DeleteSecret app/quarantined-20d",
    ]);
    // AWS no longer answers GetResourcePolicy once the secret is scheduled for deletion: read the account itself.
    expect(account.snapshot().ResourcePolicies[secret.arn]).toEqual(JSON.parse(before ?? "{}"));
  });

  it("schedule-deletion puts back a quarantine a crash lost before deleting", async () => {
    // Prepare: tagged quarantined, but the deny statement is missing.
    const account = accountOf([
      entry("app/lost", {
        LastAccessedDate: "2026-04-01T00:00:00Z",
        tags: { "governor:stage": "quarantined", "governor:stage-since": "2026-11-03" },
      }),
    ]);
    const secret = await secretOf(account, "app/lost");
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decideUnused(secret),
      { secret, finding: "unused", status: "open" },
      options(account),
    );

    // Assess
    const writes = writesSince(account, from);
    expect(outcome.outcome).toBe("done");
    expect(writes).toEqual(["TagResource app/lost", "PutResourcePolicy app/lost", "DeleteSecret app/lost"]);
    expect(statementsOf(JSON.stringify(account.snapshot().ResourcePolicies[secret.arn]))).toEqual([
      GOVERNOR_STATEMENT,
    ]);
  });

  it("cancel-deletion restores a secret scheduled for deletion", async () => {
    // Prepare
    const account = exampleAccount();
    const secret = await secretOf(account, "app/retired");
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decisionOf(secret, [{ kind: "cancel-deletion" }], "cancel-deletion"),
      { secret, finding: "unused" },
      options(account),
    );

    // Assess
    expect(secret.deletedDate).toBeDefined();
    expect(outcome.outcome).toBe("done");
    expect(writesSince(account, from)).toEqual(["RestoreSecret app/retired"]);
    expect((await secretOf(account, "app/retired")).deletedDate).toBeUndefined();
  });
});

describe("executeDecision in report mode", () => {
  it("changes nothing and returns the whole resource policy a quarantine would put", async () => {
    // Prepare
    const account = exampleAccount();
    const snapshot = account.snapshot();
    const secret = await secretOf(account, "app/flagged-20d");
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decideUnused(secret),
      { secret, finding: "unused", status: "open" },
      options(account, "report"),
    );

    // Assess
    expect(outcome.outcome).toBe("planned");
    expect(outcome.decision.action).toBe("quarantine");
    expect(statementsOf(outcome.policyDocument)).toEqual([
      ...statementsOf(examplePolicyText("app/flagged-20d")),
      GOVERNOR_STATEMENT,
    ]);
    expect(JSON.parse(outcome.policyDocument ?? "{}").Version).toBe("2012-10-17");
    expect(writesSince(account, from)).toEqual([]);
    expect(account.snapshot()).toEqual(snapshot);
  });

  it.each([
    "app/quarantined-20d",
    "app/stale",
  ])("plans %s without a policy document or a write", async (name) => {
    // Prepare
    const account = exampleAccount();
    const snapshot = account.snapshot();
    const secret = await secretOf(account, name);
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decideUnused(secret),
      { secret, finding: "unused", status: "open" },
      options(account, "report"),
    );

    // Assess
    expect(outcome.outcome).toBe("planned");
    expect(outcome.policyDocument).toBeUndefined();
    expect(writesSince(account, from)).toEqual([]);
    expect(account.snapshot()).toEqual(snapshot);
  });
});

describe("executeDecision re-checks before a destructive step", () => {
  const FLAGGED_20D = {
    LastAccessedDate: "2026-05-01T00:00:00Z",
    tags: { team: "data", "governor:stage": "flagged", "governor:stage-since": "2026-11-03" },
  };

  it.each([
    {
      name: "read since the decision",
      now: { ...FLAGGED_20D, LastAccessedDate: "2026-11-22T00:00:00Z" },
      outcome: "skipped",
      guard: null,
    },
    {
      name: "exempted since the decision",
      now: { ...FLAGGED_20D, tags: { ...FLAGGED_20D.tags, "governor:exempt": "true" } },
      outcome: "withheld",
      guard: "exempt",
    },
    {
      name: "scheduled for deletion by someone else since the decision",
      now: { ...FLAGGED_20D, DeletedDate: "2026-11-22T00:00:00Z" },
      outcome: "withheld",
      guard: "already-deleted",
    },
  ])("leaves a secret $name alone", async ({ now, outcome: expected, guard }) => {
    // Prepare: the decision was taken on the facts of the fixture, the account has moved on since.
    const stale = await secretOf(accountOf([entry("app/target", FLAGGED_20D)]), "app/target");
    const decision = decideUnused(stale);
    const account = accountOf([entry("app/target", now)], {
      "app/target": JSON.parse(examplePolicyText("app/flagged-20d")),
    });
    const snapshot = account.snapshot();
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decision,
      { secret: stale, finding: "unused", status: "open" },
      options(account),
    );

    // Assess
    expect(decision.action).toBe("quarantine");
    expect(outcome.outcome).toBe(expected);
    expect(outcome.decision.action).toBe("none");
    expect(outcome.decision.steps).toEqual([]);
    expect(outcome.decision.guard).toBe(guard);
    expect(outcome.decision.trace.at(-1)).toContain("re-checked on fresh facts");
    expect(writesSince(account, from)).toEqual([]);
    expect(account.snapshot()).toEqual(snapshot);
  });

  it("skips a secret deleted since the decision", async () => {
    // Prepare
    const account = exampleAccount();
    const secret = await secretOf(account, "app/flagged-20d");
    const decision = decideUnused(secret);
    account.remove(secret.arn);
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decision,
      { secret, finding: "unused", status: "open" },
      options(account),
    );

    // Assess
    expect(outcome.outcome).toBe("skipped");
    expect(outcome.detail).toBe("the secret no longer exists");
    expect(writesSince(account, from)).toEqual([]);
  });

  it("goes ahead when the fresh facts lead to the same action", async () => {
    // Prepare
    const account = exampleAccount();
    const secret = await secretOf(account, "app/flagged-20d");
    const from = account.calls.length;

    // Act
    const outcome = await executeDecision(
      decideUnused(secret),
      { secret, finding: "unused", status: "open" },
      options(account),
    );

    // Assess
    expect(outcome.outcome).toBe("done");
    expect(account.calls[from]?.operation).toBe("DescribeSecret");
    expect(
      writesSince(account, from).filter((w) => DESTRUCTIVE_OPERATIONS.has(w.split(" ")[0] ?? "")),
    ).toEqual(["PutResourcePolicy app/flagged-20d"]);
  });
});

describe("executeDecision when a call fails", () => {
  it("skips a secret deleted between the re-check and the write", async () => {
    // Prepare: the secret disappears right before its resource policy is read.
    const account = exampleAccount();
    const secret = await secretOf(account, "app/flagged-20d");
    const store = new ScriptedStore(account).beforeCall("getResourcePolicy", () =>
      account.remove(secret.arn),
    );

    // Act
    const outcome = await executeDecision(
      decideUnused(secret),
      { secret, finding: "unused", status: "open" },
      options(store),
    );

    // Assess
    expect(outcome.outcome).toBe("skipped");
    expect(outcome.detail).toBe("the secret was deleted meanwhile");
    expect(outcome.error).toBeUndefined();
  });

  it("skips a tag on a secret that no longer exists", async () => {
    // Prepare
    const account = exampleAccount();
    const secret = await secretOf(account, "app/stale");
    account.remove(secret.arn);

    // Act
    const outcome = await executeDecision(
      decideUnused(secret),
      { secret, finding: "unused", status: "open" },
      options(account),
    );

    // Assess
    expect(outcome.outcome).toBe("skipped");
  });

  it.each([
    {
      name: "a throttled write",
      error: new AdapterError(
        "PutResourcePolicy: ThrottlingException: Rate exceeded",
        "PutResourcePolicy",
        true,
      ),
      type: AdapterError,
    },
    {
      name: "a refused write",
      error: new AdapterError("PutResourcePolicy: PublicPolicyException", "PutResourcePolicy", false),
      type: AdapterError,
    },
  ])("fails with the detail of $name", async ({ error, type }) => {
    // Prepare
    const account = exampleAccount();
    const secret = await secretOf(account, "app/flagged-20d");
    const store = new ScriptedStore(account).fail("putResourcePolicy", error);

    // Act
    const outcome = await executeDecision(
      decideUnused(secret),
      { secret, finding: "unused", status: "open" },
      options(store),
    );

    // Assess
    expect(outcome.outcome).toBe("failed");
    expect(outcome.detail).toBe(error.message);
    expect(outcome.error).toBeInstanceOf(type);
    expect(governorTags(await secretOf(account, secret.arn))["governor:stage"]).toBe("flagged");
  });

  it("fails, without touching it, on a resource policy that is not a policy document", async () => {
    // Prepare
    const account = exampleAccount();
    const secret = await secretOf(account, "app/flagged-20d");
    await account.putResourcePolicy(secret.arn, '{"Version":"2012-10-17","Statement":"oops"}');
    const from = account.calls.length;
    const input: EvaluationInput = { secret, finding: "unused", status: "open" };

    // Act
    const outcome = await executeDecision(decideUnused(secret), input, options(account));

    // Assess
    expect(outcome.outcome).toBe("failed");
    expect(outcome.error).toBeInstanceOf(ResourcePolicyError);
    expect(writesSince(account, from)).toEqual([]);
  });
});
