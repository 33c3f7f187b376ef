import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MemoryAccessFailureCounter } from "../../src/adapters/access-failure-counter.js";
import { MemoryCacheClient, memoryEventLedger } from "../../src/adapters/event-ledger.js";
import { BATCH_SUMMARY, type BatchDeps, type BatchRecord, handleBatch } from "../../src/app/handle-batch.js";
import { AUDIT_DELIVERY_FAILED, type FindingResult } from "../../src/app/process-findings.js";
import { parseEvent } from "../../src/domain/events.js";
import { AdapterError } from "../../src/errors.js";
import type { AuditEntry, SecretStore } from "../../src/ports.js";
import {
  BREAK_GLASS,
  defaultPolicy,
  exampleAccount,
  governorTags,
  NOW,
  RecordingAudit,
  RecordingLog,
  ScriptedStore,
  secretOf,
  writesSince,
} from "../fixtures/app/fakes.js";

const POLICY = defaultPolicy();

function eventText(path: string): string {
  return readFileSync(path, "utf8");
}

const STALE_UNUSED = eventText("examples/events/01-config-unused-noncompliant.json");
const USED_AGAIN = eventText("examples/events/06-config-unused-compliant-again.json");
const ACCESS_DENIED = eventText("examples/events/05-getsecretvalue-accessdenied.json");
const SUCCEEDED_CALL = eventText(
  "test/fixtures/events/documented/cloudtrail-getsecretvalue-success_NEG.json",
);

function batchDeps(
  store: SecretStore,
  route: string,
  notified: FindingResult[][] = [],
): BatchDeps & { log: RecordingLog } {
  return {
    route,
    parse: parseEvent,
    stack: { account: "123456789012", region: "us-east-1" },
    log: new RecordingLog(),
    store,
    policy: POLICY,
    mode: "enforce",
    now: NOW,
    exemptPrincipals: [BREAK_GLASS],
    audit: new RecordingAudit(),
    accessCounter: new MemoryAccessFailureCounter(15, 3),
    notify: async (results) => {
      notified.push(results);
    },
  };
}

