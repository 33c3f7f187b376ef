import { STAGE_RULE_TAG, STAGE_SINCE_TAG, STAGE_TAG, USED_ON_TAG } from "../domain/decision.js";
import { SLACK_DECISION_TAGS } from "../domain/slack-action.js";
import type { PolicyProblem } from "../errors.js";
import { checkSlack } from "./check-slack.js";
import type { ActionSpec, Match, NumberRange, Policy, Rule } from "./schema.js";
import type { PolicyOrigins } from "./source.js";

/** Tags the lifecycle keeps, and the proof of use it records: a rule that set them would forge the lifecycle. */
const RESERVED_TAGS = new Set<string>([
  STAGE_TAG,
  STAGE_SINCE_TAG,
  USED_ON_TAG,
  STAGE_RULE_TAG,
  // What people decide from Slack: a rule that set them would keep or snooze secrets nobody kept.
  ...SLACK_DECISION_TAGS,
]);
/** Findings the governor reports to Security Hub (src/report/security-hub.ts); `severity` applies to those only. */
const SECURITY_HUB_FINDINGS = new Set<string>([
  "unused",
  "rotation-failed",
  "access-denied",
  "decryption-failure",
]);
/** Findings that only CloudTrail events carry: the sweep, which reads Config and ListSecrets, never sees them. */
const EVENT_ONLY_FINDINGS = new Set<string>(["access-denied", "decryption-failure"]);

function asList<T>(value: T | T[] | undefined): T[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}

/** Does a range of whole days hold no day at all? Days are never negative: `lt: 0` holds none. */
function rangeIsEmpty(range: NumberRange | undefined): boolean {
  if (!range) return false;
  const low = Math.max(
    0,
    range.gt !== undefined ? Math.floor(range.gt) + 1 : Number.NEGATIVE_INFINITY,
    range.gte !== undefined ? Math.ceil(range.gte) : Number.NEGATIVE_INFINITY,
  );
  const high = Math.min(
    range.lt !== undefined ? Math.ceil(range.lt) - 1 : Number.POSITIVE_INFINITY,
    range.lte !== undefined ? Math.floor(range.lte) : Number.POSITIVE_INFINITY,
  );
  return low > high;
}

/** A reason the match can never hold, or undefined. */
function contradiction(match: Match): string | undefined {
  const tags = match.tags;
  for (const key of tags?.absent ?? []) {
    if (tags?.exists?.includes(key)) return `tag '${key}' cannot both exist and be absent`;
    if (tags?.equals && key in tags.equals) return `tag '${key}' cannot both equal a value and be absent`;
  }
  if (rangeIsEmpty(match.ageDays)) return "ageDays is an empty range";
  if (rangeIsEmpty(match.daysSinceLastAccess)) return "daysSinceLastAccess is an empty range";
  if (match.managed === false && match.owningService !== undefined)
    return "managed: false excludes every owningService";
  return undefined;
}

function actionName(action: ActionSpec): string {
  return typeof action === "string" ? action : (Object.keys(action)[0] as string);
}

/**
 * Finds, for each rule in turn, the first earlier rule that takes every secret and finding it would: it is then
 * unreachable (first match wins). Conservative: `earlier` covers `later` only when every condition of `earlier`
 * but `finding` is also in `later`, with the same value, and `earlier`'s findings include all of `later`'s.
 *
 * Near-linear, not pairwise: the rules seen so far are indexed by their exact set of conditions, so a rule looks
 * up only the subsets of its own conditions (at most 2^10: a match has ten besides `finding`) instead of every
 * rule before it. Thousands of rules validate in milliseconds, not minutes.
 */
export class CoverageIndex {
  /** Condition set -> finding set -> the first rule with both, and its place in the order. */
  private readonly seen = new Map<string, Map<string, { rule: Rule; findings: string[]; order: number }>>();
  private added = 0;

