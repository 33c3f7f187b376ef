import {
  type CostSummary,
  type Mode,
  PRICE_PER_SECRET_MONTH_USD,
  roundUsd,
  type Stage,
} from "../domain/decision.js";
import type { Report, ReportItem } from "../ports.js";
import { type ButtonFactory, digestButtonBlocks } from "./buttons.js";
import { code, prose } from "./escape.js";
import { consoleLink, itemMonthlyCost, locate, nextStepText, usd } from "./facts.js";
import { classifyDecision, DRY_RUN_NOTE, type ItemOptions, itemLine, priorityOf } from "./item.js";
import {
  type Block,
  context,
  divider,
  fields,
  header,
  message,
  type SlackMessage,
  section,
} from "./message.js";

/**
 * A report with context lines for its digests (e.g. "Config could not be read: unused is judged from
 * ListSecrets"). Any Report is one; a notifier passes the object through to `buildMessages` unchanged.
 */
export interface NotedReport extends Report {
  /** Shown under the header of each digest and of the cost digest; untrusted text, rendered as prose. */
  notes?: string[];
}

function noteBlocks(report: NotedReport): Block[] {
  return (report.notes ?? []).map((note) => context(`:warning: ${prose(note, 500)}`));
}

/** Items listed by name in a digest; the rest are counted ("and N more"). */
export const DIGEST_MAX_ITEMS = 25;
/** Blocks JSON a digest's item list may use, so the whole message stays one message under Slack's limits. */
const DIGEST_ITEMS_JSON_BUDGET = 8_000;
const SECTION_TEXT_BUDGET = 2_800;

function countBy<T>(values: T[], key: (v: T) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) {
    const k = key(v);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

function countsText(counts: Map<string, number>): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `\`${k}\` ${n}`)
    .join(" · ");
}

/** The cost of the digest's own items, when no run summary was given. */
function costOfItems(items: ReportItem[]): CostSummary {
  const known = items.filter((i) => i.secret !== undefined);
  const unused = known.filter((i) => i.decision.finding === "unused");
  const sum = (list: ReportItem[]) => roundUsd(list.reduce((t, i) => t + itemMonthlyCost(i.secret), 0));
  const realised = known.filter((i) => i.secret?.deletedDate && i.decision.stage === "deletion-scheduled");
  return {
    secrets: known.length,
    unused: unused.length,
    monthlyCostUsd: sum(known),
    unusedMonthlyCostUsd: sum(unused),
    realisedMonthlySavingsUsd: roundUsd(
      realised.reduce((t, i) => t + PRICE_PER_SECRET_MONTH_USD * (1 + (i.secret?.replicas?.length ?? 0)), 0),
    ),
    projectedMonthlySavingsUsd: sum(unused.filter((i) => i.decision.stage !== null)),
  };
}

export function costFields(summary: CostSummary): Block {
  return fields([
    `*Secrets*\n${summary.secrets} (${usd(summary.monthlyCostUsd)}/month)`,
    `*Unused*\n${summary.unused} (${usd(summary.unusedMonthlyCostUsd)}/month)`,
    `*Savings realised*\n${usd(summary.realisedMonthlySavingsUsd)}/month`,
    `*Savings projected*\n${usd(summary.projectedMonthlySavingsUsd)}/month`,
  ]);
}

export function failedDeliveriesText(count: number | undefined): string | undefined {
  if (!count || count <= 0) return undefined;
  return `:warning: *${count} alert${count === 1 ? "" : "s"} failed to send last time* (kept for retry; see the dead-letter queue).`;
}

/** Item lines, in the order given, packed into sections within the item and size budgets; returns how many fit. */
function itemListBlocks(
  ordered: ReportItem[],
  line: (item: ReportItem) => string,
): { blocks: Block[]; listed: number } {
  const blocks: Block[] = [];
  let current: string[] = [];
  let currentLength = 0;
  let used = 0;
  let listed = 0;
  const flush = () => {
    if (current.length > 0) blocks.push(section(current.join("\n")));
    current = [];
    currentLength = 0;
  };
  for (const item of ordered) {
    if (listed >= DIGEST_MAX_ITEMS) break;
    const text = line(item);
    // JSON escapes and the section wrapper cost a little more than the text itself.
    const cost = JSON.stringify(text).length + 1;
    if (used + cost + 60 > DIGEST_ITEMS_JSON_BUDGET) break;
    if (text.length > SECTION_TEXT_BUDGET) continue;
    if (currentLength + text.length + 1 > SECTION_TEXT_BUDGET) flush();
    current.push(text);
    currentLength += text.length + 1;
    used += cost + (current.length === 1 ? 60 : 0);
    listed++;
  }
  flush();
  return { blocks, listed };
}

