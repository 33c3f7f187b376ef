import { describe, expect, it } from "vitest";
import { makeHandler } from "../../handlers/sweep.js";
import { MemoryAlertDeadLetter } from "../../src/adapters/alert-dead-letter.js";
import type { NotifyDeps } from "../../src/app/notify.js";
import type { SweepDeps } from "../../src/app/sweep.js";
import { AdapterError } from "../../src/errors.js";
import type { AlertDeadLetter, SecretStore } from "../../src/ports.js";
import {
  BREAK_GLASS,
  defaultPolicy,
  exampleAccount,
  governorTags,
  NOW,
  RecordingAudit,
  RecordingLog,
  RecordingNotifier,
  ScriptedStore,
  secretOf,
} from "../fixtures/app/fakes.js";
import { BodiesDeadLetter, genuineAlert, HOSTILE_KEPT_BODIES } from "../helpers/hostile-alerts.js";

const POLICY = defaultPolicy();

function sweepHandler(store: SecretStore, notifier: RecordingNotifier, deadLetter: AlertDeadLetter) {
  const log = new RecordingLog();
  const audit = new RecordingAudit();
  const handler = makeHandler((_now) => {
    const sweep: SweepDeps = {
      store,
      policy: POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
      audit,
    };
    const notify: NotifyDeps = { notifier, deadLetter, log, mode: "enforce", now: NOW, policy: POLICY };
    return { sweep, notify };
  });
  return { handler, log, audit };
}

describe("sweep handler (makeHandler)", () => {
  it("sweeps, reports and answers with the run's figures", async () => {
    // Prepare
    const account = exampleAccount();
    const notifier = new RecordingNotifier();
    const { handler, audit } = sweepHandler(account, notifier, new MemoryAlertDeadLetter());

    // Act
    const response = await handler();

    // Assess
    expect(response).toMatchObject({
      secrets: 13,
      decisions: 11,
      done: 6,
      limitWithheld: 0,
      complianceUnavailable: "no Config compliance source; unused is judged from ListSecrets",
      failedDeliveries: 0,
      keptAlertsRejected: 0,
    });
    expect(notifier.calls).toEqual(["send:digest", "send:cost"]);
    // Every decision that acted, was planned or was withheld; not the one with nothing to do yet.
    expect(audit.entries).toHaveLength(10);
    expect(audit.entries.every((e) => e.action !== "none" || e.guard !== null)).toBe(true);
  });

  it("does every action while Slack is down, keeps the messages, and delivers them on a later run", async () => {
    // Prepare
    const account = exampleAccount();
    const notifier = new RecordingNotifier();
    notifier.down = { reason: "HTTP 503", retryable: true };
    const deadLetter = new MemoryAlertDeadLetter();
    const { handler, log } = sweepHandler(account, notifier, deadLetter);

    // Act
    const down = await handler();
    const keptWhileDown = deadLetter.kept.map((k) => k.payload);
    notifier.down = undefined;
    const back = await handler();

    // Assess
    expect(down.done).toBe(6);
    expect(governorTags(await secretOf(account, "app/flagged-20d"))["governor:stage"]).toBe("quarantined");
    expect(keptWhileDown).toHaveLength(2);
    expect(down.failedDeliveries).toBe(2);
    expect(log.at("error").map((l) => l.extra.slackDeliveryFailed)).toEqual([1, 1]);
    expect(back.failedDeliveries).toBe(0);
    expect(notifier.delivered.flat().map((m) => m.message)).toEqual(keptWhileDown);
    expect(deadLetter.kept).toEqual([]);
    expect(notifier.calls.slice(-4)).toEqual([
      "deliver:default",
      "deliver:default",
      "send:digest",
      "send:cost",
    ]);
  });

  it("re-sends only the governor's kept alert and answers with the number of hostile bodies it refused", async () => {
    // Prepare
    const hostile = Object.entries(HOSTILE_KEPT_BODIES).map(([id, body]) => ({ id, body }));
    const genuine = genuineAlert("default");
    const deadLetter = new BodiesDeadLetter([...hostile, { id: "genuine", body: JSON.stringify(genuine) }]);
    const notifier = new RecordingNotifier();
    const { handler, log } = sweepHandler(exampleAccount(), notifier, deadLetter);

    // Act
    const response = await handler();

    // Assess
    expect(response).toMatchObject({ failedDeliveries: 0, keptAlertsRejected: hostile.length });
    expect(notifier.delivered.flat().map((m) => m.message)).toEqual([genuine.payload]);
    expect(deadLetter.bodies).toEqual([]);
    expect(log.lines.find((l) => l.message === "kept alerts redelivery")?.extra.keptAlertsRejected).toBe(
      hostile.length,
    );
  });

  it("throws when an action failed, after reporting the run", async () => {
    // Prepare
    const account = exampleAccount();
    const flagged = await secretOf(account, "app/flagged-20d");
    const store = new ScriptedStore(account).fail(
      "putResourcePolicy",
      new AdapterError("PutResourcePolicy: InternalServiceError", "PutResourcePolicy", true),
      [flagged.arn],
    );
    const notifier = new RecordingNotifier();
    const { handler } = sweepHandler(store, notifier, new MemoryAlertDeadLetter());

    // Act
    const run = handler();

    // Assess
    await expect(run).rejects.toThrow(
      "sweep: 1 actions failed: app/flagged-20d: PutResourcePolicy: InternalServiceError",
    );
    expect(notifier.calls).toEqual(["send:digest", "send:cost"]);
    expect(governorTags(await secretOf(account, "app/stale"))["governor:stage"]).toBe("flagged");
  });
});

describe("sweep handler with an org bus", () => {
  it("puts the summary and the heartbeat after the sweep", async () => {
    const { MemoryOrgReporter } = await import("../../src/adapters/org-reporter.js");
    const reporter = new MemoryOrgReporter();
    const log = new RecordingLog();
    const handler = makeHandler(() => ({
      sweep: {
        store: exampleAccount(),
        policy: POLICY,
        mode: "report",
        now: NOW,
        exemptPrincipals: [BREAK_GLASS],
      },
      notify: {
        notifier: new RecordingNotifier(),
        deadLetter: new MemoryAlertDeadLetter(),
        log,
        mode: "report",
        now: NOW,
        policy: POLICY,
      },
      org: {
        reporter,
        accountId: "123456789012",
        region: "us-east-1",
        sweepIntervalMinutes: 1440,
        clock: { now: () => NOW },
      },
    }));

    const response = await handler();

    expect(reporter.events.map((e) => e.kind)).toEqual(["summary", "heartbeat"]);
    expect(reporter.events[0]?.detail).toMatchObject({ ...response.cost, mode: "report" });
    expect(reporter.events[1]?.detail).toMatchObject({ sweepCompleted: true, mode: "report" });
  });
});
