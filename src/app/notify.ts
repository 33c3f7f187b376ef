import type { Mode } from "../domain/decision.js";
import type { AlertDeadLetter, DeliveryResult, Notifier, Report, ReportItem } from "../ports.js";
import type { Log } from "./handle-batch.js";
import type { FindingResult } from "./process-findings.js";
import type { SweepResult } from "./sweep.js";

/** Above this many alerts, an event batch sends one digest per route instead of one message per alert. */
export const DIGEST_ABOVE = 5;
/** Kept alerts a run re-delivers before its own report. */
export const REDELIVER_AT_MOST = 100;

export interface NotifyDeps {
  notifier: Notifier;
  deadLetter?: AlertDeadLetter;
  log: Log;
  mode: Mode;
  now: Date;
}

/** What is worth a person's attention from an event batch: actions, withheld actions and failures. */
export function alertItems(results: readonly FindingResult[]): ReportItem[] {
  const items: ReportItem[] = [];
  for (const result of results) {
    const decision = result.outcome?.decision ?? result.decision;
    if (!decision) continue;
    const worth =
      decision.action !== "none" || decision.guard !== null || result.outcome?.outcome === "failed";
    if (!worth) continue;
    const item: ReportItem = { decision, finding: result.finding };
    const secret = result.outcome?.secret ?? result.secret;
    if (secret) item.secret = secret;
    items.push(item);
  }
  return items;
}

/**
 * Sends a report; what Slack does not take is kept in the alert dead letter (and logged with the marker
 * `slackDeliveryFailed`, which the deployment's alarm counts). A failing Slack never fails or undoes an action.
 */
async function sendKeeping(report: Report, deps: NotifyDeps): Promise<DeliveryResult> {
  const result = await deps.notifier.send(report);
  await keep(result, deps);
  return result;
}

async function keep(result: DeliveryResult, deps: NotifyDeps): Promise<void> {
  if (result.failed.length === 0) return;
  deps.log.error("slack delivery failed", {
    slackDeliveryFailed: result.failed.length,
    routes: [...new Set(result.failed.map((f) => f.route))],
    reasons: result.failed.map((f) => f.reason),
  });
  if (!deps.deadLetter) {
    // Nowhere to keep them: the log line carries the whole messages so nothing is lost.
    deps.log.error("undelivered alerts", {
      alerts: result.failed.map((f) => ({ route: f.route, payload: f.payload })),
    });
    return;
  }
  await deps.deadLetter.put(result.failed);
}

/** Re-delivers kept alerts; returns how many are still kept. */
export async function redeliverKept(deps: NotifyDeps): Promise<{ redelivered: number; stillKept: number }> {
  if (!deps.deadLetter) return { redelivered: 0, stillKept: 0 };
  const kept = await deps.deadLetter.take(REDELIVER_AT_MOST);
  let redelivered = 0;
  let stillKept = 0;
  for (const { alert, ack } of kept) {
    const result = await deps.notifier.deliver([{ route: alert.route, message: alert.payload }]);
    if (result.failed.length === 0) {
      await ack();
      redelivered++;
    } else if (!result.failed.every((f) => f.retryable)) {
      // Slack refuses this message for good (e.g. the webhook was revoked): log it whole and let it go.
      deps.log.error("alert dropped after a final rejection", {
        route: alert.route,
        reason: result.failed[0]?.reason,
        payload: alert.payload,
      });
      await ack();
    } else stillKept++;
  }
  return { redelivered, stillKept };
}

/** The alerts of one event batch: one message each, or a digest per route when there are many. */
export async function notifyEventResults(results: readonly FindingResult[], deps: NotifyDeps): Promise<void> {
  const items = alertItems(results);
  if (items.length === 0) return;
  await sendKeeping(
    { mode: deps.mode, kind: items.length > DIGEST_ABOVE ? "digest" : "items", items, now: deps.now },
    deps,
  );
}

/** The sweep's reports: kept alerts first, then one digest per route, then the daily cost digest. */
export async function notifySweep(
  result: SweepResult,
  deps: NotifyDeps,
): Promise<{ failedDeliveries: number }> {
  const { stillKept } = await redeliverKept(deps);
  const items: ReportItem[] = [];
  const byArn = new Map(result.secrets.map((s) => [s.arn, s]));
  for (const outcome of result.outcomes) {
    const decision = outcome.decision;
    const secret = outcome.secret ?? byArn.get(decision.arn);
    items.push(secret ? { decision, secret } : { decision });
  }
  const base = { mode: deps.mode, now: deps.now, summary: result.plan.summary, failedDeliveries: stillKept };
  const digest = await sendKeeping({ ...base, kind: "digest", items }, deps);
  const cost = await sendKeeping({ ...base, kind: "cost", items: [] }, deps);
  return { failedDeliveries: stillKept + digest.failed.length + cost.failed.length };
}
