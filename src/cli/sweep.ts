import type { ActionOutcome } from "../app/execute.js";
import { notifySweep } from "../app/notify.js";
import { runSweep, type SweepProgress, type SweepResult } from "../app/sweep.js";
import { loadPolicy } from "../policy/load.js";
import { planSecretFacts } from "../report/html/model.js";
import { exemptPrincipalsOf, type OpenAccount, openAccount } from "./account.js";
import { parseCommandArgs } from "./args.js";
import { readPolicyTexts, type Terminal } from "./io.js";
import { decisionJson, parseMode, parseNow, renderPlanTable } from "./plan.js";
import { formatDuration, ProgressLine } from "./progress.js";
import { parseFormat, writeReportOutputs } from "./report-output.js";
import { liveSecurityHub, reportSecurityHub } from "./security-hub.js";
import { reportUndelivered, SLACK_OPTIONS, slackFromOptions } from "./slack-options.js";
import { terminalJson, terminalSafeLine } from "./terminal.js";
import { UsageError } from "./usage.js";

/**
 * The bounds of `--write-share`: at least 1% of a quota, so a sweep still ends; at most half, so the applications
 * that share the account's quotas keep the other half however large the sweep.
 */
export const WRITE_SHARE_RANGE = { min: 0.01, max: 0.5 } as const;

export function parseWriteShare(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const share = Number(value);
  if (!(share >= WRITE_SHARE_RANGE.min && share <= WRITE_SHARE_RANGE.max))
    throw new UsageError(
      `--write-share must be a number from ${WRITE_SHARE_RANGE.min} to ${WRITE_SHARE_RANGE.max} (the share of each Secrets Manager write quota the sweep may take), not ${value}`,
    );
  return share;
}

/** What pace the live writes keep and why, said once before the first. */
export function paceNote(actions: number, pace: NonNullable<OpenAccount["pace"]>): string {
  const rate = Number(pace.perSecond.toFixed(2));
  return (
    `sweep: ${actions} action${actions === 1 ? "" : "s"} to take. Secrets Manager writes are paced at ${rate} calls/s per write family: ` +
    `${Math.round(pace.share * 1000) / 10}% of the ${pace.quota}/s quota that every application of this account and region shares ` +
    `(--write-share ${WRITE_SHARE_RANGE.min}..${WRITE_SHARE_RANGE.max}, or GOVERNOR_WRITE_SHARE, changes it). ` +
    `At least ${formatDuration(actions / pace.perSecond)}.\n`
  );
}

function failedLine(f: ActionOutcome): string {
  return `failed: ${terminalSafeLine(f.decision.name)}: ${f.decision.action}: ${terminalSafeLine(f.detail ?? "-")}\n`;
}

/** `governor sweep`: the daily sweep, against a local account file or the live account. */
export async function runSweepCommand(argv: string[], io: Terminal): Promise<number> {
  const { values } = parseCommandArgs("sweep", argv, {
    options: {
      account: { type: "string" },
      live: { type: "boolean" },
      write: { type: "boolean" },
      policy: { type: "string", default: "policies" },
      now: { type: "string" },
      mode: { type: "string" },
      format: { type: "string", default: "table" },
      html: { type: "string" },
      "write-share": { type: "string" },
      "security-hub": { type: "boolean" },
      ...SLACK_OPTIONS,
    },
  });
  const writeShare = parseWriteShare(values["write-share"]);
  if (writeShare !== undefined && !values.live)
    throw new UsageError("--write-share paces the live account's writes: give it with --live");
  if (values["security-hub"] && !values.live)
    throw new UsageError("--security-hub imports into the live account's Security Hub: give it with --live");
  const format = parseFormat(values.format);
  const now = parseNow(values.now);
  const { policy } = loadPolicy(readPolicyTexts(values.policy));
  const mode = parseMode(values.mode) ?? policy.mode;
  const account = openAccount(values, now, writeShare === undefined ? {} : { writeShare });
  const line = io.status ? new ProgressLine(io.status, "sweep") : undefined;
  let paced: { actions: number; since: number } | undefined;
  const onProgress = (progress: SweepProgress) => {
    if (!paced && account.pace && mode === "enforce" && progress.total > 0) {
      io.stderr(paceNote(progress.total, account.pace));
      paced = { actions: progress.total, since: performance.now() };
    }
    line?.update(progress);
  };
  let result: SweepResult;
  try {
    result = await runSweep({
      store: account.store,
      ...(account.compliance ? { compliance: account.compliance } : {}),
      policy,
      mode,
      now,
      exemptPrincipals: exemptPrincipalsOf(policy),
      onProgress,
      ...(values["security-hub"] ? { securityHub: liveSecurityHub(io) } : {}),
    });
  } finally {
    line?.finish();
  }
  if (paced)
    io.stderr(
      `sweep: ${paced.actions} action${paced.actions === 1 ? "" : "s"} in ${formatDuration((performance.now() - paced.since) / 1000)}\n`,
    );
  account.save();
  const slack = slackFromOptions(values, io, mode, now, policy);
  if (slack) await notifySweep(result, slack);
  const failed = result.outcomes.filter((o) => o.outcome === "failed");
  if (format === "json") {
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
      secrets: planSecretFacts(result.plan, result.secrets),
    });
  } else if (format === "csv") {
    for (const f of failed) io.stderr(failedLine(f));
  } else {
    if (result.complianceUnavailable) io.stdout(`Note: ${result.complianceUnavailable}.\n\n`);
    io.stdout(renderPlanTable({ ...result.plan, decisions: result.outcomes.map((o) => o.decision) }));
    // Report mode shows exactly what a quarantine would put: the whole merged resource policy.
    for (const o of result.outcomes)
      if (o.policyDocument)
        io.stdout(
          `\nResource policy a quarantine of ${terminalSafeLine(o.decision.name)} would put:\n${terminalJson(JSON.parse(o.policyDocument), 2)}\n`,
        );
    for (const f of failed) io.stderr(failedLine(f));
  }
  writeReportOutputs(
    {
      plan: result.plan,
      secrets: result.secrets,
      entries: result.outcomes.map((o) => ({
        decision: o.decision,
        outcome: o.outcome,
        ...(o.detail ? { detail: o.detail } : {}),
      })),
      source: `sweep of the ${account.describe}`,
    },
    { csv: format === "csv", outcomes: true, ...(values.html ? { html: values.html } : {}) },
    io,
  );
  const undelivered = reportUndelivered(slack, io);
  const unimported = reportSecurityHub(result.securityHub, io);
  return failed.length > 0 || undelivered > 0 || unimported > 0 ? 1 : 0;
}
