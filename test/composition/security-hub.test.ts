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
  "GOVERNOR_STATE_TABLE",
  "GOVERNOR_SECURITY_HUB",
];
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

afterEach(() => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  vi.resetModules();
});

/** A fresh runtime (built once per container) with these variables; "" unsets one. */
async function runtimeWith(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "governor-runtime-"));
  const file = join(dir, "policy.json");
  writeFileSync(file, compilePolicy(policyOf("rules: []\n"), ["p.yml"]));
  Object.assign(process.env, {
    GOVERNOR_POLICY_FILE: file,
    AWS_REGION: "us-east-1",
    GOVERNOR_ACCOUNT_ID: "123456789012",
    POWERTOOLS_LOG_LEVEL: "SILENT",
    ...env,
  });
  for (const [k, v] of Object.entries(env)) if (v === "") delete process.env[k];
  vi.resetModules();
  const { batchDeps } = await import("../../src/composition/event-runtime.js");
  const { sweepDeps } = await import("../../src/composition/sweep-runtime.js");
  const parse = () => ({}) as never;
  return {
    events: () => batchDeps("rotation-failure", new Date(), parse),
    sweep: () => sweepDeps(new Date()),
  };
}

describe("Security Hub in the Lambda runtime", () => {
  it.each([
    [""],
    ["disabled"],
  ])("is off with GOVERNOR_SECURITY_HUB=%j: no findings imported", async (value) => {
    const runtime = await runtimeWith({
      GOVERNOR_SECURITY_HUB: value,
      GOVERNOR_STATE_TABLE: "governor-state",
    });
    expect(runtime.events().securityHub).toBeUndefined();
    expect(runtime.sweep().securityHub).toBeUndefined();
  });

  it("when enabled, imports through BatchImportFindings and keeps its record in the state table, one per container", async () => {
    const runtime = await runtimeWith({
      GOVERNOR_SECURITY_HUB: "enabled",
      GOVERNOR_STATE_TABLE: "governor-state",
    });
    const events = runtime.events().securityHub;
    expect(events?.sink.constructor.name).toBe("LazySecurityHubFindings");
    expect(events?.reported.constructor.name).toBe("DynamoReportedFindings");
    expect(runtime.sweep().securityHub).toBe(events);
  });

  it("when enabled without a state table, keeps its record in memory", async () => {
    const runtime = await runtimeWith({ GOVERNOR_SECURITY_HUB: "enabled", GOVERNOR_STATE_TABLE: "" });
    expect(runtime.sweep().securityHub?.reported.constructor.name).toBe("MemoryReportedFindings");
  });

  it("refuses a value other than enabled or disabled", async () => {
    const runtime = await runtimeWith({ GOVERNOR_SECURITY_HUB: "yes" });
    expect(() => runtime.sweep()).toThrow(/GOVERNOR_SECURITY_HUB must be enabled or disabled, not 'yes'/);
  });
});
