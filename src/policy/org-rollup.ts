import { cents, type Mode } from "../domain/decision.js";
import type { DeletionDue, OrgSummary, TeamSummary } from "../domain/org-events.js";

/**
 * The organization's view from its account-regions' summaries (src/policy/org-summary.ts): one row per
 * account-region, totals, teams summed across accounts, and every deletion due. Money is summed from the rows'
 * cents, so the totals are the sum of the rows as printed. Pure; `governor org plan` builds it offline.
 */
export interface OrgRollup {
  now: string;
  accountRegions: OrgSummary[];
  totals: {
    accounts: number;
    accountRegions: number;
    secrets: number;
    unused: number;
    monthlyCostUsd: number;
    unusedMonthlyCostUsd: number;
    realisedMonthlySavingsUsd: number;
    projectedMonthlySavingsUsd: number;
    byStage: OrgSummary["byStage"];
    deletionsDueTotal: number;
    byMode: Record<Mode, number>;
  };
  byTeam: TeamSummary[];
  deletionsDue: (DeletionDue & { accountId: string; region: string })[];
}

const sumUsd = (rows: readonly OrgSummary[], pick: (s: OrgSummary) => number) =>
  rows.reduce((n, s) => n + cents(pick(s)), 0) / 100;

export function rollupOrgSummaries(summaries: readonly OrgSummary[], now: Date): OrgRollup {
  const rows = [...summaries].sort((a, b) =>
    a.accountId === b.accountId ? (a.region < b.region ? -1 : 1) : a.accountId < b.accountId ? -1 : 1,
  );
  const teams = new Map<string, { secrets: number; unused: number; cents: number }>();
  for (const s of rows)
    for (const t of s.byTeam) {
      const row = teams.get(t.team) ?? { secrets: 0, unused: 0, cents: 0 };
      row.secrets += t.secrets;
      row.unused += t.unused;
      row.cents += cents(t.unusedMonthlyCostUsd);
      teams.set(t.team, row);
    }
  const byTeam = [...teams]
    .map(([team, t]) => ({
      team,
      secrets: t.secrets,
      unused: t.unused,
      unusedMonthlyCostUsd: t.cents / 100,
      c: t.cents,
    }))
    .sort((a, b) => b.c - a.c || b.unused - a.unused || b.secrets - a.secrets || (a.team < b.team ? -1 : 1))
    .map(({ c: _, ...t }) => t);
  const deletionsDue = rows
    .flatMap((s) => s.deletionsDue.map((d) => ({ ...d, accountId: s.accountId, region: s.region })))
    .sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.arn < b.arn ? -1 : 1));
  const byStage = { flagged: 0, quarantined: 0, "deletion-scheduled": 0 };
  const byMode: Record<Mode, number> = { report: 0, enforce: 0 };
  for (const s of rows) {
    byStage.flagged += s.byStage.flagged;
    byStage.quarantined += s.byStage.quarantined;
    byStage["deletion-scheduled"] += s.byStage["deletion-scheduled"];
    byMode[s.mode]++;
  }
  return {
    now: now.toISOString(),
    accountRegions: rows,
    totals: {
      accounts: new Set(rows.map((s) => s.accountId)).size,
      accountRegions: rows.length,
      secrets: rows.reduce((n, s) => n + s.secrets, 0),
      unused: rows.reduce((n, s) => n + s.unused, 0),
      monthlyCostUsd: sumUsd(rows, (s) => s.monthlyCostUsd),
      unusedMonthlyCostUsd: sumUsd(rows, (s) => s.unusedMonthlyCostUsd),
      realisedMonthlySavingsUsd: sumUsd(rows, (s) => s.realisedMonthlySavingsUsd),
      projectedMonthlySavingsUsd: sumUsd(rows, (s) => s.projectedMonthlySavingsUsd),
      byStage,
      deletionsDueTotal: rows.reduce((n, s) => n + s.deletionsDueTotal, 0),
      byMode,
    },
    byTeam,
    deletionsDue,
  };
}
