import type { Decision, Mode } from "./domain/decision.js";
import type { Finding } from "./domain/finding.js";
import type { Secret } from "./domain/secret.js";

/**
 * The account's Secrets Manager, as the governor needs it. Implemented over the AWS SDK
 * (src/adapters/secrets-manager.ts) and over an in-memory account (src/adapters/local-account.ts).
 * No method ever reads a secret's value.
 */
export interface SecretStore {
  /** Fresh facts (DescribeSecret, with ReplicationStatus); undefined when the secret does not exist. */
  describe(secretId: string): Promise<Secret | undefined>;
  /** Every secret, page by page (ListSecrets, 100 a page, including those scheduled for deletion). */
  list(): AsyncIterable<Secret[]>;
  /** Adds or overwrites exactly these tags. */
  tag(arn: string, tags: Record<string, string>): Promise<void>;
  /** Removes exactly these tag keys. */
  untag(arn: string, keys: string[]): Promise<void>;
  /** The resource policy JSON text, or undefined when the secret has none. */
  getResourcePolicy(arn: string): Promise<string | undefined>;
  /** Puts a resource policy, always with BlockPublicPolicy. */
  putResourcePolicy(arn: string, policy: string): Promise<void>;
  deleteResourcePolicy(arn: string): Promise<void>;
  /** DeleteSecret with a recovery window (7 to 30 days); never ForceDeleteWithoutRecovery. */
  scheduleDeletion(arn: string, recoveryWindowDays: number): Promise<{ deletionDate?: Date }>;
  /** RestoreSecret: cancels a scheduled deletion. */
  restore(arn: string): Promise<void>;
}

/** Config compliance, as pages of findings for the rules the policy uses. */
export interface ComplianceSource {
  /** Findings for every evaluated secret of these Config rules (name prefixes, Security Hub suffixes allowed). */
  findings(now: Date): AsyncIterable<Finding[]>;
}

/** A report of decisions, for a person (Slack). */
export interface Report {
  mode: Mode;
  decisions: Decision[];
  title?: string;
}

export interface Notifier {
  send(report: Report): Promise<void>;
}

/** One audit record per action taken or withheld. */
export interface AuditEntry {
  time: string;
  mode: Mode;
  arn: string;
  name: string;
  finding: string;
  action: string;
  guard: string | null;
  outcome: "done" | "planned" | "withheld" | "skipped" | "failed";
  detail?: string;
}

export interface AuditSink {
  record(entries: AuditEntry[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}
