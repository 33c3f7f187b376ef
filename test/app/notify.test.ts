import { describe, expect, it } from "vitest";
import { MemoryAccessFailureCounter } from "../../src/adapters/access-failure-counter.js";
import { AlertsNotKeptError, MemoryAlertDeadLetter } from "../../src/adapters/alert-dead-letter.js";
import { type NotifyDeps, notifyEventResults, notifySweep, redeliverKept } from "../../src/app/notify.js";
import { type FindingResult, processFindings } from "../../src/app/process-findings.js";
import { runSweep } from "../../src/app/sweep.js";
import type { Finding } from "../../src/domain/finding.js";
import type { Policy } from "../../src/policy/schema.js";
import type { AlertDeadLetter, FailedDelivery, KeptAlert } from "../../src/ports.js";
import { buildMessages } from "../../src/report/build.js";
import { message, type RoutedMessage, section } from "../../src/report/message.js";
import {
  accountOf,
  BREAK_GLASS,
  defaultPolicy,
  deniedFinding,
  exampleAccount,
  NOW,
  policyOf,
  RecordingLog,
  RecordingNotifier,
  rotationFailedFinding,
  unusedFinding,
} from "../fixtures/app/fakes.js";

/** The default policy with a Slack route per team, routed by the `team` tag. */
const TEAM_POLICY = policyOf(`
routes:
  default: { webhookSecret: slack/default }
  payments: { webhookSecret: slack/payments }
  data: { webhookSecret: slack/data }
routing: { tags: [team], default: default }
rules:
  - name: unused-secrets
    match: { finding: unused }
    lifecycle:
      quarantine: { afterDays: 14 }
      scheduleDeletion: { afterDays: 30, recoveryWindowDays: 30 }
`);

function notifyDeps(
  notifier: RecordingNotifier,
  deadLetter: MemoryAlertDeadLetter | null = new MemoryAlertDeadLetter(),
): NotifyDeps & { log: RecordingLog } {
  return {
    notifier,
    log: new RecordingLog(),
    mode: "enforce",
    now: NOW,
    ...(deadLetter ? { deadLetter } : {}),
  };
}

/** A policy whose only route is `platform`: nothing may go to a route named `default`. */
const PLATFORM_POLICY = policyOf(`
routes:
  platform: { webhookSecret: slack/platform }
routing: { tags: [team], default: platform }
rules:
  - name: unused-secrets
    match: { finding: unused }
    lifecycle:
      quarantine: { afterDays: 14 }
      scheduleDeletion: { afterDays: 30, recoveryWindowDays: 30 }
`);

async function resultsFor(findings: Finding[], policy: Policy = defaultPolicy()): Promise<FindingResult[]> {
  return processFindings(findings, {
    store: exampleAccount(),
    policy,
    mode: "enforce",
    now: NOW,
    exemptPrincipals: [BREAK_GLASS],
    accessCounter: new MemoryAccessFailureCounter(15, 3),
  });
}

/**
 * Six alerts: three flags, a way back, one exempt secret, one release (the third read denied by the quarantine:
 * the default policy takes three as proof of use; the first two are noted, not alerted).
 */
const WORTH_AN_ALERT = [
  unusedFinding("app/stale"),
  unusedFinding("app/never-used"),
  unusedFinding("app/legacy-epoch"),
  unusedFinding("app/used-again"),
  unusedFinding("breakglass/root-mfa"),
  deniedFinding("app/quarantined-20d", 0),
  deniedFinding("app/quarantined-20d", 1),
  deniedFinding("app/quarantined-20d", 2),
];

/** The payloads the notifier tried to send, in order (what a failed send hands to the dead letter). */
function buildPayloads(notifier: RecordingNotifier): unknown[] {
  return notifier.sends.flatMap((r) => buildMessages(r, r.now ?? NOW).map((m) => m.message));
}

