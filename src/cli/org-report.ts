import { makeDynamoDbClient } from "../adapters/aws-clients.js";
import { DynamoOrgStateStore, MemoryOrgStateStore } from "../adapters/org-state.js";
import { aggregateOrgBatch } from "../app/org-aggregate.js";
import { GovernorConfig } from "../config.js";
import { DELETIONS_DUE_DAYS } from "../domain/org-events.js";
import { accountRegionRows, buildOrgView, type OrgAccountRegion, type OrgView } from "../domain/org-view.js";
import { InputError } from "../errors.js";
import type { OrgStateStore } from "../ports.js";
import { toCsv } from "../report/csv.js";
import { buildOrgReportModelOfView } from "../report/html/org-model.js";
import { parseCommandArgs } from "./args.js";
import { readText, type Terminal } from "./io.js";
import { parseNow, usd } from "./plan.js";
import { writeOrgHtmlReport } from "./report-output.js";
import { type Cell, renderTable } from "./table.js";
import { joinText, paint, type Text } from "./terminal.js";
import { UsageError } from "./usage.js";

/**
 * `governor org report`: the org digest's view without its limits, from the central table (`--table`) or, offline,
 * from a file of org events (`--input`) run through the aggregator's own checks into a table in memory.
 */

const SILENT = { info() {}, warn() {}, error() {} };

