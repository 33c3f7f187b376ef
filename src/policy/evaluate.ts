import { addDays, dayCount, daysBetween, isoDate, parseIsoDate } from "../domain/dates.js";
import {
  type ActionKind,
  type Decision,
  type Guard,
  STAGE_RULE_TAG,
  STAGE_SINCE_TAG,
  STAGE_TAG,
  STAGES,
  type Stage,
  type Step,
  USED_ON_TAG,
} from "../domain/decision.js";
import type { AccessAttempt, FindingType } from "../domain/finding.js";
import { isReplica, isReplicatedPrimary, type Secret } from "../domain/secret.js";
import { daysSinceLastUse, isUnused, lastAccessAnywhere, replicasUnknown } from "./facts.js";
import { firstMatchingRule, isExempt } from "./match.js";
import {
  type ActionSpec,
  DEFAULT_UNUSED_FOR_DAYS,
  type Lifecycle,
  type Policy,
  type Rule,
} from "./schema.js";
import { dueAfterSnooze, keptOf, ownSecretOf, snoozedOf } from "./slack-decisions.js";

/** What is known about one finding on one secret when the engine decides. */
export interface EvaluationInput {
  secret: Secret;
  finding: FindingType;
  /** From Config or an event; undefined means "judge from the facts" (the planner without Config data). */
  status?: "open" | "resolved";
  access?: AccessAttempt;
  /** What the source said (e.g. a rotation failure's error message): untrusted text. */
  message?: string;
  /** When the source observed it (Config's evaluation, CloudTrail's event time): older news than the stage loses. */
  observedAt?: Date;
  /**
   * For a denied read of a secret the lifecycle quarantined: whether it proves use (src/domain/proof-of-use.ts),
   * judged and counted to the policy's threshold by the caller. Absent: not proof.
   */
  denial?: { proof: boolean; why: string; count?: number };
}

/** Most significant first: the decision's `action` is the first of these among its steps. */
const SIGNIFICANCE: ActionKind[] = [
  "schedule-deletion",
  "quarantine",
  "cancel-deletion",
  "release",
  "tag",
  "untag",
  "notify",
];

export const QUARANTINE_FEEDBACK_RULE = "quarantine-feedback";
/** The built-in rule that reports a denied read of a quarantined secret that proves no use. */
export const QUARANTINE_PROBE_RULE = "quarantine-probe";

function primaryAction(steps: Step[]): ActionKind | "none" {
  for (const kind of SIGNIFICANCE) if (steps.some((s) => s.kind === kind)) return kind;
  return "none";
}

/**
 * The lifecycle stage and since when, from the tags. `governor:stage-since` is an ISO-8601 UTC date (or a full
 * ISO timestamp); anything else, epoch seconds included, counts as missing.
 */
export function readStage(secret: Secret): { stage: Stage | null; since?: Date } {
  const value = secret.tags[STAGE_TAG];
  const stage = (STAGES as readonly string[]).includes(value ?? "") ? (value as Stage) : null;
  const since = parseIsoDate(secret.tags[STAGE_SINCE_TAG]);
  return since ? { stage, since } : { stage };
}

/** The Slack route: the rule's own, else the first routing tag whose value names a route, else the default. */
export function routeFor(policy: Policy, secret: Secret, rule?: Rule): string {
  if (rule?.route) return rule.route;
  // Tag values are anyone's text: look them up as own keys only (`constructor` names no route).
  for (const key of policy.routing.tags) {
    if (!Object.hasOwn(secret.tags, key)) continue;
    const value = secret.tags[key] as string;
    const mapped = Object.hasOwn(policy.routing.map, value) ? (policy.routing.map[value] as string) : value;
    if (Object.hasOwn(policy.routes, mapped)) return mapped;
  }
  return policy.routing.default;
}

class DecisionBuilder {
  readonly trace: string[] = [];
  constructor(
    private readonly input: EvaluationInput,
    private readonly rule: string | null,
    readonly route: string,
    private readonly stage: Stage | null,
  ) {}

