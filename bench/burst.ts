/**
 * A burst of Config compliance-change events (an account-wide re-evaluation) through the event path as deployed:
 * an SQS buffer drained in batches by at most `concurrency` handler instances, each pacing its writes, against
 * an emulated Secrets Manager that throttles every write family at its quota. Measures the time to drain against
 * the quota-bound minimum, the throttling seen, and whether any event was lost or any destructive action repeated.
 */
import { performance } from "node:perf_hooks";
import { MemoryAccessFailureCounter } from "../src/adapters/access-failure-counter.js";
import { EventBridgeAuditSink } from "../src/adapters/audit.js";
import { makeEventBridgeClient, makeSecretsManagerClient } from "../src/adapters/aws-clients.js";
import { WRITE_QUOTA_PER_SECOND, WritePacer } from "../src/adapters/pacer.js";
import { SecretsManagerStore } from "../src/adapters/secrets-manager.js";
import { type BatchRecord, handleBatch } from "../src/app/handle-batch.js";
import type { FindingResult } from "../src/app/process-findings.js";
import { runSweep } from "../src/app/sweep.js";
import { STAGE_TAG } from "../src/domain/decision.js";
import { parseEvent } from "../src/domain/events.js";
import type { Policy } from "../src/policy/schema.js";
import type { EventLedger } from "../src/ports.js";
import { AwsEmulator, DESTRUCTIVE_OPERATIONS } from "../test/helpers/aws-emulator.js";
import { accountOf, complianceChangeEvent, type Kind, scenario } from "./scenario.js";

const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };
const SILENT = { info() {}, warn() {}, error() {} };

export interface BurstOptions {
  events: number;
  /** Extra deliveries of events already sent (EventBridge delivers at least once). */
  duplicates: number;
  batchSize: number;
  concurrency: number;
  /** The emulated account's clock runs this many times faster: quotas and pacing scale with it. */
  quotaScale: number;
  maxReceiveCount: number;
  /** Each instance's event ledger (all over one store, as deployed); none: no ledger. */
  ledger?: () => EventLedger;
}

export interface BurstFigures {
  events: number;
  deliveries: number;
  quotaScale: number;
  writes: number;
  quotaBoundS: number;
  drainS: number;
  /** quotaBoundS / drainS: the share of the quota-bound throughput reached. */
  throughputShare: number;
  throttled: number;
  retriedRecords: number;
  deadLettered: number;
  lost: number;
  duplicateDestructive: number;
  /** Quarantines the two sweeps after the burst carried out (the events never escalate). */
  sweepQuarantines: number;
  /** What the batches reported, for the Slack figures. */
  batchResults: FindingResult[][];
  /** When each batch finished, in seconds from the start, at the emulated clock. */
  batchDoneS: number[];
}

/** What each kind of secret must look like once its event is handled (the event path never escalates). */
function expectedStage(kind: Kind): string | undefined {
  if (kind === "newly-unused" || kind === "due-for-quarantine") return "flagged";
  if (kind === "used-again") return undefined;
  return undefined;
}

