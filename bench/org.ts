/**
 * The organization plane: the aggregator's throughput on the central table (DynamoDB on moto_server, the real SDK
 * client, calls counted) beside the same events in memory (the reference, same run), and the org digest of 1,000
 * account-regions: the items it reads and the time to build it.
 *
 * 1,000 accounts x 1,000 secrets is 1M action events a day, at most: the bench measures a sample (1,000 summaries
 * and 10,000 actions, in batches of 100 as the event source mapping delivers them) and scales by events/s, since
 * each event costs one conditional UpdateItem whatever the table's size.
 */
import { performance } from "node:perf_hooks";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoOrgStateStore, MemoryOrgStateStore } from "../src/adapters/org-state.js";
import { aggregateOrgBatch } from "../src/app/org-aggregate.js";
import { readOrgView } from "../src/app/org-digest.js";
import { buildOrgView, type OrgAccountRegion } from "../src/domain/org-view.js";
import type { OrgStateStore } from "../src/ports.js";
import { buildOrgDigestMessages } from "../src/report/org-digest.js";
import { MOTO_ENV, startMoto } from "../test/helpers/moto.js";
import { serialConnection } from "../test/helpers/moto-dynamodb.js";
import {
  actionEvent,
  actionOf,
  heartbeatEvent,
  heartbeatOf,
  secretArnOf,
  summaryEvent,
  summaryOf,
} from "../test/helpers/org-events.js";
import { createOrgStateTable } from "../test/helpers/org-table.js";

const SILENT = { info() {}, warn() {}, error() {} };
const BATCH = 100;

export interface OrgAggregateFigures {
  events: number;
  summaries: number;
  actions: number;
  written: number;
  seconds: number;
  eventsPerSecond: number;
  dynamoCalls: number;
  callsPerEvent: number;
}

function sampleBodies(
  accounts: number,
  actionsPerAccount: number,
  now: Date,
): { summaries: string[]; actions: string[] } {
  const summaries: string[] = [];
  const actions: string[] = [];
  const at = new Date(now.getTime() - 3_600_000).toISOString();
  for (let a = 0; a < accounts; a++) {
    const accountId = String(100000000000 + a);
    const region = "eu-west-1";
    summaries.push(
      JSON.stringify(
        summaryEvent(
          summaryOf(accountId, region, {
            sweptAt: at,
            byTeam: Array.from({ length: 5 }, (_, t) => ({
              team: `team-${t}`,
              secrets: 200,
              unused: 20,
              unusedMonthlyCostUsd: 8,
            })),
            deletionsDue: Array.from({ length: 10 }, (_, d) => ({
              arn: secretArnOf(accountId, region, `old-${d}`),
              name: `old-${d}`,
              team: "team-0",
              on: new Date(now.getTime() + (d % 7) * 86_400_000).toISOString(),
            })),
            deletionsDueTotal: 10,
          }),
        ),
      ),
    );
    summaries.push(JSON.stringify(heartbeatEvent(heartbeatOf(accountId, region, { time: at }))));
    for (let s = 0; s < actionsPerAccount; s++)
      actions.push(
        JSON.stringify(
          actionEvent(
            actionOf(accountId, region, {
              arn: secretArnOf(accountId, region, `app/s${s}`),
              name: `app/s${s}`,
              time: at,
            }),
            accountId,
            region,
          ),
        ),
      );
  }
  return { summaries, actions };
}

async function aggregate(
  store: OrgStateStore,
  bodies: string[],
  now: Date,
): Promise<{ written: number; seconds: number }> {
  const start = performance.now();
  let written = 0;
  for (let i = 0; i < bodies.length; i += BATCH) {
    const records = bodies.slice(i, i + BATCH).map((body, j) => ({ id: `m${i + j}`, body }));
    const result = await aggregateOrgBatch(records, { store, now, log: SILENT });
    if (result.failed > 0) throw new Error(`bench: ${result.failed} writes failed`);
    written += result.written;
  }
  return { written, seconds: (performance.now() - start) / 1000 };
}

