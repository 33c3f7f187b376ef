import type { Finding } from "../domain/finding.js";

export interface WindowVerdict {
  /** This failure makes (or continues) an incident worth a message. */
  incident: boolean;
  /** Failures seen for this secret and principal in the current window, this one included. */
  count: number;
  /** Failures not reported because an incident for the same key was already reported in this window. */
  suppressed: number;
}

interface Entry {
  start: number;
  count: number;
  reported: boolean;
  suppressed: number;
}

/**
 * Aggregates access failures per secret and principal in a fixed window, so one misconfigured service that
 * fails a thousand times makes one incident, not a thousand messages. Lives as long as the Lambda container
 * (the handler's concurrency is bounded, so few containers share the stream); the sweep's digest covers the rest.
 */
export class AccessFailureWindow {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly windowMinutes: number,
    private readonly incidentAfter: number,
  ) {}

  record(finding: Finding, secretArn: string): WindowVerdict {
    const key = `${secretArn}\u0000${finding.access?.principalArn ?? "unknown"}\u0000${finding.type}`;
    const at = finding.observedAt.getTime();
    let entry = this.entries.get(key);
    if (!entry || at - entry.start >= this.windowMinutes * 60_000) {
      entry = { start: at, count: 0, reported: false, suppressed: 0 };
      this.entries.set(key, entry);
    }
    entry.count++;
    if (entry.count < this.incidentAfter) return { incident: false, count: entry.count, suppressed: 0 };
    if (!entry.reported) {
      entry.reported = true;
      return { incident: true, count: entry.count, suppressed: 0 };
    }
    entry.suppressed++;
    return { incident: false, count: entry.count, suppressed: entry.suppressed };
  }

  /** Forgets windows that ended before `now`, so a long-lived container does not grow without bound. */
  prune(now: Date): void {
    for (const [key, entry] of this.entries)
      if (now.getTime() - entry.start >= this.windowMinutes * 60_000) this.entries.delete(key);
  }
}
