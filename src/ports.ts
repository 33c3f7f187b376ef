import type { WindowVerdict } from "./domain/access-window.js";
import type { AsffFinding, ReportedFinding } from "./domain/asff.js";
import type { AuditEntry } from "./domain/audit.js";
import type { CostSummary, Decision, Mode } from "./domain/decision.js";
import type { Finding } from "./domain/finding.js";
import type { OrgKey, OrgOrder } from "./domain/org-checks.js";
import type { OrgAction, OrgHeartbeat, OrgSummary } from "./domain/org-events.js";
import type { OrgAccountRegion } from "./domain/org-view.js";
import type { Secret } from "./domain/secret.js";
import type { RoutedMessage, SlackMessage } from "./report/message.js";

export type { WindowVerdict } from "./domain/access-window.js";

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

/** One decision to report, with what is known around it. */
export interface ReportItem {
  decision: Decision;
  /** The secret's facts when known (owner tags, last access, description, replicas for cost). */
  secret?: Secret;
  /** The finding behind the decision; for access failures it carries the attempt (`access`). */
  finding?: Finding;
}

/**
 * A report of decisions, for a person (Slack). `items`: one message per item (event-driven routes);
 * `digest`: one message per route for the whole run; `cost`: the daily cost digest (needs `summary`).
 */
export interface Report {
  mode: Mode;
  kind?: "items" | "digest" | "cost";
  title?: string;
  items: ReportItem[];
  /** When the run happened (dates in the messages); defaults to the time of sending. */
  now?: Date;
  /** Context when an item carries no secret: the account and region the run looked at. */
  accountId?: string;
  region?: string;
  /** The run's cost summary, shown in digests and the cost digest. */
  summary?: CostSummary;
  /** How many alerts failed to send on the previous run, shown in digests when above zero. */
  failedDeliveries?: number;
  /** The route of the cost digest (and of a digest with no items); defaults to `default`. */
  route?: string;
}

/** A message that could not be delivered: kept whole so the caller can retry it or dead-letter it. */
export interface FailedDelivery {
  route: string;
  /** Why, without the webhook URL. */
  reason: string;
  /** False for a rejection that a retry cannot fix (e.g. `invalid_blocks`, `no_service`). */
  retryable: boolean;
  payload: SlackMessage;
}

export interface DeliveryResult {
  sent: number;
  failed: FailedDelivery[];
}

export interface Notifier {
  /** Never throws for a failed delivery: failures come back in `failed`, nothing is lost. */
  send(report: Report): Promise<DeliveryResult>;
  /** Sends messages already built (alerts kept from a failed delivery). */
  deliver(messages: RoutedMessage[]): Promise<DeliveryResult>;
}

/**
 * An alert Slack did not take, kept until a later run delivers it: the body as the dead letter holds it (a
 * FailedDelivery as JSON, when the governor wrote it). Untrusted: whatever may send to the queue wrote it, so it
 * is re-validated before it is posted (src/report/kept-alert.ts).
 */
export interface KeptAlert {
  body: string;
  /** The dead letter's id for it (the SQS message id), for the logs. */
  id?: string;
  /** Forget it: it was delivered, or refused. */
  ack(): Promise<void>;
}

/**
 * Alerts whose delivery failed (an SQS queue in AWS, memory locally): the action they report was already taken,
 * so retrying the event would not repeat them; they wait here and the next run delivers them.
 */
export interface AlertDeadLetter {
  put(failed: FailedDelivery[]): Promise<void>;
  /** Up to `max` kept alerts; each stays kept until acked. */
  take(max: number): Promise<KeptAlert[]>;
}

export type { AuditEntry } from "./domain/audit.js";

export interface AuditSink {
  record(entries: AuditEntry[]): Promise<void>;
}

/**
 * Access failures counted per secret, principal (a role's sessions count as the role) and finding, in fixed
 * windows of the policy's `windowMinutes` aligned to the clock, shared by every handler instance (DynamoDB in AWS,
 * memory for the CLI and tests: src/adapters/access-failure-counter.ts; the keys and decisions:
 * src/domain/access-window.ts). An incident is reported exactly once per window, across instances: by the
 * failure whose count reaches the threshold first claims it. Throws (retryable AdapterError) when the store
 * cannot answer: the failure's event must then be retried, not dropped.
 */
export interface AccessFailureCounter {
  /** Counts one failure; `incidentAfter` overrides the window's threshold (a denied read that proves use). */
  record(finding: Finding, secretArn: string, incidentAfter?: number): Promise<WindowVerdict>;
  /** The incident this failure made was not acted on (its action failed): takes the failure back, so the
   * redelivered event counts it again and makes the incident then. */
  reopen(finding: Finding, secretArn: string): Promise<void>;
}

/** One event as the ledger knows it: its route and EventBridge id, and what it says (its findings, as text). */
export interface LedgerEntry {
  route: string;
  eventId: string;
  /** The findings the event carries: a second delivery with the same id must say the same. */
  content: string;
}

