import { createServer, type Server } from "node:net";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import {
  awsErrorName,
  boundedRequests,
  CONNECTION_TIMEOUT_MS,
  clientConfig,
  DEFAULT_MAX_ATTEMPTS,
  isRetryableAwsError,
  makeConfigClient,
  makeDynamoDbClient,
  makeEventBridgeClient,
  makeSecretsManagerClient,
  REQUEST_TIMEOUT_MS,
  toAdapterError,
} from "../../src/adapters/aws-clients.js";
import { makeSecurityHubClient } from "../../src/adapters/security-hub.js";
import { AdapterError } from "../../src/errors.js";

async function resolve<T>(value: T | (() => Promise<T>) | undefined): Promise<T | undefined> {
  return typeof value === "function" ? (value as () => Promise<T>)() : value;
}

describe("client factories", () => {
  it.each([
    { name: "Secrets Manager", make: makeSecretsManagerClient },
    { name: "Config", make: makeConfigClient },
    { name: "EventBridge", make: makeEventBridgeClient },
  ])("$name: adaptive retries, region and endpoint from the arguments", async ({ make }) => {
    const client = make({ region: "eu-west-1", endpoint: "http://127.0.0.1:5000" });
    expect(await resolve(client.config.region)).toBe("eu-west-1");
    expect(await resolve(client.config.retryMode)).toBe("adaptive");
    expect(await resolve(client.config.maxAttempts)).toBe(DEFAULT_MAX_ATTEMPTS);
    const endpoint = await resolve(client.config.endpoint);
    expect(endpoint).toMatchObject({ hostname: "127.0.0.1", port: 5000, protocol: "http:" });
    client.destroy();
  });

  it("takes maxAttempts and credentials when given", async () => {
    const client = makeSecretsManagerClient({
      region: "us-east-1",
      maxAttempts: 2,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    expect(await resolve(client.config.maxAttempts)).toBe(2);
    expect(await client.config.credentials({})).toMatchObject({ accessKeyId: "AKIDEXAMPLE" });
    expect(client.config.endpoint).toBeUndefined();
    client.destroy();
  });
});

describe("bounded requests", () => {
  /** The options the SDK's NodeHttpHandler resolved (its configProvider, read once per client). */
  const handlerOptions = (client: { config: { requestHandler: unknown } }) =>
    (client.config.requestHandler as { configProvider: Promise<Record<string, unknown>> }).configProvider;

  it.each([
    { name: "Secrets Manager", make: makeSecretsManagerClient },
    { name: "Config", make: makeConfigClient },
    { name: "EventBridge", make: makeEventBridgeClient },
    { name: "DynamoDB", make: makeDynamoDbClient },
    { name: "Security Hub", make: makeSecurityHubClient },
  ])("$name: a connection and a response each have a deadline, and a missed one is an error", async ({
    make,
  }) => {
    const client = make({ region: "eu-west-1" });
    expect(await handlerOptions(client)).toMatchObject({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    });
    client.destroy();
  });

  it("cuts an attempt that gets no answer, with TimeoutError, which the SDK and the adapters retry", async () => {
    // Prepare: a server that accepts the connection and never answers; the same options, a shorter deadline.
    const server: Server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const client = new SecretsManagerClient({
      ...clientConfig({
        region: "us-east-1",
        endpoint: `http://127.0.0.1:${port}`,
        maxAttempts: 1,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      }),
      requestHandler: { ...boundedRequests(), requestTimeout: 200 },
    });

    // Act
    const started = Date.now();
    const error = await client.send(new ListSecretsCommand({})).catch((e: Error) => e);

    // Assess
    expect((error as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(isRetryableAwsError(error)).toBe(true);
    client.destroy();
    server.close();
  });
});

describe("error classification", () => {
  const sdk = (name: string, status?: number, fault?: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} message`), {
      name,
      ...(status !== undefined ? { $metadata: { httpStatusCode: status } } : {}),
      ...(fault ? { $fault: fault } : {}),
      ...extra,
    });

  it.each([
    { error: sdk("ThrottlingException", 400, "client"), retryable: true },
    { error: sdk("TooManyRequestsException", 429, "client"), retryable: true },
    { error: sdk("RequestLimitExceeded", 400, "client"), retryable: true },
    { error: sdk("InternalServiceError", 500, "server"), retryable: true },
    { error: sdk("SomethingNew", 502, "server"), retryable: true },
    { error: sdk("SomethingElse", undefined, "server"), retryable: true },
    { error: sdk("TimeoutError"), retryable: true },
    { error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), retryable: true },
    { error: sdk("Odd", 400, "client", { $retryable: { throttling: false } }), retryable: true },
    { error: sdk("AccessDeniedException", 400, "client"), retryable: false },
    { error: sdk("ValidationException", 400, "client"), retryable: false },
    { error: sdk("InvalidParameterException", 400, "client"), retryable: false },
    { error: sdk("InvalidRequestException", 400, "client"), retryable: false },
    { error: sdk("LimitExceededException", 400, "client"), retryable: false },
    { error: new Error("plain"), retryable: false },
    { error: "a string", retryable: false },
    { error: undefined, retryable: false },
  ])("$error.name -> retryable $retryable", ({ error, retryable }) => {
    expect(isRetryableAwsError(error)).toBe(retryable);
  });

  it("wraps with the operation, the subject and the cause", () => {
    const cause = sdk("AccessDeniedException", 400, "client");
    const wrapped = toAdapterError("TagResource", cause, "arn:x");
    expect(wrapped).toBeInstanceOf(AdapterError);
    expect(wrapped).toMatchObject({ operation: "TagResource", retryable: false, cause });
    expect(wrapped.message).toBe(
      "TagResource on arn:x failed: AccessDeniedException: AccessDeniedException message",
    );
    expect(toAdapterError("Other", wrapped)).toBe(wrapped);
  });

  it("names errors by name, then code", () => {
    expect(awsErrorName({ code: "ECONNRESET" })).toBe("ECONNRESET");
    expect(awsErrorName(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe("ECONNRESET");
    expect(awsErrorName(new Error("plain"))).toBe("Error");
    expect(awsErrorName(null)).toBe("Error");
  });
});
