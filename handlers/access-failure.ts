import { type BatchDeps, handleBatch } from "../src/app/handle-batch.js";
import { batchResponse, deadlineOf, type LambdaContext, toBatchRecords } from "../src/app/lambda-events.js";
import { batchDeps } from "../src/composition/event-runtime.js";
import { parseEvent } from "../src/domain/events.js";

/** Lambda entry for rules/access-failure.json, fed through its SQS buffer queue. Tests call makeHandler with fakes. */
export function makeHandler(deps: (now: Date, deadline?: number) => BatchDeps) {
  return async (event: unknown, context?: LambdaContext) => {
    const result = await handleBatch(toBatchRecords(event), deps(new Date(), deadlineOf(context)));
    return batchResponse(event, result.failedIds);
  };
}

export const handler = makeHandler((now, deadline) => batchDeps("access-failure", now, parseEvent, deadline));
