import { daysBetween, isoDate } from "../../domain/dates.js";
import { cents, type Mode } from "../../domain/decision.js";
import { DELETIONS_DUE_DAYS } from "../../domain/org-events.js";
import type { AccountRegionRow, OrgView } from "../../domain/org-view.js";
import type { OrgRollup } from "../../policy/org-rollup.js";
import type { CostSlice, DueDeletion } from "./model.js";

/**
 * The organisation report as plain data (JSON-serialisable), built from the view `governor org report` prints
 * (OrgView) or the roll-up `governor org plan` prints (OrgRollup): every figure is one of theirs or a sum of
 * theirs in cents, so the page equals their JSON to the cent.
 */
export interface OrgReportModel {
  title: string;
  /** Where the figures came from: the central table, a file of org events, a folder of inventories. */
  source: string;
  now: string;
  today: string;
  /** False for the offline plan: no governor reported, so there is no heartbeat and no silence to judge. */
  heartbeats: boolean;
  totals: OrgTotals;
  /** The cost of unused secrets by account, costliest first; adds up to `totals.unusedMonthlyCostUsd`. */
  costByAccount: CostSlice[];
  /** The same by team (the members' `team` tag, else `owner`), costliest first. */
  costByTeam: CostSlice[];
  /** The deletions due the view lists, soonest first. */
  deletions: OrgDeletion[];
  horizonDays: number;
  /** One per account-region, by account then region. */
  rows: OrgRow[];
}

export interface OrgTotals {
  accounts: number;
  accountRegions: number;
  secrets: number;
  unused: number;
  monthlyCostUsd: number;
  unusedMonthlyCostUsd: number;
  realisedMonthlySavingsUsd: number;
  projectedMonthlySavingsUsd: number;
  /** Deletions the members counted as due (their lists hold the soonest 100 each). */
  deletionsDue: number;
  /** Silent governors; null when heartbeats are not known (the offline plan). */
  silent: number | null;
  modes: { report: number; enforce: number };
}

export interface OrgDeletion extends DueDeletion {
  /** Always one: `(no team)` when the secret has neither tag. */
  team: string;
  accountId: string;
  region: string;
  /** The instant the member gave. */
  on: string;
}

export interface OrgRow {
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
  lastSweep: string | null;
  lastHeartbeat: string | null;
  /** Null when heartbeats are not known. */
  silent: boolean | null;
}

function deletionsOf(
  list: readonly { arn: string; name: string; team: string; on: string; accountId: string; region: string }[],
  now: Date,
): OrgDeletion[] {
  return list.map((d) => {
    const date = isoDate(new Date(d.on));
    return {
      arn: d.arn,
      name: d.name,
      team: d.team,
      date,
      days: daysBetween(now, new Date(d.on)),
      kind: "due",
      accountId: d.accountId,
      region: d.region,
      on: d.on,
    };
  });
}

const byCost = (a: CostSlice, b: CostSlice) =>
  cents(b.usd) - cents(a.usd) || b.secrets - a.secrets || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The teams with unused secrets, in the view's order (costliest first, as its JSON lists them). */
function teamSlices(teams: readonly { team: string; unused: number; unusedMonthlyCostUsd: number }[]) {
  return teams
    .filter((t) => t.unused > 0 || t.unusedMonthlyCostUsd > 0)
    .map((t) => ({ key: t.team, label: t.team, usd: t.unusedMonthlyCostUsd, secrets: t.unused }));
}

const TITLE = "Secrets Manager across the organization: unused secrets and their cost";

