import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { LocalAccount } from "../../src/adapters/local-account.js";
import { toListSecretsEntry } from "../../src/domain/secret.js";
import { AdapterError, SecretNotFoundError } from "../../src/errors.js";

/**
 * An emulated AWS on 127.0.0.1 for the benchmark and the fault tests: Secrets Manager (over a LocalAccount, so its
 * semantics are the ones the contract tests pin down), the two Config compliance reads moto lacks, and
 * EventBridge PutEvents, all in the AWS JSON 1.1 protocol that the real SDK clients speak. On top of moto it adds
 * what those need: each write family throttled at its documented quota (token buckets, `ThrottlingException` as
 * AWS answers it), faults injected at a rate, and a count of every call.
 */

/** Secrets Manager's quota families (Secrets Manager user guide, "Quotas"; shared/aws-facts.md). */
export const QUOTA_FAMILY: Readonly<Record<string, string>> = {
  TagResource: "tag",
  UntagResource: "tag",
  GetResourcePolicy: "resource-policy",
  PutResourcePolicy: "resource-policy",
  DeleteResourcePolicy: "resource-policy",
  ValidateResourcePolicy: "resource-policy",
  DeleteSecret: "delete",
  RestoreSecret: "restore",
  DescribeSecret: "describe",
  ListSecrets: "list",
};

/** Calls that change the account; every other Secrets Manager call is a read. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  "TagResource",
  "UntagResource",
  "PutResourcePolicy",
  "DeleteResourcePolicy",
  "DeleteSecret",
  "RestoreSecret",
]);
/** Writes that take something away from the secret's readers. */
export const DESTRUCTIVE_OPERATIONS: ReadonlySet<string> = new Set(["PutResourcePolicy", "DeleteSecret"]);

/** Requests per second per family, per account and region. */
export const DOCUMENTED_QUOTAS: Readonly<Record<string, number>> = {
  tag: 50,
  "resource-policy": 50,
  delete: 50,
  restore: 50,
  describe: 40_000,
  list: 100,
};

/** The answer an injected fault gives: AWS's status and error type. */
export interface Fault {
  status: number;
  type: string;
}

export const THROTTLED: Fault = { status: 400, type: "ThrottlingException" };
export const INTERNAL: Fault = { status: 500, type: "InternalServiceError" };

export interface EmulatorOptions {
  /** Throttle each family at its quota times `quotaScale` (1 = the documented quotas). Off when undefined. */
  quotaScale?: number;
  /** Burst capacity of each bucket, in seconds of quota. Default 1 (AWS tolerates short bursts). */
  burstSeconds?: number;
  /** Picks a fault for a call (after the quota check); undefined lets it through. */
  fault?: (service: string, operation: string) => Fault | undefined;
  /** Config rules and their evaluation results, as GetComplianceDetailsByConfigRule returns them. */
  compliance?: Map<string, unknown[]>;
  /** The buckets' clock in milliseconds (default performance.now); a frozen one makes refills deterministic. */
  clock?: () => number;
}

interface Bucket {
  rate: number;
  capacity: number;
  tokens: number;
  at: number;
}

export interface CallCount {
  calls: number;
  throttled: number;
  faulted: number;
}

/** A fault picker that fails `rate` of the calls to the given services, half throttled and half 5xx. */
export function faultsAt(rate: number, services: string[], seed = 1): EmulatorOptions["fault"] {
  let state = seed >>> 0;
  const random = () => {
    // mulberry32: a small seeded generator, so a failing run can be replayed.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (service) => {
    if (!services.includes(service)) return undefined;
    const r = random();
    if (r >= rate) return undefined;
    return r < rate / 2 ? THROTTLED : INTERNAL;
  };
}

