import { describe, expect, it } from "vitest";
import {
  batchResponse,
  DEADLINE_MARGIN_MS,
  deadlineOf,
  toBatchRecords,
} from "../../src/app/lambda-events.js";

describe("lambda events", () => {
  it("turns an SQS batch into records keyed by message id", () => {
    const event = {
      Records: [
        { messageId: "m1", body: "{}" },
        { messageId: "m2", body: "[]" },
      ],
    };
    expect(toBatchRecords(event)).toEqual([
      { id: "m1", body: "{}" },
      { id: "m2", body: "[]" },
    ]);
    expect(batchResponse(event, ["m2"])).toEqual({ batchItemFailures: [{ itemIdentifier: "m2" }] });
  });

  it("takes a direct EventBridge invocation as one record, and fails it by throwing", () => {
    const event = { id: "ev-1", source: "aws.config" };
    expect(toBatchRecords(event)).toEqual([{ id: "ev-1", body: event }]);
    expect(batchResponse(event, [])).toEqual({ batchItemFailures: [] });
    expect(() => batchResponse(event, ["ev-1"])).toThrow(/ev-1 failed/);
  });
});

describe("deadlineOf", () => {
  it("keeps a margin before the end of the invocation", () => {
    expect(deadlineOf({ getRemainingTimeInMillis: () => 60_000 }, 1_000)).toBe(
      1_000 + 60_000 - DEADLINE_MARGIN_MS,
    );
  });

  it.each([undefined, {}])("has no deadline outside Lambda (%j)", (context) => {
    expect(deadlineOf(context, 1_000)).toBeUndefined();
  });
});
