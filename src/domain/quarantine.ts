import { InputError, ResourcePolicyError } from "../errors.js";

/** The Sid that marks the governor's statement; nothing else in a resource policy is ever touched. */
export const QUARANTINE_SID = "SecretsGovernorQuarantine";
/** PutResourcePolicy rejects longer documents (botocore PutResourcePolicy, ResourcePolicy max 20,480). */
export const RESOURCE_POLICY_MAX_CHARS = 20_480;
export const POLICY_VERSION = "2012-10-17";
const PRINCIPAL_ARN_RE =
  /^arn:aws[a-z-]*:(iam|sts)::[0-9*?]{1,12}:(root|(role|user|assumed-role|federated-user)\/(\S+))$/;

/** A principal ARN, globs allowed, that still names someone: `*`, `arn:*` or `role/*` would exempt everyone. */
function isNarrowPrincipal(arn: string): boolean {
  const m = PRINCIPAL_ARN_RE.exec(arn);
  if (!m) return false;
  return m[2] === "root" || /[^*?/]/.test(m[4] ?? "");
}

/** One IAM policy statement. Unknown keys of existing statements are kept as they are. */
export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

interface PolicyDocument {
  Statement: PolicyStatement | PolicyStatement[];
  [key: string]: unknown;
}

/**
 * The quarantine: deny reading the value to everyone except the governor itself and break-glass principals.
 * `aws:PrincipalArn` is the role ARN for assumed-role sessions, so exempting a role covers its sessions; callers
 * without the key (service principals) are denied, as negated operators match when the key is absent.
 */
export function quarantineStatement(exemptPrincipalArns: string[]): PolicyStatement {
  const exempt = [...new Set(exemptPrincipalArns.map((arn) => arn.trim()).filter((arn) => arn !== ""))];
  // A wildcard such as "*" would exempt everyone and silently void the quarantine.
  const loose = exempt.find((arn) => !isNarrowPrincipal(arn));
  if (loose !== undefined)
    throw new InputError(
      `exempt principal ${JSON.stringify(loose)} is not a principal ARN that names someone (arn:aws:iam::<account>:role/<name>, globs allowed in the name)`,
    );
  const statement: PolicyStatement = {
    Sid: QUARANTINE_SID,
    Effect: "Deny",
    Principal: "*",
    Action: "secretsmanager:GetSecretValue",
    Resource: "*",
  };
  // IAM rejects an empty value list, so no exemption means no condition at all.
  if (exempt.length > 0) statement.Condition = { ArnNotLike: { "aws:PrincipalArn": exempt } };
  return statement;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parsePolicy(policyText: string): PolicyDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(policyText);
  } catch (error) {
    throw new ResourcePolicyError(
      `the secret's resource policy is not valid JSON (${(error as Error).message}); it is left unchanged`,
      "malformed",
      { cause: error },
    );
  }
  if (!isObject(doc))
    throw new ResourcePolicyError("the secret's resource policy is not a JSON object", "malformed");
  const statement = doc.Statement;
  const valid = Array.isArray(statement) ? statement.every(isObject) : isObject(statement);
  if (!valid)
    throw new ResourcePolicyError(
      "the secret's resource policy has no Statement object or array of objects",
      "malformed",
    );
  return doc as PolicyDocument;
}

function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

function isOurs(statement: PolicyStatement): boolean {
  return statement.Sid === QUARANTINE_SID;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function render(doc: PolicyDocument): string {
  const text = JSON.stringify(doc);
  if (text.length > RESOURCE_POLICY_MAX_CHARS)
    throw new ResourcePolicyError(
      `the resource policy with the quarantine would be ${text.length} characters, over the limit of ${RESOURCE_POLICY_MAX_CHARS}`,
      "too-large",
    );
  return text;
}

/**
 * The resource policy with the quarantine statement in it: an older statement with the same Sid is replaced in
 * place, every other statement and top-level key is kept. Returns `policyText` itself when it already holds this
 * exact statement, so callers can skip the write.
 *
 * A single-object `Statement` becomes `[quarantine, original]` while an array gets the quarantine appended: the
 * quarantine's position is what lets removeQuarantine give back the original form.
 */
export function addQuarantine(policyText: string | undefined, statement: PolicyStatement): string {
  const quarantine: PolicyStatement = { ...statement, Sid: QUARANTINE_SID };
  if (policyText === undefined || policyText.trim() === "")
    return render({ Version: POLICY_VERSION, Statement: [quarantine] });
  const doc = parsePolicy(policyText);
  const statements = statementsOf(doc);
  const existing = statements.findIndex(isOurs);
  if (existing >= 0) {
    const others = statements.filter((s, i) => i === existing || !isOurs(s));
    if (others.length === statements.length && sameJson(statements[existing], quarantine)) return policyText;
    const next = others.map((s) => (isOurs(s) ? quarantine : s));
    return render({ ...doc, Statement: Array.isArray(doc.Statement) ? next : (next[0] as PolicyStatement) });
  }
  const next = Array.isArray(doc.Statement) ? [...statements, quarantine] : [quarantine, doc.Statement];
  return render({ ...doc, Statement: next });
}

/**
 * The resource policy without the quarantine statement: `policyText` itself when there is none, undefined when no
 * statement remains (meaning: delete the resource policy).
 */
export function removeQuarantine(policyText: string | undefined): string | undefined {
  if (policyText === undefined || policyText.trim() === "") return undefined;
  const doc = parsePolicy(policyText);
  const statements = statementsOf(doc);
  if (!statements.some(isOurs)) return policyText;
  const others = statements.filter((s) => !isOurs(s));
  if (others.length === 0) return undefined;
  // [quarantine, original] is how addQuarantine wrote a single-object Statement: give that form back.
  const wasSingle =
    Array.isArray(doc.Statement) && statements.length === 2 && isOurs(statements[0] as PolicyStatement);
  return JSON.stringify({ ...doc, Statement: wasSingle ? others[0] : others });
}

/** The statements of a resource policy ([] for none). Throws ResourcePolicyError when it is malformed. */
export function statementsOfPolicy(policyText: string | undefined): PolicyStatement[] {
  if (policyText === undefined || policyText.trim() === "") return [];
  return statementsOf(parsePolicy(policyText));
}

/** Does this resource policy hold the quarantine statement? Throws ResourcePolicyError when it is malformed. */
export function isQuarantined(policyText: string | undefined): boolean {
  if (policyText === undefined || policyText.trim() === "") return false;
  return statementsOf(parsePolicy(policyText)).some(isOurs);
}
