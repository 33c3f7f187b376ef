import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createSingleUrlNotifier,
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
