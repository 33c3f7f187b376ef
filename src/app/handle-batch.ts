import type { ParsedEvent } from "../domain/events.js";
import type { Finding } from "../domain/finding.js";
import type { StackIdentity } from "../domain/origin.js";
import type { AuditEntry, Claim, EventLedger, LedgerEntry } from "../ports.js";
import { inPool, type Settled } from "./pool.js";
import {
  type FindingResult,
  type Log,
  type ProcessDeps,
  processFindings,
  recordAudit,
  STATE_STORE_UNAVAILABLE,
} from "./process-findings.js";
import { EVENT_REFUSED, refusalOf, refusedAuditEntries } from "./refused.js";

export type { Log } from "./process-findings.js";
export { STATE_STORE_UNAVAILABLE } from "./process-findings.js";

/**
 * The message of the one summary line each batch logs, with the numeric fields `records`, `findings`,
 * `malformed`, `refused` (events not of this stack's account and region) and `failed` (records to retry), so a
 * metric filter can count malformed and refused events.
 */
export const BATCH_SUMMARY = "batch summary";

/** Ledger calls in flight at once per batch: enough to hide the store's latency, far below its throughput. */
export const LEDGER_CONCURRENCY = 32;

/** A claim's hold when the invocation's remaining time is unknown (the CLI). */
const DEFAULT_HOLD_MS = 60_000;

/** What an event says, as the ledger compares two deliveries of one id. */
export function contentOf(findings: readonly Finding[]): string {
  return JSON.stringify(
    findings.map((f) => [
      f.type,
      f.secretId,
      f.status,
      f.observedAt.toISOString(),
      f.access?.principalArn ?? null,
    ]),
  );
}

export interface BatchRecord {
  /** The SQS message id (or the event id when invoked directly). */
  id: string;
  body: unknown;
}

export interface BatchDeps extends ProcessDeps {
  /** The rule this handler serves: an event matching another rule is not ours, and is rejected as malformed. */
  route: string;
  parse: (event: unknown) => ParsedEvent;
  /** This stack's account and region: an event that names any other is refused, never acted on. */
  stack: StackIdentity;
  /** Also where processFindings writes an audit it could not deliver. */
  log: Log;
  /**
   * The events handled, shared by every instance (DynamoDB, or memory for the CLI): a duplicate delivery is
   * skipped, not reported twice. Without one, a duplicate is handled again (harmless: every step is idempotent).
   */
  ledger?: EventLedger;
  /** How long this invocation may hold a claim (its remaining time): a crashed one's claim expires then. */
  holdMs?: number;
  /** Reports the batch's decisions (Slack); never fails the batch for a failed delivery. */
  notify?: (results: FindingResult[]) => Promise<void>;
}

export interface BatchResult {
  /** Records to retry: a persistent AWS failure. After the queue's maxReceiveCount they land in the DLQ. */
  failedIds: string[];
  malformed: number;
  /** Events refused because they are not of this stack's account and region (logged, counted, audited). */
  refused: number;
  results: FindingResult[];
}

/**
 * One batch of events for one route: parse each record, run every finding in order, report. A malformed event is
 * logged with its id and reason, counted and dropped (retrying it cannot help); a failing AWS call fails only
 * its own record, so it is retried and finally dead-lettered, never silently dropped.
 */
