import { isoDate } from "../domain/dates.js";
import { DESTRUCTIVE_ACTIONS, type Mode } from "../domain/decision.js";
import { evaluate } from "../policy/evaluate.js";
import type { Policy } from "../policy/schema.js";
import type {
  AlertDeadLetter,
  AuditEntry,
  AuditSink,
  Clock,
  DeliveryResult,
  FailedDelivery,
  KeptAlert,
  Notifier,
  ReportItem,
} from "../ports.js";
import type { NotedReport } from "../report/digest.js";
import { readKeptAlert } from "../report/kept-alert.js";
import { worthReporting } from "./execute.js";
import type { Log } from "./handle-batch.js";
import { type FindingResult, recordAudit } from "./process-findings.js";
import { KEPT_ALERT_REFUSED, refusedKeptAlertEntry } from "./refused.js";
import type { SweepResult } from "./sweep.js";

/** Kept alerts a run re-delivers before its own report. */
export const REDELIVER_AT_MOST = 1000;

export interface NotifyDeps {
  notifier: Notifier;
  deadLetter?: AlertDeadLetter;
  log: Log;
  /** Where a kept alert refused on redelivery is audited (outcome `refused`); without it, only logged. */
  audit?: AuditSink;
  mode: Mode;
  now: Date;
  /**
   * The route of the cost digest and of a digest with nothing in it: the policy's `routing.default`. Without
   * it they go to a route named `default`, which a policy may not have.
   */
  defaultRoute?: string;
  /**
   * Epoch milliseconds by which delivery must be over (the invocation's end minus a margin). No kept alert is
   * re-sent after it; give the notifier the same deadline (`SlackNotifier.withDeadline`) so that it stops
   * waiting on Retry-After and backoff and returns what it could not send, to be kept.
   */
  deadline?: number;
  /** The time the deadline is checked against (default the system clock). */
  clock?: Clock;
  /**
   * The policy, to show the lifecycle's next step (and its date) on an alert outside the lifecycle, such as a
   * rotation failure on a quarantined secret (without it the message names the stage the lifecycle goes on
   * from), and to check a kept alert's route before it is re-sent: without it no kept alert is re-sent.
   */
  policy?: Policy;
}

function nowMs(deps: Pick<NotifyDeps, "clock">): number {
  return deps.clock ? deps.clock.now().getTime() : Date.now();
}

function pastDeadline(deps: Pick<NotifyDeps, "deadline" | "clock">): boolean {
  return deps.deadline !== undefined && nowMs(deps) >= deps.deadline;
}

/**
 * The lifecycle's next step for a decision outside the lifecycle on a secret that is in it: what the unused
 * lifecycle would do next, and when (today when it is already due: the sweep does it).
 */
function withLifecycleNext(item: ReportItem, policy: Policy | undefined, now: Date): ReportItem {
  const { decision, secret } = item;
  if (!policy || !secret || decision.next || decision.finding === "unused" || !decision.stage) return item;
  if (secret.deletedDate) return item;
  const lifecycle = evaluate({ secret, finding: "unused" }, policy, now);
  if (!lifecycle) return item;
  const next =
    lifecycle.next ??
    (DESTRUCTIVE_ACTIONS.includes(lifecycle.action as never)
      ? { action: lifecycle.action as (typeof DESTRUCTIVE_ACTIONS)[number], on: isoDate(now) }
      : undefined);
  return next ? { ...item, decision: { ...decision, next } } : item;
}

/** What is worth a person's attention from an event batch: actions, withheld actions and failures. */
export function alertItems(
  results: readonly FindingResult[],
  context: Pick<NotifyDeps, "policy" | "now"> = { now: new Date() },
): ReportItem[] {
  const items: ReportItem[] = [];
  for (const result of results) {
    const decision = result.outcome?.decision ?? result.decision;
    if (!decision) continue;
    if (!worthReporting(decision, result.outcome?.outcome)) continue;
    const item: ReportItem = { decision, finding: result.finding };
    const secret = result.outcome?.secret ?? result.secret;
    if (secret) item.secret = secret;
    items.push(withLifecycleNext(item, context.policy, context.now));
  }
  return items;
}

/**
 * Sends a report; what Slack does not take is kept in the alert dead letter (and logged with the marker
 * `slackDeliveryFailed`, which the deployment's alarm counts). A failing Slack never fails or undoes an action.
 */
async function sendKeeping(report: NotedReport, deps: NotifyDeps): Promise<DeliveryResult> {
  const result = await deps.notifier.send(report);
  await keep(result, deps);
  return result;
}

