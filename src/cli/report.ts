import type { Plan } from "../domain/decision.js";
import type { Secret } from "../domain/secret.js";
import { loadPolicy } from "../policy/load.js";
import { buildReportModel, type ReportEntry } from "../report/html/model.js";
import { planCsv } from "../report/plan-csv.js";
import { parseCommandArgs } from "./args.js";
import { readPolicyTexts, type Terminal } from "./io.js";
import { parseMode, parseNow, planFromFiles, planJson, renderPlanTable } from "./plan.js";
import { parseFormat, writeHtmlReport } from "./report-output.js";
import { UsageError } from "./usage.js";

interface Planned {
  plan: Plan;
  secrets: Secret[];
  entries?: ReportEntry[];
  source: string;
}

/**
 * The account read as the sweep reads it (ListSecrets, Config compliance, the replicated primaries described) and
 * planned, by the sweep's own code in report mode: nothing is written, whatever the mode asked for, which only
 * labels the plan (decisions do not depend on it).
 */
async function planAccountReadOnly(values: {
  account?: string;
  live?: boolean;
  policy: string;
  now?: string;
  mode?: string;
}): Promise<Planned> {
  const now = parseNow(values.now);
  const { policy } = loadPolicy(readPolicyTexts(values.policy));
  const mode = parseMode(values.mode) ?? policy.mode;
  // The SDK is loaded only for an account: `report --inventory` stays offline, as `plan` is.
  const { exemptPrincipalsOf, openAccount } = await import("./account.js");
  const { runSweep } = await import("../app/sweep.js");
  const account = openAccount({ ...values, write: false }, now);
  const result = await runSweep({
    store: account.store,
    ...(account.compliance ? { compliance: account.compliance } : {}),
    policy,
    mode: "report",
    now,
    exemptPrincipals: exemptPrincipalsOf(policy),
  });
  const decisions = result.outcomes.map((o) => o.decision);
  return {
    plan: { ...result.plan, mode, decisions },
    secrets: result.secrets,
    // A local account has no Config to read: only the live account's missing compliance is news.
    source: account.local
      ? `plan of the local account ${values.account}`
      : `plan of the ${account.describe}${result.complianceUnavailable ? ` (${result.complianceUnavailable})` : ""}`,
  };
}

/** `governor report`: the HTML report, and the plan as a table, JSON or CSV, from files or an account. */
export async function runReport(argv: string[], io: Terminal): Promise<number> {
  const { values } = parseCommandArgs("report", argv, {
    options: {
      inventory: { type: "string" },
      compliance: { type: "string" },
      account: { type: "string" },
      live: { type: "boolean" },
      policy: { type: "string", default: "policies" },
      now: { type: "string" },
      mode: { type: "string" },
      html: { type: "string" },
      format: { type: "string" },
    },
  });
  const sources = [values.inventory, values.account, values.live].filter(Boolean).length;
  if (sources !== 1)
    throw new UsageError(
      sources === 0
        ? "needs --inventory FILE, --account FILE or --live"
        : "give one of --inventory FILE, --account FILE or --live",
    );
  if (values.compliance && !values.inventory)
    throw new UsageError("--compliance goes with --inventory (an account's compliance is read from Config)");
  const format = parseFormat(values.format) ?? (values.html ? undefined : "table");
  parseMode(values.mode);
  parseNow(values.now);
  const planned: Planned = values.inventory
    ? {
        ...planFromFiles({ ...values, inventory: values.inventory }, io),
        source: `plan of ${values.inventory}`,
      }
    : await planAccountReadOnly(values);
  const model = buildReportModel(planned);
  if (format === "json") io.json(planJson(planned.plan, planned.secrets));
  else if (format === "csv") io.csv(planCsv(model.rows));
  else if (format === "table") io.stdout(renderPlanTable(planned.plan));
  if (values.html) writeHtmlReport(values.html, model, io);
  return 0;
}