export async function handleBatch(records: readonly BatchRecord[], deps: BatchDeps): Promise<BatchResult> {
  const failedIds: string[] = [];
  let malformed = 0;
  let duplicates = 0;
  let refused = 0;
  const refusals: AuditEntry[] = [];
  const batchEvents = new Set<string>();
  const claims = new Map<string, LedgerEntry>();
  const owners: string[] = [];
  const findings: Finding[] = [];
  const accepted: { record: BatchRecord; parsed: ParsedEvent & { ok: true }; entry: LedgerEntry }[] = [];
  for (const record of records) {
    let body = record.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        malformed++;
        deps.log.warn("malformed event dropped", {
          recordId: record.id,
          reason: "the message body is not JSON",
        });
        continue;
      }
    }
    const parsed = deps.parse(body);
    if (!parsed.ok) {
      malformed++;
      deps.log.warn("malformed event dropped", {
        recordId: record.id,
        eventId: parsed.eventId,
        reason: parsed.reason,
      });
      continue;
    }
    if (parsed.rule !== deps.route) {
      malformed++;
      deps.log.warn("event for another route dropped", {
        recordId: record.id,
        eventId: parsed.eventId,
        rule: parsed.rule,
        reason: `the event belongs to route ${parsed.rule}; this handler serves ${deps.route}`,
      });
      continue;
    }
    const refusal = refusalOf(body, parsed.findings, deps.stack);
    if (refusal) {
      refused++;
      deps.log.warn(EVENT_REFUSED, {
        recordId: record.id,
        eventId: parsed.eventId,
        reason: refusal,
        refusedEvents: 1,
      });
      refusals.push(...refusedAuditEntries(parsed.eventId, parsed.findings, refusal, deps.mode, deps.now));
      continue;
    }
    if (deps.ledger && batchEvents.has(parsed.eventId)) {
      duplicates++;
      deps.log.info("duplicate event skipped", { recordId: record.id, eventId: parsed.eventId });
      continue;
    }
    batchEvents.add(parsed.eventId);
    accepted.push({
      record,
      parsed,
      entry: { route: deps.route, eventId: parsed.eventId, content: contentOf(parsed.findings) },
    });
  }
  // The claims of the whole batch at once (a few at a time): a batch of 500 waits for one round trip to the
  // store per LEDGER_CONCURRENCY events, not per event. Their answers are then taken in the batch's order.
  const answers = deps.ledger
    ? await inPool(accepted, LEDGER_CONCURRENCY, ({ entry }) =>
        (deps.ledger as EventLedger).claim(entry, deps.holdMs ?? DEFAULT_HOLD_MS),
      )
    : accepted.map(() => ({ ok: true as const, value: "claimed" as const }));
  for (const [i, { record, parsed, entry }] of accepted.entries()) {
    const answer = answers[i] as Settled<Claim>;
    if (!answer.ok) {
      // The store cannot say whether the event was handled: retried (then dead-lettered), never dropped.
      failedIds.push(record.id);
      deps.log.error(STATE_STORE_UNAVAILABLE, {
        recordId: record.id,
        eventId: parsed.eventId,
        stateStoreUnavailable: 1,
        error: (answer.error as Error).message,
      });
      continue;
    }
    const claim = answer.value;
    if (claim === "done") {
      duplicates++;
      deps.log.info("duplicate event skipped", { recordId: record.id, eventId: parsed.eventId });
      continue;
    }
    if (claim === "busy") {
      failedIds.push(record.id);
      deps.log.info("event in progress in another instance: retried later", {
        recordId: record.id,
        eventId: parsed.eventId,
      });
      continue;
    }
    if (claim === "conflict") {
      const reason = `an event with id ${parsed.eventId} was handled before with other findings: forged or corrupted`;
      refused++;
      deps.log.warn(EVENT_REFUSED, {
        recordId: record.id,
        eventId: parsed.eventId,
        reason,
        refusedEvents: 1,
      });
      refusals.push(...refusedAuditEntries(parsed.eventId, parsed.findings, reason, deps.mode, deps.now));
      continue;
    }
    if (deps.ledger) claims.set(record.id, entry);
    for (const finding of parsed.findings) {
      findings.push(finding);
      owners.push(record.id);
    }
  }
  await recordAudit(deps.audit, refusals, deps.log);
  const results = await processFindings(findings, deps);
  for (const [i, result] of results.entries()) {
    const id = owners[i] as string;
    const outcome = result.outcome;
    const decision = outcome?.decision ?? result.decision;
    deps.log.info("decision", {
      recordId: id,
      secret: result.secret?.arn ?? result.finding.secretId,
      finding: result.finding.type,
      action: decision?.action ?? "none",
      guard: decision?.guard ?? null,
      outcome: outcome?.outcome ?? "skipped",
      reason: decision?.reason ?? result.note,
      mode: deps.mode,
    });
    if (outcome?.outcome === "failed") {
      deps.log.error("action failed; the event will be retried", { recordId: id, error: outcome.detail });
      if (!failedIds.includes(id)) failedIds.push(id);
    }
  }
  // Before the notices: Slack failing (it never should fail the batch) still leaves the batch counted.
  deps.log.info(BATCH_SUMMARY, {
    route: deps.route,
    records: records.length,
    findings: findings.length,
    malformed,
    refused,
    duplicates,
    failed: failedIds.length,
  });
  if (deps.notify) await deps.notify(results);
  // After the notices: a claim completed means effects and message are done; a failed event's claim is released
  // so that its retry runs. A store that fails here changes nothing done: logged, and the claim expires.
  const held = [...claims];
  const settled = await inPool(held, LEDGER_CONCURRENCY, ([recordId, entry]) =>
    failedIds.includes(recordId)
      ? (deps.ledger as EventLedger).release(entry)
      : (deps.ledger as EventLedger).complete(entry),
  );
  for (const [i, [recordId, entry]] of held.entries()) {
    const answer = settled[i] as Settled<void>;
    if (answer.ok) continue;
    deps.log.error(STATE_STORE_UNAVAILABLE, {
      recordId,
      eventId: entry.eventId,
      stateStoreUnavailable: 1,
      error: (answer.error as Error).message,
    });
  }
  return { failedIds, malformed, refused, results };
}
