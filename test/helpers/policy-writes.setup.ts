import { afterEach, expect } from "vitest";
import { LocalAccount } from "../../src/adapters/local-account.js";
import { SecretsManagerStore } from "../../src/adapters/secrets-manager.js";
import { QUARANTINE_SID } from "../../src/domain/quarantine.js";
import { governorStatementProblems, quarantineWriteProblems } from "../../src/domain/quarantine-write.js";

/**
 * Every PutResourcePolicy body any test sends through the two stores (the in-memory account, also behind the
 * emulated AWS and the CLI, and the SDK store against moto or a mock) is decoded. One that touches the governor's
 * statement (adds, replaces or removes it) must be the old policy plus or minus that statement and nothing else
 * (quarantineWriteProblems, with the old policy the in-memory account holds), and the statement must be the
 * governor's exact deny; the SDK store, whose old policy is not known here, is checked for the statement.
 * Bodies that do not touch the statement are test set-ups of the stores themselves. A violation fails the test.
 */

export const policyWrites = { checked: 0, violations: [] as string[] };

interface LocalInternals {
  policies: Map<string, string>;
  find(id: string): { arn: string } | undefined;
}

function touchesOurs(text: string | undefined): boolean {
  return text?.includes(QUARANTINE_SID) ?? false;
}

const localPut = LocalAccount.prototype.putResourcePolicy;
LocalAccount.prototype.putResourcePolicy = async function (this: LocalAccount, arn: string, policy: string) {
  const internals = this as unknown as LocalInternals;
  const secret = internals.find(arn);
  const before = secret ? internals.policies.get(secret.arn) : undefined;
  if (touchesOurs(before) || touchesOurs(policy)) {
    policyWrites.checked++;
    for (const problem of quarantineWriteProblems(before, policy))
      policyWrites.violations.push(`${arn}: ${problem}: ${policy}`);
  }
  return localPut.call(this, arn, policy);
};

const sdkPut = SecretsManagerStore.prototype.putResourcePolicy;
SecretsManagerStore.prototype.putResourcePolicy = async function (
  this: SecretsManagerStore,
  arn: string,
  policy: string,
) {
  if (touchesOurs(policy)) {
    policyWrites.checked++;
    for (const problem of governorStatementProblems(policy))
      policyWrites.violations.push(`${arn}: ${problem}: ${policy}`);
  }
  return sdkPut.call(this, arn, policy);
};

afterEach(() => {
  const violations = policyWrites.violations.splice(0);
  expect(
    violations,
    "PutResourcePolicy bodies that are not the old policy plus or minus the governor's statement",
  ).toEqual([]);
});
