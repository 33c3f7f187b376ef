import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { AdapterError } from "../errors.js";
import type { AlertDeadLetter, FailedDelivery, KeptAlert } from "../ports.js";
import { toAdapterError } from "./aws-clients.js";

/**
 * Kept alerts in memory: the local account and tests. `take` hands each back as JSON, as the queue does, so what
 * is re-sent goes through the same check.
 */
export class MemoryAlertDeadLetter implements AlertDeadLetter {
  readonly kept: FailedDelivery[] = [];

  async put(failed: FailedDelivery[]): Promise<void> {
    this.kept.push(...failed);
  }

  async take(max: number): Promise<KeptAlert[]> {
    return this.kept.slice(0, max).map((alert) => ({
      body: JSON.stringify(alert),
      ack: async () => {
        const index = this.kept.indexOf(alert);
        if (index >= 0) this.kept.splice(index, 1);
      },
    }));
  }
}

/**
 * Some alerts were not stored; `notKept` holds them whole (the others were), so the caller can log exactly
 * those. Retryable: SQS refusing or failing is not the alert's fault.
 */
export class AlertsNotKeptError extends AdapterError {
  constructor(
    message: string,
    readonly notKept: FailedDelivery[],
    options?: { cause?: unknown },
  ) {
    super(message, "SendMessageBatch", true, options);
  }
}

/** SendMessageBatch takes at most 10 entries and 256 KiB in all; alerts with non-Latin text weigh more than their length. */
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 240 * 1024;
/** The sweep, the one re-sender, runs for at most 900 s: a message taken stays hidden for the whole invocation. */
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 900;
export interface SqsAlertDeadLetterOptions {
  /**
   * How long a taken alert stays hidden from other readers (default 900 s, the sweep's timeout), so that one
   * that is still being re-sent (Retry-After waits included) never reappears and is sent twice.
   */
  visibilityTimeoutSeconds?: number;
}

/** Kept alerts in an SQS queue (the deployment's alerts dead-letter queue); an alarm watches its depth. */
export class SqsAlertDeadLetter implements AlertDeadLetter {
  private readonly visibilityTimeoutSeconds: number;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    options: SqsAlertDeadLetterOptions = {},
  ) {
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
  }

  /** Stores every alert it can; throws AlertsNotKeptError naming exactly those it could not store. */
  async put(failed: FailedDelivery[]): Promise<void> {
    const notKept: FailedDelivery[] = [];
    const reasons = new Set<string>();
    let cause: unknown;
    for (const batch of batches(failed)) {
      try {
        const result = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map(({ entry }) => entry),
          }),
        );
        for (const refused of result.Failed ?? []) {
          const alert = batch.find(({ entry }) => entry.Id === refused.Id)?.alert;
          if (alert) notKept.push(alert);
          reasons.add(refused.Code ?? "refused");
        }
      } catch (error) {
        // A batch that failed whole; the next batches are still tried.
        notKept.push(...batch.map(({ alert }) => alert));
        reasons.add(toAdapterError("SendMessageBatch", error).message);
        cause = error;
      }
    }
    if (notKept.length > 0)
      throw new AlertsNotKeptError(
        `${notKept.length} of ${failed.length} alerts not kept: ${[...reasons].join("; ")}`,
        notKept,
        cause === undefined ? undefined : { cause },
      );
  }

  /**
   * Up to `max` kept alerts, each body as SQS holds it: this adapter does not judge them (the sweep does, and
   * acks what it refuses). Each alert taken stays hidden for the visibility timeout, until acked.
   */
  async take(max: number): Promise<KeptAlert[]> {
    const kept: KeptAlert[] = [];
    // Bounded even when receives keep coming back short.
    let receives = Math.ceil(max / BATCH_ENTRIES) * 3;
    while (kept.length < max && receives-- > 0) {
      let messages: { Body?: string; ReceiptHandle?: string; MessageId?: string }[];
      try {
        const result = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: Math.min(BATCH_ENTRIES, max - kept.length),
            VisibilityTimeout: this.visibilityTimeoutSeconds,
            WaitTimeSeconds: 0,
          }),
        );
        messages = result.Messages ?? [];
      } catch (error) {
        throw toAdapterError("ReceiveMessage", error);
      }
      if (messages.length === 0) break;
      for (const message of messages) {
        const receipt = message.ReceiptHandle;
        if (receipt === undefined) continue;
        kept.push({
          body: message.Body ?? "",
          ...(message.MessageId ? { id: message.MessageId } : {}),
          ack: () => this.delete(receipt),
        });
      }
    }
    return kept;
  }

  private async delete(receipt: string): Promise<void> {
    try {
      await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }));
    } catch (error) {
      throw toAdapterError("DeleteMessage", error);
    }
  }
}

/** Alerts as SendMessageBatch entries, in batches within its count and size limits. */
function batches(
  failed: FailedDelivery[],
): { alert: FailedDelivery; entry: SendMessageBatchRequestEntry }[][] {
  const out: { alert: FailedDelivery; entry: SendMessageBatchRequestEntry }[][] = [];
  let current: { alert: FailedDelivery; entry: SendMessageBatchRequestEntry }[] = [];
  let bytes = 0;
  for (const alert of failed) {
    const body = JSON.stringify(alert);
    const size = Buffer.byteLength(body, "utf8");
    if (current.length > 0 && (current.length >= BATCH_ENTRIES || bytes + size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ alert, entry: { Id: String(current.length), MessageBody: body } });
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
