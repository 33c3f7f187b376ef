import { isoDate } from "../domain/dates.js";
import {
  type CostSummary,
  cents,
  DESTRUCTIVE_ACTIONS,
  type Decision,
  type Guard,
  type LimitReport,
  type Mode,
  type Plan,
  PRICE_PER_SECRET_MONTH_USD,
  type SecretCost,
} from "../domain/decision.js";
import type { Finding, FindingType } from "../domain/finding.js";
import { isReplicatedPrimary, type Secret, secretMatchesId } from "../domain/secret.js";
import { type EvaluationInput, evaluate, readStage } from "./evaluate.js";
import { isRotationOverdue, isUnused, usesDefaultKey } from "./facts.js";
import { firstMatchingRule } from "./match.js";
import { DEFAULT_UNUSED_FOR_DAYS, type Policy } from "./schema.js";

/** Finds secrets by the ids AWS uses for them: ARN, name, or ARN without its random suffix. */
export class SecretIndex {
  private readonly byArn = new Map<string, Secret>();
  private readonly byName = new Map<string, Secret>();

  constructor(readonly secrets: readonly Secret[]) {
    for (const secret of secrets) {
      this.byArn.set(secret.arn, secret);
      this.byName.set(secret.name, secret);
    }
  }

  find(secretId: string): Secret | undefined {
    const direct = this.byArn.get(secretId) ?? this.byName.get(secretId);
    if (direct) return direct;
    if (secretId.startsWith("arn:")) {
      const name = secretId.split(":secret:")[1];
      if (!name) return undefined;
      // Either a full ARN of a secret not indexed by ARN, or a partial ARN whose name happens to end in
      // "-" and six characters ("db/app-backup"): try both names.
      for (const candidate of [this.byName.get(name.replace(/-[A-Za-z0-9]{6}$/, "")), this.byName.get(name)])
        if (candidate && secretMatchesId(candidate, secretId)) return candidate;
    }
    return undefined;
  }
}

/** Monthly cost of a secret: each replica is billed as a secret; nothing while deletion is pending. */
export function monthlyCost(secret: Secret): number {
  if (secret.deletedDate) return 0;
  return PRICE_PER_SECRET_MONTH_USD * (1 + (secret.replicas?.length ?? 0));
}

/** Findings the inventory alone shows, for the finding types the policy has rules on. */
function derivedStatus(
  type: FindingType,
  secret: Secret,
  now: Date,
): "open" | "resolved" | "judge" | undefined {
  switch (type) {
    case "unused":
      return "judge";
    case "rotation-disabled":
      return secret.rotationEnabled ? undefined : "open";
    case "rotation-overdue":
      return isRotationOverdue(secret, now) ? "open" : undefined;
    case "not-using-cmk":
      return usesDefaultKey(secret) ? "open" : undefined;
    default:
      // rotation-failed, access-denied, decryption-failure come only from Config or events.
      return undefined;
  }
}

export interface PlanOptions {
  mode: Mode;
  /** Findings from Config (get-compliance-details-by-config-rule) that override the planner's own judgement. */
  compliance?: readonly Finding[];
}

function capOf(limit: { count?: number; percent?: number }, total: number): number {
  const byCount = limit.count ?? Number.POSITIVE_INFINITY;
  const byShare =
    // The epsilon keeps floating-point error from rounding up a whole share (375 * 8.8% is 33, not 34).
    limit.percent !== undefined ? Math.ceil((total * limit.percent) / 100 - 1e-9) : Number.POSITIVE_INFINITY;
  return Math.min(byCount, byShare);
}

/** Destructive actions the governor already took today, read from the lifecycle tags (no state elsewhere). */
export function destructiveActionsToday(secrets: Iterable<Secret>, now: Date): number {
  const today = isoDate(now);
  let count = 0;
  for (const secret of secrets) {
    const { stage, since } = readStage(secret);
    if ((stage === "quarantined" || stage === "deletion-scheduled") && since && isoDate(since) === today)
      count++;
  }
  return count;
}

/**
 * Applies the blast-radius limit to a list of decisions: destructive ones beyond the budget are withheld with
 * guard `limit-reached`, the longest-waiting first to go through.
 */
export function applyLimit(
  decisions: Decision[],
  secretsByArn: Map<string, Secret>,
  policy: Policy,
  totalSecrets: number,
  doneToday: number,
  now: Date,
): LimitReport {
  const perRun = capOf(policy.limits.perRun, totalSecrets);
  const perDay = capOf(policy.limits.perDay, totalSecrets);
  const allowed = Math.max(0, Math.min(perRun, perDay - doneToday));
  // A step whose stage tag was already written today is counted in doneToday: completing it (a run was cut short
  // between its tag and its call) takes nothing more from the budget.
  const today = isoDate(now);
  const completing = (d: Decision) => {
    const { stage, since } = readStage(secretsByArn.get(d.arn) as Secret);
    return stage !== null && stage === d.stage && since !== undefined && isoDate(since) === today;
  };
  const destructive = decisions
    .map((decision, index) => ({ decision, index }))
    .filter(
      ({ decision }) => DESTRUCTIVE_ACTIONS.includes(decision.action as never) && !completing(decision),
    );
  const since = (d: Decision) => readStage(secretsByArn.get(d.arn) as Secret).since?.getTime() ?? 0;
  destructive.sort(
    (a, b) => since(a.decision) - since(b.decision) || a.decision.name.localeCompare(b.decision.name),
  );
  const budget = Number.isFinite(allowed) ? allowed : destructive.length;
  for (const { decision, index } of destructive.slice(budget)) {
    const secret = secretsByArn.get(decision.arn) as Secret;
    const which =
      perRun <= perDay - doneToday ? `${perRun} per run` : `${perDay} per day (${doneToday} done today)`;
    const reason = `blast-radius limit of ${which} reached: ${decision.action} waits for the next run`;
    const guard: Guard = "limit-reached";
    decisions[index] = {
      ...decision,
      action: "none",
      steps: [],
      stage: readStage(secret).stage,
      guard,
      reason,
      trace: [...decision.trace, `guard limit-reached: ${reason}`],
    };
    delete decisions[index]?.next;
  }
  return { allowed: budget, planned: destructive.length, withheld: Math.max(0, destructive.length - budget) };
}

