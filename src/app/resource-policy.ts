import { addQuarantine, isQuarantined, quarantineStatement, removeQuarantine } from "../domain/quarantine.js";
import { quarantineWriteProblems } from "../domain/quarantine-write.js";
import { ResourcePolicyError } from "../errors.js";
import type { SecretStore } from "../ports.js";

/**
 * The only two writes of a resource policy the governor makes: its deny statement added to the policy it read,
 * and removed again. Every body is checked (quarantineWriteProblems) before PutResourcePolicy: one that would
 * change anything else is never written.
 */

async function put(
  store: SecretStore,
  arn: string,
  before: string | undefined,
  after: string,
): Promise<void> {
  const problems = quarantineWriteProblems(before, after);
  if (problems.length > 0)
    throw new ResourcePolicyError(
      `refused to write a resource policy that is not the old one plus or minus the governor's statement: ${problems.join("; ")}`,
      "malformed",
    );
  await store.putResourcePolicy(arn, after);
}

/** Adds (or refreshes) the quarantine statement; no write when it is already there as it should be. */
export async function putQuarantine(
  store: SecretStore,
  arn: string,
  exemptPrincipals: string[],
): Promise<void> {
  const current = await store.getResourcePolicy(arn);
  const next = addQuarantine(current, quarantineStatement(exemptPrincipals));
  if (next !== current) await put(store, arn, current, next);
}

/** Removes the quarantine statement; deletes the policy when it was the only statement. */
export async function releaseQuarantine(store: SecretStore, arn: string): Promise<void> {
  const current = await store.getResourcePolicy(arn);
  if (!isQuarantined(current)) return;
  const next = removeQuarantine(current);
  if (next === undefined) await store.deleteResourcePolicy(arn);
  else await put(store, arn, current, next);
}