/** Most important first (destructive, incidents, the way back...), stable within a rank. */
function byPriority(items: ReportItem[]): ReportItem[] {
  return items
    .map((item, index) => ({ item, index, rank: priorityOf(item.decision) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((r) => r.item);
}

const STAGE_RANK: Record<Stage, number> = { "deletion-scheduled": 0, quarantined: 1, flagged: 2 };
const STAGE_EMOJI: Record<Stage, string> = {
  "deletion-scheduled": ":wastebasket:",
  quarantined: ":lock:",
  flagged: ":large_yellow_circle:",
};

/** Unused secrets, most advanced in the lifecycle first, then the costliest; stable within a rank. */
export function byLifecycleStage(items: ReportItem[]): ReportItem[] {
  const rank = (i: ReportItem) => (i.decision.stage ? STAGE_RANK[i.decision.stage] : 3);
  return items
    .map((item, index) => ({ item, index, rank: rank(item), cost: itemMonthlyCost(item.secret) }))
    .sort((a, b) => a.rank - b.rank || b.cost - a.cost || a.index - b.index)
    .map((r) => r.item);
}

/** One unused secret in the cost digest: its stage, what it costs, what comes next. */
function unusedLine(item: ReportItem, options: ItemOptions): string {
  const { decision, secret } = item;
  const { accountId, region } = locate(item, options);
  const name = secret?.name ?? decision.name;
  const stage = decision.stage;
  const next = nextStepText(decision, secret, options.now);
  return [
    `${stage ? STAGE_EMOJI[stage] : ":white_circle:"} *${stage ?? "unused"}* ${code(name, 80)}`,
    code(`${accountId ?? "?"}/${region ?? "?"}`, 40),
    `${usd(itemMonthlyCost(secret))}/month`,
    ...(next === "none" ? [] : [`next: ${next}`]),
    consoleLink(name, region, "console"),
  ].join(" · ");
}

/** One digest message for one route: counts, cost, failed deliveries, then the most important items. */
export function buildDigestMessage(
  report: NotedReport,
  route: string,
  items: ReportItem[],
  now: Date,
  buttons?: ButtonFactory,
): SlackMessage {
  const mode: Mode = report.mode;
  const options: ItemOptions = {
    mode,
    now,
    ...(report.accountId ? { accountId: report.accountId } : {}),
    ...(report.region ? { region: report.region } : {}),
  };
  const title = `:clipboard: ${report.title ?? "Secrets governor digest"}${mode === "report" ? " (report mode)" : ""}`;
  const blocks: Block[] = [header(title)];
  if (mode === "report") blocks.push(context(DRY_RUN_NOTE));
  blocks.push(...noteBlocks(report));

  const byAction = countBy(items, (i) =>
    i.decision.guard && i.decision.action === "none" ? undefined : i.decision.action,
  );
  const byGuard = countBy(items, (i) => i.decision.guard ?? undefined);
  const byKind = countBy(items, (i) => classifyDecision(i.decision));
  const lines = [
    `*${items.length} decision${items.length === 1 ? "" : "s"}* for route ${code(route, 60)} on ${now.toISOString().slice(0, 10)}`,
  ];
  if (byAction.size > 0) lines.push(`*By action:* ${countsText(byAction)}`);
  if (byGuard.size > 0) lines.push(`*Withheld by guard:* ${countsText(byGuard)}`);
  if (byKind.size > 0) lines.push(`*By kind:* ${countsText(byKind)}`);
  blocks.push(section(lines.join("\n")));

  const summary = report.summary ?? costOfItems(items);
  blocks.push(costFields(summary));
  const failed = failedDeliveriesText(report.failedDeliveries);
  if (failed) blocks.push(section(failed));

  if (items.length > 0) {
    blocks.push(divider);
    const list = itemListBlocks(byPriority(items), (item) => itemLine(item, options));
    blocks.push(...list.blocks);
    const more = items.length - list.listed;
    if (more > 0)
      blocks.push(context(`…and ${more} more. \`governor plan\` or the audit log lists every decision.`));
    if (buttons) blocks.push(...digestButtonBlocks(items, mode, buttons));
  }

  const counts = [...byAction.entries()].map(([k, n]) => `${k} ${n}`).join(", ");
  const text =
    `${report.title ?? "Secrets governor digest"} for ${route}: ${items.length} decisions` +
    `${counts ? ` (${counts})` : ""}${mode === "report" ? " [report mode: nothing was changed]" : ""}` +
    `${report.failedDeliveries ? `; ${report.failedDeliveries} alerts failed to send last time` : ""}.`;
  return message(text, blocks);
}

/** The daily cost digest: the run's cost summary and the unused secrets that cost the most. */
export function buildCostDigestMessage(report: NotedReport, now: Date): SlackMessage {
  const summary = report.summary ?? costOfItems(report.items);
  const options: ItemOptions = {
    mode: report.mode,
    now,
    ...(report.accountId ? { accountId: report.accountId } : {}),
    ...(report.region ? { region: report.region } : {}),
  };
  const blocks: Block[] = [
    header(`:moneybag: ${report.title ?? "Secrets Manager cost"} ${now.toISOString().slice(0, 10)}`),
  ];
  if (report.mode === "report") blocks.push(context(DRY_RUN_NOTE));
  blocks.push(...noteBlocks(report));
  blocks.push(costFields(summary));
  blocks.push(
    context(
      "$0.40 per secret-month, each replica billed as a secret; nothing is billed while a deletion is pending.",
    ),
  );
  const failed = failedDeliveriesText(report.failedDeliveries);
  if (failed) blocks.push(section(failed));
  const unused = report.items.filter((i) => i.decision.finding === "unused");
  if (unused.length > 0) {
    // Pending deletions are not billed, so the summary does not count them as unused: say how many are listed.
    const pending = unused.filter((i) => i.secret?.deletedDate).length;
    const counts = `${unused.length - pending} unused${pending > 0 ? `, ${pending} pending deletion (not billed)` : ""}`;
    blocks.push(divider, section(`*Unused secrets, most advanced first* (${counts})`));
    const list = itemListBlocks(byLifecycleStage(unused), (item) => unusedLine(item, options));
    blocks.push(...list.blocks);
    const more = unused.length - list.listed;
    if (more > 0) blocks.push(context(`…and ${more} more. \`governor plan\` lists every secret.`));
  }
  const text =
    `Secrets Manager cost: ${summary.secrets} secrets, ${usd(summary.monthlyCostUsd)}/month; ` +
    `${summary.unused} unused (${usd(summary.unusedMonthlyCostUsd)}/month); savings realised ` +
    `${usd(summary.realisedMonthlySavingsUsd)}/month, projected ${usd(summary.projectedMonthlySavingsUsd)}/month.`;
  return message(text, blocks);
}
