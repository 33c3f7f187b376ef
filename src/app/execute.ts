import { DESTRUCTIVE_ACTIONS, type Decision, type Mode, type Step } from "../domain/decision.js";
import { addQuarantine, isQuarantined, quarantineStatement, removeQuarantine } from "../domain/quarantine.js";
import type { Secret } from "../domain/secret.js";
import { SecretNotFoundError } from "../errors.js";
import { type EvaluationInput, evaluate } from "../policy/evaluate.js";
import type { Policy } from "../policy/schema.js";
import type { SecretStore } from "../ports.js";

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

async function quarantine(store: SecretStore, arn: string, exemptPrincipals: string[]): Promise<void> {
  const current = await store.getResourcePolicy(arn);
  const next = addQuarantine(current, quarantineStatement(exemptPrincipals));
  if (next !== current) await store.putResourcePolicy(arn, next);
}

async function release(store: SecretStore, arn: string): Promise<void> {
  const current = await store.getResourcePolicy(arn);
  if (!isQuarantined(current)) return;
  const next = removeQuarantine(current);
  if (next === undefined) await store.deleteResourcePolicy(arn);
  else await store.putResourcePolicy(arn, next);
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
      return quarantine(store, secret.arn, options.exemptPrincipals);
    case "release":
      return release(store, secret.arn);
    case "schedule-deletion":
      if (secret.deletedDate) return;
      // Deletion only ever follows a quarantine: if a crash lost it, put it back first.
      if (!isQuarantined(await store.getResourcePolicy(secret.arn)))
        await quarantine(store, secret.arn, options.exemptPrincipals);
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
  let current = decision;
  let secret = input.secret;
  try {
    if (isDestructive(decision)) {
      const fresh = await options.store.describe(decision.arn);
      if (!fresh) return { decision, outcome: "skipped", detail: "the secret no longer exists" };
      secret = fresh;
      const again = evaluate({ ...input, secret: fresh }, options.policy, options.now);
      if (!again || again.action !== decision.action) {
        const changed = again ?? {
          ...decision,
          action: "none" as const,
          steps: [],
          reason: "no longer applies",
        };
        current = {
          ...changed,
          trace: [...changed.trace, "re-checked on fresh facts before a destructive step"],
        };
        if (current.action === "none")
          return {
            decision: current,
            outcome: current.guard ? "withheld" : "skipped",
            detail: current.reason,
            secret,
          };
      }
    }
    if (options.mode === "report") {
      const outcome: ActionOutcome = {
        decision: current,
        outcome: "planned",
        detail: "report mode: nothing changed",
        secret,
      };
      if (current.steps.some((s) => s.kind === "quarantine")) {
        const existing = await options.store.getResourcePolicy(current.arn);
        outcome.policyDocument = addQuarantine(existing, quarantineStatement(options.exemptPrincipals));
      }
      return outcome;
    }
    for (const step of current.steps) await runStep(step, secret, options);
    return { decision: current, outcome: "done", secret };
  } catch (error) {
    if (error instanceof SecretNotFoundError)
      return { decision: current, outcome: "skipped", detail: "the secret was deleted meanwhile", secret };
    return {
      decision: current,
      outcome: "failed",
      detail: (error as Error).message,
      error: error as Error,
      secret,
    };
  }
}
