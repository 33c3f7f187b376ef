import { describe, expect, it } from "vitest";
import { batchResponse, toBatchRecords } from "../../src/app/lambda-events.js";

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
