import { writeFileSync } from "node:fs";
import {
  DynamoAccessFailureCounter,
  MemoryAccessFailureCounter,
} from "../adapters/access-failure-counter.js";
import { makeConfigClient, makeDynamoDbClient, makeSecretsManagerClient } from "../adapters/aws-clients.js";
import { ConfigComplianceSource } from "../adapters/config-compliance.js";
import { dynamoEventLedger, memoryEventLedger } from "../adapters/event-ledger.js";
import { type LocalAccount, loadLocalAccount } from "../adapters/local-account.js";
import { WRITE_QUOTA_PER_SECOND, WritePacer } from "../adapters/pacer.js";
import { SecretsManagerStore } from "../adapters/secrets-manager.js";
import { GovernorConfig } from "../config.js";
import { ACCOUNT_ID_RE, type StackIdentity } from "../domain/origin.js";
import { parseSecretArn } from "../domain/secret.js";
import type { Policy } from "../policy/schema.js";
import type { AccessFailureCounter, ComplianceSource, EventLedger, SecretStore } from "../ports.js";
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
  /** The live account's write pacing: the share of each write family's quota taken, and the calls per second. */
  pace?: { share: number; perSecond: number; quota: number };
}

export function openAccount(
  values: { account?: string; live?: boolean; write?: boolean },
  now: Date,
  options: { writeShare?: number } = {},
): OpenAccount {
  if (values.account && values.live) throw new UsageError("give either --account FILE or --live, not both");
  if (values.live) {
    const config = new GovernorConfig();
    const clientOptions = config.clientOptions;
    const share = options.writeShare ?? config.writeShare;
    const pacer = new WritePacer({ share });
    const store = new SecretsManagerStore(makeSecretsManagerClient(clientOptions), pacer);
    return {
      store,
      pace: { share, perSecond: pacer.rate("tag"), quota: WRITE_QUOTA_PER_SECOND.tag },
      compliance: new ConfigComplianceSource(makeConfigClient(clientOptions)),
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

/** `--account-id` and `--region`: the account and region whose events `replay` acts on. */
export const STACK_OPTIONS = {
  "account-id": { type: "string" },
  region: { type: "string" },
} as const;

/**
 * The account and region a command acts for, as a stack would: `--account-id` and `--region` when given; else,
 * for an embedded account, the account and region its secrets' ARNs share; else, live, GOVERNOR_ACCOUNT_ID (or
 * the account of GOVERNOR_ROLE_ARN) and the region of the credential chain.
 */
export function stackOf(
  values: { "account-id"?: string; region?: string },
  account: OpenAccount,
  config: GovernorConfig = new GovernorConfig(),
): StackIdentity {
  const given = values["account-id"];
  if (given !== undefined && !ACCOUNT_ID_RE.test(given))
    throw new UsageError(`--account-id must be a 12-digit account id, not ${JSON.stringify(given)}`);
  let accountId: string | undefined = given;
  let region = values.region;
  if (account.local) {
    const arns = account.local.snapshot().SecretList.map((s) => parseSecretArn(String(s.ARN)));
    const accounts = new Set(arns.map((a) => a?.accountId));
    const regions = new Set(arns.map((a) => a?.region));
    if (accountId === undefined && accounts.size === 1) accountId = [...accounts][0];
    if (region === undefined && regions.size === 1) region = [...regions][0];
  } else {
    accountId ??= config.accountId;
    region ??= config.region;
  }
  if (!accountId || !region)
    throw new UsageError(
      "cannot tell which account and region the events must come from: pass --account-id and --region",
    );
  return { account: accountId, region };
}

/**
 * The event ledger and the access-failure counter a command uses, chosen by configuration: the stack's table
 * (GOVERNOR_STATE_TABLE) with `--live`, so a replay against the live account sees what the functions handled and
 * counts denials with theirs; memory otherwise (offline, or no table named).
 */
export function eventStateOf(
  values: { live?: boolean },
  accessFailures: Policy["accessFailures"],
  config: GovernorConfig = new GovernorConfig(),
): { ledger: EventLedger; accessCounter: AccessFailureCounter } {
  const { windowMinutes, incidentAfter } = accessFailures;
  const table = config.stateTable;
  if (!values.live || !table)
    return {
      ledger: memoryEventLedger(),
      accessCounter: new MemoryAccessFailureCounter(windowMinutes, incidentAfter),
    };
  const client = makeDynamoDbClient(config.clientOptions);
  return {
    ledger: dynamoEventLedger(client, table),
    accessCounter: new DynamoAccessFailureCounter(client, table, windowMinutes, incidentAfter),
  };
}