/** A clock the test moves; the notifier below moves it by `stepMs` per message delivered. */
function steppingClock(stepMs: number, notifier: RecordingNotifier) {
  let now = NOW.getTime();
  const deliver = notifier.deliver.bind(notifier);
  notifier.deliver = async (messages: RoutedMessage[]) => {
    now += stepMs;
    return deliver(messages);
  };
  return { now: () => new Date(now) };
}

function kept(route: string, text: string, retryable = true): FailedDelivery {
  return { route, reason: "HTTP 503", retryable, payload: message(text, [section(text)]) };
}

/** The payload text of each message that arrived, by route. */
function arrivedByRoute(notifier: RecordingNotifier): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of notifier.accepted) out[m.route] = [...(out[m.route] ?? []), m.message.text];
  return out;
}

describe("notifyEventResults", () => {
  it.each([
    ["one alert", ["app/stale"], ["send:items"], { data: "item" }],
    [
      "one alert on each of three routes",
      ["app/stale", "app/never-used", "breakglass/root-mfa"],
      ["send:items"],
      { data: "item", payments: "item", default: "item" },
    ],
    [
      "several alerts on one route",
      ["app/never-used", "app/legacy-epoch", "app/used-again"],
      ["send:digest"],
      { payments: "digest" },
    ],
    [
      "several on one route, one on others",
      ["app/stale", "app/never-used", "app/legacy-epoch", "app/used-again", "breakglass/root-mfa"],
      ["send:items", "send:digest"],
      { data: "item", default: "item", payments: "digest" },
    ],
  ])("sends at most one message per route: %s", async (_, names, calls, expected) => {
    // Prepare
    const results = await resultsFor(
      names.map((n) => unusedFinding(n)),
      TEAM_POLICY,
    );
    const notifier = new RecordingNotifier();

    // Act
    await notifyEventResults(results, notifyDeps(notifier));

    // Assess
    expect(notifier.calls).toEqual(calls);
    const arrived = arrivedByRoute(notifier);
    expect(Object.keys(arrived).sort()).toEqual(Object.keys(expected).sort());
    for (const [route, kind] of Object.entries(expected)) {
      expect(arrived[route]).toHaveLength(1);
      if (kind === "digest") expect(arrived[route]?.[0]).toMatch(/^Secrets governor alerts for /);
      else expect(arrived[route]?.[0]).not.toMatch(/^Secrets governor alerts for /);
    }
  });

  it("sends six alerts on one route as one digest of all six", async () => {
    // Prepare
    const results = await resultsFor(WORTH_AN_ALERT);
    const notifier = new RecordingNotifier();

    // Act
    await notifyEventResults(results, notifyDeps(notifier));

    // Assess
    expect(notifier.calls).toEqual(["send:digest"]);
    expect(notifier.sends[0]?.items).toHaveLength(6);
    expect(notifier.accepted.map((m) => m.route)).toEqual(["default"]);
  });

  it.each([
    [
      "quarantined",
      "app/quarantined-20d",
      "schedule deletion on 2026-11-23",
      /^Rotation failed, as expected/,
    ],
    ["flagged", "app/flagged-5d", "quarantine on 2026-12-02", /^Secret rotation failed/],
  ])("gives a rotation failure on a %s secret the lifecycle's next step, from the policy", async (_, name, next, title) => {
    // Prepare
    const results = await resultsFor([rotationFailedFinding(name)]);
    const notifier = new RecordingNotifier();

    // Act
    await notifyEventResults(results, { ...notifyDeps(notifier), policy: defaultPolicy() });

    // Assess
    const text = notifier.accepted[0]?.message.text ?? "";
    expect(text).toMatch(title);
    expect(text).toContain(`Next: ${next}.`);
  });

  it("sends nothing when nothing is worth a person's attention", async () => {
    // Prepare: a lifecycle step not yet due, an unknown secret, an access failure below the threshold.
    const results = await resultsFor([
      unusedFinding("app/flagged-5d"),
      unusedFinding("app/gone"),
      deniedFinding("app/active"),
    ]);
    const notifier = new RecordingNotifier();

    // Act
    await notifyEventResults(results, notifyDeps(notifier));

    // Assess
    expect(notifier.calls).toEqual([]);
  });

  it("keeps what Slack did not take in the dead letter and logs the failure for the alarm", async () => {
    // Prepare
    const results = await resultsFor(WORTH_AN_ALERT.slice(0, 2));
    const notifier = new RecordingNotifier();
    notifier.down = { reason: "HTTP 500", retryable: true };
    const deadLetter = new MemoryAlertDeadLetter();
    const deps = notifyDeps(notifier, deadLetter);

    // Act
    await notifyEventResults(results, deps);

    // Assess
    // Two alerts on one route: one digest, kept whole.
    expect(deadLetter.kept.map((k) => [k.route, k.reason, k.retryable])).toEqual([
      ["default", "HTTP 500", true],
    ]);
    const keptJson = JSON.stringify(deadLetter.kept[0]?.payload);
    expect(keptJson).toContain("app/stale");
    expect(keptJson).toContain("app/never-used");
    expect(deps.log.at("error")).toEqual([
      {
        level: "error",
        message: "slack delivery failed",
        extra: { slackDeliveryFailed: 1, routes: ["default"], reasons: ["HTTP 500"] },
      },
    ]);
  });

  it("without a dead letter, logs the whole undelivered messages", async () => {
    // Prepare
    const results = await resultsFor(WORTH_AN_ALERT.slice(0, 1));
    const failed = kept("default", "app/stale was flagged");
    const notifier = new RecordingNotifier().script({ sent: 0, failed: [failed] });
    const deps = notifyDeps(notifier, null);

    // Act
    await notifyEventResults(results, deps);

    // Assess
    expect(deps.log.at("error").map((l) => l.message)).toEqual([
      "slack delivery failed",
      "undelivered alert",
    ]);
    expect(deps.log.at("error")[1]?.extra).toEqual({
      route: "default",
      reason: "HTTP 503",
      payload: failed.payload,
    });
  });

  it.each([
    ["SQS is down", () => new Error("SendMessageBatch failed: ServiceUnavailable"), [0, 1, 2]],
    [
      "SQS stored some",
      (failed: FailedDelivery[]) =>
        new AlertsNotKeptError("1 of 3 alerts not kept: InternalError", [failed[1] as FailedDelivery]),
      [1],
    ],
  ])("never throws when the dead letter fails (%s): logs the alerts it did not keep, whole", async (_, error, lost) => {
    // Prepare
    const results = await resultsFor(
      ["app/stale", "app/never-used", "breakglass/root-mfa"].map((n) => unusedFinding(n)),
      TEAM_POLICY,
    );
    const notifier = new RecordingNotifier();
    notifier.down = { reason: "HTTP 500", retryable: true };
    const failing: AlertDeadLetter = {
      put: async (failed) => {
        throw error(failed);
      },
      take: async () => [],
    };
    const deps = { ...notifyDeps(notifier, null), deadLetter: failing };

    // Act
    const run = notifyEventResults(results, deps);

    // Assess
    await expect(run).resolves.toBeUndefined();
    const errors = deps.log.at("error");
    expect(errors[0]?.extra).toMatchObject({ slackDeliveryFailed: 3 });
    expect(errors[1]).toMatchObject({
      message: "alert dead letter failed; the alerts it did not keep are logged whole",
      extra: { notKept: lost.length, kept: 3 - lost.length },
    });
    const sent = notifier.sends[0] ? buildPayloads(notifier) : [];
    expect(errors.slice(2).map((l) => [l.message, l.extra.payload])).toEqual(
      lost.map((i) => ["undelivered alert", sent[i]]),
    );
  });
});

