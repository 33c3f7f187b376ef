import { basename } from "node:path";
import { contentOf } from "../app/handle-batch.js";
import { notifyEventResults } from "../app/notify.js";
import type { FindingResult } from "../app/process-findings.js";
import { processFindings, recordAudit } from "../app/process-findings.js";
import { EVENT_REFUSED, refusalOf, refusedAuditEntries } from "../app/refused.js";
import { parseEvent } from "../domain/events.js";
import { matchRule } from "../domain/rules.js";
import { loadPolicy } from "../policy/load.js";
import {
  eventStateOf,
  exemptPrincipalsOf,
  openAccount,
  STACK_OPTIONS,
  selfPrincipalsOf,
  stackOf,
} from "./account.js";
import { parseCommandArgs } from "./args.js";
import { readEventFiles } from "./event-files.js";
import { readPolicyTexts, type Terminal } from "./io.js";
import { decisionJson, parseMode, parseNow } from "./plan.js";
import { reportUndelivered, SLACK_OPTIONS, slackFromOptions } from "./slack-options.js";
import { joinText, terminalSafeLine as oneLine, paint, type Text } from "./terminal.js";
import { UsageError } from "./usage.js";

function actionJson(result: FindingResult): Record<string, unknown> | undefined {
  const outcome = result.outcome;
  if (!outcome) return undefined;
  return {
    arn: outcome.decision.arn,
    name: outcome.decision.name,
    action: outcome.decision.action,
    outcome: outcome.outcome,
    steps: outcome.decision.steps,
    ...(outcome.detail ? { detail: outcome.detail } : {}),
    ...(outcome.policyDocument ? { policyDocument: JSON.parse(outcome.policyDocument) } : {}),
  };
}

function tagsText(tags: Record<string, string>): string {
  const governor = Object.entries(tags).filter(([k]) => k.startsWith("governor:"));
  return governor.length > 0
    ? governor.map(([k, v]) => `${oneLine(k)}=${oneLine(v)}`).join(" ")
    : "no governor tags";
}

