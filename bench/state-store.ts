/**
 * The state table for the bench: DynamoDB on moto_server (the same emulator the integration tests use), with a
 * client that counts its calls, beside the in-memory store the CLI uses.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoEventLedger, MemoryCacheClient, memoryEventLedger } from "../src/adapters/event-ledger.js";
import type { EventLedger } from "../src/ports.js";
import { MOTO_ENV, startMoto } from "../test/helpers/moto.js";
import { createStateTable } from "../test/helpers/moto-dynamodb.js";

export interface BenchStateStore {
  /** A ledger for one handler instance; every one shares the store. */
  ledger: () => EventLedger;
  /** DynamoDB calls made so far (0 for memory). */
  calls: () => number;
  close: () => Promise<void>;
}

export function memoryStateStore(): BenchStateStore {
  const shared = new MemoryCacheClient();
  return { ledger: () => memoryEventLedger(shared), calls: () => 0, close: async () => {} };
}

/**
 * The in-memory store behind a fixed round trip per call: a model of DynamoDB as a Lambda function in the same
 * region sees it (single-digit milliseconds), which moto_server, a Python process sharing this machine's two
 * cores with the handlers, cannot show. Counts its calls like the DynamoDB one.
 */
export function latencyStateStore(roundTripMs: number): BenchStateStore {
  const shared = new MemoryCacheClient();
  let calls = 0;
  const slow = new Proxy(shared, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, roundTripMs));
        return value.apply(target, args);
      };
    },
  });
  return { ledger: () => memoryEventLedger(slow), calls: () => calls, close: async () => {} };
}

export async function dynamoStateStore(): Promise<BenchStateStore> {
  const moto = await startMoto();
  const client = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: MOTO_ENV.AWS_REGION,
    credentials: { accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY },
  });
  const name = await createStateTable(client, "governor-bench-state");
  let calls = 0;
  const send = client.send.bind(client);
  client.send = ((command: never) => {
    calls++;
    return send(command);
  }) as typeof client.send;
  return {
    ledger: () => dynamoEventLedger(client, name),
    calls: () => calls,
    close: async () => {
      client.destroy();
      await moto.stop();
    },
  };
}