describe("handleBatch", () => {
  it("drops malformed records with their id and reason, and acts on the good ones", async () => {
    // Prepare
    const account = exampleAccount();
    const deps = batchDeps(account, "config-compliance");
    const records: BatchRecord[] = [
      { id: "m-good", body: STALE_UNUSED },
      { id: "m-not-json", body: "{not json" },
      { id: "m-rejected", body: SUCCEEDED_CALL },
      { id: "m-other-route", body: ACCESS_DENIED },
    ];

    // Act
    const result = await handleBatch(records, deps);

    // Assess
    expect(result.malformed).toBe(3);
    expect(result.failedIds).toEqual([]);
    expect(result.results.map((r) => [r.finding.secretId.split(":secret:")[1], r.outcome?.outcome])).toEqual([
      ["app/stale-Ef34Gh", "done"],
    ]);
    const dropped = deps.log.at("warn").map((l) => [l.extra.recordId, typeof l.extra.reason]);
    expect(dropped).toEqual([
      ["m-not-json", "string"],
      ["m-rejected", "string"],
      ["m-other-route", "string"],
    ]);
    expect(deps.log.at("warn")[0]?.extra.reason).toBe("the message body is not JSON");
    expect(deps.log.at("warn")[1]?.extra.reason).toBe(
      "The GetSecretValue call succeeded (no errorCode): it is not an access failure.",
    );
    expect(deps.log.at("warn")[2]?.extra).toMatchObject({ rule: "access-failure" });
    expect(deps.log.at("warn")[2]?.extra.reason).toContain("config-compliance");
    expect(governorTags(await secretOf(account, "app/stale"))["governor:stage"]).toBe("flagged");
  });

  it("takes an event already parsed (a direct EventBridge invocation) as well as a JSON body", async () => {
    // Prepare
    const account = exampleAccount();
    const deps = batchDeps(account, "config-compliance");

    // Act
    const result = await handleBatch([{ id: "direct", body: JSON.parse(STALE_UNUSED) }], deps);

    // Assess
    expect(result.malformed).toBe(0);
    expect(result.results[0]?.outcome?.outcome).toBe("done");
  });

  it("fails only the record whose action failed with a retryable error", async () => {
    // Prepare
    const account = exampleAccount();
    const stale = await secretOf(account, "app/stale");
    const throttled = new AdapterError(
      "TagResource: ThrottlingException: Rate exceeded",
      "TagResource",
      true,
    );
    const store = new ScriptedStore(account).fail("tag", throttled, [stale.arn]);
    const deps = batchDeps(store, "config-compliance");

    // Act
    const result = await handleBatch(
      [
        { id: "m-1", body: STALE_UNUSED },
        { id: "m-2", body: USED_AGAIN },
        { id: "m-3", body: "[]" },
      ],
      deps,
    );

    // Assess
    expect(result.failedIds).toEqual(["m-1"]);
    expect(result.malformed).toBe(1);
    expect(deps.log.at("error")).toEqual([
      {
        level: "error",
        message: "action failed; the event will be retried",
        extra: { recordId: "m-1", error: throttled.message },
      },
    ]);
    expect(writesSince(account)).toEqual(["UntagResource app/used-again"]);
  });

  it("logs one decision line per finding, with its record id", async () => {
    // Prepare
    const account = exampleAccount();
    const deps = batchDeps(account, "config-compliance");

    // Act
    await handleBatch(
      [
        { id: "m-1", body: STALE_UNUSED },
        { id: "m-2", body: STALE_UNUSED },
      ],
      deps,
    );

    // Assess
    const lines = deps.log.at("info").filter((l) => l.message === "decision");
    expect(lines.map((l) => [l.extra.recordId, l.extra.action, l.extra.outcome, l.extra.mode])).toEqual([
      ["m-1", "tag", "done", "enforce"],
      ["m-2", "none", "skipped", "enforce"],
    ]);
  });

  it("reports every result of the batch once, failures included", async () => {
    // Prepare
    const account = exampleAccount();
    const stale = await secretOf(account, "app/stale");
    const store = new ScriptedStore(account).fail(
      "tag",
      new AdapterError("TagResource: InternalFailure", "TagResource", true),
      [stale.arn],
    );
    const notified: FindingResult[][] = [];

    // Act
    await handleBatch(
      [
        { id: "m-1", body: STALE_UNUSED },
        { id: "m-2", body: USED_AGAIN },
      ],
      batchDeps(store, "config-compliance", notified),
    );

    // Assess
    expect(notified).toHaveLength(1);
    expect(notified[0]?.map((r) => r.outcome?.outcome)).toEqual(["failed", "done"]);
  });

  it("logs one summary line per batch, for a metric filter on malformed events", async () => {
    // Prepare
    const account = exampleAccount();
    const stale = await secretOf(account, "app/stale");
    const store = new ScriptedStore(account).fail(
      "tag",
      new AdapterError("TagResource: ThrottlingException", "TagResource", true),
      [stale.arn],
    );
    const deps = batchDeps(store, "config-compliance");

    // Act
    await handleBatch(
      [
        { id: "m-1", body: STALE_UNUSED },
        { id: "m-2", body: USED_AGAIN },
        { id: "m-3", body: "{not json" },
        { id: "m-4", body: ACCESS_DENIED },
      ],
      deps,
    );

    // Assess
    const summary = deps.log.lines.filter((l) => l.message === BATCH_SUMMARY);
    expect(summary).toEqual([
      {
        level: "info",
        message: "batch summary",
        extra: {
          route: "config-compliance",
          records: 4,
          findings: 2,
          malformed: 2,
          refused: 0,
          duplicates: 0,
          failed: 1,
        },
      },
    ]);
  });

  it("logs the summary line for an empty batch too", async () => {
    // Prepare
    const deps = batchDeps(exampleAccount(), "config-compliance");

    // Act
    await handleBatch([], deps);

    // Assess
    expect(deps.log.lines.find((l) => l.message === BATCH_SUMMARY)?.extra).toMatchObject({
      records: 0,
      findings: 0,
      malformed: 0,
      failed: 0,
    });
  });

  it("still logs the decisions and warns the owners when the audit cannot be delivered", async () => {
    // Prepare: PutEvents refuses everything, after the action is done.
    const account = exampleAccount();
    const notified: FindingResult[][] = [];
    const deps = batchDeps(account, "config-compliance", notified);
    deps.audit = {
      record: async (_entries: AuditEntry[]) => {
        throw new AdapterError("PutEvents failed: AccessDeniedException", "PutEvents", false);
      },
    };

    // Act
    const result = await handleBatch([{ id: "m-1", body: STALE_UNUSED }], deps);

    // Assess
    expect(result.failedIds).toEqual([]);
    expect(deps.log.lines.filter((l) => l.message === "decision").map((l) => l.extra.action)).toEqual([
      "tag",
    ]);
    expect(notified.map((batch) => batch.map((r) => r.outcome?.outcome))).toEqual([["done"]]);
    const kept = deps.log.at("error").find((l) => l.message === AUDIT_DELIVERY_FAILED);
    expect(kept?.extra.auditDeliveryFailed).toBe(1);
    expect(kept?.extra.entries).toEqual([expect.objectContaining({ name: "app/stale", action: "tag" })]);
    expect(governorTags(await secretOf(account, "app/stale"))["governor:stage"]).toBe("flagged");
  });
});

