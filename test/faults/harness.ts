import {
  accountOf,
  complianceChangeEvent,
  type Scenario,
  scenario,
  UNUSED_RULE,
} from "../../bench/scenario.js";
import { MemoryAccessFailureCounter } from "../../src/adapters/access-failure-counter.js";
import { EventBridgeAuditSink } from "../../src/adapters/audit.js";
import {
  makeConfigClient,
  makeEventBridgeClient,
  makeSecretsManagerClient,
} from "../../src/adapters/aws-clients.js";
import { ConfigComplianceSource } from "../../src/adapters/config-compliance.js";
import type { LocalAccount } from "../../src/adapters/local-account.js";
import { NO_PACING } from "../../src/adapters/pacer.js";
import { SecretsManagerStore } from "../../src/adapters/secrets-manager.js";
import { type BatchDeps, type BatchRecord, handleBatch } from "../../src/app/handle-batch.js";
import type { SweepDeps } from "../../src/app/sweep.js";
import { STAGE_TAG } from "../../src/domain/decision.js";
import { parseEvent } from "../../src/domain/events.js";
import { isQuarantined } from "../../src/domain/quarantine.js";
import type { Policy } from "../../src/policy/schema.js";
import type { SecretStore } from "../../src/ports.js";
import { RecordingLog } from "../fixtures/app/fakes.js";
import { AwsEmulator, type EmulatorOptions, evaluationResult } from "../helpers/aws-emulator.js";

export const NOW = new Date("2026-11-23T06:00:00Z");
export const GOVERNOR_ROLE = "arn:aws:iam::123456789012:role/secrets-governor";
const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

/** The real SDK clients and adapters over an emulated account. */
export interface Wired {
  emulator: AwsEmulator;
  store: SecretStore;
  sweepDeps(policy: Policy, now?: Date): SweepDeps;
  batchDeps(policy: Policy, now?: Date): BatchDeps;
  close(): Promise<void>;
}

export async function wire(
  account: LocalAccount,
  s: Scenario,
  options: EmulatorOptions = {},
): Promise<Wired> {
  const results = s.secrets.map((secret, i) =>
    evaluationResult(UNUSED_RULE, secret.arn, s.compliance[i] ?? "COMPLIANT", NOW),
  );
  const emulator = await AwsEmulator.start(account, {
    compliance: new Map([[UNUSED_RULE, results]]),
    ...options,
  });
  const clientOptions = { region: "us-east-1", endpoint: emulator.endpoint, credentials: CREDENTIALS };
  const secretsManager = makeSecretsManagerClient(clientOptions);
  const config = makeConfigClient(clientOptions);
  const events = makeEventBridgeClient(clientOptions);
  const store = new SecretsManagerStore(secretsManager, NO_PACING);
  const audit = new EventBridgeAuditSink(events);
  const log = new RecordingLog();
  return {
    emulator,
    store,
    sweepDeps: (policy, now = NOW) => ({
      store,
      compliance: new ConfigComplianceSource(config, { types: ["unused"] }),
      policy,
      mode: "enforce",
      now,
      exemptPrincipals: [GOVERNOR_ROLE],
      audit,
      log,
    }),
    batchDeps: (policy, now = NOW) => ({
      route: "config-compliance",
      parse: parseEvent,
      stack: { account: "123456789012", region: "us-east-1" },
      log,
      store,
      policy,
      mode: "enforce",
      now,
      exemptPrincipals: [GOVERNOR_ROLE],
      audit,
      accessCounter: new MemoryAccessFailureCounter(15, 3),
    }),
    async close() {
      secretsManager.destroy();
      config.destroy();
      events.destroy();
      await emulator.close();
    },
  };
}

/** The scenario of the benchmark, small, with its emulated account. */
export function smallAccount(count: number, mix: "sweep" | "burst" = "sweep") {
  const s = scenario(count, NOW, mix);
  return { s, account: accountOf(s, NOW) };
}

/** SQS records of one Config compliance-change event per secret of the scenario. */
export function complianceRecords(s: Scenario, now: Date = NOW): BatchRecord[] {
  return s.secrets.map((secret, i) => ({
    id: `m-${i}`,
    body: JSON.stringify(complianceChangeEvent(secret, s.compliance[i] ?? "COMPLIANT", `e-${i}`, now)),
  }));
}

