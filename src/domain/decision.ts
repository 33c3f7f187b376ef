import type { FindingType } from "./finding.js";

/** The actions a policy can take, and the way back from each. */
export const ACTION_KINDS = [
  "notify",
  "tag",
  "untag",
  "quarantine",
  "release",
  "schedule-deletion",
  "cancel-deletion",
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** Actions that take something away from the secret's readers; they count against the blast-radius limit. */
export const DESTRUCTIVE_ACTIONS: readonly ActionKind[] = ["quarantine", "schedule-deletion"];

/** Guards that no policy can switch off. Each is reported by name when it withholds an action. */
export const GUARDS = [
  "exempt",
  "owning-service",
  "replica",
  "recently-accessed",
  "already-deleted",
  "limit-reached",
  "replicas-unknown",
] as const;
export type Guard = (typeof GUARDS)[number];

/** Lifecycle stages of an unused secret, kept on the secret as the `governor:stage` tag. */
export const STAGES = ["flagged", "quarantined", "deletion-scheduled"] as const;
export type Stage = (typeof STAGES)[number];

export const TAG_PREFIX = "governor:";
export const STAGE_TAG = "governor:stage";
export const STAGE_SINCE_TAG = "governor:stage-since";
/**
 * The rule whose plain actions put a secret in its stage (a quarantine for not-using-cmk, say); absent when the
 * unused lifecycle did. Each leaves the other's stages alone, so two rules never undo each other.
 */
export const STAGE_RULE_TAG = "governor:stage-rule";
/**
 * Proof of use the governor recorded itself (an ISO date): a read denied by its own quarantine. AWS does not move
 * LastAccessedDate for a denied read, so without it the next sweep would judge the secret unused all over again.
 */
export const USED_ON_TAG = "governor:used-on";

export type Mode = "report" | "enforce";

/** The built-in rule of denied reads of a secret that does not exist (someone probing for names). */
export const UNKNOWN_SECRET_RULE = "unknown-secret";

/** One concrete step of a decision, in the order it must run. */
export type Step =
  | { kind: "notify"; route: string }
  | { kind: "tag"; tags: Record<string, string> }
  | { kind: "untag"; keys: string[] }
  | { kind: "quarantine" }
  | { kind: "release" }
  | { kind: "schedule-deletion"; recoveryWindowDays: number }
  | { kind: "cancel-deletion" };

export interface Decision {
  arn: string;
  name: string;
  finding: FindingType;
  /** The policy rule that decided, or null when none applied. */
  rule: string | null;
  /** The most significant action, or `none` when nothing is to be done or a guard withheld it. */
  action: ActionKind | "none";
  /** Everything to do, in order (empty when `action` is none). */
  steps: Step[];
  /** The lifecycle stage the secret is in after this decision (null outside the lifecycle). */
  stage: Stage | null;
  reason: string;
  /** The guard that withheld an action, if any. */
  guard: Guard | null;
  /** The Slack route this decision is reported to. */
  route: string;
  /** What comes next in the lifecycle, and from when. */
  next?: { action: ActionKind; on: string };
  /** Which rule, stage and guard led here, step by step. */
  trace: string[];
}

export interface CostSummary {
  secrets: number;
  unused: number;
  monthlyCostUsd: number;
  unusedMonthlyCostUsd: number;
  /** What secrets the governor scheduled for deletion no longer cost (nothing is billed while pending). */
  realisedMonthlySavingsUsd: number;
  /** What the policy saves once the deletions it is heading for complete. */
  projectedMonthlySavingsUsd: number;
}

/**
 * What one secret adds to the CostSummary: the summary is the sum of these (in cents), so a breakdown by team or
 * stage made from them adds up to the summary's figures exactly.
 */
export interface SecretCost {
  arn: string;
  /** Billed a month now: $0.40 per secret and per replica, nothing while deletion is pending. */
  monthlyCostUsd: number;
  /** Counted in `unused` and `unusedMonthlyCostUsd`. */
  unused: boolean;
  /** Counted in `projectedMonthlySavingsUsd`: on its way to deletion. */
  projected: boolean;
  /** Counted in `realisedMonthlySavingsUsd`: what it cost before the governor scheduled its deletion. */
  realisedUsd: number;
}

export interface LimitReport {
  /** Destructive actions allowed this run (the smaller of the per-run and remaining per-day budgets). */
  allowed: number;
  planned: number;
  withheld: number;
}

export interface Plan {
  mode: Mode;
  now: Date;
  decisions: Decision[];
  summary: CostSummary;
  /** One per secret of the inventory, in its order: what the summary is made of. */
  costs: SecretCost[];
  limit: LimitReport;
}

/** Price list (us-east-1, 2026): per secret-month, replicas billed as secrets, nothing while pending deletion. */
export const PRICE_PER_SECRET_MONTH_USD = 0.4;
export const PRICE_PER_10K_API_CALLS_USD = 0.05;

/** Whole cents: sums of them are exact, where sums of dollar floats drift. */
export function cents(usd: number): number {
  return Math.round(usd * 100);
}

/** Dollars rounded to the cent. */
export function roundUsd(usd: number): number {
  return cents(usd) / 100;
}
