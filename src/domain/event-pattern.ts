/**
 * EventBridge event patterns, matched the way EventBridge matches them (content filtering, as documented in the
 * EventBridge user guide, "Event patterns" and "Comparison operators"; the reference engine is `aws/event-ruler`).
 * No npm package that installs implements these semantics faithfully, so we keep our own, small and pure.
 *
 * Semantics, in short:
 * - Keys are ANDed; a pattern array ORs its matchers; an object pattern descends into the event.
 * - A leaf matches when any of its values matches any matcher. An array in the event gives several values (any
 *   element may match); an object in the event is not a leaf, so at that path there is no value.
 * - An object pattern against an array of objects needs one element to satisfy the whole sub-pattern.
 * - A missing field matches only `{"exists": false}`; `null` is a value (matched by `null` and `exists: true`).
 * - Exact values compare by JSON type: the string "5" never matches the number 5, 5 matches 5.0.
 * - String operators (prefix, suffix, equals-ignore-case, wildcard, cidr) only match strings; numeric only numbers.
 * - anything-but matches every present value that its argument does not exclude (values of another type are not
 *   excluded).
 */

/** One thing wrong with a pattern, at a dotted path inside it (e.g. `detail.errorCode[1].prefix`). */
export interface PatternProblem {
  path: string;
  message: string;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

/**
 * Does `event` match the EventBridge `pattern`? A malformed pattern (see validatePattern) never matches: an
 * unknown operator or a wrong argument type makes that matcher false.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) return false;
  return matchFields(pattern, isObject(event) ? event : undefined);
}

function matchFields(pattern: JsonObject, node: JsonObject | undefined): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(sub) || !sub.some((alt) => isObject(alt) && matchFields(alt, node))) return false;
      continue;
    }
    const child = node !== undefined && Object.hasOwn(node, key) ? node[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchLeaf(sub, child)) return false;
    } else if (isObject(sub)) {
      if (!matchNested(sub, child)) return false;
    } else {
      return false;
    }
  }
  return true;
}

function flatten(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? flatten(v) : [v]));
}

function matchNested(pattern: JsonObject, value: unknown): boolean {
  if (Array.isArray(value)) {
    const elements = flatten(value).filter(isObject);
    // With no object in the array, every field below is missing.
    if (elements.length === 0) return matchFields(pattern, undefined);
    return elements.some((element) => matchFields(pattern, element));
  }
  return matchFields(pattern, isObject(value) ? value : undefined);
}

/** The values at a leaf path: none when missing or an object, every scalar element of an array. */
function leafValues(value: unknown): unknown[] {
  if (value === undefined || isObject(value)) return [];
  if (Array.isArray(value)) return flatten(value).filter((v) => !isObject(v));
  return [value];
}

function matchLeaf(matchers: unknown[], value: unknown): boolean {
  const values = leafValues(value);
  return matchers.some((matcher) => matchOne(matcher, values));
}

function equalsExact(expected: unknown, actual: unknown): boolean {
  return isScalar(expected) && typeof expected === typeof actual && expected === actual;
}

function matchOne(matcher: unknown, values: unknown[]): boolean {
  if (isScalar(matcher)) return values.some((v) => equalsExact(matcher, v));
  if (!isObject(matcher)) return false;
  const keys = Object.keys(matcher);
  if (keys.length !== 1) return false;
  const op = keys[0] as string;
  const arg = matcher[op];
  if (op === "exists") {
    if (typeof arg !== "boolean") return false;
    return arg ? values.length > 0 : values.length === 0;
  }
  return values.some((v) => matchOperator(op, arg, v));
}

function fold(text: string): string {
  return text.toLowerCase();
}

function stringTest(op: "prefix" | "suffix", arg: unknown, value: string): boolean {
  const test = (s: string, t: string) => (op === "prefix" ? s.startsWith(t) : s.endsWith(t));
  if (typeof arg === "string") return test(value, arg);
  if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg["equals-ignore-case"] === "string")
    return test(fold(value), fold(arg["equals-ignore-case"]));
  return false;
}

