/**
 * The sweep over an emulated account of N secrets, through the real SDK clients: the AWS calls it makes against
 * the lower bound (every ListSecrets page, every Config compliance page, and nothing per secret that a page
 * already answers), plus its writes.
 */
import { performance } from "node:perf_hooks";
import { EventBridgeAuditSink } from "../src/adapters/audit.js";
import {
  makeConfigClient,
  makeEventBridgeClient,
  makeSecretsManagerClient,
} from "../src/adapters/aws-clients.js";
import { ConfigComplianceSource } from "../src/adapters/config-compliance.js";
import { NO_PACING, WRITE_QUOTA_PER_SECOND } from "../src/adapters/pacer.js";
import { SecretsManagerStore } from "../src/adapters/secrets-manager.js";
import { runSweep } from "../src/app/sweep.js";
import type { Policy } from "../src/policy/schema.js";
import { AwsEmulator, evaluationResult, WRITE_OPERATIONS } from "../test/helpers/aws-emulator.js";
import { accountOf, scenario, UNUSED_RULE } from "./scenario.js";

const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };

export interface SweepFigures {
  secrets: number;
  calls: number;
  lowerBound: number;
  writes: number;
  /** Secrets whose state the sweep really changed (one decision carried out each). */
  changed: number;
  /** Reads beyond the bound: the re-check (DescribeSecret) and policy read before each quarantine. */
  recheckReads: number;
  /** EventBridge PutEvents calls of the audit (one per 10 decisions that acted or were withheld). */
  auditCalls: number;
  quarantined: number;
  wallS: number;
  /** The time its writes take at the deployed pacing (sweepWriteShare of each family's quota). */
  pacedWriteS: number;
  byOperation: Record<string, number>;
}

export async function benchSweep(
  count: number,
  policy: Policy,
  now: Date,
  sweepShare: number,
): Promise<SweepFigures> {
  const s = scenario(count, now, "sweep");
  const account = accountOf(s, now);
  const results = s.secrets.map((secret, i) =>
    evaluationResult(UNUSED_RULE, secret.arn, s.compliance[i] ?? "COMPLIANT", now),
  );
  const emulator = await AwsEmulator.start(account, { compliance: new Map([[UNUSED_RULE, results]]) });
  const options = { region: "us-east-1", endpoint: emulator.endpoint, credentials: CREDENTIALS };
  const secretsManager = makeSecretsManagerClient(options);
  const config = makeConfigClient(options);
  const events = makeEventBridgeClient(options);
  try {
    const start = performance.now();
    // Unpaced here: pacing changes how long the writes take, not how many calls are made (pacedWriteS below).
    const result = await runSweep({
      store: new SecretsManagerStore(secretsManager, NO_PACING),
      compliance: new ConfigComplianceSource(config, { types: ["unused"] }),
      policy,
      mode: "enforce",
      now,
      exemptPrincipals: [`arn:aws:iam::123456789012:role/secrets-governor`],
      audit: new EventBridgeAuditSink(events),
    });
    const wallS = (performance.now() - start) / 1000;
    const byOperation = Object.fromEntries([...emulator.counts].map(([op, c]) => [op, c.calls]));
    // Every AWS call, the audit's PutEvents included (10 entries a call).
    const calls = Object.values(byOperation).reduce((sum, n) => sum + n, 0);
    const pages = (op: string) => byOperation[op] ?? 0;
    const listBound = Math.max(1, Math.ceil(count / 100));
    const configBound = 1 + Math.max(1, Math.ceil(results.length / 100));
    const writes = [...WRITE_OPERATIONS].reduce((sum, op) => sum + pages(op), 0);
    const quarantined = result.outcomes.filter(
      (o) => o.outcome === "done" && o.decision.action === "quarantine",
    ).length;
    const tagWrites = pages("TagResource") + pages("UntagResource");
    const policyWrites =
      pages("PutResourcePolicy") + pages("DeleteResourcePolicy") + pages("GetResourcePolicy");
    const pacedWriteS = Math.max(
      tagWrites / (WRITE_QUOTA_PER_SECOND.tag * sweepShare),
      policyWrites / (WRITE_QUOTA_PER_SECOND["resource-policy"] * sweepShare),
    );
    return {
      secrets: count,
      calls,
      lowerBound: listBound + configBound,
      writes,
      changed: result.outcomes.filter((o) => o.outcome === "done").length,
      recheckReads: pages("DescribeSecret") + pages("GetResourcePolicy"),
      auditCalls: pages("PutEvents"),
      quarantined,
      wallS: Math.round(wallS * 100) / 100,
      pacedWriteS: Math.round(pacedWriteS),
      byOperation,
    };
  } finally {
    secretsManager.destroy();
    config.destroy();
    events.destroy();
    await emulator.close();
  }
}
