import { describe, expect, it } from "vitest";
import { MemoryAlertDeadLetter } from "../../src/adapters/alert-dead-letter.js";
import {
  KEPT_ALERTS_SUMMARY,
  type NotifyDeps,
  notifySweep,
  REFUSED_BODY_EXCERPT_CHARS,
  redeliverKept,
} from "../../src/app/notify.js";
import { KEPT_ALERT_CHECK, KEPT_ALERT_REFUSED } from "../../src/app/refused.js";
import { runSweep } from "../../src/app/sweep.js";
import type { FailedDelivery } from "../../src/ports.js";
import {
  BREAK_GLASS,
  exampleAccount,
  NOW,
  policyOf,
  RecordingAudit,
  RecordingLog,
  RecordingNotifier,
} from "../fixtures/app/fakes.js";
import {
  BodiesDeadLetter,
  foreignSequences,
  genuineAlert,
  HOSTILE_KEPT_BODIES,
} from "../helpers/hostile-alerts.js";

/** Kept alerts are re-validated before the sweep posts them again (security review 15.4). */

const POLICY = policyOf(`
routes:
  default: { webhookSecret: slack/default }
  payments: { webhookSecret: slack/payments }
  ops: { webhookSecret: slack/ops }
routing: { tags: [team], default: default }
rules:
  - name: unused-secrets
    match: { finding: unused }
    lifecycle:
      quarantine: { afterDays: 14 }
`);

const HOSTILE = Object.entries(HOSTILE_KEPT_BODIES).map(([id, body]) => ({ id, body }));

function deps(
  deadLetter: NotifyDeps["deadLetter"],
  notifier = new RecordingNotifier(),
): NotifyDeps & { log: RecordingLog; audit: RecordingAudit; notifier: RecordingNotifier } {
  return {
    notifier,
    deadLetter,
    log: new RecordingLog(),
    audit: new RecordingAudit(),
    mode: "enforce",
    now: NOW,
    policy: POLICY,
  };
}

