import { createHash } from "node:crypto";
import type { Finding } from "./finding.js";
import { principalIdentity } from "./principal.js";

/**
 * Access-failure windows, as every implementation of the counter (src/adapters/access-failure-counter.ts) keys,
 * counts and judges them. Windows are fixed and aligned to the clock (window `i` covers
 * `[i * windowMs, (i + 1) * windowMs)` of the failure's CloudTrail time), so every handler instance puts a failure
 * in the same window without having to agree on when a window started.
 */

/** Sessions kept per window for the report: enough to name a fleet, bounded against a flood of new ones. */
export const MAX_SESSIONS = 20;

/**
 * How long a window's count outlives the window: a late delivery of one of its failures (CloudTrail's delay, SQS
 * retries) still counts in it. Then the store forgets it (DynamoDB's TTL; memory prunes it).
 */
export const EXPIRY_MARGIN_MS = 60 * 60_000;

/** Above this, a key is hashed: DynamoDB refuses partition keys over 2048 bytes, and a probed name can be long. */
const MAX_KEY_BYTES = 1024;

/** What the access-failure counter says about one failure. */
export interface WindowVerdict {
  /** This failure makes an incident worth a message: the count of its window crossed the threshold with it. */
  incident: boolean;
  /** Failures seen for this secret, principal and finding in the current window, this one included. */
  count: number;
  /** Failures past the threshold in this window: already reported with the incident, not reported again. */
  suppressed: number;
  /** What the failures are counted by: the role of an assumed-role session, else the principal ARN. */
  principal: string;
  /** The sessions of that role seen in the window (e.g. instance ids), sorted, at most MAX_SESSIONS. */
  sessions: string[];
}

/** The window one failure falls in. */
export interface AccessWindow {
  /** The store key: `access#<secretArn>#<principal>#<findingType>#<windowIndex>`. */
  id: string;
  /** What the failure is counted by (principalIdentity's key). */
  principal: string;
  /** The assumed-role session, if any. */
  session?: string;
  index: number;
  /** When the window ends, epoch ms (exclusive). */
  end: number;
  /** When the store may forget the window: its end plus EXPIRY_MARGIN_MS, in epoch seconds (DynamoDB TTL). */
  expiration: number;
}

/** A window's shared state, as the store returns it after an update. */
export interface WindowState {
  count: number;
  sessions: readonly string[];
  /** The incident token of the failure that made the window's incident, while that incident stands. */
  reportedBy?: string;
  /** The count when it did. */
  reportedAt?: number;
}

export function windowIndexOf(at: Date, windowMinutes: number): number {
  return Math.floor(at.getTime() / (windowMinutes * 60_000));
}

/** `#` separates the key's parts and `%` escapes: neither may come through unescaped from an event's text. */
function keyPart(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("#", "%23");
}

export function accessWindowOf(finding: Finding, secretArn: string, windowMinutes: number): AccessWindow {
  const windowMs = windowMinutes * 60_000;
  const identity = principalIdentity(finding.access?.principalArn ?? "unknown");
  const index = windowIndexOf(finding.observedAt, windowMinutes);
  const subject = `${keyPart(secretArn)}#${keyPart(identity.key)}`;
  const named =
    new TextEncoder().encode(subject).length > MAX_KEY_BYTES
      ? `sha256:${createHash("sha256").update(subject).digest("hex")}`
      : subject;
  const end = (index + 1) * windowMs;
  return {
    id: `access#${named}#${finding.type}#${index}`,
    principal: identity.key,
    ...(identity.session ? { session: identity.session } : {}),
    index,
    end,
    expiration: Math.ceil((end + EXPIRY_MARGIN_MS) / 1000),
  };
}

/**
 * What names a failure when it claims its window's incident: its event's id and the secret the event named (one
 * event may name several). A redelivery of the same event carries the same token, so it can claim again an
 * incident its first delivery claimed but never heard back about. Undefined for a finding of no event.
 */
export function incidentTokenOf(finding: Finding): string | undefined {
  return finding.origin === undefined ? undefined : `${finding.origin} ${finding.secretId}`;
}

/**
 * Does this failure make the window's incident? When the count has reached its threshold and no other failure
 * holds the incident. Stores make this decision atomic (a conditional write of `reportedBy`), so of the failures
 * of all instances exactly one holds it.
 */
export function claimsIncident(state: WindowState, threshold: number, token: string): boolean {
  return state.count >= threshold && (state.reportedBy === undefined || state.reportedBy === token);
}

/** The verdict on a failure, from the window's state after it was counted and whether it holds the incident. */
export function verdictOf(
  state: WindowState,
  window: AccessWindow,
  threshold: number,
  incident: boolean,
): WindowVerdict {
  const seen = { principal: window.principal, sessions: [...state.sessions].sort() };
  if (incident || state.count < threshold) return { incident, count: state.count, suppressed: 0, ...seen };
  // Another failure holds the incident: this one is reported with it. At least itself, even when it was counted
  // before the holder (two instances at once).
  const suppressed = Math.max(1, state.count - (state.reportedAt ?? state.count));
  return { incident: false, count: state.count, suppressed, ...seen };
}