  note(line: string): this {
    this.trace.push(line);
    return this;
  }

  done(
    steps: Step[],
    reason: string,
    options: { stage?: Stage | null; guard?: Guard; next?: Decision["next"] } = {},
  ): Decision {
    const decision: Decision = {
      arn: this.input.secret.arn,
      name: this.input.secret.name,
      finding: this.input.finding,
      rule: this.rule,
      action: primaryAction(steps),
      steps,
      stage: options.stage === undefined ? this.stage : options.stage,
      reason,
      guard: options.guard ?? null,
      route: this.route,
      trace: [...this.trace, `=> ${primaryAction(steps)}: ${reason}`],
    };
    if (options.next) decision.next = options.next;
    return decision;
  }

  withhold(guard: Guard, reason: string): Decision {
    this.note(`guard ${guard}: ${reason}`);
    return this.done([], reason, { guard });
  }
}

/**
 * The way back: cancel deletion, release the quarantine, reset the lifecycle tags, tell the owner. `provenOn`
 * (today's date) records a proof of use that AWS does not (a denied read) as `governor:used-on`.
 */
function wayBack(
  b: DecisionBuilder,
  secret: Secret,
  stage: Stage,
  reason: string,
  whenUsedAgain: "restore" | "notify",
  guard?: Guard,
  exempt?: string,
  provenOn?: string,
): Decision {
  if (exempt) {
    // The deployment's role may not touch an exempt secret's policy or tags (an explicit Deny), and the governor
    // does not try. Cancelling a deletion is still allowed: an exempt secret is never lost.
    b.note(`exempt (${exempt}): only a pending deletion is cancelled`);
    const steps: Step[] = secret.deletedDate
      ? [{ kind: "cancel-deletion" }, { kind: "notify", route: b.route }]
      : [{ kind: "notify", route: b.route }];
    return b.done(
      steps,
      `${reason}; exempt (${exempt}): the governor no longer changes it, 'governor restore ${secret.name}' releases it`,
      { guard: "exempt" },
    );
  }
  if (whenUsedAgain === "notify") {
    b.note("whenUsedAgain: notify: nothing is undone");
    return b.done([{ kind: "notify", route: b.route }], `${reason}; nothing undone (whenUsedAgain: notify)`, {
      ...(guard ? { guard } : {}),
    });
  }
  const steps: Step[] = [];
  // RestoreSecret first: AWS refuses tags and resource policies on a secret scheduled for deletion.
  if (secret.deletedDate) steps.push({ kind: "cancel-deletion" });
  // The proof before the release: a run cut short after it still leaves a secret the next sweep sees in use.
  if (provenOn && secret.tags[USED_ON_TAG] !== provenOn)
    steps.push({ kind: "tag", tags: { [USED_ON_TAG]: provenOn } });
  if (stage === "quarantined" || stage === "deletion-scheduled") steps.push({ kind: "release" });
  steps.push({ kind: "untag", keys: stageKeys(secret) });
  steps.push({ kind: "notify", route: b.route });
  b.note(`way back from ${stage}`);
  return b.done(steps, reason, { stage: null, ...(guard ? { guard } : {}) });
}

/** The lifecycle tags a way back removes: the stage, its date, and the rule that set it when one did. */
function stageKeys(secret: Secret): string[] {
  return Object.hasOwn(secret.tags, STAGE_RULE_TAG)
    ? [STAGE_TAG, STAGE_SINCE_TAG, STAGE_RULE_TAG]
    : [STAGE_TAG, STAGE_SINCE_TAG];
}

/** The rule whose plain actions set the secret's stage, if one did (the lifecycle writes no such tag). */
function stageRuleOf(secret: Secret): string | undefined {
  return Object.hasOwn(secret.tags, STAGE_RULE_TAG) ? secret.tags[STAGE_RULE_TAG] : undefined;
}

/** A run takes at most this long (the sweep's timeout): a change later than that after its tag is not its own. */
export const RUN_LENGTH_MS = 20 * 60_000;

