import type { SweepDeps } from "../app/sweep.js";
import { makeConfigClient } from "./aws-clients.js";
import { ConfigComplianceSource } from "./config-compliance.js";
import { getRuntime } from "./runtime.js";

let compliance: ConfigComplianceSource | undefined;

/** The sweep's dependencies: the shared runtime plus Config, which only the sweep reads. */
export function sweepDeps(now: Date): SweepDeps {
  const runtime = getRuntime();
  const { store, audit, exemptPrincipals, clientOptions } = runtime.shared;
  compliance ??= new ConfigComplianceSource(makeConfigClient(clientOptions));
  return { store, compliance, policy: runtime.policy, mode: runtime.mode, now, exemptPrincipals, audit };
}
