import {
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  ListSecretsCommand,
  type ListSecretsCommandOutput,
  PutResourcePolicyCommand,
  RestoreSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { parseSecretEntry, type Secret } from "../domain/secret.js";
import { AdapterError, SecretNotFoundError } from "../errors.js";
import type { SecretStore } from "../ports.js";
import { awsErrorName, toAdapterError } from "./aws-clients.js";
import { type Pacer, type WriteFamily, WritePacer } from "./pacer.js";

export const LIST_PAGE_SIZE = 100;
export const MIN_RECOVERY_WINDOW_DAYS = 7;
export const MAX_RECOVERY_WINDOW_DAYS = 30;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

function invalidParameter(operation: string, message: string): AdapterError {
  return new AdapterError(`${operation}: InvalidParameterException: ${message}`, operation, false);
}

/** The checks AWS makes on TagResource / UntagResource, made before the call (moto does not make them). */
export function checkTagKeys(operation: string, keys: string[]): void {
  for (const key of keys) {
    if (key.toLowerCase().startsWith("aws:"))
      throw invalidParameter(operation, `tag key ${JSON.stringify(key)}: the aws: prefix is reserved`);
    if (key.length === 0 || key.length > MAX_TAG_KEY)
      throw invalidParameter(
        operation,
        `tag key ${JSON.stringify(key)} must be 1 to ${MAX_TAG_KEY} characters`,
      );
  }
}

export function checkTags(tags: Record<string, string>): void {
  checkTagKeys("TagResource", Object.keys(tags));
  for (const [key, value] of Object.entries(tags))
    if (value.length > MAX_TAG_VALUE)
      throw invalidParameter("TagResource", `tag ${key}: value longer than ${MAX_TAG_VALUE} characters`);
}

export function checkRecoveryWindow(days: number): void {
  if (!Number.isInteger(days) || days < MIN_RECOVERY_WINDOW_DAYS || days > MAX_RECOVERY_WINDOW_DAYS)
    throw invalidParameter(
      "DeleteSecret",
      `RecoveryWindowInDays must be a whole number from ${MIN_RECOVERY_WINDOW_DAYS} to ${MAX_RECOVERY_WINDOW_DAYS}, got ${days}`,
    );
}

function isNotFound(error: unknown): boolean {
  return awsErrorName(error) === "ResourceNotFoundException";
}

/** The account's Secrets Manager over the AWS SDK. It never calls GetSecretValue. */
export class SecretsManagerStore implements SecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly pacer: Pacer = new WritePacer(),
  ) {}

  async describe(secretId: string): Promise<Secret | undefined> {
    let response: unknown;
    try {
      response = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toAdapterError("DescribeSecret", error, secretId);
    }
    return parseSecretEntry(response, `DescribeSecret ${secretId}`, "secretsmanager");
  }

  async *list(): AsyncIterable<Secret[]> {
    let nextToken: string | undefined;
    let page = 0;
    do {
      let response: ListSecretsCommandOutput;
      try {
        response = await this.listPage(nextToken);
      } catch (error) {
        throw toAdapterError("ListSecrets", error);
      }
      const entries = response.SecretList ?? [];
      yield entries.map((entry, i) =>
        parseSecretEntry(entry, `ListSecrets page ${page} [${i}]`, "secretsmanager"),
      );
      nextToken = response.NextToken;
      page += 1;
    } while (nextToken);
  }

  private listPage(nextToken: string | undefined): Promise<ListSecretsCommandOutput> {
    return this.client.send(
      new ListSecretsCommand({
        MaxResults: LIST_PAGE_SIZE,
        IncludePlannedDeletion: true,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
  }

  async tag(arn: string, tags: Record<string, string>): Promise<void> {
    checkTags(tags);
    const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (list.length === 0) return;
    await this.write("tag", "TagResource", arn, () =>
      this.client.send(new TagResourceCommand({ SecretId: arn, Tags: list })),
    );
  }

  async untag(arn: string, keys: string[]): Promise<void> {
    checkTagKeys("UntagResource", keys);
    if (keys.length === 0) return;
    await this.write("tag", "UntagResource", arn, () =>
      this.client.send(new UntagResourceCommand({ SecretId: arn, TagKeys: [...keys] })),
    );
  }

  async getResourcePolicy(arn: string): Promise<string | undefined> {
    const response = await this.write("resource-policy", "GetResourcePolicy", arn, () =>
      this.client.send(new GetResourcePolicyCommand({ SecretId: arn })),
    );
    return response.ResourcePolicy || undefined;
  }

  async putResourcePolicy(arn: string, policy: string): Promise<void> {
    await this.write("resource-policy", "PutResourcePolicy", arn, () =>
      this.client.send(
        new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: policy, BlockPublicPolicy: true }),
      ),
    );
  }

  async deleteResourcePolicy(arn: string): Promise<void> {
    await this.write("resource-policy", "DeleteResourcePolicy", arn, () =>
      this.client.send(new DeleteResourcePolicyCommand({ SecretId: arn })),
    );
  }

  async scheduleDeletion(arn: string, recoveryWindowDays: number): Promise<{ deletionDate?: Date }> {
    checkRecoveryWindow(recoveryWindowDays);
    try {
      const response = await this.write("delete", "DeleteSecret", arn, () =>
        this.client.send(
          new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: recoveryWindowDays }),
        ),
      );
      return response.DeletionDate ? { deletionDate: response.DeletionDate } : {};
    } catch (error) {
      // A DeleteSecret that AWS carried out but whose answer was lost is retried by the SDK, and the retry is
      // refused as "already marked for deletion": the step is done. The secret's own facts say so.
      if (!(error instanceof AdapterError) || !/InvalidRequestException/.test(error.message)) throw error;
      const fresh = await this.describe(arn);
      if (!fresh?.deletedDate) throw error;
      return {};
    }
  }

  async restore(arn: string): Promise<void> {
    await this.write("restore", "RestoreSecret", arn, () =>
      this.client.send(new RestoreSecretCommand({ SecretId: arn })),
    );
  }

  /** Paces the call by its quota family and maps its failure to the governor's errors. */
  private async write<T>(
    family: WriteFamily,
    operation: string,
    arn: string,
    call: () => Promise<T>,
  ): Promise<T> {
    await this.pacer.take(family);
    try {
      return await call();
    } catch (error) {
      if (isNotFound(error)) throw new SecretNotFoundError(arn);
      throw toAdapterError(operation, error, arn);
    }
  }
}
