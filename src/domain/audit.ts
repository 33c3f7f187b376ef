import type { Mode } from "./decision.js";

/** One audit record per action taken or withheld. */
export interface AuditEntry {
  time: string;
  mode: Mode;
  arn: string;
  name: string;
  finding: string;
  action: string;
  guard: string | null;
  /**
   * refused: an event that was not this stack's to act on, or a kept alert that is not a message the governor
   * built (src/app/refused.ts); nothing was done.
   */
  outcome: "done" | "planned" | "withheld" | "skipped" | "failed" | "refused";
  detail?: string;
}
