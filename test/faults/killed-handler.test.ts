import { describe, expect, it } from "vitest";
import { complianceChangeEvent } from "../../bench/scenario.js";
import type { LocalAccount } from "../../src/adapters/local-account.js";
import { handleBatch } from "../../src/app/handle-batch.js";
import { processFindings } from "../../src/app/process-findings.js";
import { runSweep } from "../../src/app/sweep.js";
import { parseEvent } from "../../src/domain/events.js";
import { addQuarantine, quarantineStatement } from "../../src/domain/quarantine.js";
import type { Secret } from "../../src/domain/secret.js";
import type { SecretStore } from "../../src/ports.js";
import {
  accountOf,
  arnOf,
  defaultPolicy,
  deniedFinding,
  entry,
  NOW,
  RecordingLog,
  secretOf,
} from "../fixtures/app/fakes.js";
import { GOVERNOR_ROLE, inconsistencies } from "./harness.js";

const POLICY = { ...defaultPolicy(), mode: "enforce" as const };
const WRITES = new Set([
  "tag",
  "untag",
  "putResourcePolicy",
  "deleteResourcePolicy",
  "scheduleDeletion",
  "restore",
]);

/** The handler's process dies right after the named write: nothing after it runs, every later call fails. */
class KilledError extends Error {}

function killedAfter(account: LocalAccount, write: keyof SecretStore): SecretStore {
  let dead = false;
  return new Proxy(account, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || property === "list") return value;
      return async (...args: unknown[]) => {
        if (dead) throw new KilledError("the handler was killed");
        const result = await value.apply(target, args);
        if (property === write && WRITES.has(property as string)) dead = true;
        return result;
      };
    },
  }) as SecretStore;
}

function sweep(store: SecretStore, now: Date = NOW) {
  return runSweep({ store, policy: POLICY, mode: "enforce", now, exemptPrincipals: [GOVERNOR_ROLE] });
}

const QUARANTINE = addQuarantine(undefined, quarantineStatement([GOVERNOR_ROLE]));
const FLAGGED_20D = { "governor:stage": "flagged", "governor:stage-since": "2026-11-03" };
const QUARANTINED_16D = { "governor:stage": "quarantined", "governor:stage-since": "2026-11-07" };
const DELETION_2D = { "governor:stage": "deletion-scheduled", "governor:stage-since": "2026-11-21" };

