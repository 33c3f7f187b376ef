import { isoDate } from "../domain/dates.js";
import { DESTRUCTIVE_ACTIONS, type Decision, type Mode, STAGE_TAG, type Stage } from "../domain/decision.js";
import type { Finding } from "../domain/finding.js";
import { isQuarantined } from "../domain/quarantine.js";
import type { Secret } from "../domain/secret.js";
import { type EvaluationInput, evaluate, readStage } from "../policy/evaluate.js";
import type { Policy } from "../policy/schema.js";
import type { AuditEntry, AuditSink, SecretStore } from "../ports.js";
import type { AccessFailureWindow } from "./access-window.js";
import { type ActionOutcome, executeDecision } from "./execute.js";

export interface ProcessDeps {
  store: SecretStore;
  policy: Policy;
  mode: Mode;
  now: Date;
  exemptPrincipals: string[];
  audit?: AuditSink;
  accessWindow?: AccessFailureWindow;
}

/** What became of one finding: its secret, the decision and what was done, or why nothing was. */
export interface FindingResult {
  finding: Finding;
  secret?: Secret;
  decision?: Decision;
  outcome?: ActionOutcome;
  /** Why there is no decision (secret gone, below the incident threshold, no rule). */
  note?: string;
}

export function auditEntry(result: FindingResult, mode: Mode, now: Date): AuditEntry | undefined {
  const decision = result.outcome?.decision ?? result.decision;
  if (!decision) return undefined;
  const entry: AuditEntry = {
    time: now.toISOString(),
    mode,
    arn: decision.arn,
    name: decision.name,
    finding: decision.finding,
    action: decision.action,
    guard: decision.guard,
    outcome: result.outcome?.outcome ?? "skipped",
  };
  const detail = result.outcome?.detail ?? decision.reason;
  if (detail) entry.detail = detail;
  return entry;
}

/**
 * The event path: each finding (from a Config, CloudTrail or rotation event) against the fresh facts of its
 * secret, decided by the policy and carried out (or, in report mode, planned). Findings are handled in order,
 * each seeing the state the previous ones left. Never throws for one bad finding: failures are in the results.
 */
export async function processFindings(
  findings: readonly Finding[],
  deps: ProcessDeps,
): Promise<FindingResult[]> {
  const results: FindingResult[] = [];
  for (const finding of findings) {
    const result: FindingResult = { finding };
    results.push(result);
    let secret: Secret | undefined;
    try {
      secret = await deps.store.describe(finding.secretId);
    } catch (error) {
      result.outcome = {
        decision: placeholderDecision(finding),
        outcome: "failed",
        detail: (error as Error).message,
        error: error as Error,
      };
      continue;
    }
    if (!secret) {
      result.note = `secret ${finding.secretId} does not exist (deleted before the event was handled): skipped`;
      continue;
    }
    result.secret = secret;
    let { stage } = readStage(secret);
    const isAccess = finding.type === "access-denied" || finding.type === "decryption-failure";
    if (isAccess && stage === "flagged" && !secret.deletedDate) {
      // A quarantine puts the deny statement before its tag: a run cut short in between leaves a flagged secret
      // that our statement already denies. A read denied there is the same proof of use as on a tagged one.
      try {
        if (isQuarantined(await deps.store.getResourcePolicy(secret.arn))) {
          secret = { ...secret, tags: { ...secret.tags, [STAGE_TAG]: "quarantined" } };
          stage = "quarantined";
        }
      } catch (error) {
        result.outcome = {
          decision: placeholderDecision(finding),
          outcome: "failed",
          detail: (error as Error).message,
          error: error as Error,
        };
        continue;
      }
    }
    const governed = stage === "quarantined" || stage === "deletion-scheduled";
    if (isAccess && !governed && deps.accessWindow) {
      const verdict = deps.accessWindow.record(finding, secret.arn);
      if (!verdict.incident) {
        result.note =
          verdict.suppressed > 0
            ? `already reported in this window (${verdict.suppressed} more since)`
            : `${verdict.count} of ${deps.policy.accessFailures.incidentAfter} failures within ${deps.policy.accessFailures.windowMinutes} minutes: not an incident yet`;
        continue;
      }
    }
    const input: EvaluationInput = { secret, finding: finding.type, status: finding.status };
    if (finding.access) input.access = finding.access;
    if (finding.message) input.message = finding.message;
    let decision = evaluate(input, deps.policy, deps.now);
    if (!decision) {
      result.note = `no rule of the policy applies to ${finding.type} on this secret`;
      continue;
    }
    if (finding.type === "rotation-failed" && governed)
      decision = {
        ...decision,
        reason: `caused by the governor's own ${stage === "quarantined" ? "quarantine" : "deletion"}: rotation cannot read the secret (expected, not an alarm)`,
      };
    if (DESTRUCTIVE_ACTIONS.includes(decision.action as never))
      decision = deferToSweep(decision, stage, deps.now);
    result.decision = decision;
    result.outcome = await executeDecision(decision, input, deps);
  }
  if (deps.audit) {
    const entries = results
      .map((r) => auditEntry(r, deps.mode, deps.now))
      .filter((e): e is AuditEntry => e !== undefined);
    if (entries.length > 0) await deps.audit.record(entries);
  }
  return results;
}

/**
 * Escalations (quarantine, schedule-deletion) are never carried out on the event path: events come in bursts
 * (an account-wide Config re-evaluation), from several handler instances at once, and none of them sees the
 * whole account. The daily sweep does see it, so it is the one place that holds the blast-radius limit per run
 * and per day; an event only says that the step is due. Releases, cancelled deletions and flags still happen
 * at once.
 */
export function deferToSweep(decision: Decision, stage: Stage | null, now: Date): Decision {
  const deferred: Decision = {
    ...decision,
    action: "none",
    steps: [],
    stage,
    guard: null,
    reason: `${decision.action} is due (${decision.reason}); the daily sweep carries it out, under the blast-radius limit`,
    next: { action: decision.action as "quarantine" | "schedule-deletion", on: isoDate(now) },
    trace: [
      ...decision.trace,
      `${decision.action} deferred to the sweep: escalations never run on the event path`,
    ],
  };
  return deferred;
}

function placeholderDecision(finding: Finding): Decision {
  return {
    arn: finding.secretId,
    name: finding.secretId,
    finding: finding.type,
    rule: null,
    action: "none",
    steps: [],
    stage: null,
    reason: "the secret could not be described",
    guard: null,
    route: "default",
    trace: [],
  };
}
