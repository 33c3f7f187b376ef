import { makeConfigClient, makeEventBridgeClient } from "../adapters/aws-clients.js";
import { ConfigComplianceSource } from "../adapters/config-compliance.js";
import { EventBridgeOrgReporter } from "../adapters/org-reporter.js";
import type { SweepDeps } from "../app/sweep.js";
import type { OrgReportDeps } from "../app/sweep-org-report.js";
import { FINDING_TYPES, type FindingType } from "../domain/finding.js";
import { scheduleInterval } from "../domain/schedule.js";
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

let org: OrgReportDeps | null | undefined;

/**
 * The organization plane's reporter, when the stack has an OrgBusArn (GOVERNOR_ORG_BUS_ARN); undefined otherwise.
 * An unreadable SweepSchedule does not stop the sweep: the heartbeat then says daily, and the log says why.
 */
export function orgReportDeps(): OrgReportDeps | undefined {
  if (org !== undefined) return org ?? undefined;
  const runtime = getRuntime();
  const { config, log } = runtime;
  if (!config.orgBusArn) {
    org = null;
    return undefined;
  }
  let sweepIntervalMinutes = 1440;
  try {
    const interval = scheduleInterval(config.sweepSchedule);
    sweepIntervalMinutes = interval.minutes;
    if (interval.capped) log.warn("sweep schedule is slower than weekly: the heartbeat says weekly");
  } catch (error) {
    log.warn("sweep schedule not understood: the heartbeat says daily", { reason: (error as Error).message });
  }
  const { clientOptions, stack } = runtime.shared;
  org = {
    reporter: new EventBridgeOrgReporter(makeEventBridgeClient(clientOptions), config.auditBus),
    accountId: stack.account,
    region: stack.region,
    sweepIntervalMinutes,
    clock: { now: () => new Date() },
  };
  return org;
}