/** The alerts a dead letter reports it did not store (SqsAlertDeadLetter's error names them). */
function notKeptOf(error: unknown): FailedDelivery[] | undefined {
  const notKept = (error as { notKept?: unknown } | null | undefined)?.notKept;
  return Array.isArray(notKept) ? (notKept as FailedDelivery[]) : undefined;
}

/** Nowhere to keep them: each message is logged whole (one line each, within a log event's size), so none is lost. */
function logWhole(failed: readonly FailedDelivery[], deps: NotifyDeps): void {
  for (const f of failed)
    deps.log.error("undelivered alert", { route: f.route, reason: f.reason, payload: f.payload });
}

/** Keeps what Slack did not take. Never throws: the actions are done, and a lost alert is at worst a log line. */
async function keep(result: DeliveryResult, deps: NotifyDeps): Promise<void> {
  if (result.failed.length === 0) return;
  deps.log.error("slack delivery failed", {
    slackDeliveryFailed: result.failed.length,
    routes: [...new Set(result.failed.map((f) => f.route))],
    reasons: result.failed.map((f) => f.reason),
  });
  if (!deps.deadLetter) {
    logWhole(result.failed, deps);
    return;
  }
  try {
    await deps.deadLetter.put(result.failed);
  } catch (error) {
    const notKept = notKeptOf(error) ?? result.failed;
    deps.log.error("alert dead letter failed; the alerts it did not keep are logged whole", {
      error: error instanceof Error ? error.message : String(error),
      notKept: notKept.length,
      kept: result.failed.length - notKept.length,
    });
    logWhole(notKept, deps);
  }
}

/** What a run did with the kept alerts it took. */
export interface Redelivery {
  redelivered: number;
  stillKept: number;
  /** Refused by Slack for good: logged whole and let go. */
  dropped: number;
  /** Not a message the governor built, or for a route the policy does not have: never posted. */
  keptAlertsRejected: number;
}

const NOTHING_TAKEN: Redelivery = { redelivered: 0, stillKept: 0, dropped: 0, keptAlertsRejected: 0 };

/**
 * The message of the line each redelivery logs, with the numeric fields `redelivered`, `stillKept`, `dropped`
 * and `keptAlertsRejected`, so that a metric filter (`$.keptAlertsRejected > 0`) can count refused bodies.
 */
export const KEPT_ALERTS_SUMMARY = "kept alerts redelivery";

/** Part of a refused body logged: enough to see what it was, bounded whatever was sent to the queue. */
export const REFUSED_BODY_EXCERPT_CHARS = 1_000;

/**
 * Re-delivers kept alerts; returns how many are still kept. Each body is re-validated first
 * (src/report/kept-alert.ts): one that is not a message the governor built, or names a route the policy does
 * not have, is never posted; it is logged with a bounded excerpt, audited as refused, counted and acked, so it
 * is not read again. A dead letter that cannot be read, or no time left before the deadline, leaves the kept
 * alerts where they are for the next run.
 */
