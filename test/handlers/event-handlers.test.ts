import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeHandler as accessFailureHandler } from "../../handlers/access-failure.js";
import { makeHandler as configComplianceHandler } from "../../handlers/config-compliance.js";
import { makeHandler as rotationFailureHandler } from "../../handlers/rotation-failure.js";
import { MemoryAccessFailureCounter } from "../../src/adapters/access-failure-counter.js";
import type { BatchDeps } from "../../src/app/handle-batch.js";
import { parseEvent } from "../../src/domain/events.js";
import { AdapterError } from "../../src/errors.js";
import type { SecretStore } from "../../src/ports.js";
import {
  BREAK_GLASS,
  DESTRUCTIVE_OPERATIONS,
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
const MAKERS = {
  "config-compliance": configComplianceHandler,
  "access-failure": accessFailureHandler,
  "rotation-failure": rotationFailureHandler,
} as const;
type Route = keyof typeof MAKERS;

/** Every event of examples/events and the sm-* recordings of test/fixtures/events, in file order. */
const EVENT_FILES = [
  ...readdirSync("examples/events")
    .sort()
    .map((f) => join("examples/events", f)),
  ...readdirSync("test/fixtures/events")
    .filter((f) => f.startsWith("sm-") && f.endsWith(".json"))
    .sort()
    .map((f) => join("test/fixtures/events", f)),
];

function read(path: string): string {
  return readFileSync(path, "utf8");
}

function routeOf(body: string): Route {
  const parsed = parseEvent(JSON.parse(body));
  if (!parsed.ok) throw new Error(`not an event of ours: ${parsed.reason}`);
  return parsed.rule as Route;
}

function sqs(...messages: [id: string, body: string][]) {
  return { Records: messages.map(([messageId, body]) => ({ messageId, body })) };
}

/** The handlers of one Lambda container: one store, one access-failure counter, one log. */
function handlers(store: SecretStore) {
  const log = new RecordingLog();
  const audit = new RecordingAudit();
  const window = new MemoryAccessFailureCounter(
    POLICY.accessFailures.windowMinutes,
    POLICY.accessFailures.incidentAfter,
  );
  const deps =
    (route: Route) =>
    (_now: Date): BatchDeps => ({
      route,
      parse: parseEvent,
      stack: { account: "123456789012", region: "us-east-1" },
      log,
      store,
      policy: POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
      audit,
      accessCounter: window,
    });
  return {
    log,
    audit,
    handler: (route: Route) => MAKERS[route](deps(route)),
  };
}

async function replayAll(h: ReturnType<typeof handlers>, pass: number): Promise<void> {
  for (const [i, file] of EVENT_FILES.entries()) {
    const body = read(file);
    const response = await h.handler(routeOf(body))(sqs([`pass-${pass}-${i}`, body]));
    expect(response).toEqual({ batchItemFailures: [] });
  }
}

/** Three reads of the quarantined secret by one role, each denied by the quarantine: the default proof of use. */
const DENIED_BY_QUARANTINE = [
  "examples/events/03-getsecretvalue-denied-by-quarantine.json",
  "examples/events/03b-getsecretvalue-denied-by-quarantine-again.json",
  "examples/events/03c-getsecretvalue-denied-by-quarantine-third.json",
];

describe("event handlers (makeHandler)", () => {
  it.each([
    {
      route: "config-compliance" as Route,
      files: ["examples/events/01-config-unused-noncompliant.json"],
      secret: "app/stale",
      writes: ["TagResource app/stale"],
    },
    {
      route: "access-failure" as Route,
      files: DENIED_BY_QUARANTINE,
      secret: "app/quarantined-20d",
      writes: [
        "TagResource app/quarantined-20d",
        "PutResourcePolicy app/quarantined-20d",
        "UntagResource app/quarantined-20d",
      ],
    },
    {
      route: "rotation-failure" as Route,
      files: ["examples/events/04-rotation-failed.json"],
      secret: "app/flagged-5d",
      writes: [],
    },
  ])("$route: acts on its SQS batch and reports no item failure", async ({
    route,
    files,
    secret,
    writes,
  }) => {
    // Prepare
    const account = exampleAccount();
    const h = handlers(account);

    // Act
    const response = await h.handler(route)(
      sqs(...files.map((file, i): [string, string] => [`msg-${i + 1}`, read(file)])),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(writesSince(account)).toEqual(writes);
    expect(h.audit.entries.map((e) => [e.name, e.outcome])).toEqual([[secret, "done"]]);
  });

  it.each(
    Object.keys(MAKERS) as Route[],
  )("%s: malformed records are logged and counted, never retried", async (route) => {
    // Prepare
    const account = exampleAccount();
    const h = handlers(account);
    const foreign =
      route === "config-compliance"
        ? "examples/events/05-getsecretvalue-accessdenied.json"
        : "examples/events/01-config-unused-noncompliant.json";

    // Act
    const response = await h.handler(route)(
      sqs(
        ["not-json", "{"],
        ["rejected", read("test/fixtures/events/documented/cloudtrail-rotatesecret-invalidrequest_NEG.json")],
        ["foreign", read(foreign)],
      ),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.log.at("warn").map((l) => l.extra.recordId)).toEqual(["not-json", "rejected", "foreign"]);
    expect(h.log.at("warn").every((l) => typeof l.extra.reason === "string" && l.extra.reason !== "")).toBe(
      true,
    );
    expect(writesSince(account)).toEqual([]);
  });

  it("returns the message id of a record whose write failed with a retryable error, and only that one", async () => {
    // Prepare
    const account = exampleAccount();
    const quarantined = await secretOf(account, "app/quarantined-20d");
    const store = new ScriptedStore(account).fail(
      "putResourcePolicy",
      new AdapterError("PutResourcePolicy: ThrottlingException: Rate exceeded", "PutResourcePolicy", true),
      [quarantined.arn],
    );
    const h = handlers(store);

    // Act
    const response = await h.handler("access-failure")(
      sqs(
        ["ok-1", read("examples/events/05-getsecretvalue-accessdenied.json")],
        ["denied-1", read(DENIED_BY_QUARANTINE[0] as string)],
        ["denied-2", read(DENIED_BY_QUARANTINE[1] as string)],
        ["fails", read(DENIED_BY_QUARANTINE[2] as string)],
        ["ok-2", read("test/fixtures/events/sm-cloudtrail-getsecretvalue-accessdenied.json")],
      ),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "fails" }] });
    expect(governorTags(await secretOf(account, quarantined.arn))["governor:stage"]).toBe("quarantined");
  });

  it("releases on the redelivery of the read whose release failed: the proof is not taken as already reported", async () => {
    // Prepare: the third denied read proves use, and its release is throttled once.
    const account = exampleAccount();
    const quarantined = await secretOf(account, "app/quarantined-20d");
    let throttled = false;
    const store = new ScriptedStore(account);
    const put = store.putResourcePolicy.bind(store);
    store.putResourcePolicy = async (arn, policy) => {
      if (!throttled) {
        throttled = true;
        throw new AdapterError("PutResourcePolicy: ThrottlingException", "PutResourcePolicy", true);
      }
      return put(arn, policy);
    };
    const h = handlers(store);
    const batch = DENIED_BY_QUARANTINE.map((file, i): [string, string] => [`denied-${i}`, read(file)]);
    await h.handler("access-failure")(sqs(...batch));

    // Act: SQS redelivers the failed record.
    const retry = await h.handler("access-failure")(sqs(batch[2] as [string, string]));

    // Assess
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(governorTags(await secretOf(account, quarantined.arn))["governor:stage"]).toBeUndefined();
  });

  it("throws for a direct EventBridge invocation whose action failed, so EventBridge retries it", async () => {
    // Prepare
    const account = exampleAccount();
    const stale = await secretOf(account, "app/stale");
    const store = new ScriptedStore(account).fail(
      "tag",
      new AdapterError("TagResource: InternalServiceError", "TagResource", true),
      [stale.arn],
    );
    const event = JSON.parse(read("examples/events/01-config-unused-noncompliant.json")) as { id: string };

    // Act
    const invocation = handlers(store).handler("config-compliance")(event);

    // Assess
    await expect(invocation).rejects.toThrow(`event ${event.id} failed`);
  });

  it("answers a direct EventBridge invocation that succeeded with no failures", async () => {
    // Prepare
    const account = exampleAccount();
    const event = JSON.parse(read("examples/events/06-config-unused-compliant-again.json"));

    // Act
    const response = await handlers(account).handler("config-compliance")(event);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(writesSince(account)).toEqual(["UntagResource app/used-again"]);
  });

  it("replaying every event twice leaves the account as replaying it once, with no second write", async () => {
    // Prepare
    const once = exampleAccount();
    const twice = exampleAccount();
    const onceHandlers = handlers(once);
    const twiceHandlers = handlers(twice);
    await replayAll(onceHandlers, 1);
    await replayAll(twiceHandlers, 1);
    const afterFirstPass = twice.calls.length;

    // Act
    await replayAll(twiceHandlers, 2);

    // Assess
    expect(EVENT_FILES.length).toBe(12);
    expect(writesSince(twice, 0).some((w) => DESTRUCTIVE_OPERATIONS.has(w.split(" ")[0] ?? ""))).toBe(true);
    expect(writesSince(twice, afterFirstPass)).toEqual([]);
    expect(twice.snapshot()).toEqual(once.snapshot());
  });
});
