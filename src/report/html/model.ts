import { addDays, daysBetween, isoDate } from "../../domain/dates.js";
import {
  type CostSummary,
  type Decision,
  type LimitReport,
  type Mode,
  type Plan,
  type SecretCost,
  STAGES,
  type Stage,
  type Step,
} from "../../domain/decision.js";
import type { Secret } from "../../domain/secret.js";
import { readStage } from "../../policy/evaluate.js";
import { lastAccessAnywhere } from "../../policy/facts.js";
import { monthlyCost, summariseCosts } from "../../policy/plan.js";
import { actionLabel } from "../facts.js";

/**
 * The report as plain data: what the HTML page, the CSV and the JSON show, built once from a plan. Plain
 * (JSON-serialisable, no Dates, no classes), so a view over several accounts can merge models and render them.
 */
export interface ReportModel {
  title: string;
  /** Where the plan came from: an inventory file, an account file, the live account. */
  source: string;
  mode: Mode;
  /** The instant decided on (ISO-8601) and its UTC day. */
  now: string;
  today: string;
  summary: CostSummary;
  limit: LimitReport;
  /** The cost of unused secrets by `team` tag, largest first; adds up to `summary.unusedMonthlyCostUsd`. */
  costByTeam: CostSlice[];
  /** The same by lifecycle stage, in lifecycle order; adds up to the same figure. */
  costByStage: CostSlice[];
  funnel: FunnelStep[];
  /** Deletions due from `today` to `today + horizonDays`, by date. */
  deletions: DueDeletion[];
  horizonDays: number;
  /** One per decision, then one per secret the policy had nothing to say about. */
  rows: ReportRow[];
}

export interface CostSlice {
  key: string;
  label: string;
  usd: number;
  secrets: number;
}

export interface FunnelStep {
  stage: Stage;
  /** Secrets at this stage or past it. */
  reached: number;
  /** Secrets at this stage now, and what they cost a month. */
  here: number;
  usd: number;
}

export interface DueDeletion {
  arn: string;
  name: string;
  team: string | null;
  date: string;
  days: number;
  /**
   * `scheduled`: the governor schedules the deletion that day; `final`: the recovery window ends; `due`: one of
   * the two, as a member's summary tells the org view (it does not say which).
   */
  kind: "scheduled" | "final" | "due";
}

export interface ReportRow {
  arn: string;
  name: string;
  team: string | null;
  owner: string | null;
  description: string | null;
  /** Null on a secret without a decision. */
  finding: string | null;
  rule: string | null;
  stage: Stage | null;
  action: string;
  guard: string | null;
  reason: string;
  route: string | null;
  steps: string;
  /** The decision's trace, one step after another (` > `). */
  trace: string;
  nextAction: string | null;
  nextDate: string | null;
  /** The next step in words. */
  nextStep: string;
  monthlyCostUsd: number;
  unused: boolean;
  lastAccessed: string | null;
  /** What the sweep did with it (done, planned, withheld, skipped, failed); null for a plan. */
  outcome: string | null;
  detail: string | null;
  /** False for the rows of secrets without a decision (not in the CSV or JSON decisions). */
  decision: boolean;
}

export const HORIZON_DAYS = 30;

/** A decision and, from a sweep, what became of it. */
export interface ReportEntry {
  decision: Decision;
  outcome?: string;
  detail?: string;
}

export interface ReportInput {
  plan: Plan;
  secrets: readonly Secret[];
  /** The decisions as carried out (a sweep's outcomes); default the plan's. */
  entries?: readonly ReportEntry[];
  source: string;
  title?: string;
}

/** `tag governor:stage=flagged; notify default`: a decision's steps on one line. */
export function stepsText(steps: readonly Step[]): string {
  return steps
    .map((s) => {
      switch (s.kind) {
        case "tag":
          return `tag ${Object.entries(s.tags)
            .map(([k, v]) => `${k}=${v}`)
            .join(",")}`;
        case "untag":
          return `untag ${s.keys.join(",")}`;
        case "notify":
          return `notify ${s.route}`;
        case "schedule-deletion":
          return `schedule-deletion ${s.recoveryWindowDays}d`;
        default:
          return s.kind;
      }
    })
    .join("; ");
}

