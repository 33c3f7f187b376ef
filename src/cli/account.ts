import { writeFileSync } from "node:fs";
import { makeConfigClient, makeSecretsManagerClient } from "../adapters/aws-clients.js";
import { ConfigComplianceSource } from "../adapters/config-compliance.js";
import { type LocalAccount, loadLocalAccount } from "../adapters/local-account.js";
import { WritePacer } from "../adapters/pacer.js";
import { SecretsManagerStore } from "../adapters/secrets-manager.js";
import { GovernorConfig } from "../config.js";
import type { Policy } from "../policy/schema.js";
import type { ComplianceSource, SecretStore } from "../ports.js";
import { readText } from "./io.js";
import { UsageError } from "./usage.js";

/** The account a command works on: an embedded local one (from a list-secrets file) or the live one. */
export interface OpenAccount {
  store: SecretStore;
  compliance?: ComplianceSource;
  local?: LocalAccount;
  /** Writes the local account's final state back to its file (with --write). */
  save(): void;
  describe: string;
}

export function openAccount(
  values: { account?: string; live?: boolean; write?: boolean },
  now: Date,
): OpenAccount {
  if (values.account && values.live) throw new UsageError("give either --account FILE or --live, not both");
  if (values.live) {
    const config = new GovernorConfig();
    const options = {
      region: config.region ?? "us-east-1",
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    };
    const store = new SecretsManagerStore(
      makeSecretsManagerClient(options),
      new WritePacer({ share: config.writeShare }),
    );
    return {
      store,
      compliance: new ConfigComplianceSource(makeConfigClient(options)),
      save: () => {},
      describe: `live account (${config.region ?? "default region"}${config.endpoint ? ` at ${config.endpoint}` : ""})`,
    };
  }
  if (!values.account) throw new UsageError("give --account FILE (a list-secrets JSON) or --live");
  const path = values.account;
  const local = loadLocalAccount(readText(path, "account"), path, { clock: { now: () => now } });
  return {
    store: local,
    local,
    save: () => {
      if (values.write) writeFileSync(path, `${JSON.stringify(local.snapshot(), null, 2)}\n`);
    },
    describe: `local account ${path}${values.write ? "" : " (in memory; --write saves it)"}`,
  };
}

/** Principals a quarantine put by the CLI never denies: the same as the functions' (GovernorConfig). */
export function exemptPrincipalsOf(policy: Policy, config: GovernorConfig = new GovernorConfig()): string[] {
  return config.exemptPrincipals(policy.breakGlassPrincipals);
}

/** The governor's own role (GOVERNOR_ROLE_ARN), whose refused calls are reported as such, as in Lambda. */
export function selfPrincipalsOf(config: GovernorConfig = new GovernorConfig()): string[] {
  return config.selfPrincipals;
}
