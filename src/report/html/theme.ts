import type { Stage } from "../../domain/decision.js";

/** Colours the charts and the table's badges share (SVG presentation attributes: no inline style needed). */
export const STAGE_COLOURS: Record<Stage | "none", string> = {
  flagged: "#f59e0b",
  quarantined: "#ea580c",
  "deletion-scheduled": "#dc2626",
  none: "#94a3b8",
};

export const STAGE_LABELS: Record<Stage | "none", string> = {
  flagged: "Flagged",
  quarantined: "Quarantined",
  "deletion-scheduled": "Deletion scheduled",
  none: "Not in the lifecycle",
};

/** Team bars: one hue, so the colour says nothing the length does not. */
export const TEAM_COLOUR = "#6366f1";
