import { escapeHtml, money } from "./escape.js";
import type { ReportRow } from "./model.js";
import { STAGE_LABELS } from "./theme.js";

/** The table's columns: the key each sorts by (a ReportRow field) and its heading. */
export const COLUMNS = [
  ["name", "Secret"],
  ["team", "Team"],
  ["finding", "Finding"],
  ["stage", "Stage"],
  ["action", "Action"],
  ["reason", "Reason"],
  ["nextStep", "Next step"],
  ["monthlyCostUsd", "Cost / month"],
  ["lastAccessed", "Last read"],
] as const satisfies readonly (readonly [keyof ReportRow, string])[];

const ACTION_TONES: Record<string, string> = {
  "schedule-deletion": "danger",
  quarantine: "warn",
  tag: "info",
  untag: "ok",
  release: "ok",
  "cancel-deletion": "ok",
  notify: "info",
  none: "muted",
};

export function cell(key: string, content: string, extra = ""): string {
  return `<td data-col="${key}"${extra}>${content}</td>`;
}

function rowHtml(row: ReportRow, index: number): string {
  const stage = row.stage ?? "none";
  const owner = row.owner ? `<div class="sub">owner ${escapeHtml(row.owner)}</div>` : "";
  const description = row.description ? `<div class="sub">${escapeHtml(row.description)}</div>` : "";
  const guard = row.guard ? `<div class="sub">guard ${escapeHtml(row.guard)}</div>` : "";
  const outcome = row.outcome ? `<div class="sub">${escapeHtml(row.outcome)}</div>` : "";
  return [
    `<tr data-row="${index}"${row.unused ? ' class="unused"' : ""}>`,
    cell("name", `<div class="name">${escapeHtml(row.name)}</div>${description}`),
    cell("team", `${row.team === null ? '<span class="none">none</span>' : escapeHtml(row.team)}${owner}`),
    cell("finding", row.finding === null ? '<span class="none">none</span>' : escapeHtml(row.finding)),
    cell(
      "stage",
      row.stage === null
        ? '<span class="none">none</span>'
        : `<span class="badge stage-${stage}">${escapeHtml(STAGE_LABELS[stage])}</span>`,
    ),
    cell(
      "action",
      `<span class="badge tone-${ACTION_TONES[row.action] ?? "muted"}">${escapeHtml(row.action)}</span>${guard}${outcome}`,
    ),
    cell("reason", escapeHtml(row.reason)),
    cell("nextStep", escapeHtml(row.nextStep)),
    cell(
      "monthlyCostUsd",
      money(row.monthlyCostUsd),
      ` class="num" data-usd="${row.monthlyCostUsd.toFixed(2)}"`,
    ),
    cell(
      "lastAccessed",
      row.lastAccessed === null ? '<span class="none">never</span>' : escapeHtml(row.lastAccessed),
    ),
    "</tr>",
  ].join("");
}

/**
 * A table the page's script sorts (by a heading's `data-key`, a row field) and filters: every row server-rendered,
 * each `<tr data-row="i">` the island's row i; the script only hides and reorders them. Headings are ours.
 */
export function sortableTable(
  id: string,
  columns: readonly (readonly [string, string])[],
  numeric: readonly string[],
  body: string,
): string {
  const head = columns
    .map(
      ([key, label]) =>
        `<th data-key="${key}" aria-sort="none"${numeric.includes(key) ? ' class="num"' : ""}><button type="button">${label}<span class="arrow"></span></button></th>`,
    )
    .join("");
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function secretsTable(rows: readonly ReportRow[]): string {
  return sortableTable("secrets", COLUMNS, ["monthlyCostUsd"], rows.map(rowHtml).join(""));
}
