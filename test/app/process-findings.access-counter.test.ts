import { describe, expect, it } from "vitest";
import { MemoryAccessFailureCounter } from "../../src/adapters/access-failure-counter.js";
import {
  type ProcessDeps,
  processFindings,
  STATE_STORE_UNAVAILABLE,
} from "../../src/app/process-findings.js";
import { isQuarantined } from "../../src/domain/quarantine.js";
import { AdapterError } from "../../src/errors.js";
import type { AccessFailureCounter, SecretStore } from "../../src/ports.js";
import {
  BREAK_GLASS,
  defaultPolicy,
  deniedFinding,
  exampleAccount,
  NOW,
  RecordingAudit,
  RecordingLog,
  ScriptedStore,
  secretOf,
  unusedFinding,
  writesSince,
} from "../fixtures/app/fakes.js";

/**
 * processFindings with the access-failure counter as it is in AWS: a store that may not answer, and an incident
 * whose action fails given back, so that the event's retry makes it again.
 */

const NAME = "app/quarantined-20d";
// One denied read proves use: these tests are about the counter around the release.
const POLICY = { ...defaultPolicy(), accessFailures: { ...defaultPolicy().accessFailures, releaseAfter: 1 } };

function deps(
  store: SecretStore,
  accessCounter: AccessFailureCounter,
): ProcessDeps & { log: RecordingLog; audit: RecordingAudit } {
  return {
    store,
    policy: POLICY,
    mode: "enforce",
    now: NOW,
    exemptPrincipals: [BREAK_GLASS],
    audit: new RecordingAudit(),
    accessCounter,
    log: new RecordingLog(),
  };
}

const throttled = () =>
  new AdapterError("access-failure counter count failed: ThrottlingException", "UpdateItem", true);

/** A counter whose store is down until `up()`; counts on a memory one once up. */
class FlakyCounter implements AccessFailureCounter {
  readonly inner = new MemoryAccessFailureCounter(15, 3);
  down = true;
  reopenDown = false;
  reopened = 0;
  async record(...args: Parameters<AccessFailureCounter["record"]>) {
    if (this.down) throw throttled();
    return this.inner.record(...args);
  }
  async reopen(...args: Parameters<AccessFailureCounter["reopen"]>) {
    this.reopened++;
    if (this.reopenDown) throw throttled();
    return this.inner.reopen(...args);
  }
}

describe("processFindings: the access-failure counter", () => {
  it("fails an access failure it cannot count, decides and writes nothing for it, and goes on with the next", async () => {
    // Prepare
    const account = exampleAccount();
    const counter = new FlakyCounter();
    const d = deps(account, counter);
    const from = account.calls.length;

    // Act
    const results = await processFindings([deniedFinding(NAME), unusedFinding("app/never-used")], d);

    // Assess
    expect(results.map((r) => r.outcome?.outcome)).toEqual(["failed", "done"]);
    expect(results[0]?.outcome?.decision).toMatchObject({ action: "none", steps: [] });
    expect(results[0]?.outcome?.detail).toContain("ThrottlingException");
    expect(writesSince(account, from).filter((w) => w.endsWith(NAME))).toEqual([]);
    expect(isQuarantined(await account.getResourcePolicy((await secretOf(account, NAME)).arn))).toBe(true);
    expect(d.log.lines.find((l) => l.message === STATE_STORE_UNAVAILABLE)?.extra).toMatchObject({
      stateStoreUnavailable: 1,
    });
    expect(d.audit.entries.map((e) => [e.name, e.outcome])).toContainEqual([NAME, "failed"]);
  });

  it("counts the failure once when the retry finds the store answering again, and acts on it", async () => {
    // Prepare
    const account = exampleAccount();
    const counter = new FlakyCounter();
    const finding = deniedFinding(NAME);
    await processFindings([finding], deps(account, counter));

    // Act
    counter.down = false;
    const [retry] = await processFindings([{ ...finding }], deps(account, counter));

    // Assess
    expect(retry?.outcome).toMatchObject({ outcome: "done", decision: { action: "release" } });
    expect(retry?.accessFailures?.count).toBe(1);
  });

  it("also fails a denied read of a secret that does not exist it cannot count", async () => {
    const results = await processFindings(
      [deniedFinding("app/nope")],
      deps(exampleAccount(), new FlakyCounter()),
    );
    expect(results[0]?.outcome?.outcome).toBe("failed");
    expect(results[0]?.note).toBeUndefined();
  });

  it("gives the incident back when its action failed: the next denial in the window makes it and acts", async () => {
    // Prepare: the release's PutResourcePolicy fails once.
    const account = exampleAccount();
    const counter = new MemoryAccessFailureCounter(15, 3);
    const failing = new ScriptedStore(account).fail(
      "putResourcePolicy",
      new AdapterError("PutResourcePolicy failed: ThrottlingException", "PutResourcePolicy", true),
    );
    const [first] = await processFindings([deniedFinding(NAME, 0)], deps(failing, counter));

    // Act: another event's denial, before the first one's retry.
    const [next] = await processFindings([deniedFinding(NAME, 1)], deps(account, counter));
    const [retry] = await processFindings([deniedFinding(NAME, 0)], deps(account, counter));

    // Assess
    expect(first?.outcome?.outcome).toBe("failed");
    expect(next?.outcome).toMatchObject({ outcome: "done", decision: { action: "release" } });
    expect(next?.accessFailures?.count).toBe(1);
    expect(retry?.outcome).toBeUndefined();
    // Released now, so the retry's denial is an access failure like any other, below its threshold.
    expect(retry?.note).toBe("2 of 3 failures within 15 minutes: not an incident yet");
    expect(writesSince(account).filter((w) => w === `PutResourcePolicy ${NAME}`)).toHaveLength(1);
    expect(isQuarantined(await account.getResourcePolicy((await secretOf(account, NAME)).arn))).toBe(false);
  });

  it("never throws when giving the incident back fails: the finding is already failed, and logged", async () => {
    // Prepare
    const account = exampleAccount();
    const counter = new FlakyCounter();
    counter.down = false;
    counter.reopenDown = true;
    const failing = new ScriptedStore(account).fail(
      "putResourcePolicy",
      new AdapterError("PutResourcePolicy failed", "PutResourcePolicy", true),
    );
    const d = deps(failing, counter);

    // Act
    const results = await processFindings([deniedFinding(NAME)], d);

    // Assess
    expect(results[0]?.outcome?.outcome).toBe("failed");
    expect(counter.reopened).toBe(1);
    expect(d.log.lines.find((l) => l.message === STATE_STORE_UNAVAILABLE)?.extra).toMatchObject({
      step: "reopen access-failure incident",
      stateStoreUnavailable: 1,
    });
  });
});
