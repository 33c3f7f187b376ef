import {
  type AsffFinding,
  type FindingState,
  type ReportedFinding,
  type SecurityHubKind,
  type SeverityLabel,
  toAsffFinding,
} from "../domain/asff.js";
import { addDays } from "../domain/dates.js";
import type { Decision, Mode, Stage } from "../domain/decision.js";
import type { FindingType } from "../domain/finding.js";
import type { Secret } from "../domain/secret.js";
import { lastAccessAnywhere } from "../policy/facts.js";
import { firstMatchingRule } from "../policy/match.js";
import { DEFAULT_UNUSED_FOR_DAYS, type Policy } from "../policy/schema.js";

/**
 * One Security Hub finding per kind, built from what the governor knows of a secret: its decision (unused), an
 * event (rotation failure, access-failure incident), or a resolution. Pure. Which findings a run imports is
 * src/report/security-hub.ts.
 */

/** An access-failure incident's finding is resolved after this many days without a new incident. */
export const ACCESS_QUIET_DAYS = 7;

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