/** The deletion stage's tags: the time of the run, not only its day, so a run cut short can be told apart. */
function deletionTags(now: Date): Record<string, string> {
  return { [STAGE_TAG]: "deletion-scheduled", [STAGE_SINCE_TAG]: now.toISOString() };
}

/**
 * Tagged deletion-scheduled by a run that did not get to DeleteSecret: the tag holds the run's time, and the
 * secret has not changed since (a DeleteSecret, a RestoreSecret would have moved LastChangedDate). Unknown
 * facts count as a change: the lifecycle is then reset, which deletes nothing.
 */
function cutShortBeforeDeletion(secret: Secret, now: Date): boolean {
  const text = secret.tags[STAGE_SINCE_TAG] ?? "";
  const since = parseIsoDate(text);
  if (!since || !text.includes("T") || secret.lastChangedDate === undefined) return false;
  if (now.getTime() - since.getTime() > 3 * 86_400_000) return false;
  return secret.lastChangedDate.getTime() <= since.getTime() + RUN_LENGTH_MS;
}

function ago(days: number): string {
  return days === 0 ? "today" : `${dayCount(days)} ago`;
}

/** How recently a secret in use was used: "read 1 day ago", or "created today, never read". */
function recentUse(secret: Secret, now: Date): string {
  const last = lastAccessAnywhere(secret);
  if (last) return `read ${ago(daysBetween(last, now))}`;
  return secret.createdDate
    ? `created ${ago(daysBetween(secret.createdDate, now))}, never read`
    : "never read";
}

function usageText(secret: Secret, now: Date): string {
  const last = lastAccessAnywhere(secret);
  if (last) return `not read for ${dayCount(daysBetween(last, now))} (last read ${isoDate(last)})`;
  const created = secret.createdDate;
  return created ? `never read, created ${ago(daysBetween(created, now))}` : "never read";
}

/** A secret with neither date cannot be judged unused or not: said in the plan, never passed over in silence. */
const UNDATABLE = "no CreatedDate or LastAccessedDate";
const UNDATABLE_SKIPPED = `${UNDATABLE}: cannot judge whether it is unused, so it is skipped`;

