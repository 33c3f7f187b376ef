/**
 * Principals as CloudTrail names them. A role's callers appear as sessions
 * (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`), one per instance, task or Lambda container, so a fleet of
 * N instances of one service is N different ARNs for one role.
 */

const ASSUMED_ROLE_RE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const ROLE_RE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/** The role behind a principal ARN and the session it used, when it is an assumed-role session. */
export interface PrincipalIdentity {
  /** What the principal is aggregated by: the role's IAM ARN for a session, else the ARN itself. */
  key: string;
  /** The session name (e.g. an instance id) for an assumed-role session. */
  session?: string;
}

/**
 * The identity a principal ARN stands for: for `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`, the role
 * `arn:aws:iam::ACCT:role/ROLE` and the session `SESSION`; any other ARN stands for itself. (An assumed-role ARN
 * does not carry the role's path, so the key has none either.)
 */
export function principalIdentity(principalArn: string): PrincipalIdentity {
  const m = ASSUMED_ROLE_RE.exec(principalArn);
  if (!m) return { key: principalArn };
  const [, partition, account, role, session] = m as unknown as [string, string, string, string, string];
  return { key: `arn:${partition}:iam::${account}:role/${role}`, session };
}

/**
 * Is `principalArn` (as CloudTrail names the caller) the role `roleArn`, itself or one of its sessions? Role
 * ARNs may carry a path (`role/service-role/NAME`); sessions name the role without it, so the name decides.
 */
export function isPrincipalOfRole(roleArn: string, principalArn: string): boolean {
  if (roleArn === principalArn) return true;
  const role = ROLE_RE.exec(roleArn);
  const session = ASSUMED_ROLE_RE.exec(principalArn) ?? ROLE_RE.exec(principalArn);
  if (!role || !session) return false;
  return role[1] === session[1] && role[2] === session[2] && role[3] === session[3];
}
