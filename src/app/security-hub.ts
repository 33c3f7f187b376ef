import { findingId, type ReportedFinding } from "../domain/asff.js";
import type { Decision, Mode } from "../domain/decision.js";
import type { Secret } from "../domain/secret.js";
import type { Policy } from "../policy/schema.js";
import type { ReportedFindings, SecurityFindings } from "../ports.js";
import {
  type EventOutcome,
  eventFindings,
  type FindingsPlan,
  reconcileSweep,
  restoredFinding,
} from "../report/security-hub.js";
import type { Log } from "./process-findings.js";

/** The log line of a Security Hub import that lost findings; its field `securityHubFailed` feeds a metric. */
export const SECURITY_HUB_FAILED = "security hub import failed";

export interface SecurityHubDeps {
  sink: SecurityFindings;
  /** What was reported open before (the state table in AWS). */
  reported: ReportedFindings;
  log?: Log;
}

export interface SecurityHubSummary {
  imported: number;
  /** Findings Security Hub did not take (retried by the next sweep), or that could not be planned at all. */
  failed: number;
}

function report(log: Log | undefined, message: string, fields: Record<string, unknown>): void {
  if (log) log.error(message, fields);
  else console.error(JSON.stringify({ message, ...fields }));
}

/**
 * Imports a plan's findings, then remembers those opened and forgets those closed. Never throws: Security Hub is
 * a report, and a failure there must never block or undo the governance action. What failed is logged with
 * `securityHubFailed` (a metric and an alarm count it) and is retried by the next sweep: an open finding is
 * remembered even when its import failed, and a closed one is forgotten only once Security Hub took it.
 */
export async function publish(plan: FindingsPlan, deps: SecurityHubDeps): Promise<SecurityHubSummary> {
  if (plan.findings.length === 0 && plan.remember.length === 0 && plan.forget.length === 0)
    return { imported: 0, failed: 0 };
  const result = await deps.sink.import(plan.findings);
  const failedIds = new Set(result.failed.map((f) => f.id));
  if (result.failed.length > 0)
    report(deps.log, SECURITY_HUB_FAILED, {
      securityHubFailed: result.failed.length,
      imported: result.imported,
      failures: result.failed.slice(0, 20),
    });
  const sent = new Set(plan.findings.map((f) => f.Id));
  const took = (r: ReportedFinding) => {
    const id = findingId(r.kind, r.secretArn);
    return sent.has(id) && !failedIds.has(id);
  };
  try {
    if (plan.remember.length > 0) await deps.reported.remember(plan.remember);
    const forget = plan.forget.filter(took);
    if (forget.length > 0) await deps.reported.forget(forget);
  } catch (error) {
    report(deps.log, SECURITY_HUB_FAILED, {
      securityHubFailed: plan.remember.length + plan.forget.length,
      step: "record reported findings",
      error: (error as Error).message,
    });
    return { imported: result.imported, failed: result.failed.length + plan.remember.length };
  }
  deps.log?.info("security hub import", { imported: result.imported, failed: result.failed.length });
  return { imported: result.imported, failed: result.failed.length };
}

async function reportedOrLog(deps: SecurityHubDeps): Promise<ReportedFinding[] | undefined> {
  try {
    return await deps.reported.list();
  } catch (error) {
    report(deps.log, SECURITY_HUB_FAILED, {
      securityHubFailed: 1,
      step: "read reported findings",
      error: (error as Error).message,
    });
    return undefined;
  }
}

/** The sweep's findings: every unused finding, and every finding reported before resolved, archived or updated. */
export async function publishSweep(
  input: {
    decisions: readonly Decision[];
    secrets: readonly Secret[];
    policy: Policy;
    now: Date;
    mode: Mode;
  },
  deps: SecurityHubDeps,
): Promise<SecurityHubSummary> {
  try {
    const reported = await reportedOrLog(deps);
    // Without the record, nothing reported before can be told resolved: the next sweep does it.
    return await publish(reconcileSweep({ ...input, reported: reported ?? [] }), deps);
  } catch (error) {
    report(deps.log, SECURITY_HUB_FAILED, { securityHubFailed: 1, error: (error as Error).message });
    return { imported: 0, failed: 1 };
  }
}

/** What processFindings returns for one finding, as far as Security Hub needs it. */
export interface EventResult extends EventOutcome {
  outcome?: { outcome: string; decision: Decision };
}

/** The event path's findings: rotation failures and access-failure incidents (opened, updated, resolved), and
 * the unused finding of a secret the event found read again (resolved). */
export async function publishEvents(
  results: readonly EventResult[],
  policy: Policy,
  now: Date,
  deps: SecurityHubDeps,
): Promise<SecurityHubSummary> {
  try {
    const relevant: EventOutcome[] = [];
    for (const r of results) {
      // A failed action is retried with its event, which reports it then.
      if (r.outcome?.outcome === "failed") continue;
      const decision = r.outcome?.decision ?? r.decision;
      if (!r.secret || !decision) continue;
      if (!["unused", "rotation-failed", "access-denied", "decryption-failure"].includes(r.finding.type))
        continue;
      relevant.push({ finding: r.finding, secret: r.secret, decision });
    }
    if (relevant.length === 0) return { imported: 0, failed: 0 };
    const reported = (await reportedOrLog(deps)) ?? [];
    return await publish(eventFindings(relevant, reported, policy, now), deps);
  } catch (error) {
    report(deps.log, SECURITY_HUB_FAILED, { securityHubFailed: 1, error: (error as Error).message });
    return { imported: 0, failed: 1 };
  }
}

/** `governor restore`: the secret's unused finding resolved (PASSED), and forgotten. */
export async function publishRestore(
  secret: Secret,
  now: Date,
  deps: SecurityHubDeps,
): Promise<SecurityHubSummary> {
  try {
    const reported = (await reportedOrLog(deps)) ?? [];
    const record = reported.find((r) => r.kind === "unused" && r.secretArn === secret.arn);
    return await publish(
      {
        findings: [restoredFinding(secret, now, record)],
        remember: [],
        forget: [{ kind: "unused", secretArn: secret.arn, createdAt: now, lastSeen: now }],
      },
      deps,
    );
  } catch (error) {
    report(deps.log, SECURITY_HUB_FAILED, { securityHubFailed: 1, error: (error as Error).message });
    return { imported: 0, failed: 1 };
  }
}
