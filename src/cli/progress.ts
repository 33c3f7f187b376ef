import type { SweepProgress } from "../app/sweep.js";
import type { StatusLine } from "./io.js";

/** A duration for people: `42 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/**
 * The sweep's progress on a terminal's status line: actions done of all, the rate so far and the time left at
 * that rate. Redrawn at most every `everyMs` (a terminal need not be written 25 times a second), and always for
 * the first and the last action.
 */
export class ProgressLine {
  private started: number | undefined;
  private drawnAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly status: StatusLine,
    private readonly label: string,
    private readonly clock: () => number = () => performance.now(),
    private readonly everyMs = 250,
  ) {}

  update({ done, total }: SweepProgress): void {
    const now = this.clock();
    this.started ??= now;
    if (total === 0) return;
    if (done > 0 && done < total && now - this.drawnAt < this.everyMs) return;
    this.drawnAt = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = done > 0 && rate > 0 ? `, about ${formatDuration((total - done) / rate)} left` : "";
    const pace = done > 0 && rate > 0 ? `, ${rate.toFixed(1)}/s` : "";
    this.status.show(
      `${this.label}: ${done}/${total} actions (${Math.floor((done / total) * 100)}%)${pace}${left}`,
    );
  }

  /** Erases the line; the seconds since the first update. */
  finish(): number {
    this.status.clear();
    return this.started === undefined ? 0 : (this.clock() - this.started) / 1000;
  }
}
