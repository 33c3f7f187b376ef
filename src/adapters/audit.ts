import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from "@aws-sdk/client-eventbridge";
import { AdapterError, AuditDeliveryError } from "../errors.js";
import type { AuditEntry, AuditSink } from "../ports.js";
import { toAdapterError } from "./aws-clients.js";

export const AUDIT_SOURCE = "secrets-governor";
export const AUDIT_DETAIL_TYPE = "Secrets Governor Action";
/** PutEvents takes at most 10 entries and 256 KB per call (EventBridge user guide, "Calculating PutEvents size"). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
const TIME_BYTES = 14;
const TRUNCATED = "…[truncated]";
/** Per-entry failures that go away on their own. */
const TRANSIENT_CODES = new Set(["ThrottlingException", "InternalFailure", "InternalException"]);

function bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** An entry's size as EventBridge counts it. */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? TIME_BYTES : 0;
  size += bytes(entry.Source ?? "") + bytes(entry.DetailType ?? "") + bytes(entry.Detail ?? "");
  for (const resource of entry.Resources ?? []) size += bytes(resource);
  return size;
}

function toEvent(entry: AuditEntry, eventBusName: string | undefined): PutEventsRequestEntry {
  const event: PutEventsRequestEntry = {
    Source: AUDIT_SOURCE,
    DetailType: AUDIT_DETAIL_TYPE,
    Detail: JSON.stringify(entry),
    Resources: entry.arn ? [entry.arn] : [],
  };
  const time = new Date(entry.time);
  if (!Number.isNaN(time.getTime())) event.Time = time;
  if (eventBusName) event.EventBusName = eventBusName;
  return event;
}

/** The entry as an event that fits in one call: an oversized free-text `detail` is cut, never the facts. */
export function auditEvent(entry: AuditEntry, eventBusName?: string): PutEventsRequestEntry {
  const event = toEvent(entry, eventBusName);
  const excess = putEventsEntrySize(event) - PUT_EVENTS_MAX_BYTES;
  if (excess <= 0) return event;
  const detail = entry.detail ?? "";
  const cut = (keep: number) =>
    toEvent({ ...entry, detail: `${detail.slice(0, keep)}${TRUNCATED}` }, eventBusName);
  const fits = (keep: number) => putEventsEntrySize(cut(keep)) <= PUT_EVENTS_MAX_BYTES;
  if (!fits(0))
    throw new AdapterError(
      `audit entry for ${entry.arn} is over ${PUT_EVENTS_MAX_BYTES} bytes even without its detail`,
      "PutEvents",
      false,
    );
  // The longest prefix that fits; JSON escapes and multi-byte text make bytes per character vary.
  let low = 0;
  let high = detail.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return cut(low);
}

/** Splits events into PutEvents calls: at most 10 entries and 256 KB each. */
export function batchEvents<T extends PutEventsRequestEntry>(events: T[]): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let size = 0;
  for (const event of events) {
    const eventSize = putEventsEntrySize(event);
    if (
      batch.length === PUT_EVENTS_MAX_ENTRIES ||
      (batch.length > 0 && size + eventSize > PUT_EVENTS_MAX_BYTES)
    ) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(event);
    size += eventSize;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** An event with the audit entry it carries, so a refused event can be handed back as its entry. */
type AuditEvent = PutEventsRequestEntry & { entry: AuditEntry };

interface Refused {
  event: AuditEvent;
  result: PutEventsResultEntry;
  retryable: boolean;
  /** The whole call failed (after the SDK's own retries), not this entry alone: not sent again. */
  callFailed?: boolean;
}

/**
 * Audit records as EventBridge events (source `secrets-governor`, detail-type `Secrets Governor Action`), so
 * that an archive, a log group or a SIEM can subscribe with a rule. Entries that fail (PutEvents answers with a
 * FailedEntryCount, or the call fails) are sent once more; every batch is tried, so one refusal costs no other
 * entry. Those still failing raise an AuditDeliveryError that carries them whole (recordAudit in
 * src/app/process-findings.ts logs them, so none is lost).
 */
export class EventBridgeAuditSink implements AuditSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName?: string,
  ) {}

  async record(entries: AuditEntry[]): Promise<void> {
    const events: AuditEvent[] = entries.map((entry) => ({ ...auditEvent(entry, this.eventBusName), entry }));
    const undelivered: Refused[] = [];
    for (const batch of batchEvents(events)) {
      const failed = await this.put(batch);
      const again = failed.filter((f) => !f.callFailed);
      undelivered.push(...failed.filter((f) => f.callFailed));
      if (again.length > 0) undelivered.push(...(await this.put(again.map((f) => f.event))));
    }
    if (undelivered.length === 0) return;
    const codes = [...new Set(undelivered.map((f) => f.result.ErrorCode ?? "unknown"))];
    throw new AuditDeliveryError(
      `PutEvents: ${undelivered.length} of ${entries.length} audit events failed twice (${codes.join(", ")}): ${undelivered[0]?.result.ErrorMessage ?? ""}`,
      undelivered.every((f) => f.retryable),
      undelivered.map((f) => f.event.entry),
    );
  }

  /** One PutEvents call; returns the entries it refused (all of them when the call itself failed). */
  private async put(events: AuditEvent[]): Promise<Refused[]> {
    let response: { FailedEntryCount?: number; Entries?: PutEventsResultEntry[] };
    try {
      response = await this.client.send(
        new PutEventsCommand({ Entries: events.map(({ entry: _, ...event }) => event) }),
      );
    } catch (error) {
      const failure = toAdapterError("PutEvents", error);
      const result = {
        ErrorCode: (error as { name?: string }).name ?? "Error",
        ErrorMessage: failure.message,
      };
      return events.map((event) => ({ event, result, retryable: failure.retryable, callFailed: true }));
    }
    if (!response.FailedEntryCount) return [];
    const results = response.Entries ?? [];
    return events.flatMap((event, i) => {
      const result = results[i];
      // Entries come back in request order; a missing one is a failure we cannot see into.
      if (!result)
        return [
          { event, result: { ErrorCode: "Missing", ErrorMessage: "no result entry" }, retryable: false },
        ];
      return result.ErrorCode ? [{ event, result, retryable: TRANSIENT_CODES.has(result.ErrorCode) }] : [];
    });
  }
}

/** Where JsonLogAuditSink writes: process.stdout, a file stream, or a test's array. */
export interface LineWriter {
  write(chunk: string): unknown;
}

/** Audit records as JSON lines, one per entry (for the CLI and for Lambda's log stream). */
export class JsonLogAuditSink implements AuditSink {
  constructor(private readonly writer: LineWriter) {}

  async record(entries: AuditEntry[]): Promise<void> {
    for (const entry of entries) await this.writer.write(`${JSON.stringify(entry)}\n`);
  }
}
