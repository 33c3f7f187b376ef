import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AUDIT_DETAIL_TYPE,
  AUDIT_SOURCE,
  auditEvent,
  batchEvents,
  EventBridgeAuditSink,
  JsonLogAuditSink,
  PUT_EVENTS_MAX_BYTES,
  putEventsEntrySize,
} from "../../src/adapters/audit.js";
import { makeEventBridgeClient } from "../../src/adapters/aws-clients.js";
import { AdapterError, AuditDeliveryError } from "../../src/errors.js";
import type { AuditEntry } from "../../src/ports.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";

const FIXTURES = "test/fixtures/aws/events";
const used = new Set<string>();
// biome-ignore lint/suspicious/noExplicitAny: a recorded response handed to the mock as the SDK's output type
function fixture(name: string): any {
  used.add(name);
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
}

function auditEntry(i: number, detail?: string): AuditEntry {
  return {
    time: "2026-11-23T10:00:00.000Z",
    mode: "enforce",
    arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:app/s-${i}-AbCdEf`,
    name: `app/s-${i}`,
    finding: "unused",
    action: "quarantine",
    guard: null,
    outcome: "done",
    ...(detail !== undefined ? { detail } : {}),
  };
}

const events = mockClient(EventBridgeClient);

function sentBatches(): PutEventsRequestEntry[][] {
  return events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
}

describe("EventBridgeAuditSink (SDK mocked)", () => {
  beforeEach(() => {
    events.reset();
  });

  it("sends each entry as one event, ten per call", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const entries = Array.from({ length: 23 }, (_, i) => auditEntry(i));
    await new EventBridgeAuditSink(new EventBridgeClient({ region: "us-east-1" }), "governor-audit").record(
      entries,
    );
    const batches = sentBatches();
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches[0]?.[0]).toEqual({
      Source: AUDIT_SOURCE,
      DetailType: AUDIT_DETAIL_TYPE,
      Detail: JSON.stringify(entries[0]),
      Resources: [entries[0]?.arn],
      Time: new Date("2026-11-23T10:00:00.000Z"),
      EventBusName: "governor-audit",
    });
    expect(batches.flat().map((e) => JSON.parse(e.Detail ?? "").name)).toEqual(entries.map((e) => e.name));
  });

  it("makes no call for no entries", async () => {
    await new EventBridgeAuditSink(new EventBridgeClient({ region: "us-east-1" })).record([]);
    expect(events.calls()).toHaveLength(0);
  });

  it("sends the failed entries once more, and only them", async () => {
    events
      .on(PutEventsCommand)
      .resolvesOnce(fixture("put-events.partial-failure.json"))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e" }] });
    const entries = [auditEntry(0), auditEntry(1), auditEntry(2)];
    await new EventBridgeAuditSink(new EventBridgeClient({ region: "us-east-1" })).record(entries);
    const batches = sentBatches();
    expect(batches.map((b) => b.length)).toEqual([3, 1]);
    expect(batches[1]?.[0]?.Detail).toBe(JSON.stringify(entries[1]));
  });

  it.each([
    { code: "ThrottlingException", retryable: true },
    { code: "InternalFailure", retryable: true },
    { code: "AccessDeniedException", retryable: false },
  ])("raises AdapterError (retryable $retryable) when entries fail twice with $code", async ({
    code,
    retryable,
  }) => {
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: code, ErrorMessage: "no" }] });
    const error = await new EventBridgeAuditSink(new EventBridgeClient({ region: "us-east-1" }))
      .record([auditEntry(0)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ operation: "PutEvents", retryable });
    expect((error as Error).message).toContain(code);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it("tries every batch and carries the entries still refused whole, for the caller to log", async () => {
    // Prepare: EventBridge refuses one entry of the first batch, every time.
    events.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      const results = input.Entries.map((e) =>
        JSON.parse(e.Detail ?? "{}").name === "app/s-1"
          ? { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded." }
          : { EventId: "e" },
      );
      return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
    });
    const entries = Array.from({ length: 23 }, (_, i) => auditEntry(i));

    // Act
    const error = await new EventBridgeAuditSink(new EventBridgeClient({ region: "us-east-1" }))
      .record(entries)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AuditDeliveryError);
    expect((error as AuditDeliveryError).entries).toEqual([entries[1]]);
    expect(error).toMatchObject({ operation: "PutEvents", retryable: true });
    expect((error as Error).message).toContain("1 of 23 audit events failed twice (ThrottlingException)");
    expect(sentBatches().map((b) => b.length)).toEqual([10, 1, 10, 3]);
  });

  it("goes on with the next batches when a whole call fails, and carries that batch's entries", async () => {
    // Prepare
    events
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error("socket hang up"), { name: "TimeoutError", code: "ECONNRESET" }))
      .resolves({ FailedEntryCount: 0, Entries: [] });
    const entries = Array.from({ length: 12 }, (_, i) => auditEntry(i));

    // Act
    const error = await new EventBridgeAuditSink(new EventBridgeClient({ region: "us-east-1" }))
      .record(entries)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AuditDeliveryError);
    expect((error as AuditDeliveryError).entries).toEqual(entries.slice(0, 10));
    expect(sentBatches().map((b) => b.length)).toEqual([10, 2]);
  });

  it("wraps a failed call as AdapterError", async () => {
    events.on(PutEventsCommand).rejects(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    const error = await new EventBridgeAuditSink(new EventBridgeClient({ region: "us-east-1" }))
      .record([auditEntry(0)])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ operation: "PutEvents", retryable: true });
  });
});

describe("PutEvents size limits", () => {
  it("splits a batch before it goes over 256 KB", () => {
    const big = Array.from({ length: 5 }, (_, i) => auditEvent(auditEntry(i, "x".repeat(100_000))));
    const batches = batchEvents(big);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    for (const batch of batches)
      expect(batch.reduce((sum, e) => sum + putEventsEntrySize(e), 0)).toBeLessThanOrEqual(
        PUT_EVENTS_MAX_BYTES,
      );
  });

  it.each([
    { name: "ASCII", char: "x" },
    { name: "multi-byte", char: "€" },
    { name: "JSON-escaped", char: '"' },
  ])("cuts an oversized $name detail to fit, keeping the facts", ({ char }) => {
    const entry = auditEntry(1, char.repeat(300_000));
    const event = auditEvent(entry);
    const size = putEventsEntrySize(event);
    expect(size).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
    expect(size).toBeGreaterThan(PUT_EVENTS_MAX_BYTES - 16);
    const detail = JSON.parse(event.Detail ?? "");
    expect(detail).toMatchObject({ arn: entry.arn, action: "quarantine", outcome: "done" });
    expect(detail.detail).toMatch(/…\[truncated\]$/);
  });

  it("counts the size as EventBridge does", () => {
    const event = {
      Time: new Date(),
      Source: "ab",
      DetailType: "cd",
      Detail: '{"e":"€"}',
      Resources: ["r", "s"],
    };
    expect(putEventsEntrySize(event)).toBe(14 + 2 + 2 + 11 + 2);
  });
});

describe("JsonLogAuditSink", () => {
  it("writes one JSON line per entry", async () => {
    const lines: string[] = [];
    await new JsonLogAuditSink({ write: (chunk: string) => lines.push(chunk) }).record([
      auditEntry(0),
      auditEntry(1, "withheld: limit"),
    ]);
    expect(lines).toEqual([
      `${JSON.stringify(auditEntry(0))}\n`,
      `${JSON.stringify(auditEntry(1, "withheld: limit"))}\n`,
    ]);
  });
});

describe("EventBridgeAuditSink against moto", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto.stop();
    expect(readdirSync(FIXTURES).sort()).toEqual([...used].sort());
  });

  it("puts a batch of audit events on the default bus", async () => {
    const client = makeEventBridgeClient({
      region: MOTO_ENV.AWS_REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    events.restore();
    const outputs: { FailedEntryCount?: number; Entries?: unknown[] }[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        outputs.push(result.output as (typeof outputs)[number]);
        return result;
      },
      { step: "initialize" },
    );
    await new EventBridgeAuditSink(client).record(Array.from({ length: 12 }, (_, i) => auditEntry(i)));
    client.destroy();
    expect(outputs.map((o) => [o.FailedEntryCount, o.Entries?.length])).toEqual([
      [0, 10],
      [0, 2],
    ]);
  });
});
