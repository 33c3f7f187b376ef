import { daysBetween, parseIsoDate } from "../domain/dates.js";
import { USED_ON_TAG } from "../domain/decision.js";
import { isReplicatedPrimary, type Secret } from "../domain/secret.js";

/** The proof of use the governor recorded on the secret (`governor:used-on`), when it is a valid ISO date. */
export function usedOn(secret: Secret): Date | undefined {
  return Object.hasOwn(secret.tags, USED_ON_TAG) ? parseIsoDate(secret.tags[USED_ON_TAG]) : undefined;
}

/**
 * The last day anyone used the secret in any region: its own LastAccessedDate, for a primary with replicas each
 * replica's, and the proof of use the governor recorded (`governor:used-on`: a read its quarantine denied, which
 * AWS does not count as an access). Undefined when never used anywhere as far as these show.
 */
export function lastAccessAnywhere(secret: Secret): Date | undefined {
  let latest = secret.lastAccessedDate;
  for (const replica of secret.replicas ?? []) {
    if (replica.lastAccessedDate && (!latest || replica.lastAccessedDate > latest))
      latest = replica.lastAccessedDate;
  }
  const proof = usedOn(secret);
  if (proof && (!latest || proof > latest)) latest = proof;
  return latest;
}

/** A primary that takes part in replication but whose replicas' access dates are not known. */
export function replicasUnknown(secret: Secret): boolean {
  return isReplicatedPrimary(secret) && secret.replicas === undefined;
}

/**
 * Days since the secret was last read anywhere, or since it was created when never read (a new secret gets the
 * same grace period as a read one). Undefined when neither date is known.
 */
export function daysSinceLastUse(secret: Secret, now: Date): number | undefined {
  const reference = lastAccessAnywhere(secret) ?? secret.createdDate;
  return reference ? daysBetween(reference, now) : undefined;
}

/**
 * Unused the way the Config rule judges it: not read for more than `unusedForDays` calendar days (UTC), counting
 * from creation when never read. Undefined when it cannot be judged (no dates, or replicas unknown).
 */
export function isUnused(secret: Secret, now: Date, unusedForDays: number): boolean | undefined {
  if (replicasUnknown(secret)) return undefined;
  const days = daysSinceLastUse(secret, now);
  return days === undefined ? undefined : days > unusedForDays;
}

export function usesDefaultKey(secret: Secret): boolean {
  return (
    !secret.kmsKeyId ||
    secret.kmsKeyId === "alias/aws/secretsmanager" ||
    secret.kmsKeyId.endsWith(":alias/aws/secretsmanager")
  );
}

/** Rotation is overdue when its next scheduled date has passed by more than a day (AWS may take until the next day). */
export function isRotationOverdue(secret: Secret, now: Date): boolean {
  if (!secret.rotationEnabled) return false;
  if (secret.nextRotationDate) return daysBetween(secret.nextRotationDate, now) > 1;
  if (secret.lastRotatedDate && secret.rotationIntervalDays !== undefined)
    return daysBetween(secret.lastRotatedDate, now) > secret.rotationIntervalDays + 1;
  return false;
}
