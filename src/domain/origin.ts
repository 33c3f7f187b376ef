import { principalAccountOfDenial } from "./denial-message.js";
import type { Finding } from "./finding.js";
import { parseSecretArn } from "./secret.js";

/**
 * Where an event must come from to be acted on: this stack's own account and region. Everything an event says
 * about its origin (the EventBridge envelope, CloudTrail's recipientAccountId and awsRegion, Config's awsAccountId
 * and awsRegion, the account and region in each secret ARN, the caller's account for a secret named only by
 * name) is checked against it. A secret named only by name is looked up in this account, so an event from
 * elsewhere would otherwise act on this account's secret of the same name.
 */
export interface StackIdentity {
  account: string;
  region: string;
}

export const ACCOUNT_ID_RE = /^\d{12}$/;

function field(record: unknown, key: string): unknown {
  return typeof record === "object" && record !== null ? (record as Record<string, unknown>)[key] : undefined;
}

function claim(where: string, value: unknown, expected: string, what: "account" | "region"): string[] {
  if (value === undefined || value === null) return [];
  return String(value) === expected ? [] : [`${where} is ${what} ${JSON.stringify(String(value))}`];
}

/**
 * The accounts a record gives its caller: CloudTrail's userIdentity.accountId, the account in its principal ARN,
 * and the account of the caller errorMessage names ("User: arn:aws:sts::ACCOUNT:..."), which is all a record with
 * no userIdentity says of its caller.
 */
function callerAccounts(finding: Finding): string[] {
  const access = finding.access;
  if (!access) return [];
  const fromArn = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(access.principalArn ?? "")?.[1];
  const fromMessage = principalAccountOfDenial(access.errorMessage);
  return [access.callerAccount, fromArn, fromMessage].filter((a): a is string => a !== undefined);
}

/**
 * Why this event is not this stack's to act on, or undefined when every origin it states is this stack's. The
 * envelope must name the account and region (EventBridge always does); the other fields are checked when present.
 */
export function foreignOrigin(
  event: unknown,
  findings: readonly Finding[],
  stack: StackIdentity,
): string | undefined {
  const detail = field(event, "detail");
  const account = field(event, "account");
  const region = field(event, "region");
  const problems: string[] = [];
  if (typeof account !== "string" || account === "") problems.push("the envelope names no account");
  if (typeof region !== "string" || region === "") problems.push("the envelope names no region");
  problems.push(
    ...claim("the envelope", account, stack.account, "account"),
    ...claim("the envelope", region, stack.region, "region"),
    ...claim("recipientAccountId", field(detail, "recipientAccountId"), stack.account, "account"),
    ...claim("detail.awsRegion", field(detail, "awsRegion"), stack.region, "region"),
    ...claim("detail.awsAccountId", field(detail, "awsAccountId"), stack.account, "account"),
  );
  for (const finding of findings) {
    const arn = parseSecretArn(finding.secretId);
    if (arn) {
      problems.push(
        ...claim(`secret ${finding.secretId}`, arn.accountId, stack.account, "account"),
        ...claim(`secret ${finding.secretId}`, arn.region, stack.region, "region"),
      );
      continue;
    }
    if (finding.secretId.startsWith("arn:")) {
      problems.push(`secret ${finding.secretId} is not a Secrets Manager secret ARN`);
      continue;
    }
    // A name resolves in the caller's own account: a call by name from another account was not made here.
    for (const caller of callerAccounts(finding))
      if (caller !== stack.account)
        problems.push(`secret ${finding.secretId} is named by name only by a caller of account ${caller}`);
  }
  const unique = [...new Set(problems)];
  if (unique.length === 0) return undefined;
  return `not this stack's account ${stack.account} and region ${stack.region}: ${unique.join("; ")}`;
}
