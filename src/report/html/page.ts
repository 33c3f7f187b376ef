import { createHash } from "node:crypto";
import { STAGES, type Stage } from "../../domain/decision.js";
import { escapeHtml, jsonIsland, money } from "./escape.js";
import type { CostSlice, ReportModel } from "./model.js";
import { PAGE_SCRIPT, type TableSpec } from "./script.js";
import { PAGE_STYLE } from "./style.js";
import { barChart } from "./svg-bars.js";
import { funnelChart } from "./svg-funnel.js";
import { timelineChart } from "./svg-timeline.js";
import { secretsTable } from "./table.js";
import { STAGE_COLOURS, STAGE_LABELS, TEAM_COLOUR } from "./theme.js";

/** The CSP source of an inline element: its SHA-256, as the page is a file and a nonce could not be secret. */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * Nothing but the one style and the one script, by hash: no URL at all (default-src 'none'), so the file fetches
 * nothing when viewed and an injected element could neither run nor load. (frame-ancestors and sandbox are not
 * allowed in a meta policy.)
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `style-src ${cspHash(PAGE_STYLE)}`,
    `script-src ${cspHash(PAGE_SCRIPT)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

export function card(label: string, value: string, hint: string, tone = "", id = ""): string {
  return `<div class="card ${tone}"${id ? ` id="${id}"` : ""}><div class="label">${label}</div><div class="value">${value}</div><div class="hint">${hint}</div></div>`;
}

export function section(title: string, caption: string, body: string, id: string): string {
  return `<section class="card" id="${id}"><h2>${title}</h2><p class="caption">${caption}</p>${body}</section>`;
}

/** Bars shown at most; the rest are one bar, so the chart still adds up to the summary. */
export const MAX_BARS = 12;

/** The largest slices, the rest summed (in cents) into one "N other teams" (or other `what`) slice. */
export function topSlices(slices: readonly CostSlice[], max = MAX_BARS, what = "teams"): CostSlice[] {
  if (slices.length <= max) return [...slices];
  const rest = slices.slice(max - 1);
  const usd = rest.reduce((t, s) => t + Math.round(s.usd * 100), 0) / 100;
  const secrets = rest.reduce((n, s) => n + s.secrets, 0);
  return [...slices.slice(0, max - 1), { key: "", label: `${rest.length} other ${what}`, usd, secrets }];
}

function stageKey(key: string): Stage | "none" {
  return (STAGES as readonly string[]).includes(key) ? (key as Stage) : "none";
}

/** The whole report as one self-contained HTML document: inline SVG charts, inline style and script, no URL. */
export function renderReport(model: ReportModel): string {
  const s = model.summary;
  const mode =
    model.mode === "enforce"
      ? '<span class="pill enforce">enforce</span>'
      : '<span class="pill">report only (dry run)</span>';
  const finals = model.deletions.filter((d) => d.kind === "final").length;
  const cards = [
    card("Secrets", String(s.secrets), `${money(s.monthlyCostUsd)}/month in all`, "", "card-secrets"),
    card("Unused", String(s.unused), "not read within the policy's threshold", "warn", "card-unused"),
    card("Unused cost", money(s.unusedMonthlyCostUsd), "a month", "warn", "card-unused-cost"),
    card(
      "Saved",
      money(s.realisedMonthlySavingsUsd),
      "a month: deletions scheduled",
      "good",
      "card-realised",
    ),
    card(
      "Projected",
      money(s.projectedMonthlySavingsUsd),
      "a month, once deletions complete",
      "good",
      "card-projected",
    ),
    card("Due in 30 days", String(model.deletions.length), `${finals} deleted for good`, "", "card-due"),
  ].join("");
  const teams = barChart({
    id: "cost-by-team",
    title: "Monthly cost of unused secrets by team",
    bars: topSlices(model.costByTeam).map((c) => ({ ...c, colour: c.key === "" ? "#a5b4fc" : TEAM_COLOUR })),
    empty: "No unused secrets",
  });
  const stages = barChart({
    id: "cost-by-stage",
    title: "Monthly cost of unused secrets by stage",
    bars: model.costByStage.map((c) => ({
      ...c,
      label: STAGE_LABELS[stageKey(c.key)],
      colour: STAGE_COLOURS[stageKey(c.key)],
    })),
    empty: "No unused secrets",
  });
  const legend = `<div class="legend-row">${(
    ["flagged", "quarantined", "deletion-scheduled", "none"] as const
  )
    .map((k) => `<span><span class="swatch sw-${k}"></span>${STAGE_LABELS[k]}</span>`)
    .join("")}</div>`;
  const limit =
    model.limit.withheld > 0
      ? `<div class="note">Blast-radius limit: ${model.limit.withheld} of ${model.limit.planned} destructive actions withheld until the next run.</div>`
      : "";
  const options = ["", ...STAGES, "none"]
    .map(
      (k) => `<option value="${k}">${k === "" ? "Every stage" : STAGE_LABELS[k as Stage | "none"]}</option>`,
    )
    .join("");
  const table: TableSpec = {
    id: "secrets",
    search: [
      "name",
      "team",
      "owner",
      "description",
      "finding",
      "stage",
      "action",
      "guard",
      "reason",
      "nextStep",
      "outcome",
    ],
    selects: [{ id: "stage-filter", key: "stage", empty: "none" }],
    ranks: { stage: { flagged: 1, quarantined: 2, "deletion-scheduled": 3 } },
  };
  return renderPage({
    title: model.title,
    heading: `${escapeHtml(model.title)}${mode}`,
    subtitle: `${escapeHtml(model.source)} · decided on ${escapeHtml(model.today)} (UTC)`,
    island: { rows: model.rows, summary: model.summary, table },
    main: `<div class="cards">${cards}</div>${limit}
