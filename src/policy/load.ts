import { type PolicyProblem, PolicyValidationError } from "../errors.js";
import { checkPolicy } from "./check.js";
import { withDefaults } from "./defaults.js";
import { describeValue, schemaProblems } from "./issues.js";
import { type Policy, type PolicyDocument, PolicyDocumentSchema, type Rule } from "./schema.js";
import { type PolicyOrigins, PolicySourceFile } from "./source.js";

export interface PolicyText {
  path: string;
  text: string;
}

type Path = (string | number)[];

/**
 * Bounds on what one validation reads, so that a runaway file is refused at once, saying which bound it broke,
 * rather than validated for minutes: far above any real policy (the shipped one has 3 rules).
 */
export const POLICY_LIMITS = {
  /** Characters of one policy file. */
  fileCharacters: 5_000_000,
  /** Rules of the merged policy. */
  rules: 10_000,
  /** YAML problems reported per file: past the first few, the rest are echoes of them. */
  yamlProblemsPerFile: 10,
} as const;

export type { PolicyOrigins } from "./source.js";

export interface LoadedPolicy {
  policy: Policy;
  origins: PolicyOrigins;
}

/** Arrays that are unions across files; every other leaf must agree between files. */
const UNION_ARRAYS = new Set(["exempt.names", "breakGlassPrincipals"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The problems in reading order: by file as given, then line and column. */
function invalid(problems: PolicyProblem[], texts: PolicyText[]): PolicyValidationError {
  const order = new Map(texts.map((t, i) => [t.path, i]));
  const rank = (p: PolicyProblem) => order.get(p.file) ?? texts.length;
  return new PolicyValidationError(
    [...problems].sort(
      (a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0),
    ),
  );
}

/**
 * Loads and validates policy files (one, or all files of a directory, in the order given) into one policy.
 * Throws PolicyValidationError with every problem found, each at its file, line and column.
 */
export function loadPolicy(texts: PolicyText[]): LoadedPolicy {
  const problems: PolicyProblem[] = [];
  const files: PolicySourceFile[] = [];
  const docs: { file: PolicySourceFile; doc: PolicyDocument }[] = [];
  if (texts.length === 0) {
    throw new PolicyValidationError([{ file: "(policy)", message: "no policy files found" }]);
  }
  // Whether some file has `rules:`, once every file could be read: a policy without them governs nothing.
  let hasRules = false;
  let mappings = 0;
  for (const text of texts) {
    const where = { file: text.path, line: 1, col: 1 };
    if (text.text.length > POLICY_LIMITS.fileCharacters) {
      problems.push({
        ...where,
        message: `the file has ${text.text.length} characters; a policy file may have at most ${POLICY_LIMITS.fileCharacters} (POLICY_LIMITS.fileCharacters)`,
      });
      continue;
    }
    let file: PolicySourceFile;
    try {
      file = new PolicySourceFile(text.path, text.text);
    } catch (error) {
      // The library reports its limits as errors of the document; this is for anything it throws instead.
      problems.push({ ...where, message: `YAML: cannot be read: ${(error as Error).message}` });
      continue;
    }
    files.push(file);
    const yaml = file.yamlProblems();
    if (yaml.length > 0) {
      for (const { offset, message } of yaml.slice(0, POLICY_LIMITS.yamlProblemsPerFile))
        problems.push({ file: file.path, ...file.position(offset), message: `YAML: ${message}` });
      const more = yaml.length - POLICY_LIMITS.yamlProblemsPerFile;
      if (more > 0)
        problems.push({
          file: file.path,
          ...file.position(text.text.length),
          message: `YAML: ${more} more problem(s) in this file, not shown`,
        });
      continue;
    }
    if (file.doc.contents === null) {
      problems.push({
        ...where,
        message: "the file is empty (truncated?): a policy file starts with 'version: 1' and has rules",
      });
      continue;
    }
    const values = file.values();
    if ("message" in values) {
      problems.push({ file: file.path, ...file.position(values.offset), message: `YAML: ${values.message}` });
      continue;
    }
    const raw = values.value;
    if (!isPlainObject(raw)) {
      problems.push({
        ...where,
        message: `a policy file must be a mapping of keys (version: 1, rules: ...), not ${describeValue(raw)}`,
      });
      continue;
    }
    mappings++;
    if ("rules" in raw) hasRules = true;
    const parsed = PolicyDocumentSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      problems.push(...schemaProblems(file, raw, parsed.error.issues));
      continue;
    }
    // Merge the raw document (not the parsed one), so defaults never look like conflicting definitions.
    docs.push({ file, doc: raw as PolicyDocument });
  }
  const last = files[files.length - 1];
  if (!hasRules && last && mappings === texts.length)
    // At the end of the last file: where a truncated file was cut.
    problems.push({
      file: last.path,
      ...last.position(last.text.length),
      message:
        "the policy has no 'rules:' (a truncated file?): it would govern nothing; write 'rules: []' to govern nothing on purpose",
    });
  // Files that do not parse or fit the schema are left out of the merge, whose conflicts are still reported:
  // one run shows every problem it can. The semantic checks need every file, and run once they all fit.
  const unreadable = problems.length > 0;

  const merged: Record<string, unknown> = {};
  const origins: PolicyOrigins = { rules: [], keys: new Map(), files };
  const rules: Rule[] = [];
  const ruleNames = new Map<string, PolicySourceFile>();

  // Every path inside a newly set value comes from this file: conflicts and semantic errors name it.
  const record = (dotted: string, value: unknown, file: PolicySourceFile) => {
    origins.keys.set(dotted, file);
    if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) record(`${dotted}.${k}`, v, file);
  };

  const mergeInto = (
    target: Record<string, unknown>,
    source: Record<string, unknown>,
    path: Path,
    file: PolicySourceFile,
  ) => {
    for (const [key, value] of Object.entries(source)) {
      const sub = [...path, key];
      const dotted = sub.join(".");
      if (dotted === "rules") continue;
      const existing = target[key];
      if (existing === undefined) {
        target[key] = Array.isArray(value)
          ? [...value]
          : isPlainObject(value)
            ? structuredClone(value)
            : value;
        record(dotted, value, file);
      } else if (UNION_ARRAYS.has(dotted) && Array.isArray(existing) && Array.isArray(value)) {
        for (const item of value) if (!existing.some((e) => same(e, item))) existing.push(item);
      } else if (isPlainObject(existing) && isPlainObject(value) && !dotted.startsWith("routes.")) {
        mergeInto(existing, value, sub, file);
      } else if (!same(existing, value)) {
        const other = origins.keys.get(dotted)?.path ?? "another file";
        problems.push({
          file: file.path,
          ...file.locate(sub),
          path: dotted,
          message: `${dotted}: ${JSON.stringify(value)} conflicts with ${JSON.stringify(existing)} defined in ${other}`,
        });
      }
    }
  };

  for (const { file, doc } of docs) {
    mergeInto(merged, doc as Record<string, unknown>, [], file);
    for (const [index, rule] of (doc.rules ?? []).entries()) {
      const previous = ruleNames.get(rule.name);
      if (previous) {
        problems.push({
          file: file.path,
          ...file.locate(["rules", index, "name"]),
          path: `rules.${index}.name`,
          message: `rule '${rule.name}' is already defined in ${previous.path}`,
        });
        continue;
      }
      ruleNames.set(rule.name, file);
      rules.push(rule);
      origins.rules.push({ file, index });
    }
  }
  if (!unreadable && rules.length > POLICY_LIMITS.rules) {
    const over = origins.rules[POLICY_LIMITS.rules];
    problems.push({
      file: over?.file.path ?? "(policy)",
      ...(over ? over.file.locate(["rules", over.index]) : { line: 1, col: 1 }),
      path: "rules",
      message: `the policy has ${rules.length} rules; it may have at most ${POLICY_LIMITS.rules} (POLICY_LIMITS.rules)`,
    });
  }
  if (unreadable || rules.length > POLICY_LIMITS.rules) throw invalid(problems, texts);

  // Parse the merged document once more so every default (actions' recovery windows...) is filled in. Where two
  // files conflict the first definition stands, so the semantic checks still speak of the rest.
  const parsed = PolicyDocumentSchema.safeParse({ ...merged, rules });
  if (!parsed.success) throw invalid(problems, texts);
  const policy = withDefaults(parsed.data);
  problems.push(...checkPolicy(policy, origins));
  if (problems.length > 0) throw invalid(problems, texts);
  return { policy, origins };
}

export { DEFAULT_ROUTE_SECRET } from "./defaults.js";
