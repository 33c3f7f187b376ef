import { addDays, isoDate, parseIsoDate } from "../domain/dates.js";
import { isReplica, type Secret } from "../domain/secret.js";
import {
  KEPT_BY_TAG,
  KEPT_UNTIL_TAG,
  type SlackActionKind,
  SNOOZED_BY_TAG,
  SNOOZED_UNTIL_TAG,
} from "../domain/slack-action.js";
import { evaluate, readStage } from "../policy/evaluate.js";
import { isExempt } from "../policy/match.js";
import { restoreSecret } from "./restore.js";
import type { SlackActionDeps } from "./slack-action.js";

/** Keep, Snooze or Restore on fresh facts. Each is safe to run twice; none deletes or quarantines. */
export async function carryOut(
  kind: SlackActionKind,
  secret: Secret,
  user: string,
  deps: SlackActionDeps,
): Promise<{ outcome: "done" | "skipped"; detail: string }> {
  const { policy, now, store } = deps;
  if (secret.owningService)
    return {
      outcome: "skipped",
      detail: `Managed by ${secret.owningService}: the governor does not change it.`,
    };
  if (isReplica(secret))
    return {
      outcome: "skipped",
      detail: `A replica: its primary in ${secret.primaryRegion} is the one to act on.`,
    };
  const exempt = isExempt(secret, policy.exempt);
  // The roles may not touch an exempt secret (an explicit Deny): a person's decision, undone by a person.
  if (exempt)
    return {
      outcome: "skipped",
      detail: `Exempt (${exempt}): the governor does not change it; 'governor restore' with your own credentials does.`,
    };
  const { stage } = readStage(secret);
  if (kind === "restore") {
    if (!stage && !secret.deletedDate)
      return { outcome: "skipped", detail: "It is not in the lifecycle: nothing to undo." };
    const restored = await restoreSecret(secret.arn, store, { dryRun: false });
    return {
      outcome: "done",
      detail: `Restored (${restored.undone.join(", ") || "nothing left to undo"}), as 'governor restore' does. The next sweep judges it again.`,
    };
  }
  if (kind === "keep") {
    const until = isoDate(addDays(now, policy.slack.keep.days));
    const tags = { [KEPT_UNTIL_TAG]: until, [KEPT_BY_TAG]: user };
    // AWS refuses tags on a secret scheduled for deletion: cancel first there. Elsewhere the tag goes first, so
    // a press cut short leaves a kept secret that the next sweep takes out of the lifecycle itself.
    if (secret.deletedDate) {
      await restoreSecret(secret.arn, store, { dryRun: false });
      await store.tag(secret.arn, tags);
    } else {
      await store.tag(secret.arn, tags);
      if (stage) await restoreSecret(secret.arn, store, { dryRun: false });
    }
    return {
      outcome: "done",
      detail: `Kept until ${until}: out of the lifecycle${stage ? ` (was ${stage}, now undone)` : ""}; it is judged again after that day.`,
    };
  }
  // Snooze: the next stage's date as the engine sees it now, pushed back, never beyond the policy's bound.
  if (stage !== "flagged" && stage !== "quarantined")
    return { outcome: "skipped", detail: "No next stage to push back." };
  const next = evaluate({ secret, finding: "unused" }, policy, now)?.next;
  const due = parseIsoDate(next?.on);
  if (!due) return { outcome: "skipped", detail: "No next stage to push back." };
  const latest = addDays(now, policy.slack.snooze.maxDays);
  const wanted = addDays(due, policy.slack.snooze.days);
  const until = wanted > latest ? latest : wanted;
  if (isoDate(until) <= isoDate(due))
    return { outcome: "skipped", detail: `Already snoozed as far as the policy allows (${isoDate(due)}).` };
  await store.tag(secret.arn, { [SNOOZED_UNTIL_TAG]: isoDate(until), [SNOOZED_BY_TAG]: user });
  return {
    outcome: "done",
    detail: `${next?.action ?? "The next stage"} pushed back from ${isoDate(due)} to ${isoDate(until)}.`,
  };
}
