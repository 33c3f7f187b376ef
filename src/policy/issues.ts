import { closest, distance } from "fastest-levenshtein";
import * as z from "zod";
import type { PolicyProblem } from "../errors.js";
import { policyJsonSchema } from "./schema.js";

/**
 * zod's issues, said in the words of the policy file: where (`rules[0] "unused" match.finding`, not
 * `rules.0.match.finding`) and what (`expected a whole number, got 1.5`, not `expected int, received number`).
 * A message the schema wrote itself (a regex's) is kept as written.
 */

export type Path = readonly (string | number)[];

/** What a problem is placed with: a policy file that can tell the line and column of a path, or none. */
export interface ProblemSource {
  readonly path: string;
  locate(path: Path, options?: { key?: boolean }): { line: number; col: number };
}

type JsonSchema = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueAt(doc: unknown, path: Path): unknown {
  let node = doc;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/**
 * A path as the policy's author knows it: keys joined by dots, list items by index, and a rule also by its name
 * (`rules[3] "stale-tokens" lifecycle.quarantine`), since that is what the file shows.
 */
export function policyPath(path: Path, doc: unknown): string {
  let out = "";
  for (const [i, key] of path.entries()) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" || out.endsWith(" ") ? key : `.${key}`;
    if (typeof key === "number" && i === 1 && path[0] === "rules") {
      const name = valueAt(doc, ["rules", key, "name"]);
      if (typeof name === "string") out += ` ${JSON.stringify(name)}${i < path.length - 1 ? " " : ""}`;
    }
  }
  return out;
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

let cachedJsonSchema: JsonSchema | undefined;

function suggestion(path: Path, key: string): string {
  cachedJsonSchema ??= policyJsonSchema();
  const node = jsonSchemaAt(cachedJsonSchema, path);
  const known = Object.keys((node?.properties as Record<string, unknown> | undefined) ?? {});
  if (known.length === 0) return "";
  const best = closestWord(key, known);
  return best ? ` (did you mean '${best}'?)` : ` (expected one of: ${known.join(", ")})`;
}

/** An enum value that is not one of the values: which ones there are, and the one probably meant. */
function enumMessage(value: string, values: readonly unknown[]): string {
  const names = values.map(String);
  const best = closestWord(value, names);
  const hint = best ? ` (did you mean '${best}'?)` : "";
  return `unknown value '${value}'${hint}; expected one of: ${names.join(", ")}`;
}

/** A value as the file's author wrote it, briefly. */
export function describeValue(value: unknown): string {
  if (value === null) return "an empty value";
  if (value === undefined) return "nothing";
  if (typeof value === "string")
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date (YAML read it as a timestamp; quote it to keep it as text)";
  if (value instanceof Uint8Array) return "binary data (!!binary)";
  if (value instanceof Set || value instanceof Map) return "a set (!!set)";
  return "a mapping of keys";
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping of keys",
  record: "a mapping of keys",
};

function plural(count: number | bigint, one: string, many = `${one}s`): string {
  return `${count} ${Number(count) === 1 ? one : many}`;
}

/**
 * zod's English for an issue, in the policy's words; a message the schema wrote itself is kept. Parse with
 * `reportInput: true`: zod's own message is then rebuilt exactly, which tells it from the schema's.
 */
function issueMessage(issue: z.core.$ZodIssue, value: unknown): string {
  const own = z.config().localeError?.(issue as never);
  if (issue.message !== (typeof own === "string" ? own : own?.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return "required but missing";
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(value)}`;
    case "too_small": {
      const min = issue.minimum;
      if (issue.origin === "array") return `needs at least ${plural(min, "entry", "entries")}`;
      if (issue.origin === "string")
        return Number(min) === 1 ? "must not be empty" : `must be at least ${plural(min, "character")}`;
      return `must be ${issue.inclusive ? "at least" : "more than"} ${min}, not ${describeValue(value)}`;
    }
    case "too_big": {
      const max = issue.maximum;
      if (issue.origin === "array") return `takes at most ${plural(max, "entry", "entries")}`;
      if (issue.origin === "string")
        return `must be at most ${plural(max, "character")} (this one has ${String(value).length})`;
      return `must be ${issue.inclusive ? "at most" : "less than"} ${max}, not ${describeValue(value)}`;
    }
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v)).join(", ");
      if (value === undefined) return `required but missing (expected ${values})`;
      if (issue.values.length === 1 && typeof issue.values[0] === "number" && typeof value === "string")
        return `expected the number ${values}, got ${describeValue(value)} (write it without quotes)`;
      return `expected ${issue.values.length === 1 ? values : `one of ${values}`}, got ${describeValue(value)}`;
    }
    case "invalid_format":
      return `does not have the expected form${"pattern" in issue && issue.pattern ? ` (${issue.pattern})` : ""}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "invalid_union":
      return `does not fit any accepted form, got ${describeValue(value)}`;
    default:
      return issue.message;
  }
}

/**
 * The options of a failed union that fit the value's shape (a string for `finding: unsed`, a list for
 * `finding: [unused, unsed]`, the object whose one key the value has for an action): its issues say what is
 * wrong; the others only say "not a list", "not a string" or "unknown key".
 */
function fittingBranch(issue: z.core.$ZodIssueInvalidUnion, value: unknown): z.core.$ZodIssue[] | undefined {
  const fits = issue.errors.filter((branch) =>
    branch.every(
      (i) =>
        i.path.length > 0 ||
        (i.code !== "invalid_type" &&
          !(i.code === "unrecognized_keys" && isPlainObject(value)) &&
          !(i.code === "invalid_value" && typeof value !== "string")),
    ),
  );
  return fits.length === 1 ? fits[0] : undefined;
}

/** Every issue of a file as problems, each at its line and column, in the words of the file. */
export function schemaProblems(
  file: ProblemSource,
  raw: unknown,
  issues: readonly z.core.$ZodIssue[],
  prefix: Path = [],
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const at = (path: Path, message: string, options?: { key?: boolean }) =>
    problems.push({ file: file.path, ...file.locate(path, options), path: path.join("."), message });
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== "symbol")];
    const where = policyPath(path, raw) || "policy";
    const value = valueAt(raw, path);
    if (issue.code === "invalid_union") {
      const branch = fittingBranch(issue, value);
      // A union with a message of its own (actions) keeps it for a value of no known form: an unknown action.
      if (branch && (issue.message === "Invalid input" || isPlainObject(value))) {
        problems.push(...schemaProblems(file, raw, branch, path));
        continue;
      }
      const values = branch?.find((i) => i.code === "invalid_value" && i.path.length === 0);
      const best =
        values?.code === "invalid_value" && typeof value === "string"
          ? closestWord(value, values.values.map(String))
          : undefined;
      at(path, `${where}: ${issueMessage(issue, value)}${best ? `; did you mean '${best}'?` : ""}`);
      continue;
    }
    if (
      issue.code === "invalid_value" &&
      typeof value === "string" &&
      issue.values.every((v) => typeof v === "string")
    ) {
      at(path, `${where}: ${enumMessage(value, issue.values)}`);
      continue;
    }
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const inside = policyPath(path, raw);
        at([...path, key], `unknown key '${key}'${inside ? ` in ${inside}` : ""}${suggestion(path, key)}`, {
          key: true,
        });
      }
      continue;
    }
    if (issue.code === "invalid_key") {
      // A record's key (a route's name): the key itself is what is wrong.
      const key = path[path.length - 1];
      const parent = path.slice(0, -1);
      const inner = issue.issues.map((i) => issueMessage(i, key)).join("; ");
      const shown = String(key).length > 40 ? `${String(key).slice(0, 40)}…` : String(key);
      at(path, `${policyPath(parent, raw) || "policy"}: key '${shown}': ${inner}`, { key: true });
      continue;
    }
    at(path, `${where}: ${issueMessage(issue, value)}`);
  }
  return problems;
}
