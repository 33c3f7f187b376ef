import { escapeHtml, money } from "./escape.js";
import type { OrgReportModel, OrgRow } from "./org-model.js";
import { card, MAX_BARS, PRICES, renderPage, section, topSlices } from "./page.js";
import type { TableSpec } from "./script.js";
import { barChart } from "./svg-bars.js";
import { timelineChart } from "./svg-timeline.js";
import { cell, sortableTable } from "./table.js";
import { TEAM_COLOUR } from "./theme.js";

/**
 * The organisation report: the account report's parts (page shell, cards, bar charts, timeline, sortable table,
 * script) over the org view. Account ids, regions, team and secret names are the members' words: escapeHtml,
 * as text or double-quoted attribute values, and to the script only through the JSON island.
 */

export const ORG_COLUMNS = [
  ["accountId", "Account"],
  ["region", "Region"],
  ["mode", "Mode"],
  ["secrets", "Secrets"],
  ["unused", "Unused"],
  ["monthlyCostUsd", "Cost / month"],
  ["unusedMonthlyCostUsd", "Unused cost"],
  ["realisedMonthlySavingsUsd", "Saved"],
  ["projectedMonthlySavingsUsd", "Projected"],
  ["deletionsDue", "Due in 7 days"],
  ["lastHeartbeat", "Last heartbeat"],
  ["silent", "Silent"],
] as const satisfies readonly (readonly [keyof OrgRow, string])[];

const NUMERIC = [
  "secrets",
  "unused",
  "monthlyCostUsd",
  "unusedMonthlyCostUsd",
  "realisedMonthlySavingsUsd",
  "projectedMonthlySavingsUsd",
  "deletionsDue",
];

const usdCell = (key: string, usd: number) =>
  cell(key, money(usd), ` class="num" data-usd="${usd.toFixed(2)}"`);
const countCell = (key: string, n: number) => cell(key, String(n), ' class="num"');

function rowHtml(row: OrgRow, index: number): string {
  const silent =
    row.silent === null
      ? '<span class="none">n/a</span>'
      : row.silent
        ? '<span class="badge tone-danger">yes</span>'
        : '<span class="badge tone-ok">no</span>';
  const heartbeat =
    row.lastHeartbeat !== null
      ? escapeHtml(row.lastHeartbeat)
      : `<span class="none">${row.silent === null ? "offline plan" : "never"}</span>`;
  return [
    `<tr data-row="${index}"${row.silent ? ' class="silent"' : ""}>`,
    cell("accountId", `<div class="name">${escapeHtml(row.accountId)}</div>`),
    cell("region", escapeHtml(row.region)),
    cell(
      "mode",
      `<span class="badge ${row.mode === "enforce" ? "tone-warn" : "tone-info"}">${escapeHtml(row.mode)}</span>`,
    ),
    countCell("secrets", row.secrets),
    countCell("unused", row.unused),
    usdCell("monthlyCostUsd", row.monthlyCostUsd),
    usdCell("unusedMonthlyCostUsd", row.unusedMonthlyCostUsd),
    usdCell("realisedMonthlySavingsUsd", row.realisedMonthlySavingsUsd),
    usdCell("projectedMonthlySavingsUsd", row.projectedMonthlySavingsUsd),
    countCell("deletionsDue", row.deletionsDue),
    cell("lastHeartbeat", heartbeat),
    cell("silent", silent),
    "</tr>",
  ].join("");
}

