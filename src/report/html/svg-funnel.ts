import { escapeHtml, money } from "./escape.js";
import type { FunnelStep } from "./model.js";
import { STAGE_COLOURS, STAGE_LABELS } from "./theme.js";

const WIDTH = 560;
const STEP_H = 62;
const CENTRE = 285;
const MAX_W = 270;
const MIN_W = 36;

/**
 * The lifecycle funnel (flagged, quarantined, deletion scheduled) as SVG: each step's width is the secrets that
 * reached it (at that stage or past it); beside it, how many are there now and what they cost. `data-reached`,
 * `data-here` and `data-usd` carry the figures.
 */
export function funnelChart(steps: readonly FunnelStep[]): string {
  const max = Math.max(1, ...steps.map((s) => s.reached));
  const widths = steps.map((s) => (s.reached > 0 ? Math.max(MIN_W, (s.reached / max) * MAX_W) : MIN_W / 2));
  const parts: string[] = [];
  steps.forEach((step, i) => {
    const y = 8 + i * STEP_H;
    const w = widths[i] as number;
    const next = widths[i + 1];
    if (next !== undefined)
      parts.push(
        `<polygon class="funnel-neck" points="${CENTRE - w / 2},${y + 40} ${CENTRE + w / 2},${y + 40} ${CENTRE + next / 2},${y + STEP_H} ${CENTRE - next / 2},${y + STEP_H}"/>`,
      );
    const label = STAGE_LABELS[step.stage];
    parts.push(
      `<g class="funnel-step" data-stage="${step.stage}" data-reached="${step.reached}" data-here="${step.here}" data-usd="${step.usd.toFixed(2)}">`,
      `<title>${label}: ${step.reached} reached, ${step.here} here now (${money(step.usd)}/month)</title>`,
      `<text x="0" y="${y + 19}" class="funnel-label">${escapeHtml(label)}</text>`,
      `<text x="0" y="${y + 36}" class="funnel-sub">${step.reached} reached</text>`,
      `<rect x="${(CENTRE - w / 2).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="40" rx="6" fill="${STAGE_COLOURS[step.stage]}"/>`,
      `<text x="${CENTRE}" y="${y + 26}" text-anchor="middle" class="funnel-count">${step.reached}</text>`,
      `<text x="${WIDTH}" y="${y + 19}" text-anchor="end" class="funnel-here">${step.here} here now</text>`,
      `<text x="${WIDTH}" y="${y + 36}" text-anchor="end" class="funnel-sub">${money(step.usd)}/month</text>`,
      "</g>",
    );
  });
  const height = 8 + steps.length * STEP_H - 14;
  return `<svg id="funnel" class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Lifecycle funnel">${parts.join("")}</svg>`;
}