describe("a handler killed between two writes of one lifecycle step", () => {
  it.each([
    ["quarantine, after the deny statement and before its tag", "putResourcePolicy", FLAGGED_20D, undefined],
    ["deletion, after its tag and before DeleteSecret", "tag", QUARANTINED_16D, QUARANTINE],
  ] as const)("%s: the next sweep completes it", async (_, write, tags, policy) => {
    // Prepare
    const arn = arnOf("app/old");
    const account = accountOf(
      [
        entry("app/old", {
          LastAccessedDate: "2026-06-01T00:00:00Z",
          LastChangedDate: "2026-05-01T00:00:00Z",
          tags,
        }),
      ],
      policy ? { [arn]: JSON.parse(policy) } : {},
    );

    // Act: the run dies mid-step; the next day's sweep (the schedule is daily and not retried) comes.
    const first = await sweep(killedAfter(account, write));
    const halfDone = inconsistencies(account);
    await sweep(account, new Date(NOW.getTime() + 86_400_000));

    // Assess
    expect(first.outcomes.some((o) => o.outcome === "failed")).toBe(true);
    expect(halfDone).toHaveLength(1);
    expect(inconsistencies(account)).toEqual([]);
    const after = await secretOf(account, arn);
    expect(after.tags["governor:stage"]).toBe(write === "tag" ? "deletion-scheduled" : "quarantined");
  });

  it("a deletion the owner undid by hand (RestoreSecret) is not scheduled again: the lifecycle is reset", async () => {
    // Prepare: the sweep scheduled the deletion; then the owner restored the secret with the plain AWS API.
    const arn = arnOf("app/old");
    const account = accountOf(
      [
        entry("app/old", {
          LastAccessedDate: "2026-06-01T00:00:00Z",
          LastChangedDate: "2026-05-01T00:00:00Z",
          tags: QUARANTINED_16D,
        }),
      ],
      { [arn]: JSON.parse(QUARANTINE) },
      NOW,
    );
    await sweep(account);
    const scheduled = await secretOf(account, arn);
    const later = new Date(NOW.getTime() + 3_600_000);
    const restoredLater = accountOf(
      [
        {
          ...entry("app/old", { LastAccessedDate: "2026-06-01T00:00:00Z", tags: scheduled.tags }),
          // RestoreSecret moved LastChangedDate, an hour after the run.
          LastChangedDate: later.toISOString(),
        },
      ],
      { [arn]: JSON.parse(QUARANTINE) },
      later,
    );

    // Act: a second run the same day.
    const again = await sweep(restoredLater, new Date(NOW.getTime() + 2 * 3_600_000));

    // Assess
    expect(scheduled.deletedDate).toEqual(NOW);
    expect(again.outcomes.map((o) => o.decision.action)).not.toContain("schedule-deletion");
    expect((await secretOf(restoredLater, arn)).deletedDate).toBeUndefined();
    expect(inconsistencies(restoredLater)).toEqual([]);
  });

  it("quarantine cut short, then a read denied by its statement: released as proof of use", async () => {
    // Prepare
    const arn = arnOf("app/old");
    const account = accountOf([
      entry("app/old", { LastAccessedDate: "2026-06-01T00:00:00Z", tags: FLAGGED_20D }),
    ]);
    await sweep(killedAfter(account, "putResourcePolicy"));

    // Act: the next delivery is a denied read, before any sweep.
    const results = await processFindings([deniedFinding(arn)], {
      store: account,
      // One denial is proof here: the test is about the cut-short quarantine, not the threshold.
      policy: { ...POLICY, accessFailures: { ...POLICY.accessFailures, releaseAfter: 1 } },
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [GOVERNOR_ROLE],
    });

    // Assess
    expect(results[0]?.outcome?.decision.rule).toBe("quarantine-feedback");
    expect(inconsistencies(account)).toEqual([]);
    expect(await account.getResourcePolicy(arn)).toBeUndefined();
  });

  it.each([
    ["after the deletion was cancelled, before the release", "restore"],
    ["after the release, before the untag", "deleteResourcePolicy"],
  ] as const)("the way back, killed %s: the redelivered event completes it", async (_, write) => {
    // Prepare: scheduled for deletion by the governor, then read again; Config says COMPLIANT.
    const arn = arnOf("app/back");
    const account = accountOf(
      [
        entry("app/back", {
          LastAccessedDate: "2026-11-22T00:00:00Z",
          DeletedDate: "2026-11-21T06:00:00Z",
          tags: DELETION_2D,
        }),
      ],
      { [arn]: JSON.parse(QUARANTINE) },
    );
    const secret = (await account.describe(arn)) as Secret;
    const record = {
      id: "m-1",
      body: JSON.stringify(complianceChangeEvent(secret, "COMPLIANT", "e-1", NOW)),
    };
    const deps = (store: SecretStore) => ({
      route: "config-compliance",
      parse: parseEvent,
      stack: { account: "123456789012", region: "us-east-1" },
      log: new RecordingLog(),
      store,
      policy: POLICY,
      mode: "enforce" as const,
      now: NOW,
      exemptPrincipals: [GOVERNOR_ROLE],
    });

    // Act: the first delivery dies mid-way; SQS delivers the message again.
    const first = await handleBatch([record], deps(killedAfter(account, write)));
    const halfDone = inconsistencies(account);
    const second = await handleBatch([record], deps(account));

    // Assess
    expect(first.failedIds).toEqual(["m-1"]);
    expect(halfDone.length).toBeGreaterThan(0);
    expect(halfDone.every((p) => p.startsWith("app/back:"))).toBe(true);
    expect(second.failedIds).toEqual([]);
    expect(inconsistencies(account)).toEqual([]);
    const after = await secretOf(account, arn);
    expect(after.deletedDate).toBeUndefined();
    expect(after.tags["governor:stage"]).toBeUndefined();
    expect(await account.getResourcePolicy(arn)).toBeUndefined();
  });
});
