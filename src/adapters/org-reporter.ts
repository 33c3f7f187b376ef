import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import {
  ORG_EVENT_SOURCE,
  ORG_HEARTBEAT_DETAIL_TYPE,
  ORG_SUMMARY_DETAIL_TYPE,
  orgHeartbeatSchema,
  orgSummarySchema,
} from "../domain/org-events.js";
import { AdapterError } from "../errors.js";
import { fitOrgSummary } from "../policy/org-summary.js";
import type { OrgEvent, OrgReporter } from "../ports.js";
import { PUT_EVENTS_MAX_BYTES, putEventsEntrySize } from "./audit.js";
import { toAdapterError } from "./aws-clients.js";

/** Room left in an entry for the detail: source, detail-type and time take a few dozen bytes. */
const DETAIL_MAX_BYTES = PUT_EVENTS_MAX_BYTES - 1024;

/**
 * The event as EventBridge takes it. The detail is checked against the contract first: an event the central
 * aggregator would refuse is a bug here, not something to send. No `resources`: a summary is about the whole
 * account-region, and the envelope's account and region are what the aggregator checks it against.
 */
export function orgPutEventsEntry(event: OrgEvent, eventBusName?: string): PutEventsRequestEntry {
  const detail =
    event.kind === "summary"
      ? orgSummarySchema.parse(fitOrgSummary(event.detail, DETAIL_MAX_BYTES))
      : orgHeartbeatSchema.parse(event.detail);
  const time = event.kind === "summary" ? event.detail.sweptAt : event.detail.time;
  const entry: PutEventsRequestEntry = {
    Source: ORG_EVENT_SOURCE,
    DetailType: event.kind === "summary" ? ORG_SUMMARY_DETAIL_TYPE : ORG_HEARTBEAT_DETAIL_TYPE,
    Detail: JSON.stringify(detail),
    Resources: [],
    Time: new Date(time),
  };
  if (eventBusName) entry.EventBusName = eventBusName;
  return entry;
}

/**
 * Summaries and heartbeats on the audit bus, in one PutEvents call (two entries, well under its 10 entries and
 * 256 KB). A refused entry or a failed call raises an AdapterError naming the error codes.
 */
export class EventBridgeOrgReporter implements OrgReporter {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName?: string,
  ) {}

  async publish(events: OrgEvent[]): Promise<void> {
    if (events.length === 0) return;
    const entries = events.map((e) => orgPutEventsEntry(e, this.eventBusName));
    const size = entries.reduce((n, e) => n + putEventsEntrySize(e), 0);
    if (size > PUT_EVENTS_MAX_BYTES)
      throw new AdapterError(
        `org events are ${size} bytes, over PutEvents' ${PUT_EVENTS_MAX_BYTES}`,
        "PutEvents",
        false,
      );
    let response: { FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] };
    try {
      response = await this.client.send(new PutEventsCommand({ Entries: entries }));
    } catch (error) {
      throw toAdapterError("PutEvents", error, "org events");
    }
    if (!response.FailedEntryCount) return;
    const failed = (response.Entries ?? []).filter((e) => e.ErrorCode);
    const codes = [...new Set(failed.map((e) => e.ErrorCode))].join(", ");
    throw new AdapterError(
      `PutEvents: ${response.FailedEntryCount} of ${entries.length} org events refused (${codes}): ${failed[0]?.ErrorMessage ?? ""}`,
      "PutEvents",
      failed.every((e) => e.ErrorCode === "ThrottlingException" || e.ErrorCode === "InternalFailure"),
    );
  }
}

/** The org events in memory, for the CLI and tests; `fail` makes the next publish throw, as a refusal would. */
export class MemoryOrgReporter implements OrgReporter {
  readonly events: OrgEvent[] = [];
  fail?: Error;

  async publish(events: OrgEvent[]): Promise<void> {
    if (this.fail) throw this.fail;
    for (const e of events) orgPutEventsEntry(e);
    this.events.push(...events);
  }
}
