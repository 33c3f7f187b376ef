import { STAGE_SINCE_TAG, STAGE_TAG, TAG_PREFIX, USED_ON_TAG } from "../domain/decision.js";
import { isQuarantined } from "../domain/quarantine.js";
import { KEPT_BY_TAG, KEPT_UNTIL_TAG } from "../domain/slack-action.js";
import { SecretNotFoundError } from "../errors.js";
import type { SecretStore } from "../ports.js";
import { releaseQuarantine } from "./resource-policy.js";

const EXEMPT_TAG = "governor:exempt";
/**
 * Facts, not actions: who decided a secret is exempt (for good, or kept from Slack until a date), and the day a
 * denied read proved it in use.
 */
const KEPT_TAGS = [EXEMPT_TAG, USED_ON_TAG, KEPT_UNTIL_TAG, KEPT_BY_TAG];

export interface RestoreResult {
  arn: string;
  name: string;
  /** What was undone, in order: cancel-deletion, release, untag. Empty when there was nothing to undo. */
  undone: string[];
  /** What would be undone (report mode). */
  planned: string[];
}

/**
 * Undoes everything the governor did to a secret: cancels a scheduled deletion, removes the quarantine statement
 * (and nothing else of the resource policy) and removes the lifecycle tags. Safe to run twice.
 */
export async function restoreSecret(
  secretId: string,
  store: SecretStore,
  /** `keepTags`: governor tags to keep besides governor:exempt. */
  options: { dryRun: boolean; keepTags?: string[] },
): Promise<RestoreResult> {
  const secret = await store.describe(secretId);
  if (!secret) throw new SecretNotFoundError(secretId);
  const steps: { name: string; run: () => Promise<void> }[] = [];
  if (secret.deletedDate) steps.push({ name: "cancel-deletion", run: () => store.restore(secret.arn) });
  // The resource policy can only be read once the secret is no longer scheduled for deletion.
  steps.push({
    name: "release",
    run: () => releaseQuarantine(store, secret.arn),
  });
  // governor:exempt is a person's decision, not the governor's doing: it is always kept.
  const keep = new Set([...KEPT_TAGS, ...(options.keepTags ?? [])]);
  const governorTags = Object.keys(secret.tags).filter((k) => k.startsWith(TAG_PREFIX) && !keep.has(k));
  const lifecycleTags = [STAGE_TAG, STAGE_SINCE_TAG].filter((k) => governorTags.includes(k));
  const untag = [...new Set([...lifecycleTags, ...governorTags])];
  if (untag.length > 0) steps.push({ name: "untag", run: () => store.untag(secret.arn, untag) });

  const result: RestoreResult = { arn: secret.arn, name: secret.name, undone: [], planned: [] };
  if (options.dryRun) {
    const policy = secret.deletedDate ? undefined : await store.getResourcePolicy(secret.arn);
    result.planned = steps
      .filter((s) => s.name !== "release" || secret.deletedDate || isQuarantined(policy))
      .map((s) => s.name);
    return result;
  }
  for (const step of steps) {
    if (step.name === "release") {
      const before = await store.getResourcePolicy(secret.arn);
      if (!isQuarantined(before)) continue;
    }
    await step.run();
    result.undone.push(step.name);
  }
  return result;
}