function stringList(arg: unknown): string[] | undefined {
  if (typeof arg === "string") return [arg];
  if (Array.isArray(arg) && arg.length > 0 && arg.every((a) => typeof a === "string")) return arg as string[];
  return undefined;
}

function matchOperator(op: string, arg: unknown, value: unknown): boolean {
  switch (op) {
    case "prefix":
    case "suffix":
      return typeof value === "string" && stringTest(op, arg, value);
    case "equals-ignore-case":
      return typeof value === "string" && typeof arg === "string" && fold(value) === fold(arg);
    case "wildcard": {
      const regex = typeof arg === "string" ? wildcardRegex(arg) : undefined;
      return typeof value === "string" && regex !== undefined && regex.test(value);
    }
    case "numeric":
      return typeof value === "number" && numericTest(arg, value);
    case "cidr":
      return typeof value === "string" && typeof arg === "string" && cidrContains(arg, value);
    case "anything-but":
      return anythingBut(arg, value);
    default:
      return false;
  }
}

function anythingBut(arg: unknown, value: unknown): boolean {
  if (typeof arg === "string" || typeof arg === "number") return !equalsExact(arg, value);
  if (Array.isArray(arg)) {
    if (arg.length === 0 || !arg.every((a) => typeof a === "string" || typeof a === "number")) return false;
    return !arg.some((a) => equalsExact(a, value));
  }
  if (!isObject(arg) || Object.keys(arg).length !== 1) return false;
  const [op, inner] = Object.entries(arg)[0] as [string, unknown];
  switch (op) {
    case "prefix":
    case "suffix":
      if (typeof inner !== "string") return false;
      return typeof value !== "string" || !stringTest(op, inner, value);
    case "equals-ignore-case": {
      const list = stringList(inner);
      if (!list) return false;
      return typeof value !== "string" || !list.some((s) => fold(s) === fold(value));
    }
    case "wildcard": {
      const regexes = stringList(inner)?.map(wildcardRegex);
      if (!regexes || regexes.some((r) => r === undefined)) return false;
      return typeof value !== "string" || !regexes.some((r) => r?.test(value));
    }
    default:
      return false;
  }
}

// Wildcard: `*` is any run of characters, `\*` a literal star, `\\` a literal backslash.
const wildcardCache = new Map<string, RegExp | undefined>();

function wildcardRegex(pattern: string): RegExp | undefined {
  if (wildcardCache.has(pattern)) return wildcardCache.get(pattern);
  let source = "";
  let ok = true;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") {
        ok = false;
        break;
      }
      source += `\\${next}`;
      i++;
    } else if (c === "*") {
      source += "[\\s\\S]*";
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  const regex = ok ? new RegExp(`^${source}$`, "u") : undefined;
  wildcardCache.set(pattern, regex);
  return regex;
}

const NUMERIC_OPS = ["<", "<=", "=", ">=", ">"] as const;
type NumericOp = (typeof NUMERIC_OPS)[number];

function numericTest(arg: unknown, value: number): boolean {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0) return false;
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i] as NumericOp;
    const bound = arg[i + 1];
    if (typeof bound !== "number" || !NUMERIC_OPS.includes(op)) return false;
    const holds =
      op === "<"
        ? value < bound
        : op === "<="
          ? value <= bound
          : op === "="
            ? value === bound
            : op === ">="
              ? value >= bound
              : value > bound;
    if (!holds) return false;
  }
  return true;
}