describe("handleBatch: duplicate deliveries", () => {
  const ROTATION_FAILED = eventText("examples/events/04-rotation-failed.json");

  it("tells the owner once about an event delivered twice, across batches and within one", async () => {
    // Prepare
    const notified: FindingResult[][] = [];
    const deps = {
      ...batchDeps(exampleAccount(), "rotation-failure", notified),
      ledger: memoryEventLedger(),
    };

    // Act
    await handleBatch(
      [
        { id: "m-1", body: ROTATION_FAILED },
        { id: "m-2", body: ROTATION_FAILED },
      ],
      deps,
    );
    const again = await handleBatch([{ id: "m-3", body: ROTATION_FAILED }], deps);

    // Assess
    expect(notified.flat().filter((r) => r.decision?.action === "notify")).toHaveLength(1);
    expect(again.results).toEqual([]);
    expect(deps.log.lines.filter((l) => l.message === "duplicate event skipped")).toHaveLength(2);
  });

  it("handles again an event whose first delivery failed: it is retried, not skipped", async () => {
    // Prepare: the first delivery's describe fails.
    const store = new ScriptedStore(exampleAccount()).fail(
      "describe",
      new AdapterError("DescribeSecret failed", "DescribeSecret", true),
    );
    const deps = { ...batchDeps(store, "config-compliance"), ledger: memoryEventLedger() };
    const first = await handleBatch([{ id: "m-1", body: STALE_UNUSED }], deps);

    // Act
    const healthy = { ...deps, store: exampleAccount() };
    const second = await handleBatch([{ id: "m-1", body: STALE_UNUSED }], healthy);

    // Assess
    expect(first.failedIds).toEqual(["m-1"]);
    expect(second.results[0]?.outcome?.outcome).toBe("done");
  });
});

