import { cents, type Mode } from "./decision.js";
import { DELETIONS_DUE_DAYS, type DeletionDue, type OrgHeartbeat, type OrgSummary } from "./org-events.js";

/**
 * The organization's view, pure: what the org digest and `governor org report` show, built from one item per
 * account-region (the latest summary and the last heartbeat the central table holds). No per-secret state is
 * read for it, so its cost grows with the account-regions, not with the secrets.
 */

/** One account-region as the central table holds it: either part may be missing. */
export interface OrgAccountRegion {
  accountId: string;
  region: string;
  summary?: OrgSummary;
  heartbeat?: OrgHeartbeat;
}

/** A governor is silent when its last heartbeat is older than this many of its own sweep intervals. */
export const SILENT_AFTER_INTERVALS = 2;

export interface OrgFigures {
  secrets: number;
  unused: number;
  monthlyCostUsd: number;
  unusedMonthlyCostUsd: number;
  realisedMonthlySavingsUsd: number;
  projectedMonthlySavingsUsd: number;
  /** Deletions the members counted as due within 7 days of their last sweep. */
  deletionsDue: number;
}

export interface AccountView extends OrgFigures {
  accountId: string;
  regions: string[];
  mode: Mode | "mixed" | "unknown";
  silentRegions: number;
}

export interface TeamView {
  team: string;
  secrets: number;
  unused: number;
  unusedMonthlyCostUsd: number;
  accounts: number;
}

export interface DeletionDueView extends DeletionDue {
  accountId: string;
  region: string;
}

export interface SilentView {
  accountId: string;
  region: string;
  /** The last heartbeat's time; undefined when the table holds a summary but never had a heartbeat. */
  lastHeartbeat?: string;
  sweepIntervalMinutes?: number;
}

export interface OrgView {
  now: string;
  accounts: number;
  accountRegions: number;
  totals: OrgFigures;
  /** Costliest unused first. */
  byAccount: AccountView[];
  /** Costliest unused first. */
  byTeam: TeamView[];
  /** Due from now to 7 days ahead, soonest first (the names members listed, at most 100 per account-region). */
  deletionsDue: DeletionDueView[];
  /** Account-regions by the mode of their latest word (heartbeat or summary). */
  modes: { report: number; enforce: number };
  /** Accounts by mode: every region in report, every region in enforce, or some of each. */
  accountModes: { report: number; enforce: number; mixed: number };
  /** Account-regions whose governor went silent, longest silent first. */
  silent: SilentView[];
}

const ms = (iso: string) => new Date(iso).getTime();
const dollars = (c: number) => c / 100;

interface Sums {
  secrets: number;
  unused: number;
  monthly: number;
  unusedMonthly: number;
  realised: number;
  projected: number;
  deletionsDue: number;
}
const emptySums = (): Sums => ({
  secrets: 0,
  unused: 0,
  monthly: 0,
  unusedMonthly: 0,
  realised: 0,
  projected: 0,
  deletionsDue: 0,
});

function add(sums: Sums, s: OrgSummary): void {
  sums.secrets += s.secrets;
  sums.unused += s.unused;
  sums.monthly += cents(s.monthlyCostUsd);
  sums.unusedMonthly += cents(s.unusedMonthlyCostUsd);
  sums.realised += cents(s.realisedMonthlySavingsUsd);
  sums.projected += cents(s.projectedMonthlySavingsUsd);
  sums.deletionsDue += s.deletionsDueTotal;
}

function figures(sums: Sums): OrgFigures {
  return {
    secrets: sums.secrets,
    unused: sums.unused,
    monthlyCostUsd: dollars(sums.monthly),
    unusedMonthlyCostUsd: dollars(sums.unusedMonthly),
    realisedMonthlySavingsUsd: dollars(sums.realised),
    projectedMonthlySavingsUsd: dollars(sums.projected),
    deletionsDue: sums.deletionsDue,
  };
}

/** The mode of an account-region's latest word. */
export function modeOf(item: OrgAccountRegion): Mode | undefined {
  const { summary, heartbeat } = item;
  if (summary && heartbeat) return ms(heartbeat.time) >= ms(summary.sweptAt) ? heartbeat.mode : summary.mode;
  return heartbeat?.mode ?? summary?.mode;
}

/** Silent: a summary and no heartbeat, or a heartbeat older than two of its sweep intervals. */
export function silenceOf(item: OrgAccountRegion, now: Date): SilentView | undefined {
  const { heartbeat } = item;
  if (!heartbeat) return item.summary ? { accountId: item.accountId, region: item.region } : undefined;
  const due =
    new Date(heartbeat.time).getTime() + SILENT_AFTER_INTERVALS * heartbeat.sweepIntervalMinutes * 60_000;
  if (due >= now.getTime()) return undefined;
  return {
    accountId: item.accountId,
    region: item.region,
    lastHeartbeat: heartbeat.time,
    sweepIntervalMinutes: heartbeat.sweepIntervalMinutes,
  };
}

