import { makeConfigClient } from "../adapters/aws-clients.js";
import { ConfigComplianceSource } from "../adapters/config-compliance.js";
import type { SweepDeps } from "../app/sweep.js";
import { FINDING_TYPES, type FindingType } from "../domain/finding.js";
import type { Policy } from "../policy/schema.js";
import { getRuntime } from "./runtime.js";
import { securityHubDeps } from "./security-hub.js";

/** The finding types the policy's rules match (a rule without `finding` matches them all). */
export function policyFindingTypes(policy: Policy): FindingType[] {
  const types = new Set<FindingType>();
  for (const rule of policy.rules) {
    const finding = rule.match.finding;
    if (finding === undefined) return [...FINDING_TYPES];
    for (const f of Array.isArray(finding) ? finding : [finding]) types.add(f);
  }
  return [...types];
}

let compliance: ConfigComplianceSource | undefined;

/** The sweep's dependencies: the shared runtime plus Config, which only the sweep reads. */
export function sweepDeps(now: Date): SweepDeps {
  const runtime = getRuntime();
  const { store, audit, exemptPrincipals, clientOptions } = runtime.shared;
  // Only the Config rules behind the findings the policy has rules for: no pages read for nothing.
  compliance ??= new ConfigComplianceSource(makeConfigClient(clientOptions), {
    types: policyFindingTypes(runtime.policy),
  });
  const securityHub = securityHubDeps(runtime);
  return {
    store,
    compliance,
    policy: runtime.policy,
    mode: runtime.mode,
    now,
    exemptPrincipals,
    audit,
    log: runtime.log,
    ...(securityHub ? { securityHub } : {}),
  };
}
