import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createSingleUrlNotifier,
  parseRetryAfter,
  SecretsManagerWebhookResolver,
  type SlackLog,
  SlackNotifier,
  type SlackNotifierOptions,
  StdoutNotifier,
  type WebhookResolver,
} from "../../src/adapters/slack.js";
import { AdapterError } from "../../src/errors.js";
import type { Report, ReportItem } from "../../src/ports.js";
import { buildMessages } from "../../src/report/build.js";
import { EXAMPLE_NOW, exampleDecision, exampleSecret, examples } from "../../src/report/examples.js";
import { message, section } from "../../src/report/message.js";
import { SlackReceiver } from "../helpers/slack-receiver.js";

const TOKEN = "s3cr3tT0k3n";

function recordingLog(): SlackLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    warn: (msg, extra) => lines.push(JSON.stringify({ msg, ...extra })),
    error: (msg, extra) => lines.push(JSON.stringify({ msg, ...extra })),
  };
}

function item(name: string, route: string): ReportItem {
  const secret = exampleSecret(name);
  return { secret, decision: exampleDecision(secret, { route, action: "quarantine", stage: "quarantined" }) };
}

function itemsReport(count: number, routes = ["payments"]): Report {
  return {
    mode: "enforce",
    now: EXAMPLE_NOW,
    items: Array.from({ length: count }, (_, i) => item(`svc/key-${i}`, routes[i % routes.length] as string)),
  };
}

