import { type CsvCell, toCsv } from "./csv.js";
import type { ReportRow } from "./html/model.js";

/**
 * The CSV of a plan or a sweep: one row per decision, the JSON output's decision flattened (`next` as next_action
 * and next_date, `steps` and `trace` on one line each) beside its secret's entry in `secrets` (team, owner,
 * monthly cost, unused, last read); a sweep adds each decision's outcome and detail.
 */
const COLUMNS: readonly [string, (r: ReportRow) => CsvCell][] = [
  ["arn", (r) => r.arn],
  ["name", (r) => r.name],
  ["team", (r) => r.team],
  ["owner", (r) => r.owner],
  ["finding", (r) => r.finding],
  ["rule", (r) => r.rule],
  ["stage", (r) => r.stage],
  ["action", (r) => r.action],
  ["guard", (r) => r.guard],
  ["reason", (r) => r.reason],
  ["route", (r) => r.route],
  ["steps", (r) => r.steps],
  ["next_action", (r) => r.nextAction],
  ["next_date", (r) => r.nextDate],
  ["monthly_cost_usd", (r) => Number(r.monthlyCostUsd.toFixed(2))],
  ["unused", (r) => r.unused],
  ["last_accessed", (r) => r.lastAccessed],
  ["trace", (r) => r.trace],
];
const OUTCOME_COLUMNS: readonly [string, (r: ReportRow) => CsvCell][] = [
  ["outcome", (r) => r.outcome],
  ["detail", (r) => r.detail],
];

export const PLAN_CSV_HEADER = COLUMNS.map(([name]) => name);

export function planCsv(rows: readonly ReportRow[], options: { outcomes?: boolean } = {}): string {
  const columns = options.outcomes ? [...COLUMNS, ...OUTCOME_COLUMNS] : COLUMNS;
  return toCsv(
    columns.map(([name]) => name),
    rows.filter((r) => r.decision).map((r) => columns.map(([, get]) => get(r))),
  );
}
