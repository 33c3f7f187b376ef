import {
  type AsffFinding,
  type FindingState,
  type ReportedFinding,
  type SecurityHubKind,
  type SeverityLabel,
  toAsffFinding,
} from "../domain/asff.js";
import { addDays, daysBetween } from "../domain/dates.js";
import { type Decision, type Mode, type Stage, UNKNOWN_SECRET_RULE } from "../domain/decision.js";
import type { Finding, FindingType } from "../domain/finding.js";
import type { Secret } from "../domain/secret.js";
import { readStage } from "../policy/evaluate.js";
import { lastAccessAnywhere } from "../policy/facts.js";
import { firstMatchingRule, isExempt } from "../policy/match.js";
import { DEFAULT_UNUSED_FOR_DAYS, type Policy } from "../policy/schema.js";

/**
 * The mapping from the governor's decisions to Security Hub findings (ASFF), and the reconciliation that tells which
 * findings reported before are resolved now. Pure: the sweep and the event handlers give it what they decided and
 * what the state table remembers (src/app/security-hub.ts imports the result).
 */

/** An access-failure incident's finding is resolved after this many days without a new incident. */
export const ACCESS_QUIET_DAYS = 7;

/** The rule `own-call-refused` (src/app/process-findings.ts): the governor's own call, never a finding. */
const OWN_CALL_REFUSED = "own-call-refused";

/** The Security Hub kind of a governor finding type; undefined for those Security Hub's own controls cover. */
export function kindOf(type: FindingType): SecurityHubKind | undefined {
  if (type === "unused" || type === "rotation-failed") return type;
  if (type === "access-denied" || type === "decryption-failure") return "access-failure";
  return undefined;
}

const DEFAULT_SEVERITY: Record<Exclude<SecurityHubKind, "unused">, SeverityLabel> = {
  "rotation-failed": "MEDIUM",
  "access-failure": "MEDIUM",
};

const UNUSED_SEVERITY: Record<Stage, SeverityLabel> = {
  flagged: "LOW",
  quarantined: "MEDIUM",
  "deletion-scheduled": "HIGH",
};

/** The rule's `severity`, else the default of the kind (for unused: by stage, rising as deletion nears). */
export function severityFor(
  policy: Policy,
  kind: SecurityHubKind,
  rule: string | null | undefined,
  stage?: Stage | null,
): SeverityLabel {
  const own = rule ? policy.rules.find((r) => r.name === rule)?.severity : undefined;
  if (own) return own;
  if (kind === "unused") return stage ? UNUSED_SEVERITY[stage] : "LOW";
  return DEFAULT_SEVERITY[kind];
}

/** The command that undoes everything the governor did to the secret. ARNs hold no shell metacharacters. */
export function restoreCommand(arn: string): string {
  return `governor restore ${arn} --live`;
}

/**
 * Where a secret's unused finding stands after its decision: open while the lifecycle holds it (FAILED), or
 * while it is unused but only reported (WARNING: another service manages it, or it is a replica); resolved when it
 * is read again, exempt or kept; undefined when it cannot be judged (replicas unknown): left as it was.
 */
export function unusedState(decision: Decision): FindingState | undefined {
  if (decision.guard === "replicas-unknown") return undefined;
  if (decision.guard === "exempt" || decision.guard === "recently-accessed") return "passed";
  if (decision.guard === "owning-service" || decision.guard === "replica") return "warning";
  return decision.stage !== null ? "failed" : "passed";
}

/** When the secret became unused: its last use (or creation) plus the rule's threshold; never after `now`. */
export function becameUnusedAt(secret: Secret, policy: Policy, now: Date): Date {
  const reference = lastAccessAnywhere(secret) ?? secret.createdDate;
  if (!reference) return now;
  const days =
    firstMatchingRule(policy.rules, secret, "unused", now)?.unusedForDays ?? DEFAULT_UNUSED_FOR_DAYS;
  const at = addDays(reference, days);
  return at > now ? now : at;
}