/** The model of `governor org report`: its view, and its one row per account-region (the CSV's rows). */
export function buildOrgReportModelOfView(
  view: OrgView,
  rows: readonly AccountRegionRow[],
  source: string,
): OrgReportModel {
  const now = new Date(view.now);
  const t = view.totals;
  return {
    title: TITLE,
    source,
    now: view.now,
    today: isoDate(now),
    heartbeats: true,
    totals: {
      accounts: view.accounts,
      accountRegions: view.accountRegions,
      secrets: t.secrets,
      unused: t.unused,
      monthlyCostUsd: t.monthlyCostUsd,
      unusedMonthlyCostUsd: t.unusedMonthlyCostUsd,
      realisedMonthlySavingsUsd: t.realisedMonthlySavingsUsd,
      projectedMonthlySavingsUsd: t.projectedMonthlySavingsUsd,
      deletionsDue: t.deletionsDue,
      silent: view.silent.length,
      modes: view.modes,
    },
    costByAccount: view.byAccount
      .filter((a) => a.unused > 0 || a.unusedMonthlyCostUsd > 0)
      .map((a) => ({ key: a.accountId, label: a.accountId, usd: a.unusedMonthlyCostUsd, secrets: a.unused })),
    costByTeam: teamSlices(view.byTeam),
    deletions: deletionsOf(view.deletionsDue, now),
    horizonDays: DELETIONS_DUE_DAYS,
    rows: rows.map((r) => ({
      accountId: r.accountId,
      region: r.region,
      mode: r.mode,
      secrets: r.secrets,
      unused: r.unused,
      monthlyCostUsd: r.monthlyCostUsd,
      unusedMonthlyCostUsd: r.unusedMonthlyCostUsd,
      realisedMonthlySavingsUsd: r.realisedMonthlySavingsUsd,
      projectedMonthlySavingsUsd: r.projectedMonthlySavingsUsd,
      deletionsDue: r.deletionsDue,
      lastSweep: r.lastSweep ?? null,
      lastHeartbeat: r.lastHeartbeat ?? null,
      silent: r.silent,
    })),
  };
}

/** The model of `governor org plan`: the roll-up of the folder's plans, offline (no heartbeat, no silence). */
export function buildOrgReportModelOfRollup(rollup: OrgRollup, source: string): OrgReportModel {
  const now = new Date(rollup.now);
  const t = rollup.totals;
  const accounts = new Map<string, { cents: number; unused: number }>();
  for (const s of rollup.accountRegions) {
    const a = accounts.get(s.accountId) ?? { cents: 0, unused: 0 };
    a.cents += cents(s.unusedMonthlyCostUsd);
    a.unused += s.unused;
    accounts.set(s.accountId, a);
  }
  return {
    title: TITLE,
    source,
    now: rollup.now,
    today: isoDate(now),
    heartbeats: false,
    totals: {
      accounts: t.accounts,
      accountRegions: t.accountRegions,
      secrets: t.secrets,
      unused: t.unused,
      monthlyCostUsd: t.monthlyCostUsd,
      unusedMonthlyCostUsd: t.unusedMonthlyCostUsd,
      realisedMonthlySavingsUsd: t.realisedMonthlySavingsUsd,
      projectedMonthlySavingsUsd: t.projectedMonthlySavingsUsd,
      deletionsDue: t.deletionsDueTotal,
      silent: null,
      modes: t.byMode,
    },
    costByAccount: [...accounts]
      .filter(([, a]) => a.unused > 0 || a.cents > 0)
      .map(([accountId, a]) => ({ key: accountId, label: accountId, usd: a.cents / 100, secrets: a.unused }))
      .sort(byCost),
    costByTeam: teamSlices(rollup.byTeam),
    deletions: deletionsOf(rollup.deletionsDue, now),
    horizonDays: DELETIONS_DUE_DAYS,
    rows: rollup.accountRegions.map((s) => ({
      accountId: s.accountId,
      region: s.region,
      mode: s.mode,
      secrets: s.secrets,
      unused: s.unused,
      monthlyCostUsd: s.monthlyCostUsd,
      unusedMonthlyCostUsd: s.unusedMonthlyCostUsd,
      realisedMonthlySavingsUsd: s.realisedMonthlySavingsUsd,
      projectedMonthlySavingsUsd: s.projectedMonthlySavingsUsd,
      deletionsDue: s.deletionsDueTotal,
      lastSweep: s.sweptAt,
      lastHeartbeat: null,
      silent: null,
    })),
  };
}