/** Every deletion the view lists, as a plain list beside the timeline (which draws the first 40). */
function deletionsList(model: OrgReportModel): string {
  if (model.deletions.length === 0) return "";
  const rows = model.deletions
    .map(
      (d) =>
        `<tr><td data-col="date">${escapeHtml(d.date)}</td><td data-col="name"><div class="name">${escapeHtml(d.name)}</div></td><td data-col="account">${escapeHtml(d.accountId)} ${escapeHtml(d.region)}</td><td data-col="team">${escapeHtml(d.team)}</td></tr>`,
    )
    .join("");
  return `<div class="scroll short"><table id="deletions-due"><thead><tr><th>Due</th><th>Secret</th><th>Account, region</th><th>Team</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The organisation report as one self-contained HTML document, with the account report's CSP, style and script. */
export function renderOrgReport(model: OrgReportModel): string {
  const t = model.totals;
  const cards = [
    card(
      "Secrets",
      String(t.secrets),
      `in ${plural(t.accounts, "account")}, ${plural(t.accountRegions, "account-region")}`,
      "",
      "card-secrets",
    ),
    card("Monthly cost", money(t.monthlyCostUsd), "a month, every secret", "", "card-cost"),
    card("Unused", String(t.unused), "not read within each policy's threshold", "warn", "card-unused"),
    card("Unused cost", money(t.unusedMonthlyCostUsd), "a month", "warn", "card-unused-cost"),
    card(
      "Saved",
      money(t.realisedMonthlySavingsUsd),
      "a month: deletions scheduled",
      "good",
      "card-realised",
    ),
    card(
      "Projected",
      money(t.projectedMonthlySavingsUsd),
      "a month, once deletions complete",
      "good",
      "card-projected",
    ),
    card(
      "Silent governors",
      t.silent === null ? "n/a" : String(t.silent),
      t.silent === null ? "offline plan: no heartbeats" : "no heartbeat for two sweep intervals",
      t.silent ? "warn" : "",
      "card-silent",
    ),
    card(
      `Due in ${model.horizonDays} days`,
      String(t.deletionsDue),
      "deletions, across the organization",
      "",
      "card-due",
    ),
  ].join("");
  const accounts = barChart({
    id: "cost-by-account",
    title: "Monthly cost of unused secrets by account",
    bars: topSlices(model.costByAccount, MAX_BARS, "accounts").map((c) => ({
      ...c,
      colour: c.key === "" ? "#a5b4fc" : TEAM_COLOUR,
    })),
    empty: "No unused secrets",
  });
  const teams = barChart({
    id: "cost-by-team",
    title: "Monthly cost of unused secrets by team",
    bars: topSlices(model.costByTeam).map((c) => ({ ...c, colour: c.key === "" ? "#a5b4fc" : TEAM_COLOUR })),
    empty: "No unused secrets",
  });
  const unlisted = t.deletionsDue - model.deletions.length;
  const deletionsCaption = `Deletions each governor counts as due within ${model.horizonDays} days (recoverable until then)${
    unlisted > 0 ? `; ${unlisted} more not listed (each account-region lists its 100 soonest)` : ""
  }.`;
  const silentFilter = model.heartbeats
    ? '<select id="silent-filter" aria-label="Silent"><option value="">Silent or not</option><option value="true">Silent only</option><option value="false">Reporting only</option></select>'
    : "";
  const modes =
    '<select id="mode-filter" aria-label="Mode"><option value="">Every mode</option><option value="report">report</option><option value="enforce">enforce</option><option value="unknown">unknown</option></select>';
  const table: TableSpec = {
    id: "account-regions",
    search: ["accountId", "region", "mode"],
    selects: [
      { id: "mode-filter", key: "mode", empty: "unknown" },
      { id: "silent-filter", key: "silent", empty: "" },
    ],
    ranks: {},
  };
  const n = model.rows.length;
  return renderPage({
    title: model.title,
    heading: `${escapeHtml(model.title)}<span class="pill">${t.modes.report} report · ${t.modes.enforce} enforce</span>`,
    subtitle: `${escapeHtml(model.source)} · as of ${escapeHtml(model.today)} (UTC) · ${plural(t.accounts, "account")}, ${plural(t.accountRegions, "account-region")}`,
    island: { rows: model.rows, totals: model.totals, table },
    main: `<div class="cards">${cards}</div>
<div class="grid">
${section("Unused cost by account", `Monthly cost of the ${t.unused} unused secrets (${money(t.unusedMonthlyCostUsd)}), by account.`, accounts, "accounts")}
${section("Unused cost by team", "The same cost, by team: the <code>team</code> tag, else the <code>owner</code> tag.", teams, "teams")}
${section(`Deletions due in the next ${model.horizonDays} days`, escapeHtml(deletionsCaption), timelineChart(model.deletions, model.today, model.horizonDays, ["due"]) + deletionsList(model), "deletions")}
</div>
<section class="card" id="table-card">
<h2>Every account-region</h2><p class="caption">Click a heading to sort; type to filter by account, region or mode.</p>
<div class="tools"><input id="filter" type="search" placeholder="Filter account-regions…" aria-label="Filter account-regions" autocomplete="off">
${modes}${silentFilter}<span class="count">Showing <span id="shown">${n} of ${n}</span></span></div>
<div class="scroll">${sortableTable("account-regions", ORG_COLUMNS, NUMERIC, model.rows.map(rowHtml).join(""))}</div>
</section>
<footer>secrets-governor · ${escapeHtml(model.now)} · figures as of each governor's last sweep · ${PRICES}</footer>`,
  });
}