/**
 * What the ledger says to a delivery: `claimed` (this instance handles it now), `done` (handled before: a
 * duplicate, skipped), `busy` (another instance is handling it: retry later), `conflict` (an event with this id
 * said something else: a forged or corrupted message, refused).
 */
export type Claim = "claimed" | "done" | "busy" | "conflict";

/**
 * Which events were handled, shared by every handler instance and kept across cold starts (DynamoDB through
 * Powertools idempotency in AWS, memory for the CLI and tests: src/adapters/event-ledger.ts). An event's effects
 * and its Slack message happen once: a claim is completed only after both, and released when they failed, so
 * that the retry runs. A claim a crashed invocation left expires after `holdMs`.
 */
export interface EventLedger {
  /** Throws (retryable AdapterError) when the store cannot answer: the event must then be retried, not dropped. */
  claim(entry: LedgerEntry, holdMs: number): Promise<Claim>;
  complete(entry: LedgerEntry): Promise<void>;
  release(entry: LedgerEntry): Promise<void>;
}

/**
 * The organization plane's feed (src/domain/org-events.ts): a summary and a heartbeat per sweep, put on the audit
 * bus, from where the stack's rule forwards the governor's events to the central bus (EventBridge in AWS:
 * src/adapters/org-reporter.ts; memory for tests). Throws (AdapterError) when the events were not taken.
 */
export interface OrgReporter {
  publish(events: OrgEvent[]): Promise<void>;
}

export type OrgEvent = { kind: "summary"; detail: OrgSummary } | { kind: "heartbeat"; detail: OrgHeartbeat };

export interface Clock {
  now(): Date;
}

/** What Security Hub took of an import, and what it refused after every retry (counted and reported, never lost). */
export interface FindingsImportResult {
  imported: number;
  failed: { id: string; code: string; message: string }[];
}

/**
 * Security Hub's findings, as the governor writes them: BatchImportFindings in batches of at most 100, paced under
 * the API's rate limit, throttling and per-finding failures retried with backoff (src/adapters/security-hub.ts;
 * memory for the CLI and tests). Never throws: what could not be imported comes back in `failed`.
 */
export interface SecurityFindings {
  import(findings: AsffFinding[]): Promise<FindingsImportResult>;
}

/**
 * The findings the governor reported open and has not resolved yet: what lets a sweep resolve or archive them
 * without reading Security Hub's store (a few items of the state table in AWS, memory locally:
 * src/adapters/reported-findings.ts). Throws (retryable AdapterError) when the store cannot answer.
 */
export interface ReportedFindings {
  list(): Promise<ReportedFinding[]>;
  /** Remembers these as open (replacing what was remembered for the same secret and kind). */
  remember(findings: ReportedFinding[]): Promise<void>;
  forget(findings: Pick<ReportedFinding, "kind" | "secretArn">[]): Promise<void>;
}

/** What a conditional write to the organization's table did: `stale` when the item held a newer event. */
export type OrgWrite = "written" | "stale";

/**
 * The organization plane's state (the central stack's DynamoDB table in AWS, memory for the CLI and tests:
 * src/adapters/org-state.ts): per secret, the latest action a member reported; per account-region, the latest
 * summary and the last heartbeat. Every write is keyed by the verified envelope's account and region (`OrgKey`)
 * and conditional on its order: an item already holding a later (or the same) event is left as it is. Throws a
 * retryable AdapterError when the store cannot answer.
 */
export interface OrgStateStore {
  putAction(key: OrgKey, action: OrgAction, order: OrgOrder): Promise<OrgWrite>;
  putSummary(key: OrgKey, summary: OrgSummary, order: OrgOrder): Promise<OrgWrite>;
  putHeartbeat(key: OrgKey, heartbeat: OrgHeartbeat, order: OrgOrder): Promise<OrgWrite>;
  /** Every account-region, page by page: one item each, never a per-secret item. */
  accountRegions(): AsyncIterable<OrgAccountRegion[]>;
}

/**
 * The Slack app's secrets, read from Secrets Manager once per cold start and cached (Powertools Parameters in
 * AWS: src/adapters/slack-app-secrets.ts). Never logged.
 */
export interface SlackAppSecrets {
  /** The signing secret Slack signs interactivity requests with; throws (AdapterError) when unreadable. */
  signingSecret(): Promise<string>;
  /** The bot token for user-group lookups, when the policy names one. */
  botToken(): Promise<string | undefined>;
}

/** The members of Slack user groups (usergroups.users.list), for routes that name groups rather than people. */
export interface SlackDirectory {
  membersOf(groupId: string): Promise<string[]>;
}

/** Posts the update of an interactive message to the response_url Slack gave with the action. */
export interface SlackResponder {
  respond(responseUrl: string, message: SlackMessage & { replace_original: boolean }): Promise<void>;
}
