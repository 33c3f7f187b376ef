/**
 * The access denied message IAM writes into CloudTrail's `errorMessage` (IAM user guide,
 * troubleshoot_access-denied): `User: PRINCIPAL is not authorized to perform: ACTION on resource: RESOURCE`, then
 * `because no TYPE policy allows the ACTION action` or `with an explicit deny in a TYPE policy`, where TYPE is
 * identity-based, resource-based, service control, resource control, VPC endpoint, session or a permissions
 * boundary; since 2026 an explicit deny may end with `: POLICY-ARN`. Older messages stop after the resource, and
 * some name no resource at all. The resource is the secret's ARN, or its name when the caller named it so.
 *
 * @example
 * User: arn:aws:sts::123456789012:assumed-role/app/i-0abc is not authorized to perform: secretsmanager:GetSecretValue
 *   on resource: app/db because no resource-based policy allows the secretsmanager:GetSecretValue action
 */

/**
 * Longer messages are not read for a secret. A real one holds two ARNs of at most 2,048 characters each (the
 * caller, the resource), the action and a policy ARN; anything longer is not IAM's sentence. A cut message is never
 * read instead: a full ARN cut short is the partial ARN of another secret.
 */
export const MAX_DENIAL_MESSAGE_LENGTH = 8192;

export interface DeniedRequest {
  /** The caller as IAM names it: an IAM or STS ARN, or a service principal. */
  principal: string;
  /** E.g. `secretsmanager:GetSecretValue`. */
  action: string;
  /** As written: an ARN, a name, or a pattern (`secret:*`); absent when the message names no resource. */
  resource?: string;
}

// Each part is a run of non-spaces between fixed words, so matching takes time linear in the message.
const DENIAL_RE =
  /^User: (\S+) is not authorized to perform: (\S+)(?: on resource: (\S+))?(?: (?:because no |with an explicit deny |due to an explicit deny ).*)?$/;

/** The parts of an access denied message, or undefined when it is not IAM's sentence (or is too long to be). */
export function parseDenialMessage(message: string | undefined): DeniedRequest | undefined {
  if (message === undefined || message.length > MAX_DENIAL_MESSAGE_LENGTH) return undefined;
  const m = DENIAL_RE.exec(message);
  if (!m) return undefined;
  const denied: DeniedRequest = { principal: m[1] as string, action: m[2] as string };
  if (m[3] !== undefined) denied.resource = m[3];
  return denied;
}

/** The characters of a secret name (CreateSecret: letters, digits and /_+=.@-), at most 512 of them. */
const SECRET_NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** A secret ARN, full or partial: no wildcard, nothing after the name. */
const SECRET_ARN_RE = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,519}$/;
/** Secret ARNs anywhere in a message that is not IAM's sentence, each ending where the text around it does. */
const SECRET_ARN_IN_TEXT_RE =
  /arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+(?=$|[\s,;"'()])/g;
/** The caller's account in an IAM or STS ARN. */
const PRINCIPAL_ACCOUNT_RE = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/;

/** The account of the caller a denial message names, when it names an IAM or STS principal. */
export function principalAccountOfDenial(message: string | undefined): string | undefined {
  const principal = parseDenialMessage(message)?.principal;
  return principal ? PRINCIPAL_ACCOUNT_RE.exec(principal)?.[1] : undefined;
}

/**
 * The secret an access failure's message names, for a record that names it nowhere else (requestParameters null).
 * From IAM's sentence: the resource of a Secrets Manager action, a secret ARN as it stands, or a secret name, which
 * is taken only when the message names the caller's account (the name is looked up in the caller's account, and
 * src/domain/origin.ts checks that it is this stack's). A wildcard or another service's ARN names no secret. From
 * any other message (an older or unknown wording): only the secret ARNs in it, never a name. Either way an ARN
 * goes through the same account and region checks as any other.
 */
export function secretsInDenialMessage(message: string | undefined): string[] {
  if (message === undefined || message.length > MAX_DENIAL_MESSAGE_LENGTH) return [];
  const denied = parseDenialMessage(message);
  if (denied) {
    const { action, resource } = denied;
    if (resource === undefined || !/^secretsmanager:[A-Za-z]+$/i.test(action)) return [];
    if (resource.startsWith("arn:")) return SECRET_ARN_RE.test(resource) ? [resource] : [];
    if (!SECRET_NAME_RE.test(resource) || principalAccountOfDenial(message) === undefined) return [];
    return [resource];
  }
  const arns = (message.match(SECRET_ARN_IN_TEXT_RE) ?? []).map((arn) => arn.replace(/[.]+$/, ""));
  return [...new Set(arns)];
}

/** The message without its resource and ARNs: what is left says what failed (e.g. KMS), not what a name says. */
export function denialTextWithoutNames(message: string): string {
  return message.replace(/ on resource: \S+/g, " on resource:").replace(/arn:\S+/g, "");
}
