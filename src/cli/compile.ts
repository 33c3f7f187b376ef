import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_POLICY_FILE } from "../config.js";
import { InputError } from "../errors.js";
import { compilePolicy, loadCompiledPolicy } from "../policy/compiled.js";
import { loadPolicy } from "../policy/load.js";
import { type CliIO, readPolicyTexts } from "./io.js";

/**
 * `governor compile`: validates the policy files exactly as `validate` does, then writes the merged policy as
 * JSON for the Lambda package (scripts/package.sh). Nothing is written unless the policy is valid.
 */
export function runCompile(argv: string[], io: CliIO): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      policy: { type: "string", default: "policies" },
      out: { type: "string", default: DEFAULT_POLICY_FILE },
    },
  });
  const { policy, origins } = loadPolicy(readPolicyTexts(values.policy));
  const sources = origins.files.map((f) => f.path);
  const text = compilePolicy(policy, sources);
  // Read it back as the functions will, so what the package step accepts a cold start accepts too.
  loadCompiledPolicy(text, values.out);
  try {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, text);
  } catch (error) {
    throw new InputError(
      `cannot write compiled policy ${values.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      values.out,
      { cause: error },
    );
  }
  io.stdout(
    `${values.policy}: compiled to ${values.out} (${policy.rules.length} rules, mode ${policy.mode}; ${sources.join(", ")})\n`,
  );
  return 0;
}