  /** The first rule added so far that covers `rule`; then adds `rule`. */
  coveringThenAdd(rule: Rule): Rule | undefined {
    const conditions = conditionsOf(rule.match);
    const findings = asList(rule.match.finding) ?? [];
    let first: { rule: Rule; order: number } | undefined;
    // Every subset of the rule's conditions, as a bit mask over them.
    for (let mask = 0; mask < 1 << conditions.length; mask++) {
      const subset = conditions.filter((_, i) => mask & (1 << i)).join("\n");
      for (const candidate of this.seen.get(subset)?.values() ?? [])
        if (
          (!first || candidate.order < first.order) &&
          findings.every((f) => candidate.findings.includes(f))
        )
          first = candidate;
    }
    // unusedForDays takes no part in matching: an earlier rule takes the secret whatever its threshold.
    const own = conditions.join("\n");
    const byFindings = this.seen.get(own) ?? new Map();
    this.seen.set(own, byFindings);
    const findingsKey = [...findings].sort().join(",");
    if (!byFindings.has(findingsKey)) byFindings.set(findingsKey, { rule, findings, order: this.added });
    this.added++;
    return first?.rule;
  }
}

/** A match's conditions but `finding`, each as `key=value` (values as JSON), in key order. */
function conditionsOf(match: Match): string[] {
  return Object.entries(match)
    .filter(([key, value]) => key !== "finding" && value !== undefined)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .sort();
}

