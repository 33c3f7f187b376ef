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
