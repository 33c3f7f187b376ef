import type { AccessAttempt } from "./finding.js";
import { isPrincipalOfRole } from "./principal.js";
import { type PolicyStatement, QUARANTINE_SID, statementsOfPolicy } from "./quarantine.js";
import { parseSecretArn } from "./secret.js";

/**
 * When a denied read of a secret the governor quarantined (or scheduled for deletion) proves that someone still
 * uses it. AWS does not move LastAccessedDate for a denied call, so the denial is the only sign of use; but anyone
 * who can call GetSecretValue on a guessed ARN can make one. A denial counts only when both hold:
 *
 * (a) the governor's own step denied it: an AccessDenied whose message says "with an explicit deny in a
 *     resource-based policy" (the phrase IAM writes for a Deny statement in a resource policy) while the secret's
 *     policy holds the governor's statement and no other Deny that could match the read; or, for a secret the
 *     governor scheduled for deletion, Secrets Manager's InvalidRequestException "marked for deletion";
 * (b) the caller could read the secret before: a principal of the secret's own account, or one the secret's
 *     resource policy allows by name or account (not known while a deletion is scheduled: then only the
 *     secret's own account counts). The quarantine keeps every other statement of the policy as it
 *     was, so those statements are the policy from before the quarantine. `Principal: "*"` grants (possible only
 *     with conditions, as BlockPublicPolicy refuses open ones) name no one and count for no one.
 *
 * The threshold (how many such denials in the window) is the caller's: src/app/process-findings.ts.
 */
export type DenialVerdict = { proof: true; why: string } | { proof: false; why: string };

export interface DenialFacts {
  secretArn: string;
  access: AccessAttempt;
  /** The secret's resource policy now; undefined when it has none. */
  resourcePolicy: string | undefined;
  /**
   * The governor scheduled its deletion and AWS has it scheduled (DeletedDate). AWS then refuses
   * GetResourcePolicy and PutResourcePolicy alike, so the policy is not known, but it is still the one the
   * governor left: the quarantine came before the deletion, and nobody can change the policy since.
   */
  deletionScheduled: boolean;
}

const READ_APIS = new Set(["GetSecretValue", "BatchGetSecretValue"]);
const DENIED_CODES = new Set(["AccessDenied", "AccessDeniedException"]);
const EXPLICIT_DENY_IN_RESOURCE_POLICY = /with an explicit deny in a resource-based policy/i;
const MARKED_FOR_DELETION = /(marked|scheduled) for deletion/i;

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Does an Action / NotAction element cover GetSecretValue? */
function coversRead(statement: PolicyStatement): boolean {
  if (statement.NotAction !== undefined) {
    const excluded = asList(statement.NotAction).map((a) => String(a).toLowerCase());
    return !excluded.some(
      (a) => a === "*" || a === "secretsmanager:*" || a === "secretsmanager:getsecretvalue",
    );
  }
  return asList(statement.Action).some((a) => {
    const action = String(a).toLowerCase();
    return (
      action === "*" ||
      action === "secretsmanager:*" ||
      action === "secretsmanager:getsecretvalue" ||
      (action.startsWith("secretsmanager:get") && action.endsWith("*"))
    );
  });
}

/** The AWS principals a statement names (account ids, `arn:...:root`, role and user ARNs); `*` names no one. */
function namedPrincipals(statement: PolicyStatement): string[] {
  const principal = statement.Principal;
  if (typeof principal !== "object" || principal === null) return [];
  return asList((principal as Record<string, unknown>).AWS)
    .map(String)
    .filter((p) => p !== "*");
}

function accountOfPrincipal(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

function allows(grant: string, caller: string, callerAccount: string): boolean {
  if (/^\d{12}$/.test(grant)) return grant === callerAccount;
  const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(grant);
  if (root) return root[1] === callerAccount;
  return grant === caller || isPrincipalOfRole(grant, caller);
}

function deniedByOurStatement(facts: DenialFacts): DenialVerdict | undefined {
  const { access } = facts;
  if (!EXPLICIT_DENY_IN_RESOURCE_POLICY.test(access.errorMessage ?? ""))
    return {
      proof: false,
      why: "the denial does not say it came from an explicit deny in the secret's resource policy",
    };
  if (facts.deletionScheduled) return undefined;
  let statements: PolicyStatement[];
  try {
    statements = statementsOfPolicy(facts.resourcePolicy);
  } catch {
    return { proof: false, why: "the secret's resource policy cannot be read" };
  }
  if (!statements.some((s) => s.Sid === QUARANTINE_SID))
    return { proof: false, why: "the secret's resource policy does not hold the governor's quarantine" };
  if (statements.some((s) => s.Sid !== QUARANTINE_SID && s.Effect === "Deny" && coversRead(s)))
    return { proof: false, why: "another Deny statement of the resource policy may have denied it" };
  return undefined;
}

/** Was this denied read the governor's own quarantine or deletion stopping a reader who had access before? */
export function judgeDenial(facts: DenialFacts): DenialVerdict {
  const { access } = facts;
  if (!READ_APIS.has(access.api)) return { proof: false, why: `${access.api} is not a read of the value` };
  const code = access.errorCode ?? "";
  if (DENIED_CODES.has(code)) {
    const refused = deniedByOurStatement(facts);
    if (refused) return refused;
  } else if (code === "InvalidRequestException") {
    if (!facts.deletionScheduled || !MARKED_FOR_DELETION.test(access.errorMessage ?? ""))
      return { proof: false, why: "the refusal is not the governor's scheduled deletion" };
  } else {
    return { proof: false, why: `${code || "an unknown error"} is not a denial by the governor` };
  }
  const caller = access.principalArn ?? "";
  const callerAccount = accountOfPrincipal(caller);
  if (!callerAccount) return { proof: false, why: "the caller is not an IAM principal of a known account" };
  if (access.callerAccount !== undefined && access.callerAccount !== callerAccount)
    return { proof: false, why: "the caller's account and principal ARN disagree" };
  const secretAccount = parseSecretArn(facts.secretArn)?.accountId;
  if (callerAccount === secretAccount)
    return { proof: true, why: `a principal of the secret's own account ${callerAccount}` };
  let statements: PolicyStatement[] = [];
  try {
    statements = statementsOfPolicy(facts.resourcePolicy);
  } catch {
    // Unreadable: it grants no one.
  }
  const granted = statements.some(
    (s) =>
      s.Sid !== QUARANTINE_SID &&
      s.Effect === "Allow" &&
      coversRead(s) &&
      namedPrincipals(s).some((p) => allows(p, caller, callerAccount)),
  );
  if (granted)
    return { proof: true, why: "a principal the secret's resource policy allowed before the quarantine" };
  return {
    proof: false,
    why: `a caller of account ${callerAccount}, which the secret's resource policy never allowed to read it`,
  };
}