describe("handleBatch: the event ledger", () => {
  const ROTATION_FAILED = eventText("examples/events/04-rotation-failed.json");

  it("skips an event another instance handled (one ledger, two instances), and tells the owner once", async () => {
    // Prepare: two instances, each with its own memory, sharing the ledger's store as they would a table.
    const shared = new MemoryCacheClient();
    const notified: FindingResult[][] = [];
    const account = exampleAccount();
    const first = { ...batchDeps(account, "rotation-failure", notified), ledger: memoryEventLedger(shared) };
    const second = { ...batchDeps(account, "rotation-failure", notified), ledger: memoryEventLedger(shared) };

    // Act
    await handleBatch([{ id: "m-1", body: ROTATION_FAILED }], first);
    const again = await handleBatch([{ id: "m-2", body: ROTATION_FAILED }], second);

    // Assess
    expect(notified.flat().filter((r) => r.decision?.action === "notify")).toHaveLength(1);
    expect(again.results).toEqual([]);
    expect(again.failedIds).toEqual([]);
  });

  it("retries an event another instance is handling right now, without handling it twice", async () => {
    // Prepare
    const shared = new MemoryCacheClient();
    const account = exampleAccount();
    const busy = memoryEventLedger(shared);
    const parsed = parseEvent(JSON.parse(ROTATION_FAILED));
    if (!parsed.ok) throw new Error(parsed.reason);
    const deps = { ...batchDeps(account, "rotation-failure"), ledger: memoryEventLedger(shared) };
    const other = { ...batchDeps(account, "rotation-failure"), ledger: busy };
    // The other instance holds the claim, as it would mid-invocation: its notify waits for our delivery.
    let result: Awaited<ReturnType<typeof handleBatch>> | undefined;
    other.notify = async () => {
      result = await handleBatch([{ id: "m-2", body: ROTATION_FAILED }], deps);
    };

    // Act
    await handleBatch([{ id: "m-1", body: ROTATION_FAILED }], other);

    // Assess
    expect(result?.failedIds).toEqual(["m-2"]);
    expect(result?.results).toEqual([]);
  });

  it("refuses a message that reuses a handled event's id with other content", async () => {
    // Prepare
    const deps = { ...batchDeps(exampleAccount(), "rotation-failure"), ledger: memoryEventLedger() };
    await handleBatch([{ id: "m-1", body: ROTATION_FAILED }], deps);
    const forged = JSON.parse(ROTATION_FAILED);
    forged.detail.additionalEventData.SecretId = "app/active";

    // Act
    const result = await handleBatch([{ id: "m-2", body: JSON.stringify(forged) }], deps);

    // Assess
    expect(result.refused).toBe(1);
    expect(result.results).toEqual([]);
    expect(deps.log.lines.find((l) => l.message === "event refused")?.extra?.reason).toMatch(
      /handled before with other findings/,
    );
  });

  it("fails the record when the ledger cannot answer: retried, never dropped, nothing done", async () => {
    // Prepare
    const account = exampleAccount();
    const down = {
      claim: async () => {
        throw new AdapterError(
          "event ledger claim failed: ProvisionedThroughputExceededException",
          "PutItem",
          true,
        );
      },
      complete: async () => {},
      release: async () => {},
    };
    const deps = { ...batchDeps(account, "config-compliance"), ledger: down };

    // Act
    const result = await handleBatch([{ id: "m-1", body: STALE_UNUSED }], deps);

    // Assess
    expect(result.failedIds).toEqual(["m-1"]);
    expect(writesSince(account)).toEqual([]);
    expect(deps.log.lines.find((l) => l.message === "state store unavailable")?.extra).toMatchObject({
      recordId: "m-1",
      stateStoreUnavailable: 1,
    });
  });

  it("fails the record when the access-failure counter cannot answer, releases its claim, and the retry counts it once", async () => {
    // Prepare: the state table throttles the counter's first call.
    const account = exampleAccount();
    const ledger = memoryEventLedger();
    const counter = new MemoryAccessFailureCounter(15, 3);
    let down = true;
    const accessCounter = {
      record: async (...args: Parameters<typeof counter.record>) => {
        if (down)
          throw new AdapterError(
            "access-failure counter count failed: ThrottlingException",
            "UpdateItem",
            true,
          );
        return counter.record(...args);
      },
      reopen: (...args: Parameters<typeof counter.reopen>) => counter.reopen(...args),
    };
    const notified: FindingResult[][] = [];
    // One denial is an incident, so the retry's count decides whether the owner hears of it.
    const policy = { ...POLICY, accessFailures: { ...POLICY.accessFailures, incidentAfter: 1 } };
    const deps = { ...batchDeps(account, "access-failure", notified), ledger, accessCounter, policy };
    const from = account.calls.length;

    // Act
    const first = await handleBatch([{ id: "m-1", body: ACCESS_DENIED }], deps);
    down = false;
    const retry = await handleBatch([{ id: "m-1", body: ACCESS_DENIED }], deps);
    const duplicate = await handleBatch([{ id: "m-2", body: ACCESS_DENIED }], deps);

    // Assess
    expect(first.failedIds).toEqual(["m-1"]);
    expect(deps.log.lines.find((l) => l.message === "state store unavailable")?.extra).toMatchObject({
      stateStoreUnavailable: 1,
    });
    expect(retry.failedIds).toEqual([]);
    expect(retry.results[0]?.accessFailures?.count).toBe(1);
    expect(retry.results[0]?.outcome).toMatchObject({ outcome: "done", decision: { action: "notify" } });
    expect(duplicate.results).toEqual([]);
    expect(notified.flat().filter((r) => r.outcome?.outcome === "done")).toHaveLength(1);
    expect(writesSince(account, from)).toEqual([]);
  });

  it("completes a claim only after the notices, and releases a failed event's claim so that its retry runs", async () => {
    // Prepare
    const order: string[] = [];
    const inner = memoryEventLedger();
    const ledger = {
      claim: (e: Parameters<typeof inner.claim>[0], ms: number) => inner.claim(e, ms),
      complete: async (e: Parameters<typeof inner.complete>[0]) => {
        order.push(`complete ${e.eventId}`);
        await inner.complete(e);
      },
      release: async (e: Parameters<typeof inner.release>[0]) => {
        order.push(`release ${e.eventId}`);
        await inner.release(e);
      },
    };
    const store = new ScriptedStore(exampleAccount()).fail(
      "tag",
      new AdapterError("TagResource failed", "TagResource", true),
    );
    const deps = { ...batchDeps(store, "config-compliance"), ledger };
    deps.notify = async () => {
      order.push("notify");
    };

    // Act
    const first = await handleBatch(
      [
        { id: "m-ok", body: USED_AGAIN },
        { id: "m-fails", body: STALE_UNUSED },
      ],
      deps,
    );
    const retry = await handleBatch([{ id: "m-fails", body: STALE_UNUSED }], {
      ...deps,
      store: exampleAccount(),
    });

    // Assess
    expect(first.failedIds).toEqual(["m-fails"]);
    expect(order.slice(0, 3)).toEqual([
      "notify",
      `complete ${JSON.parse(USED_AGAIN).id}`,
      `release ${JSON.parse(STALE_UNUSED).id}`,
    ]);
    expect(retry.results[0]?.outcome?.outcome).toBe("done");
  });
});

