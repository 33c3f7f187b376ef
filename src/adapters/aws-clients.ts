import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AdapterError } from "../errors.js";

/**
 * Attempts per call, first one included. Adaptive mode also slows the client down after throttling, so a few
 * attempts ride out a busy second without holding a Lambda for long.
 */
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Bounds on one attempt. The SDK sets none: a connection that never completes or a response that never comes
 * would hold a Lambda until its own timeout. Cut, the attempt fails with TimeoutError, which the SDK retries
 * (throwOnRequestTimeout: without it the SDK only logs a warning and keeps waiting).
 */
export const CONNECTION_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 20_000;

/** The options of every client's request handler (the SDK builds its NodeHttpHandler from them). */
export function boundedRequests() {
  return {
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  } as const;
}

export interface AwsClientOptions {
  region: string;
  /** An endpoint override (moto, LocalStack, a VPC endpoint). Unset: the SDK's own resolution. */
  endpoint?: string;
  maxAttempts?: number;
  /** Unset: the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function clientConfig(options: AwsClientOptions) {
  return {
    region: options.region,
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: boundedRequests(),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  } as const;
}

export function makeSecretsManagerClient(options: AwsClientOptions): SecretsManagerClient {
  return new SecretsManagerClient(clientConfig(options));
}

export function makeConfigClient(options: AwsClientOptions): ConfigServiceClient {
  return new ConfigServiceClient(clientConfig(options));
}

export function makeEventBridgeClient(options: AwsClientOptions): EventBridgeClient {
  return new EventBridgeClient(clientConfig(options));
}

/** The state table's client (event ledger, access-failure windows). */
export function makeDynamoDbClient(options: AwsClientOptions): DynamoDBClient {
  return new DynamoDBClient(clientConfig(options));
}

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
]);

const TRANSIENT = new Set([
  "InternalServiceError",
  "InternalServiceErrorException",
  "InternalFailure",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

interface SdkErrorLike {
  name?: string;
  code?: string;
  $fault?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The error's AWS code (`name` on SDK v3 service exceptions). */
export function awsErrorName(error: unknown): string {
  const e = (error ?? {}) as SdkErrorLike;
  if (e.name && e.name !== "Error") return e.name;
  return e.code ?? "Error";
}

/** Worth retrying later: throttling, a 5xx, a timeout or a network failure. Validation and access are not. */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as SdkErrorLike;
  const name = awsErrorName(e);
  if (THROTTLING.has(name) || TRANSIENT.has(name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  return e.$fault === "server";
}

/** Wraps a failed SDK call; an AdapterError passes through unchanged. */
export function toAdapterError(operation: string, error: unknown, subject?: string): AdapterError {
  if (error instanceof AdapterError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const on = subject ? ` on ${subject}` : "";
  return new AdapterError(
    `${operation}${on} failed: ${awsErrorName(error)}: ${message}`,
    operation,
    isRetryableAwsError(error),
    {
      cause: error,
    },
  );
}

/**
 * A state-store call (DynamoDB) that failed: always retryable. Whatever the store answered (throttled,
 * unreachable, access denied, a table missing), the event is kept for a retry and finally dead-lettered, never
 * dropped.
 */
export function toStoreError(operation: string, error: unknown): AdapterError {
  const adapted = toAdapterError(operation, error);
  return adapted.retryable
    ? adapted
    : new AdapterError(adapted.message, adapted.operation, true, { cause: error });
}
