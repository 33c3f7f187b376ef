import type { OrgView } from "../domain/org-view.js";
import { code } from "./escape.js";
import { accountText, regionText, usd } from "./facts.js";
import { fitToSlackLimits } from "./limits.js";
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
 * The organization digest for Slack, from the org view (src/domain/org-view.ts): totals, the costliest accounts
 * and teams, the next deletions, the modes, and every silent governor by name up to a limit. Whatever the size of
 * the organization it stays one readable message: each list shows its top entries and says how many more there
 * are, and points at `governor org report` for the full lists. Team and secret names are the members' words:
 * rendered as code spans (src/report/escape.ts).
 */

export const ORG_DIGEST_TOP = { accounts: 10, teams: 10, deletions: 12, silent: 20 } as const;

export interface OrgDigestOptions {
  /** The central table's name, for the `governor org report --table` pointer. */
  table?: string;
  top?: Partial<typeof ORG_DIGEST_TOP>;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function moreLine(more: number, what: string, pointer: string): Block[] {
  return more > 0 ? [context(`…and ${more} more ${what}. ${pointer}`)] : [];
}

function ago(iso: string, now: Date): string {
  const hours = Math.floor((now.getTime() - new Date(iso).getTime()) / 3_600_000);
  return hours >= 48 ? `${Math.floor(hours / 24)} days ago` : `${hours} h ago`;
}

export function buildOrgDigestMessage(view: OrgView, options: OrgDigestOptions = {}): SlackMessage {
  const top = { ...ORG_DIGEST_TOP, ...options.top };
  const now = new Date(view.now);
  const pointer = `\`governor org report${options.table ? ` --table ${options.table}` : ""}\` lists them all.`;
  const t = view.totals;
  const blocks: Block[] = [
    header(`:office: Secrets Governor organization digest ${view.now.slice(0, 10)}`),
    context(
      `${plural(view.accounts, "account")}, ${plural(view.accountRegions, "account-region")} reporting · figures as of each governor's last sweep`,
    ),
    fields([
      `*Secrets*\n${t.secrets} (${usd(t.monthlyCostUsd)}/month)`,
      `*Unused*\n${t.unused} (${usd(t.unusedMonthlyCostUsd)}/month)`,
      `*Savings realised this month*\n${usd(t.realisedMonthlySavingsUsd)}/month`,
      `*Savings projected*\n${usd(t.projectedMonthlySavingsUsd)}/month`,
      `*Deletions due in 7 days*\n${t.deletionsDue}`,
      `*Modes*\naccounts: ${view.accountModes.report} report, ${view.accountModes.enforce} enforce${view.accountModes.mixed > 0 ? `, ${view.accountModes.mixed} mixed` : ""}\naccount-regions: ${view.modes.report} report, ${view.modes.enforce} enforce`,
    ]),
  ];

  if (view.silent.length > 0) {
    const lines = view.silent
      .slice(0, top.silent)
      .map(
        (s) =>
          `• ${accountText(s.accountId)} ${regionText(s.region)}: ${
            s.lastHeartbeat
              ? `last heartbeat ${ago(s.lastHeartbeat, now)} (sweeps every ${s.sweepIntervalMinutes} min)`
              : "no heartbeat ever received"
          }`,
      );
    blocks.push(
      divider,
      section(
        `:rotating_light: *${plural(view.silent.length, "silent governor")}* (no heartbeat for two sweep intervals)\n${lines.join("\n")}`,
      ),
      ...moreLine(view.silent.length - top.silent, "silent account-regions", pointer),
    );
  } else blocks.push(context(":white_check_mark: Every governor sent its heartbeat on time."));

  if (view.byAccount.length > 0) {
    const lines = view.byAccount
      .slice(0, top.accounts)
      .map(
        (a) =>
          `• ${accountText(a.accountId)} (${plural(a.regions.length, "region")}, ${a.mode}): ${a.unused} unused, ${usd(a.unusedMonthlyCostUsd)} of ${usd(a.monthlyCostUsd)}/month; saved ${usd(a.realisedMonthlySavingsUsd)}; ${a.deletionsDue} due`,
      );
    blocks.push(
      divider,
      section(`*Cost by account*, costliest unused first\n${lines.join("\n")}`),
      ...moreLine(view.byAccount.length - top.accounts, "accounts", pointer),
    );
  }

  if (view.byTeam.length > 0) {
    const lines = view.byTeam
      .slice(0, top.teams)
      .map(
        (tm) =>
          `• ${code(tm.team, 60)}: ${tm.unused} of ${tm.secrets} unused, ${usd(tm.unusedMonthlyCostUsd)}/month, in ${plural(tm.accounts, "account")}`,
      );
    blocks.push(
      section(`*Cost by team*, costliest unused first\n${lines.join("\n")}`),
      ...moreLine(view.byTeam.length - top.teams, "teams", pointer),
    );
  }

  if (view.deletionsDue.length > 0) {
    const lines = view.deletionsDue
      .slice(0, top.deletions)
      .map(
        (d) =>
          `• ${d.on.slice(0, 10)} ${code(d.name, 80)} in ${accountText(d.accountId)} ${regionText(d.region)}, team ${code(d.team, 40)}`,
      );
    blocks.push(
      divider,
      section(`*Deletions due in the next 7 days* (recoverable until then)\n${lines.join("\n")}`),
      ...moreLine(view.deletionsDue.length - top.deletions, "deletions", pointer),
    );
  }
  blocks.push(context(`Full lists, as table, JSON or CSV: ${pointer.replace(" lists them all.", "")}`));

  const text =
    `Organization digest: ${plural(view.accounts, "account")}, ${t.secrets} secrets (${usd(t.monthlyCostUsd)}/month), ` +
    `${t.unused} unused (${usd(t.unusedMonthlyCostUsd)}/month), ${t.deletionsDue} deletions due in 7 days` +
    (view.silent.length > 0 ? `; ${plural(view.silent.length, "silent governor")}.` : ".");
  return message(text, blocks);
}

/** The digest as Slack will take it (a long section is cut, never the message refused). */
export function buildOrgDigestMessages(view: OrgView, options: OrgDigestOptions = {}): SlackMessage[] {
  return fitToSlackLimits(buildOrgDigestMessage(view, options));
}
