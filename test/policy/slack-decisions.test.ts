import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/policy/evaluate.js";
import { planAccount } from "../../src/policy/plan.js";
import { daysAgo, isoDaysAgo, loadYaml, makeSecret, NOW, stagedSecret } from "./builders.js";

const policy = loadYaml(`routes:
  default:
    webhookSecret: secrets-governor/slack/default
slack:
  signingSecret: secrets-governor/slack/signing
  botTokenSecret: secrets-governor/slack/bot
  keep: { days: 90 }
  snooze: { days: 7, maxDays: 30 }
rules:
  - name: unused-secrets
    match: { finding: unused }
    lifecycle:
      quarantine: { afterDays: 14 }
      scheduleDeletion: { afterDays: 30, recoveryWindowDays: 30 }
`);
const inDays = (n: number) => isoDaysAgo(-n);
const unused = { lastAccessedDate: daysAgo(200) };

describe("the engine honours what people decided from Slack", () => {
  it("a kept secret is withheld as exempt until the date, then re-enters the lifecycle", () => {
    const tags = { "governor:kept-until": inDays(10), "governor:kept-by": "U0OWNER01" };
    const kept = evaluate({ secret: makeSecret({ ...unused, tags }), finding: "unused" }, policy, NOW);
    expect(kept).toMatchObject({
      action: "none",
      guard: "exempt",
      reason: `kept by U0OWNER01 until ${inDays(10)}`,
    });

    const later = new Date(NOW.getTime() + 11 * 86_400_000);
    const after = evaluate({ secret: makeSecret({ ...unused, tags }), finding: "unused" }, policy, later);
    expect(after).toMatchObject({ action: "tag", stage: "flagged" });
  });

  it("a kept secret in a stage is taken out of it (release, untag), never quarantined", () => {
    const secret = stagedSecret("quarantined", 3, { tags: { "governor:kept-until": inDays(80) } });
    const decision = evaluate({ secret, finding: "unused" }, policy, NOW);
    expect(decision?.steps.map((s) => s.kind)).toEqual(["release", "untag", "notify"]);
    expect(decision?.guard).toBe("exempt");
  });

  it.each([
    ["further ahead than the policy's keep period", inDays(91)],
    ["in the past", isoDaysAgo(1)],
    ["not a date", "forever"],
  ])("a kept-until %s is ignored", (_, until) => {
    const secret = makeSecret({ ...unused, tags: { "governor:kept-until": until } });
    expect(evaluate({ secret, finding: "unused" }, policy, NOW)?.action).toBe("tag");
  });

  it("a snooze pushes the quarantine to its date; on that day it happens", () => {
    const tags = { "governor:snoozed-until": inDays(5), "governor:snoozed-by": "U0OWNER01" };
    const secret = stagedSecret("flagged", 14, { tags });
    const decision = evaluate({ secret, finding: "unused" }, policy, NOW);
    expect(decision).toMatchObject({ action: "none", next: { action: "quarantine", on: inDays(5) } });
    expect(decision?.trace.join("\n")).toContain(`snoozed by U0OWNER01 until ${inDays(5)}`);

    const onTheDay = new Date(NOW.getTime() + 5 * 86_400_000);
    expect(evaluate({ secret, finding: "unused" }, policy, onTheDay)?.action).toBe("quarantine");
  });

  it("a snooze pushes a deletion back too, and one beyond maxDays is ignored", () => {
    const snoozed = stagedSecret("quarantined", 16, { tags: { "governor:snoozed-until": inDays(3) } });
    expect(evaluate({ secret: snoozed, finding: "unused" }, policy, NOW)?.next).toEqual({
      action: "schedule-deletion",
      on: inDays(3),
    });
    const forged = stagedSecret("quarantined", 16, { tags: { "governor:snoozed-until": inDays(31) } });
    expect(evaluate({ secret: forged, finding: "unused" }, policy, NOW)?.action).toBe("schedule-deletion");
  });

  it.each([
    ["the signing secret", "secrets-governor/slack/signing"],
    ["the bot token", "secrets-governor/slack/bot"],
    ["a route's webhook", "secrets-governor/slack/default"],
  ])("never plans anything on the governor's own secrets: %s", (_, name) => {
    const secret = stagedSecret("flagged", 20, { name });
    const plan = planAccount([secret], policy, NOW, { mode: "enforce" });
    expect(plan.decisions.map((d) => [d.action, d.guard])).toEqual([["none", "exempt"]]);
    expect(plan.decisions[0]?.reason).toContain("the governor never governs its own secrets");
  });
});