function evaluateLifecycle(
  input: EvaluationInput,
  rule: Rule,
  lifecycle: Lifecycle,
  policy: Policy,
  now: Date,
): Decision | undefined {
  const { secret } = input;
  const today = isoDate(now);
  const { stage, since } = readStage(secret);
  const b = new DecisionBuilder(input, rule.name, routeFor(policy, secret, rule), stage);
  b.note(`rule ${rule.name}: lifecycle, stage ${stage ?? "none"}${since ? ` since ${isoDate(since)}` : ""}`);
  const threshold = rule.unusedForDays ?? DEFAULT_UNUSED_FOR_DAYS;

  // A deletion someone else scheduled is not ours to undo. Ours is undone below when the secret turns out
  // to be exempt or in use after all; otherwise it stays pending.
  if (secret.deletedDate && stage !== "deletion-scheduled")
    return b.withhold(
      "already-deleted",
      `scheduled for deletion on ${isoDate(secret.deletedDate)} by someone else`,
    );
  const exempt = isExempt(secret, policy.exempt);
  if (exempt) {
    if (stage)
      return wayBack(
        b.note(`guard exempt: ${exempt}`),
        secret,
        stage,
        `exempt while ${stage}`,
        "restore",
        "exempt",
        exempt,
      );
    return b.withhold("exempt", `exempt (${exempt})`);
  }
  // Kept from Slack: out of the lifecycle until the date (a stage it was in is undone), back in after it.
  const kept = keptOf(secret, policy, now);
  if (kept) {
    const why = `kept by ${kept.by} until ${kept.until}`;
    if (stage) return wayBack(b.note(`guard exempt: ${why}`), secret, stage, why, "restore", "exempt");
    return b.withhold("exempt", why);
  }
  const snoozed = snoozedOf(secret, policy, now);
  const owner = stageRuleOf(secret);
  if (stage && owner !== undefined && owner !== rule.name)
    return b.done([], `${stage} by rule ${owner}, not by this lifecycle: left to that rule`);
  if (secret.owningService)
    return b.withhold("owning-service", `managed by ${secret.owningService}: report only`);
  if (isReplica(secret))
    return b.withhold(
      "replica",
      `replica of the primary in ${secret.primaryRegion}: governed in that region`,
    );
  if (replicasUnknown(secret))
    return b.withhold(
      "replicas-unknown",
      "a replicated primary whose replicas' last access is unknown (DescribeSecret gives ReplicationStatus)",
    );

  const judged = isUnused(secret, now, threshold);
  const days = daysSinceLastUse(secret, now);
  const usedAgain = input.status === "resolved" || judged === false;
  if (usedAgain) {
    const why = input.status === "resolved" ? "Config reports it in use again" : recentUse(secret, now);
    if (stage) return wayBack(b, secret, stage, `used again (${why})`, lifecycle.whenUsedAgain);
    if (input.status === "open")
      return b.withhold("recently-accessed", `Config says unused but it was ${why}`);
    return undefined;
  }
  if (secret.deletedDate)
    return b.done([], `deletion scheduled on ${isoDate(secret.deletedDate)}; 'governor restore' cancels it`, {
      guard: "already-deleted",
    });
  if (judged === undefined && input.status !== "open")
    return b.done([], stage ? `${UNDATABLE}: cannot judge whether it is still unused` : UNDATABLE_SKIPPED);
  const usage = usageText(secret, now);
  b.note(`unused: ${usage} (threshold ${threshold})`);

  if (stage === null) {
    const unusedDays = days === undefined ? lifecycle.flag.afterDays : days - threshold - 1;
    if (unusedDays < lifecycle.flag.afterDays) {
      const on = isoDate(addDays(now, lifecycle.flag.afterDays - unusedDays));
      return b.done([], `${usage}; flagging on ${on}`, { next: { action: "tag", on } });
    }
    const steps: Step[] = [
      { kind: "tag", tags: { [STAGE_TAG]: "flagged", [STAGE_SINCE_TAG]: today } },
      { kind: "notify", route: b.route },
    ];
    const next = lifecycle.quarantine
      ? { action: "quarantine" as const, on: isoDate(addDays(now, lifecycle.quarantine.afterDays)) }
      : undefined;
    return b.done(steps, `${usage}: flagged, owner warned`, { stage: "flagged", ...(next ? { next } : {}) });
  }

  if (!since) {
    b.note(`${STAGE_SINCE_TAG} missing or invalid: the clock restarts today`);
    return b.done(
      [{ kind: "tag", tags: { [STAGE_TAG]: stage, [STAGE_SINCE_TAG]: today } }],
      `${usage}; stage date reset to ${today}`,
    );
  }

  if (stage === "flagged") {
    if (!lifecycle.quarantine)
      return b.done([], `${usage}; flagged since ${isoDate(since)} (no quarantine stage)`);
    const dueOn = dueAfterSnooze(addDays(since, lifecycle.quarantine.afterDays), snoozed);
    if (snoozed && dueOn === snoozed.until)
      b.note(`snoozed by ${snoozed.by} until ${isoDate(snoozed.until)}`);
    if (now < dueOn)
      return b.done([], `${usage}; flagged since ${isoDate(since)}, quarantine on ${isoDate(dueOn)}`, {
        next: { action: "quarantine", on: isoDate(dueOn) },
      });
    const steps: Step[] = [
      { kind: "quarantine" },
      { kind: "tag", tags: { [STAGE_TAG]: "quarantined", [STAGE_SINCE_TAG]: today } },
      { kind: "notify", route: b.route },
    ];
    const deletion = lifecycle.scheduleDeletion;
    const next = deletion
      ? {
          action: "schedule-deletion" as const,
          on: isoDate(addDays(now, deletion.afterDays - lifecycle.quarantine.afterDays)),
        }
      : undefined;
    return b.done(steps, `${usage}; flagged ${ago(daysBetween(since, now))}: quarantined`, {
      stage: "quarantined",
      ...(next ? { next } : {}),
    });
  }

  if (stage === "quarantined") {
    const deletion = lifecycle.scheduleDeletion;
    if (!deletion || !lifecycle.quarantine)
      return b.done([], `${usage}; quarantined since ${isoDate(since)} (no deletion stage)`);
    // Deletion is due `afterDays` after flagging, and never sooner than that gap after the quarantine itself.
    const dueOn = dueAfterSnooze(
      addDays(since, deletion.afterDays - lifecycle.quarantine.afterDays),
      snoozed,
    );
    if (snoozed && dueOn === snoozed.until)
      b.note(`snoozed by ${snoozed.by} until ${isoDate(snoozed.until)}`);
    if (now < dueOn)
      return b.done([], `${usage}; quarantined since ${isoDate(since)}, deletion on ${isoDate(dueOn)}`, {
        next: { action: "schedule-deletion", on: isoDate(dueOn) },
      });
    if (isReplicatedPrimary(secret) && (secret.replicas?.length ?? 0) > 0)
      return b.withhold(
        "replica",
        "a primary with replicas cannot be deleted until they are removed, and removing a replica deletes it at once: left to its owner",
      );
    const steps: Step[] = [
      { kind: "tag", tags: deletionTags(now) },
      { kind: "schedule-deletion", recoveryWindowDays: deletion.recoveryWindowDays },
      { kind: "notify", route: b.route },
    ];
    const finalOn = isoDate(addDays(now, deletion.recoveryWindowDays));
    return b.done(
      steps,
      `${usage}; quarantined ${dayCount(daysBetween(since, now))}: deletion scheduled, final on ${finalOn}`,
      {
        stage: "deletion-scheduled",
      },
    );
  }

  // deletion-scheduled, but the secret is not scheduled for deletion. The tag is written before DeleteSecret
  // (AWS refuses tags on a secret scheduled for deletion, and the role may delete only what the tag shows has
  // passed quarantine), with the time of the run. When nothing changed the secret since (LastChangedDate, which
  // DeleteSecret and RestoreSecret move), the run was cut short between the two: the deletion is completed.
  // When something did, someone restored it: the lifecycle is reset.
  const deletion = lifecycle.scheduleDeletion;
  if (deletion && cutShortBeforeDeletion(secret, now)) {
    b.note(
      "tagged deletion-scheduled, not scheduled, unchanged since: a run was cut short, the deletion is completed",
    );
    const finalOn = isoDate(addDays(now, deletion.recoveryWindowDays));
    return b.done(
      [
        { kind: "schedule-deletion", recoveryWindowDays: deletion.recoveryWindowDays },
        { kind: "notify", route: b.route },
      ],
      `${usage}; deletion scheduled (completing a run cut short), final on ${finalOn}`,
      { stage: "deletion-scheduled" },
    );
  }
  return wayBack(b, secret, stage, "restored outside the governor: lifecycle reset", "restore");
}

