import { addDays, isoDate } from "../../domain/dates.js";
import { escapeHtml, shorten } from "./escape.js";
import type { DueDeletion } from "./model.js";

const WIDTH = 560;
const LEFT = 24;
const RIGHT = 536;
const LANE_H = 24;
const LABEL_MAX = 24;
/** About how wide a label's character is at the chart's font size, to keep labels from overlapping. */
const CHAR_W = 6.4;
/** Markers drawn at most: past that the chart says how many more (the table lists them all). */
export const MAX_MARKERS = 40;

const KIND = {
  scheduled: { colour: "#ea580c", text: "deletion scheduled", legend: "deletion scheduled by the governor" },
  final: { colour: "#dc2626", text: "deleted for good", legend: "deleted for good (recovery window ends)" },
  // The org view's: a member's summary says a deletion is due, not which of the two it is.
  due: { colour: "#dc2626", text: "deletion due", legend: "deletion due (scheduled, or deleted for good)" },
} as const;

function legendMark(kind: DueDeletion["kind"], cx: number, cy: number): string {
  const fill = KIND[kind].colour;
  return kind === "scheduled"
    ? `<circle cx="${cx}" cy="${cy}" r="6" fill="${fill}"/>`
    : `<path d="M${cx} ${cy - 6} l6 6 l-6 6 l-6 -6 z" fill="${fill}"/>`;
}

/**
 * Deletions due in the next `horizon` days on a day axis, as SVG. Each marker is a `<g class="due">` with
 * `data-date`, `data-days` and `data-kind`; labels take the first lane where they do not overlap another.
 */
export function timelineChart(
  deletions: readonly DueDeletion[],
  today: string,
  horizon: number,
  legend: readonly DueDeletion["kind"][] = ["final", "scheduled"],
): string {
  const x = (days: number) => LEFT + (days / horizon) * (RIGHT - LEFT);
  const lanes: number[] = [];
  const placed = deletions.slice(0, MAX_MARKERS).map((d) => {
    const label = shorten(d.name, LABEL_MAX);
    const cx = x(d.days);
    const flip = cx > WIDTH * 0.62;
    const from = flip ? cx - 10 - label.length * CHAR_W : cx;
    const to = flip ? cx : cx + 10 + label.length * CHAR_W;
    let lane = lanes.findIndex((end) => end < from - 6);
    if (lane === -1) lane = lanes.push(0) - 1;
    lanes[lane] = to;
    return { d, label, cx, flip, lane };
  });
  const laneCount = Math.max(1, lanes.length);
  const axisY = 36 + laneCount * LANE_H;
  const parts: string[] = [
    `<g class="legend">${legend.map((kind, i) => `${legendMark(kind, LEFT + i * 290, 16)}<text x="${LEFT + i * 290 + 12}" y="20">${KIND[kind].legend}</text>`).join("")}</g>`,
    `<line x1="${LEFT}" y1="${axisY}" x2="${RIGHT}" y2="${axisY}" class="axis"/>`,
  ];
  const base = new Date(`${today}T00:00:00Z`);
  // A tick a day over a week or two, else every five days.
  const step = horizon <= 14 ? 1 : 5;
  for (let day = 0; day <= horizon; day += step) {
    const tx = x(day);
    const label = day === 0 ? "today" : isoDate(addDays(base, day)).slice(5);
    parts.push(
      `<line x1="${tx}" y1="${axisY - 4}" x2="${tx}" y2="${axisY + 4}" class="axis"/>`,
      `<text x="${tx}" y="${axisY + 20}" text-anchor="middle" class="tick">${label}</text>`,
    );
  }
  for (const { d, label, cx, flip, lane } of placed) {
    const y = axisY - 20 - lane * LANE_H;
    const kind = KIND[d.kind];
    const marker =
      d.kind === "scheduled"
        ? `<circle cx="${cx}" cy="${y}" r="6" fill="${kind.colour}"/>`
        : `<path d="M${cx} ${y - 7} l7 7 l-7 7 l-7 -7 z" fill="${kind.colour}"/>`;
    parts.push(
      `<g class="due" data-date="${escapeHtml(d.date)}" data-days="${d.days}" data-kind="${d.kind}">`,
      `<title>${escapeHtml(d.name)}: ${kind.text} on ${escapeHtml(d.date)} (in ${d.days} day${d.days === 1 ? "" : "s"})</title>`,
      `<line x1="${cx}" y1="${y}" x2="${cx}" y2="${axisY}" class="stem"/>`,
      marker,
      `<text x="${flip ? cx - 10 : cx + 10}" y="${y + 4}"${flip ? ' text-anchor="end"' : ""} class="due-label">${escapeHtml(label)}</text>`,
      "</g>",
    );
  }
  if (deletions.length > MAX_MARKERS)
    parts.push(
      `<text x="${RIGHT}" y="${axisY + 38}" text-anchor="end" class="more" data-more="${deletions.length - MAX_MARKERS}">and ${deletions.length - MAX_MARKERS} more: see the table</text>`,
    );
  if (deletions.length === 0)
    parts.push(
      `<text x="${WIDTH / 2}" y="${axisY - 18}" text-anchor="middle" class="empty">No deletion due in the next ${horizon} days</text>`,
    );
  return `<svg id="timeline" class="chart" viewBox="0 0 ${WIDTH} ${axisY + (deletions.length > MAX_MARKERS ? 44 : 30)}" role="img" aria-label="Deletions due in the next ${horizon} days">${parts.join("")}</svg>`;
}
