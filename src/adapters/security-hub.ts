import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { ASFF_LIMITS, type AsffFinding, AsffFindingSchema } from "../domain/asff.js";
import type { FindingsImportResult, SecurityFindings } from "../ports.js";
import { type AwsClientOptions, awsErrorName, clientConfig, isRetryableAwsError } from "./aws-clients.js";

/**
 * BatchImportFindings, as AWS documents it (Security Hub partner guide, "Guidelines for using the
 * BatchImportFindings API"): at most 100 findings, 240 KB per finding and 6 MB per request; a rate limit of 10
 * requests per second per account and region, with bursts of 30; a provider must keep its findings' state itself
 * to survive throttling and to update findings as they move in and out of compliance (src/adapters/
 * reported-findings.ts). A finding refused in a 200 answer comes back in FailedFindings (Id, ErrorCode,
 * ErrorMessage). The API's errors (API reference, BatchImportFindings): InternalException, InvalidAccessException
 * (Security Hub not enabled, or no permission), InvalidInputException, LimitExceededException ("beyond the current
 * AWS account or throttling limits"); the SDK's ThrottlingException besides.
 */
export const SECURITY_HUB_RATE_PER_SECOND = 10;

/** The log line of resolved findings whose Workflow could not be set to RESOLVED (their Compliance is PASSED). */
export const WORKFLOW_NOT_RESOLVED = "security hub workflow not resolved";

/**
 * Security Hub's client: standard retries, one attempt fewer, since src/adapters/security-hub.ts paces and backs
 * off itself (and retries FailedFindings, which the SDK cannot see).
 */
export function makeSecurityHubClient(options: AwsClientOptions): SecurityHubClient {
  return new SecurityHubClient({ ...clientConfig(options), maxAttempts: options.maxAttempts ?? 3 });
}

/**
 * The adapter as the functions and the CLI use it: resolved findings whose Workflow could not be set are logged
 * as one warning (WORKFLOW_NOT_RESOLVED, the first 20 named).
 */
export function makeSecurityHubFindings(
  options: AwsClientOptions,
  log: { warn(message: string, extra: Record<string, unknown>): void },
): SecurityHubFindings {
  return new SecurityHubFindings(makeSecurityHubClient(options), {
    onWorkflowNotResolved: (failed) =>
      log.warn(WORKFLOW_NOT_RESOLVED, { workflowNotResolved: failed.length, findings: failed.slice(0, 20) }),
  });
}

/** Bytes per request, below the documented 6 MB so the JSON envelope always fits. */
const BATCH_BYTES = 5 * 1024 * 1024;

