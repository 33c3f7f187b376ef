import type { BatchRecord } from "./handle-batch.js";

/** An SQS batch as Lambda delivers it (the body is the EventBridge event), or an EventBridge event itself. */
export interface SqsBatchEvent {
  Records: { messageId: string; body: string }[];
}

export function isSqsBatch(event: unknown): event is SqsBatchEvent {
  return (
    typeof event === "object" && event !== null && Array.isArray((event as { Records?: unknown }).Records)
  );
}

/** The records of an invocation, whichever way it came. */
export function toBatchRecords(event: unknown): BatchRecord[] {
  if (isSqsBatch(event)) return event.Records.map((r) => ({ id: r.messageId, body: r.body }));
  const id = (event as { id?: unknown } | null)?.id;
  return [{ id: typeof id === "string" ? id : "direct-invocation", body: event }];
}

/** ReportBatchItemFailures response for SQS; a direct invocation fails by throwing instead. */
export function batchResponse(
  event: unknown,
  failedIds: string[],
): { batchItemFailures: { itemIdentifier: string }[] } {
  if (!isSqsBatch(event) && failedIds.length > 0)
    throw new Error(`event ${failedIds.join(", ")} failed; EventBridge retries it`);
  return { batchItemFailures: failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The part of Lambda's context the handlers use. */
export interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

/** Time kept back at the end of an invocation for keeping undelivered alerts and writing the last logs. */
export const DEADLINE_MARGIN_MS = 10_000;

/** When this invocation's Slack deliveries must give up (epoch ms), or undefined outside Lambda. */
export function deadlineOf(context: LambdaContext | undefined, now: number = Date.now()): number | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  return remaining === undefined ? undefined : now + remaining - DEADLINE_MARGIN_MS;
}
