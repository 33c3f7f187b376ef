import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { OrgKey, OrgOrder } from "../domain/org-checks.js";
import {
  type OrgAction,
  type OrgHeartbeat,
  type OrgSummary,
  orgHeartbeatSchema,
  orgSummarySchema,
} from "../domain/org-events.js";
import type { OrgAccountRegion } from "../domain/org-view.js";
import type { OrgStateStore, OrgWrite } from "../ports.js";
import { toStoreError } from "./aws-clients.js";

/**
 * The central table's layout (org/serverless.yml, OrgStateTable: partition key `pk`, sort key `sk`):
 * - one item per account-region in the one partition ACCOUNT_REGIONS, sort key `ACCOUNT#REGION`, holding the
 *   latest summary (`summary`, ordered by `summaryOrder`) and the last heartbeat (`heartbeat`, `heartbeatOrder`);
 *   the digest reads it with a Query on that partition: one item per account-region, never a secret's;
 * - one item per secret in the partition `SECRET#ACCOUNT#REGION`, sort key the secret's ARN, holding the latest
 *   action reported for it (`action`, `actionOrder`).
 * Every key is built from the verified envelope's account and region (OrgKey), never from the detail.
 */
export const ACCOUNT_REGIONS_PARTITION = "ACCOUNT_REGIONS";

export function accountRegionKey(key: OrgKey): { pk: string; sk: string } {
  return { pk: ACCOUNT_REGIONS_PARTITION, sk: `${key.accountId}#${key.region}` };
}

export function secretKey(key: OrgKey, arn: string): { pk: string; sk: string } {
  return { pk: `SECRET#${key.accountId}#${key.region}`, sk: arn };
}

/** An account-region item read back: re-checked, so a hand-edited or corrupt item is dropped, not shown. */
function toAccountRegion(item: Record<string, unknown>): OrgAccountRegion | undefined {
  const sk = typeof item.sk === "string" ? item.sk : "";
  const [accountId, region] = sk.split("#");
  if (!accountId || !region) return undefined;
  const summary = item.summary === undefined ? undefined : orgSummarySchema.safeParse(item.summary);
  const heartbeat = item.heartbeat === undefined ? undefined : orgHeartbeatSchema.safeParse(item.heartbeat);
  const out: OrgAccountRegion = { accountId, region };
  if (summary?.success && summary.data.accountId === accountId && summary.data.region === region)
    out.summary = summary.data;
  if (heartbeat?.success && heartbeat.data.accountId === accountId && heartbeat.data.region === region)
    out.heartbeat = heartbeat.data;
  return out.summary || out.heartbeat ? out : undefined;
}

/** The central table on DynamoDB: one conditional UpdateItem per event, one Query page per 1 MB of items. */
export class DynamoOrgStateStore implements OrgStateStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  putAction(key: OrgKey, action: OrgAction, order: OrgOrder): Promise<OrgWrite> {
    return this.write(secretKey(key, action.arn), "action", action, order);
  }

  putSummary(key: OrgKey, summary: OrgSummary, order: OrgOrder): Promise<OrgWrite> {
    return this.write(accountRegionKey(key), "summary", summary, order);
  }

  putHeartbeat(key: OrgKey, heartbeat: OrgHeartbeat, order: OrgOrder): Promise<OrgWrite> {
    return this.write(accountRegionKey(key), "heartbeat", heartbeat, order);
  }

  /** Sets one part of an item unless the item holds that part from a later (or the same) event. */
  private async write(
    key: { pk: string; sk: string },
    part: "action" | "summary" | "heartbeat",
    value: object,
    order: OrgOrder,
  ): Promise<OrgWrite> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: "SET #v = :v, #o = :o",
          ConditionExpression: "attribute_not_exists(#o) OR #o < :o",
          ExpressionAttributeNames: { "#v": part, "#o": `${part}Order` },
          ExpressionAttributeValues: { ":v": value, ":o": order },
        }),
      );
      return "written";
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return "stale";
      throw toStoreError("UpdateItem", error);
    }
  }

  async *accountRegions(): AsyncIterable<OrgAccountRegion[]> {
    let start: Record<string, unknown> | undefined;
    do {
      let page: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      try {
        page = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "pk = :p",
            ExpressionAttributeValues: { ":p": ACCOUNT_REGIONS_PARTITION },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
      } catch (error) {
        throw toStoreError("Query", error);
      }
      const items = (page.Items ?? []).flatMap((i) => toAccountRegion(i) ?? []);
      if (items.length > 0) yield items;
      start = page.LastEvaluatedKey;
    } while (start);
  }
}

interface MemoryItem {
  pk: string;
  sk: string;
  [part: string]: unknown;
}

/** The central table in memory: for `governor org report --input`, the bench's reference and the tests. */
export class MemoryOrgStateStore implements OrgStateStore {
  constructor(readonly items: Map<string, MemoryItem> = new Map()) {}

  putAction(key: OrgKey, action: OrgAction, order: OrgOrder): Promise<OrgWrite> {
    return this.write(secretKey(key, action.arn), "action", action, order);
  }

  putSummary(key: OrgKey, summary: OrgSummary, order: OrgOrder): Promise<OrgWrite> {
    return this.write(accountRegionKey(key), "summary", summary, order);
  }

  putHeartbeat(key: OrgKey, heartbeat: OrgHeartbeat, order: OrgOrder): Promise<OrgWrite> {
    return this.write(accountRegionKey(key), "heartbeat", heartbeat, order);
  }

  /** The stored action of one secret (for tests), or undefined. */
  action(key: OrgKey, arn: string): OrgAction | undefined {
    const { pk, sk } = secretKey(key, arn);
    return this.items.get(`${pk}\u0000${sk}`)?.action as OrgAction | undefined;
  }

  private async write(
    key: { pk: string; sk: string },
    part: "action" | "summary" | "heartbeat",
    value: object,
    order: OrgOrder,
  ): Promise<OrgWrite> {
    const id = `${key.pk}\u0000${key.sk}`;
    const item = this.items.get(id) ?? { ...key };
    const stored = item[`${part}Order`];
    if (typeof stored === "string" && !(stored < order)) return "stale";
    // A copy, as DynamoDB keeps its own: a caller changing its object later changes nothing stored.
    item[part] = structuredClone(value);
    item[`${part}Order`] = order;
    this.items.set(id, item);
    return "written";
  }

  async *accountRegions(): AsyncIterable<OrgAccountRegion[]> {
    const items = [...this.items.values()]
      .filter((i) => i.pk === ACCOUNT_REGIONS_PARTITION)
      .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0))
      .flatMap((i) => toAccountRegion(i) ?? []);
    for (let i = 0; i < items.length; i += 100) yield items.slice(i, i + 100);
  }
}