/** The next step as facts.ts `nextStepText` words it, in plain text. */
function nextStepOf(decision: Decision | undefined, secret: Secret, now: Date): string {
  if (decision?.next) return `${actionLabel(decision.next.action)} on ${decision.next.on}`;
  const cancelled = decision?.steps.some((s) => s.kind === "cancel-deletion") ?? false;
  if (secret.deletedDate && !cancelled)
    return `deleted for good on ${isoDate(secret.deletedDate)} unless restored`;
  const scheduling = decision?.steps.find((s) => s.kind === "schedule-deletion");
  if (scheduling?.kind === "schedule-deletion")
    return `deleted for good on ${isoDate(addDays(now, scheduling.recoveryWindowDays))} unless restored`;
  return "none";
}

/** What the JSON output says of each secret (`secrets`), and the CSV and the table beside each decision. */
export interface SecretFacts {
  arn: string;
  name: string;
  team: string | null;
  owner: string | null;
  monthlyCostUsd: number;
  unused: boolean;
  lastAccessed: string | null;
}

export function secretFacts(secret: Secret, cost: SecretCost | undefined): SecretFacts {
  const last = lastAccessAnywhere(secret);
  return {
    arn: secret.arn,
    name: secret.name,
    team: secret.tags.team ?? null,
    owner: secret.tags.owner ?? null,
    monthlyCostUsd: cost?.monthlyCostUsd ?? monthlyCost(secret),
    unused: cost?.unused ?? false,
    lastAccessed: last ? isoDate(last) : null,
  };
}

/** The facts of every secret of a plan, in the inventory's order. */
export function planSecretFacts(plan: Plan, secrets: readonly Secret[]): SecretFacts[] {
  const costByArn = new Map(plan.costs.map((c) => [c.arn, c]));
  return secrets.map((s) => secretFacts(s, costByArn.get(s.arn)));
}

function rowOf(
  secret: Secret,
  cost: SecretCost | undefined,
  entry: ReportEntry | undefined,
  now: Date,
): ReportRow {
  const d = entry?.decision;
  const facts = secretFacts(secret, cost);
  return {
    arn: facts.arn,
    name: d?.name ?? facts.name,
    team: facts.team,
    owner: facts.owner,
    description: secret.description ?? null,
    finding: d?.finding ?? null,
    rule: d?.rule ?? null,
    stage: d ? d.stage : readStage(secret).stage,
    action: d?.action ?? "none",
    guard: d?.guard ?? null,
    reason: d?.reason ?? "the policy has nothing to say about it",
    route: d?.route ?? null,
    steps: d ? stepsText(d.steps) : "",
    trace: d ? d.trace.join(" > ") : "",
    nextAction: d?.next?.action ?? null,
    nextDate: d?.next?.on ?? null,
    nextStep: nextStepOf(d, secret, now),
    monthlyCostUsd: facts.monthlyCostUsd,
    unused: facts.unused,
    lastAccessed: facts.lastAccessed,
    outcome: entry?.outcome ?? null,
    detail: entry?.detail ?? null,
    decision: d !== undefined,
  };
}

/** A secret the inventory does not hold (a decision on one gone meanwhile): what its decision says of it. */
function stubOf(decision: Decision): Secret {
  return {
    arn: decision.arn,
    name: decision.name,
    region: "",
    accountId: "",
    tags: {},
    rotationEnabled: false,
  };
}

const NO_TEAM = "no team tag";
const NO_STAGE = "not in the lifecycle";

