import { addDays, daysBetween, isoDate } from "../domain/dates.js";
import { type ActionKind, type Decision, PRICE_PER_SECRET_MONTH_USD } from "../domain/decision.js";
import { parseSecretArn, type Secret } from "../domain/secret.js";
import { readStage } from "../policy/evaluate.js";
import { lastAccessAnywhere } from "../policy/facts.js";
import { monthlyCost } from "../policy/plan.js";
import type { Report, ReportItem } from "../ports.js";
import { code, escapeMrkdwn, hasControlCharacters, shellQuote } from "./escape.js";

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT_RE = /^\d{12}$/;

/** Where a decision's secret lives: from its facts, else its ARN, else the report's context. */
export function locate(item: ReportItem, report: Pick<Report, "accountId" | "region">) {
  const parsed = parseSecretArn(item.decision.arn);
  const accountId = item.secret?.accountId ?? parsed?.accountId ?? report.accountId;
  const region = item.secret?.region ?? parsed?.region ?? report.region;
  return { accountId, region };
}

/**
 * The console page of a secret. Built by us from a validated region and the URL-encoded name, so it is the one
 * link in a message that can be trusted; `&` is escaped because Slack decodes entities inside links.
 */
export function consoleUrl(name: string, region: string | undefined): string | undefined {
  if (!region || !REGION_RE.test(region)) return undefined;
  // Past ~2,000 characters the link would crowd out the message (AWS names are at most 512 ASCII characters).
  if (name.length > 600) return undefined;
  return `https://${region}.console.aws.amazon.com/secretsmanager/secret?name=${encodeURIComponent(name)}&region=${region}`;
}

/** The labels of the console link: in a message of its own, and on a digest's line. */
export const CONSOLE_LINK_LABELS = ["Open in the AWS console", "console"] as const;
export type ConsoleLinkLabel = (typeof CONSOLE_LINK_LABELS)[number];

export function consoleLink(
  name: string,
  region: string | undefined,
  label: ConsoleLinkLabel = "Open in the AWS console",
): string {
  const url = consoleUrl(name, region);
  if (url) return `<${escapeMrkdwn(url)}|${label}>`;
  return region && REGION_RE.test(region)
    ? "_no console link (name too long)_"
    : "_no console link (region unknown)_";
}

export function accountText(accountId: string | undefined): string {
  if (accountId === undefined) return "_unknown_";
  return ACCOUNT_RE.test(accountId) ? `\`${accountId}\`` : code(accountId, 40);
}

export function regionText(region: string | undefined): string {
  if (region === undefined) return "_unknown_";
  return REGION_RE.test(region) ? `\`${region}\`` : code(region, 40);
}

/** The owner from the `owner` and `team` tags (untrusted values). */
export function ownerText(secret: Secret | undefined): string {
  if (!secret) return "_unknown_";
  const parts: string[] = [];
  if (secret.tags.owner !== undefined) parts.push(code(secret.tags.owner, 80));
  if (secret.tags.team !== undefined) parts.push(`team ${code(secret.tags.team, 80)}`);
  return parts.length > 0 ? parts.join(", ") : "_none: tag it `owner` or `team`_";
}

export function lastAccessText(secret: Secret | undefined, now: Date): string {
  if (!secret) return "_unknown_";
  const last = lastAccessAnywhere(secret);
  if (!last) return "never";
  const days = daysBetween(last, now);
  return `${isoDate(last)} (${days === 0 ? "today" : days === 1 ? "1 day ago" : `${days} days ago`})`;
}

export function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

/** Monthly cost: $0.40 per secret-month, each replica billed as a secret, nothing while deletion is pending. */
export function itemMonthlyCost(secret: Secret | undefined): number {
  return secret ? monthlyCost(secret) : PRICE_PER_SECRET_MONTH_USD;
}

export function costText(secret: Secret | undefined): string {
  if (!secret) return `${usd(PRICE_PER_SECRET_MONTH_USD)}/month (estimate)`;
  if (secret.deletedDate) return `${usd(0)}/month (not billed while deletion is pending)`;
  const replicas = secret.replicas?.length ?? 0;
  const extra = replicas > 0 ? ` (with ${replicas} replica${replicas === 1 ? "" : "s"})` : "";
  return `${usd(monthlyCost(secret))}/month${extra}`;
}

const ACTION_LABELS: Record<ActionKind, string> = {
  notify: "notify",
  tag: "flag",
  untag: "reset the lifecycle",
  quarantine: "quarantine",
  release: "release the quarantine",
  "schedule-deletion": "schedule deletion",
  "cancel-deletion": "cancel the deletion",
};

export function actionLabel(action: ActionKind | "none"): string {
  return action === "none" ? "nothing" : ACTION_LABELS[action];
}

export function stageText(decision: Decision): string {
  return decision.stage ? `\`${decision.stage}\`` : "none";
}

/**
 * The next step and its date; for a pending deletion, when it becomes final. A decision outside the lifecycle
 * (a rotation failure, an access failure) on a secret that is in it still has the lifecycle's next step: its
 * date when the caller worked it out (`decision.next`), else the stage it goes on from.
 */
export function nextStepText(decision: Decision, secret: Secret | undefined, now?: Date): string {
  if (decision.next) return `${actionLabel(decision.next.action)} on ${decision.next.on}`;
  const cancelled = decision.steps.some((s) => s.kind === "cancel-deletion");
  if (secret?.deletedDate && !cancelled)
    return `deleted for good on ${isoDate(secret.deletedDate)} unless restored`;
  // The facts predate the step: the deletion date follows from its recovery window.
  const scheduling = decision.steps.find((s) => s.kind === "schedule-deletion");
  if (scheduling && now)
    return `deleted for good on ${isoDate(addDays(now, scheduling.recoveryWindowDays))} unless restored`;
  if (decision.finding !== "unused" && decision.stage && secret) {
    const { stage, since } = readStage(secret);
    if (stage === decision.stage)
      return `the lifecycle goes on from \`${stage}\`${since ? ` (since ${isoDate(since)})` : ""}; \`governor plan\` shows when`;
  }
  return "none";
}

/**
 * The restore command for a name, shell-quoted. A name cut for display, or with control characters, would
 * give a wrong command: then point to the console instead.
 */
export function restoreCommand(name: string): string {
  if (name.length > 200 || hasControlCharacters(name) || name.includes("`"))
    return "`governor restore` with the secret's full name (see the console link)";
  return code(`governor restore ${shellQuote(name)}`, 260);
}

export const EXEMPT_HINT = "tag it `governor:exempt=true`";