export interface SecurityHubOptions {
  /** Share of the 10 requests/s the governor takes (other integrations share the quota). Default 0.5. */
  share?: number;
  /** Attempts per finding, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff base and cap in milliseconds (full jitter). Defaults 200 and 5,000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Monotonic milliseconds. Default performance.now. */
  clock?: () => number;
  /**
   * Told of resolved findings whose Workflow stayed as it was (BatchUpdateFindings refused or failed after every
   * retry). Their Compliance is PASSED all the same: the import took them, so nothing is lost or counted failed.
   */
  onWorkflowNotResolved?: (failed: { id: string; code: string; message: string }[]) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Throttled, or a fault on AWS's side: worth another try after a pause. Access and input are not. */
function isRetryable(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === "LimitExceededException" || name === "InternalException" || isRetryableAwsError(error);
}

/** Why a finding is not sent at all, in the shape of Security Hub's own FailedFindings. */
export interface Refused {
  finding: AsffFinding;
  code: string;
  message: string;
}

/**
 * Findings in requests of at most 100 and ~5 MB. A finding over 240 KB, or one that does not fit ASFF's required
 * fields and bounds (AsffFindingSchema), is refused here, not sent: Security Hub would refuse it anyway.
 */
export function batchesOf(findings: readonly AsffFinding[]): {
  batches: AsffFinding[][];
  refused: Refused[];
} {
  const batches: AsffFinding[][] = [];
  const refused: Refused[] = [];
  let current: AsffFinding[] = [];
  let bytes = 0;
  for (const finding of findings) {
    const size = Buffer.byteLength(JSON.stringify(finding));
    if (size > ASFF_LIMITS.findingBytes) {
      refused.push({ finding, code: "FindingTooLarge", message: "the finding is over 240 KB" });
      continue;
    }
    const checked = AsffFindingSchema.safeParse(finding);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      refused.push({
        finding,
        code: "InvalidAsff",
        message: `${issue?.path.join(".") ?? ""}: ${issue?.message ?? "not ASFF"}`,
      });
      continue;
    }
    if (current.length === ASFF_LIMITS.batch || bytes + size > BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(finding);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return { batches, refused };
}

/**
 * Security Hub over the AWS SDK. Requests are spaced to a share of the rate limit; a throttled or failed request
 * and each finding in FailedFindings are retried with exponential backoff and full jitter; what still fails after
 * `maxAttempts` is returned in `failed`, with its last error, never dropped silently.
 */
export class SecurityHubFindings implements SecurityFindings {
  private readonly interval: number;
  private readonly maxAttempts: number;
  private readonly baseDelay: number;
  private readonly maxDelay: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly clock: () => number;
  private readonly onWorkflowNotResolved: NonNullable<SecurityHubOptions["onWorkflowNotResolved"]>;
  private nextSlot = 0;

  constructor(
    private readonly client: SecurityHubClient,
    options: SecurityHubOptions = {},
  ) {
    const share = options.share ?? 0.5;
    if (!(share > 0 && share <= 1)) throw new RangeError(`share must be in (0, 1], got ${share}`);
    this.interval = 1000 / (SECURITY_HUB_RATE_PER_SECOND * share);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelay = options.baseDelayMs ?? 200;
    this.maxDelay = options.maxDelayMs ?? 5_000;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? (() => performance.now());
    this.onWorkflowNotResolved = options.onWorkflowNotResolved ?? (() => {});
  }

  async import(findings: AsffFinding[]): Promise<FindingsImportResult> {
    const result: FindingsImportResult = { imported: 0, failed: [] };
    const { batches, refused } = batchesOf(findings);
    for (const r of refused) result.failed.push({ id: r.finding.Id, code: r.code, message: r.message });
    for (const batch of batches) await this.importBatch(batch, result);
    const taken = new Set(batches.flat().map((f) => f.Id));
    for (const f of result.failed) taken.delete(f.id);
    const resolved = findings.filter((f) => f.Workflow?.Status === "RESOLVED" && taken.has(f.Id));
    const notResolved: FindingsImportResult["failed"] = [];
    for (let i = 0; i < resolved.length; i += ASFF_LIMITS.batch)
      await this.resolveWorkflow(resolved.slice(i, i + ASFF_LIMITS.batch), notResolved);
    if (notResolved.length > 0) this.onWorkflowNotResolved(notResolved);
    return result;
  }

  /**
   * BatchImportFindings sets Workflow only when it creates a finding; after that Workflow is the customer's, changed
   * with BatchUpdateFindings (user guide, "BatchImportFindings for finding providers" and "BatchUpdateFindings for
   * customers"; at most 100 findings a request, UnprocessedFindings for those it did not take). The governor runs in
   * the customer's own account, so it resolves the workflow of the findings it has just reported PASSED or
   * ARCHIVED; Security Hub itself puts it back to NEW if the finding fails again.
   */
  private async resolveWorkflow(findings: AsffFinding[], notResolved: FindingsImportResult["failed"]) {
    const left = await this.sendWithRetries(findings, async (pending) => {
      const out = await this.client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: pending.map((f) => ({ Id: f.Id, ProductArn: f.ProductArn })),
          Workflow: { Status: "RESOLVED" },
        }),
      );
      return (out.UnprocessedFindings ?? []).map((u) => ({
        id: u.FindingIdentifier?.Id,
        code: u.ErrorCode ?? "Unprocessed",
        message: u.ErrorMessage ?? "",
      }));
    });
    notResolved.push(...left);
  }

  private async importBatch(batch: AsffFinding[], result: FindingsImportResult): Promise<void> {
    const left = await this.sendWithRetries(batch, async (pending) => {
      const out = await this.client.send(
        new BatchImportFindingsCommand({ Findings: pending as unknown as AwsSecurityFinding[] }),
      );
      return (out.FailedFindings ?? []).map((f) => ({
        id: f.Id,
        code: f.ErrorCode ?? "Failed",
        message: f.ErrorMessage ?? "",
      }));
    });
    result.imported += batch.length - left.length;
    result.failed.push(...left);
  }

  /**
   * One request over `findings`, then again over those it refused (or all of them, when the request itself was
   * throttled or failed on AWS's side), with exponential backoff and full jitter, up to `maxAttempts`. Returns
   * what is still refused, each with its last error. A request refused for access or input fails the same way
   * every time: it is not retried.
   */
  private async sendWithRetries(
    findings: AsffFinding[],
    send: (pending: AsffFinding[]) => Promise<{ id: string | undefined; code: string; message: string }[]>,
  ): Promise<FindingsImportResult["failed"]> {
    let pending = findings;
    const lastError = new Map<string, { code: string; message: string }>();
    for (let attempt = 1; pending.length > 0; attempt++) {
      await this.pace();
      try {
        const refused = new Set<string>();
        for (const r of await send(pending)) {
          if (!r.id) continue;
          refused.add(r.id);
          lastError.set(r.id, { code: r.code, message: r.message });
        }
        pending = pending.filter((f) => refused.has(f.Id));
      } catch (error) {
        const code = awsErrorName(error);
        const message = (error as Error).message ?? String(error);
        for (const f of pending) lastError.set(f.Id, { code, message });
        if (!isRetryable(error)) break;
      }
      if (pending.length === 0 || attempt >= this.maxAttempts) break;
      const cap = Math.min(this.maxDelay, this.baseDelay * 2 ** (attempt - 1));
      await this.sleep(Math.floor(this.random() * cap));
    }
    return pending.map((f) => ({ id: f.Id, ...(lastError.get(f.Id) ?? { code: "Failed", message: "" }) }));
  }

  /** Spaces requests `interval` apart: the governor's share of the account's rate limit. */
  private async pace(): Promise<void> {
    const now = this.clock();
    const wait = this.nextSlot - now;
    this.nextSlot = Math.max(now, this.nextSlot) + this.interval;
    if (wait > 0) await this.sleep(wait);
  }
}

/**
 * Security Hub in memory, keeping findings by Id and replacing a finding on each import as Security Hub does,
 * refusing what the real adapter refuses before sending: the contract test's reference and the tests' Security Hub.
 */
export class MemorySecurityFindings implements SecurityFindings {
  readonly findings = new Map<string, AsffFinding>();
  /** Every request, as sent. */
  readonly requests: AsffFinding[][] = [];

  async import(findings: AsffFinding[]): Promise<FindingsImportResult> {
    const { batches, refused } = batchesOf(findings);
    for (const batch of batches) {
      this.requests.push(batch);
      for (const f of batch) this.findings.set(f.Id, structuredClone(f));
    }
    return {
      imported: findings.length - refused.length,
      failed: refused.map((r) => ({ id: r.finding.Id, code: r.code, message: r.message })),
    };
  }

  /** The findings held, as GetFindings would list them. */
  list(): AsffFinding[] {
    return [...this.findings.values()];
  }
}
