import { describe, expect, it } from "vitest";
import { MemoryAlertDeadLetter } from "../../src/adapters/alert-dead-letter.js";
import { AccessFailureWindow } from "../../src/app/access-window.js";
import { DIGEST_ABOVE, type NotifyDeps, notifyEventResults, notifySweep } from "../../src/app/notify.js";
import { type FindingResult, processFindings } from "../../src/app/process-findings.js";
import { runSweep } from "../../src/app/sweep.js";
import type { Finding } from "../../src/domain/finding.js";
import type { FailedDelivery } from "../../src/ports.js";
import { message, section } from "../../src/report/message.js";
import {
  BREAK_GLASS,
  defaultPolicy,
  deniedFinding,
  exampleAccount,
  NOW,
  policyOf,
  RecordingLog,
  RecordingNotifier,
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

async function resultsFor(findings: Finding[]): Promise<FindingResult[]> {
  return processFindings(findings, {
    store: exampleAccount(),
    policy: defaultPolicy(),
    mode: "enforce",
    now: NOW,
    exemptPrincipals: [BREAK_GLASS],
    accessWindow: new AccessFailureWindow(15, 3),
  });
}

/** Six findings worth an alert each: three flags, a way back, one exempt secret, one release. */
const WORTH_AN_ALERT = [
  unusedFinding("app/stale"),
  unusedFinding("app/never-used"),
  unusedFinding("app/legacy-epoch"),
  unusedFinding("app/used-again"),
  unusedFinding("breakglass/root-mfa"),
  deniedFinding("app/quarantined-20d"),
];

function kept(route: string, text: string, retryable = true): FailedDelivery {
  return { route, reason: "HTTP 503", retryable, payload: message(text, [section(text)]) };
}

describe("notifyEventResults", () => {
  it.each([1, DIGEST_ABOVE])("sends %i alerts as one message each", async (count) => {
    // Prepare
    const results = await resultsFor(WORTH_AN_ALERT.slice(0, count));
    const notifier = new RecordingNotifier();

    // Act
    await notifyEventResults(results, notifyDeps(notifier));

    // Assess
    expect(notifier.calls).toEqual(["send:items"]);
    expect(notifier.sends[0]?.items).toHaveLength(count);
    expect(notifier.accepted).toHaveLength(count);
  });

  it(`sends a digest per route above ${DIGEST_ABOVE} alerts`, async () => {
    // Prepare
    const results = await resultsFor(WORTH_AN_ALERT);
    const notifier = new RecordingNotifier();

    // Act
    await notifyEventResults(results, notifyDeps(notifier));

    // Assess
    expect(results).toHaveLength(DIGEST_ABOVE + 1);
    expect(notifier.calls).toEqual(["send:digest"]);
    expect(notifier.sends[0]?.items).toHaveLength(DIGEST_ABOVE + 1);
    expect(notifier.accepted.map((m) => m.route)).toEqual(["default"]);
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
    expect(deadLetter.kept.map((k) => [k.route, k.reason, k.retryable])).toEqual([
      ["default", "HTTP 500", true],
      ["default", "HTTP 500", true],
    ]);
    expect(deadLetter.kept[0]?.payload.text).toContain("app/stale");
    expect(deps.log.at("error")).toEqual([
      {
        level: "error",
        message: "slack delivery failed",
        extra: { slackDeliveryFailed: 2, routes: ["default"], reasons: ["HTTP 500", "HTTP 500"] },
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
      "undelivered alerts",
    ]);
    expect(deps.log.at("error")[1]?.extra).toEqual({
      alerts: [{ route: "default", payload: failed.payload }],
    });
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
    const { failedDeliveries } = await notifySweep(result, notifyDeps(notifier, deadLetter));

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
    const deps = notifyDeps(notifier, deadLetter);

    // Act
    await notifySweep(result, deps);

    // Assess
    expect(deps.log.at("error")[0]).toEqual({
      level: "error",
      message: "alert dropped after a final rejection",
      extra: { route: "payments", reason: "no_service", payload: revoked.payload },
    });
    expect(deadLetter.kept).not.toContain(revoked);
  });
});
