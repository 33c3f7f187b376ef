import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  type AccessWindow,
  accessWindowOf,
  claimsIncident,
  incidentTokenOf,
  MAX_SESSIONS,
  verdictOf,
  type WindowState,
  type WindowVerdict,
} from "../domain/access-window.js";
import type { Finding } from "../domain/finding.js";
import type { AccessFailureCounter } from "../ports.js";
import { toStoreError } from "./aws-clients.js";

/**
 * The incident token of a finding: its event's (incidentTokenOf), else one drawn for this finding object, so that
 * reopen() in the same process finds the token record() used. (A finding of no event is never redelivered.)
 */
const drawnTokens = new WeakMap<Finding, string>();
function tokenOf(finding: Finding): string {
  const token = incidentTokenOf(finding) ?? drawnTokens.get(finding) ?? `local ${randomUUID()}`;
  drawnTokens.set(finding, token);
  return token;
}

/** One window in memory: the DynamoDB item's attributes. */
export interface MemoryWindowItem {
  count: number;
  sessions: string[];
  reportedBy?: string;
  reportedAt?: number;
  /** Epoch seconds, as the DynamoDB item's TTL. */
  expiration: number;
}

/**
 * The counter in memory: for `governor replay`, the demo and the tests. The same decisions as the DynamoDB one
 * (src/domain/access-window.ts), made atomically because nothing awaits between reading and writing. Counters
 * given the same `items` share their windows, as instances share the table.
 */
export class MemoryAccessFailureCounter implements AccessFailureCounter {
  constructor(
    private readonly windowMinutes: number,
    private readonly incidentAfter: number,
    readonly items: Map<string, MemoryWindowItem> = new Map(),
  ) {}

  /** Windows kept: those not yet expired at the latest failure recorded. */
  get size(): number {
    return this.items.size;
  }

  async record(
    finding: Finding,
    secretArn: string,
    incidentAfter: number = this.incidentAfter,
  ): Promise<WindowVerdict> {
    const window = accessWindowOf(finding, secretArn, this.windowMinutes);
    // A process lives for hours: forget the windows past their expiry on every failure, as the TTL does.
    this.prune(finding.observedAt);
    let item = this.items.get(window.id);
    if (!item) {
      item = { count: 0, sessions: [], expiration: window.expiration };
      this.items.set(window.id, item);
    }
    item.count++;
    const { session } = window;
    if (session && item.sessions.length < MAX_SESSIONS && !item.sessions.includes(session))
      item.sessions.push(session);
    const token = tokenOf(finding);
    const incident = claimsIncident(item, incidentAfter, token);
    if (incident) {
      item.reportedBy = token;
      item.reportedAt = item.count;
    }
    return verdictOf(item, window, incidentAfter, incident);
  }

  async reopen(finding: Finding, secretArn: string): Promise<void> {
    const item = this.items.get(accessWindowOf(finding, secretArn, this.windowMinutes).id);
    if (!item) return;
    item.count--;
    if (item.reportedBy === tokenOf(finding)) {
      delete item.reportedBy;
      delete item.reportedAt;
    }
  }

  /** Forgets the windows whose expiry has passed at `now`. */
  prune(now: Date): void {
    const seconds = now.getTime() / 1000;
    for (const [id, item] of this.items) if (item.expiration <= seconds) this.items.delete(id);
  }
}

/**
 * The counter on the stack's DynamoDB table (GOVERNOR_STATE_TABLE, shared with the event ledger), one item per
 * window: `id` (access#...), `count` (N), `sessions` (SS, at most MAX_SESSIONS), `expiration` (N, TTL),
 * `reportedBy` (S) and `reportedAt` (N) while an incident stands. Every step is one UpdateItem, atomic on its item:
 *
 * 1. count: `ADD count 1` (and the session, while the set is not full), `SET expiration` if not set, ALL_NEW;
 * 2. only when the new count reached the threshold and no other failure holds the incident: claim it,
 *    `SET reportedBy = token` on condition that no other token holds it. Of all instances, one claim succeeds;
 *    the others are suppressed. One call per failure, two at the crossing.
 *
 * reopen() (the incident's action failed, the event will be retried) takes the failure back (`ADD count -1`) and
 * gives the incident up (`REMOVE reportedBy` on condition that this token holds it), so the retry counts the
 * failure once and crosses again; if another failure claims the incident in between, it is made by that one,
 * still once. A claim whose answer is lost is given back the same way at once; should that fail too, the retry
 * carries the same token (the event id) and claims it again, so an incident is not lost to a store error. The
 * price: the redelivery of an event that made an incident and was not completed (a crash after the action) makes
 * it again, as it redoes every other step of the event.
 *
 * Store errors are retryable AdapterErrors: the finding fails, its record is retried by SQS, then dead-lettered.
 * What stays inexact: a count whose answer was lost is counted again by the retry (one failure early, never late).
 */
