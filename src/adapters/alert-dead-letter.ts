import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import * as z from "zod";
import { AdapterError } from "../errors.js";
import type { AlertDeadLetter, FailedDelivery, KeptAlert } from "../ports.js";
import { toAdapterError } from "./aws-clients.js";

/** Kept alerts in memory: the local account and tests. */
export class MemoryAlertDeadLetter implements AlertDeadLetter {
  readonly kept: FailedDelivery[] = [];

  async put(failed: FailedDelivery[]): Promise<void> {
    this.kept.push(...failed);
  }

  async take(max: number): Promise<KeptAlert[]> {
    return this.kept.slice(0, max).map((alert) => ({
      alert,
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

/** The log this adapter writes to (Powertools Logger in Lambda, the console locally). */
export interface DeadLetterLog {
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

const consoleLog: DeadLetterLog = {
  error: (message, extra) => console.error(JSON.stringify({ level: "ERROR", message, ...extra })),
};

/** What a kept alert's body must be: a FailedDelivery whose payload a webhook could take. */
const keptAlertSchema = z.object({
  route: z.string().min(1),
  reason: z.string(),
  retryable: z.boolean(),
  payload: z.looseObject({
    text: z.string(),
    blocks: z.array(z.looseObject({ type: z.string() })),
  }),
});

function parseKeptAlert(body: string | undefined): { alert: FailedDelivery } | { reason: string } {
  if (body === undefined) return { reason: "the message has no body" };
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { reason: "the body is not JSON" };
  }
  const parsed = keptAlertSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { reason: `the body is not a kept alert (${issue?.path.join(".") || "body"}: ${issue?.message})` };
  }
  return { alert: parsed.data as unknown as FailedDelivery };
}

/** SendMessageBatch takes at most 10 entries and 256 KiB in all; alerts with non-Latin text weigh more than their length. */
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 240 * 1024;
/** The sweep, the one re-sender, runs for at most 900 s: a message taken stays hidden for the whole invocation. */
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 900;
/** Part of an unreadable body logged: enough to recover an alert by hand, within a log event's size. */
const LOGGED_BODY_CHARS = 100_000;

export interface SqsAlertDeadLetterOptions {
  log?: DeadLetterLog;
  /**
   * How long a taken alert stays hidden from other readers (default 900 s, the sweep's timeout), so that one
   * that is still being re-sent (Retry-After waits included) never reappears and is sent twice.
   */
  visibilityTimeoutSeconds?: number;
}

/** Kept alerts in an SQS queue (the deployment's alerts dead-letter queue); an alarm watches its depth. */
export class SqsAlertDeadLetter implements AlertDeadLetter {
  private readonly log: DeadLetterLog;
  private readonly visibilityTimeoutSeconds: number;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    options: SqsAlertDeadLetterOptions = {},
  ) {
    this.log = options.log ?? consoleLog;
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
   * Up to `max` kept alerts. A body that is not a kept alert is logged and deleted, so it can never block the
   * others; each alert taken stays hidden for the visibility timeout, until acked.
   */
  async take(max: number): Promise<KeptAlert[]> {
    const kept: KeptAlert[] = [];
    // Bounded even when the queue holds nothing but unreadable bodies.
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
        const ack = () => this.delete(receipt);
        const parsed = parseKeptAlert(message.Body);
        if ("alert" in parsed) {
          kept.push({ alert: parsed.alert, ack });
          continue;
        }
        this.log.error("unreadable kept alert dropped", {
          messageId: message.MessageId,
          reason: parsed.reason,
          body: message.Body?.slice(0, LOGGED_BODY_CHARS),
        });
        try {
          await ack();
        } catch (error) {
          // It reappears after the visibility timeout and is dropped then.
          this.log.error("unreadable kept alert could not be deleted", {
            messageId: message.MessageId,
            error: (error as Error).message,
          });
        }
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