function stepsFor(
  spec: ActionSpec,
  secret: Secret,
  stage: Stage | null,
  route: string,
  now: Date,
  ruleName: string,
): Step[] {
  const today = isoDate(now);
  if (spec === "notify") return [{ kind: "notify", route }];
  if (typeof spec === "object" && "notify" in spec)
    return [{ kind: "notify", route: spec.notify.route ?? route }];
  if (typeof spec === "object" && "tag" in spec) {
    const changed = Object.fromEntries(Object.entries(spec.tag).filter(([k, v]) => secret.tags[k] !== v));
    return Object.keys(changed).length > 0 ? [{ kind: "tag", tags: changed }] : [];
  }
  if (typeof spec === "object" && "untag" in spec) {
    const present = spec.untag.filter((k) => k in secret.tags);
    return present.length > 0 ? [{ kind: "untag", keys: present }] : [];
  }
  if (spec === "quarantine")
    return stage === "quarantined" || stage === "deletion-scheduled"
      ? []
      : [
          { kind: "quarantine" },
          {
            kind: "tag",
            tags: { [STAGE_TAG]: "quarantined", [STAGE_SINCE_TAG]: today, [STAGE_RULE_TAG]: ruleName },
          },
        ];
  if (spec === "release")
    return stage === "quarantined" && (stageRuleOf(secret) ?? ruleName) === ruleName
      ? [{ kind: "release" }, { kind: "untag", keys: stageKeys(secret) }]
      : [];
  // The governor cancels only deletions of secrets in its lifecycle (the role allows no other): a deletion a
  // person scheduled on a secret outside it is theirs to undo.
  if (spec === "cancel-deletion")
    return secret.deletedDate && stage !== null ? [{ kind: "cancel-deletion" }] : [];
  // schedule-deletion: only once the governor's quarantine has lasted long enough.
  const options =
    typeof spec === "object" ? spec["schedule-deletion"] : { recoveryWindowDays: 30, afterQuarantineDays: 7 };
  const { since } = readStage(secret);
  if (stage !== "quarantined" || !since || daysBetween(since, now) < options.afterQuarantineDays) return [];
  return [
    { kind: "tag", tags: deletionTags(now) },
    { kind: "schedule-deletion", recoveryWindowDays: options.recoveryWindowDays },
  ];
}