/**
 * Drains records as the SQS event source does: batches of `batchSize`, failed records back in the queue until
 * `maxReceiveCount`, then the dead-letter queue. Returns what was dead-lettered.
 */
export async function drain(
  records: BatchRecord[],
  deps: BatchDeps,
  batchSize = 10,
  maxReceiveCount = 5,
): Promise<BatchRecord[]> {
  const queue = records.map((record) => ({ record, receives: 0 }));
  const dead: BatchRecord[] = [];
  while (queue.length > 0) {
    const batch = queue.splice(0, batchSize);
    for (const item of batch) item.receives++;
    let failed: Set<string>;
    try {
      failed = new Set(
        (
          await handleBatch(
            batch.map((b) => b.record),
            deps,
          )
        ).failedIds,
      );
    } catch {
      failed = new Set(batch.map((b) => b.record.id));
    }
    for (const item of batch)
      if (failed.has(item.record.id)) {
        if (item.receives >= maxReceiveCount) dead.push(item.record);
        else queue.push(item);
      }
  }
  return dead;
}

/**
 * Several handler instances drain one queue at once, a record at a time, as Lambda runs them: every
 * `coldStartEvery` records handled, the instance that handled the last one is replaced by a new runtime (`instance()`,
 * empty memory). A record that failed (busy in another instance, a store that did not answer) comes back later.
 * Returns how often each record was received.
 */
export async function drainOnInstances(
  records: BatchRecord[],
  instance: () => BatchDeps,
  { instances = 3, coldStartEvery = 10, maxReceiveCount = 5 } = {},
): Promise<Map<string, number>> {
  const queue = records.map((record) => ({ record, receives: 0 }));
  const receives = new Map<string, number>();
  let handled = 0;
  const run = async () => {
    let deps = instance();
    for (;;) {
      const item = queue.shift();
      if (!item) return;
      item.receives++;
      receives.set(item.record.id, item.receives);
      const result = await handleBatch([item.record], deps);
      if (result.failedIds.length > 0) {
        if (item.receives >= maxReceiveCount) throw new Error(`${item.record.id} would be dead-lettered`);
        queue.push(item);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (++handled % coldStartEvery === 0) deps = instance();
    }
  };
  await Promise.all(Array.from({ length: instances }, run));
  return receives;
}

/** The governed state of every secret: what a fault-free run and a faulty one must agree on. */
export function governedState(account: LocalAccount): Record<string, unknown> {
  const snapshot = account.snapshot();
  const state: Record<string, unknown> = {};
  for (const entry of snapshot.SecretList) {
    const tags = Object.fromEntries(
      ((entry.Tags as { Key: string; Value: string }[]) ?? [])
        .filter((t) => t.Key.startsWith("governor:"))
        .map((t) => [t.Key, t.Value]),
    );
    state[entry.Name as string] = {
      tags,
      deleted: entry.DeletedDate !== undefined,
      policy: snapshot.ResourcePolicies[entry.ARN as string] ?? null,
    };
  }
  return state;
}

/**
 * What no crash may leave behind: a secret denied by the governor's statement is tagged quarantined (or
 * deletion-scheduled), a secret so tagged carries the statement, and a deletion the governor scheduled is tagged.
 * Returns the secrets that break it, with why.
 */
export function inconsistencies(account: LocalAccount): string[] {
  const snapshot = account.snapshot();
  const problems: string[] = [];
  for (const entry of snapshot.SecretList) {
    const tags = Object.fromEntries(
      ((entry.Tags as { Key: string; Value: string }[]) ?? []).map((t) => [t.Key, t.Value]),
    );
    const stage = tags[STAGE_TAG];
    const policy = snapshot.ResourcePolicies[entry.ARN as string];
    const denied = isQuarantined(policy === undefined ? undefined : JSON.stringify(policy));
    const governed = stage === "quarantined" || stage === "deletion-scheduled";
    if (denied && !governed)
      problems.push(`${entry.Name}: quarantined without its tag (stage ${stage ?? "none"})`);
    if (governed && !denied) problems.push(`${entry.Name}: tagged ${stage} without its quarantine`);
    if (stage === "deletion-scheduled" && entry.DeletedDate === undefined)
      problems.push(`${entry.Name}: tagged deletion-scheduled, not scheduled`);
    if (entry.DeletedDate !== undefined && stage === "quarantined")
      problems.push(`${entry.Name}: scheduled for deletion, tagged quarantined`);
  }
  return problems;
}