describe("handleBatch: events that are not this stack's", () => {
  const QUARANTINE_DENIAL = eventText("examples/events/03-getsecretvalue-denied-by-quarantine.json");

  // biome-ignore lint/suspicious/noExplicitAny: a forged event is edited field by field, as an attacker would
  function forged(text: string, forge: (event: Record<string, any>) => void): string {
    const event = JSON.parse(text);
    forge(event);
    return JSON.stringify(event);
  }

  it.each<[string, string, string]>([
    ["config-compliance", "the envelope account", forged(USED_AGAIN, (e) => (e.account = "999999999999"))],
    ["config-compliance", "the region", forged(USED_AGAIN, (e) => (e.region = "eu-west-1"))],
    [
      "access-failure",
      "recipientAccountId",
      forged(QUARANTINE_DENIAL, (e) => (e.detail.recipientAccountId = "999999999999")),
    ],
    [
      "access-failure",
      "a name-only secret from a foreign caller",
      forged(QUARANTINE_DENIAL, (e) => {
        e.detail.requestParameters.secretId = "app/quarantined-20d";
        e.detail.userIdentity.accountId = "999999999999";
        e.detail.userIdentity.arn = "arn:aws:sts::999999999999:assumed-role/attacker/x";
      }),
    ],
  ])("%s: refuses an event whose %s is foreign: logged, counted, audited, never acted on", async (route, _label, body) => {
    // Prepare
    const account = exampleAccount();
    const deps = batchDeps(account, route);
    const notified: FindingResult[][] = [];
    deps.notify = async (results) => {
      notified.push(results);
    };

    // Act
    const result = await handleBatch([{ id: "m-forged", body }], deps);

    // Assess
    expect(result.refused).toBe(1);
    expect(result.failedIds).toEqual([]);
    expect(account.calls).toEqual([]);
    expect(notified.flat()).toEqual([]);
    const refusal = deps.log.lines.find((l) => l.message === "event refused");
    expect(refusal?.extra).toMatchObject({ recordId: "m-forged", refusedEvents: 1 });
    expect(String(refusal?.extra?.reason)).toMatch(/^not this stack's account 123456789012/);
    const summary = deps.log.lines.find((l) => l.message === BATCH_SUMMARY);
    expect(summary?.extra).toMatchObject({ refused: 1, findings: 0 });
    const audit = (deps.audit as RecordingAudit).entries;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: "refused", guard: "foreign-origin", action: "none" });
  });

  it("acts on the good records of a batch that also carries a forged one", async () => {
    // Prepare
    const account = exampleAccount();
    const deps = batchDeps(account, "config-compliance");
    const foreign = forged(USED_AGAIN, (e) => (e.account = "999999999999"));

    // Act
    const result = await handleBatch(
      [
        { id: "m-forged", body: foreign },
        { id: "m-good", body: STALE_UNUSED },
      ],
      deps,
    );

    // Assess
    expect(result.refused).toBe(1);
    expect(writesSince(account)).toEqual(["TagResource app/stale"]);
    expect(governorTags(await secretOf(account, "app/used-again"))["governor:stage"]).toBe("flagged");
  });
});