const SAFE_UNDER_GUARD = new Set<Step["kind"]>(["notify"]);

/**
 * The guards of an unused finding that the lifecycle applies and plain actions must too: whether the secret is
 * unused at all is in doubt. Judged on the facts given (fresh ones: the event path describes the secret first, and
 * a destructive step re-runs this on a new DescribeSecret).
 */
function unusedGuard(input: EvaluationInput, rule: Rule, now: Date): [Guard, string] | undefined {
  if (input.finding !== "unused" || input.status === "resolved") return undefined;
  const { secret } = input;
  if (replicasUnknown(secret))
    return [
      "replicas-unknown",
      "a replicated primary whose replicas' last access is unknown (DescribeSecret gives ReplicationStatus)",
    ];
  const threshold = rule.unusedForDays ?? DEFAULT_UNUSED_FOR_DAYS;
  if (isUnused(secret, now, threshold) === false)
    return ["recently-accessed", `Config says unused but it was ${recentUse(secret, now)}`];
  return undefined;
}

function evaluateActions(input: EvaluationInput, rule: Rule, policy: Policy, now: Date): Decision {
  const { secret } = input;
  const { stage } = readStage(secret);
  const b = new DecisionBuilder(input, rule.name, routeFor(policy, secret, rule), stage);
  b.note(`rule ${rule.name}: actions`);
  const exempt = isExempt(secret, policy.exempt);
  if (exempt) return b.withhold("exempt", `exempt (${exempt})`);
  const kept = keptOf(secret, policy, now);
  if (kept) return b.withhold("exempt", `kept by ${kept.by} until ${kept.until}`);
  let steps = (rule.actions ?? []).flatMap((spec) => stepsFor(spec, secret, stage, b.route, now, rule.name));
  const doubt = unusedGuard(input, rule, now);
  const guard: [Guard, string] | undefined = secret.deletedDate
    ? ["already-deleted", `scheduled for deletion on ${isoDate(secret.deletedDate)}`]
    : secret.owningService
      ? ["owning-service", `managed by ${secret.owningService}: report only`]
      : isReplica(secret)
        ? ["replica", `replica of the primary in ${secret.primaryRegion}`]
        : doubt;
  const reason = input.access
    ? `${input.finding}: ${input.access.api} by ${input.access.principalArn ?? "an unknown principal"} (${input.access.errorCode ?? "error"})`
    : input.message
      ? `${input.finding}: ${input.message}`
      : `${input.finding}`;
  if (guard) {
    const allowed = steps.filter(
      (s) => SAFE_UNDER_GUARD.has(s.kind) || (guard[0] === "already-deleted" && s.kind === "cancel-deletion"),
    );
    // A doubt about the finding itself is named even when only a notice is left: the notice must say it.
    if (allowed.length !== steps.length || guard === doubt) {
      b.note(`guard ${guard[0]}: ${guard[1]}`);
      steps = allowed;
      return b.done(steps, `${reason}; ${guard[1]}`, { guard: guard[0] });
    }
  }
  const stageAfter = steps.some((s) => s.kind === "schedule-deletion")
    ? "deletion-scheduled"
    : steps.some((s) => s.kind === "quarantine")
      ? "quarantined"
      : steps.some((s) => s.kind === "release")
        ? null
        : stage;
  return b.done(steps, steps.length > 0 ? reason : `${reason}; nothing to change`, { stage: stageAfter });
}

