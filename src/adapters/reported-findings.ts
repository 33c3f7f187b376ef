import {
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandOutput,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { type ReportedFinding, SECURITY_HUB_KINDS, type SecurityHubKind } from "../domain/asff.js";
import type { ReportedFindings } from "../ports.js";
import { awsErrorName, toStoreError } from "./aws-clients.js";

/**
 * The findings reported open, in the state table: a few items (`security-hub-findings#0` .. `#15`), each a map
 * from `<kind> <secret ARN>` to `<createdAt> <lastSeen>`. A sweep reads all of them with 16 GetItems, whatever
 * the account's size; each write sets or removes map keys of one item, atomically, so event handlers and the
 * sweep never undo each other's entries. 16 items of DynamoDB's 400 KB hold some 35,000 open findings. Only
 * GetItem and UpdateItem, which the role already has on the table.
 */
export const REPORTED_SHARDS = 16;
const ATTRIBUTE = "findings";
/** Map keys set or removed per UpdateItem, well within DynamoDB's expression limits. */
const KEYS_PER_UPDATE = 40;

const keyOf = (f: Pick<ReportedFinding, "kind" | "secretArn">) => `${f.kind} ${f.secretArn}`;

function shardOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % REPORTED_SHARDS;
}

/** One entry back into a finding; undefined for anything this code did not write. */
function parseEntry(key: string, value: string): ReportedFinding | undefined {
  const space = key.indexOf(" ");
  const kind = key.slice(0, space) as SecurityHubKind;
  const secretArn = key.slice(space + 1);
  const [created, seen] = value.split(" ");
  const createdAt = new Date(created ?? "");
  const lastSeen = new Date(seen ?? "");
  if (space < 0 || !SECURITY_HUB_KINDS.includes(kind) || !secretArn.startsWith("arn:")) return undefined;
  if (Number.isNaN(createdAt.getTime()) || Number.isNaN(lastSeen.getTime())) return undefined;
  return { kind, secretArn, createdAt, lastSeen };
}

function groups<T extends Pick<ReportedFinding, "kind" | "secretArn">>(findings: readonly T[]): T[][] {
  const byShard = new Map<number, T[]>();
  for (const f of findings) {
    const shard = shardOf(keyOf(f));
    byShard.set(shard, [...(byShard.get(shard) ?? []), f]);
  }
  const out: T[][] = [];
  for (const list of byShard.values())
    for (let i = 0; i < list.length; i += KEYS_PER_UPDATE) out.push(list.slice(i, i + KEYS_PER_UPDATE));
  return out;
}

export class DynamoReportedFindings implements ReportedFindings {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  private id(shard: number) {
    return { id: { S: `security-hub-findings#${shard}` } };
  }

  async list(): Promise<ReportedFinding[]> {
    const out: ReportedFinding[] = [];
    for (let shard = 0; shard < REPORTED_SHARDS; shard++) {
      let item: GetItemCommandOutput;
      try {
        item = await this.client.send(
          new GetItemCommand({ TableName: this.table, Key: this.id(shard), ConsistentRead: true }),
        );
      } catch (error) {
        throw toStoreError("GetItem (reported findings)", error);
      }
      const map = item.Item?.[ATTRIBUTE]?.M ?? {};
      for (const [key, value] of Object.entries(map)) {
        const parsed = value.S === undefined ? undefined : parseEntry(key, value.S);
        if (parsed) out.push(parsed);
      }
    }
    return out;
  }

  async remember(findings: ReportedFinding[]): Promise<void> {
    for (const group of groups(findings)) {
      const shard = shardOf(keyOf(group[0] as ReportedFinding));
      const names: Record<string, string> = { "#f": ATTRIBUTE };
      const values: Record<string, { S: string }> = {};
      const sets = group.map((f, i) => {
        names[`#k${i}`] = keyOf(f);
        values[`:v${i}`] = { S: `${f.createdAt.toISOString()} ${f.lastSeen.toISOString()}` };
        return `#f.#k${i} = :v${i}`;
      });
      const update = new UpdateItemCommand({
        TableName: this.table,
        Key: this.id(shard),
        UpdateExpression: `SET ${sets.join(", ")}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
      try {
        await this.client.send(update);
      } catch (error) {
        if (awsErrorName(error) !== "ValidationException")
          throw toStoreError("UpdateItem (reported findings)", error);
        // The shard's map does not exist yet: create it empty (a concurrent creator is harmless), then set.
        try {
          await this.client.send(
            new UpdateItemCommand({
              TableName: this.table,
              Key: this.id(shard),
              UpdateExpression: "SET #f = if_not_exists(#f, :empty)",
              ExpressionAttributeNames: { "#f": ATTRIBUTE },
              ExpressionAttributeValues: { ":empty": { M: {} } },
            }),
          );
          await this.client.send(update);
        } catch (retryError) {
          throw toStoreError("UpdateItem (reported findings)", retryError);
        }
      }
    }
  }

  async forget(findings: Pick<ReportedFinding, "kind" | "secretArn">[]): Promise<void> {
    for (const group of groups(findings)) {
      const shard = shardOf(keyOf(group[0] as ReportedFinding));
      const names: Record<string, string> = { "#f": ATTRIBUTE };
      const removes = group.map((f, i) => {
        names[`#k${i}`] = keyOf(f);
        return `#f.#k${i}`;
      });
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: this.id(shard),
            UpdateExpression: `REMOVE ${removes.join(", ")}`,
            ExpressionAttributeNames: names,
          }),
        );
      } catch (error) {
        // No map in that shard: nothing was remembered there, so nothing to forget.
        if (awsErrorName(error) === "ValidationException") continue;
        throw toStoreError("UpdateItem (reported findings)", error);
      }
    }
  }
}

/** The same in memory: the CLI without a state table, and tests. */
export class MemoryReportedFindings implements ReportedFindings {
  private readonly entries = new Map<string, ReportedFinding>();

  async list(): Promise<ReportedFinding[]> {
    return [...this.entries.values()].map((f) => ({ ...f }));
  }

  async remember(findings: ReportedFinding[]): Promise<void> {
    for (const f of findings) this.entries.set(keyOf(f), { ...f });
  }

  async forget(findings: Pick<ReportedFinding, "kind" | "secretArn">[]): Promise<void> {
    for (const f of findings) this.entries.delete(keyOf(f));
  }
}
