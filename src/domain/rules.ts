import accessFailure from "../../rules/access-failure.json" with { type: "json" };
import configCompliance from "../../rules/config-compliance.json" with { type: "json" };
import rotationFailure from "../../rules/rotation-failure.json" with { type: "json" };
import { matchesPattern } from "./event-pattern.js";

/** One EventBridge rule of the governor: its name is its file name in rules/ and its route's name. */
export interface Rule {
  name: string;
  pattern: object;
}

/** The rules in rules/*.json, loaded once. No event matches two of them (tested against every fixture). */
export const RULES: readonly Rule[] = [
  { name: "config-compliance", pattern: configCompliance },
  { name: "access-failure", pattern: accessFailure },
  { name: "rotation-failure", pattern: rotationFailure },
];

/** The name of the rule that matches `event` as EventBridge would match it, or null when none does. */
export function matchRule(event: unknown): string | null {
  return RULES.find((rule) => matchesPattern(rule.pattern, event))?.name ?? null;
}
