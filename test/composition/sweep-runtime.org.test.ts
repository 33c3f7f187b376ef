import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { compilePolicy } from "../../src/policy/compiled.js";
import { policyOf } from "../fixtures/app/fakes.js";

const ENV = [
  "GOVERNOR_POLICY_FILE",
  "AWS_REGION",
  "GOVERNOR_ACCOUNT_ID",
  "POWERTOOLS_LOG_LEVEL",
  "GOVERNOR_ORG_BUS_ARN",
  "GOVERNOR_SWEEP_SCHEDULE",
];
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

afterEach(() => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  vi.resetModules();
});

/** The sweep's org reporting as a fresh container would wire it from this environment. */
async function orgDepsWith(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "governor-sweep-runtime-"));
  const file = join(dir, "policy.json");
  writeFileSync(file, compilePolicy(policyOf("rules: []\n"), ["p.yml"]));
  Object.assign(process.env, {
    GOVERNOR_POLICY_FILE: file,
    AWS_REGION: "eu-west-1",
    GOVERNOR_ACCOUNT_ID: "111122223333",
    POWERTOOLS_LOG_LEVEL: "SILENT",
    ...env,
  });
  for (const [k, v] of Object.entries(env)) if (v === "") delete process.env[k];
  vi.resetModules();
  const { orgReportDeps } = await import("../../src/composition/sweep-runtime.js");
  return orgReportDeps();
}

describe("the sweep's org reporting (GOVERNOR_ORG_BUS_ARN)", () => {
  it("is off without an org bus", async () => {
    expect(
      await orgDepsWith({ GOVERNOR_ORG_BUS_ARN: "", GOVERNOR_SWEEP_SCHEDULE: "rate(1 hour)" }),
    ).toBeUndefined();
  });

  it("reports for the stack's own account and region, at the interval of its schedule", async () => {
    const deps = await orgDepsWith({
      GOVERNOR_ORG_BUS_ARN: "arn:aws:events:eu-west-1:999988887777:event-bus/org",
      GOVERNOR_SWEEP_SCHEDULE: "cron(0 6,18 * * ? *)",
    });
    expect(deps).toMatchObject({ accountId: "111122223333", region: "eu-west-1", sweepIntervalMinutes: 720 });
    expect(deps?.reporter.constructor.name).toBe("EventBridgeOrgReporter");
  });

  it("says daily when the schedule cannot be read, rather than not sweeping", async () => {
    const deps = await orgDepsWith({
      GOVERNOR_ORG_BUS_ARN: "arn:aws:events:eu-west-1:999988887777:event-bus/org",
      GOVERNOR_SWEEP_SCHEDULE: "every morning",
    });
    expect(deps?.sweepIntervalMinutes).toBe(1440);
  });
});
