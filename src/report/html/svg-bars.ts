import { escapeHtml, money, shorten } from "./escape.js";

/** One bar of a horizontal bar chart: its figures are in its data attributes and its text, to the cent. */
export interface Bar {
  key: string;
  label: string;
  usd: number;
  secrets: number;
  colour: string;
}

const WIDTH = 560;
const LABEL_W = 160;
const BAR_W = 270;
const ROW_H = 36;
const TOP = 8;

const plural = (n: number) => `${n} secret${n === 1 ? "" : "s"}`;

/**
 * A horizontal bar chart of monthly cost, as SVG markup (server-rendered: the numbers are in the page, and no
 * chart library runs at view time). Each bar is a `<g class="bar">` with `data-key`, `data-usd` (two decimals) and
 * `data-secrets`, a tooltip, its label and its value.
 */
export function barChart(options: {
  id: string;
  title: string;
  bars: readonly Bar[];
  empty: string;
}): string {
  const { id, title, bars } = options;
  if (bars.length === 0)
    return `<svg id="${id}" class="chart" viewBox="0 0 ${WIDTH} 60" role="img" aria-label="${escapeHtml(title)}"><text x="${WIDTH / 2}" y="34" text-anchor="middle" class="empty">${escapeHtml(options.empty)}</text></svg>`;
  const max = Math.max(...bars.map((b) => b.usd));
  const height = TOP * 2 + bars.length * ROW_H;
  const rows = bars.map((bar, i) => {
    const y = TOP + i * ROW_H;
    const w = max > 0 ? Math.max(bar.usd > 0 ? 3 : 0, (bar.usd / max) * BAR_W) : 0;
    const label = escapeHtml(shorten(bar.label, 22));
    const value = money(bar.usd);
    return [
      `<g class="bar" data-key="${escapeHtml(bar.key)}" data-usd="${bar.usd.toFixed(2)}" data-secrets="${bar.secrets}">`,
      `<title>${escapeHtml(bar.label)}: ${value}/month, ${plural(bar.secrets)}</title>`,
      `<text x="${LABEL_W - 12}" y="${y + 21}" text-anchor="end" class="bar-label">${label}</text>`,
      `<rect x="${LABEL_W}" y="${y + 7}" width="${BAR_W}" height="20" rx="5" class="track"/>`,
      `<rect x="${LABEL_W}" y="${y + 7}" width="${w.toFixed(1)}" height="20" rx="5" fill="${bar.colour}"/>`,
      `<text x="${LABEL_W + BAR_W + 10}" y="${y + 16}" class="bar-value">${value}</text>`,
      `<text x="${LABEL_W + BAR_W + 10}" y="${y + 30}" class="bar-detail">${plural(bar.secrets)}</text>`,
      "</g>",
    ].join("");
  });
  return `<svg id="${id}" class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">${rows.join("")}</svg>`;
}
