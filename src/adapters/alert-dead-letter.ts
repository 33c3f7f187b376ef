import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
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

/** Kept alerts in an SQS queue (the deployment's alerts dead-letter queue); an alarm watches its depth. */
export class SqsAlertDeadLetter implements AlertDeadLetter {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async put(failed: FailedDelivery[]): Promise<void> {
    for (let i = 0; i < failed.length; i += 10) {
      const batch = failed.slice(i, i + 10);
      try {
        const result = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((alert, n) => ({ Id: String(n), MessageBody: JSON.stringify(alert) })),
          }),
        );
        if (result.Failed && result.Failed.length > 0)
          throw new Error(
            `${result.Failed.length} alerts not kept: ${result.Failed.map((f) => f.Code).join(", ")}`,
          );
      } catch (error) {
        throw toAdapterError("SendMessageBatch", error);
      }
    }
  }

  async take(max: number): Promise<KeptAlert[]> {
    const kept: KeptAlert[] = [];
    while (kept.length < max) {
      let messages: { Body?: string; ReceiptHandle?: string }[];
      try {
        const result = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: Math.min(10, max - kept.length),
            VisibilityTimeout: 120,
            WaitTimeSeconds: 0,
          }),
        );
        messages = result.Messages ?? [];
      } catch (error) {
        throw toAdapterError("ReceiveMessage", error);
      }
      if (messages.length === 0) break;
      for (const message of messages) {
        const receipt = message.ReceiptHandle as string;
        kept.push({
          alert: JSON.parse(message.Body ?? "{}") as FailedDelivery,
          ack: async () => {
            await this.client.send(
              new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }),
            );
          },
        });
      }
    }
    return kept;
  }
}
