import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, vi } from "vitest";
import { compilePolicy } from "../../src/policy/compiled.js";
import { policyOf } from "../fixtures/app/fakes.js";

export interface ContainerOptions {
  /** The policy YAML compiled into the container's policy file. Default: no rules. */
  policy?: string;
  region?: string;
  accountId?: string;
}

/**
 * For composition tests: each call sets up the environment of a fresh Lambda container (a compiled policy file,
 * the stack's region and account, silent logs, then `env`, where "" unsets a variable) and forgets the modules
 * already loaded, so the runtime is built again from it. The environment is put back after each test.
 */
export function freshContainers(): (env: Record<string, string>, options?: ContainerOptions) => void {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    vi.resetModules();
  });
  return (env, { policy = "rules: []\n", region = "us-east-1", accountId = "123456789012" } = {}) => {
    const file = join(mkdtempSync(join(tmpdir(), "governor-container-")), "policy.json");
    writeFileSync(file, compilePolicy(policyOf(policy), ["p.yml"]));
    Object.assign(process.env, {
      GOVERNOR_POLICY_FILE: file,
      AWS_REGION: region,
      GOVERNOR_ACCOUNT_ID: accountId,
      POWERTOOLS_LOG_LEVEL: "SILENT",
      ...env,
    });
    for (const [key, value] of Object.entries(env)) if (value === "") delete process.env[key];
    vi.resetModules();
  };
}
