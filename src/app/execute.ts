import { DESTRUCTIVE_ACTIONS, type Decision, type Mode, type Step } from "../domain/decision.js";
import { addQuarantine, isQuarantined, quarantineStatement } from "../domain/quarantine.js";
import type { Secret } from "../domain/secret.js";
import { SecretNotFoundError } from "../errors.js";
import { type EvaluationInput, evaluate, readStage } from "../policy/evaluate.js";
import type { Policy } from "../policy/schema.js";
import type { AuditEntry, SecretStore } from "../ports.js";
import { putQuarantine, releaseQuarantine } from "./resource-policy.js";

/** What happened to one decision. */
export interface ActionOutcome {
  decision: Decision;
  /** done: executed; planned: report mode; withheld: a guard; skipped: nothing to do or secret gone; failed. */
  outcome: "done" | "planned" | "withheld" | "skipped" | "failed";
  detail?: string;
  /** Report mode: the full resource policy a quarantine would put. */
  policyDocument?: string;
  error?: Error;
  /** The facts the decision was finally taken on (fresh ones after a re-check). */
  secret?: Secret;
}

/**
 * Worth a log line, an audit entry and a person's attention: an action taken or planned, one a guard withheld, or
 * a failure. Not the decisions that had nothing to do yet.
 */
export function worthReporting(decision: Decision, outcome?: ActionOutcome["outcome"]): boolean {
  return decision.action !== "none" || decision.guard !== null || outcome === "failed";
}

/** The audit record of one decision and what became of it. */
export function auditEntryOf(
  decision: Decision,
  outcome: ActionOutcome["outcome"],
  detail: string | undefined,
  mode: Mode,
  now: Date,
): AuditEntry {
  const entry: AuditEntry = {
    time: now.toISOString(),
    mode,
    arn: decision.arn,
    name: decision.name,
    finding: decision.finding,
    action: decision.action,
    guard: decision.guard,
    outcome,
  };
  if (detail) entry.detail = detail;
  return entry;
}

export interface ExecuteOptions {
  store: SecretStore;
  policy: Policy;
  mode: Mode;
  now: Date;
  /** Principals a quarantine never denies: the governor's own role and break-glass. */
  exemptPrincipals: string[];
}

function isDestructive(decision: Decision): boolean {
  return decision.steps.some((s) => DESTRUCTIVE_ACTIONS.includes(s.kind as never));
}

/** Runs one step against the account. Notify steps are delivered by the caller (digests), not here. */
async function runStep(step: Step, secret: Secret, options: ExecuteOptions): Promise<void> {
  const { store } = options;
  switch (step.kind) {
    case "tag":
      return store.tag(secret.arn, step.tags);
    case "untag":
      return store.untag(secret.arn, step.keys);
    case "quarantine":
      return putQuarantine(store, secret.arn, options.exemptPrincipals);
    case "release":
      return releaseQuarantine(store, secret.arn);
    case "schedule-deletion":
      if (secret.deletedDate) return;
      // Deletion only ever follows a quarantine: if a crash lost it, put it back first.
      if (!isQuarantined(await store.getResourcePolicy(secret.arn)))
        await putQuarantine(store, secret.arn, options.exemptPrincipals);
      await store.scheduleDeletion(secret.arn, step.recoveryWindowDays);
      return;
    case "cancel-deletion":
      return store.restore(secret.arn);
    case "notify":
      return;
  }
}

/**
 * Carries out one decision. Before anything destructive the secret is described again and the policy re-run on
 * the fresh facts: a secret read, exempted or deleted since the decision is left alone.
 */
export async function executeDecision(
  decision: Decision,
  input: EvaluationInput,
  options: ExecuteOptions,
): Promise<ActionOutcome> {
  if (decision.action === "none")
    return {
      decision,
      outcome: decision.guard ? "withheld" : "skipped",
      detail: decision.reason,
      secret: input.secret,
    };
  let secret = input.secret;
  try {
    if (isDestructive(decision)) {
      const fresh = await options.store.describe(decision.arn);
      if (!fresh) return { decision, outcome: "skipped", detail: "the secret no longer exists" };
      secret = fresh;
      const again = evaluate({ ...input, secret: fresh }, options.policy, options.now);
      if (!again || again.action !== decision.action) {
        // The fresh facts lead elsewhere (read, exempted or deleted since): nothing of either decision is carried
        // out here. The secret is left as it is for the next event or sweep to decide on with those facts.
        const left: Decision = {
          ...decision,
          action: "none",
          steps: [],
          stage: readStage(fresh).stage,
          guard: again?.guard ?? null,
          reason: `re-checked before ${decision.action}: ${again?.reason ?? "the policy no longer applies"}; left as it is`,
          trace: [
            ...decision.trace,
            ...(again?.trace ?? []),
            "re-checked on fresh facts before a destructive step: left as it is",
          ],
        };
        delete left.next;
        return { decision: left, outcome: left.guard ? "withheld" : "skipped", detail: left.reason, secret };
      }
    }
    if (options.mode === "report") {
      const outcome: ActionOutcome = {
        decision,
        outcome: "planned",
        detail: "report mode: nothing changed",
        secret,
      };
      if (decision.steps.some((s) => s.kind === "quarantine")) {
        const existing = await options.store.getResourcePolicy(decision.arn);
        outcome.policyDocument = addQuarantine(existing, quarantineStatement(options.exemptPrincipals));
      }
      return outcome;
    }
    for (const step of decision.steps) await runStep(step, secret, options);
    return { decision, outcome: "done", secret };
  } catch (error) {
    if (error instanceof SecretNotFoundError)
      return { decision, outcome: "skipped", detail: "the secret was deleted meanwhile", secret };
    return {
      decision,
      outcome: "failed",
      detail: (error as Error).message,
      error: error as Error,
      secret,
    };
  }
}
