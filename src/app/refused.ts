import type { Mode } from "../domain/decision.js";
import type { Finding } from "../domain/finding.js";
import { foreignOrigin, type StackIdentity } from "../domain/origin.js";
import type { AuditEntry } from "../ports.js";

/** The log message of a refused event; its field `refusedEvents` (always 1) lets a metric filter count them. */
export const EVENT_REFUSED = "event refused";

/** The guard named in the audit of a refused event. */
export const FOREIGN_ORIGIN = "foreign-origin";

/**
 * Whether an event is this stack's to act on: the reason it is not, or undefined. Both the handlers and
 * `governor replay` ask this before any finding of the event reaches the store, so a refused event is never acted on.
 */
export function refusalOf(
  event: unknown,
  findings: readonly Finding[],
  stack: StackIdentity,
): string | undefined {
  return foreignOrigin(event, findings, stack);
}

/**
 * The audit of a refused event: one entry per finding it carried (or one for the event), outcome `refused`,
 * action none, the reason as detail. The ids come from the event: untrusted text, escaped by every reader.
 */
export function refusedAuditEntries(
  eventId: string | null,
  findings: readonly Finding[],
  reason: string,
  mode: Mode,
  now: Date,
): AuditEntry[] {
  const base = {
    time: now.toISOString(),
    mode,
    action: "none",
    guard: FOREIGN_ORIGIN,
    outcome: "refused" as const,
  };
  const detail = `event ${eventId ?? "(no id)"} refused: ${reason}`;
  if (findings.length === 0)
    return [{ ...base, arn: eventId ?? "", name: eventId ?? "", finding: "none", detail }];
  return findings.map((f) => ({ ...base, arn: f.secretId, name: f.secretId, finding: f.type, detail }));
}

/** The log message of a kept alert refused on redelivery (logged once per alert, with a bounded excerpt). */
export const KEPT_ALERT_REFUSED = "kept alert refused";

/** The guard named in the audit of a refused kept alert. */
export const KEPT_ALERT_CHECK = "kept-alert-check";

/**
 * The audit of a kept alert refused on redelivery: not a message the governor built, or for a route the policy
 * does not have. It names no secret; `name` is the dead letter's id for it, the reason is the detail.
 */
export function refusedKeptAlertEntry(
  id: string | undefined,
  reason: string,
  mode: Mode,
  now: Date,
): AuditEntry {
  return {
    time: now.toISOString(),
    mode,
    arn: "",
    name: id ?? "(kept alert)",
    finding: "none",
    action: "none",
    guard: KEPT_ALERT_CHECK,
    outcome: "refused",
    detail: `kept alert ${id ?? "(no id)"} refused, not posted: ${reason}`,
  };
}