/** The open finding of an unused secret from its decision, or undefined when the decision resolves it. */
export function unusedFinding(
  decision: Decision,
  secret: Secret,
  policy: Policy,
  now: Date,
  createdAt?: Date,
  mode: Mode = "enforce",
): AsffFinding | undefined {
  const state = unusedState(decision);
  if (state !== "failed" && state !== "warning") return undefined;
  const stage = decision.stage;
  const where = stage === "deletion-scheduled" ? "scheduled for deletion" : stage;
  // Report mode changes nothing: the stage a step would reach is not the secret's.
  const planned = mode === "report" && decision.action !== "none";
  const title =
    state === "warning"
      ? `Unused secret (report only): ${secret.name}`
      : planned
        ? `Unused secret (report mode: would be ${where}): ${secret.name}`
        : `Unused secret ${where}: ${secret.name}`;
  const next = decision.next ? ` Next: ${decision.next.action} on ${decision.next.on}.` : "";
  const prefix = planned ? "Report mode, nothing was changed: " : "";
  return toAsffFinding({
    kind: "unused",
    state,
    secretArn: secret.arn,
    secret,
    severity: state === "warning" ? "LOW" : severityFor(policy, "unused", decision.rule, stage),
    title,
    description: `${prefix}${decision.reason}.${next}`,
    createdAt: createdAt ?? becameUnusedAt(secret, policy, now),
    now,
    stage,
    rule: decision.rule,
    remediation:
      state === "warning"
        ? "Delete the secret if nothing needs it, or tag it governor:exempt=true to keep it."
        : `Still needed? Run ${restoreCommand(secret.arn)} to undo every step and reset the lifecycle. Otherwise the governor continues the lifecycle.`,
  });
}

const KIND_TITLE: Record<SecurityHubKind, string> = {
  unused: "Unused secret",
  "rotation-failed": "Secret rotation failed",
  "access-failure": "Repeated denied access to a secret",
};

/** A finding reported before that no longer holds (PASSED, Workflow RESOLVED), or whose secret is gone (ARCHIVED). */
export function closedFinding(
  kind: SecurityHubKind,
  secretArn: string,
  secret: Secret | undefined,
  now: Date,
  createdAt: Date,
  why: string,
): AsffFinding {
  const archived = secret === undefined;
  const name = secret?.name ?? secretArn;
  return toAsffFinding({
    kind,
    state: archived ? "archived" : "passed",
    secretArn,
    ...(secret ? { secret } : {}),
    severity: "INFORMATIONAL",
    title: `${KIND_TITLE[kind]} (${archived ? "archived: the secret is gone" : "resolved"}): ${name}`,
    description: why,
    createdAt,
    now,
    remediation: archived ? "None: the secret no longer exists." : "None: the finding no longer holds.",
  });
}

/** A failed rotation, open until a rotation succeeds, rotation is turned off, or the secret is exempt. */
export function rotationFailedFinding(
  secret: Secret,
  policy: Policy,
  now: Date,
  createdAt: Date,
  lastSeen: Date,
  detail?: string,
): AsffFinding {
  const rule = firstMatchingRule(policy.rules, secret, "rotation-failed", now)?.name ?? null;
  return toAsffFinding({
    kind: "rotation-failed",
    state: "failed",
    secretArn: secret.arn,
    secret,
    severity: severityFor(policy, "rotation-failed", rule),
    title: `Secret rotation failed: ${secret.name}`,
    description: `Rotation of the secret failed (last seen ${lastSeen.toISOString()}); its readers may hold a credential that stops working.${detail ? ` ${detail}` : ""}`,
    createdAt,
    now,
    rule,
    remediation:
      "Check the rotation function's logs and permissions, then rotate again (aws secretsmanager rotate-secret). The finding resolves once a rotation succeeds.",
  });
}

/** An incident of repeated denied reads, open until ACCESS_QUIET_DAYS pass without another. */
export function accessFailureFinding(
  secret: Secret,
  policy: Policy,
  now: Date,
  createdAt: Date,
  lastSeen: Date,
  detail?: string,
): AsffFinding {
  const rule = firstMatchingRule(policy.rules, secret, "access-denied", now)?.name ?? null;
  return toAsffFinding({
    kind: "access-failure",
    state: "failed",
    secretArn: secret.arn,
    secret,
    severity: severityFor(policy, "access-failure", rule),
    title: `Repeated denied access to secret ${secret.name}`,
    description: `${detail ?? "Repeated denied reads of the secret"} (last incident ${lastSeen.toISOString()}; resolved after ${ACCESS_QUIET_DAYS} days without another).`,
    createdAt,
    now,
    rule,
    remediation: `Find the principal in CloudTrail: grant it access if it needs the secret, otherwise investigate a probe. If the governor's quarantine denied a reader that still needs the secret, run ${restoreCommand(secret.arn)}.`,
  });
}

/** What to import, and what to remember or forget once Security Hub took it. */
export interface FindingsPlan {
  findings: AsffFinding[];
  /** Open findings to remember (or refresh): the next sweep updates or resolves them. */
  remember: ReportedFinding[];
  /** Findings resolved or archived: forgotten once imported (kept, so retried, when the import failed). */
  forget: ReportedFinding[];
}