describe("redeliverKept: the queue's bodies are untrusted", () => {
  it("posts the governor's alert byte for byte, and refuses, acks, logs, audits and counts every hostile body", async () => {
    // Prepare: the genuine alert among the hostile ones.
    const genuine = genuineAlert("payments");
    const deadLetter = new BodiesDeadLetter([
      ...HOSTILE.slice(0, 4),
      { id: "genuine", body: JSON.stringify(genuine) },
      ...HOSTILE.slice(4),
    ]);
    const d = deps(deadLetter);

    // Act
    const outcome = await redeliverKept(d);

    // Assess: one message reached the notifier, the genuine one, exactly as built.
    expect(outcome).toEqual({
      redelivered: 1,
      stillKept: 0,
      dropped: 0,
      keptAlertsRejected: HOSTILE.length,
    });
    expect(d.notifier.delivered).toHaveLength(1);
    expect(d.notifier.delivered[0]?.[0]?.route).toBe("payments");
    expect(JSON.stringify(d.notifier.delivered[0]?.[0]?.message)).toBe(JSON.stringify(genuine.payload));
    expect(d.notifier.delivered.flat().flatMap((m) => foreignSequences(m.message))).toEqual([]);
    // Every body was acked: none is read again by the next run.
    expect(deadLetter.bodies).toEqual([]);
    expect([...deadLetter.acked].sort()).toEqual([...HOSTILE.map((h) => h.id), "genuine"].sort());
    // One line per refused body, with its id, reason and a bounded excerpt; never the notifier.
    const refused = d.log.lines.filter((l) => l.message === KEPT_ALERT_REFUSED);
    expect(refused.map((l) => l.extra.messageId)).toEqual(HOSTILE.map((h) => h.id));
    for (const line of refused) {
      expect(line.level).toBe("warn");
      expect(typeof line.extra.reason).toBe("string");
      expect((line.extra.excerpt as string).length).toBeLessThanOrEqual(REFUSED_BODY_EXCERPT_CHARS);
    }
    // The summary line: `keptAlertsRejected` is a top-level number for the metric filter.
    expect(d.log.lines.filter((l) => l.message === KEPT_ALERTS_SUMMARY)).toEqual([
      {
        level: "warn",
        message: KEPT_ALERTS_SUMMARY,
        extra: {
          taken: HOSTILE.length + 1,
          redelivered: 1,
          stillKept: 0,
          dropped: 0,
          keptAlertsRejected: HOSTILE.length,
        },
      },
    ]);
    // Audited as refused, naming the message and why.
    expect(d.audit.entries).toHaveLength(HOSTILE.length);
    expect(d.audit.entries[0]).toMatchObject({
      time: NOW.toISOString(),
      mode: "enforce",
      arn: "",
      name: HOSTILE[0]?.id,
      finding: "none",
      action: "none",
      guard: KEPT_ALERT_CHECK,
      outcome: "refused",
    });
    expect(d.audit.entries.map((e) => e.detail)).toEqual(
      refused.map((l) => `kept alert ${l.extra.messageId} refused, not posted: ${l.extra.reason}`),
    );
  });

  it.each(HOSTILE)("refuses $id on its own", async ({ id, body }) => {
    // Prepare
    const d = deps(new BodiesDeadLetter([{ id, body }]));

    // Act
    const outcome = await redeliverKept(d);

    // Assess
    expect(outcome.keptAlertsRejected).toBe(1);
    expect(d.notifier.calls).toEqual([]);
  });

  it("refuses every kept alert when no policy says which routes exist", async () => {
    // Prepare
    const d = deps(new BodiesDeadLetter([{ id: "genuine", body: JSON.stringify(genuineAlert("default")) }]));
    delete d.policy;

    // Act
    const outcome = await redeliverKept(d);

    // Assess
    expect(outcome).toEqual({ redelivered: 0, stillKept: 0, dropped: 0, keptAlertsRejected: 1 });
    expect(d.notifier.calls).toEqual([]);
    expect(d.log.lines[0]?.extra.reason).toBe(`route "default" is not one of the policy's routes`);
  });

  it("refuses a hostile body even with no time left to post, and keeps the genuine one for the next run", async () => {
    // Prepare: the deadline passes while the dead letter is read.
    const genuine = { id: "genuine", body: JSON.stringify(genuineAlert("default")) };
    const deadLetter = new BodiesDeadLetter([HOSTILE[0] as { id: string; body: string }, genuine]);
    let reads = 0;
    const d = {
      ...deps(deadLetter),
      clock: { now: () => new Date(NOW.getTime() + (reads++ === 0 ? 0 : 60_000)) },
      deadline: NOW.getTime() + 30_000,
    };

    // Act
    const outcome = await redeliverKept(d);

    // Assess
    expect(outcome).toEqual({ redelivered: 0, stillKept: 1, dropped: 0, keptAlertsRejected: 1 });
    expect(deadLetter.bodies).toEqual([genuine]);
  });

  it("logs a refused body it could not ack and carries on: it is refused again on the next run", async () => {
    // Prepare
    const deadLetter = new BodiesDeadLetter([...HOSTILE.slice(0, 2)]);
    deadLetter.failAcks = true;
    const d = deps(deadLetter);

    // Act
    const outcome = await redeliverKept(d);

    // Assess
    expect(outcome.keptAlertsRejected).toBe(2);
    expect(d.log.at("warn").map((l) => l.message)).toEqual([
      KEPT_ALERT_REFUSED,
      "kept alert could not be acked; it may be sent again",
      KEPT_ALERT_REFUSED,
      "kept alert could not be acked; it may be sent again",
      KEPT_ALERTS_SUMMARY,
    ]);
  });

  it("logs the summary at info level when nothing was refused, and nothing when nothing was kept", async () => {
    // Prepare
    const memory = new MemoryAlertDeadLetter();
    await memory.put([genuineAlert("default")]);
    const d = deps(memory);

    // Act
    await redeliverKept(d);
    await redeliverKept(d);

    // Assess
    expect(d.log.lines).toEqual([
      {
        level: "info",
        message: KEPT_ALERTS_SUMMARY,
        extra: { taken: 1, redelivered: 1, stillKept: 0, dropped: 0, keptAlertsRejected: 0 },
      },
    ]);
    expect(d.audit.entries).toEqual([]);
  });
});

describe("notifySweep with hostile kept alerts", () => {
  it("answers with keptAlertsRejected, and the digests do not count them as alerts that failed to send", async () => {
    // Prepare: the genuine kept alert's route is still down; no digest goes there.
    const result = await runSweep({
      store: exampleAccount(),
      policy: POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [BREAK_GLASS],
    });
    const still: FailedDelivery = genuineAlert("ops");
    const d = deps(new BodiesDeadLetter([...HOSTILE, { id: "still-failing", body: JSON.stringify(still) }]));
    d.notifier.failRoutes.add("ops");

    // Act
    const answer = await notifySweep(result, d);

    // Assess
    expect(answer).toEqual({ failedDeliveries: 1, keptAlertsRejected: HOSTILE.length });
    expect(d.notifier.sends.map((r) => r.failedDeliveries)).toEqual([1, 1]);
  });
});