describe("notifySweep", () => {
  it("sends one digest per route and one cost digest per run", async () => {
    // Prepare
    const result = await runSweep({
      store: exampleAccount(),
      policy: TEAM_POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
    });
    const notifier = new RecordingNotifier();

    // Act
    const { failedDeliveries } = await notifySweep(result, notifyDeps(notifier));

    // Assess
    expect(failedDeliveries).toBe(0);
    expect(notifier.calls).toEqual(["send:digest", "send:cost"]);
    expect(notifier.sends[0]?.items).toHaveLength(result.outcomes.length);
    expect(notifier.sends[1]?.summary).toEqual(result.plan.summary);
    const routes = notifier.accepted.map((m) => m.route);
    expect(routes.slice(0, -1).sort()).toEqual(["data", "default", "payments"]);
    expect(routes.at(-1)).toBe("default");
  });

  it.each([
    ["with decisions", () => exampleAccount()],
    ["with nothing to decide (an empty digest)", () => accountOf([])],
  ])("sends the cost digest, and every digest, to the policy's default route: %s", async (_, account) => {
    // Prepare
    const result = await runSweep({
      store: account(),
      policy: PLATFORM_POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
    });
    const notifier = new RecordingNotifier();

    // Act
    await notifySweep(result, { ...notifyDeps(notifier), defaultRoute: "platform" });

    // Assess
    expect(notifier.calls).toEqual(["send:digest", "send:cost"]);
    expect(new Set(notifier.accepted.map((m) => m.route))).toEqual(new Set(["platform"]));
  });

  it("lists the sweep's unused secrets in the cost digest", async () => {
    // Prepare
    const result = await runSweep({
      store: exampleAccount(),
      policy: TEAM_POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
    });
    const notifier = new RecordingNotifier();

    // Act
    await notifySweep(result, notifyDeps(notifier));

    // Assess
    const unused = result.outcomes.filter((o) => o.decision.finding === "unused").map((o) => o.decision.name);
    expect(unused.length).toBeGreaterThan(0);
    expect(notifier.sends[1]?.items.map((i) => i.decision.name)).toEqual(unused);
    const cost = JSON.stringify(notifier.accepted.at(-1)?.message);
    expect(cost).toContain("Unused secrets, most advanced first");
    for (const name of unused) expect(cost).toContain(`\`${name}\``);
  });

  it("says in both digests that Config could not be read and unused was judged from ListSecrets", async () => {
    // Prepare: no compliance source at all.
    const result = await runSweep({
      store: exampleAccount(),
      policy: TEAM_POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
    });
    const notifier = new RecordingNotifier();

    // Act
    await notifySweep(result, notifyDeps(notifier));

    // Assess
    expect(result.complianceUnavailable).toBe(
      "no Config compliance source; unused is judged from ListSecrets",
    );
    expect(notifier.accepted.length).toBeGreaterThan(1);
    for (const { message: m } of notifier.accepted)
      expect(m.blocks).toContainEqual({
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: ":warning: no Config compliance source; unused is judged from ListSecrets",
          },
        ],
      });
  });

  it("re-delivers kept alerts first, acks those delivered and counts those still failing", async () => {
    // Prepare
    const result = await runSweep({
      store: exampleAccount(),
      policy: TEAM_POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
    });
    const deadLetter = new MemoryAlertDeadLetter();
    const payments = kept("payments", "kept for payments");
    const data = kept("data", "kept for data");
    await deadLetter.put([payments, data]);
    const notifier = new RecordingNotifier();
    notifier.failRoutes.add("data");

    // Act
    const { failedDeliveries } = await notifySweep(result, {
      ...notifyDeps(notifier, deadLetter),
      policy: TEAM_POLICY,
    });

    // Assess
    expect(notifier.calls).toEqual(["deliver:payments", "deliver:data", "send:digest", "send:cost"]);
    expect(notifier.sends[0]?.failedDeliveries).toBe(1);
    expect(failedDeliveries).toBe(2);
    expect(deadLetter.kept[0]).toBe(data);
    expect(deadLetter.kept.map((k) => k.route)).toEqual(["data", "data"]);
    expect(deadLetter.kept[1]?.payload.text).not.toBe(data.payload.text);
  });

  it("drops a kept alert Slack refuses for good, logging it whole", async () => {
    // Prepare
    const result = await runSweep({
      store: exampleAccount(),
      policy: TEAM_POLICY,
      mode: "report",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
    });
    const deadLetter = new MemoryAlertDeadLetter();
    const revoked = kept("payments", "kept for payments");
    await deadLetter.put([revoked]);
    const notifier = new RecordingNotifier();
    notifier.down = { reason: "no_service", retryable: false };
    const deps = { ...notifyDeps(notifier, deadLetter), policy: TEAM_POLICY };

    // Act
    await notifySweep(result, deps);

    // Assess: the digests count it among the alerts that could not be delivered.
    expect(notifier.sends.map((r) => r.failedDeliveries)).toEqual([1, 1]);
    expect(deps.log.at("error")[0]).toEqual({
      level: "error",
      message: "alert dropped after a final rejection",
      extra: { route: "payments", reason: "no_service", payload: revoked.payload, slackDeliveryFailed: 1 },
    });
    expect(deadLetter.kept).not.toContain(revoked);
  });
});