const keyOf = (kind: SecurityHubKind, arn: string) => `${kind} ${arn}`;

/** The actions of the way back: a secret read again leaves the lifecycle. */
const WAY_BACK: readonly string[] = ["untag", "release", "cancel-deletion"];

/**
 * The sweep's findings: every unused finding as its decision leaves it (opened, updated, resolved), and every
 * finding reported before checked against today's facts: resolved when it no longer holds (the secret read again,
 * restored, exempt; a rotation succeeded since the failure; no access incident for ACCESS_QUIET_DAYS), archived
 * when the secret is gone, updated otherwise. The record of what was reported (`reported`) is what lets the
 * sweep resolve a finding without reading Security Hub's store.
 */
export function reconcileSweep(input: {
  decisions: readonly Decision[];
  secrets: readonly Secret[];
  reported: readonly ReportedFinding[];
  policy: Policy;
  now: Date;
  /** The run's mode: in report mode, a finding says what a step would do. */
  mode?: Mode;
}): FindingsPlan {
  const { policy, now } = input;
  const byArn = new Map(input.secrets.map((s) => [s.arn, s]));
  const reported = new Map(input.reported.map((r) => [keyOf(r.kind, r.secretArn), r]));
  const handled = new Set<string>();
  const plan: FindingsPlan = { findings: [], remember: [], forget: [] };
  for (const decision of input.decisions) {
    if (decision.finding !== "unused") continue;
    const secret = byArn.get(decision.arn);
    if (!secret) continue;
    const key = keyOf("unused", secret.arn);
    const record = reported.get(key);
    const state = unusedState(decision);
    handled.add(key);
    if (state === undefined) continue;
    const open = unusedFinding(decision, secret, policy, now, record?.createdAt, input.mode);
    if (open) {
      plan.findings.push(open);
      plan.remember.push({
        kind: "unused",
        secretArn: secret.arn,
        createdAt: new Date(open.CreatedAt),
        lastSeen: now,
      });
      continue;
    }
    // Resolved: reported before, or a way back the governor took (a run without the record may have reported it).
    const wayBack = WAY_BACK.includes(decision.action);
    if (!record && !wayBack) continue;
    plan.findings.push(
      closedFinding(
        "unused",
        secret.arn,
        secret,
        now,
        record?.createdAt ?? now,
        `Resolved: ${decision.reason}.`,
      ),
    );
    if (record) plan.forget.push(record);
  }
  for (const [key, record] of reported) {
    if (handled.has(key)) continue;
    const secret = byArn.get(record.secretArn);
    if (!secret) {
      plan.findings.push(
        closedFinding(
          record.kind,
          record.secretArn,
          undefined,
          now,
          record.createdAt,
          "The secret was deleted.",
        ),
      );
      plan.forget.push(record);
      continue;
    }
    const resolved = resolution(record, secret, policy, now);
    if (resolved) {
      plan.findings.push(closedFinding(record.kind, secret.arn, secret, now, record.createdAt, resolved));
      plan.forget.push(record);
      continue;
    }
    // Still open: updated with today's facts (this also retries an import an event could not make).
    if (record.kind === "rotation-failed")
      plan.findings.push(rotationFailedFinding(secret, policy, now, record.createdAt, record.lastSeen));
    else if (record.kind === "access-failure")
      plan.findings.push(accessFailureFinding(secret, policy, now, record.createdAt, record.lastSeen));
    // An unused finding without a decision today: no longer unused.
    else {
      plan.findings.push(
        closedFinding("unused", secret.arn, secret, now, record.createdAt, "Resolved: the secret is in use."),
      );
      plan.forget.push(record);
    }
  }
  return plan;
}

/** Why a rotation or access finding reported before no longer holds, or undefined while it does. */
function resolution(record: ReportedFinding, secret: Secret, policy: Policy, now: Date): string | undefined {
  const exempt = isExempt(secret, policy.exempt);
  if (exempt) return `Resolved: the secret is exempt (${exempt}).`;
  if (record.kind === "rotation-failed") {
    if (!secret.rotationEnabled) return "Resolved: rotation is turned off for the secret.";
    if (secret.lastRotatedDate && secret.lastRotatedDate > record.lastSeen)
      return `Resolved: the secret was rotated on ${secret.lastRotatedDate.toISOString()}.`;
  }
  if (record.kind === "access-failure" && daysBetween(record.lastSeen, now) >= ACCESS_QUIET_DAYS)
    return `Resolved: no denied access incident for ${ACCESS_QUIET_DAYS} days.`;
  return undefined;
}

