import { writeFileSync } from "node:fs";
import { InputError } from "../errors.js";
import { money } from "../report/html/escape.js";
import { buildReportModel, type ReportInput, type ReportModel } from "../report/html/model.js";
import type { OrgReportModel } from "../report/html/org-model.js";
import { renderOrgReport } from "../report/html/org-page.js";
import { renderReport } from "../report/html/page.js";
import { planCsv } from "../report/plan-csv.js";
import type { Terminal } from "./io.js";
import { UsageError } from "./usage.js";

export type OutputFormat = "table" | "json" | "csv";

export function parseFormat(value: string | undefined): OutputFormat | undefined {
  if (value === undefined) return undefined;
  if (value !== "table" && value !== "json" && value !== "csv")
    throw new UsageError(`--format must be table, json or csv, not ${value}`);
  return value;
}

/** The HTML report written to `path`, and a line on stderr saying what it holds (stdout is the --format's). */
export function writeHtmlReport(path: string, model: ReportModel, io: Terminal): void {
  writeHtml(path, renderReport(model));
  const s = model.summary;
  io.stderr(
    `report: wrote ${path}: ${s.secrets} secrets, ${s.unused} unused (${money(s.unusedMonthlyCostUsd)}/month), ${model.deletions.length} deletion${model.deletions.length === 1 ? "" : "s"} due in ${model.horizonDays} days\n`,
  );
}

/** The organisation's HTML report (`org report --html`, `org plan --html`), and its line on stderr. */
export function writeOrgHtmlReport(path: string, model: OrgReportModel, io: Terminal): void {
  writeHtml(path, renderOrgReport(model));
  const t = model.totals;
  const silent = t.silent === null ? "" : `, ${t.silent} silent governor${t.silent === 1 ? "" : "s"}`;
  io.stderr(
    `report: wrote ${path}: ${t.accountRegions} account-regions, ${t.secrets} secrets, ${t.unused} unused (${money(t.unusedMonthlyCostUsd)}/month), ${t.deletionsDue} deletion${t.deletionsDue === 1 ? "" : "s"} due in ${model.horizonDays} days${silent}\n`,
  );
}

function writeHtml(path: string, html: string): void {
  try {
    writeFileSync(path, html);
  } catch (error) {
    throw new InputError(
      `cannot write the report ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      path,
      { cause: error },
    );
  }
}

/** `--html FILE` and `--format csv` of a plan or a sweep: the model is built only when one of them needs it. */
export function writeReportOutputs(
  input: ReportInput,
  options: { html?: string; csv: boolean; outcomes?: boolean },
  io: Terminal,
): void {
  if (!options.html && !options.csv) return;
  const model = buildReportModel(input);
  if (options.csv) io.csv(planCsv(model.rows, { outcomes: options.outcomes ?? false }));
  if (options.html) writeHtmlReport(options.html, model, io);
}