/** The events of an input file, through the aggregator: what it refuses is refused here too, and said. */
async function storeFromInput(file: string, now: Date, io: Terminal): Promise<OrgStateStore> {
  let events: unknown;
  try {
    events = JSON.parse(readText(file, "org events file"));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: not JSON: ${(error as Error).message}`, file);
  }
  if (!Array.isArray(events)) throw new InputError(`${file}: expected a JSON array of org events`, file);
  const store = new MemoryOrgStateStore();
  const result = await aggregateOrgBatch(
    events.map((event, i) => ({ id: `${file}[${i}]`, body: JSON.stringify(event) })),
    { store, now, log: SILENT },
  );
  const reasons = Object.entries(result.byReason)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(", ");
  if (result.refused + result.ignored > 0)
    io.stderr(
      `governor: ${file}: ${result.refused} events refused and ${result.ignored} ignored (${reasons}), as the aggregator would\n`,
    );
  return store;
}

function renderView(view: OrgView): Text {
  const t = view.totals;
  const lines: Text[] = [
    paint(
      `Organization: ${view.accounts} accounts, ${view.accountRegions} account-regions (as of ${view.now})`,
      "bold",
    ),
    `Secrets: ${t.secrets} (${usd(t.monthlyCostUsd)}/month)   unused: ${t.unused} (${usd(t.unusedMonthlyCostUsd)}/month)`,
    `Savings: ${usd(t.realisedMonthlySavingsUsd)}/month realised, ${usd(t.projectedMonthlySavingsUsd)}/month projected   deletions due in 7 days: ${t.deletionsDue}`,
    `Modes: accounts ${view.accountModes.report} report, ${view.accountModes.enforce} enforce, ${view.accountModes.mixed} mixed; account-regions ${view.modes.report} report, ${view.modes.enforce} enforce`,
    "",
  ];
  if (view.silent.length > 0) {
    lines.push(paint(`Silent governors (${view.silent.length}):`, "red"));
    lines.push(
      renderTable(
        ["ACCOUNT", "REGION", "LAST HEARTBEAT", "INTERVAL"],
        view.silent.map((s): Cell[] => [
          { text: s.accountId },
          { text: s.region },
          { text: s.lastHeartbeat ?? "never" },
          { text: s.sweepIntervalMinutes ? `${s.sweepIntervalMinutes} min` : "-" },
        ]),
      ),
      "",
    );
  } else lines.push("Every governor sent its heartbeat on time.", "");
  if (view.byAccount.length > 0)
    lines.push(
      renderTable(
        ["ACCOUNT", "REGIONS", "MODE", "SECRETS", "COST/MONTH", "UNUSED", "UNUSED COST", "SAVED", "DUE"],
        view.byAccount.map((a): Cell[] => [
          { text: a.accountId },
          { text: String(a.regions.length) },
          { text: a.mode, ...(a.mode === "enforce" ? { colour: "yellow" as const } : {}) },
          { text: String(a.secrets) },
          { text: usd(a.monthlyCostUsd) },
          { text: String(a.unused) },
          { text: usd(a.unusedMonthlyCostUsd) },
          { text: usd(a.realisedMonthlySavingsUsd) },
          { text: String(a.deletionsDue) },
        ]),
      ),
      "",
    );
  if (view.byTeam.length > 0)
    lines.push(
      renderTable(
        ["TEAM", "ACCOUNTS", "SECRETS", "UNUSED", "UNUSED COST"],
        view.byTeam.map((tm): Cell[] => [
          { text: tm.team },
          { text: String(tm.accounts) },
          { text: String(tm.secrets) },
          { text: String(tm.unused) },
          { text: usd(tm.unusedMonthlyCostUsd) },
        ]),
      ),
      "",
    );
  lines.push(
    view.deletionsDue.length > 0
      ? renderTable(
          ["DUE", "SECRET", "ACCOUNT", "REGION", "TEAM"],
          view.deletionsDue.map((d): Cell[] => [
            { text: d.on },
            { text: d.name, colour: "red" },
            { text: d.accountId },
            { text: d.region },
            { text: d.team },
          ]),
        )
      : "No deletion due in the next 7 days.",
  );
  return [joinText(lines, "\n"), "\n"];
}

/** The same figures under the same column names as `org plan --format csv`, then the central view's own. */
const CSV_HEADER = [
  "account",
  "region",
  "mode",
  "secrets",
  "unused",
  "monthly_cost_usd",
  "unused_monthly_cost_usd",
  "realised_monthly_savings_usd",
  "projected_monthly_savings_usd",
  `deletions_due_${DELETIONS_DUE_DAYS}d`,
  "last_sweep",
  "last_heartbeat",
  "silent",
] as const;

export async function runOrgReport(argv: string[], io: Terminal): Promise<number> {
  const { values } = parseCommandArgs("org report", argv, {
    options: {
      table: { type: "string" },
      input: { type: "string" },
      now: { type: "string" },
      format: { type: "string" },
      html: { type: "string" },
    },
  });
  // With --html alone the page is the output; --format adds the view on stdout.
  const format = values.format ?? (values.html ? undefined : "table");
  if (format !== undefined && format !== "table" && format !== "json" && format !== "csv")
    throw new UsageError("--format must be table, json or csv");
  if (values.table && values.input)
    throw new UsageError("give either --table NAME or --input FILE, not both");
  if (!values.table && !values.input)
    throw new UsageError("give --table NAME (the central table) or --input FILE (org events, offline)");
  const now = parseNow(values.now);
  let store: OrgStateStore;
  if (values.table) {
    const config = new GovernorConfig();
    store = new DynamoOrgStateStore(makeDynamoDbClient(config.clientOptions), values.table);
  } else store = await storeFromInput(values.input as string, now, io);

  const items: OrgAccountRegion[] = [];
  for await (const page of store.accountRegions()) items.push(...page);
  const rows = accountRegionRows(items, now);
  if (format === "csv")
    io.csv(
      toCsv(
        CSV_HEADER,
        rows.map((r) => [
          r.accountId,
          r.region,
          r.mode,
          r.secrets,
          r.unused,
          r.monthlyCostUsd,
          r.unusedMonthlyCostUsd,
          r.realisedMonthlySavingsUsd,
          r.projectedMonthlySavingsUsd,
          r.deletionsDue,
          r.lastSweep,
          r.lastHeartbeat,
          r.silent,
        ]),
      ),
    );
  const view = buildOrgView(items, now);
  if (format === "json") io.json(view);
  else if (format === "table") io.stdout(renderView(view));
  if (values.html) {
    const source = values.table ? `central table ${values.table}` : `${values.input}: org events, offline`;
    writeOrgHtmlReport(values.html, buildOrgReportModelOfView(view, rows, source), io);
  }
  return 0;
}
