import { closest, distance } from "fastest-levenshtein";
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

type JsonSchema = Record<string, unknown>;

/**
 * The option of a union that `key` leads into: for a name, the object form that has that property (an action
 * `{ schedule-deletion: {...} }` is the one object option naming it), else the first object form; for an index,
 * the array form.
 */
function unionOption(options: JsonSchema[], key: string | number): JsonSchema | undefined {
  if (typeof key === "number") return options.find((o) => o.type === "array") ?? options[0];
  const objects = options.filter((o) => o.type === "object");
  return (
    objects.find((o) => Object.hasOwn((o.properties as JsonSchema | undefined) ?? {}, key)) ??
    objects[0] ??
    options[0]
  );
}

function jsonSchemaAt(schema: JsonSchema, path: Path): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const key of path) {
    if (!node) return undefined;
    const options = (node.anyOf ?? node.oneOf) as JsonSchema[] | undefined;
    if (options) node = unionOption(options, key);
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

/**
 * The known word closest to a misspelt one by edit distance (Levenshtein), when it is close enough to be what
 * was meant: a couple of typos, or a third of the word, and never a word replaced whole.
 */
export function closestWord(word: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(word, [...known]);
  const edits = distance(word, best);
  return edits <= Math.max(2, Math.floor(best.length / 3)) && edits < Math.min(word.length, best.length)
    ? best
    : undefined;
}

let cachedJsonSchema: JsonSchema | undefined;

function suggestion(path: Path, key: string): string {
  cachedJsonSchema ??= policyJsonSchema();
  const node = jsonSchemaAt(cachedJsonSchema, path);
  const known = Object.keys((node?.properties as Record<string, unknown> | undefined) ?? {});
  if (known.length === 0) return "";
  const best = closestWord(key, known);
  return best ? ` (did you mean '${best}'?)` : ` (expected one of: ${known.join(", ")})`;
}

function valueAt(doc: unknown, path: Path): unknown {
  let node = doc;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** An enum value that is not one of the values: which ones there are, and the one probably meant. */
function enumMessage(value: string, values: readonly unknown[]): string {
  const names = values.map(String);
  const best = closestWord(value, names);
  const hint = best ? ` (did you mean '${best}'?)` : "";
  return `unknown value '${value}'${hint}; expected one of: ${names.join(", ")}`;
}

/**
 * The option of a failed union that fits the value's shape (a string for `finding: unsed`, a list for
 * `finding: [unused, unsed]`): its issues say what is wrong; the others only say "not a list" or "not a string".
 */
function fittingBranch(issue: z.core.$ZodIssueInvalidUnion, value: unknown): z.core.$ZodIssue[] | undefined {
  const fits = issue.errors.filter((branch) =>
    branch.every(
      (i) =>
        i.path.length > 0 ||
        (i.code !== "invalid_type" && !(i.code === "invalid_value" && typeof value !== "string")),
    ),
  );
  return fits.length === 1 ? fits[0] : undefined;
}

function schemaProblems(
  file: PolicySourceFile,
  raw: unknown,
  issues: z.core.$ZodIssue[],
  prefix: Path = [],
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== "symbol")];
    const dotted = path.join(".");
    const value = valueAt(raw, path);
    if (issue.code === "invalid_union") {
      const branch = fittingBranch(issue, value);
      // A union with a message of its own (actions) keeps it, with the closest value of its string form.
      if (branch && issue.message === "Invalid input") {
        problems.push(...schemaProblems(file, raw, branch, path));
        continue;
      }
      const values = branch?.find((i) => i.code === "invalid_value" && i.path.length === 0);
      const best =
        values?.code === "invalid_value" && typeof value === "string"
          ? closestWord(value, values.values.map(String))
          : undefined;
      problems.push({
        file: file.path,
        ...file.locate(path),
        path: dotted,
        message: `${dotted || "policy"}: ${issue.message}${best ? `; did you mean '${best}'?` : ""}`,
      });
      continue;
    }
    if (issue.code === "invalid_value" && typeof value === "string") {
      problems.push({
        file: file.path,
        ...file.locate(path),
        path: dotted,
        message: `${dotted}: ${enumMessage(value, issue.values)}`,
      });
      continue;
    }
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
      problems.push(...schemaProblems(file, raw, parsed.error.issues));
      continue;
    }
    // Merge the raw document (not the parsed one), so defaults never look like conflicting definitions.
    docs.push({ file, doc: raw as PolicyDocument });
  }
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
  if (unreadable) throw new PolicyValidationError(problems);

  // Parse the merged document once more so every default (actions' recovery windows...) is filled in. Where two
  // files conflict the first definition stands, so the semantic checks still speak of the rest.
  const parsed = PolicyDocumentSchema.safeParse({ ...merged, rules });
  if (!parsed.success) throw new PolicyValidationError(problems);
  const policy = withDefaults(parsed.data);
  problems.push(...checkPolicy(policy, origins));
  if (problems.length > 0) throw new PolicyValidationError(problems);
  return { policy, origins };
}

export { DEFAULT_ROUTE_SECRET } from "./defaults.js";
