import * as z from "zod";

/**
 * The contract between a member account's governor and the organization plane (the central stack under org/).
 * A member governor puts these on its own audit bus; when the stack parameter OrgBusArn is set, an EventBridge
 * rule forwards every event whose source is the governor's to the central bus. The central aggregator accepts
 * nothing else: each event is checked against these schemas and against its envelope (account, region, source)
 * before it may change a row of the central table.
 *
 * Three kinds, told apart by detail-type:
 * - "Secrets Governor Action": the audit entry of one action taken or withheld (src/domain/audit.ts), one per
 *   secret and action; `resources` is `[arn]`.
 * - "Secrets Governor Summary": one per account and region after each sweep; the figures of that sweep's plan.
 * - "Secrets Governor Heartbeat": one per account and region after each sweep, even one that failed half-way;
 *   an account-region whose last heartbeat is older than two of its sweep intervals has gone silent.
 *
 * Sample summary event, as it arrives on the central bus:
 * {
 *   "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "Secrets Governor Summary",
 *   "source": "secrets-governor", "account": "111122223333", "time": "2026-11-23T06:02:11Z",
 *   "region": "eu-west-1", "resources": [],
 *   "detail": {
 *     "schema": 1, "accountId": "111122223333", "region": "eu-west-1", "mode": "report",
 *     "sweptAt": "2026-11-23T06:02:10.512Z", "secrets": 120, "unused": 14,
 *     "monthlyCostUsd": 48, "unusedMonthlyCostUsd": 5.6,
 *     "realisedMonthlySavingsUsd": 0.8, "projectedMonthlySavingsUsd": 5.6,
 *     "byStage": { "flagged": 9, "quarantined": 3, "deletion-scheduled": 2 },
 *     "byTeam": [{ "team": "payments", "secrets": 40, "unused": 5, "unusedMonthlyCostUsd": 2 }],
 *     "deletionsDue": [{ "arn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:old-AbCdEf",
 *       "name": "old", "team": "payments", "on": "2026-11-27T06:02:10.512Z" }],
 *     "deletionsDueTotal": 1
 *   }
 * }
 */

export const ORG_EVENT_SOURCE = "secrets-governor";
export const ORG_ACTION_DETAIL_TYPE = "Secrets Governor Action";
export const ORG_SUMMARY_DETAIL_TYPE = "Secrets Governor Summary";
export const ORG_HEARTBEAT_DETAIL_TYPE = "Secrets Governor Heartbeat";
export const ORG_DETAIL_TYPES = [
  ORG_ACTION_DETAIL_TYPE,
  ORG_SUMMARY_DETAIL_TYPE,
  ORG_HEARTBEAT_DETAIL_TYPE,
] as const;

/** The version of the summary and heartbeat details; the aggregator refuses any other. */
export const ORG_SCHEMA_VERSION = 1;
/** A summary names at most this many deletions due (the soonest first); `deletionsDueTotal` counts them all. */
export const MAX_DELETIONS_DUE = 100;
/** A summary names at most this many teams (the costliest first); the rest are summed under "(other teams)". */
export const MAX_TEAMS = 100;
export const OTHER_TEAMS = "(other teams)";
/** Deletions due within this many days of the sweep are listed. */
export const DELETIONS_DUE_DAYS = 7;
/** The team of a secret that has no owner tag. */
export const NO_TEAM = "(no team)";

const accountId = z.string().regex(/^\d{12}$/, "an AWS account id is 12 digits");
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "not an AWS region name");
const isoTime = z.iso.datetime({ offset: true });
const usd = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();
const text = (max: number) => z.string().min(1).max(max);
export const SECRET_ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:[\w/+=.@-]+$/;
const secretArn = z.string().max(2048).regex(SECRET_ARN_PATTERN, "not a Secrets Manager secret ARN");

export const teamSummarySchema = z.strictObject({
  team: text(256),
  secrets: count,
  unused: count,
  unusedMonthlyCostUsd: usd,
});

export const deletionDueSchema = z.strictObject({
  arn: secretArn,
  name: text(512),
  team: text(256),
  /**
   * When the deletion is due: the secret's DeletedDate (the API's "date the secret is scheduled for deletion", the
   * end of its recovery window), or the day the plan schedules it.
   */
  on: isoTime,
});

export const orgSummarySchema = z.strictObject({
  schema: z.literal(ORG_SCHEMA_VERSION),
  accountId,
  region,
  mode: z.enum(["report", "enforce"]),
  sweptAt: isoTime,
  secrets: count,
  unused: count,
  monthlyCostUsd: usd,
  unusedMonthlyCostUsd: usd,
  realisedMonthlySavingsUsd: usd,
  projectedMonthlySavingsUsd: usd,
  byStage: z.strictObject({ flagged: count, quarantined: count, "deletion-scheduled": count }),
  byTeam: z.array(teamSummarySchema).max(MAX_TEAMS + 1),
  deletionsDue: z.array(deletionDueSchema).max(MAX_DELETIONS_DUE),
  deletionsDueTotal: count,
});
export type OrgSummary = z.infer<typeof orgSummarySchema>;
export type TeamSummary = z.infer<typeof teamSummarySchema>;
export type DeletionDue = z.infer<typeof deletionDueSchema>;

export const orgHeartbeatSchema = z.strictObject({
  schema: z.literal(ORG_SCHEMA_VERSION),
  accountId,
  region,
  mode: z.enum(["report", "enforce"]),
  time: isoTime,
  /** How often this governor sweeps, in minutes (from its SweepSchedule); silence is judged against it. */
  sweepIntervalMinutes: z.number().int().min(1).max(10_080),
  /** Whether the sweep this heartbeat follows ran to the end. */
  sweepCompleted: z.boolean(),
});
export type OrgHeartbeat = z.infer<typeof orgHeartbeatSchema>;

/** The audit entry as it travels (src/domain/audit.ts), checked field by field. */
export const orgActionSchema = z.strictObject({
  time: isoTime,
  mode: z.enum(["report", "enforce"]),
  arn: secretArn,
  name: text(512),
  finding: text(128),
  action: text(64),
  guard: z.string().max(64).nullable(),
  outcome: z.enum(["done", "planned", "withheld", "skipped", "failed", "refused"]),
  detail: z.string().max(4096).optional(),
});
export type OrgAction = z.infer<typeof orgActionSchema>;

/** The EventBridge envelope the central rule delivers through SQS (the fields the aggregator relies on). */
export const orgEnvelopeSchema = z.object({
  version: z.literal("0"),
  id: z.string().min(1).max(128),
  "detail-type": z.enum(ORG_DETAIL_TYPES),
  source: z.literal(ORG_EVENT_SOURCE),
  account: accountId,
  time: isoTime,
  region,
  resources: z.array(z.string().max(2048)).max(10),
  detail: z.unknown(),
});
export type OrgEnvelope = z.infer<typeof orgEnvelopeSchema>;

/** The account and region a secret ARN names, or undefined when it is not one. */
export function arnAccountRegion(arn: string): { accountId: string; region: string } | undefined {
  const match = SECRET_ARN_PATTERN.exec(arn);
  if (!match?.[1] || !match[2]) return undefined;
  return { region: match[1], accountId: match[2] };
}
