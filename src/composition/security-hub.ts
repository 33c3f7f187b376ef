import { type AwsClientOptions, makeDynamoDbClient } from "../adapters/aws-clients.js";
import { DynamoReportedFindings, MemoryReportedFindings } from "../adapters/reported-findings.js";
import type { Log } from "../app/process-findings.js";
import type { SecurityHubDeps } from "../app/security-hub.js";
import type { AsffFinding } from "../domain/asff.js";
import type { FindingsImportResult, SecurityFindings } from "../ports.js";
import type { Runtime } from "./runtime.js";

/**
 * The Security Hub adapter, loaded on its first import: the Security Hub client is a quarter of a function's
 * bundle, and a stack with SecurityHub enabled imports at most once per sweep or batch, so a cold start does not
 * pay for it up front.
 */
export class LazySecurityHubFindings implements SecurityFindings {
  private sink: Promise<SecurityFindings> | undefined;

  constructor(
    private readonly clientOptions: AwsClientOptions,
    private readonly log: Log,
  ) {}

  async import(findings: AsffFinding[]): Promise<FindingsImportResult> {
    this.sink ??= import("../adapters/security-hub.js").then((m) =>
      m.makeSecurityHubFindings(this.clientOptions, this.log),
    );
    return (await this.sink).import(findings);
  }
}

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
    sink: new LazySecurityHubFindings(clientOptions, runtime.log),
    reported: table
      ? new DynamoReportedFindings(makeDynamoDbClient(clientOptions), table)
      : new MemoryReportedFindings(),
    log: runtime.log,
  };
  return deps;
}
