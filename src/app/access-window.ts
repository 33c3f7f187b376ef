import type { Finding } from "../domain/finding.js";
import { principalIdentity } from "../domain/principal.js";

export interface WindowVerdict {
  /** This failure makes (or continues) an incident worth a message. */
  incident: boolean;
  /** Failures seen for this secret and principal in the current window, this one included. */
  count: number;
  /** Failures not reported because an incident for the same key was already reported in this window. */
  suppressed: number;
  /** What the failures are counted by: the role of an assumed-role session, else the principal ARN. */
  principal: string;
  /** The sessions of that role seen in the window (e.g. instance ids), in order, at most MAX_SESSIONS. */
  sessions: string[];
}

interface Entry {
  start: number;
  count: number;
  reported: boolean;
  suppressed: number;
  sessions: Set<string>;
}

/** Sessions kept per window for the report: enough to name a fleet, bounded against a flood of new ones. */
export const MAX_SESSIONS = 20;

/**
 * Aggregates access failures per secret and principal in a fixed window, so one misconfigured service that
 * fails a thousand times makes one incident, not a thousand messages. A role's sessions (one per instance, task
 * or container) count as that role: a fleet of N instances is one incident, which names the sessions seen. Lives
 * as long as the Lambda container: the handler's concurrency is bounded (two), so at most two counts share the
 * stream, and a cold start begins a count again. The threshold bounds the noise; it is not an exact count.
 */
export class AccessFailureWindow {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly windowMinutes: number,
    private readonly incidentAfter: number,
  ) {}

  /** Windows kept: those not yet ended at the latest failure recorded. */
  get size(): number {
    return this.entries.size;
  }

  /** `incidentAfter`: this failure's threshold when it is not the window's (a denied read that proves use). */
  record(finding: Finding, secretArn: string, incidentAfter: number = this.incidentAfter): WindowVerdict {
    const identity = principalIdentity(finding.access?.principalArn ?? "unknown");
    const key = this.keyOf(finding, secretArn);
    const at = finding.observedAt.getTime();
    // A container lives for hours: forget the windows that have ended, on every failure, so the map stays as
    // small as the failures of the last window.
    this.prune(finding.observedAt);
    let entry = this.entries.get(key);
    if (!entry || at - entry.start >= this.windowMinutes * 60_000) {
      entry = { start: at, count: 0, reported: false, suppressed: 0, sessions: new Set() };
      this.entries.set(key, entry);
    }
    entry.count++;
    if (identity.session && entry.sessions.size < MAX_SESSIONS) entry.sessions.add(identity.session);
    const seen = { principal: identity.key, sessions: [...entry.sessions] };
    if (entry.count < incidentAfter) return { incident: false, count: entry.count, suppressed: 0, ...seen };
    if (!entry.reported) {
      entry.reported = true;
      return { incident: true, count: entry.count, suppressed: 0, ...seen };
    }
    entry.suppressed++;
    return { incident: false, count: entry.count, suppressed: entry.suppressed, ...seen };
  }

  /**
   * The incident this failure made was not acted on (its action failed and the event will be retried): the
   * redelivery makes it again instead of counting as already reported.
   */
  reopen(finding: Finding, secretArn: string): void {
    const entry = this.entries.get(this.keyOf(finding, secretArn));
    if (entry?.reported) entry.reported = false;
  }

  private keyOf(finding: Finding, secretArn: string): string {
    const identity = principalIdentity(finding.access?.principalArn ?? "unknown");
    return `${secretArn}\u0000${identity.key}\u0000${finding.type}`;
  }

  /** Forgets windows that ended before `now`, so a long-lived container does not grow without bound. */
  prune(now: Date): void {
    for (const [key, entry] of this.entries)
      if (now.getTime() - entry.start >= this.windowMinutes * 60_000) this.entries.delete(key);
  }
}