/**
 * Plans a whole account: every secret against every finding type the policy has rules on, then the
 * blast-radius limit, then the cost summary. Pure.
 */
export function planAccount(
  secrets: readonly Secret[],
  policy: Policy,
  now: Date,
  options: PlanOptions,
): Plan {
  const types = new Set<FindingType>();
  for (const rule of policy.rules) for (const t of [rule.match.finding].flat()) types.add(t);

  // Only Config findings need looking up by id; a plan without them skips building the index.
  const index = options.compliance?.length ? new SecretIndex(secrets) : undefined;
  const config = new Map<string, Map<FindingType, Finding>>();
  for (const finding of options.compliance ?? []) {
    const secret = index?.find(finding.secretId);
    if (!secret) continue;
    let byType = config.get(secret.arn);
    if (!byType) {
      byType = new Map();
      config.set(secret.arn, byType);
    }
    byType.set(finding.type, finding);
  }

  const decisions: Decision[] = [];
  const costs: SecretCost[] = [];
  const unusedRuleThreshold = (secret: Secret) =>
    firstMatchingRule(policy.rules, secret, "unused", now)?.unusedForDays ?? DEFAULT_UNUSED_FOR_DAYS;

  for (const secret of secrets) {
    const cost = monthlyCost(secret);
    const fromConfig = config.get(secret.arn);
    let unusedDecision: Decision | undefined;
    for (const type of types) {
      const configFinding = fromConfig?.get(type);
      const derived = configFinding ? configFinding.status : derivedStatus(type, secret, now);
      if (derived === undefined) continue;
      const input: EvaluationInput = { secret, finding: type };
      if (derived !== "judge") input.status = derived;
      const decision = evaluate(input, policy, now);
      if (!decision) continue;
      decisions.push(decision);
      if (type === "unused") unusedDecision = decision;
    }
    // Unused as the decision treats it: Config's open finding counts unless the facts show a read within the
    // threshold (guard recently-accessed, or the way back), as the engine judges it.
    const configUnused = fromConfig?.get("unused")?.status;
    const judged = configUnused === "resolved" ? false : isUnused(secret, now, unusedRuleThreshold(secret));
    const unused =
      !secret.deletedDate &&
      unusedDecision?.guard !== "recently-accessed" &&
      (configUnused === "open" ? judged !== false : judged === true);
    const realisedUsd =
      secret.deletedDate && readStage(secret).stage === "deletion-scheduled"
        ? PRICE_PER_SECRET_MONTH_USD * (1 + (secret.replicas?.length ?? 0))
        : 0;
    const rule = unusedDecision?.rule ? policy.rules.find((r) => r.name === unusedDecision?.rule) : undefined;
    const permanent = new Set(["exempt", "owning-service", "replica", "replicas-unknown", "already-deleted"]);
    // A primary with replicas is never scheduled for deletion (guard replica), whatever its stage now.
    const neverDeleted = isReplicatedPrimary(secret) && (secret.replicas?.length ?? 0) > 0;
    // A rule heads for deletion with a lifecycle's deletion stage, or with a plain schedule-deletion action.
    const deletes =
      rule?.lifecycle?.scheduleDeletion !== undefined ||
      (rule?.actions ?? []).some(
        (a) => a === "schedule-deletion" || (typeof a === "object" && "schedule-deletion" in a),
      );
    const projected =
      unused && deletes && !!unusedDecision && !permanent.has(unusedDecision.guard ?? "") && !neverDeleted;
    // To the cent, as the JSON shows them: 0.4 * 3 is 1.2000000000000002 in floating point.
    costs.push({
      arn: secret.arn,
      monthlyCostUsd: cents(cost) / 100,
      unused,
      projected,
      realisedUsd: cents(realisedUsd) / 100,
    });
  }

  const destructiveArns = new Set(
    decisions.filter((d) => DESTRUCTIVE_ACTIONS.includes(d.action as never)).map((d) => d.arn),
  );
  const byArn = new Map(secrets.filter((s) => destructiveArns.has(s.arn)).map((s) => [s.arn, s]));
  const limit = applyLimit(
    decisions,
    byArn,
    policy,
    secrets.length,
    destructiveActionsToday(secrets, now),
    now,
  );
  return { mode: options.mode, now, decisions, summary: summariseCosts(costs), costs, limit };
}

/** The CostSummary of some secrets' costs: also what a breakdown by team or stage adds up to. */
export function summariseCosts(costs: readonly SecretCost[]): CostSummary {
  const sum = (pick: (c: SecretCost) => number) =>
    costs.reduce((total, c) => total + cents(pick(c)), 0) / 100;
  return {
    secrets: costs.length,
    unused: costs.filter((c) => c.unused).length,
    monthlyCostUsd: sum((c) => c.monthlyCostUsd),
    unusedMonthlyCostUsd: sum((c) => (c.unused ? c.monthlyCostUsd : 0)),
    realisedMonthlySavingsUsd: sum((c) => c.realisedUsd),
    projectedMonthlySavingsUsd: sum((c) => (c.projected ? c.monthlyCostUsd : 0)),
  };
}