export async function benchBurst(policy: Policy, now: Date, options: BurstOptions): Promise<BurstFigures> {
  const s = scenario(options.events, now, "burst");
  const account = accountOf(s, now);
  const emulator = await AwsEmulator.start(account, { quotaScale: options.quotaScale, burstSeconds: 0.2 });
  const clientOptions = { region: "us-east-1", endpoint: emulator.endpoint, credentials: CREDENTIALS };
  const events = s.secrets.map((secret, i) =>
    complianceChangeEvent(secret, s.compliance[i] ?? "COMPLIANT", `burst-${i}`, now),
  );
  // The queue, as SQS holds it: each record with its receive count. A failed record is invisible for the
  // visibility timeout (six times the function's timeout): longer than any invocation, so it comes back only
  // once the other batches in flight when it failed are done (`waitFor`).
  interface Queued {
    record: BatchRecord;
    receives: number;
    waitFor: number[];
  }
  const queue: Queued[] = events.map((event, i) => ({
    record: { id: `m-${i}`, body: JSON.stringify(event) },
    receives: 0,
    waitFor: [],
  }));
  const inFlight = new Set<number>();
  let batches = 0;
  const visible = (item: Queued) => item.waitFor.every((id) => !inFlight.has(id));
  const take = async (max: number): Promise<Queued[]> => {
    for (;;) {
      const batch: Queued[] = [];
      for (let i = 0; i < queue.length && batch.length < max; )
        if (visible(queue[i] as Queued)) batch.push(...queue.splice(i, 1));
        else i++;
      if (batch.length > 0 || queue.length === 0) return batch;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  for (let d = 0; d < options.duplicates; d++) {
    const i = (d * 7919) % events.length;
    queue.push({ record: { id: `m-dup-${d}`, body: JSON.stringify(events[i]) }, receives: 0, waitFor: [] });
  }
  const deliveries = queue.length;
  const deadLetter: BatchRecord[] = [];
  const batchResults: FindingResult[][] = [];
  const batchDoneS: number[] = [];
  let retriedRecords = 0;
  const quotas = Object.fromEntries(
    Object.entries(WRITE_QUOTA_PER_SECOND).map(([family, quota]) => [family, quota * options.quotaScale]),
  );

  const start = performance.now();
  const instance = async () => {
    // One handler instance: its own clients and pacer (a share of the quota: the instances together use all).
    const client = makeSecretsManagerClient(clientOptions);
    const eventBridge = makeEventBridgeClient(clientOptions);
    const store = new SecretsManagerStore(client, new WritePacer({ share: 1 / options.concurrency, quotas }));
    const deps = {
      route: "config-compliance",
      parse: parseEvent,
      stack: { account: "123456789012", region: "us-east-1" },
      log: SILENT,
      store,
      policy,
      mode: "enforce" as const,
      now,
      exemptPrincipals: ["arn:aws:iam::123456789012:role/secrets-governor"],
      audit: new EventBridgeAuditSink(eventBridge),
      ...(options.ledger ? { ledger: options.ledger() } : {}),
      accessCounter: new MemoryAccessFailureCounter(
        policy.accessFailures.windowMinutes,
        policy.accessFailures.incidentAfter,
      ),
    };
    try {
      for (;;) {
        const batch = await take(options.batchSize);
        if (batch.length === 0) return;
        for (const item of batch) item.receives++;
        const batchId = batches++;
        inFlight.add(batchId);
        let failed: Set<string>;
        try {
          const result = await handleBatch(
            batch.map((b) => b.record),
            deps,
          );
          failed = new Set(result.failedIds);
          batchResults.push(result.results);
        } catch {
          // The invocation failed: SQS makes every record of the batch visible again.
          failed = new Set(batch.map((b) => b.record.id));
        }
        inFlight.delete(batchId);
        batchDoneS.push(((performance.now() - start) / 1000) * options.quotaScale);
        for (const item of batch) {
          if (!failed.has(item.record.id)) continue;
          if (item.receives >= options.maxReceiveCount) deadLetter.push(item.record);
          else {
            retriedRecords++;
            item.waitFor = [...inFlight];
            queue.push(item);
          }
        }
      }
    } finally {
      client.destroy();
      eventBridge.destroy();
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, instance));
    const drainS = (performance.now() - start) / 1000;
    const ops = (names: string[]) =>
      names.reduce(
        (sum, n) => sum + emulator.count(n).calls - emulator.count(n).throttled - emulator.count(n).faulted,
        0,
      );
    const tagWrites = ops(["TagResource", "UntagResource"]);
    const quotaBoundS = tagWrites / (WRITE_QUOTA_PER_SECOND.tag * options.quotaScale);
    // Lost: an event whose effect is missing from the account and that is not in the dead-letter queue either.
    const dead = new Set(deadLetter.map((r) => (JSON.parse(r.body as string) as { id: string }).id));
    let lost = 0;
    for (const [i, secret] of s.secrets.entries()) {
      const kind = s.kinds[i] as Kind;
      const after = await account.describe(secret.arn);
      const stage = after?.tags[STAGE_TAG];
      if (stage !== expectedStage(kind) && !dead.has(`burst-${i}`)) lost++;
    }
    const throttled = emulator.total("throttled");
    // Then the daily sweep, twice (a manual run after the scheduled one): the escalations the events left to it
    // happen once each, within the blast-radius limit, and the second run repeats none of them.
    const sweepClient = makeSecretsManagerClient(clientOptions);
    const sweepStore = new SecretsManagerStore(sweepClient, new WritePacer({ share: 1, quotas }));
    let sweepQuarantines = 0;
    try {
      for (let run = 0; run < 2; run++) {
        const result = await runSweep({
          store: sweepStore,
          policy,
          mode: "enforce",
          now,
          exemptPrincipals: ["arn:aws:iam::123456789012:role/secrets-governor"],
        });
        sweepQuarantines += result.outcomes.filter(
          (o) => o.outcome === "done" && o.decision.action === "quarantine",
        ).length;
      }
    } finally {
      sweepClient.destroy();
    }
    const destructive = new Map<string, number>();
    for (const call of account.calls)
      if (DESTRUCTIVE_OPERATIONS.has(call.operation))
        destructive.set(call.arn, (destructive.get(call.arn) ?? 0) + 1);
    const duplicateDestructive = [...destructive.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    return {
      events: options.events,
      deliveries,
      quotaScale: options.quotaScale,
      writes: tagWrites,
      quotaBoundS: Math.round(quotaBoundS * 100) / 100,
      drainS: Math.round(drainS * 100) / 100,
      throughputShare: Math.round((quotaBoundS / drainS) * 1000) / 1000,
      throttled,
      retriedRecords,
      deadLettered: deadLetter.length,
      lost,
      duplicateDestructive,
      sweepQuarantines,
      batchResults,
      batchDoneS,
    };
  } finally {
    await emulator.close();
  }
}