export function buildOrgView(items: Iterable<OrgAccountRegion>, now: Date): OrgView {
  const total = emptySums();
  const accounts = new Map<string, { sums: Sums; regions: string[]; modes: Set<Mode>; silent: number }>();
  const teams = new Map<string, { secrets: number; unused: number; cost: number; accounts: Set<string> }>();
  // Each with its time parsed once: the sort compares thousands of them.
  const deletions: { at: number; due: DeletionDueView }[] = [];
  const silent: SilentView[] = [];
  const modes = { report: 0, enforce: 0 };
  const horizon = now.getTime() + DELETIONS_DUE_DAYS * 86_400_000;
  // From the start of today (UTC): a deletion a sweep scheduled this morning is still today's news at noon.
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let accountRegions = 0;

  for (const item of items) {
    accountRegions++;
    let account = accounts.get(item.accountId);
    if (!account) {
      account = { sums: emptySums(), regions: [], modes: new Set(), silent: 0 };
      accounts.set(item.accountId, account);
    }
    account.regions.push(item.region);
    const mode = modeOf(item);
    if (mode) {
      modes[mode]++;
      account.modes.add(mode);
    }
    const quiet = silenceOf(item, now);
    if (quiet) {
      silent.push(quiet);
      account.silent++;
    }
    const summary = item.summary;
    if (!summary) continue;
    add(total, summary);
    add(account.sums, summary);
    for (const t of summary.byTeam) {
      let team = teams.get(t.team);
      if (!team) {
        team = { secrets: 0, unused: 0, cost: 0, accounts: new Set() };
        teams.set(t.team, team);
      }
      team.secrets += t.secrets;
      team.unused += t.unused;
      team.cost += cents(t.unusedMonthlyCostUsd);
      team.accounts.add(item.accountId);
    }
    for (const d of summary.deletionsDue) {
      const on = ms(d.on);
      if (on >= today && on <= horizon)
        deletions.push({ at: on, due: { ...d, accountId: item.accountId, region: item.region } });
    }
  }

  const byAccount: AccountView[] = [...accounts].map(([accountId, a]) => ({
    accountId,
    regions: a.regions.sort(),
    mode: a.modes.size === 0 ? "unknown" : a.modes.size > 1 ? "mixed" : ([...a.modes][0] as Mode),
    silentRegions: a.silent,
    ...figures(a.sums),
  }));
  byAccount.sort(
    (x, y) =>
      y.unusedMonthlyCostUsd - x.unusedMonthlyCostUsd ||
      y.monthlyCostUsd - x.monthlyCostUsd ||
      x.accountId.localeCompare(y.accountId),
  );
  const byTeam: TeamView[] = [...teams].map(([team, t]) => ({
    team,
    secrets: t.secrets,
    unused: t.unused,
    unusedMonthlyCostUsd: dollars(t.cost),
    accounts: t.accounts.size,
  }));
  byTeam.sort(
    (x, y) =>
      y.unusedMonthlyCostUsd - x.unusedMonthlyCostUsd || y.unused - x.unused || x.team.localeCompare(y.team),
  );
  deletions.sort((x, y) => x.at - y.at || (x.due.arn < y.due.arn ? -1 : x.due.arn > y.due.arn ? 1 : 0));
  // Never heard from first, then the longest silent.
  silent.sort(
    (x, y) =>
      (x.lastHeartbeat ? ms(x.lastHeartbeat) : 0) - (y.lastHeartbeat ? ms(y.lastHeartbeat) : 0) ||
      x.accountId.localeCompare(y.accountId) ||
      x.region.localeCompare(y.region),
  );
  const accountModes = { report: 0, enforce: 0, mixed: 0 };
  for (const a of byAccount) if (a.mode !== "unknown") accountModes[a.mode]++;
  return {
    now: now.toISOString(),
    accounts: accounts.size,
    accountRegions,
    totals: figures(total),
    byAccount,
    byTeam,
    deletionsDue: deletions.map((d) => d.due),
    modes,
    accountModes,
    silent,
  };
}

/** One account-region as the report's CSV lists it (every one, sorted by account then region). */
export interface AccountRegionRow {
  accountId: string;
  region: string;
  mode: Mode | "unknown";
  secrets: number;
  unused: number;
  monthlyCostUsd: number;
  unusedMonthlyCostUsd: number;
  realisedMonthlySavingsUsd: number;
  projectedMonthlySavingsUsd: number;
  deletionsDue: number;
  lastSweep?: string;
  lastHeartbeat?: string;
  silent: boolean;
}

export function accountRegionRows(items: Iterable<OrgAccountRegion>, now: Date): AccountRegionRow[] {
  const rows: AccountRegionRow[] = [];
  for (const item of items) {
    const s = item.summary;
    rows.push({
      accountId: item.accountId,
      region: item.region,
      mode: modeOf(item) ?? "unknown",
      secrets: s?.secrets ?? 0,
      unused: s?.unused ?? 0,
      monthlyCostUsd: s ? dollars(cents(s.monthlyCostUsd)) : 0,
      unusedMonthlyCostUsd: s ? dollars(cents(s.unusedMonthlyCostUsd)) : 0,
      realisedMonthlySavingsUsd: s ? dollars(cents(s.realisedMonthlySavingsUsd)) : 0,
      projectedMonthlySavingsUsd: s ? dollars(cents(s.projectedMonthlySavingsUsd)) : 0,
      deletionsDue: s?.deletionsDueTotal ?? 0,
      ...(s ? { lastSweep: s.sweptAt } : {}),
      ...(item.heartbeat ? { lastHeartbeat: item.heartbeat.time } : {}),
      silent: silenceOf(item, now) !== undefined,
    });
  }
  return rows.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
}
