import { Agent } from "node:http";
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { MOTO_ENV } from "./moto.js";

/**
 * One connection to moto, for every client made with it: moto applies an UpdateItem without a lock on the item,
 * so two at once may lose one's ADD, where DynamoDB applies each atomically. Over one connection moto answers one
 * request at a time, which makes each request atomic as DynamoDB's are, while the steps of many records (their
 * count, their claim) still interleave as they would on several instances.
 */
export function serialConnection(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** A DynamoDB client on moto (or any endpoint), one attempt per call so an unreachable store fails at once. */
export function motoDynamoClient(endpoint: string, connection?: Agent): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: MOTO_ENV.AWS_REGION,
    credentials: { accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
    ...(connection ? { requestHandler: { httpAgent: connection } } : {}),
  });
}

/** A fresh state table shaped as the stack's: partition key `id` (S), TTL on `expiration`. */
export async function createStateTable(client: DynamoDBClient, name: string): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: "expiration", Enabled: true },
    }),
  );
  return name;
}
