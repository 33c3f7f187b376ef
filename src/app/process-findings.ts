import { isoDate } from "../domain/dates.js";
import {
  DESTRUCTIVE_ACTIONS,
  type Decision,
  type Mode,
  STAGE_RULE_TAG,
  STAGE_TAG,
  type Stage,
  UNKNOWN_SECRET_RULE,
} from "../domain/decision.js";
import type { Finding } from "../domain/finding.js";
import { isPrincipalOfRole } from "../domain/principal.js";
import { judgeDenial } from "../domain/proof-of-use.js";
import { isQuarantined } from "../domain/quarantine.js";
import type { Secret } from "../domain/secret.js";
import { AuditDeliveryError } from "../errors.js";
import { type EvaluationInput, evaluate, readStage, routeFor } from "../policy/evaluate.js";
import type { Policy } from "../policy/schema.js";
import type { AccessFailureCounter, AuditEntry, AuditSink, SecretStore, WindowVerdict } from "../ports.js";
import { type ActionOutcome, auditEntryOf, executeDecision } from "./execute.js";
import { publishEvents, type SecurityHubDeps } from "./security-hub.js";

/** The log the use cases write to (Powertools Logger in Lambda, a console one locally). */
export interface Log {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface ProcessDeps {
  store: SecretStore;
  policy: Policy;
  mode: Mode;
  now: Date;
  exemptPrincipals: string[];
  audit?: AuditSink;
  /**
   * Access failures per secret and principal in the policy's window, shared by every instance (DynamoDB in AWS).
   * Without one (one-off calls), each failure stands alone.
   */
  accessCounter?: AccessFailureCounter;
  /**
   * The governor's own role ARNs. An access failure of one of them (the role itself or any of its sessions) is
   * the governor's own call being refused: reported as such, never an incident nor proof of use.
   */
  selfPrincipals?: string[];
  /** Where an audit that could not be delivered is written whole (see recordAudit). */
  log?: Log;
  /** Security Hub, when enabled: rotation failures and access-failure incidents become findings. */
  securityHub?: SecurityHubDeps;
}

/** What became of one finding: its secret, the decision and what was done, or why nothing was. */
export interface FindingResult {
  finding: Finding;
  secret?: Secret;
  decision?: Decision;
  outcome?: ActionOutcome;
  /** Why there is no decision (secret gone, below the incident threshold, no rule). */
  note?: string;
  /** For an access failure: what it was counted by in the window, and the sessions seen there. */
  accessFailures?: { principal: string; count: number; sessions: string[] };
}

/** The built-in rule that names an access failure of the governor's own role. */
export const OWN_CALL_REFUSED_RULE = "own-call-refused";

/** The log message when the state store cannot answer; its field `stateStoreUnavailable` feeds a metric. */
export const STATE_STORE_UNAVAILABLE = "state store unavailable";

/** The log message of an audit that could not be delivered; its field `auditDeliveryFailed` counts the entries. */
export const AUDIT_DELIVERY_FAILED = "audit delivery failed";

/**
 * Records audit entries and never throws: the actions they describe are done, and a failed PutEvents must not
 * keep the caller from logging its decisions and warning the owners (a redelivered event would find the action
 * already done and warn no one). What was not delivered is logged whole, as JSON, with the marker field
 * `auditDeliveryFailed` (the number of entries), so nothing is lost and a metric filter can count it. Returns
 * whether every entry was delivered. The sweep calls it the same way.
 */
export async function recordAudit(
  audit: AuditSink | undefined,
  entries: AuditEntry[],
  log?: Log,
): Promise<boolean> {
  if (!audit || entries.length === 0) return true;
  try {
    await audit.record(entries);
    return true;
  } catch (error) {
    const undelivered = error instanceof AuditDeliveryError ? error.entries : entries;
    const line = {
      auditDeliveryFailed: undelivered.length,
      error: (error as Error).message,
      entries: undelivered,
    };
    if (log) log.error(AUDIT_DELIVERY_FAILED, line);
    // No log given (the CLI): stderr still keeps them.
    else console.error(JSON.stringify({ message: AUDIT_DELIVERY_FAILED, ...line }));
    return false;
  }
}

function isOwnCall(finding: Finding, selfPrincipals: readonly string[] | undefined): boolean {
  const principal = finding.access?.principalArn;
  return principal !== undefined && (selfPrincipals ?? []).some((role) => isPrincipalOfRole(role, principal));
}

/** An access failure of the governor's own role: what was refused, and that it is not an incident. */
function ownCallRefused(finding: Finding, secret: Secret, policy: Policy): Decision {
  const access = finding.access;
  const api = access?.api ?? "call";
  const reason = `the governor's own ${api} call was refused (${access?.errorCode ?? "error"}) for ${access?.principalArn ?? "its role"}: not an incident, and not proof of use; check the governor's role and the secret's resource policy`;
  return {
    arn: secret.arn,
    name: secret.name,
    finding: finding.type,
    rule: OWN_CALL_REFUSED_RULE,
    action: "none",
    steps: [],
    stage: readStage(secret).stage,
    reason,
    guard: null,
    route: routeFor(policy, secret),
    trace: [
      `built-in ${OWN_CALL_REFUSED_RULE}: the principal is the governor's own role`,
      `=> none: ${reason}`,
    ],
  };
}

/** An incident of denied reads of a secret that does not exist: a notice to the default route, nothing else. */
function unknownSecretIncident(finding: Finding, policy: Policy, count: number, principal: string): Decision {
  const access = finding.access;
  const reason = `${plural(count, "denied call")} (${access?.api ?? "read"}, ${access?.errorCode ?? "error"}) by ${principal} for a secret that does not exist in this account and region: someone may be probing for secret names`;
  const route = policy.routing.default;
  return {
    arn: finding.secretId,
    name: finding.secretId,
    finding: finding.type,
    rule: UNKNOWN_SECRET_RULE,
    action: "notify",
    steps: [{ kind: "notify", route }],
    stage: null,
    reason,
    guard: null,
    route,
    trace: [`built-in ${UNKNOWN_SECRET_RULE}: no secret ${finding.secretId}`, `=> notify: ${reason}`],
  };
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

export function auditEntry(result: FindingResult, mode: Mode, now: Date): AuditEntry | undefined {
  const decision = result.outcome?.decision ?? result.decision;
  if (!decision) return undefined;
  const outcome = result.outcome?.outcome ?? "skipped";
  return auditEntryOf(decision, outcome, result.outcome?.detail ?? decision.reason, mode, now);
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
      result.outcome = failedOutcome(finding, error);
      continue;
    }
    if (!secret) {
      const isAccessFailure = finding.type === "access-denied" || finding.type === "decryption-failure";
      if (isAccessFailure && deps.accessCounter && !isOwnCall(finding, deps.selfPrincipals)) {
        // Denied reads of a name no secret has: someone may be probing for secret names. Counted like any
        // access failure, and reported to the default route when they make an incident.
        let verdict: WindowVerdict;
        try {
          verdict = await deps.accessCounter.record(finding, finding.secretId);
        } catch (error) {
          // Not counted, so not decided: the record fails and its retry counts it.
          logStoreUnavailable(deps.log, finding.secretId, "count access failure", error);
          result.outcome = failedOutcome(finding, error, COUNT_FAILED);
          continue;
        }
        if (verdict.incident) {
          const decision = unknownSecretIncident(finding, deps.policy, verdict.count, verdict.principal);
          result.decision = decision;
          result.outcome = { decision, outcome: deps.mode === "report" ? "planned" : "done" };
          continue;
        }
      }
      result.note = `secret ${finding.secretId} does not exist (deleted before the event was handled): skipped`;
      continue;
    }
    result.secret = secret;
    let { stage } = readStage(secret);
    const isAccess = finding.type === "access-denied" || finding.type === "decryption-failure";
    if (isAccess && isOwnCall(finding, deps.selfPrincipals)) {
      // Before the window and the quarantine feedback: the governor's own refused call proves no use by anyone.
      const decision = ownCallRefused(finding, secret, deps.policy);
      result.decision = decision;
      result.outcome = { decision, outcome: "skipped", detail: decision.reason, secret };
      continue;
    }
    let resourcePolicy: string | undefined;
    let policyRead = false;
    if (isAccess && stage === "flagged" && !secret.deletedDate) {
      // A quarantine puts the deny statement before its tag: a run cut short in between leaves a flagged secret
      // that our statement already denies. A read denied there is judged as on a tagged one.
      try {
        resourcePolicy = await deps.store.getResourcePolicy(secret.arn);
        policyRead = true;
        if (isQuarantined(resourcePolicy)) {
          secret = { ...secret, tags: { ...secret.tags, [STAGE_TAG]: "quarantined" } };
          stage = "quarantined";
        }
      } catch (error) {
        result.outcome = failedOutcome(finding, error);
        continue;
      }
    }
    const governed = stage === "quarantined" || stage === "deletion-scheduled";
    // A denied read of a secret the lifecycle quarantined may prove use (judged below); one a rule quarantined for
    // another finding is an access failure like any other.
    const byLifecycle = governed && !Object.hasOwn(secret.tags, STAGE_RULE_TAG);
    let denial: EvaluationInput["denial"];
    let threshold = deps.policy.accessFailures.incidentAfter;
    if (isAccess && byLifecycle) {
      const deletionScheduled = stage === "deletion-scheduled" && secret.deletedDate !== undefined;
      try {
        // AWS refuses GetResourcePolicy on a secret scheduled for deletion (proof-of-use.ts says what that means).
        if (!policyRead && !deletionScheduled)
          resourcePolicy = await deps.store.getResourcePolicy(secret.arn);
      } catch (error) {
        result.outcome = failedOutcome(finding, error);
        continue;
      }
      denial = judgeDenial({
        secretArn: secret.arn,
        access: finding.access ?? { api: "unknown" },
        resourcePolicy,
        deletionScheduled,
      });
      // Proof takes the policy's releaseAfter denials in the window; a probe is reported as an incident is.
      if (denial.proof) threshold = deps.policy.accessFailures.releaseAfter;
    }
    let incident: string | undefined;
    // Without a counter (one-off calls), a denied read of a quarantined secret counts once.
    if (isAccess && (deps.accessCounter || denial)) {
      let verdict: WindowVerdict = {
        incident: threshold <= 1,
        count: 1,
        suppressed: 0,
        principal: finding.access?.principalArn ?? "unknown",
        sessions: [],
      };
      try {
        if (deps.accessCounter) verdict = await deps.accessCounter.record(finding, secret.arn, threshold);
      } catch (error) {
        // Not counted, so not decided: the record fails and its retry counts it (the ledger released it).
        logStoreUnavailable(deps.log, secret.arn, "count access failure", error);
        result.outcome = failedOutcome(finding, error, COUNT_FAILED);
        continue;
      }
      result.accessFailures = {
        principal: verdict.principal,
        count: verdict.count,
        sessions: verdict.sessions,
      };
      const within = `within ${plural(deps.policy.accessFailures.windowMinutes, "minute")}`;
      if (!verdict.incident) {
        const what = !denial
          ? "not an incident yet"
          : denial.proof
            ? `not yet proof of use; the secret stays ${stage}`
            : `not proof of use (${denial.why}); the secret stays ${stage}`;
        result.note =
          verdict.suppressed > 0
            ? `already reported in this window (${verdict.suppressed} more since)`
            : `${verdict.count} of ${plural(threshold, "failure")} ${within}: ${what}`;
        continue;
      }
      if (denial) denial.count = verdict.count;
      if (verdict.sessions.length > 0)
        incident = `${plural(verdict.count, "failure")} ${within} by ${verdict.principal} from ${plural(verdict.sessions.length, "session")}: ${verdict.sessions.join(", ")}`;
    }
    const input: EvaluationInput = { secret, finding: finding.type, status: finding.status };
    if (finding.access) input.access = finding.access;
    if (finding.message) input.message = finding.message;
    input.observedAt = finding.observedAt;
    if (denial) input.denial = denial;
    let decision = evaluate(input, deps.policy, deps.now);
    if (!decision) {
      result.note = `no rule of the policy applies to ${finding.type} on this secret`;
      continue;
    }
    if (incident) decision = { ...decision, reason: `${decision.reason}; ${incident}` };
    if (finding.type === "rotation-failed" && governed)
      decision = {
        ...decision,
        reason: `caused by the governor's own ${stage === "quarantined" ? "quarantine" : "deletion"}: rotation cannot read the secret (expected, not an alarm)`,
      };
    if (DESTRUCTIVE_ACTIONS.includes(decision.action as never))
      decision = deferToSweep(decision, stage, deps.now);
    result.decision = decision;
    result.outcome = await executeDecision(decision, input, deps);
    // A failed action is retried with its event: the incident it made must be made again then.
    if (result.outcome.outcome === "failed" && isAccess && deps.accessCounter) {
      try {
        await deps.accessCounter.reopen(finding, secret.arn);
      } catch (error) {
        // The finding has failed already and its record is retried; the retry counts the failure once more (one
        // early) and, carrying the same incident token, still makes the incident.
        logStoreUnavailable(deps.log, secret.arn, "reopen access-failure incident", error);
      }
    }
  }
  const entries = results
    .map((r) => auditEntry(r, deps.mode, deps.now))
    .filter((e): e is AuditEntry => e !== undefined);
  await recordAudit(deps.audit, entries, deps.log);
  // After the actions and their audit, never instead of them: publishEvents never throws.
  if (deps.securityHub) await publishEvents(results, deps.policy, deps.now, deps.securityHub);
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

const DESCRIBE_FAILED = "the secret could not be described";
const COUNT_FAILED = "the access failure could not be counted: the state store did not answer";

/** The state store did not answer: logged with the marker field `stateStoreUnavailable` (a metric counts it). */
function logStoreUnavailable(log: Log | undefined, secret: string, step: string, error: unknown): void {
  const line = { secret, step, stateStoreUnavailable: 1, error: (error as Error).message };
  if (log) log.error(STATE_STORE_UNAVAILABLE, line);
  else console.error(JSON.stringify({ message: STATE_STORE_UNAVAILABLE, ...line }));
}

/** A finding that could not be decided (its secret not read, its failure not counted): it fails, so its record
 * is retried. */
function failedOutcome(finding: Finding, error: unknown, reason = DESCRIBE_FAILED): ActionOutcome {
  return {
    decision: placeholderDecision(finding, reason),
    outcome: "failed",
    detail: (error as Error).message,
    error: error as Error,
  };
}

function placeholderDecision(finding: Finding, reason: string): Decision {
  return {
    arn: finding.secretId,
    name: finding.secretId,
    finding: finding.type,
    rule: null,
    action: "none",
    steps: [],
    stage: null,
    reason,
    guard: null,
    route: "default",
    trace: [],
  };
}