/**
 * A denied read of a secret the governor itself quarantined (or scheduled for deletion), by a principal that could
 * read it before, denied by the governor's own statement, as often as the policy's threshold asks
 * (`input.denial`): proof that it is still in use. By default the quarantine is released and the lifecycle reset.
 */
function evaluateQuarantineFeedback(
  input: EvaluationInput,
  policy: Policy,
  stage: Stage,
  now: Date,
): Decision {
  const { secret } = input;
  const lifecycleRule = firstMatchingRule(policy.rules, secret, "unused", now);
  const b = new DecisionBuilder(
    input,
    QUARANTINE_FEEDBACK_RULE,
    routeFor(policy, secret, lifecycleRule),
    stage,
  );
  const who = input.access?.principalArn ?? "an unknown principal";
  const count = input.denial?.count ?? 1;
  const times = count === 1 ? "" : `, ${count} times`;
  const reason = `${who} still reads it (${input.access?.api ?? "read"} denied while ${stage}${times}): the secret is in use`;
  b.note(
    `built-in ${QUARANTINE_FEEDBACK_RULE}: ${input.denial?.why}; onQuarantined ${policy.accessFailures.onQuarantined}`,
  );
  const exempt = isExempt(secret, policy.exempt);
  // The denied read is the proof of use, but AWS does not move LastAccessedDate for it: recorded on the secret,
  // or the next sweep would judge it unused again and quarantine it once more.
  return wayBack(
    b,
    secret,
    stage,
    reason,
    policy.accessFailures.onQuarantined === "release" ? "restore" : "notify",
    exempt ? "exempt" : undefined,
    exempt,
    isoDate(now),
  );
}

/**
 * A denied read of a quarantined secret that proves nothing: someone else's deny, a caller who never had access,
 * a guessed ARN. Reported to the owner as a probe; the quarantine and any deletion stay.
 */
function evaluateQuarantineProbe(input: EvaluationInput, policy: Policy, stage: Stage, now: Date): Decision {
  const { secret } = input;
  const lifecycleRule = firstMatchingRule(policy.rules, secret, "unused", now);
  const b = new DecisionBuilder(input, QUARANTINE_PROBE_RULE, routeFor(policy, secret, lifecycleRule), stage);
  const who = input.access?.principalArn ?? "an unknown principal";
  const why = input.denial?.why ?? "not judged";
  b.note(`built-in ${QUARANTINE_PROBE_RULE}: not proof of use: ${why}`);
  const count = input.denial?.count ?? 1;
  return b.done(
    [{ kind: "notify", route: b.route }],
    `${who} was denied ${input.access?.api ?? "a read"} while ${stage}${count === 1 ? "" : ` (${count} times)`}: not proof of use (${why}); the secret stays ${stage}`,
  );
}

/**
 * The engine: secret facts, one finding, the policy and the time in; a decision with its trace out, or undefined
 * when the policy has nothing to say. Pure: no I/O, no clock.
 */
/**
 * Was this observed on a day before the secret entered its stage? Events arrive out of order and are replayed
 * days later: a COMPLIANT from before the flag, or a denied read from before the quarantine, says nothing
 * about the stage the secret is in now.
 */