/** Semantic checks the schema cannot express. */
export function checkPolicy(policy: Policy, origins: PolicyOrigins): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const atKey = (path: string[], message: string) => {
    const dotted = path.join(".");
    // The file that set the key, or its nearest ancestor: a whole `routing:` block is recorded only at its top.
    let file = origins.files[0];
    for (let n = path.length; n > 0; n--) {
      const origin = origins.keys.get(path.slice(0, n).join("."));
      if (origin) {
        file = origin;
        break;
      }
    }
    const pos = file ? file.locate(path) : { line: 1, col: 1 };
    problems.push({ file: file?.path ?? "(policy)", ...pos, path: dotted, message });
  };
  const atRule = (index: number, sub: (string | number)[], message: string) => {
    const origin = origins.rules[index];
    const path = ["rules", origin?.index ?? index, ...sub];
    const pos = origin ? origin.file.locate(path) : { line: 1, col: 1 };
    problems.push({ file: origin?.file.path ?? "(policy)", ...pos, path: path.join("."), message });
  };

  const routeNames = Object.keys(policy.routes);
  const knownRoute = (route: string) => routeNames.includes(route);
  const routeList = routeNames.join(", ");
  if (!knownRoute(policy.routing.default))
    atKey(["routing", "default"], `unknown Slack route '${policy.routing.default}' (routes: ${routeList})`);
  for (const [value, route] of Object.entries(policy.routing.map))
    if (!knownRoute(route))
      atKey(["routing", "map", value], `unknown Slack route '${route}' (routes: ${routeList})`);

  checkSlack(policy, atKey);

  const coverage = new CoverageIndex();
  for (const [index, rule] of policy.rules.entries()) {
    const findings = asList(rule.match.finding) ?? [];
    if (rule.route !== undefined && !knownRoute(rule.route))
      atRule(index, ["route"], `unknown Slack route '${rule.route}' (routes: ${routeList})`);
    if (rule.lifecycle && rule.actions)
      atRule(index, ["actions"], "a rule has either a lifecycle or actions, not both");
    if (!rule.lifecycle && !rule.actions) atRule(index, ["match"], "a rule needs a lifecycle or actions");
    if (rule.unusedForDays !== undefined && !findings.includes("unused"))
      atRule(index, ["unusedForDays"], "unusedForDays applies only to rules on the 'unused' finding");

    if (rule.severity !== undefined && !findings.some((f) => SECURITY_HUB_FINDINGS.has(f)))
      atRule(
        index,
        ["severity"],
        `severity applies only to rules on findings reported to Security Hub (${[...SECURITY_HUB_FINDINGS].join(", ")}); ${findings.join(", ")} are not`,
      );

    const lifecycle = rule.lifecycle;
    if (lifecycle) {
      if (findings.length !== 1 || findings[0] !== "unused")
        atRule(index, ["lifecycle"], "a lifecycle applies only to the 'unused' finding (finding: unused)");
      const { quarantine, scheduleDeletion } = lifecycle;
      if (scheduleDeletion && !quarantine)
        atRule(
          index,
          ["lifecycle", "scheduleDeletion"],
          "deletion always comes after a quarantine: add lifecycle.quarantine",
        );
      if (scheduleDeletion && quarantine && scheduleDeletion.afterDays <= quarantine.afterDays)
        atRule(
          index,
          ["lifecycle", "scheduleDeletion", "afterDays"],
          `stages out of order: scheduleDeletion.afterDays (${scheduleDeletion.afterDays}) must be later than quarantine.afterDays (${quarantine.afterDays})`,
        );
      if (
        scheduleDeletion &&
        (scheduleDeletion.recoveryWindowDays < 7 || scheduleDeletion.recoveryWindowDays > 30)
      )
        atRule(
          index,
          ["lifecycle", "scheduleDeletion", "recoveryWindowDays"],
          `recoveryWindowDays must be 7 to 30 (got ${scheduleDeletion.recoveryWindowDays})`,
        );
    }

    const actions = rule.actions ?? [];
    const names = actions.map(actionName);
    for (const [i, action] of actions.entries()) {
      const name = actionName(action);
      if (names.indexOf(name) !== i) atRule(index, ["actions", i], `action '${name}' is listed twice`);
      if (
        typeof action === "object" &&
        "notify" in action &&
        action.notify.route &&
        !knownRoute(action.notify.route)
      )
        atRule(
          index,
          ["actions", i, "notify", "route"],
          `unknown Slack route '${action.notify.route}' (routes: ${routeList})`,
        );
      if (typeof action === "object" && ("tag" in action || "untag" in action)) {
        const keys = "tag" in action ? Object.keys(action.tag) : action.untag;
        for (const key of keys) {
          if (!key.startsWith("governor:"))
            atRule(
              index,
              ["actions", i],
              `tag key '${key}': the governor only writes its own 'governor:' tags`,
            );
          else if (RESERVED_TAGS.has(key))
            atRule(index, ["actions", i], `tag key '${key}' is kept by the lifecycle; a rule cannot set it`);
        }
      }
      if (typeof action === "object" && "schedule-deletion" in action) {
        const window = action["schedule-deletion"].recoveryWindowDays;
        if (window < 7 || window > 30)
          atRule(
            index,
            ["actions", i, "schedule-deletion", "recoveryWindowDays"],
            `recoveryWindowDays must be 7 to 30 (got ${window})`,
          );
      }
      if (name === "schedule-deletion" && !names.includes("quarantine"))
        atRule(
          index,
          ["actions", i],
          "deletion always comes after a quarantine: list 'quarantine' in the same rule",
        );
    }

    // Escalations run only in the sweep (src/app/process-findings.ts, deferToSweep), and the sweep never sees
    // CloudTrail's access failures: such a rule could never act.
    const escalation = names.find((n) => n === "quarantine" || n === "schedule-deletion");
    if (escalation && findings.length > 0 && findings.every((f) => EVENT_ONLY_FINDINGS.has(f)))
      atRule(
        index,
        ["actions", names.indexOf(escalation)],
        `'${escalation}' on ${findings.join(", ")} can never run: those findings come only from CloudTrail events, and escalations run in the daily sweep, which holds the blast-radius limit; use notify or tag`,
      );

    const why = contradiction(rule.match);
    if (why) atRule(index, ["match"], `unreachable rule '${rule.name}': ${why}`);
    const earlier = coverage.coveringThenAdd(rule);
    if (earlier)
      atRule(
        index,
        ["match"],
        `unreachable rule '${rule.name}': rule '${earlier.name}' before it matches everything it does`,
      );
  }
  return problems;
}