<div class="grid">
${section("Unused cost by team", `Monthly cost of the ${s.unused} unused secrets (${money(s.unusedMonthlyCostUsd)}), by their <code>team</code> tag.`, teams, "teams")}
${section("Unused cost by stage", "The same cost, by where each secret is in the lifecycle.", legend + stages, "stages")}
${section("Lifecycle funnel", "Secrets that reached each stage (at it or past it), and how many are there now.", funnelChart(model.funnel), "lifecycle")}
${section(`Deletions due in the next ${model.horizonDays} days`, "Deletions the governor will schedule, and recovery windows that end.", timelineChart(model.deletions, model.today, model.horizonDays), "deletions")}
</div>
<section class="card" id="table-card">
<h2>Every secret</h2><p class="caption">Click a heading to sort; type to filter by name, team, reason or next step.</p>
<div class="tools"><input id="filter" type="search" placeholder="Filter secrets…" aria-label="Filter secrets" autocomplete="off">
<select id="stage-filter" aria-label="Stage">${options}</select><span class="count">Showing <span id="shown">${model.rows.length} of ${model.rows.length}</span></span></div>
<div class="scroll">${secretsTable(model.rows)}</div>
</section>
<footer>secrets-governor · ${escapeHtml(model.now)} · ${PRICES}</footer>`,
  });
}

export const PRICES =
  "prices: $0.40 per secret-month, replicas billed as secrets, nothing while deletion is pending";

/**
 * The document around a report's body: the CSP meta tag, the one style, the JSON island and the one script.
 * `heading`, `subtitle` and `main` are markup, built with escapeHtml; `title` is text; `island` goes to the
 * script as JSON (with `rows` and `table`, see PAGE_SCRIPT).
 */
export function renderPage(page: {
  title: string;
  heading: string;
  subtitle: string;
  main: string;
  island: { rows: readonly unknown[]; table: TableSpec } & Record<string, unknown>;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>${page.heading}</h1><p>${page.subtitle}</p></header>
<main>
${page.main}
</main>
<script type="application/json" id="report-data">${jsonIsland(page.island)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