describe("SlackNotifier with a local receiver", () => {
  let receiver: SlackReceiver;
  let sleeps: number[];
  let log: ReturnType<typeof recordingLog>;

  beforeEach(async () => {
    receiver = await SlackReceiver.start();
    sleeps = [];
    log = recordingLog();
  });
  afterEach(async () => {
    await receiver.close();
  });

  function notifier(options: Partial<SlackNotifierOptions> = {}): SlackNotifier {
    const url = receiver.url();
    return new SlackNotifier({
      resolver: { resolve: async () => url },
      log,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      baseDelayMs: 100,
      ...options,
    });
  }

  function expectNoUrlLeak(texts: string[]): void {
    for (const t of texts) {
      expect(t).not.toContain(TOKEN);
      expect(t).not.toContain(receiver.url());
    }
  }

  it("delivers every message exactly once, within Slack's limits", async () => {
    const report = itemsReport(3);
    const result = await notifier().send(report);
    expect(result).toEqual({ sent: 3, failed: [] });
    expect(receiver.requests.every((r) => r.violations.length === 0)).toBe(true);
    expect(receiver.accepted).toEqual(buildMessages(report).map((m) => m.message));
    expect(receiver.requests[0]?.path).toBe(`/services/T0000/B0000/${TOKEN}`);
  });

  it("honours Retry-After on 429", async () => {
    receiver.script({ status: 429, retryAfter: "1" }, { status: 429, retryAfter: "0" });
    const result = await notifier().send(itemsReport(1));
    expect(result.sent).toBe(1);
    expect(sleeps).toEqual([1000, 0]);
    expect(receiver.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("waits for real with the default sleep (Retry-After: 0)", async () => {
    receiver.script({ status: 429, retryAfter: "0" });
    const url = receiver.url();
    const result = await new SlackNotifier({ resolver: { resolve: async () => url }, log }).send(
      itemsReport(1),
    );
    expect(result).toEqual({ sent: 1, failed: [] });
    expect(receiver.accepted).toHaveLength(1);
  });

  it("gives up, retryable, when Retry-After is longer than it may wait", async () => {
    receiver.script({ status: 429, retryAfter: "3600" });
    const result = await notifier().send(itemsReport(1));
    expect(result.sent).toBe(0);
    expect(result.failed[0]).toMatchObject({
      route: "payments",
      retryable: true,
      reason: "HTTP 429 rate limited (Retry-After 3600s)",
    });
    expect(sleeps).toEqual([]);
  });

  it("retries 5xx with exponential backoff and jitter, then succeeds", async () => {
    receiver.script({ status: 500 }, { status: 503 }, { status: 502 });
    const result = await notifier({ maxAttempts: 4 }).send(itemsReport(1));
    expect(result).toEqual({ sent: 1, failed: [] });
    // Full jitter with random() = 0.5 over caps of 100, 200, 400 ms.
    expect(sleeps).toEqual([50, 100, 200]);
    expect(receiver.accepted).toHaveLength(1);
  });

  it("returns the payload, retryable, after its bounded attempts on 5xx", async () => {
    receiver.script({ status: 500 }, { status: 500 }, { status: 500 });
    const report = itemsReport(1);
    const result = await notifier({ maxAttempts: 3 }).send(report);
    expect(result.sent).toBe(0);
    expect(result.failed).toEqual([
      {
        route: "payments",
        reason: "HTTP 500 error",
        retryable: true,
        payload: buildMessages(report)[0]?.message,
      },
    ]);
    expect(receiver.requests).toHaveLength(3);
  });

  it("does not retry a 4xx such as 404 no_service, and logs the route but never the URL", async () => {
    receiver.script({ status: 404, body: "no_service" });
    const result = await notifier().send(itemsReport(1));
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({
      route: "payments",
      retryable: false,
      reason: "HTTP 404 no_service",
    });
    expect(receiver.requests).toHaveLength(1);
    expect(log.lines.some((l) => l.includes('"route":"payments"'))).toBe(true);
    expectNoUrlLeak([...log.lines, ...result.failed.map((f) => f.reason)]);
  });

  it("does not retry invalid_blocks (a payload over Slack's limits sent by hand)", async () => {
    const tooBig = message(
      "x",
      Array.from({ length: 60 }, () => section("a")),
    );
    const result = await notifier().deliver([{ route: "ops", message: tooBig }]);
    expect(result.failed[0]).toMatchObject({
      route: "ops",
      retryable: false,
      reason: "HTTP 400 invalid_blocks",
    });
    expect(receiver.requests).toHaveLength(1);
  });

  it("retries a dropped connection without sending twice", async () => {
    receiver.script({ drop: true });
    const report = itemsReport(2);
    const result = await notifier().send(report);
    expect(result).toEqual({ sent: 2, failed: [] });
    expect(receiver.accepted).toEqual(buildMessages(report).map((m) => m.message));
    expect(sleeps).toHaveLength(1);
  });

  it("reports network errors without the URL when nothing listens", async () => {
    const url = receiver.url();
    await receiver.close();
    const result = await new SlackNotifier({
      resolver: { resolve: async () => url },
      log,
      sleep: async () => {},
      maxAttempts: 2,
    }).send(itemsReport(1));
    expect(result.failed[0]).toMatchObject({ retryable: true });
    expect(result.failed[0]?.reason).toMatch(/^network error: /);
    expectNoUrlLeak([...log.lines, ...result.failed.map((f) => f.reason)]);
    receiver = await SlackReceiver.start();
  });

  it("loses nothing and sends nothing twice through a storm of 429s and 5xx", async () => {
    receiver.script(
      { status: 429, retryAfter: "0" },
      { status: 500 },
      { status: 429, retryAfter: "1" },
      { drop: true },
      { status: 503 },
      { status: 429, retryAfter: "0" },
      { status: 500 },
    );
    const digest: Report = {
      ...itemsReport(10_000, ["ops", "payments", "data"]),
      kind: "digest",
      failedDeliveries: 1,
    };
    const items = itemsReport(30, ["ops", "payments"]);
    const n = notifier({ maxAttempts: 5 });
    const a = await n.send(items);
    const b = await n.send(digest);
    expect(a.failed).toEqual([]);
    expect(b.failed).toEqual([]);
    const expected = [...buildMessages(items), ...buildMessages(digest)]
      .map((m) => JSON.stringify(m.message))
      .sort();
    const arrived = receiver.accepted.map((p) => JSON.stringify(p)).sort();
    expect(arrived).toEqual(expected);
    expect(receiver.requests.every((r) => r.violations.length === 0)).toBe(true);
  });

  it("delivers a hostile alert (every caller field one letter with 20,000 combining marks) within Slack's limits", async () => {
    // Prepare
    const marks = `a${"\u0301".repeat(20_000)}`;
    const secret = exampleSecret("app/db", { description: marks });
    const hostile: ReportItem = {
      secret,
      finding: {
        type: "access-denied",
        secretId: marks,
        source: "cloudtrail",
        status: "open",
        observedAt: EXAMPLE_NOW,
        access: { api: "GetSecretValue", principalArn: marks, userAgent: marks, errorMessage: marks },
      },
      decision: exampleDecision(secret, {
        finding: "access-denied",
        reason: `https://evil.example/login ${marks}`,
      }),
    };

    // Act
    const result = await notifier().send({ mode: "enforce", now: EXAMPLE_NOW, items: [hostile] });

    // Assess
    expect(result.failed).toEqual([]);
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      expect(request.violations).toEqual([]);
      expect(request.status).toBe(200);
    }
    expect(JSON.stringify(receiver.accepted)).not.toContain("https://evil");
  });

  it("fails only the route whose URL cannot be resolved, keeping its payloads", async () => {
    const url = receiver.url();
    const resolver: WebhookResolver = {
      resolve: async (route) => {
        if (route === "ops")
          throw new AdapterError("could not read the webhook secret of route 'ops'", "GetSecretValue", true);
        return url;
      },
    };
    const report = itemsReport(4, ["ops", "payments"]);
    const result = await notifier({ resolver }).send(report);
    expect(result.sent).toBe(2);
    expect(result.failed.map((f) => [f.route, f.retryable])).toEqual([
      ["ops", true],
      ["ops", true],
    ]);
    expect(result.failed.map((f) => f.payload)).toEqual(
      buildMessages(report)
        .filter((m) => m.route === "ops")
        .map((m) => m.message),
    );
  });

  it("--slack-url posts every route to one URL", async () => {
    const result = await createSingleUrlNotifier(receiver.url(), { log }).send(
      itemsReport(4, ["ops", "payments"]),
    );
    expect(result).toEqual({ sent: 4, failed: [] });
    expect(receiver.accepted).toHaveLength(4);
  });
});

describe("SlackNotifier with a clock and a deadline", () => {
  const START = Date.parse("2026-11-23T09:00:00Z");
  let receiver: SlackReceiver;
  let now: number;
  let sleeps: number[];

  beforeEach(async () => {
    receiver = await SlackReceiver.start();
    now = START;
    sleeps = [];
  });
  afterEach(async () => {
    await receiver.close();
  });

  /** A notifier whose sleeps move the fake clock instead of waiting. */
  function notifier(options: Partial<SlackNotifierOptions> = {}): SlackNotifier {
    const url = receiver.url();
    return new SlackNotifier({
      resolver: { resolve: async () => url },
      log: recordingLog(),
      clock: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      random: () => 0.5,
      ...options,
    });
  }

  it.each([
    ["an HTTP date 3 s ahead", new Date(START + 3_000).toUTCString(), 3_000],
    ["an HTTP date in the past", new Date(START - 60_000).toUTCString(), 0],
    ["delay-seconds", "2", 2_000],
  ])("honours Retry-After given as %s", async (_, retryAfter, waited) => {
    // Prepare
    receiver.script({ status: 429, retryAfter });

    // Act
    const result = await notifier().send(itemsReport(1));

    // Assess
    expect(result).toEqual({ sent: 1, failed: [] });
    expect(sleeps).toEqual([waited]);
    expect(receiver.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("stops waiting on Retry-After when the wait would pass the deadline, and returns the message retryable", async () => {
    // Prepare: 45 s left; Slack asks for 30 s, twice.
    receiver.script({ status: 429, retryAfter: "30" }, { status: 429, retryAfter: "30" });
    const report = itemsReport(1);

    // Act
    const result = await notifier()
      .withDeadline(START + 45_000)
      .send(report);

    // Assess
    expect(sleeps).toEqual([30_000]);
    expect(receiver.requests).toHaveLength(2);
    expect(result.failed).toEqual([
      {
        route: "payments",
        reason: "HTTP 429 rate limited (Retry-After 30s); delivery deadline reached",
        retryable: true,
        payload: buildMessages(report)[0]?.message,
      },
    ]);
  });

  it("stops backing off on 5xx at the deadline", async () => {
    // Prepare: backoff caps of 4 s, 8 s, 8 s (half of each with random() = 0.5), 5 s left.
    receiver.script({ status: 503 }, { status: 503 }, { status: 503 });

    // Act
    const result = await notifier({ baseDelayMs: 4_000, maxAttempts: 5 })
      .withDeadline(START + 5_000)
      .send(itemsReport(1));

    // Assess
    expect(sleeps).toEqual([2_000]);
    expect(result.failed[0]).toMatchObject({
      retryable: true,
      reason: "HTTP 503 error; delivery deadline reached",
    });
  });

  it("sends nothing once the deadline has passed: every message comes back, retryable", async () => {
    // Act
    const result = await notifier()
      .withDeadline(START)
      .send(itemsReport(3, ["ops", "payments"]));

    // Assess
    expect(receiver.requests).toEqual([]);
    expect(result.sent).toBe(0);
    expect(result.failed.map((f) => [f.route, f.reason, f.retryable])).toEqual([
      ["ops", "delivery deadline reached", true],
      ["ops", "delivery deadline reached", true],
      ["payments", "delivery deadline reached", true],
    ]);
  });

  it("without a deadline, withDeadline(undefined) waits as before", async () => {
    // Prepare
    receiver.script({ status: 429, retryAfter: "30" });

    // Act
    const result = await notifier().withDeadline(START).withDeadline(undefined).send(itemsReport(1));

    // Assess
    expect(result).toEqual({ sent: 1, failed: [] });
    expect(sleeps).toEqual([30_000]);
  });
});

describe("parseRetryAfter", () => {
  const NOW_MS = Date.parse("2026-11-23T09:00:00Z");
  it.each([
    ["0", 0],
    ["120", 120],
    [" 7 ", 7],
    ["Mon, 23 Nov 2026 09:00:10 GMT", 10],
    ["Mon, 23 Nov 2026 08:59:00 GMT", 0],
    ["-1", undefined],
    ["1.5", undefined],
    ["soon", undefined],
    ["", undefined],
  ])("%j -> %s seconds", (value, seconds) => {
    expect(parseRetryAfter(value, NOW_MS)).toBe(seconds);
  });

  it("is undefined without the header", () => {
    expect(parseRetryAfter(null, NOW_MS)).toBeUndefined();
  });
});

describe("SlackNotifier and a rotated or revoked webhook", () => {
  const sm = mockClient(SecretsManagerClient);
  let receiver: SlackReceiver;
  const OLD = "/services/T1/B1/oldT0k3n";
  const NEW = "/services/T1/B1/newT0k3n";

  beforeEach(async () => {
    sm.reset();
    receiver = await SlackReceiver.start();
  });
  afterEach(async () => {
    await receiver.close();
  });

  function resolverReading(...paths: string[]): SecretsManagerWebhookResolver {
    let chain = sm.on(GetSecretValueCommand);
    for (const path of paths) chain = chain.resolvesOnce({ SecretString: receiver.url(path) });
    return new SecretsManagerWebhookResolver(new SecretsManagerClient({}), {
      payments: { webhookSecret: "secrets-governor/slack/payments" },
    });
  }

  function notifier(resolver: WebhookResolver, log = recordingLog()): SlackNotifier {
    return new SlackNotifier({ resolver, log, sleep: async () => {} });
  }

  it.each([
    [403, "invalid_token"],
    [404, "no_service"],
    [410, "channel_is_archived"],
    [400, "no_service"],
    [400, "invalid_token"],
  ])("on HTTP %i %s, reads the webhook again and retries once with the new URL", async (status, body) => {
    // Prepare
    const resolver = resolverReading(OLD, NEW);
    receiver.script({ status, body });
    const report = itemsReport(3);

    // Act
    const result = await notifier(resolver).send(report);

    // Assess
    expect(result).toEqual({ sent: 3, failed: [] });
    expect(receiver.requests.map((r) => [r.path, r.status])).toEqual([
      [OLD, status],
      [NEW, 200],
      [NEW, 200],
      [NEW, 200],
    ]);
    expect(receiver.accepted).toEqual(buildMessages(report).map((m) => m.message));
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(await resolver.resolve("payments")).toBe(receiver.url(NEW));
  });

  it("treats the refusal as final when the secret still holds the same URL, without posting again", async () => {
    // Prepare
    const resolver = resolverReading(OLD, OLD);
    receiver.script({ status: 404, body: "no_service" }, { status: 404, body: "no_service" });
    const log = recordingLog();

    // Act
    const result = await notifier(resolver, log).send(itemsReport(2));

    // Assess
    expect(receiver.requests.map((r) => r.path)).toEqual([OLD, OLD]);
    expect(result.failed.map((f) => [f.reason, f.retryable])).toEqual([
      ["HTTP 404 no_service; the route's webhook secret still holds this URL", false],
      ["HTTP 404 no_service", false],
    ]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    for (const line of log.lines) expect(line).not.toContain("T0k3n");
  });

  it("does not read the webhook again for a refusal of the message itself (invalid_blocks)", async () => {
    // Prepare
    const resolver = resolverReading(OLD, NEW);
    receiver.script({ status: 400, body: "invalid_blocks" });

    // Act
    const result = await notifier(resolver).send(itemsReport(1));

    // Assess
    expect(result.failed[0]).toMatchObject({ reason: "HTTP 400 invalid_blocks", retryable: false });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it("delivers a kept alert after the webhook was rotated, instead of dropping it", async () => {
    // Prepare
    const resolver = resolverReading(OLD, NEW);
    await resolver.resolve("payments");
    receiver.script({ status: 404, body: "no_service" });
    const kept = { route: "payments", message: message("kept", [section("kept")]) };

    // Act
    const result = await notifier(resolver).deliver([kept]);

    // Assess
    expect(result).toEqual({ sent: 1, failed: [] });
    expect(receiver.accepted).toEqual([kept.message]);
  });
});

describe("createSingleUrlNotifier", () => {
  it("refuses plain http outside loopback, without echoing the URL", () => {
    expect(() => createSingleUrlNotifier(`http://hooks.example.com/services/${TOKEN}`)).toThrow(
      /^the Slack webhook URL does not hold an https URL$/,
    );
  });
});

describe("SecretsManagerWebhookResolver", () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  const routes = {
    ops: { webhookSecret: "secrets-governor/slack/ops" },
    payments: { webhookSecret: "secrets-governor/slack/payments" },
  };

  it("reads each route's secret once and caches it", async () => {
    sm.on(GetSecretValueCommand, { SecretId: "secrets-governor/slack/ops" }).resolves({
      SecretString: `https://hooks.slack.com/services/T1/B1/${TOKEN}`,
    });
    sm.on(GetSecretValueCommand, { SecretId: "secrets-governor/slack/payments" }).resolves({
      SecretString: JSON.stringify({ url: `https://hooks.slack.com/services/T1/B2/${TOKEN}` }),
    });
    const resolver = new SecretsManagerWebhookResolver(new SecretsManagerClient({}), routes);
    const urls = await Promise.all([
      resolver.resolve("ops"),
      resolver.resolve("ops"),
      resolver.resolve("payments"),
    ]);
    expect(await resolver.resolve("ops")).toBe(urls[0]);
    expect(urls).toEqual([
      `https://hooks.slack.com/services/T1/B1/${TOKEN}`,
      `https://hooks.slack.com/services/T1/B1/${TOKEN}`,
      `https://hooks.slack.com/services/T1/B2/${TOKEN}`,
    ]);
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([
      "secrets-governor/slack/ops",
      "secrets-governor/slack/payments",
    ]);
  });

  it("reads a route's secret again after invalidate", async () => {
    // Prepare
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: `https://hooks.slack.com/services/T1/B1/old${TOKEN}` })
      .resolves({ SecretString: `https://hooks.slack.com/services/T1/B1/new${TOKEN}` });
    const resolver = new SecretsManagerWebhookResolver(new SecretsManagerClient({}), routes);
    const before = await resolver.resolve("ops");

    // Act
    resolver.invalidate("ops");
    const after = await resolver.resolve("ops");

    // Assess
    expect([before, after]).toEqual([
      `https://hooks.slack.com/services/T1/B1/old${TOKEN}`,
      `https://hooks.slack.com/services/T1/B1/new${TOKEN}`,
    ]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it("does not cache a failure: a throttled read is retryable and tried again", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    sm.on(GetSecretValueCommand)
      .rejectsOnce(throttled)
      .resolves({ SecretString: `https://hooks.slack.com/services/T1/B1/${TOKEN}` });
    const resolver = new SecretsManagerWebhookResolver(new SecretsManagerClient({}), routes);
    const error = await resolver.resolve("ops").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ retryable: true, operation: "GetSecretValue" });
    expect(await resolver.resolve("ops")).toContain("hooks.slack.com");
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it.each([
    ["an unknown route", "nope", undefined, /unknown Slack route 'nope'/, false],
    ["a missing secret", "ops", { name: "ResourceNotFoundException" }, /ResourceNotFoundException/, false],
    ["a value that is not a URL", "ops", { value: `not a url ${TOKEN}` }, /does not hold a URL/, false],
    [
      "a plain-http URL",
      "ops",
      { value: `http://hooks.slack.com/services/${TOKEN}` },
      /does not hold an https URL/,
      false,
    ],
    ["JSON without a url", "ops", { value: JSON.stringify({ hook: TOKEN }) }, /without a url/, false],
  ])("rejects %s without echoing the value", async (_, route, setup, pattern, retryable) => {
    if (setup && "name" in setup)
      sm.on(GetSecretValueCommand).rejects(Object.assign(new Error("not found"), { name: setup.name }));
    if (setup && "value" in setup) sm.on(GetSecretValueCommand).resolves({ SecretString: setup.value });
    const resolver = new SecretsManagerWebhookResolver(new SecretsManagerClient({}), routes);
    const error = (await resolver.resolve(route).catch((e: unknown) => e)) as AdapterError;
    expect(error).toBeInstanceOf(AdapterError);
    expect(error.message).toMatch(pattern);
    expect(error.message).not.toContain(TOKEN);
    expect(error.retryable).toBe(retryable);
  });
});

describe("StdoutNotifier", () => {
  it("prints each message readably, with its route", async () => {
    const out: string[] = [];
    const example = examples().find((e) => e.id === "quarantined");
    const result = await new StdoutNotifier((t) => out.push(t)).send(example?.report as Report);
    expect(result).toEqual({ sent: 1, failed: [] });
    const text = out.join("");
    expect(text).toContain("=== Slack route payments ===");
    expect(text).toContain("# :lock: Unused secret quarantined");
    expect(text).toContain("• *Secret*: `payments/stripe-api-key`");
    expect(text).toContain(
      "Open in the AWS console (https://eu-west-1.console.aws.amazon.com/secretsmanager/secret?name=payments%2Fstripe-api-key&region=eu-west-1)",
    );
  });
});