function predatesStage(input: EvaluationInput): boolean {
  const { since } = readStage(input.secret);
  return input.observedAt !== undefined && since !== undefined && isoDate(input.observedAt) < isoDate(since);
}

export function evaluate(input: EvaluationInput, policy: Policy, now: Date): Decision | undefined {
  const own = ownSecretOf(input.secret, policy);
  if (own) {
    // The governor reads these: a quarantine would cut off its own alerts or its Slack buttons.
    const rule = firstMatchingRule(policy.rules, input.secret, input.finding, now);
    if (!rule) return undefined;
    return new DecisionBuilder(
      input,
      rule.name,
      routeFor(policy, input.secret, rule),
      readStage(input.secret).stage,
    )
      .note(`${own}: the governor never governs its own secrets`)
      .withhold("exempt", `${own}: the governor never governs its own secrets`);
  }
  const { stage } = readStage(input.secret);
  if (
    (input.finding === "access-denied" || input.finding === "decryption-failure") &&
    input.status !== "resolved" &&
    (stage === "quarantined" || stage === "deletion-scheduled") &&
    stageRuleOf(input.secret) === undefined &&
    !predatesStage(input)
  )
    // Only the lifecycle's quarantine is about use: one a rule put for another finding stays when read.
    return input.denial?.proof === true
      ? evaluateQuarantineFeedback(input, policy, stage, now)
      : evaluateQuarantineProbe(input, policy, stage, now);
  if (input.status === "resolved" && stage !== null && predatesStage(input)) {
    // A stale "in use again": judge from the facts of now instead.
    const { status: _stale, ...rest } = input;
    const decision = evaluate(rest, policy, now);
    if (decision)
      decision.trace.unshift(
        `Config's ${input.finding} resolved of ${isoDate(input.observedAt as Date)} predates the stage ${stage}: stale, judged from the facts`,
      );
    return decision;
  }
  const rule = firstMatchingRule(policy.rules, input.secret, input.finding, now);
  if (!rule) return undefined;
  if (rule.lifecycle) return evaluateLifecycle(input, rule, rule.lifecycle, policy, now);
  if (input.finding === "unused" && input.status !== "open") {
    // A rule with plain actions on unused secrets: judge unused from the facts first. Replicas unknown cannot be
    // judged: withheld with that guard (below), as the lifecycle does, rather than silently passed over.
    const judged = isUnused(input.secret, now, rule.unusedForDays ?? DEFAULT_UNUSED_FOR_DAYS);
    const unknown = input.status === undefined && replicasUnknown(input.secret);
    if (judged === undefined && !unknown && input.status === undefined)
      return new DecisionBuilder(input, rule.name, routeFor(policy, input.secret, rule), null)
        .note(`rule ${rule.name}: ${UNDATABLE}`)
        .done([], UNDATABLE_SKIPPED);
    if (judged !== true && !unknown) return undefined;
  }
  if (input.status === "resolved") return evaluateResolved(input, rule, policy);
  return evaluateActions(input, rule, policy, now);
}

/**
 * A finding that went away (Config COMPLIANT again). A quarantine that a rule's plain actions put in place for it
 * is released: it was there only because of the finding. Anything else stays as it is.
 */
function evaluateResolved(input: EvaluationInput, rule: Rule, policy: Policy): Decision | undefined {
  const { stage } = readStage(input.secret);
  const quarantinedByRule =
    (rule.actions ?? []).some((a) => a === "quarantine") && stageRuleOf(input.secret) === rule.name;
  if (stage !== "quarantined" || !quarantinedByRule || input.secret.deletedDate) return undefined;
  const b = new DecisionBuilder(input, rule.name, routeFor(policy, input.secret, rule), stage);
  b.note(`rule ${rule.name}: ${input.finding} resolved`);
  return b.done(
    [
      { kind: "release" },
      { kind: "untag", keys: stageKeys(input.secret) },
      { kind: "notify", route: b.route },
    ],
    `${input.finding} resolved: the quarantine it caused is released`,
    { stage: null },
  );
}
