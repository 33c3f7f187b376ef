import type { Mode, Plan } from "../domain/decision.js";
import type { Finding } from "../domain/finding.js";
import { isReplicatedPrimary, type Secret } from "../domain/secret.js";
import { planAccount } from "../policy/plan.js";
import type { Policy } from "../policy/schema.js";
import type { AuditEntry, AuditSink, ComplianceSource, SecretStore } from "../ports.js";
import { type ActionOutcome, auditEntryOf, executeDecision, worthReporting } from "./execute.js";
import type { Log } from "./handle-batch.js";
import { recordAudit } from "./process-findings.js";
import {
  publishSweep,
  SECURITY_HUB_FAILED,
  type SecurityHubDeps,
  type SecurityHubSummary,
} from "./security-hub.js";

export interface SweepDeps {
  store: SecretStore;
  /** Config compliance; when absent or unreadable, "unused" is judged from ListSecrets, as the planner does. */
  compliance?: ComplianceSource;
  policy: Policy;
  mode: Mode;
  now: Date;
  exemptPrincipals: string[];
  audit?: AuditSink;
  log?: Log;
  /** Milliseconds left before the function is stopped (Lambda's getRemainingTimeInMillis); unset: no limit. */
  remainingMs?: () => number;
  /** Told how many actions there are before the first, and after each: a long live run shows its progress. */
  onProgress?: (progress: SweepProgress) => void;
  /** Security Hub, when enabled: the run's findings are imported after its actions (never blocking them). */
  securityHub?: SecurityHubDeps;
}

/** How far the sweep is in carrying out its plan: the decisions that act (`action` not `none`). */
export interface SweepProgress {
  done: number;
  total: number;
}

/**
 * The sweep stops acting this long before its time runs out, so that no lifecycle step is cut in half and the
 * audit of the run and its Slack digests (which give up 10 s before the end) still have time to go out.
 */
export const SWEEP_TIME_MARGIN_MS = 120_000;

export interface SweepResult {
  plan: Plan;
  outcomes: ActionOutcome[];
  secrets: Secret[];
  /** Set when Config's compliance data could not be read, with the reason. */
  complianceUnavailable?: string;
  /** Actions left for the next run because the time budget was reached (the run stopped early). */
  leftForNextRun?: number;
  /** What Security Hub took, when enabled. */
  securityHub?: SecurityHubSummary;
}

/**
 * The daily sweep: reads the whole account once (ListSecrets and Config compliance, both paged), describes only
 * replicated primaries (the one fact a page does not carry: their replicas' last access), plans under the
 * blast-radius limit and carries the plan out. What events missed, the sweep catches.
 */
export async function runSweep(deps: SweepDeps): Promise<SweepResult> {
  const secrets: Secret[] = [];
  for await (const page of deps.store.list()) secrets.push(...page);

  let complianceUnavailable: string | undefined;
  let compliance: Finding[] | undefined;
  if (deps.compliance) {
    try {
      compliance = [];
      for await (const page of deps.compliance.findings(deps.now)) compliance.push(...page);
    } catch (error) {
      compliance = undefined;
      complianceUnavailable = `Config compliance could not be read (${(error as Error).message}); unused is judged from ListSecrets`;
    }
  } else {
    complianceUnavailable = "no Config compliance source; unused is judged from ListSecrets";
  }

  for (const [i, secret] of secrets.entries()) {
    if (isReplicatedPrimary(secret) && secret.replicas === undefined && !secret.deletedDate) {
      const described = await deps.store.describe(secret.arn);
      if (described) secrets[i] = described;
    }
  }

  const plan = planAccount(secrets, deps.policy, deps.now, {
    mode: deps.mode,
    ...(compliance ? { compliance } : {}),
  });
  const byArn = new Map(secrets.map((s) => [s.arn, s]));
  // Config's verdict per finding type and secret id (ARN or name), looked up once per decision.
  const verdicts = new Map<string, Finding>();
  for (const f of compliance ?? []) verdicts.set(`${f.type} ${f.secretId}`, f);
  const outcomes: ActionOutcome[] = [];
  let outOfTime = 0;
  const progress = { done: 0, total: plan.decisions.filter((d) => d.action !== "none").length };
  deps.onProgress?.({ ...progress });
  const acted = () => {
    progress.done++;
    deps.onProgress?.({ ...progress });
  };
  for (const decision of plan.decisions) {
    const secret = byArn.get(decision.arn) as Secret;
    const configFinding =
      verdicts.get(`${decision.finding} ${secret.arn}`) ?? verdicts.get(`${decision.finding} ${secret.name}`);
    const input = {
      secret,
      finding: decision.finding,
      ...(configFinding ? { status: configFinding.status, observedAt: configFinding.observedAt } : {}),
    };
    if (decision.action !== "none" && deps.remainingMs && deps.remainingMs() < SWEEP_TIME_MARGIN_MS) {
      // Out of time: stop before the function is cut off mid-step; the next run takes these up first thing.
      outOfTime++;
      outcomes.push({
        decision: { ...decision, action: "none", steps: [] },
        outcome: "skipped",
        detail: `time budget reached: ${decision.action} is left for the next run`,
        secret,
      });
      acted();
      continue;
    }
    const outcome = await executeDecision(decision, input, deps);
    outcomes.push(outcome);
    if (decision.action !== "none") acted();
    if (deps.log && worthReporting(outcome.decision, outcome.outcome))
      deps.log.info("decision", {
        secret: outcome.decision.arn,
        finding: outcome.decision.finding,
        action: outcome.decision.action,
        guard: outcome.decision.guard,
        outcome: outcome.outcome,
        reason: outcome.detail ?? outcome.decision.reason,
        mode: deps.mode,
      });
  }
  if (outOfTime > 0)
    deps.log?.warn("sweep time budget reached", { leftForNextRun: outOfTime, sweepOutOfTime: outOfTime });
  if (deps.audit) {
    // Actions taken, planned, withheld or failed: not the decisions that had nothing to do yet.
    const entries: AuditEntry[] = outcomes
      .filter((o) => worthReporting(o.decision, o.outcome))
      .map((o) => auditEntryOf(o.decision, o.outcome, o.detail, deps.mode, deps.now));
    await recordAudit(deps.audit, entries, deps.log);
  }
  // Out of time (the actions took it): the digests come first; the next sweep imports today's findings too.
  const hubOutOfTime = deps.remainingMs !== undefined && deps.remainingMs() < SWEEP_TIME_MARGIN_MS / 2;
  if (deps.securityHub && hubOutOfTime)
    deps.log?.error(SECURITY_HUB_FAILED, {
      securityHubFailed: 1,
      step: "skipped: the sweep's time budget is spent",
    });
  const securityHub =
    deps.securityHub && !hubOutOfTime
      ? await publishSweep(
          {
            decisions: outcomes.map((o) => o.decision),
            secrets,
            policy: deps.policy,
            now: deps.now,
            mode: deps.mode,
          },
          deps.securityHub,
        )
      : undefined;
  return {
    plan,
    outcomes,
    secrets,
    ...(complianceUnavailable ? { complianceUnavailable } : {}),
    ...(outOfTime > 0 ? { leftForNextRun: outOfTime } : {}),
    ...(securityHub ? { securityHub } : {}),
  };
}
