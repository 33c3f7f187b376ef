import picomatch from "picomatch";
import { daysBetween } from "../domain/dates.js";
import type { FindingType } from "../domain/finding.js";
import { isReplica, type Secret } from "../domain/secret.js";
import { daysSinceLastUse, lastAccessAnywhere, usesDefaultKey } from "./facts.js";
import type { Match, NumberRange, Rule } from "./schema.js";

type Matcher = (value: string) => boolean;
const compiled = new Map<string, Matcher>();

/** Compiled glob, cached: a plan evaluates the same few globs against every secret. */
export function globMatcher(glob: string): Matcher {
  let matcher = compiled.get(glob);
  if (!matcher) {
    matcher = picomatch(glob, { dot: true });
    compiled.set(glob, matcher);
  }
  return matcher;
}

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function inRange(value: number | undefined, range: NumberRange | undefined): boolean {
  if (!range) return true;
  if (value === undefined) return false;
  if (range.gt !== undefined && !(value > range.gt)) return false;
  if (range.gte !== undefined && !(value >= range.gte)) return false;
  if (range.lt !== undefined && !(value < range.lt)) return false;
  if (range.lte !== undefined && !(value <= range.lte)) return false;
  return true;
}

function kmsMatches(secret: Secret, patterns: string[]): boolean {
  return patterns.some((pattern) => {
    if (pattern === "aws/secretsmanager" || pattern === "alias/aws/secretsmanager")
      return usesDefaultKey(secret);
    return (
      secret.kmsKeyId !== undefined && (secret.kmsKeyId === pattern || globMatcher(pattern)(secret.kmsKeyId))
    );
  });
}

/** Does the match hold for this secret and finding type? Every condition given must hold. */
export function matches(match: Match, secret: Secret, finding: FindingType, now: Date): boolean {
  if (!list(match.finding).includes(finding)) return false;
  if (match.name !== undefined && !list(match.name).some((glob) => globMatcher(glob)(secret.name)))
    return false;
  if (match.tags) {
    for (const [key, value] of Object.entries(match.tags.equals ?? {}))
      if (secret.tags[key] !== value) return false;
    // Own keys only: `constructor` is not a tag of every secret.
    for (const key of match.tags.exists ?? []) if (!Object.hasOwn(secret.tags, key)) return false;
    for (const key of match.tags.absent ?? []) if (Object.hasOwn(secret.tags, key)) return false;
  }
  if (match.owningService !== undefined && !list(match.owningService).includes(secret.owningService ?? ""))
    return false;
  if (match.managed !== undefined && match.managed !== (secret.owningService !== undefined)) return false;
  if (match.replica !== undefined && match.replica !== isReplica(secret)) return false;
  if (
    match.ageDays &&
    !inRange(secret.createdDate ? daysBetween(secret.createdDate, now) : undefined, match.ageDays)
  )
    return false;
  if (match.daysSinceLastAccess && !inRange(daysSinceLastUse(secret, now), match.daysSinceLastAccess))
    return false;
  if (match.neverAccessed !== undefined && match.neverAccessed !== (lastAccessAnywhere(secret) === undefined))
    return false;
  if (match.rotationEnabled !== undefined && match.rotationEnabled !== secret.rotationEnabled) return false;
  if (match.kmsKey !== undefined && !kmsMatches(secret, list(match.kmsKey))) return false;
  return true;
}

/** The first rule that matches decides (like a firewall); later rules never see that secret and finding. */
export function firstMatchingRule(
  rules: readonly Rule[],
  secret: Secret,
  finding: FindingType,
  now: Date,
): Rule | undefined {
  return rules.find((rule) => matches(rule.match, secret, finding, now));
}

export function isExempt(
  secret: Secret,
  exempt: { tags: Record<string, string>; names: string[] },
): string | undefined {
  for (const [key, value] of Object.entries(exempt.tags)) {
    const actual = Object.hasOwn(secret.tags, key) ? secret.tags[key] : undefined;
    if (actual !== undefined && (value === "*" || actual.toLowerCase() === value.toLowerCase()))
      return `tag ${key}=${actual}`;
  }
  const glob = exempt.names.find((g) => globMatcher(g)(secret.name));
  return glob ? `name matches ${glob}` : undefined;
}