/** One finding an event handler decided, with its secret: what processFindings returns, as this module needs it. */
export interface EventOutcome {
  finding: Finding;
  secret?: Secret;
  decision?: Decision;
}

/**
 * The findings of the event path: a rotation failure (not one the governor's own quarantine caused) and an
 * access-failure incident are opened or updated; Config reporting a rotation COMPLIANT again resolves its
 * finding, and the way back (a secret read again) resolves its unused finding. Unused findings are opened by the
 * sweep alone, which sees every secret and holds the lifecycle.
 */
export function eventFindings(
  outcomes: readonly EventOutcome[],
  reported: readonly ReportedFinding[],
  policy: Policy,
  now: Date,
): FindingsPlan {
  const known = new Map(reported.map((r) => [keyOf(r.kind, r.secretArn), r]));
  const plan: FindingsPlan = { findings: [], remember: [], forget: [] };
  const seen = new Set<string>();
  for (const { finding, secret, decision } of outcomes) {
    const kind = kindOf(finding.type);
    if (!secret || !decision || !kind) continue;
    if (decision.rule === null || decision.rule === OWN_CALL_REFUSED || decision.rule === UNKNOWN_SECRET_RULE)
      continue;
    // The way back, taken on the event path (Config says the secret is read again, or a denied read proved
    // use): its unused finding, when one was reported, is resolved now rather than at the next sweep.
    const wayBack = WAY_BACK.includes(decision.action) && decision.stage === null;
    if (wayBack && (kind === "unused" || kind === "access-failure")) {
      const unusedKey = keyOf("unused", secret.arn);
      const reportedUnused = known.get(unusedKey);
      if (reportedUnused && !seen.has(unusedKey)) {
        plan.findings.push(
          closedFinding(
            "unused",
            secret.arn,
            secret,
            now,
            reportedUnused.createdAt,
            `Resolved: ${decision.reason}.`,
          ),
        );
        plan.forget.push(reportedUnused);
        seen.add(unusedKey);
      }
    }
    if (kind === "unused") continue;
    const key = keyOf(kind, secret.arn);
    const record = known.get(key);
    if (kind === "rotation-failed" && finding.status === "resolved") {
      if (!record || seen.has(key)) continue;
      plan.findings.push(
        closedFinding(
          kind,
          secret.arn,
          secret,
          now,
          record.createdAt,
          "Resolved: Config reports the rotation COMPLIANT.",
        ),
      );
      plan.forget.push(record);
      seen.add(key);
      continue;
    }
    if (finding.status !== "open") continue;
    const { stage } = readStage(secret);
    // Caused by the governor's own quarantine or deletion (expected): the unused finding covers it.
    if (kind === "rotation-failed" && (stage === "quarantined" || stage === "deletion-scheduled")) continue;
    // A denied read that proved use released the secret: a reader, not an incident.
    if (kind === "access-failure" && ["release", "cancel-deletion", "untag"].includes(decision.action))
      continue;
    const createdAt = record?.createdAt ?? finding.observedAt;
    const lastSeen = record && record.lastSeen > finding.observedAt ? record.lastSeen : finding.observedAt;
    const asff =
      kind === "rotation-failed"
        ? rotationFailedFinding(secret, policy, now, createdAt, lastSeen, finding.message)
        : accessFailureFinding(secret, policy, now, createdAt, lastSeen, decision.reason);
    // One finding per secret and kind: a later one in the batch replaces an earlier one.
    const at = plan.findings.findIndex((f) => f.Id === asff.Id);
    if (at >= 0) plan.findings[at] = asff;
    else plan.findings.push(asff);
    plan.remember = plan.remember.filter((r) => keyOf(r.kind, r.secretArn) !== key);
    plan.remember.push({ kind, secretArn: secret.arn, createdAt, lastSeen });
    known.set(key, { kind, secretArn: secret.arn, createdAt, lastSeen });
    seen.add(key);
  }
  return plan;
}

/** The finding `governor restore` leaves: the unused finding resolved (PASSED), CreatedAt kept when remembered. */
export function restoredFinding(secret: Secret, now: Date, record?: ReportedFinding): AsffFinding {
  return closedFinding(
    "unused",
    secret.arn,
    secret,
    now,
    record?.createdAt ?? now,
    "Resolved: restored with governor restore (deletion cancelled, quarantine released, lifecycle reset).",
  );
}