function epochSeconds(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

const DATE_FIELDS = [
  "LastRotatedDate",
  "LastChangedDate",
  "LastAccessedDate",
  "DeletedDate",
  "NextRotationDate",
  "CreatedDate",
];

/** A list-secrets entry as the wire carries it: timestamps as epoch seconds. */
function wireEntry(entry: Record<string, unknown>): Record<string, unknown> {
  const out = { ...entry };
  for (const field of DATE_FIELDS) if (field in out) out[field] = epochSeconds(out[field]);
  return out;
}

class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The AWS error an adapter error stands for ("Op: Code: message" from the LocalAccount). */
function awsErrorOf(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  if (error instanceof SecretNotFoundError)
    return new AwsError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
  if (error instanceof AdapterError) {
    const m = /^[A-Za-z]+: ([A-Za-z]+): (.*)$/.exec(error.message);
    return new AwsError(400, m?.[1] ?? "InvalidRequestException", m?.[2] ?? error.message);
  }
  return new AwsError(500, "InternalServiceError", (error as Error).message);
}

export class AwsEmulator {
  readonly counts = new Map<string, CallCount>();
  /** Every audit event PutEvents took, in order. */
  readonly events: unknown[] = [];
  private readonly buckets = new Map<string, Bucket>();
  private readonly server: Server;
  private port = 0;

  private constructor(
    readonly account: LocalAccount,
    private readonly options: EmulatorOptions,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    // Keep-alive connections from the SDK must not hold the server open at close.
    this.server.keepAliveTimeout = 1000;
  }

  static async start(account: LocalAccount, options: EmulatorOptions = {}): Promise<AwsEmulator> {
    const emulator = new AwsEmulator(account, options);
    await new Promise<void>((resolve) => emulator.server.listen(0, "127.0.0.1", resolve));
    emulator.port = (emulator.server.address() as AddressInfo).port;
    return emulator;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Changes the fault picker (e.g. to end an outage). */
  setFault(fault: EmulatorOptions["fault"]): void {
    this.options.fault = fault;
  }

  count(operation: string): CallCount {
    let count = this.counts.get(operation);
    if (!count) {
      count = { calls: 0, throttled: 0, faulted: 0 };
      this.counts.set(operation, count);
    }
    return count;
  }

  /** Calls answered (throttled and faulted ones included), over all operations or the ones named. */
  total(field: keyof CallCount = "calls", operations?: string[]): number {
    let sum = 0;
    for (const [operation, count] of this.counts)
      if (!operations || operations.includes(operation)) sum += count[field];
    return sum;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** True when the call may go now; takes its token. */
  private admit(family: string | undefined): boolean {
    const scale = this.options.quotaScale;
    if (scale === undefined || family === undefined) return true;
    const quota = DOCUMENTED_QUOTAS[family];
    if (quota === undefined) return true;
    const now = (this.options.clock ?? performance.now.bind(performance))();
    let bucket = this.buckets.get(family);
    if (!bucket) {
      const rate = quota * scale;
      const capacity = Math.max(1, rate * (this.options.burstSeconds ?? 1));
      bucket = { rate, capacity, tokens: capacity, at: now };
      this.buckets.set(family, bucket);
    }
    bucket.tokens = Math.min(bucket.capacity, bucket.tokens + ((now - bucket.at) * bucket.rate) / 1000);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const [prefix, operation = ""] = target.split(".");
    const service =
      prefix === "secretsmanager"
        ? "secretsmanager"
        : prefix === "StarlingDoveService"
          ? "config"
          : prefix === "AWSEvents"
            ? "events"
            : "unknown";
    const count = this.count(operation);
    count.calls++;
    const send = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, {
        "content-type": "application/x-amz-json-1.1",
        ...(type ? { "x-amzn-errortype": type } : {}),
      });
      res.end(JSON.stringify(body));
    };
    const fail = (error: AwsError) =>
      send(error.status, { __type: error.type, message: error.message }, error.type);
    if (service === "secretsmanager" && !this.admit(QUOTA_FAMILY[operation])) {
      count.throttled++;
      return fail(new AwsError(400, "ThrottlingException", "Rate exceeded"));
    }
    const fault = this.options.fault?.(service, operation);
    if (fault) {
      if (fault.type === "ThrottlingException") count.throttled++;
      count.faulted++;
      return fail(new AwsError(fault.status, fault.type, "injected fault"));
    }
    let input: Record<string, unknown>;
    try {
      input = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
    } catch {
      return fail(new AwsError(400, "SerializationException", "not JSON"));
    }
    try {
      const body =
        service === "secretsmanager"
          ? await this.secretsManager(operation, input)
          : service === "config"
            ? this.config(operation, input)
            : service === "events"
              ? this.putEvents(operation, input)
              : undefined;
      if (body === undefined) return fail(new AwsError(400, "UnknownOperationException", target));
      send(200, body);
    } catch (error) {
      fail(awsErrorOf(error));
    }
  }

  private async secretsManager(operation: string, input: Record<string, unknown>): Promise<unknown> {
    const account = this.account;
    const id = String(input.SecretId ?? "");
    switch (operation) {
      case "DescribeSecret": {
        const secret = await account.describe(id);
        if (!secret) throw new SecretNotFoundError(id);
        return wireEntry(toListSecretsEntry(secret));
      }
      case "ListSecrets":
        return this.listSecrets(input);
      case "TagResource":
        await account.tag(
          id,
          Object.fromEntries((input.Tags as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value])),
        );
        return {};
      case "UntagResource":
        await account.untag(id, input.TagKeys as string[]);
        return {};
      case "GetResourcePolicy": {
        const policy = await account.getResourcePolicy(id);
        const secret = await this.describeQuietly(id);
        return { ARN: secret?.arn, Name: secret?.name, ...(policy ? { ResourcePolicy: policy } : {}) };
      }
      case "PutResourcePolicy":
        if (input.BlockPublicPolicy !== true)
          throw new AwsError(400, "InvalidParameterException", "the emulator expects BlockPublicPolicy");
        await account.putResourcePolicy(id, String(input.ResourcePolicy));
        return { ARN: id };
      case "DeleteResourcePolicy":
        await account.deleteResourcePolicy(id);
        return { ARN: id };
      case "DeleteSecret": {
        if (input.ForceDeleteWithoutRecovery)
          throw new AwsError(400, "InvalidParameterException", "the governor never force-deletes");
        if ((await this.describeQuietly(id))?.deletedDate)
          throw new AwsError(
            400,
            "InvalidRequestException",
            "You tried to perform the operation on a secret that's currently marked deleted.",
          );
        const { deletionDate } = await account.scheduleDeletion(id, Number(input.RecoveryWindowInDays ?? 30));
        return { ARN: id, DeletionDate: deletionDate ? deletionDate.getTime() / 1000 : undefined };
      }
      case "RestoreSecret":
        await account.restore(id);
        return { ARN: id };
      default:
        return undefined;
    }
  }

  /** The secret without logging a call in the account (an answer's ARN and Name, not a request of its own). */
  private async describeQuietly(id: string) {
    const before = this.account.calls.length;
    const secret = await this.account.describe(id);
    this.account.calls.length = before;
    return secret;
  }

  private listSecrets(input: Record<string, unknown>): unknown {
    const size = Math.min(100, Math.max(1, Number(input.MaxResults ?? 100)));
    const { secrets, next } = this.account.listPage(input.NextToken ? Number(input.NextToken) : 0, size);
    const entries = secrets
      .filter((secret) => input.IncludePlannedDeletion || !secret.deletedDate)
      .map((secret) => wireEntry(toListSecretsEntry(secret)));
    return { SecretList: entries, ...(next !== undefined ? { NextToken: String(next) } : {}) };
  }

  private config(operation: string, input: Record<string, unknown>): unknown {
    const rules = this.options.compliance ?? new Map<string, unknown[]>();
    if (operation === "DescribeConfigRules")
      return {
        ConfigRules: [...rules.keys()].map((name) => ({
          ConfigRuleName: name,
          ConfigRuleState: "ACTIVE",
          Source: { Owner: "AWS", SourceIdentifier: name.toUpperCase().replaceAll("-", "_") },
        })),
      };
    if (operation === "GetComplianceDetailsByConfigRule") {
      const name = String(input.ConfigRuleName);
      const results = rules.get(name);
      if (!results) throw new AwsError(400, "NoSuchConfigRuleException", `no rule ${name}`);
      const types = (input.ComplianceTypes as string[] | undefined) ?? [];
      const matching = results.filter(
        (r) => types.length === 0 || types.includes((r as { ComplianceType: string }).ComplianceType),
      );
      const limit = Math.min(100, Number(input.Limit ?? 100));
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const next = start + limit < matching.length ? String(start + limit) : undefined;
      return {
        EvaluationResults: matching.slice(start, start + limit).map(wireEvaluation),
        ...(next ? { NextToken: next } : {}),
      };
    }
    return undefined;
  }

  private putEvents(operation: string, input: Record<string, unknown>): unknown {
    if (operation !== "PutEvents") return undefined;
    const entries = (input.Entries as unknown[]) ?? [];
    this.events.push(...entries);
    return {
      FailedEntryCount: 0,
      Entries: entries.map((_, i) => ({ EventId: `emulated-${this.events.length + i}` })),
    };
  }
}

