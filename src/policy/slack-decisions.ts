import { addDays, isoDate, parseIsoDate } from "../domain/dates.js";
import type { Secret } from "../domain/secret.js";
import { KEPT_BY_TAG, KEPT_UNTIL_TAG, SNOOZED_BY_TAG, SNOOZED_UNTIL_TAG } from "../domain/slack-action.js";
import type { Policy } from "./schema.js";

/**
 * The decisions people make from Slack, as the engine reads them back from the secret's tags. A date beyond what
 * the policy allows from today is not one the governor wrote (someone tagged it by hand, or the policy was
 * tightened since): it is ignored, so no tag keeps a secret out of the lifecycle for longer than the policy says.
 */

/** Kept (exempt) until this date, inclusive, by whom; undefined when not kept, or no longer. */
export function keptOf(secret: Secret, policy: Policy, now: Date): { until: string; by: string } | undefined {
  const until = boundedDate(secret.tags[KEPT_UNTIL_TAG], now, policy.slack.keep.days);
  return until ? { until, by: secret.tags[KEPT_BY_TAG] ?? "someone" } : undefined;
}

/** The next stage waits until this date (exclusive: it may happen on that day); undefined when not snoozed. */
export function snoozedOf(
  secret: Secret,
  policy: Policy,
  now: Date,
): { until: Date; by: string } | undefined {
  const until = boundedDate(secret.tags[SNOOZED_UNTIL_TAG], now, policy.slack.snooze.maxDays);
  return until
    ? { until: parseIsoDate(until) as Date, by: secret.tags[SNOOZED_BY_TAG] ?? "someone" }
    : undefined;
}

function boundedDate(text: string | undefined, now: Date, maxDays: number): string | undefined {
  const date = parseIsoDate(text);
  if (!date) return undefined;
  const day = isoDate(date);
  if (day < isoDate(now) || day > isoDate(addDays(now, maxDays))) return undefined;
  return day;
}

/** The later of a stage's due date and the snooze. */
export function dueAfterSnooze(due: Date, snoozed: { until: Date } | undefined): Date {
  return snoozed && snoozed.until > due ? snoozed.until : due;
}

/**
 * The governor's own secrets, by name: the routes' webhooks, the Slack app's signing secret and bot token. It
 * reads them, so it must never quarantine or delete them: every decision on them is withheld.
 */
export function ownSecretOf(secret: Secret, policy: Policy): string | undefined {
  if (secret.name === policy.slack.signingSecret) return "the Slack signing secret";
  if (policy.slack.botTokenSecret !== undefined && secret.name === policy.slack.botTokenSecret)
    return "the Slack bot token";
  for (const [route, spec] of Object.entries(policy.routes))
    if (spec.webhookSecret === secret.name) return `the webhook secret of route '${route}'`;
  return undefined;
}
