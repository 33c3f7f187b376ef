import { type PolicyProblem, PolicyValidationError } from "../errors.js";
import { checkPolicy } from "./check.js";
import { withDefaults } from "./defaults.js";
import { schemaProblems } from "./issues.js";
import { type Policy, PolicyDocumentSchema } from "./schema.js";

/**
 * A compiled policy: the merged, validated policy as JSON, written by `governor compile` when the stack is
 * packaged. The Lambda functions load it instead of the YAML files, so a broken policy fails the packaging, never
 * a cold start, and the bundles carry no YAML parser. This module must not import ./load.js or ./source.js.
 */
export const COMPILED_POLICY_FORMAT = "secrets-governor/compiled-policy@1";

export interface CompiledPolicy {
  policy: Policy;
  /** The policy files it was compiled from, in merge order. */
  sources: string[];
}

/** The text of a compiled policy file. */
export function compilePolicy(policy: Policy, sources: string[]): string {
  return `${JSON.stringify({ format: COMPILED_POLICY_FORMAT, sources, policy }, null, 2)}\n`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads a compiled policy back and validates it again, schema and semantics: it may have been edited by hand or
 * written by another version. Throws PolicyValidationError naming `source`; JSON carries no positions we keep,
 * so every problem is at 1:1 and names its path instead (`policy.routing.default: ...`).
 */
export function loadCompiledPolicy(text: string, source: string): CompiledPolicy {
  const problem = (message: string, path?: string): PolicyProblem => ({
    file: source,
    line: 1,
    col: 1,
    message,
    ...(path ? { path } : {}),
  });
  const fail = (message: string) => new PolicyValidationError([problem(message)]);
  const atStart = { path: source, locate: () => ({ line: 1, col: 1 }) };

  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    // One problem, one line: V8 quotes the start of the text, newlines included.
    const reason = (error as Error).message.replace(/\r?\n/g, "\\n");
    throw fail(`not a compiled policy: invalid JSON (${reason}); run 'governor compile'`);
  }
  const format = isPlainObject(doc) ? doc.format : undefined;
  if (!isPlainObject(doc) || format !== COMPILED_POLICY_FORMAT)
    throw fail(
      `not a compiled policy: format ${JSON.stringify(format) ?? "missing"}, expected "${COMPILED_POLICY_FORMAT}"; run 'governor compile'`,
    );

  // The format's @1 is the policy language's version 1: the merged policy does not repeat it.
  const policy = isPlainObject(doc.policy) ? { version: 1, ...doc.policy } : doc.policy;
  const parsed = PolicyDocumentSchema.safeParse(policy, { reportInput: true });
  if (!parsed.success)
    throw new PolicyValidationError(schemaProblems(atStart, { policy }, parsed.error.issues, ["policy"]));
  const merged = withDefaults(parsed.data);
  // No origins: problems come back at "(policy)" 1:1 with their path, which is all a JSON file can offer.
  const problems = checkPolicy(merged, { rules: [], keys: new Map(), files: [] }).map((p) => {
    const path = p.path ? `policy.${p.path}` : "policy";
    return problem(`${path}: ${p.message}`, path);
  });
  if (problems.length > 0) throw new PolicyValidationError(problems);

  const sources = Array.isArray(doc.sources)
    ? doc.sources.filter((s): s is string => typeof s === "string")
    : [];
  return { policy: merged, sources };
}
