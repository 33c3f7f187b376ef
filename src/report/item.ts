import {
  DESTRUCTIVE_ACTIONS,
  type Decision,
  type Mode,
  type Stage,
  UNKNOWN_SECRET_RULE,
} from "../domain/decision.js";
import type { FindingType } from "../domain/finding.js";
import { QUARANTINE_FEEDBACK_RULE, readStage } from "../policy/evaluate.js";
import type { ReportItem } from "../ports.js";
import type { ButtonFactory } from "./buttons.js";
import { code, codeBlock, prose } from "./escape.js";
import {
  accountText,
  actionLabel,
  consoleLink,
  costText,
  EXEMPT_HINT,
  lastAccessText,
  locate,
  nextStepText,
  ownerText,
  regionText,
  restoreCommand,
  stageText,
} from "./facts.js";
import { type Block, context, fields, header, message, type SlackMessage, section } from "./message.js";

/** The kinds of per-item message, one layout each. */
export const MESSAGE_KINDS = [
  "flagged",
  "quarantined",
  "deletion-scheduled",
  "restored",
  "access-failure",
  "rotation-failure",
  "withheld",
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

const FINDING_LABELS: Record<FindingType, string> = {
  unused: "unused",
  "rotation-disabled": "rotation disabled",
  "rotation-failed": "rotation failed",
  "rotation-overdue": "rotation overdue",
  "not-using-cmk": "not encrypted with a customer managed key",
  "access-denied": "access denied",
  "decryption-failure": "decryption failure",
};

export function findingLabel(finding: FindingType): string {
  return FINDING_LABELS[finding];
}

/** Which layout a decision gets. Incidents first: an access failure stays an incident whatever was done. */
export function classifyDecision(decision: Decision): MessageKind {
  if (decision.finding === "access-denied" || decision.finding === "decryption-failure")
    return "access-failure";
  if (decision.finding === "rotation-failed") return "rotation-failure";
  if (decision.action === "schedule-deletion") return "deletion-scheduled";
  if (decision.action === "quarantine") return "quarantined";
  if (decision.action === "release" || decision.action === "cancel-deletion") return "restored";
  if (decision.action === "untag" && decision.stage === null) return "restored";
  if (decision.guard !== null && decision.action === "none") return "withheld";
  return "flagged";
}

/** A read denied by the governor's own quarantine (or pending deletion): proof of use, not a permissions bug. */
export function isQuarantineFeedback(decision: Decision): boolean {
  return decision.rule === QUARANTINE_FEEDBACK_RULE;
}

/**
 * A rotation failure the governor's own quarantine or deletion caused: its deny also blocks the rotation
 * function, so the failure is expected. process-findings says so in the reason; the stage says it too.
 */
export function governorCausedRotationFailure(decision: Decision): "quarantine" | "deletion" | undefined {
  if (decision.finding !== "rotation-failed") return undefined;
  const said = /caused by the governor's own (quarantine|deletion)/.exec(decision.reason)?.[1];
  if (said === "quarantine" || said === "deletion") return said;
  if (decision.stage === "quarantined") return "quarantine";
  if (decision.stage === "deletion-scheduled") return "deletion";
  return undefined;
}

/** The quarantine (or pending deletion) is lifted by this decision. */
function liftsQuarantine(decision: Decision): boolean {
  return decision.steps.some((s) => s.kind === "release" || s.kind === "cancel-deletion");
}

/** The stage the secret was in before this decision: its `governor:stage` tag, else what the steps undo. */
export function formerStage(item: ReportItem): Stage | null {
  const tagged = item.secret ? readStage(item.secret).stage : null;
  if (tagged) return tagged;
  const { decision } = item;
  if (decision.steps.some((s) => s.kind === "cancel-deletion")) return "deletion-scheduled";
  if (decision.steps.some((s) => s.kind === "release")) return "quarantined";
  return decision.stage;
}

export const KIND_EMOJI: Record<MessageKind, string> = {
  flagged: ":large_yellow_circle:",
  quarantined: ":lock:",
  "deletion-scheduled": ":wastebasket:",
  restored: ":leftwards_arrow_with_hook:",
  "access-failure": ":rotating_light:",
  "rotation-failure": ":warning:",
  withheld: ":shield:",
};

/** The emoji of a message: its kind's, except for what the governor itself caused and undoes. */
export function emojiFor(kind: MessageKind, decision: Decision): string {
  if (kind === "access-failure" && isQuarantineFeedback(decision))
    return liftsQuarantine(decision) ? KIND_EMOJI.restored : KIND_EMOJI.quarantined;
  if (kind === "rotation-failure" && governorCausedRotationFailure(decision)) return ":information_source:";
  return KIND_EMOJI[kind];
}

/** A plain-text title (header blocks and notifications); built from trusted words only. */
export function titleFor(kind: MessageKind, decision: Decision, mode: Mode, former?: Stage | null): string {
  const dry = mode === "report";
  if (kind === "access-failure" && isQuarantineFeedback(decision)) {
    const deletion = (former ?? decision.stage) === "deletion-scheduled";
    if (!liftsQuarantine(decision))
      return deletion ? "Secret pending deletion is still in use" : "Quarantined secret is still in use";
    if (dry)
      return `Secret still in use (${deletion ? "deletion would be cancelled" : "quarantine would be released"})`;
    return `Secret still in use: ${deletion ? "deletion cancelled" : "quarantine released"}`;
  }
  const caused = kind === "rotation-failure" ? governorCausedRotationFailure(decision) : undefined;
  if (caused)
    return `Rotation failed, as expected: the secret is ${caused === "quarantine" ? "quarantined" : "scheduled for deletion"}`;
  switch (kind) {
    case "flagged":
      if (decision.finding !== "unused") return `Secret finding: ${findingLabel(decision.finding)}`;
      if (decision.action === "tag")
        return dry ? "Unused secret (would be flagged)" : "Unused secret flagged";
      return "Unused secret";
    case "quarantined":
      return dry ? "Unused secret (would be quarantined)" : "Unused secret quarantined";
    case "deletion-scheduled":
      return dry ? "Unused secret (deletion would be scheduled)" : "Unused secret: deletion scheduled";
    case "restored":
      return dry ? "Secret in use again (would be restored)" : "Secret in use again: restored";
    case "access-failure":
      return `Access failure: ${findingLabel(decision.finding)}`;
    case "rotation-failure":
      return "Secret rotation failed";
    case "withheld":
      return `Action withheld by guard ${decision.guard ?? "unknown"}`;
  }
}

export const DRY_RUN_NOTE =
  ":information_source: *Report mode (dry run): nothing was changed.* This is what enforce mode would do.";

/** What was (or would be) done, in words. */
function doneText(decision: Decision, mode: Mode): string {
  if (decision.action === "none")
    return decision.guard ? `nothing (withheld by guard \`${decision.guard}\`)` : "nothing";
  const label = actionLabel(decision.action);
  return mode === "report" ? `would ${label} (not done: report mode)` : `${label}: done`;
}

/** The caller of an access failure, named (untrusted, so as code). */
function callerText(item: ReportItem): string {
  const principal = item.finding?.access?.principalArn;
  return principal ? code(principal, 300) : "a caller";
}

/** A read that the governor's own quarantine (or pending deletion) denied: what happened and what is left to do. */
function feedbackText(item: ReportItem, mode: Mode, former: Stage | null, name: string): string {
  const { decision } = item;
  const restore = restoreCommand(name);
  const deletion = former === "deletion-scheduled";
  const held = deletion ? "the secret is scheduled for deletion" : "the secret is quarantined";
  const lead = `*Denied by the governor's own quarantine:* ${callerText(item)} was refused because ${held}, which shows the secret is still in use.`;
  if (!liftsQuarantine(decision))
    return `${lead} The quarantine stays in place. If this caller needs the secret, run ${restore}. To keep it out of the lifecycle, ${EXEMPT_HINT}.`;
  const undone = deletion
    ? "the deletion is cancelled, the quarantine released"
    : "the quarantine is released";
  if (mode === "report")
    return `${lead} Enforce mode would release it; nothing was changed. To release it now, run ${restore}.`;
  return `${lead} Now ${undone} and the lifecycle reset, so its next read works. To keep it out of the lifecycle, ${EXEMPT_HINT}.`;
}

/** How to get out: the exemption, and the restore command once something was taken away. */
function wayOutText(
  kind: MessageKind,
  item: ReportItem,
  mode: Mode,
  former: Stage | null,
  name: string,
): string {
  const { decision } = item;
  const restore = restoreCommand(name);
  switch (kind) {
    case "quarantined":
    case "deletion-scheduled":
      return `*Way back:* run ${restore} (reads work again, deletion cancelled). To keep it out of the lifecycle, ${EXEMPT_HINT}.`;
    case "restored":
      return `*Lifecycle reset:* nothing else to do. To keep it out of the lifecycle for good, ${EXEMPT_HINT}.`;
    case "access-failure":
      if (isQuarantineFeedback(decision)) return feedbackText(item, mode, former, name);
      return decision.stage === "quarantined" || decision.stage === "deletion-scheduled"
        ? `*If this caller needs the secret:* run ${restore}. To keep it out of the lifecycle, ${EXEMPT_HINT}.`
        : `*If the caller is legitimate:* fix its permissions; the governor did not block this read. To exempt the secret, ${EXEMPT_HINT}.`;
    case "rotation-failure": {
      const caused = governorCausedRotationFailure(decision);
      if (caused === "quarantine")
        return `*Expected, not an alarm:* the governor's quarantine denies GetSecretValue to the rotation function too, so rotation fails while the secret is quarantined. If the secret is still needed, run ${restore}; otherwise nothing to do.`;
      if (caused === "deletion")
        return `*Expected, not an alarm:* a secret scheduled for deletion cannot be read, so its rotation fails until the deletion is final. If the secret is still needed, run ${restore}; otherwise nothing to do.`;
      return `*Next:* check the rotation function's logs. To exempt the secret, ${EXEMPT_HINT}.`;
    }
    case "withheld":
      return decision.guard === "exempt"
        ? "*Exempt:* remove the `governor:exempt` tag to bring it back under the policy."
        : `*Nothing to do* unless you want it gone: then delete it yourself, or ${EXEMPT_HINT} to silence this.`;
    default:
      return decision.stage
        ? `*To keep it:* read it again, or ${EXEMPT_HINT}. *To undo:* ${restore}.`
        : `*To keep it:* read it again, or ${EXEMPT_HINT}.`;
  }
}

/** The stage field: after a release or reset, also the stage the secret left. */
function stageField(item: ReportItem, mode: Mode, former: Stage | null): string {
  const { decision } = item;
  if (decision.stage !== null || former === null) return stageText(decision);
  if (liftsQuarantine(decision))
    return mode === "report" ? `\`${former}\` (would be released)` : `none (released from \`${former}\`)`;
  if (decision.steps.some((s) => s.kind === "untag"))
    return mode === "report" ? `\`${former}\` (would be reset)` : `none (reset from \`${former}\`)`;
  return stageText(decision);
}

/** The caller behind an access failure: every value is caller-controlled. */
function attemptBlocks(item: ReportItem): Block[] {
  const access = item.finding?.access;
  if (!access && !item.finding) return [];
  const f: string[] = [];
  if (access) {
    f.push(`*Caller*\n${code(access.principalArn, 300)}`);
    if (access.principalType) f.push(`*Caller type*\n${code(access.principalType, 60)}`);
    f.push(`*API*\n${code(access.api, 60)}${access.errorCode ? ` → ${code(access.errorCode, 80)}` : ""}`);
  }
  if (item.finding) f.push(`*Secret asked for*\n${code(item.finding.secretId, 300)}`);
  if (access?.sourceIp) f.push(`*Source IP*\n${code(access.sourceIp, 60)}`);
  if (access?.userAgent) f.push(`*User agent*\n${code(access.userAgent, 300)}`);
  if (item.finding) f.push(`*Seen*\n${item.finding.observedAt.toISOString()}`);
  const blocks: Block[] = [fields(f)];
  if (access?.errorMessage) blocks.push(section(`*Error message*\n${codeBlock(access.errorMessage, 500)}`));
  return blocks;
}

export interface ItemOptions {
  mode: Mode;
  now: Date;
  /** Keep / Snooze / Restore, where the policy allows them (src/report/buttons.ts). */
  buttons?: ButtonFactory;
  accountId?: string;
  region?: string;
}

/** One message for one decision: header, facts, why, what is next, and the way out. */
export function buildItemMessage(item: ReportItem, options: ItemOptions): SlackMessage {
  const { decision, secret } = item;
  const kind = classifyDecision(decision);
  const former = formerStage(item);
  const title = titleFor(kind, decision, options.mode, former);
  const { accountId, region } = locate(item, options);
  const name = secret?.name ?? decision.name;

  const blocks: Block[] = [header(`${emojiFor(kind, decision)} ${title}`)];
  if (options.mode === "report") blocks.push(context(DRY_RUN_NOTE));
  blocks.push(
    fields([
      `*Secret*\n${code(name, 200)}`,
      `*Account*\n${accountText(accountId)}`,
      `*Region*\n${regionText(region)}`,
      `*Owner*\n${ownerText(secret)}`,
      `*Last access*\n${lastAccessText(secret, options.now)}`,
      `*Monthly cost*\n${item.decision.rule === UNKNOWN_SECRET_RULE ? "none: no such secret" : costText(secret)}`,
      `*Stage*\n${stageField(item, options.mode, former)}`,
      `*Next step*\n${nextStepText(decision, secret, options.now)}`,
    ]),
  );
  blocks.push(section(`*Why:* ${prose(decision.reason)}\n*Done:* ${doneText(decision, options.mode)}`));
  if (kind === "access-failure") blocks.push(...attemptBlocks(item));
  if (kind === "rotation-failure" && item.finding?.message)
    blocks.push(section(`*Rotation error*\n${codeBlock(item.finding.message, 800)}`));
  if (secret?.description) blocks.push(section(`*Description:* ${code(secret.description, 300)}`));
  blocks.push(section(`${wayOutText(kind, item, options.mode, former, name)}\n${consoleLink(name, region)}`));
  const buttons = options.buttons?.(item, options.mode);
  if (buttons) blocks.push(buttons);
  blocks.push(
    context(
      [
        `finding \`${decision.finding}\``,
        decision.rule ? `rule ${code(decision.rule, 80)}` : "no rule",
        `route ${code(decision.route, 60)}`,
        decision.guard ? `guard \`${decision.guard}\`` : undefined,
      ]
        .filter((x) => x !== undefined)
        .join(" · "),
    ),
  );

  const where = `${accountId ?? "unknown account"}/${region ?? "unknown region"}`;
  const dry = options.mode === "report" ? " [report mode: nothing was changed]" : "";
  const fallback =
    `${title}: ${code(name, 200)} in ${code(where, 80)}${dry}. ` +
    `Why: ${prose(decision.reason, 300)}. Next: ${nextStepText(decision, secret, options.now)}.`;
  return message(fallback, blocks);
}

/** Destructive first, then incidents, the way back, flags, withheld, and the rest; stable within a rank. */
export function priorityOf(decision: Decision): number {
  if (decision.action === "schedule-deletion") return 0;
  if (DESTRUCTIVE_ACTIONS.includes(decision.action as never)) return 1;
  const kind = classifyDecision(decision);
  if (kind === "access-failure") return 2;
  if (kind === "rotation-failure") return governorCausedRotationFailure(decision) ? 7 : 3;
  if (kind === "restored") return 4;
  if (decision.action === "tag") return 5;
  if (kind === "withheld") return 6;
  if (decision.action !== "none") return 7;
  return 8;
}

/** What a digest line says was done (or found). */
function lineWhat(kind: MessageKind, decision: Decision, mode: Mode): string {
  if (kind === "withheld") return `withheld by \`${decision.guard}\``;
  const caused = kind === "rotation-failure" ? governorCausedRotationFailure(decision) : undefined;
  if (caused)
    return `rotation failed, expected (${caused === "quarantine" ? "quarantined" : "deletion pending"})`;
  if (decision.action === "none" || decision.action === "notify") return findingLabel(decision.finding);
  const action = mode === "report" ? `would ${actionLabel(decision.action)}` : actionLabel(decision.action);
  return kind === "access-failure" ? `${findingLabel(decision.finding)}: ${action}` : action;
}

/** A one-line summary for digests. */
export function itemLine(item: ReportItem, options: ItemOptions): string {
  const { decision, secret } = item;
  const kind = classifyDecision(decision);
  const { accountId, region } = locate(item, options);
  const name = secret?.name ?? decision.name;
  const what = lineWhat(kind, decision, options.mode);
  const by =
    kind === "access-failure" && item.finding?.access?.principalArn
      ? ` · by ${code(item.finding.access.principalArn, 120)}`
      : "";
  const next = decision.next ? ` · next: ${actionLabel(decision.next.action)} on ${decision.next.on}` : "";
  const where = `${accountId ?? "?"}/${region ?? "?"}`;
  return `${emojiFor(kind, decision)} *${what}* ${code(name, 80)} · ${code(where, 40)}${by}${next} · ${consoleLink(name, region, "console")}`;
}
