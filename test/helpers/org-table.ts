import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** A fresh central table shaped as org/resources.yml's OrgStateTable: partition key `pk`, sort key `sk`. */
export async function createOrgStateTable(client: DynamoDBClient, name: string): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    }),
  );
  return name;
}
