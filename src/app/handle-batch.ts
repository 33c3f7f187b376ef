import type { ParsedEvent } from "../domain/events.js";
import type { Finding } from "../domain/finding.js";
import type { StackIdentity } from "../domain/origin.js";
import type { AuditEntry } from "../ports.js";
import {
  type FindingResult,
  type Log,
  type ProcessDeps,
  processFindings,
  recordAudit,
} from "./process-findings.js";
import type { RecentEvents } from "./recent-events.js";
import { EVENT_REFUSED, refusalOf, refusedAuditEntries } from "./refused.js";

export type { Log } from "./process-findings.js";

/**
 * The message of the one summary line each batch logs, with the numeric fields `records`, `findings`,
 * `malformed`, `refused` (events not of this stack's account and region) and `failed` (records to retry), so a
 * metric filter can count malformed and refused events.
 */
export const BATCH_SUMMARY = "batch summary";

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
  /** Events handled lately by this instance: a duplicate delivery is skipped, not reported twice. */
  recentEvents?: RecentEvents;
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
  const eventOf = new Map<string, string>();
  const owners: string[] = [];
  const findings: Finding[] = [];
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
    if (deps.recentEvents && (deps.recentEvents.has(parsed.eventId) || batchEvents.has(parsed.eventId))) {
      duplicates++;
      deps.log.info("duplicate event skipped", { recordId: record.id, eventId: parsed.eventId });
      continue;
    }
    batchEvents.add(parsed.eventId);
    eventOf.set(record.id, parsed.eventId);
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
  // Handled events are remembered; a failed one is not, so its redelivery is handled again.
  for (const [recordId, eventId] of eventOf)
    if (!failedIds.includes(recordId)) deps.recentEvents?.add(eventId);
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
  return { failedIds, malformed, refused, results };
}
