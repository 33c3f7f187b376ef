import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type AccountRegionInventory, accountRegionOfName, planOrganization } from "../app/org-plan.js";
import { DELETIONS_DUE_DAYS } from "../domain/org-events.js";
import { readInventory } from "../domain/secret.js";
import { InputError } from "../errors.js";
import { loadPolicy } from "../policy/load.js";
import type { OrgRollup } from "../policy/org-rollup.js";
import { type CsvCell, toCsv } from "../report/csv.js";
import { buildOrgReportModelOfRollup } from "../report/html/org-model.js";
import { parseCommandArgs } from "./args.js";
import { readPolicyTexts, readText, type Terminal } from "./io.js";
import { parseMode, parseNow, usd } from "./plan.js";
import { writeOrgHtmlReport } from "./report-output.js";
import { type Cell, renderTable } from "./table.js";
import { joinText, paint, type Text } from "./terminal.js";
import { UsageError } from "./usage.js";

const COMMAND = "org plan";

/** Every ACCOUNT-REGION.json (or other .json) inventory of a folder, in name order. */
export function readOrgInventories(dir: string): {
  inventories: AccountRegionInventory[];
  warnings: string[];
} {
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(`${dir}: not a directory`, dir);
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? "not found"}`, dir, {
      cause: error,
    });
  }
  if (files.length === 0)
    throw new InputError(`${dir}: no .json inventories (one list-secrets JSON per account and region)`, dir);
  const warnings: string[] = [];
  const inventories = files.map((file) => {
    const source = join(dir, file);
    const inventory = readInventory(readText(source, "inventory"), source);
    warnings.push(...inventory.warnings);
    const named = accountRegionOfName(file);
    return { source, secrets: inventory.secrets, ...(named ? { named } : {}) };
  });
  return { inventories, warnings };
}

const stageCells = (s: OrgRollup["totals"]["byStage"]) => [
  String(s.flagged),
  String(s.quarantined),
  String(s["deletion-scheduled"]),
];

/** The roll-up for people: account-regions with totals, teams, and the deletions due this week. */
export function renderOrgPlanTable(rollup: OrgRollup): Text {
  const t = rollup.totals;
  const right = (text: string): Cell => ({ text });
  const regions: Cell[][] = rollup.accountRegions.map((s) =>
    [
      s.accountId,
      s.region,
      s.mode,
      String(s.secrets),
      String(s.unused),
      usd(s.monthlyCostUsd),
      usd(s.unusedMonthlyCostUsd),
      usd(s.realisedMonthlySavingsUsd),
      usd(s.projectedMonthlySavingsUsd),
      ...stageCells(s.byStage),
      String(s.deletionsDueTotal),
    ].map(right),
  );
  regions.push(
    [
      `TOTAL (${t.accounts} accounts)`,
      `${t.accountRegions} acct-regions`,
      `${t.byMode.enforce} enforce`,
      String(t.secrets),
      String(t.unused),
      usd(t.monthlyCostUsd),
      usd(t.unusedMonthlyCostUsd),
      usd(t.realisedMonthlySavingsUsd),
      usd(t.projectedMonthlySavingsUsd),
      ...stageCells(t.byStage),
      String(t.deletionsDueTotal),
    ].map((text) => ({ text, colour: "bold" as const })),
  );
  const lines: Text[] = [
    renderTable(
      [
        "ACCOUNT",
        "REGION",
        "MODE",
        "SECRETS",
        "UNUSED",
        "COST/MONTH",
        "UNUSED COST",
        "REALISED",
        "PROJECTED",
        "FLAGGED",
        "QUARANTINED",
        "DEL-SCHEDULED",
        `DUE ${DELETIONS_DUE_DAYS}D`,
      ],
      regions,
    ),
    "",
    paint("By team (the team tag, else the owner tag):", "bold"),
    renderTable(
      ["TEAM", "SECRETS", "UNUSED", "UNUSED COST/MONTH"],
      rollup.byTeam.map((team) =>
        [team.team, String(team.secrets), String(team.unused), usd(team.unusedMonthlyCostUsd)].map(right),
      ),
    ),
    "",
  ];
  if (rollup.deletionsDue.length === 0)
    lines.push(`No deletions due in the next ${DELETIONS_DUE_DAYS} days.`);
  else {
    lines.push(
      paint(`Deletions due in the next ${DELETIONS_DUE_DAYS} days (${t.deletionsDueTotal}):`, "bold"),
      renderTable(
        ["ON", "ACCOUNT", "REGION", "TEAM", "SECRET"],
        rollup.deletionsDue.map((d) => [d.on.slice(0, 10), d.accountId, d.region, d.team, d.name].map(right)),
      ),
    );
    const unlisted = t.deletionsDueTotal - rollup.deletionsDue.length;
    if (unlisted > 0) lines.push(`... and ${unlisted} more (each account-region lists its 100 soonest)`);
  }
  lines.push(
    "",
    `Savings: ${usd(t.realisedMonthlySavingsUsd)}/month realised, ${usd(t.projectedMonthlySavingsUsd)}/month projected once scheduled deletions complete`,
    paint(
      `Accounts in report mode: ${t.byMode.report} account-regions; in enforce mode: ${t.byMode.enforce}. Offline: nothing was changed.`,
      "bold",
    ),
  );
  return [joinText(lines, "\n"), "\n"];
}

/** One CSV of the roll-up: account-regions (with a TOTAL row), teams, or deletions due. */
export function orgPlanCsv(rollup: OrgRollup, rows: "regions" | "teams" | "deletions"): string {
  if (rows === "teams")
    return toCsv(
      ["team", "secrets", "unused", "unused_monthly_cost_usd"],
      rollup.byTeam.map((t) => [t.team, t.secrets, t.unused, t.unusedMonthlyCostUsd]),
    );
  if (rows === "deletions")
    return toCsv(
      ["on", "account", "region", "team", "secret", "arn"],
      rollup.deletionsDue.map((d) => [d.on, d.accountId, d.region, d.team, d.name, d.arn]),
    );
  const t = rollup.totals;
  const line = (
    s: Omit<OrgRollup["accountRegions"][number], "schema" | "sweptAt" | "byTeam" | "deletionsDue">,
  ) =>
    [
      s.accountId,
      s.region,
      s.mode,
      s.secrets,
      s.unused,
      s.monthlyCostUsd,
      s.unusedMonthlyCostUsd,
      s.realisedMonthlySavingsUsd,
      s.projectedMonthlySavingsUsd,
      s.byStage.flagged,
      s.byStage.quarantined,
      s.byStage["deletion-scheduled"],
      s.deletionsDueTotal,
    ] as CsvCell[];
  return toCsv(
    [
      "account",
      "region",
      "mode",
      "secrets",
      "unused",
      "monthly_cost_usd",
      "unused_monthly_cost_usd",
      "realised_monthly_savings_usd",
      "projected_monthly_savings_usd",
      "flagged",
      "quarantined",
      "deletion_scheduled",
      `deletions_due_${DELETIONS_DUE_DAYS}d`,
    ],
    [
      ...rollup.accountRegions.map(line),
      line({ ...t, accountId: "TOTAL", region: "", mode: "report" }).map((cell, i) => (i === 2 ? "" : cell)),
    ],
  );
}

export function runOrgPlan(argv: string[], io: Terminal): number {
  const { values, positionals } = parseCommandArgs(COMMAND, argv, {
    options: {
      policy: { type: "string", default: "policies" },
      now: { type: "string" },
      mode: { type: "string" },
      format: { type: "string" },
      rows: { type: "string", default: "regions" },
      html: { type: "string" },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1)
    throw new UsageError("needs one DIR: a folder of ACCOUNT-REGION.json list-secrets inventories", COMMAND);
  // With --html alone the page is the output; --format adds the roll-up on stdout.
  const format = values.format ?? (values.html ? undefined : "table");
  if (format !== undefined && format !== "table" && format !== "json" && format !== "csv")
    throw new UsageError("--format must be table, json or csv", COMMAND);
  const rows = values.rows;
  if (rows !== "regions" && rows !== "teams" && rows !== "deletions")
    throw new UsageError("--rows must be regions, teams or deletions", COMMAND);
  const now = parseNow(values.now);
  const { policy } = loadPolicy(readPolicyTexts(values.policy));
  const mode = parseMode(values.mode) ?? policy.mode;
  const { inventories, warnings } = readOrgInventories(positionals[0] as string);
  for (const warning of warnings) io.stderr(`governor: warning: ${warning}\n`);
  const rollup = planOrganization(inventories, policy, now, mode);
  if (format === "json") io.json(rollup);
  else if (format === "csv") io.csv(orgPlanCsv(rollup, rows));
  else if (format === "table") io.stdout(renderOrgPlanTable(rollup));
  if (values.html)
    writeOrgHtmlReport(
      values.html,
      buildOrgReportModelOfRollup(rollup, `${positionals[0]}: planned offline, ${mode} mode`),
      io,
    );
  return 0;
}
