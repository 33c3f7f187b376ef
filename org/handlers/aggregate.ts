import { batchResponse, toBatchRecords } from "../../src/app/lambda-events.js";
import { aggregateOrgBatch, type OrgAggregateDeps } from "../../src/app/org-aggregate.js";
import { getOrgRuntime } from "../../src/composition/org-runtime.js";

/**
 * Lambda entry of the central queue (org/serverless.yml): member governors' events, checked and written to the
 * central table. Partial batch responses: only records whose write failed are retried; refused ones are
 * counted and dropped. Tests call makeHandler with fakes.
 */
export function makeHandler(deps: (now: Date) => OrgAggregateDeps) {
  return async (event: unknown) => {
    const result = await aggregateOrgBatch(toBatchRecords(event), deps(new Date()));
    const { failedIds, ...counts } = result;
    return { ...batchResponse(event, failedIds), counts };
  };
}

export const handler = makeHandler((now) => {
  const { store, log } = getOrgRuntime();
  return { store, log, now };
});
