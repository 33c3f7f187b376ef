import { parseArgs } from "node:util";
import { notifySweep } from "../app/notify.js";
import { runSweep } from "../app/sweep.js";
import { loadPolicy } from "../policy/load.js";
import { exemptPrincipalsOf, openAccount } from "./account.js";
import { readPolicyTexts, type Terminal } from "./io.js";
import { decisionJson, parseMode, parseNow, renderPlanTable } from "./plan.js";
import { reportUndelivered, SLACK_OPTIONS, slackFromOptions } from "./slack-options.js";
import { terminalJson, terminalSafeLine } from "./terminal.js";
import { UsageError } from "./usage.js";

/** `governor sweep`: the daily sweep, against a local account file or the live account. */
export async function runSweepCommand(argv: string[], io: Terminal): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      account: { type: "string" },
      live: { type: "boolean" },
      write: { type: "boolean" },
      policy: { type: "string", default: "policies" },
      now: { type: "string" },
      mode: { type: "string" },
      format: { type: "string", default: "table" },
      ...SLACK_OPTIONS,
    },
  });
  if (values.format !== "table" && values.format !== "json")
    throw new UsageError("--format must be table or json");
  const now = parseNow(values.now);
  const { policy } = loadPolicy(readPolicyTexts(values.policy));
  const mode = parseMode(values.mode) ?? policy.mode;
  const account = openAccount(values, now);
  const result = await runSweep({
    store: account.store,
    ...(account.compliance ? { compliance: account.compliance } : {}),
    policy,
    mode,
    now,
    exemptPrincipals: exemptPrincipalsOf(policy),
  });
  account.save();
  const slack = slackFromOptions(values, io, mode, now, policy);
  if (slack) await notifySweep(result, slack);
  const failed = result.outcomes.filter((o) => o.outcome === "failed");
  if (values.format === "json") {
    io.json({
      mode,
      now: now.toISOString(),
      decisions: result.outcomes.map((o) => ({
        ...decisionJson(o.decision),
        outcome: o.outcome,
        ...(o.detail ? { detail: o.detail } : {}),
        // Report mode: the whole resource policy a quarantine would put, as it would be put.
        ...(o.policyDocument ? { policyDocument: JSON.parse(o.policyDocument) } : {}),
      })),
      summary: result.plan.summary,
      limit: result.plan.limit,
      complianceUnavailable: result.complianceUnavailable ?? null,
      account: account.local?.snapshot() ?? null,
    });
  } else {
    if (result.complianceUnavailable) io.stdout(`Note: ${result.complianceUnavailable}.\n\n`);
    io.stdout(renderPlanTable({ ...result.plan, decisions: result.outcomes.map((o) => o.decision) }));
    // Report mode shows exactly what a quarantine would put: the whole merged resource policy.
    for (const o of result.outcomes)
      if (o.policyDocument)
        io.stdout(
          `\nResource policy a quarantine of ${terminalSafeLine(o.decision.name)} would put:\n${terminalJson(JSON.parse(o.policyDocument), 2)}\n`,
        );
    for (const f of failed)
      io.stderr(
        `failed: ${terminalSafeLine(f.decision.name)}: ${f.decision.action}: ${terminalSafeLine(f.detail ?? "-")}\n`,
      );
  }
  const undelivered = reportUndelivered(slack, io);
  return failed.length > 0 || undelivered > 0 ? 1 : 0;
}