function slices(groups: Map<string, SecretCost[]>, label: (key: string) => string): CostSlice[] {
  return [...groups].map(([key, costs]) => ({
    key,
    label: label(key),
    usd: summariseCosts(costs).unusedMonthlyCostUsd,
    secrets: costs.length,
  }));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The report of a plan: every figure from the plan's own per-secret costs, so they add up to its summary. */
export function buildReportModel(input: ReportInput): ReportModel {
  const { plan, secrets } = input;
  const now = plan.now;
  const entries = input.entries ?? plan.decisions.map((decision) => ({ decision }));
  const costByArn = new Map(plan.costs.map((c) => [c.arn, c]));
  const byArn = new Map<string, ReportEntry[]>();
  for (const entry of entries) push(byArn, entry.decision.arn, entry);

  const secretByArn = new Map(secrets.map((s) => [s.arn, s]));
  // In the decisions' order, as the JSON and CSV have them.
  const rows = entries.map((entry) => {
    const secret = secretByArn.get(entry.decision.arn) ?? stubOf(entry.decision);
    return rowOf(secret, costByArn.get(secret.arn), entry, now);
  });
  const silent: ReportRow[] = [];
  // A secret's stage is its unused decision's (the lifecycle's), else any decision's, else its tag's.
  const stageOf = new Map<string, Stage | null>();
  const lifecycle = new Map<string, ReportEntry | undefined>();
  for (const secret of secrets) {
    const own = byArn.get(secret.arn) ?? [];
    if (own.length === 0) silent.push(rowOf(secret, costByArn.get(secret.arn), undefined, now));
    const main = own.find((e) => e.decision.finding === "unused") ?? own.find((e) => e.decision.stage);
    lifecycle.set(secret.arn, main);
    stageOf.set(secret.arn, main ? main.decision.stage : readStage(secret).stage);
  }

  const byTeam = new Map<string, SecretCost[]>();
  const byStage = new Map<string, SecretCost[]>(STAGES.map((s) => [s, []]));
  const teamOf = new Map(secrets.map((s) => [s.arn, s.tags.team ?? NO_TEAM]));
  for (const cost of plan.costs) {
    if (!cost.unused) continue;
    push(byTeam, teamOf.get(cost.arn) ?? NO_TEAM, cost);
    push(byStage, stageOf.get(cost.arn) ?? NO_STAGE, cost);
  }
  const costByTeam = slices(byTeam, (k) => k).sort((a, b) => b.usd - a.usd || a.label.localeCompare(b.label));
  const costByStage = slices(byStage, (k) => k).filter((s) => s.secrets > 0 || s.key !== NO_STAGE);

  const here = (stage: Stage) => secrets.filter((s) => stageOf.get(s.arn) === stage);
  const funnel = STAGES.map((stage, i) => {
    const at = here(stage);
    return {
      stage,
      reached: STAGES.slice(i).reduce((n, s) => n + here(s).length, 0),
      here: at.length,
      usd: summariseCosts(at.map((s) => costByArn.get(s.arn) ?? costOf(s))).monthlyCostUsd,
    };
  });

  const deletions: DueDeletion[] = [];
  const today = isoDate(now);
  for (const secret of secrets) {
    const d = lifecycle.get(secret.arn)?.decision;
    const due = (date: string, kind: DueDeletion["kind"]) => {
      const days = daysBetween(now, new Date(`${date}T00:00:00Z`));
      if (days >= 0 && days <= HORIZON_DAYS)
        deletions.push({
          arn: secret.arn,
          name: secret.name,
          team: secret.tags.team ?? null,
          date,
          days,
          kind,
        });
    };
    const scheduling = d?.steps.find((s) => s.kind === "schedule-deletion");
    const cancelled = d?.steps.some((s) => s.kind === "cancel-deletion") ?? false;
    if (d?.next?.action === "schedule-deletion") due(d.next.on, "scheduled");
    else if (scheduling?.kind === "schedule-deletion")
      due(isoDate(addDays(now, scheduling.recoveryWindowDays)), "final");
    else if (secret.deletedDate && !cancelled) due(isoDate(secret.deletedDate), "final");
  }
  deletions.sort((a, b) => a.days - b.days || a.name.localeCompare(b.name));

  return {
    title: input.title ?? "Secrets Manager: unused secrets and their cost",
    source: input.source,
    mode: plan.mode,
    now: now.toISOString(),
    today,
    summary: plan.summary,
    limit: plan.limit,
    costByTeam,
    costByStage,
    funnel,
    deletions,
    horizonDays: HORIZON_DAYS,
    rows: [...rows, ...silent],
  };
}

function costOf(secret: Secret): SecretCost {
  return {
    arn: secret.arn,
    monthlyCostUsd: monthlyCost(secret),
    unused: false,
    projected: false,
    realisedUsd: 0,
  };
}
