import { makeDynamoDbClient, makeSecurityHubClient } from "../adapters/aws-clients.js";
import { DynamoReportedFindings, MemoryReportedFindings } from "../adapters/reported-findings.js";
import { SecurityHubFindings, WORKFLOW_NOT_RESOLVED } from "../adapters/security-hub.js";
import type { SecurityHubDeps } from "../app/security-hub.js";
import type { Runtime } from "./runtime.js";

let deps: SecurityHubDeps | null | undefined;

/**
 * Security Hub for the functions, when the stack parameter SecurityHub is `enabled` (GOVERNOR_SECURITY_HUB):
 * BatchImportFindings, and the record of open findings in the state table. Undefined when disabled. Built once
 * per container.
 */
export function securityHubDeps(runtime: Runtime): SecurityHubDeps | undefined {
  if (deps !== undefined) return deps ?? undefined;
  if (!runtime.config.securityHub) {
    deps = null;
    return undefined;
  }
  const { clientOptions } = runtime.shared;
  const table = runtime.config.stateTable;
  if (!table)
    runtime.log.warn(
      "GOVERNOR_STATE_TABLE is not set: the Security Hub findings reported are remembered by this instance only",
    );
  deps = {
    sink: new SecurityHubFindings(makeSecurityHubClient(clientOptions), {
      onWorkflowNotResolved: (failed) =>
        runtime.log.warn(WORKFLOW_NOT_RESOLVED, {
          workflowNotResolved: failed.length,
          findings: failed.slice(0, 20),
        }),
    }),
    reported: table
      ? new DynamoReportedFindings(makeDynamoDbClient(clientOptions), table)
      : new MemoryReportedFindings(),
    log: runtime.log,
  };
  return deps;
}