/** `governor replay EVENT.json...`: each event through the same code as the Lambda handlers. */
export async function runReplay(argv: string[], io: Terminal): Promise<number> {
  const { values, positionals } = parseCommandArgs("replay", argv, {
    allowPositionals: true,
    options: {
      account: { type: "string" },
      live: { type: "boolean" },
      write: { type: "boolean" },
      policy: { type: "string", default: "policies" },
      now: { type: "string" },
      mode: { type: "string" },
      format: { type: "string", default: "text" },
      "ignore-unknown": { type: "boolean" },
      ...STACK_OPTIONS,
      ...SLACK_OPTIONS,
    },
  });
  if (positionals.length === 0) throw new UsageError("replay needs at least one EVENT.json");
  if (values.format !== "text" && values.format !== "json")
    throw new UsageError("--format must be text or json");
  const now = parseNow(values.now);
  const { policy } = loadPolicy(readPolicyTexts(values.policy));
  const mode = parseMode(values.mode) ?? policy.mode;
  const account = openAccount(values, now);
  const { ledger, accessCounter } = eventStateOf(values, policy.accessFailures);
  const stack = stackOf(values, account);
  const slack = slackFromOptions(values, io, mode, now, policy);
  // Every file is read and checked before any is acted on (or anything is printed).
  const files = readEventFiles(positionals, { ignoreUnknown: values["ignore-unknown"] ?? false });
  if (values.format === "text" && values.mode === "enforce" && account.local)
    // The demo (npm start) enforces on purpose; say first that this is not the default.
    io.stdout(
      paint(`Enforce mode (--mode enforce) on the ${account.describe}.`, "bold"),
      " The default is report: a dry run that changes nothing.\n\n",
    );
  const events: Record<string, unknown>[] = [];
  let failed = 0;
  let refused = 0;

  for (const { file, docs } of files) {
    for (const doc of docs) {
      const rule = matchRule(doc);
      const parsed = parseEvent(doc);
      if (!parsed.ok || rule === null) {
        const reason = !parsed.ok ? parsed.reason : "no rule in rules/ matches this event";
        events.push({ file: basename(file), rule, finding: null, decisions: [], actions: [], error: reason });
        if (values.format === "text")
          io.stdout(
            paint(oneLine(basename(file)), "bold"),
            `\n  rule: ${rule ?? "none"}\n  ignored: ${oneLine(reason)}\n\n`,
          );
        continue;
      }
      const refusal = refusalOf(doc, parsed.findings, stack);
      if (refusal) {
        // As the handlers do: refused, audited, never acted on.
        await recordAudit(
          undefined,
          refusedAuditEntries(parsed.eventId, parsed.findings, refusal, mode, now),
        );
        refused++;
        events.push({
          file: basename(file),
          rule,
          finding: null,
          decisions: [],
          actions: [],
          refused: refusal,
        });
        if (values.format === "text")
          io.stdout(
            paint(oneLine(basename(file)), "bold"),
            `\n  rule: ${rule}\n  ${EVENT_REFUSED}: ${oneLine(refusal)}\n\n`,
          );
        continue;
      }
      // The ledger, as the handlers use it: an event delivered twice is handled once.
      const entry = { route: rule, eventId: parsed.eventId, content: contentOf(parsed.findings) };
      const claim = await ledger.claim(entry, 60_000);
      if (claim !== "claimed") {
        const note =
          claim === "conflict"
            ? `an event with id ${parsed.eventId} was handled before with other findings: refused`
            : `event ${parsed.eventId} was handled before: a duplicate delivery, skipped`;
        if (claim === "conflict") refused++;
        events.push({ file: basename(file), rule, finding: null, decisions: [], actions: [], notes: [note] });
        if (values.format === "text")
          io.stdout(
            paint(oneLine(basename(file)), "bold"),
            `\n  rule: ${rule}\n  note: ${oneLine(note)}\n\n`,
          );
        continue;
      }
      const results = await processFindings(parsed.findings, {
        store: account.store,
        policy,
        mode,
        now,
        exemptPrincipals: exemptPrincipalsOf(policy),
        selfPrincipals: selfPrincipalsOf(),
        accessCounter,
      });
      const failures = results.filter((r) => r.outcome?.outcome === "failed").length;
      failed += failures;
      if (slack) await notifyEventResults(results, slack);
      await (failures > 0 ? ledger.release(entry) : ledger.complete(entry));
      const first = parsed.findings[0];
      events.push({
        file: basename(file),
        rule,
        finding: first
          ? {
              type: first.type,
              secret: first.secretId,
              status: first.status,
              ...(first.access ? { access: first.access } : {}),
            }
          : null,
        ...(parsed.findings.length > 1
          ? { findings: parsed.findings.map((f) => ({ type: f.type, secret: f.secretId })) }
          : {}),
        decisions: results.flatMap((r) => (r.decision ? [decisionJson(r.decision)] : [])),
        actions: results.flatMap((r) => {
          const a = actionJson(r);
          return a ? [a] : [];
        }),
        notes: results.flatMap((r) => (r.note ? [r.note] : [])),
      });
      if (values.format === "text") {
        // Every value from the event or the account is cleaned to one line: it cannot forge or rewrite a line.
        const lines: Text[] = [paint(oneLine(basename(file)), "bold"), `  rule: ${rule}`];
        if (parsed.findings.length === 0) lines.push("  finding: none (not a state the governor acts on)");
        for (const r of results) {
          lines.push(
            `  finding: ${r.finding.type} (${r.finding.status}) on ${oneLine(r.secret?.name ?? r.finding.secretId)}`,
          );
          if (r.note) lines.push(`  note: ${oneLine(r.note)}`);
          const d = r.outcome?.decision ?? r.decision;
          if (d) {
            lines.push([
              "  decision: ",
              paint(d.action, "cyan"),
              `${d.guard ? ` (guard ${d.guard})` : ""}: ${oneLine(d.reason)}`,
            ]);
            lines.push(
              `  outcome: ${r.outcome?.outcome ?? "-"}${r.outcome?.detail ? ` (${oneLine(r.outcome.detail)})` : ""}`,
            );
          }
          if (r.secret) {
            const after = await account.store.describe(r.secret.arn);
            const state = after
              ? `${tagsText(after.tags)}${after.deletedDate ? ", scheduled for deletion" : ""}${(await account.store.getResourcePolicy(after.arn).catch(() => undefined))?.includes("SecretsGovernorQuarantine") ? ", quarantined" : ""}`
              : "gone";
            lines.push(`  state: ${state}`);
          }
        }
        io.stdout(joinText(lines, "\n"), "\n\n");
      }
    }
  }
  account.save();
  if (values.format === "json") {
    io.json({ mode, stack, events, account: account.local?.snapshot() ?? null });
  } else {
    io.stdout(
      mode === "report"
        ? "Mode: report (dry run): nothing was changed.\n"
        : `Mode: enforce, on the ${account.describe}.\n`,
    );
  }
  const undelivered = reportUndelivered(slack, io);
  if (refused > 0) {
    io.stderr(
      `${refused} event${refused === 1 ? "" : "s"} refused: not of account ${stack.account} in ${stack.region} (--account-id, --region)\n`,
    );
    return 2;
  }
  return failed > 0 || undelivered > 0 ? 1 : 0;
}
