import { closest } from "fastest-levenshtein";
import type * as z from "zod";
import { type PolicyProblem, PolicyValidationError } from "../errors.js";
import { checkPolicy } from "./check.js";
import { withDefaults } from "./defaults.js";
import {
  type Policy,
  type PolicyDocument,
  PolicyDocumentSchema,
  policyJsonSchema,
  type Rule,
} from "./schema.js";
import { PolicySourceFile } from "./source.js";

export interface PolicyText {
  path: string;
  text: string;
}

type Path = (string | number)[];

/** Where each part of the merged policy came from, so semantic errors point at the right file and line. */
export interface PolicyOrigins {
  /** rules[i] -> the file and index it was defined at. */
  rules: { file: PolicySourceFile; index: number }[];
  /** A top-level path (e.g. `routing.default`, `routes.ops`) -> the file that set it. */
  keys: Map<string, PolicySourceFile>;
  files: PolicySourceFile[];
}

export interface LoadedPolicy {
  policy: Policy;
  origins: PolicyOrigins;
}

/** Arrays that are unions across files; every other leaf must agree between files. */
const UNION_ARRAYS = new Set(["exempt.names", "breakGlassPrincipals"]);

function jsonSchemaAt(schema: Record<string, unknown>, path: Path): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = schema;
  for (const key of path) {
    if (!node) return undefined;
    const options = (node.anyOf ?? node.oneOf) as Record<string, unknown>[] | undefined;
    if (options)
      node = options.find((o) => o.type === (typeof key === "number" ? "array" : "object")) ?? options[0];
    if (!node) return undefined;
    if (typeof key === "number") node = node.items as Record<string, unknown> | undefined;
    else {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      node = props?.[key] ?? (node.additionalProperties as Record<string, unknown> | undefined);
    }
  }
  const options = (node?.anyOf ?? node?.oneOf) as Record<string, unknown>[] | undefined;
  return options ? (options.find((o) => o.type === "object" && o.properties) ?? node) : node;
}

function suggestion(path: Path, key: string): string {
  const node = jsonSchemaAt(policyJsonSchema(), path);
  const known = Object.keys((node?.properties as Record<string, unknown> | undefined) ?? {});
  if (known.length === 0) return "";
  const best = closest(key, known);
  const distance = [...best].filter((c, i) => key[i] !== c).length;
  return best && distance <= Math.max(2, Math.floor(best.length / 3))
    ? ` (did you mean '${best}'?)`
    : ` (expected one of: ${known.join(", ")})`;
}

function schemaProblems(file: PolicySourceFile, issues: z.core.$ZodIssue[]): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    const dotted = path.join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const pos = file.locate([...path, key], { key: true });
        const where = dotted ? ` in ${dotted}` : "";
        problems.push({
          file: file.path,
          ...pos,
          path: [...path, key].join("."),
          message: `unknown key '${key}'${where}${suggestion(path, key)}`,
        });
      }
      continue;
    }
    const pos = file.locate(path);
    problems.push({
      file: file.path,
      ...pos,
      path: dotted,
      message: `${dotted || "policy"}: ${issue.message}`,
    });
  }
  return problems;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
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
    throw new PolicyValidationError([
      { file: "(policy)", line: 1, col: 1, message: "no policy files found" },
    ]);
  }
  for (const text of texts) {
    const file = new PolicySourceFile(text.path, text.text);
    files.push(file);
    if (file.doc.errors.length > 0) {
      for (const error of file.doc.errors) {
        const pos = file.position(error.pos[0]);
        problems.push({ file: file.path, ...pos, message: `YAML: ${error.message.split("\n")[0]}` });
      }
      continue;
    }
    const raw = file.doc.toJS() ?? {};
    if (!isPlainObject(raw)) {
      problems.push({ file: file.path, line: 1, col: 1, message: "a policy file must be a mapping of keys" });
      continue;
    }
    const parsed = PolicyDocumentSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...schemaProblems(file, parsed.error.issues));
      continue;
    }
    // Merge the raw document (not the parsed one), so defaults never look like conflicting definitions.
    docs.push({ file, doc: raw as PolicyDocument });
  }
  if (problems.length > 0) throw new PolicyValidationError(problems);

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
  if (problems.length > 0) throw new PolicyValidationError(problems);

  // Parse the merged document once more so every default (actions' recovery windows...) is filled in.
  const parsed = PolicyDocumentSchema.parse({ ...merged, rules });
  const policy = withDefaults(parsed);
  problems.push(...checkPolicy(policy, origins));
  if (problems.length > 0) throw new PolicyValidationError(problems);
  return { policy, origins };
}

export { DEFAULT_ROUTE_SECRET } from "./defaults.js";
