import { parseComplianceDetails } from "../domain/config-rules.js";
import { parseAwsDate } from "../domain/dates.js";
import type { Decision, Mode, Plan } from "../domain/decision.js";
import { readInventory } from "../domain/secret.js";
import { loadPolicy } from "../policy/load.js";
import { planAccount } from "../policy/plan.js";
import { parseCommandArgs } from "./args.js";
import { asffDocument } from "./asff.js";
import { readPolicyTexts, readText, type Terminal } from "./io.js";
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

export function runPlan(argv: string[], io: Terminal): number {
  const { values } = parseCommandArgs("plan", argv, {
    options: {
      inventory: { type: "string" },
      compliance: { type: "string" },
      policy: { type: "string", default: "policies" },
      now: { type: "string" },
      mode: { type: "string" },
      format: { type: "string", default: "table" },
    },
  });
  if (!values.inventory)
    throw new UsageError("needs --inventory FILE (the JSON of 'aws secretsmanager list-secrets')");
  if (values.format !== "table" && values.format !== "json" && values.format !== "asff")
    throw new UsageError(`--format must be table, json or asff`);
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
  if (values.format === "asff") {
    io.json(asffDocument(plan.decisions, secrets, policy, now, plan.mode));
  } else if (values.format === "json") {
    io.json({
      mode: plan.mode,
      now: plan.now.toISOString(),
      decisions: plan.decisions.map(decisionJson),
      summary: plan.summary,
      limit: plan.limit,
    });
  } else {
    io.stdout(renderPlanTable(plan));
  }
  return 0;
}
