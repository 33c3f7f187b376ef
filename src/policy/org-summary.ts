import { addDays, isoDate } from "../domain/dates.js";
import { type Decision, type Mode, type Plan, roundUsd, type Stage } from "../domain/decision.js";
import {
  DELETIONS_DUE_DAYS,
  type DeletionDue,
  MAX_DELETIONS_DUE,
  MAX_TEAMS,
  NO_TEAM,
  ORG_SCHEMA_VERSION,
  type OrgHeartbeat,
  type OrgSummary,
  OTHER_TEAMS,
  type TeamSummary,
} from "../domain/org-events.js";
import type { Secret } from "../domain/secret.js";
import { readStage } from "./evaluate.js";

/**
 * What one account-region tells the organization plane after a sweep (src/domain/org-events.ts): the figures of
 * the sweep's plan, split by team and with the deletions due soon. Built from the plan `governor plan` prints, so
 * the org view, the account's digest and the offline `governor org plan` agree to the cent. Pure.
 */

/** A secret's team: its `team` tag, else its `owner` tag (the owner the account digests show), else none. */
export function teamOf(secret: Secret): string {
  const team = secret.tags.team?.trim() || secret.tags.owner?.trim();
  return team ? team.slice(0, 256) : NO_TEAM;
}

/** Midnight UTC of a plan's `next.on` day (YYYY-MM-DD), as the contract's ISO time. */
function dayStart(day: string): Date | undefined {
  const date = new Date(`${day}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * When a secret's deletion is due, if within DELETIONS_DUE_DAYS of `now`: a pending deletion's date (the
 * governor's facts keep DeletedDate as the day it is deleted for good, as its digests say), a deletion this plan
 * schedules now, or the day the lifecycle schedules it (`next`). DescribeSecret and ListSecrets give DeletedDate
 * as "the date the secret is scheduled for deletion" (Secrets Manager API reference).
 */
function deletionDueOn(secret: Secret, decisions: readonly Decision[], now: Date): Date | undefined {
  const horizon = addDays(now, DELETIONS_DUE_DAYS).getTime();
  const within = (date: Date | undefined) =>
    date !== undefined && date.getTime() <= horizon ? date : undefined;
  if (secret.deletedDate)
    return within(secret.deletedDate.getTime() >= now.getTime() ? secret.deletedDate : now);
  let soonest: Date | undefined;
  for (const d of decisions) {
    const on =
      d.action === "schedule-deletion"
        ? now
        : d.next?.action === "schedule-deletion"
          ? dayStart(d.next.on)
          : undefined;
    const due = within(on && on.getTime() < now.getTime() ? now : on);
    if (due && (!soonest || due < soonest)) soonest = due;
  }
  return soonest;
}

/** The stage a secret is in once the plan is carried out: in report mode nothing changes, so its tag's. */
function stageAfter(secret: Secret, decisions: readonly Decision[], mode: Mode): Stage | null {
  const acting = mode === "enforce" ? decisions.find((d) => d.action !== "none") : undefined;
  return acting ? acting.stage : readStage(secret).stage;
}

/** Teams costliest first; beyond MAX_TEAMS, the rest summed under OTHER_TEAMS. */
function topTeams(teams: Map<string, { secrets: number; unused: number; cost: number }>): TeamSummary[] {
  const rows = [...teams].map(([team, t]) => ({
    team,
    secrets: t.secrets,
    unused: t.unused,
    unusedMonthlyCostUsd: roundUsd(t.cost),
    cost: t.cost,
  }));
  rows.sort(
    (a, b) =>
      b.cost - a.cost ||
      b.unused - a.unused ||
      b.secrets - a.secrets ||
      (a.team < b.team ? -1 : a.team > b.team ? 1 : 0),
  );
  const shown = rows.slice(0, MAX_TEAMS);
  const rest = rows.slice(MAX_TEAMS);
  const result: TeamSummary[] = shown.map(({ cost: _, ...row }) => row);
  if (rest.length > 0)
    result.push({
      team: OTHER_TEAMS,
      secrets: rest.reduce((n, r) => n + r.secrets, 0),
      unused: rest.reduce((n, r) => n + r.unused, 0),
      unusedMonthlyCostUsd: roundUsd(rest.reduce((n, r) => n + r.cost, 0)),
    });
  return result;
}

/** The summary of one account-region's plan (`secrets`: the inventory the plan was made from). */
export function buildOrgSummary(
  plan: Plan,
  secrets: readonly Secret[],
  accountId: string,
  region: string,
  now: Date,
): OrgSummary {
  const decisionsByArn = new Map<string, Decision[]>();
  for (const d of plan.decisions) {
    const list = decisionsByArn.get(d.arn);
    if (list) list.push(d);
    else decisionsByArn.set(d.arn, [d]);
  }
  const costs = new Map(plan.costs.map((c) => [c.arn, c]));
  const byStage = { flagged: 0, quarantined: 0, "deletion-scheduled": 0 };
  const teams = new Map<string, { secrets: number; unused: number; cost: number }>();
  const due: DeletionDue[] = [];
  for (const secret of secrets) {
    const decisions = decisionsByArn.get(secret.arn) ?? [];
    const stage = stageAfter(secret, decisions, plan.mode);
    if (stage) byStage[stage]++;
    const team = teamOf(secret);
    let row = teams.get(team);
    if (!row) {
      row = { secrets: 0, unused: 0, cost: 0 };
      teams.set(team, row);
    }
    row.secrets++;
    const cost = costs.get(secret.arn);
    if (cost?.unused) {
      row.unused++;
      row.cost += cost.monthlyCostUsd;
    }
    const on = deletionDueOn(secret, decisions, now);
    if (on) due.push({ arn: secret.arn, name: secret.name.slice(0, 512), team, on: on.toISOString() });
  }
  due.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.arn < b.arn ? -1 : 1));
  const s = plan.summary;
  return {
    schema: ORG_SCHEMA_VERSION,
    accountId,
    region,
    mode: plan.mode,
    sweptAt: now.toISOString(),
    secrets: s.secrets,
    unused: s.unused,
    monthlyCostUsd: s.monthlyCostUsd,
    unusedMonthlyCostUsd: s.unusedMonthlyCostUsd,
    realisedMonthlySavingsUsd: s.realisedMonthlySavingsUsd,
    projectedMonthlySavingsUsd: s.projectedMonthlySavingsUsd,
    byStage,
    byTeam: topTeams(teams),
    deletionsDue: due.slice(0, MAX_DELETIONS_DUE),
    deletionsDueTotal: due.length,
  };
}

/**
 * The summary cut to fit `maxBytes` of JSON (one PutEvents entry holds 256 KB): the latest deletions due are
 * dropped first, `deletionsDueTotal` still counts them all; then the smallest teams fold into OTHER_TEAMS.
 */
export function fitOrgSummary(summary: OrgSummary, maxBytes: number): OrgSummary {
  const encoder = new TextEncoder();
  const fits = (s: OrgSummary) => encoder.encode(JSON.stringify(s)).length <= maxBytes;
  let fitted = summary;
  while (!fits(fitted) && fitted.deletionsDue.length > 0)
    fitted = {
      ...fitted,
      deletionsDue: fitted.deletionsDue.slice(0, Math.floor(fitted.deletionsDue.length / 2)),
    };
  for (;;) {
    const named = fitted.byTeam.filter((t) => t.team !== OTHER_TEAMS);
    if (fits(fitted) || named.length <= 1) return fitted;
    const keep = Math.floor(named.length / 2);
    const folded = [...named.slice(keep), ...fitted.byTeam.filter((t) => t.team === OTHER_TEAMS)];
    const other: TeamSummary = {
      team: OTHER_TEAMS,
      secrets: folded.reduce((n, t) => n + t.secrets, 0),
      unused: folded.reduce((n, t) => n + t.unused, 0),
      unusedMonthlyCostUsd: roundUsd(folded.reduce((n, t) => n + t.unusedMonthlyCostUsd, 0)),
    };
    fitted = { ...fitted, byTeam: [...named.slice(0, keep), other] };
  }
}

export interface HeartbeatInput {
  accountId: string;
  region: string;
  mode: Mode;
  time: Date;
  sweepIntervalMinutes: number;
  sweepCompleted: boolean;
}

export function buildHeartbeat(input: HeartbeatInput): OrgHeartbeat {
  return {
    schema: ORG_SCHEMA_VERSION,
    accountId: input.accountId,
    region: input.region,
    mode: input.mode,
    time: input.time.toISOString(),
    sweepIntervalMinutes: Math.max(1, Math.min(10_080, Math.round(input.sweepIntervalMinutes))),
    sweepCompleted: input.sweepCompleted,
  };
}

/** The day a summary's deletion falls on, for people. */
export function dueDay(deletion: DeletionDue): string {
  return isoDate(new Date(deletion.on));
}
