/** What the governor can find wrong with a secret. */
export const FINDING_TYPES = [
  "unused",
  "rotation-disabled",
  "rotation-failed",
  "rotation-overdue",
  "not-using-cmk",
  "access-denied",
  "decryption-failure",
] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

/** Who or what reported the finding. */
export type FindingSource = "config" | "cloudtrail" | "inventory";

/** The caller behind an access failure, from CloudTrail. Every field is caller-controlled, untrusted text. */
export interface AccessAttempt {
  principalArn?: string;
  principalType?: string;
  /** The caller's account (userIdentity.accountId). */
  callerAccount?: string;
  sourceIp?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  /** The API that failed, e.g. GetSecretValue. */
  api: string;
}

export interface Finding {
  type: FindingType;
  /** The secret as the source named it: an ARN, a partial ARN or a name. */
  secretId: string;
  source: FindingSource;
  /** `open`: the problem holds (NON_COMPLIANT, a failure). `resolved`: it went away (COMPLIANT again). */
  status: "open" | "resolved";
  observedAt: Date;
  /** The event id or Config rule that produced it, for the audit trail. */
  origin?: string;
  access?: AccessAttempt;
  /** Free text from the source (e.g. a rotation failure's error message): untrusted. */
  message?: string;
}