describe("redeliverKept", () => {
  it("stops re-sending at the deadline and leaves the rest kept", async () => {
    // Prepare: each delivery takes 20 s; 30 s are left.
    const deadLetter = new MemoryAlertDeadLetter();
    const alerts = [kept("payments", "one"), kept("payments", "two"), kept("payments", "three")];
    await deadLetter.put(alerts);
    const notifier = new RecordingNotifier();
    const clock = steppingClock(20_000, notifier);
    const deps = {
      ...notifyDeps(notifier, deadLetter),
      policy: TEAM_POLICY,
      clock,
      deadline: NOW.getTime() + 30_000,
    };

    // Act
    const outcome = await redeliverKept(deps);

    // Assess
    expect(outcome).toEqual({ redelivered: 2, stillKept: 1, dropped: 0, keptAlertsRejected: 0 });
    expect(notifier.delivered.flat().map((m) => m.message.text)).toEqual(["one", "two"]);
    expect(deadLetter.kept).toEqual([alerts[2]]);
  });

  it("takes nothing once the deadline has passed", async () => {
    // Prepare
    let taken = 0;
    const deadLetter: AlertDeadLetter = {
      put: async () => {},
      take: async (): Promise<KeptAlert[]> => {
        taken++;
        return [];
      },
    };
    const notifier = new RecordingNotifier();
    const deps = {
      ...notifyDeps(notifier, null),
      deadLetter,
      clock: { now: () => NOW },
      deadline: NOW.getTime(),
    };

    // Act
    const outcome = await redeliverKept(deps);

    // Assess
    expect(outcome).toEqual({ redelivered: 0, stillKept: 0, dropped: 0, keptAlertsRejected: 0 });
    expect(taken).toBe(0);
    expect(notifier.calls).toEqual([]);
  });

  it("carries on when the dead letter cannot be read", async () => {
    // Prepare
    const deadLetter: AlertDeadLetter = {
      put: async () => {},
      take: async () => {
        throw new Error("ReceiveMessage failed: ServiceUnavailable");
      },
    };
    const deps = { ...notifyDeps(new RecordingNotifier(), null), deadLetter };

    // Act
    const outcome = await redeliverKept(deps);

    // Assess
    expect(outcome).toEqual({ redelivered: 0, stillKept: 0, dropped: 0, keptAlertsRejected: 0 });
    expect(deps.log.at("error")[0]?.message).toBe(
      "alert dead letter could not be read; kept alerts wait for the next run",
    );
  });
});
