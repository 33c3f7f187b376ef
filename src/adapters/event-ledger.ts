import { createHash } from "node:crypto";
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyRecordStatus,
} from "@aws-lambda-powertools/idempotency";
import { CachePersistenceLayer } from "@aws-lambda-powertools/idempotency/cache";
import type { CacheClient } from "@aws-lambda-powertools/idempotency/cache/types";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { AdapterError } from "../errors.js";
import type { Claim, EventLedger, LedgerEntry } from "../ports.js";
import { toStoreError } from "./aws-clients.js";

/** How long a handled event is remembered: longer than EventBridge and SQS take to deliver a duplicate. */
export const LEDGER_DAYS = 1;
/** The records' key prefix, the same for every function of the stack (the route is in the key). */
const KEY_PREFIX = "secrets-governor";

/**
 * The event ledger on Powertools idempotency's persistence layers: DynamoDB in AWS (a conditional PutItem claims,
 * an UpdateItem completes, a DeleteItem releases; an in-progress record past its expiry may be claimed again) or
 * an in-memory cache client with the same semantics. Keyed on the route and the EventBridge id; the completed
 * record keeps a digest of the findings, so a second message with a known id and other content is a conflict,
 * never a duplicate.
 */
export class PowertoolsEventLedger implements EventLedger {
  constructor(private readonly persistence: BasePersistenceLayer) {
    persistence.configure({
      config: new IdempotencyConfig({
        eventKeyJmesPath: "[route, eventId]",
        expiresAfterSeconds: LEDGER_DAYS * 86_400,
        throwOnNoIdempotencyKey: true,
      }),
      keyPrefix: KEY_PREFIX,
    });
  }

  async claim(entry: LedgerEntry, holdMs: number): Promise<Claim> {
    const data = { ...entry };
    try {
      await this.persistence.saveInProgress(data, Math.max(holdMs, 1));
      return "claimed";
    } catch (error) {
      if (!(error instanceof IdempotencyItemAlreadyExistsError)) throw storeError("claim", error);
      const existing = error.existingRecord ?? (await this.read(data));
      if (existing.getStatus() !== IdempotencyRecordStatus.COMPLETED) return "busy";
      // The completed record keeps what the event said (Powertools' payload validation is not kept by its cache
      // layer on completion, so the ledger compares the content itself).
      const said = (existing.getResponse() as { content?: unknown } | undefined)?.content;
      return said === digest(entry.content) ? "done" : "conflict";
    }
  }

  async complete(entry: LedgerEntry): Promise<void> {
    try {
      await this.persistence.saveSuccess({ ...entry }, { content: digest(entry.content) });
    } catch (error) {
      throw storeError("complete", error);
    }
  }

  async release(entry: LedgerEntry): Promise<void> {
    try {
      await this.persistence.deleteRecord({ ...entry });
    } catch (error) {
      throw storeError("release", error);
    }
  }

  private async read(data: LedgerEntry) {
    try {
      return await this.persistence.getRecord({ ...data });
    } catch (error) {
      throw storeError("claim", error);
    }
  }
}

function digest(content: string): string {
  return createHash("sha256").update(content).digest("hex");
}

/** The store did not answer: retryable, so the event is retried (and finally dead-lettered), never dropped. */
function storeError(step: string, error: unknown): AdapterError {
  return toStoreError(`event ledger ${step}`, error);
}

/** The ledger on the stack's DynamoDB table (GOVERNOR_STATE_TABLE): partition key `id`, TTL attribute `expiration`. */
export function dynamoEventLedger(client: DynamoDBClient, tableName: string): PowertoolsEventLedger {
  return new PowertoolsEventLedger(new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }));
}

/**
 * A cache client in memory with the SET NX / EX semantics CachePersistenceLayer relies on (Redis and Valkey's):
 * the ledger of the CLI, the demo and the tests. `shared` lets several "instances" use one memory, as they would
 * one table.
 */
export class MemoryCacheClient implements CacheClient {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  async get(name: string): Promise<string | null> {
    return this.current(name);
  }

  /** SET with NX is atomic, as in Redis: the check and the write happen with no await between them. */
  async set(name: string | Uint8Array, value: unknown, options?: unknown): Promise<string | null> {
    const key = String(name);
    const { EX, NX } = (options ?? {}) as { EX?: number; NX?: boolean };
    if (NX && this.current(key) !== null) return null;
    const expiresAt = EX === undefined ? Number.POSITIVE_INFINITY : Date.now() + EX * 1000;
    this.entries.set(key, { value: String(value), expiresAt });
    return "OK";
  }

  async del(keys: string[]): Promise<number> {
    let removed = 0;
    for (const key of keys) if (this.entries.delete(key)) removed++;
    return removed;
  }

  private current(name: string): string | null {
    const entry = this.entries.get(name);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(name);
      return null;
    }
    return entry.value;
  }

  /** Records kept (expired ones not yet read count too). */
  get size(): number {
    return this.entries.size;
  }
}

/** The in-memory ledger: for `governor replay`, `npm start` and tests; one per process unless a client is shared. */
export function memoryEventLedger(
  client: MemoryCacheClient = new MemoryCacheClient(),
): PowertoolsEventLedger {
  return new PowertoolsEventLedger(new CachePersistenceLayer({ client }));
}
