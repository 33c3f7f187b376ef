import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matchesPattern, validatePattern } from "../../src/domain/event-pattern.js";
import { matchRule } from "../../src/domain/rules.js";
import { loadFixtures } from "../fixtures/events/fixtures.js";
import {
  actionEvent,
  actionOf,
  heartbeatEvent,
  heartbeatOf,
  summaryEvent,
  summaryOf,
} from "../helpers/org-events.js";

/** rules/org-events.json, the central stack's rule, as data: what it must match and what it must not. */
const pattern = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "rules", "org-events.json"), "utf8"),
);
const A = "111111111111";

describe("rules/org-events.json", () => {
  it("is a valid EventBridge pattern", () => {
    expect(validatePattern(pattern)).toEqual([]);
  });

  it.each([
    ["a summary", summaryEvent(summaryOf(A, "eu-west-1"))],
    ["a heartbeat", heartbeatEvent(heartbeatOf(A, "eu-west-1"))],
    ["an action", actionEvent(actionOf(A, "eu-west-1"), A, "eu-west-1")],
  ])("matches %s, which no member rule matches", (_, event) => {
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchRule(event)).toBeNull();
  });

  it.each([
    ["another source", summaryEvent(summaryOf(A, "eu-west-1"), { source: "aws.secretsmanager" })],
    [
      "another detail-type",
      summaryEvent(summaryOf(A, "eu-west-1"), { "detail-type": "Secrets Governor Report" }),
    ],
  ])("does not match %s", (_, event) => {
    expect(matchesPattern(pattern, event)).toBe(false);
  });

  it("matches none of the AWS event fixtures", () => {
    for (const f of loadFixtures()) expect(matchesPattern(pattern, f.event), f.file).toBe(false);
  });
});
