import { checkOrgEvent, type OrgIgnoreReason, type OrgRefusalReason } from "../domain/org-checks.js";
import type { OrgStateStore, OrgWrite } from "../ports.js";
import type { BatchRecord } from "./handle-batch.js";
import { inPool } from "./pool.js";
import type { Log } from "./process-findings.js";

/** The log line of each refused event (`reason`, `eventId`, `accountId`): a metric filter counts them by reason. */
export const ORG_EVENT_REFUSED = "org event refused";
/** The log line of each ignored event: the item already held a later one (out-of-order or repeated delivery). */
export const ORG_EVENT_IGNORED = "org event ignored";
/**
 * The one summary line per batch: `records`, `written`, `refused`, `ignored`, `failed` and `byReason`, so a metric
 * filter can alarm on any refusal.
 */
export const ORG_BATCH_SUMMARY = "org batch summary";

/** Table writes in flight at once per batch. */
export const ORG_WRITE_CONCURRENCY = 16;

export interface OrgAggregateDeps {
  store: OrgStateStore;
  now: Date;
  log: Log;
  concurrency?: number;
}

export interface OrgBatchResult {
  /** Records to retry (the table did not answer); SQS redelivers them, then dead-letters them. */
  failedIds: string[];
  records: number;
  written: number;
  refused: number;
  ignored: number;
  failed: number;
  /** Refusals and ignores, by reason. */
  byReason: Partial<Record<OrgRefusalReason | OrgIgnoreReason, number>>;
}

type Outcome =
  | { kind: "written" }
  | { kind: "refused"; reason: OrgRefusalReason }
  | { kind: "ignored"; reason: OrgIgnoreReason };

function bodyText(body: unknown): string {
  return typeof body === "string" ? body : JSON.stringify(body ?? null);
}

/**
 * One batch of the central queue: every record checked (src/domain/org-checks.ts), then written to the
 * account-region or secret item its verified envelope names, conditionally on being newer. A refused record is
 * logged and counted, never retried and never written; a record whose write failed is retried.
 */
export async function aggregateOrgBatch(
  records: readonly BatchRecord[],
  deps: OrgAggregateDeps,
): Promise<OrgBatchResult> {
  const { store, now, log } = deps;
  const settled = await inPool(records, deps.concurrency ?? ORG_WRITE_CONCURRENCY, async (record) => {
    const check = checkOrgEvent(bodyText(record.body), now);
    if (!check.ok) {
      log.warn(ORG_EVENT_REFUSED, {
        reason: check.reason,
        detail: check.detail,
        messageId: record.id,
        ...(check.id ? { eventId: check.id } : {}),
        ...(check.accountId ? { accountId: check.accountId } : {}),
      });
      return { kind: "refused", reason: check.reason } satisfies Outcome;
    }
    const { event } = check;
    let write: OrgWrite;
    if (event.kind === "action") write = await store.putAction(event.key, event.action, event.order);
    else if (event.kind === "summary") write = await store.putSummary(event.key, event.summary, event.order);
    else write = await store.putHeartbeat(event.key, event.heartbeat, event.order);
    if (write === "stale") {
      log.info(ORG_EVENT_IGNORED, {
        reason: "stale",
        kind: event.kind,
        eventId: event.id,
        accountId: event.key.accountId,
        region: event.key.region,
      });
      return { kind: "ignored", reason: "stale" } satisfies Outcome;
    }
    return { kind: "written" } satisfies Outcome;
  });

  const result: OrgBatchResult = {
    failedIds: [],
    records: records.length,
    written: 0,
    refused: 0,
    ignored: 0,
    failed: 0,
    byReason: {},
  };
  settled.forEach((s, i) => {
    const record = records[i] as BatchRecord;
    if (!s.ok) {
      result.failed++;
      result.failedIds.push(record.id);
      log.error("org state write failed", {
        messageId: record.id,
        error: s.error instanceof Error ? s.error.message : String(s.error),
        stateStoreUnavailable: 1,
      });
      return;
    }
    const outcome = s.value as Outcome;
    if (outcome.kind === "written") result.written++;
    else {
      result[outcome.kind]++;
      result.byReason[outcome.reason] = (result.byReason[outcome.reason] ?? 0) + 1;
    }
  });
  const { failedIds: _ids, ...summary } = result;
  log.info(ORG_BATCH_SUMMARY, summary);
  return result;
}