export async function benchOrg(now: Date) {
  const { summaries, actions } = sampleBodies(1_000, 10, now);
  const bodies = [...summaries, ...actions];
  const moto = await startMoto();
  try {
    // One connection: moto applies an UpdateItem without a lock on the item, DynamoDB atomically (moto-dynamodb.ts).
    // The aggregator's 16 writes in flight then queue for it, which the SDK would warn about on every batch.
    const client = new DynamoDBClient({
      endpoint: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
      credentials: {
        accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY,
      },
      maxAttempts: 1,
      requestHandler: { httpAgent: serialConnection(), socketAcquisitionWarningTimeout: 3_600_000 },
    });
    const calls: Record<string, number> = {};
    let scanned = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? "unknown";
        calls[name] = (calls[name] ?? 0) + 1;
        const out = await next(args);
        const count = (out.output as { ScannedCount?: number }).ScannedCount;
        if (typeof count === "number") scanned += count;
        return out;
      },
      { step: "initialize", name: "countOrgCalls" },
    );
    const table = await createOrgStateTable(client, "governor-bench-org");
    delete calls.CreateTableCommand;
    const dynamo = new DynamoOrgStateStore(client, table);
    const memory = new MemoryOrgStateStore();

    const reference = await aggregate(memory, bodies, now);
    const onTable = await aggregate(dynamo, bodies, now);
    const writes = (calls.UpdateItemCommand ?? 0) + (calls.UpdateCommand ?? 0);
    const aggregateFigures = {
      reference: {
        seconds: round(reference.seconds, 3),
        eventsPerSecond: Math.round(bodies.length / reference.seconds),
      },
      moto: {
        events: bodies.length,
        summaries: summaries.length / 2,
        heartbeats: summaries.length / 2,
        actions: actions.length,
        written: onTable.written,
        seconds: round(onTable.seconds, 2),
        eventsPerSecond: Math.round(bodies.length / onTable.seconds),
        dynamoCalls: writes,
        callsPerEvent: round(writes / bodies.length, 3),
      },
      // 1M actions a day (1,000 accounts x 1,000 secrets, all acted on): at the measured rate, on moto.
      millionActionsSecondsAtMotoRate: Math.round(1_000_000 / (bodies.length / onTable.seconds)),
    };

    // The digest: the same 1,000 account-regions, read from each store (one Query page per 1 MB), then built.
    const beforeQueries = (calls.QueryCommand ?? 0) + (calls.QueryItemCommand ?? 0);
    scanned = 0;
    const readStart = performance.now();
    const items = await readAll(dynamo);
    const readS = (performance.now() - readStart) / 1000;
    // The build, three times and the median: the first runs cold (JIT) right after the read's garbage.
    const builds: { ms: number; view: ReturnType<typeof buildOrgView>; messages: number }[] = [];
    for (let run = 0; run < 3; run++) {
      const buildStart = performance.now();
      const view = buildOrgView(items, now);
      const messages = buildOrgDigestMessages(view, { table }).length;
      builds.push({ ms: performance.now() - buildStart, view, messages });
    }
    builds.sort((a, b) => a.ms - b.ms);
    const { ms: buildMs, view, messages } = builds[1] as (typeof builds)[number];
    const firstBuildMs = Math.max(...builds.map((b) => b.ms));
    const memStart = performance.now();
    const fromMemory = await readOrgView(memory, now);
    buildOrgDigestMessages(fromMemory.view);
    const memoryMs = performance.now() - memStart;
    const digestFigures = {
      accountRegions: view.accountRegions,
      itemsRead: items.length,
      itemsScanned: scanned,
      queries: (calls.QueryCommand ?? 0) + (calls.QueryItemCommand ?? 0) - beforeQueries,
      perSecretItemsInTable: actions.length,
      motoReadS: round(readS, 2),
      buildMs: round(buildMs, 1),
      slowestBuildMs: round(firstBuildMs, 1),
      memoryReadAndBuildMs: round(memoryMs, 1),
      messages,
      target: { itemsPerAccountRegion: 1, buildMs: 1000 },
    };
    return { aggregate: aggregateFigures, digest: digestFigures };
  } finally {
    await moto.stop();
  }
}

async function readAll(store: OrgStateStore): Promise<OrgAccountRegion[]> {
  const items: OrgAccountRegion[] = [];
  for await (const page of store.accountRegions()) items.push(...page);
  return items;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
