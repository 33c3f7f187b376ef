import type { Mode, Plan } from "../domain/decision.js";
import type { Finding } from "../domain/finding.js";
import { isReplicatedPrimary, type Secret } from "../domain/secret.js";
import { planAccount } from "../policy/plan.js";
import type { Policy } from "../policy/schema.js";
import type { AuditEntry, AuditSink, ComplianceSource, SecretStore } from "../ports.js";
import { type ActionOutcome, executeDecision } from "./execute.js";

export interface SweepDeps {
  store: SecretStore;
  /** Config compliance; when absent or unreadable, "unused" is judged from ListSecrets, as the planner does. */
  compliance?: ComplianceSource;
  policy: Policy;
  mode: Mode;
  now: Date;
  exemptPrincipals: string[];
  audit?: AuditSink;
}

export interface SweepResult {
  plan: Plan;
  outcomes: ActionOutcome[];
  secrets: Secret[];
  /** Set when Config's compliance data could not be read, with the reason. */
  complianceUnavailable?: string;
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
  const outcomes: ActionOutcome[] = [];
  for (const decision of plan.decisions) {
    const secret = byArn.get(decision.arn) as Secret;
    const configFinding = compliance?.find(
      (f) => f.type === decision.finding && (f.secretId === secret.arn || f.secretId === secret.name),
    );
    const input = {
      secret,
      finding: decision.finding,
      ...(configFinding ? { status: configFinding.status } : {}),
    };
    outcomes.push(await executeDecision(decision, input, deps));
  }
  if (deps.audit) {
    const entries: AuditEntry[] = outcomes.map((o) => ({
      time: deps.now.toISOString(),
      mode: deps.mode,
      arn: o.decision.arn,
      name: o.decision.name,
      finding: o.decision.finding,
      action: o.decision.action,
      guard: o.decision.guard,
      outcome: o.outcome,
      ...(o.detail ? { detail: o.detail } : {}),
    }));
    if (entries.length > 0) await deps.audit.record(entries);
  }
  return { plan, outcomes, secrets, ...(complianceUnavailable ? { complianceUnavailable } : {}) };
}