// CIDR: IPv4 and IPv6, as BigInt so one comparison serves both.
interface Ip {
  version: 4 | 6;
  value: bigint;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let groups: string[];
  let tail: bigint | undefined;
  let address = text;
  const lastColon = address.lastIndexOf(":");
  if (address.includes(".") && lastColon >= 0) {
    tail = parseIpv4(address.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    address = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  if (halves.length === 2) {
    const head = halves[0] ? (halves[0] as string).split(":") : [];
    const rest = halves[1] ? (halves[1] as string).split(":") : [];
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<string>(missing).fill("0"), ...rest];
  } else {
    groups = address.split(":");
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  if (tail !== undefined) value = (value & ~0xffffffffn) | tail;
  return value;
}

function parseIp(text: string): Ip | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = text.includes(":") ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

function parseCidr(text: string): { ip: Ip; bits: number } | undefined {
  const [address, bitsText, extra] = text.split("/");
  if (address === undefined || bitsText === undefined || extra !== undefined || !/^\d{1,3}$/.test(bitsText))
    return undefined;
  const ip = parseIp(address);
  const bits = Number(bitsText);
  if (!ip || bits > (ip.version === 4 ? 32 : 128)) return undefined;
  return { ip, bits };
}

function cidrContains(cidr: string, address: string): boolean {
  const network = parseCidr(cidr);
  const ip = parseIp(address);
  if (!network || !ip || ip.version !== network.ip.version) return false;
  const width = BigInt(ip.version === 4 ? 32 : 128);
  const shift = width - BigInt(network.bits);
  return ip.value >> shift === network.ip.value >> shift;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

/** EventBridge compares numbers between -5.0e9 and +5.0e9 inclusive. */
const NUMERIC_LIMIT = 5e9;

/**
 * What is wrong with a pattern, as EventBridge would reject it (InvalidEventPatternException): every problem, not
 * only the first. An empty list means the pattern is well formed.
 */
export function validatePattern(pattern: unknown): PatternProblem[] {
  const problems: PatternProblem[] = [];
  if (!isObject(pattern)) {
    problems.push({ path: "", message: "an event pattern must be a JSON object" });
    return problems;
  }
  validateObject(pattern, "", problems);
  return problems;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function validateObject(pattern: JsonObject, path: string, problems: PatternProblem[]): void {
  for (const [key, sub] of Object.entries(pattern)) {
    const here = join(path, key);
    if (key === "$or") {
      if (!Array.isArray(sub) || sub.length < 2) {
        problems.push({ path: here, message: "$or takes an array of at least two patterns" });
        continue;
      }
      sub.forEach((alt, i) => {
        if (isObject(alt)) validateObject(alt, `${here}[${i}]`, problems);
        else problems.push({ path: `${here}[${i}]`, message: "each $or alternative must be an object" });
      });
    } else if (Array.isArray(sub)) {
      if (sub.length === 0) problems.push({ path: here, message: "empty arrays are not allowed" });
      sub.forEach((matcher, i) => {
        validateMatcher(matcher, `${here}[${i}]`, problems);
      });
    } else if (isObject(sub)) {
      validateObject(sub, here, problems);
    } else {
      problems.push({
        path: here,
        message: `must be an array of values or matchers, or an object (got ${JSON.stringify(sub)})`,
      });
    }
  }
}

function validateMatcher(matcher: unknown, path: string, problems: PatternProblem[]): void {
  const problem = (message: string, at = path) => problems.push({ path: at, message });
  if (typeof matcher === "number") {
    if (!Number.isFinite(matcher)) problem("numbers must be finite");
    return;
  }
  if (isScalar(matcher)) return;
  if (!isObject(matcher)) {
    problem("a matcher must be a string, number, boolean, null or an operator object");
    return;
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    problem(`an operator object takes exactly one operator, got ${keys.length} (${keys.join(", ")})`);
    return;
  }
  const op = keys[0] as string;
  const arg = matcher[op];
  const at = join(path, op);
  switch (op) {
    case "exists":
      if (typeof arg !== "boolean") problem("exists takes true or false", at);
      break;
    case "prefix":
    case "suffix":
      if (typeof arg === "string") break;
      if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg["equals-ignore-case"] === "string")
        break;
      problem(`${op} takes a string or {"equals-ignore-case": string}`, at);
      break;
    case "equals-ignore-case":
      if (typeof arg !== "string") problem("equals-ignore-case takes a string", at);
      break;
    case "wildcard":
      if (typeof arg !== "string") problem("wildcard takes a string", at);
      else validateWildcard(arg, at, problems);
      break;
    case "numeric":
      validateNumeric(arg, at, problems);
      break;
    case "cidr":
      if (typeof arg !== "string" || !parseCidr(arg))
        problem("cidr takes an IPv4 or IPv6 CIDR block such as 10.0.0.0/24", at);
      break;
    case "anything-but":
      validateAnythingBut(arg, at, problems);
      break;
    default:
      problem(`unknown operator "${op}"`, at);
  }
}

function validateWildcard(arg: string, path: string, problems: PatternProblem[]): void {
  if (/(?<!\\)\*\*/.test(arg))
    problems.push({ path, message: "consecutive wildcard characters are not allowed" });
  else if (!wildcardRegex(arg))
    problems.push({ path, message: "a backslash in a wildcard may only escape * or \\" });
}

function validateNumeric(arg: unknown, path: string, problems: PatternProblem[]): void {
  const problem = (message: string) => problems.push({ path, message });
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0) {
    problem('numeric takes pairs of comparator and number, e.g. [">", 0, "<=", 5]');
    return;
  }
  let lower: { op: string; value: number } | undefined;
  let upper: { op: string; value: number } | undefined;
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const value = arg[i + 1];
    if (!NUMERIC_OPS.includes(op as NumericOp)) {
      problem(`unknown numeric comparator ${JSON.stringify(op)} (use <, <=, =, >=, >)`);
      return;
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      problem(`numeric ${op} takes a number, got ${JSON.stringify(value)}`);
      return;
    }
    if (Math.abs(value) > NUMERIC_LIMIT) {
      problem(`numeric values must lie between -5.0e9 and 5.0e9, got ${value}`);
      return;
    }
    if (op === "=") {
      if (arg.length !== 2) {
        problem("numeric = cannot be combined with other comparators");
        return;
      }
    } else if (op === ">" || op === ">=") {
      if (lower) {
        problem("numeric takes at most one lower bound (> or >=)");
        return;
      }
      lower = { op, value };
    } else {
      if (upper) {
        problem("numeric takes at most one upper bound (< or <=)");
        return;
      }
      upper = { op, value };
    }
  }
  if (lower && upper && lower.value >= upper.value)
    problem(`numeric range is empty: ${lower.op} ${lower.value} and ${upper.op} ${upper.value}`);
}

function validateAnythingBut(arg: unknown, path: string, problems: PatternProblem[]): void {
  const problem = (message: string, at = path) => problems.push({ path: at, message });
  if (typeof arg === "string") return;
  if (typeof arg === "number") {
    if (!Number.isFinite(arg)) problem("numbers must be finite");
    return;
  }
  if (Array.isArray(arg)) {
    if (arg.length === 0) problem("anything-but takes a non-empty list");
    else if (!arg.every((a) => typeof a === "string") && !arg.every((a) => typeof a === "number"))
      problem("anything-but takes a list of strings or a list of numbers, not a mix");
    return;
  }
  if (!isObject(arg) || Object.keys(arg).length !== 1) {
    problem(
      "anything-but takes a string, a number, a list, or one of {prefix}, {suffix}, {equals-ignore-case}, {wildcard}",
    );
    return;
  }
  const [op, inner] = Object.entries(arg)[0] as [string, unknown];
  const at = join(path, op);
  switch (op) {
    case "prefix":
    case "suffix":
      if (typeof inner !== "string") problem(`anything-but ${op} takes a string`, at);
      break;
    case "equals-ignore-case":
      if (!stringList(inner))
        problem("anything-but equals-ignore-case takes a string or a list of strings", at);
      break;
    case "wildcard": {
      const list = stringList(inner);
      if (!list) problem("anything-but wildcard takes a string or a list of strings", at);
      else
        list.forEach((w, i) => {
          validateWildcard(w, Array.isArray(inner) ? `${at}[${i}]` : at, problems);
        });
      break;
    }
    default:
      problem(`unknown operator "${op}" inside anything-but`, at);
  }
}
