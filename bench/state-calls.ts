/**
 * DynamoDB calls per delivery of an access-failure event, as deployed with GOVERNOR_STATE_TABLE: the event
 * ledger (claim, complete) and the access-failure counter (count, and the claim of an incident), on moto_server
 * with the real SDK client. A figure of calls, not of time: each is one request to the table (and its cost).
 */
import { readFileSync } from "node:fs";
import { DynamoAccessFailureCounter } from "../src/adapters/access-failure-counter.js";
import { dynamoEventLedger } from "../src/adapters/event-ledger.js";
import { type BatchRecord, handleBatch } from "../src/app/handle-batch.js";
import { parseEvent } from "../src/domain/events.js";
import type { Policy } from "../src/policy/schema.js";
import { startMoto } from "../test/helpers/moto.js";
import { createStateTable, motoDynamoClient } from "../test/helpers/moto-dynamodb.js";
import { accountOf, scenario } from "./scenario.js";

const SILENT = { info() {}, warn() {}, error() {} };

export interface StateCallFigures {
  events: number;
  deliveries: number;
  /** Windows (secret and role) the events fall in; each crosses the threshold once. */
  windows: number;
  incidents: number;
  /** Requests to the table, by SDK command. */
  calls: Record<string, number>;
  callsPerDelivery: number;
}

export async function benchStateCalls(policy: Policy, now: Date, windows = 50): Promise<StateCallFigures> {
  const moto = await startMoto();
  try {
    const client = motoDynamoClient(moto.endpoint);
    const table = await createStateTable(client, "governor-bench-state");
    const calls: Record<string, number> = {};
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? "unknown";
        calls[name] = (calls[name] ?? 0) + 1;
        return next(args);
      },
      { step: "initialize", name: "countStateCalls" },
    );
    const s = scenario(windows, now);
    const { windowMinutes, incidentAfter } = policy.accessFailures;
    const template = JSON.parse(readFileSync("examples/events/05-getsecretvalue-accessdenied.json", "utf8"));
    // Twice the threshold per window, a tenth delivered twice: counts below, at and past the crossing.
    const records: BatchRecord[] = [];
    let events = 0;
    for (let i = 0; i < incidentAfter * 2; i++)
      for (const secret of s.secrets) {
        const event = structuredClone(template);
        event.id = `bench-${secret.name}-${i}`;
        event.detail.eventTime = new Date(now.getTime() - 30 * 60_000 + i * 1000).toISOString();
        event.detail.requestParameters = { secretId: secret.arn };
        const body = JSON.stringify(event);
        records.push({ id: `m-${events}`, body });
        if (events++ % 10 === 3) records.push({ id: `m-dup-${events}`, body });
      }
    let incidents = 0;
    const deps = {
      route: "access-failure",
      parse: parseEvent,
      stack: { account: "123456789012", region: "us-east-1" },
      log: SILENT,
      store: accountOf(s, now),
      policy,
      mode: "report" as const,
      now,
      exemptPrincipals: [],
      ledger: dynamoEventLedger(client, table),
      accessCounter: new DynamoAccessFailureCounter(client, table, windowMinutes, incidentAfter),
    };
    for (let i = 0; i < records.length; i += 10) {
      const { results } = await handleBatch(records.slice(i, i + 10), deps);
      incidents += results.filter((r) => r.outcome?.outcome === "planned").length;
    }
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    return {
      events,
      deliveries: records.length,
      windows,
      incidents,
      calls,
      callsPerDelivery: Math.round((total / records.length) * 100) / 100,
    };
  } finally {
    await moto.stop();
  }
}
