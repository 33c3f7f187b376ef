import { parseComplianceDetails } from "../domain/config-rules.js";
import { parseAwsDate } from "../domain/dates.js";
import type { Decision, Mode, Plan } from "../domain/decision.js";
import { readInventory, type Secret } from "../domain/secret.js";
import { loadPolicy } from "../policy/load.js";
import { planAccount } from "../policy/plan.js";
import type { Policy } from "../policy/schema.js";
import { planSecretFacts } from "../report/html/model.js";
import { parseCommandArgs } from "./args.js";
import { asffDocument } from "./asff.js";
import { readPolicyTexts, readText, type Terminal } from "./io.js";
import { parseFormat, writeReportOutputs } from "./report-output.js";
import { type Cell, renderTable } from "./table.js";
import { type Colour, joinText, paint, type Text } from "./terminal.js";
import { UsageError } from "./usage.js";

export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const date = parseAwsDate(value);
  if (!date) throw new UsageError(`--now: not an ISO-8601 date: ${value}`);
  return date;
}

export function parseMode(value: string | undefined): Mode | undefined {
  if (value === undefined) return undefined;
  if (value !== "report" && value !== "enforce")
    throw new UsageError(`--mode must be report or enforce, not ${value}`);
  return value;
}

const ACTION_COLOUR: Record<string, Colour> = {
  "schedule-deletion": "red",
  quarantine: "yellow",
  tag: "cyan",
  untag: "green",
  release: "green",
  "cancel-deletion": "green",
  notify: "blue",
  none: "gray",
};

/** The JSON form of a decision: the documented keys first, then the details. */
export function decisionJson(d: Decision): Record<string, unknown> {
  return {
    arn: d.arn,
    name: d.name,
    finding: d.finding,
    action: d.action,
    stage: d.stage,
    reason: d.reason,
    guard: d.guard,
    rule: d.rule,
    route: d.route,
    steps: d.steps,
    ...(d.next ? { next: d.next } : {}),
    trace: d.trace,
  };
}

export function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

/** The plan for people; the untrusted cells are cleaned by the table, the rest by the terminal. */
export function renderPlanTable(plan: Plan): Text {
  const rows: Cell[][] = plan.decisions.map((d) => [
    { text: d.name },
    { text: d.finding },
    { text: d.action, colour: ACTION_COLOUR[d.action] },
    { text: d.stage ?? "-" },
    { text: d.guard ?? "-", ...(d.guard ? { colour: "magenta" as const } : {}) },
    { text: d.reason },
  ]);
  const s = plan.summary;
  const lines: Text[] = [
    plan.decisions.length > 0
      ? renderTable(["SECRET", "FINDING", "ACTION", "STAGE", "GUARD", "REASON"], rows)
      : "No decisions: the policy has nothing to say about these secrets.",
    "",
    `Secrets: ${s.secrets}   unused: ${s.unused}   monthly cost: ${usd(s.monthlyCostUsd)}   unused cost: ${usd(s.unusedMonthlyCostUsd)}/month`,
    `Savings: ${usd(s.realisedMonthlySavingsUsd)}/month realised, ${usd(s.projectedMonthlySavingsUsd)}/month projected once scheduled deletions complete`,
  ];
  if (plan.limit.withheld > 0)
    lines.push(
      paint(
        `Blast-radius limit: ${plan.limit.withheld} of ${plan.limit.planned} destructive actions withheld (limit-reached)`,
        "magenta",
      ),
    );
  lines.push(
    plan.mode === "report"
      ? paint("Mode: report (dry run): nothing was changed.", "bold")
      : paint("Mode: enforce: these actions would be taken by the pipeline.", "bold"),
  );
  return [joinText(lines, "\n"), "\n"];
}

/** The plan of an inventory file (and a compliance file), as `plan` and `report --inventory` make it. */
export function planFromFiles(
  values: { inventory: string; compliance?: string | undefined; policy: string; now?: string; mode?: string },
  io: Terminal,
): { plan: Plan; secrets: Secret[]; policy: Policy } {
  const now = parseNow(values.now);
  const mode = parseMode(values.mode);
  const { policy } = loadPolicy(readPolicyTexts(values.policy));
  const { secrets, warnings } = readInventory(readText(values.inventory, "inventory"), values.inventory);
  for (const warning of warnings) io.stderr(`governor: warning: ${warning}\n`);
  const compliance = values.compliance
    ? parseComplianceDetails(readText(values.compliance, "compliance file"), values.compliance, now)
    : undefined;
  const plan = planAccount(secrets, policy, now, {
    mode: mode ?? policy.mode,
    ...(compliance ? { compliance } : {}),
  });
  return { plan, secrets, policy };
}

/** The JSON of a plan: its decisions, the cost summary and limit, and each secret's cost facts (`secrets`). */
export function planJson(plan: Plan, secrets: readonly Secret[]): Record<string, unknown> {
  return {
    mode: plan.mode,
    now: plan.now.toISOString(),
    decisions: plan.decisions.map(decisionJson),
    summary: plan.summary,
    limit: plan.limit,
    secrets: planSecretFacts(plan, secrets),
  };
}

export function runPlan(argv: string[], io: Terminal): number {
  const { values } = parseCommandArgs("plan", argv, {
    options: {
      inventory: { type: "string" },
      compliance: { type: "string" },
      policy: { type: "string", default: "policies" },
      now: { type: "string" },
      mode: { type: "string" },
      format: { type: "string", default: "table" },
      html: { type: "string" },
    },
  });
  if (!values.inventory)
    throw new UsageError("needs --inventory FILE (the JSON of 'aws secretsmanager list-secrets')");
  // asff: the findings Security Hub would be given (plan only; report and sweep print plans).
  if (!["table", "json", "csv", "asff"].includes(values.format))
    throw new UsageError(`--format must be table, json, csv or asff, not ${values.format}`);
  const format = values.format === "asff" ? "asff" : parseFormat(values.format);
  const { plan, secrets, policy } = planFromFiles({ ...values, inventory: values.inventory }, io);
  if (format === "asff") io.json(asffDocument(plan.decisions, secrets, policy, plan.now, plan.mode));
  else if (format === "json") io.json(planJson(plan, secrets));
  else if (format === "table") io.stdout(renderPlanTable(plan));
  writeReportOutputs(
    { plan, secrets, source: `plan of ${values.inventory}` },
    { csv: format === "csv", ...(values.html ? { html: values.html } : {}) },
    io,
  );
  return 0;
}
