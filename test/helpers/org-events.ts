import {
  ORG_ACTION_DETAIL_TYPE,
  ORG_EVENT_SOURCE,
  ORG_HEARTBEAT_DETAIL_TYPE,
  ORG_SUMMARY_DETAIL_TYPE,
  type OrgAction,
  type OrgHeartbeat,
  type OrgSummary,
  orgActionSchema,
  orgHeartbeatSchema,
  orgSummarySchema,
} from "../../src/domain/org-events.js";

/**
 * Org events as a member governor sends them, built with the contract's schemas (src/domain/org-events.ts), so a
 * test event that no longer fits the contract fails here, not silently downstream.
 */

export const secretArnOf = (accountId: string, region: string, name: string) =>
  `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-AbCdEf`;

export function summaryOf(accountId: string, region: string, over: Partial<OrgSummary> = {}): OrgSummary {
  return orgSummarySchema.parse({
    schema: 1,
    accountId,
    region,
    mode: "report",
    sweptAt: "2026-11-23T06:00:00.000Z",
    secrets: 10,
    unused: 2,
    monthlyCostUsd: 4,
    unusedMonthlyCostUsd: 0.8,
    realisedMonthlySavingsUsd: 0.4,
    projectedMonthlySavingsUsd: 0.8,
    byStage: { flagged: 1, quarantined: 1, "deletion-scheduled": 0 },
    byTeam: [{ team: "payments", secrets: 10, unused: 2, unusedMonthlyCostUsd: 0.8 }],
    deletionsDue: [],
    deletionsDueTotal: 0,
    ...over,
  });
}

export function heartbeatOf(
  accountId: string,
  region: string,
  over: Partial<OrgHeartbeat> = {},
): OrgHeartbeat {
  return orgHeartbeatSchema.parse({
    schema: 1,
    accountId,
    region,
    mode: "report",
    time: "2026-11-23T06:00:05.000Z",
    sweepIntervalMinutes: 1440,
    sweepCompleted: true,
    ...over,
  });
}

export function actionOf(accountId: string, region: string, over: Partial<OrgAction> = {}): OrgAction {
  return orgActionSchema.parse({
    time: "2026-11-23T06:00:01.000Z",
    mode: "enforce",
    arn: secretArnOf(accountId, region, "app/db"),
    name: "app/db",
    finding: "unused",
    action: "tag",
    guard: null,
    outcome: "done",
    ...over,
  });
}

let serial = 0;

/** The EventBridge envelope the central queue delivers: `account` and `region` as EventBridge set them. */
export function envelope(
  detailType: string,
  detail: unknown,
  account: string,
  region: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  serial++;
  return {
    version: "0",
    id: `00000000-0000-4000-8000-${String(serial).padStart(12, "0")}`,
    "detail-type": detailType,
    source: ORG_EVENT_SOURCE,
    account,
    time: "2026-11-23T06:00:10Z",
    region,
    resources: detailType === ORG_ACTION_DETAIL_TYPE ? [(detail as { arn?: string } | null)?.arn ?? ""] : [],
    detail,
    ...over,
  };
}

export const summaryEvent = (s: OrgSummary, over: Record<string, unknown> = {}) =>
  envelope(ORG_SUMMARY_DETAIL_TYPE, s, s.accountId, s.region, over);
export const heartbeatEvent = (h: OrgHeartbeat, over: Record<string, unknown> = {}) =>
  envelope(ORG_HEARTBEAT_DETAIL_TYPE, h, h.accountId, h.region, over);
export const actionEvent = (
  a: OrgAction,
  account: string,
  region: string,
  over: Record<string, unknown> = {},
) => envelope(ORG_ACTION_DETAIL_TYPE, a, account, region, over);

/** The PutEvents entry a member's forwarding puts on the central bus (what the test puts on moto's bus). */
export function putEntry(event: Record<string, unknown>, bus: string) {
  return {
    EventBusName: bus,
    Source: String(event.source),
    DetailType: String(event["detail-type"]),
    Detail: JSON.stringify(event.detail),
    Resources: event.resources as string[],
  };
}
