import { describe, expect, it } from "vitest";
import { MemoryAlertDeadLetter } from "../../src/adapters/alert-dead-letter.js";
import { notifySweep } from "../../src/app/notify.js";
import { runSweep } from "../../src/app/sweep.js";
import { accountOf, entry, NOW, policyOf, RecordingLog, RecordingNotifier } from "../fixtures/app/fakes.js";
import { GOVERNOR_ROLE } from "./harness.js";

/** A policy mistake: "unused" after one day, quarantine at once. Every secret of the account qualifies. */
const MISTAKE = policyOf(`
mode: enforce
limits:
  perRun: { count: 20, percent: 10 }
  perDay: { count: 50, percent: 25 }
rules:
  - name: oops
    match: { finding: unused }
    unusedForDays: 1
    actions: [notify, quarantine]
`);

function account(count: number) {
  return accountOf(
    Array.from({ length: count }, (_, i) =>
      entry(`app/s-${i}`, { LastAccessedDate: "2026-11-01T00:00:00Z" }),
    ),
  );
}

describe("the blast-radius limit, against a policy that would quarantine every secret", () => {
  it("stops at the per-run limit, withholds the rest by name, and says so in the alert", async () => {
    // Prepare
    const store = account(500);
    const notifier = new RecordingNotifier();

    // Act
    const result = await runSweep({
      store,
      policy: MISTAKE,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [GOVERNOR_ROLE],
    });
    await notifySweep(result, {
      notifier,
      deadLetter: new MemoryAlertDeadLetter(),
      log: new RecordingLog(),
      mode: "enforce",
      now: NOW,
    });

    // Assess
    const quarantined = result.outcomes.filter(
      (o) => o.outcome === "done" && o.decision.action === "quarantine",
    );
    const withheld = result.outcomes.filter((o) => o.decision.guard === "limit-reached");
    expect(quarantined).toHaveLength(20);
    expect(withheld).toHaveLength(480);
    expect(store.calls.filter((c) => c.operation === "PutResourcePolicy")).toHaveLength(20);
    expect(result.plan.limit).toEqual({ allowed: 20, planned: 500, withheld: 480 });
    const digest = JSON.stringify(notifier.accepted);
    expect(digest).toContain("limit-reached");
    expect(digest).toMatch(/480/);
  });

  it("holds the per-day limit across runs: the same day's later runs only use what is left", async () => {
    // Prepare
    const store = account(500);
    const deps = {
      store,
      policy: MISTAKE,
      mode: "enforce" as const,
      now: NOW,
      exemptPrincipals: [GOVERNOR_ROLE],
    };

    // Act: four runs in one day (a retried schedule, a manual invoke...).
    const done: number[] = [];
    for (let run = 0; run < 4; run++) {
      const result = await runSweep(deps);
      done.push(
        result.outcomes.filter((o) => o.outcome === "done" && o.decision.action === "quarantine").length,
      );
    }

    // Assess: 20 + 20 + 10, then nothing: 50 a day.
    expect(done).toEqual([20, 20, 10, 0]);
  });
});