export async function redeliverKept(deps: NotifyDeps): Promise<Redelivery> {
  if (!deps.deadLetter) return { ...NOTHING_TAKEN };
  if (pastDeadline(deps)) {
    deps.log.warn("no time left to re-send kept alerts; the next run will", {});
    return { ...NOTHING_TAKEN };
  }
  let kept: KeptAlert[];
  try {
    kept = await deps.deadLetter.take(REDELIVER_AT_MOST);
  } catch (error) {
    deps.log.error("alert dead letter could not be read; kept alerts wait for the next run", {
      error: error instanceof Error ? error.message : String(error),
    });
    return { ...NOTHING_TAKEN };
  }
  // Without the policy no route can be vouched for: every kept alert is refused rather than posted unchecked.
  const routes = deps.policy ? Object.keys(deps.policy.routes) : [];
  const outcome = { ...NOTHING_TAKEN };
  const refusals: AuditEntry[] = [];
  const ack = async (done: () => Promise<void>, extra: Record<string, unknown>) => {
    try {
      await done();
    } catch (error) {
      deps.log.warn("kept alert could not be acked; it may be sent again", {
        ...extra,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  for (const { body, id, ack: done } of kept) {
    const checked = readKeptAlert(body, routes);
    if (!("alert" in checked)) {
      // Refused whatever the time: no Slack call is needed to let it go.
      deps.log.warn(KEPT_ALERT_REFUSED, {
        ...(id ? { messageId: id } : {}),
        reason: checked.reason,
        bodyChars: body.length,
        excerpt: body.slice(0, REFUSED_BODY_EXCERPT_CHARS),
      });
      refusals.push(refusedKeptAlertEntry(id, checked.reason, deps.mode, deps.now));
      outcome.keptAlertsRejected++;
      await ack(done, id ? { messageId: id } : {});
      continue;
    }
    const { alert } = checked;
    // Not acked: it stays kept (and reappears once the dead letter's visibility timeout ends).
    if (pastDeadline(deps)) {
      outcome.stillKept++;
      continue;
    }
    const result = await deps.notifier.deliver([{ route: alert.route, message: alert.payload }]);
    if (result.failed.length === 0) {
      await ack(done, { route: alert.route });
      outcome.redelivered++;
    } else if (!result.failed.every((f) => f.retryable)) {
      // Slack refuses this message for good (e.g. the webhook was revoked): log it whole and let it go.
      deps.log.error("alert dropped after a final rejection", {
        route: alert.route,
        reason: result.failed[0]?.reason,
        payload: alert.payload,
        slackDeliveryFailed: 1,
      });
      outcome.dropped++;
      await ack(done, { route: alert.route });
    } else outcome.stillKept++;
  }
  await recordAudit(deps.audit, refusals, deps.log);
  if (kept.length > 0) {
    const line = { taken: kept.length, ...outcome };
    if (outcome.keptAlertsRejected > 0) deps.log.warn(KEPT_ALERTS_SUMMARY, line);
    else deps.log.info(KEPT_ALERTS_SUMMARY, line);
  }
  return outcome;
}

function groupByRoute(items: readonly ReportItem[]): Map<string, ReportItem[]> {
  const byRoute = new Map<string, ReportItem[]>();
  for (const item of items) {
    const list = byRoute.get(item.decision.route);
    if (list) list.push(item);
    else byRoute.set(item.decision.route, [item]);
  }
  return byRoute;
}

/**
 * The alerts of one event batch, at most one message per route: a route with one alert gets that alert's own
 * message, a route with several gets one digest of them.
 */
export async function notifyEventResults(results: readonly FindingResult[], deps: NotifyDeps): Promise<void> {
  const items = alertItems(results, deps);
  if (items.length === 0) return;
  const lists = [...groupByRoute(items).values()];
  const singles = lists.filter((l) => l.length === 1).flat();
  const several = lists.filter((l) => l.length > 1).flat();
  if (singles.length > 0)
    await sendKeeping({ mode: deps.mode, kind: "items", items: singles, now: deps.now }, deps);
  if (several.length > 0)
    await sendKeeping(
      { mode: deps.mode, kind: "digest", title: "Secrets governor alerts", items: several, now: deps.now },
      deps,
    );
}

/**
 * The sweep's reports: kept alerts first, then one digest per route, then the daily cost digest with the
 * run's unused secrets (the builder lists the most advanced first and counts the rest).
 */
export async function notifySweep(
  result: SweepResult,
  deps: NotifyDeps,
): Promise<{ failedDeliveries: number; keptAlertsRejected: number }> {
  // The digests say how many alerts could not be delivered: still kept, or dropped after a final rejection.
  // Refused bodies are not the governor's alerts: they are counted apart, never in the digests.
  const { stillKept, dropped, keptAlertsRejected } = await redeliverKept(deps);
  const items: ReportItem[] = [];
  const byArn = new Map(result.secrets.map((s) => [s.arn, s]));
  for (const outcome of result.outcomes) {
    const decision = outcome.decision;
    const secret = outcome.secret ?? byArn.get(decision.arn);
    items.push(withLifecycleNext(secret ? { decision, secret } : { decision }, deps.policy, deps.now));
  }
  const base = {
    mode: deps.mode,
    now: deps.now,
    summary: result.plan.summary,
    failedDeliveries: stillKept + dropped,
    ...(deps.defaultRoute ? { route: deps.defaultRoute } : {}),
    // Without Config's data, "unused" was judged from ListSecrets alone: the digests say so.
    ...(result.complianceUnavailable ? { notes: [result.complianceUnavailable] } : {}),
  };
  const digest = await sendKeeping({ ...base, kind: "digest", items }, deps);
  const unused = items.filter((i) => i.decision.finding === "unused");
  const cost = await sendKeeping({ ...base, kind: "cost", items: unused }, deps);
  return {
    failedDeliveries: stillKept + dropped + digest.failed.length + cost.failed.length,
    keptAlertsRejected,
  };
}
