import type { AsffFinding, ReportedFinding, SecurityHubKind } from "../domain/asff.js";
import { daysBetween } from "../domain/dates.js";
import { type Decision, type Mode, UNKNOWN_SECRET_RULE } from "../domain/decision.js";
import type { Finding } from "../domain/finding.js";
import type { Secret } from "../domain/secret.js";
import { readStage } from "../policy/evaluate.js";
import { isExempt } from "../policy/match.js";
import type { Policy } from "../policy/schema.js";
import {
  ACCESS_QUIET_DAYS,
  accessFailureFinding,
  closedFinding,
  kindOf,
  rotationFailedFinding,
  unusedFinding,
  unusedState,
} from "./asff-findings.js";

export {
  ACCESS_QUIET_DAYS,
  accessFailureFinding,
  becameUnusedAt,
  closedFinding,
  kindOf,
  restoreCommand,
  restoredFinding,
  rotationFailedFinding,
  severityFor,
  unusedFinding,
  unusedState,
} from "./asff-findings.js";

/**
 * Which Security Hub findings (ASFF) a run imports: from the governor's decisions, and the reconciliation that
 * tells which findings reported before are resolved now. Pure: the sweep and the event handlers give it what they
 * decided and what the state table remembers (src/app/security-hub.ts imports the result); each finding is built
 * by src/report/asff-findings.ts.
 */

/** The rule `own-call-refused` (src/app/process-findings.ts): the governor's own call, never a finding. */
const OWN_CALL_REFUSED = "own-call-refused";

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
