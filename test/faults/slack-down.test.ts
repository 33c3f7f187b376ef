import { describe, expect, it } from "vitest";
import { MemoryAlertDeadLetter } from "../../src/adapters/alert-dead-letter.js";
import { SingleUrlResolver, SlackNotifier } from "../../src/adapters/slack.js";
import { handleBatch } from "../../src/app/handle-batch.js";
import {
  alertItems,
  KEPT_ALERTS_SUMMARY,
  type NotifyDeps,
  notifyEventResults,
  notifySweep,
} from "../../src/app/notify.js";
import { runSweep } from "../../src/app/sweep.js";
import { parseEvent } from "../../src/domain/events.js";
import { defaultPolicy, RecordingLog } from "../fixtures/app/fakes.js";
import { SlackReceiver } from "../helpers/slack-receiver.js";
import { complianceRecords, GOVERNOR_ROLE, NOW, smallAccount } from "./harness.js";

const POLICY = { ...defaultPolicy(), mode: "enforce" as const };

describe("Slack down for the whole run", () => {
  it("lets every action proceed, keeps every alert, and delivers them all once when it returns", async () => {
    // Prepare: Slack answers 503 to everything; no waiting between retries.
    const receiver = await SlackReceiver.start();
    const { s, account } = smallAccount(100, "burst");
    const log = new RecordingLog();
    const deadLetter = new MemoryAlertDeadLetter();
    const notifier = new SlackNotifier({
      resolver: new SingleUrlResolver(receiver.url()),
      log,
      sleep: async () => {},
    });
    const notify: NotifyDeps = { notifier, deadLetter, log, mode: "enforce", now: NOW, policy: POLICY };
    const down = Array.from({ length: 200 }, () => ({ status: 503 }));
    receiver.script(...down);
    try {
      // Act 1: the event burst, in batches of 10, with Slack down.
      const records = complianceRecords(s);
      let flagged = 0;
      let expected = 0;
      for (let i = 0; i < records.length; i += 10) {
        const result = await handleBatch(records.slice(i, i + 10), {
          route: "config-compliance",
          parse: parseEvent,
          stack: { account: "123456789012", region: "us-east-1" },
          log,
          store: account,
          policy: POLICY,
          mode: "enforce",
          now: NOW,
          exemptPrincipals: [GOVERNOR_ROLE],
          notify: (results) => notifyEventResults(results, notify),
        });
        expect(result.failedIds).toEqual([]);
        flagged += result.results.filter((r) => r.outcome?.outcome === "done").length;
        // One message per route per batch: the default route here, whenever the batch has something to say.
        if (alertItems(result.results).length > 0) expected++;
      }
      const kept = deadLetter.kept.length;
      const keptPayloads = deadLetter.kept.map((k) => k.payload);
      const accepted = receiver.accepted.length;

      // Act 2: Slack is back; the daily sweep delivers what was kept, then its own digests.
      receiver.clearScript();
      const sweep = await runSweep({
        store: account,
        policy: POLICY,
        mode: "enforce",
        now: NOW,
        exemptPrincipals: [],
      });
      const { failedDeliveries } = await notifySweep(sweep, notify);

      // Assess
      expect(flagged).toBeGreaterThan(50);
      expect(accepted).toBe(0);
      expect(kept).toBe(expected);
      expect(expected).toBe(10);
      expect(deadLetter.kept).toEqual([]);
      expect(failedDeliveries).toBe(0);
      // Every kept alert arrived exactly once, before the sweep's own two digests.
      expect(receiver.accepted).toHaveLength(kept + 2);
      expect(receiver.accepted.slice(0, kept)).toEqual(keptPayloads);
      // Re-validated on the way out, and none refused: the governor's own alerts pass its check unchanged.
      expect(log.lines.find((l) => l.message === KEPT_ALERTS_SUMMARY)?.extra).toMatchObject({
        taken: kept,
        redelivered: kept,
        keptAlertsRejected: 0,
      });
      expect(log.lines.some((l) => l.extra.slackDeliveryFailed !== undefined)).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});
