import { describe, expect, it } from "vitest";
import {
  arnAccountRegion,
  ORG_SCHEMA_VERSION,
  orgEnvelopeSchema,
  orgHeartbeatSchema,
  orgSummarySchema,
} from "../../src/domain/org-events.js";

const summary = {
  schema: ORG_SCHEMA_VERSION,
  accountId: "111122223333",
  region: "eu-west-1",
  mode: "report",
  sweptAt: "2026-11-23T06:02:10.512Z",
  secrets: 2,
  unused: 1,
  monthlyCostUsd: 0.8,
  unusedMonthlyCostUsd: 0.4,
  realisedMonthlySavingsUsd: 0,
  projectedMonthlySavingsUsd: 0.4,
  byStage: { flagged: 1, quarantined: 0, "deletion-scheduled": 0 },
  byTeam: [{ team: "payments", secrets: 2, unused: 1, unusedMonthlyCostUsd: 0.4 }],
  deletionsDue: [],
  deletionsDueTotal: 0,
};

describe("org events", () => {
  it("accepts a well-formed summary and refuses unknown or wrong fields", () => {
    expect(orgSummarySchema.safeParse(summary).success).toBe(true);
    expect(orgSummarySchema.safeParse({ ...summary, extra: 1 }).success).toBe(false);
    expect(orgSummarySchema.safeParse({ ...summary, schema: 2 }).success).toBe(false);
    expect(orgSummarySchema.safeParse({ ...summary, accountId: "1234" }).success).toBe(false);
    expect(orgSummarySchema.safeParse({ ...summary, unusedMonthlyCostUsd: -1 }).success).toBe(false);
  });

  it("refuses a heartbeat with no sweep interval", () => {
    const heartbeat = {
      schema: 1,
      accountId: "111122223333",
      region: "eu-west-1",
      mode: "enforce",
      time: "2026-11-23T06:02:10Z",
      sweepIntervalMinutes: 1440,
      sweepCompleted: true,
    };
    expect(orgHeartbeatSchema.safeParse(heartbeat).success).toBe(true);
    const { sweepIntervalMinutes: _, ...without } = heartbeat;
    expect(orgHeartbeatSchema.safeParse(without).success).toBe(false);
  });

  it("takes only the governor's source in the envelope", () => {
    const envelope = {
      version: "0",
      id: "e1",
      "detail-type": "Secrets Governor Summary",
      source: "secrets-governor",
      account: "111122223333",
      time: "2026-11-23T06:02:11Z",
      region: "eu-west-1",
      resources: [],
      detail: summary,
    };
    expect(orgEnvelopeSchema.safeParse(envelope).success).toBe(true);
    expect(orgEnvelopeSchema.safeParse({ ...envelope, source: "evil" }).success).toBe(false);
  });

  it("reads account and region out of a secret ARN, and nothing out of another ARN", () => {
    expect(arnAccountRegion("arn:aws:secretsmanager:eu-west-1:111122223333:secret:old-AbCdEf")).toEqual({
      accountId: "111122223333",
      region: "eu-west-1",
    });
    expect(arnAccountRegion("arn:aws:s3:::bucket")).toBeUndefined();
  });
});
