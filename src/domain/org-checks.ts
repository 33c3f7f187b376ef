import {
  arnAccountRegion,
  ORG_ACTION_DETAIL_TYPE,
  ORG_DETAIL_TYPES,
  ORG_EVENT_SOURCE,
  ORG_HEARTBEAT_DETAIL_TYPE,
  type OrgAction,
  type OrgHeartbeat,
  type OrgSummary,
  orgActionSchema,
  orgEnvelopeSchema,
  orgHeartbeatSchema,
  orgSummarySchema,
} from "./org-events.js";

/**
 * The central aggregator's checks of one event, pure: the event crossed an account boundary, so nothing in it is
 * believed until it agrees with its envelope. EventBridge sets the envelope's `account` to the account that put
 * the event (a sender cannot choose it), so the envelope account is the only identity, and every account or
 * region the detail names must be the envelope's. The key of any item the event may write is built from the
 * envelope only (`OrgKey`), so one account's event can never reach another account's item.
 */

/**
 * EventBridge refuses a PutEvents entry of 256 KB or more (docs.aws.amazon.com/eventbridge/latest/userguide/
 * eb-putevent-size.html); the event it delivers adds its envelope (id, account, time, region: a few hundred
 * bytes). A body larger than this did not come from a member's PutEvents and is not parsed.
 */
export const MAX_ORG_EVENT_BYTES = 264 * 1024;

/** An event time more than this far ahead of the aggregator's clock is refused: it would freeze its item. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Why an event changed nothing. `stale` is an ignore (out-of-order or repeated delivery), the rest refusals. */
export const ORG_REFUSAL_REASONS = [
  "oversized",
  "not-json",
  "unknown-source",
  "unknown-detail-type",
  "envelope",
  "schema",
  "account-mismatch",
  "region-mismatch",
  "future-time",
] as const;
export type OrgRefusalReason = (typeof ORG_REFUSAL_REASONS)[number];
export type OrgIgnoreReason = "stale";

/** The account-region an event may write, from the verified envelope. */
export interface OrgKey {
  accountId: string;
  region: string;
}

/**
 * The order of an event among those for one item: its own time (milliseconds, normalised so that text order is
 * time order) then its EventBridge id, so two events of one millisecond are still ordered and a repeated
 * delivery of one event compares equal (and is ignored as stale).
 */
export type OrgOrder = string;

export type VerifiedOrgEvent = { key: OrgKey; id: string; order: OrgOrder } & (
  | { kind: "action"; action: OrgAction }
  | { kind: "summary"; summary: OrgSummary }
  | { kind: "heartbeat"; heartbeat: OrgHeartbeat }
);

export type OrgCheck =
  | { ok: true; event: VerifiedOrgEvent }
  | { ok: false; reason: OrgRefusalReason; detail: string; id?: string; accountId?: string };

export function orgOrder(time: string, id: string): OrgOrder {
  return `${new Date(time).toISOString()}|${id}`;
}

/** The account and region an ARN of any service names ("" when it names none, as IAM's region). */
function arnParts(arn: string): { accountId: string; region: string } | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return { region: parts[3] ?? "", accountId: parts[4] ?? "" };
}

function refuse(
  reason: OrgRefusalReason,
  detail: string,
  envelope?: { id?: unknown; account?: unknown },
): OrgCheck {
  return {
    ok: false,
    reason,
    detail,
    ...(typeof envelope?.id === "string" ? { id: envelope.id.slice(0, 128) } : {}),
    ...(typeof envelope?.account === "string" && /^\d{12}$/.test(envelope.account)
      ? { accountId: envelope.account }
      : {}),
  };
}

/**
 * Checks one SQS body (the EventBridge event as text) and returns what it may write, or why it may not:
 * size, JSON, source, detail-type, envelope, detail schema, then every account and region it names against the
 * envelope's, then its time against the clock.
 */
