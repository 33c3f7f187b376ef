import { type CostSummary, type Mode, PRICE_PER_SECRET_MONTH_USD } from "../domain/decision.js";
import type { Report, ReportItem } from "../ports.js";
import { code } from "./escape.js";
import { itemMonthlyCost, usd } from "./facts.js";
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

function round(usdAmount: number): number {
  return Math.round(usdAmount * 100) / 100;
}

/** The cost of the digest's own items, when no run summary was given. */
function costOfItems(items: ReportItem[]): CostSummary {
  const known = items.filter((i) => i.secret !== undefined);
  const unused = known.filter((i) => i.decision.finding === "unused");
  const sum = (list: ReportItem[]) => round(list.reduce((t, i) => t + itemMonthlyCost(i.secret), 0));
  const realised = known.filter((i) => i.secret?.deletedDate && i.decision.stage === "deletion-scheduled");
  return {
    secrets: known.length,
    unused: unused.length,
    monthlyCostUsd: sum(known),
    unusedMonthlyCostUsd: sum(unused),
    realisedMonthlySavingsUsd: round(
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

/** Ranked item lines packed into sections, within the item and size budgets; returns the blocks and how many fit. */
function itemListBlocks(items: ReportItem[], options: ItemOptions): { blocks: Block[]; listed: number } {
  const ranked = items
    .map((item, index) => ({ item, index, rank: priorityOf(item.decision) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index);
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
  for (const { item } of ranked) {
    if (listed >= DIGEST_MAX_ITEMS) break;
    const line = itemLine(item, options);
    // JSON escapes and the section wrapper cost a little more than the text itself.
    const cost = JSON.stringify(line).length + 1;
    if (used + cost + 60 > DIGEST_ITEMS_JSON_BUDGET) break;
    if (line.length > SECTION_TEXT_BUDGET) continue;
    if (currentLength + line.length + 1 > SECTION_TEXT_BUDGET) flush();
    current.push(line);
    currentLength += line.length + 1;
    used += cost + (current.length === 1 ? 60 : 0);
    listed++;
  }
  flush();
  return { blocks, listed };
}

/** One digest message for one route: counts, cost, failed deliveries, then the most important items. */
export function buildDigestMessage(
  report: Report,
  route: string,
  items: ReportItem[],
  now: Date,
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
    const list = itemListBlocks(items, options);
    blocks.push(...list.blocks);
    const more = items.length - list.listed;
    if (more > 0)
      blocks.push(context(`…and ${more} more. \`governor plan\` or the audit log lists every decision.`));
  }

  const counts = [...byAction.entries()].map(([k, n]) => `${k} ${n}`).join(", ");
  const text =
    `${report.title ?? "Secrets governor digest"} for ${route}: ${items.length} decisions` +
    `${counts ? ` (${counts})` : ""}${mode === "report" ? " [report mode: nothing was changed]" : ""}` +
    `${report.failedDeliveries ? `; ${report.failedDeliveries} alerts failed to send last time` : ""}.`;
  return message(text, blocks);
}

/** The daily cost digest: the run's cost summary and the unused secrets that cost the most. */
export function buildCostDigestMessage(report: Report, now: Date): SlackMessage {
  const summary = report.summary ?? costOfItems(report.items);
  const options: ItemOptions = { mode: report.mode, now };
  const blocks: Block[] = [
    header(`:moneybag: ${report.title ?? "Secrets Manager cost"} ${now.toISOString().slice(0, 10)}`),
  ];
  if (report.mode === "report") blocks.push(context(DRY_RUN_NOTE));
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
    blocks.push(divider, section("*Unused secrets, most advanced first*"));
    const list = itemListBlocks(unused, options);
    blocks.push(...list.blocks);
    const more = unused.length - list.listed;
    if (more > 0) blocks.push(context(`…and ${more} more.`));
  }
  const text =
    `Secrets Manager cost: ${summary.secrets} secrets, ${usd(summary.monthlyCostUsd)}/month; ` +
    `${summary.unused} unused (${usd(summary.unusedMonthlyCostUsd)}/month); savings realised ` +
    `${usd(summary.realisedMonthlySavingsUsd)}/month, projected ${usd(summary.projectedMonthlySavingsUsd)}/month.`;
  return message(text, blocks);
}