export class DynamoAccessFailureCounter implements AccessFailureCounter {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly windowMinutes: number,
    private readonly incidentAfter: number,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async record(
    finding: Finding,
    secretArn: string,
    incidentAfter: number = this.incidentAfter,
  ): Promise<WindowVerdict> {
    const window = accessWindowOf(finding, secretArn, this.windowMinutes);
    const counted = await this.count(window);
    const token = tokenOf(finding);
    if (!claimsIncident(counted, incidentAfter, token))
      return verdictOf(counted, window, incidentAfter, false);
    let claimed: boolean;
    try {
      claimed = await this.claim(window, token, counted.count);
    } catch (error) {
      // Not known whether the claim was written: give back the failure and the claim if it was (best effort), so
      // the retry counts it once and claims afresh. Should this fail too, the retry carries the same token and
      // may claim again what this attempt may have claimed.
      await this.giveBack(window, token).catch(() => undefined);
      throw toStoreError("access-failure counter claim", error);
    }
    // The count as this failure made it (its place in the window), whatever others added since.
    return verdictOf(counted, window, incidentAfter, claimed);
  }

  async reopen(finding: Finding, secretArn: string): Promise<void> {
    const window = accessWindowOf(finding, secretArn, this.windowMinutes);
    try {
      await this.giveBack(window, tokenOf(finding));
    } catch (error) {
      throw toStoreError("access-failure counter reopen", error);
    }
  }

  /**
   * Takes one failure back and, if this token holds the incident, gives the incident up: in one UpdateItem on
   * condition that the token holds it, else (the condition failed: another failure's incident, or none) only
   * the failure. Only the holder can give an incident up, so it never frees one another failure acted on.
   */
  private async giveBack(window: AccessWindow, token: string): Promise<void> {
    const gaveUp = await this.update(
      window,
      "ADD #count :minusOne REMOVE #reportedBy, #reportedAt",
      { ":minusOne": -1, ":token": token },
      "#reportedBy = :token",
    );
    if (!gaveUp)
      await this.update(window, "ADD #count :minusOne", { ":minusOne": -1 }, "attribute_exists(#id)");
  }

  /** Step 1: counts the failure; keeps its session while the set has room (a full set just counts). */
  private async count(window: AccessWindow): Promise<WindowState> {
    const base = "ADD #count :one SET #expiration = if_not_exists(#expiration, :expiration)";
    const values = { ":one": 1, ":expiration": window.expiration };
    try {
      if (window.session) {
        const withSession = await this.update(
          window,
          "ADD #count :one, #sessions :session SET #expiration = if_not_exists(#expiration, :expiration)",
          { ...values, ":session": new Set([window.session]), ":name": window.session, ":max": MAX_SESSIONS },
          "attribute_not_exists(#sessions) OR size(#sessions) < :max OR contains(#sessions, :name)",
        );
        if (withSession) return withSession;
      }
      const counted = await this.update(window, base, values);
      if (!counted) throw new Error("an unconditional update was refused");
      return counted;
    } catch (error) {
      throw toStoreError("access-failure counter count", error);
    }
  }

  /** Step 2: the incident, for this token, if no other holds it. False: another failure holds it. */
  private async claim(window: AccessWindow, token: string, count: number): Promise<boolean> {
    const claimed = await this.update(
      window,
      "SET #reportedBy = :token, #reportedAt = :count",
      { ":token": token, ":count": count },
      "attribute_exists(#id) AND (attribute_not_exists(#reportedBy) OR #reportedBy = :token)",
    );
    return claimed !== undefined;
  }

  /** One UpdateItem, ALL_NEW; undefined when its condition failed. */
  private async update(
    window: AccessWindow,
    expression: string,
    values: Record<string, unknown>,
    condition?: string,
  ): Promise<WindowState | undefined> {
    const names: Record<string, string> = {};
    for (const name of ["id", "count", "sessions", "expiration", "reportedBy", "reportedAt"])
      if (expression.includes(`#${name}`) || condition?.includes(`#${name}`)) names[`#${name}`] = name;
    const input: UpdateCommandInput = {
      TableName: this.tableName,
      Key: { id: window.id },
      UpdateExpression: expression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: "ALL_NEW",
      ...(condition ? { ConditionExpression: condition } : {}),
    };
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand(input));
      return stateOf(Attributes);
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return undefined;
      throw error;
    }
  }
}

function stateOf(item: Record<string, unknown> | undefined): WindowState {
  const sessions = item?.sessions;
  const state: WindowState = {
    count: Number(item?.count ?? 0),
    sessions: sessions instanceof Set ? [...sessions].map(String) : [],
  };
  if (typeof item?.reportedBy === "string") state.reportedBy = item.reportedBy;
  if (item?.reportedAt !== undefined) state.reportedAt = Number(item.reportedAt);
  return state;
}