export function checkOrgEvent(body: string, now: Date): OrgCheck {
  const bytes = utf8Length(body);
  if (bytes > MAX_ORG_EVENT_BYTES) return refuse("oversized", `body of ${bytes} bytes or more`);
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return refuse("not-json", "the body is not JSON");
  }
  const loose = (raw ?? {}) as Record<string, unknown>;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return refuse("envelope", "the body is not an event object");
  if (loose.source !== ORG_EVENT_SOURCE)
    return refuse("unknown-source", `source ${JSON.stringify(loose.source)?.slice(0, 80)}`, loose);
  if (!ORG_DETAIL_TYPES.includes(loose["detail-type"] as (typeof ORG_DETAIL_TYPES)[number]))
    return refuse(
      "unknown-detail-type",
      `detail-type ${JSON.stringify(loose["detail-type"])?.slice(0, 80)}`,
      loose,
    );
  const envelope = orgEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return refuse("envelope", firstIssue(envelope.error), loose);
  const e = envelope.data;
  const key: OrgKey = { accountId: e.account, region: e.region };

  // Every resource the envelope names is the sender's own.
  for (const resource of e.resources) {
    const parts = arnParts(resource);
    if (parts?.accountId && parts.accountId !== key.accountId)
      return refuse("account-mismatch", `resource ${resource} is of account ${parts.accountId}`, e);
    if (parts?.region && parts.region !== key.region)
      return refuse("region-mismatch", `resource ${resource} is of region ${parts.region}`, e);
  }

  let verified: VerifiedOrgEvent;
  let time: string;
  const arns: string[] = [];
  if (e["detail-type"] === ORG_ACTION_DETAIL_TYPE) {
    const detail = orgActionSchema.safeParse(e.detail);
    if (!detail.success) return refuse("schema", firstIssue(detail.error), e);
    arns.push(detail.data.arn);
    time = detail.data.time;
    verified = { kind: "action", action: detail.data, key, id: e.id, order: orgOrder(time, e.id) };
  } else if (e["detail-type"] === ORG_HEARTBEAT_DETAIL_TYPE) {
    const detail = orgHeartbeatSchema.safeParse(e.detail);
    if (!detail.success) return refuse("schema", firstIssue(detail.error), e);
    const mismatch = checkNamed(detail.data, key, e);
    if (mismatch) return mismatch;
    time = detail.data.time;
    verified = { kind: "heartbeat", heartbeat: detail.data, key, id: e.id, order: orgOrder(time, e.id) };
  } else {
    const detail = orgSummarySchema.safeParse(e.detail);
    if (!detail.success) return refuse("schema", firstIssue(detail.error), e);
    const mismatch = checkNamed(detail.data, key, e);
    if (mismatch) return mismatch;
    arns.push(...detail.data.deletionsDue.map((d) => d.arn));
    time = detail.data.sweptAt;
    verified = { kind: "summary", summary: detail.data, key, id: e.id, order: orgOrder(time, e.id) };
  }
  for (const arn of arns) {
    const named = arnAccountRegion(arn);
    if (named?.accountId !== key.accountId)
      return refuse("account-mismatch", `${arn} is of account ${named?.accountId ?? "?"}`, e);
    if (named.region !== key.region)
      return refuse("region-mismatch", `${arn} is of region ${named.region}`, e);
  }
  if (new Date(time).getTime() > now.getTime() + MAX_CLOCK_SKEW_MS)
    return refuse("future-time", `time ${time} is ahead of ${now.toISOString()}`, e);
  return { ok: true, event: verified };
}

/** The UTF-8 size, measured only when it could matter (a UTF-16 unit is 1 to 3 bytes). */
function utf8Length(text: string): number {
  if (text.length > MAX_ORG_EVENT_BYTES) return text.length;
  if (text.length * 3 <= MAX_ORG_EVENT_BYTES) return text.length;
  return new TextEncoder().encode(text).length;
}

function checkNamed(
  detail: { accountId: string; region: string },
  key: OrgKey,
  e: { id: string; account: string },
): OrgCheck | undefined {
  if (detail.accountId !== key.accountId)
    return refuse("account-mismatch", `detail.accountId ${detail.accountId} is not the sender's`, e);
  if (detail.region !== key.region)
    return refuse("region-mismatch", `detail.region ${detail.region} is not the event's ${key.region}`, e);
  return undefined;
}

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return "does not match the schema";
  return `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`.slice(0, 300);
}