/** An evaluation result on the wire: its timestamps as epoch seconds. */
function wireEvaluation(result: unknown): unknown {
  const r = result as Record<string, unknown> & {
    EvaluationResultIdentifier?: Record<string, unknown>;
  };
  const id = r.EvaluationResultIdentifier ?? {};
  return {
    ...r,
    EvaluationResultIdentifier: { ...id, OrderingTimestamp: epochSeconds(id.OrderingTimestamp) },
    ResultRecordedTime: epochSeconds(r.ResultRecordedTime),
    ConfigRuleInvokedTime: epochSeconds(r.ConfigRuleInvokedTime),
  };
}

/** One Config evaluation result for a secret, in the shape GetComplianceDetailsByConfigRule returns. */
export function evaluationResult(
  rule: string,
  resourceId: string,
  compliance: "COMPLIANT" | "NON_COMPLIANT",
  at: Date,
): Record<string, unknown> {
  const time = at.toISOString();
  return {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: {
        ConfigRuleName: rule,
        ResourceType: "AWS::SecretsManager::Secret",
        ResourceId: resourceId,
        EvaluationMode: "DETECTIVE",
      },
      OrderingTimestamp: time,
    },
    ComplianceType: compliance,
    ResultRecordedTime: time,
    ConfigRuleInvokedTime: time,
  };
}
