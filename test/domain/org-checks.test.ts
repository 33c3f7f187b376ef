import { describe, expect, it } from "vitest";
import { checkOrgEvent, MAX_ORG_EVENT_BYTES, orgOrder } from "../../src/domain/org-checks.js";
import {
  actionEvent,
  actionOf,
  heartbeatEvent,
  heartbeatOf,
  secretArnOf,
  summaryEvent,
  summaryOf,
} from "../helpers/org-events.js";

const A = "111111111111";
const B = "222222222222";
const now = new Date("2026-11-23T07:00:00Z");
const check = (event: unknown) => checkOrgEvent(JSON.stringify(event), now);

describe("checkOrgEvent accepts", () => {
  it("a summary, keyed by its envelope's account and region, ordered by its sweep time", () => {
    const event = summaryEvent(summaryOf(A, "eu-west-1"));
    const result = check(event);
    expect(result).toMatchObject({
      ok: true,
      event: { kind: "summary", key: { accountId: A, region: "eu-west-1" }, id: event.id },
    });
    if (result.ok) expect(result.event.order).toBe(orgOrder("2026-11-23T06:00:00.000Z", String(event.id)));
  });

  it("a heartbeat and an action of the sender's own secret", () => {
    expect(check(heartbeatEvent(heartbeatOf(A, "us-east-1")))).toMatchObject({
      ok: true,
      event: { kind: "heartbeat" },
    });
    expect(check(actionEvent(actionOf(A, "us-east-1"), A, "us-east-1"))).toMatchObject({
      ok: true,
      event: { kind: "action", key: { accountId: A, region: "us-east-1" } },
    });
  });
});

describe("checkOrgEvent refuses", () => {
  const foreignDeletion = summaryOf(A, "eu-west-1", {
    deletionsDue: [
      { arn: secretArnOf(B, "eu-west-1", "theirs"), name: "theirs", team: "x", on: "2026-11-25T00:00:00Z" },
    ],
    deletionsDueTotal: 1,
  });
  const otherRegionDeletion = summaryOf(A, "eu-west-1", {
    deletionsDue: [
      { arn: secretArnOf(A, "us-east-1", "x"), name: "x", team: "x", on: "2026-11-25T00:00:00Z" },
    ],
    deletionsDueTotal: 1,
  });
  it.each([
    [
      "a summary naming another account than its sender",
      summaryEvent(summaryOf(B, "eu-west-1"), { account: A }),
      "account-mismatch",
    ],
    [
      "a summary naming another region than its event",
      summaryEvent(summaryOf(A, "us-east-1"), { region: "eu-west-1" }),
      "region-mismatch",
    ],
    [
      "a heartbeat for another account",
      heartbeatEvent(heartbeatOf(B, "eu-west-1"), { account: A }),
      "account-mismatch",
    ],
    [
      "an action on another account's secret",
      actionEvent(actionOf(B, "eu-west-1"), A, "eu-west-1"),
      "account-mismatch",
    ],
    [
      "an action on a secret of another region",
      actionEvent(actionOf(A, "us-east-1"), A, "eu-west-1"),
      "region-mismatch",
    ],
    [
      "an action whose resources name another account",
      actionEvent(actionOf(A, "eu-west-1"), A, "eu-west-1", {
        resources: [secretArnOf(B, "eu-west-1", "x")],
      }),
      "account-mismatch",
    ],
    ["a deletion due in another account", summaryEvent(foreignDeletion), "account-mismatch"],
    ["a deletion due in another region", summaryEvent(otherRegionDeletion), "region-mismatch"],
    [
      "another source",
      summaryEvent(summaryOf(A, "eu-west-1"), { source: "aws.secretsmanager" }),
      "unknown-source",
    ],
    [
      "another detail-type",
      summaryEvent(summaryOf(A, "eu-west-1"), { "detail-type": "Secrets Governor Sumary" }),
      "unknown-detail-type",
    ],
    [
      "a malformed detail",
      summaryEvent(summaryOf(A, "eu-west-1"), { detail: { schema: 1, accountId: A } }),
      "schema",
    ],
    ["an unknown detail field", summaryEvent({ ...summaryOf(A, "eu-west-1"), extra: 1 } as never), "schema"],
    ["a negative cost", summaryEvent({ ...summaryOf(A, "eu-west-1"), monthlyCostUsd: -1 }), "schema"],
    ["another schema version", summaryEvent({ ...summaryOf(A, "eu-west-1"), schema: 2 } as never), "schema"],
    ["a bad envelope account", summaryEvent(summaryOf(A, "eu-west-1"), { account: "1111" }), "envelope"],
    [
      "a time an hour ahead",
      heartbeatEvent(heartbeatOf(A, "eu-west-1", { time: "2026-11-23T08:00:00Z" })),
      "future-time",
    ],
  ])("%s", (_, event, reason) => {
    expect(check(event)).toMatchObject({ ok: false, reason });
  });

  it("a body over EventBridge's 256 KB without parsing it", () => {
    const body = JSON.stringify({
      ...summaryEvent(summaryOf(A, "eu-west-1")),
      pad: "x".repeat(MAX_ORG_EVENT_BYTES),
    });
    expect(checkOrgEvent(body, now)).toMatchObject({ ok: false, reason: "oversized" });
    // Measured in UTF-8 bytes: 100,000 three-byte characters are 300,000 bytes.
    expect(checkOrgEvent(`"${"€".repeat(100_000)}"`, now)).toMatchObject({ ok: false, reason: "oversized" });
  });

  it.each([
    ["not JSON", "{"],
    ["an array", "[]"],
    ["null", "null"],
  ])("%s", (_, body) => {
    expect(checkOrgEvent(body, now).ok).toBe(false);
  });

  it("names the sender's id and account on a refusal, for the log", () => {
    const event = summaryEvent(summaryOf(B, "eu-west-1"), { account: A });
    expect(check(event)).toMatchObject({ ok: false, id: event.id, accountId: A });
  });
});

describe("orgOrder", () => {
  it("orders by time whatever the offset notation, then by id", () => {
    expect(orgOrder("2026-11-23T07:00:00+01:00", "b") < orgOrder("2026-11-23T06:30:00Z", "a")).toBe(true);
    expect(orgOrder("2026-11-23T06:30:00Z", "a") < orgOrder("2026-11-23T06:30:00.000Z", "b")).toBe(true);
  });
});
