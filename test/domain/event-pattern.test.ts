import { describe, expect, it } from "vitest";
import { matchesPattern, validatePattern } from "../../src/domain/event-pattern.js";
import { OPERATOR_CASES } from "../fixtures/events/operator-cases.js";

const envelope = (detail: Record<string, unknown>) => ({
  version: "0",
  id: "00000000-0000-4000-8000-000000000000",
  "detail-type": "Operator Case",
  source: "governor.test",
  account: "123456789012",
  time: "2026-11-23T00:00:00Z",
  region: "us-east-1",
  resources: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf"],
  detail,
});

describe("matchesPattern", () => {
  it.each(OPERATOR_CASES.map((c) => [c.op, c.name, c] as const))("%s: %s", (_op, _name, c) => {
    // Prepare
    const pattern = { detail: c.pattern };
    // Act
    const matched = matchesPattern(pattern, envelope(c.detail));
    // Assess
    expect(matched).toBe(c.match);
  });

  it("covers every operator with a positive and a negative case", () => {
    const ops = new Set(OPERATOR_CASES.map((c) => c.op));
    for (const op of ops) {
      expect(
        OPERATOR_CASES.some((c) => c.op === op && c.match),
        `${op} positive`,
      ).toBe(true);
      expect(
        OPERATOR_CASES.some((c) => c.op === op && !c.match),
        `${op} negative`,
      ).toBe(true);
    }
    expect([...ops].sort()).toEqual(
      [
        "$or",
        "anything-but",
        "array",
        "cidr",
        "equals-ignore-case",
        "exact",
        "exists",
        "numeric",
        "prefix",
        "suffix",
        "wildcard",
      ].sort(),
    );
  });

  it.each([
    ["envelope field", { source: ["governor.test"] }, true],
    ["envelope array", { resources: [{ prefix: "arn:aws:secretsmanager:" }] }, true],
    ["top-level $or", { $or: [{ source: ["x"] }, { "detail-type": ["Operator Case"] }] }, true],
    ["empty pattern matches everything", {}, true],
  ])("%s", (_name, pattern, expected) => {
    expect(matchesPattern(pattern, envelope({ a: 1 }))).toBe(expected);
  });

  it.each([
    ["pattern not an object", ["x"]],
    ["pattern null", null],
    ["scalar leaf", { source: "governor.test" }],
    ["unknown operator", { source: [{ contains: "gov" }] }],
    ["two operators in one object", { source: [{ prefix: "gov", suffix: "test" }] }],
    ["bad numeric", { detail: { a: [{ numeric: [">", "0"] }] } }],
    ["bad anything-but", { detail: { a: [{ "anything-but": { contains: "x" } }] } }],
    ["bad wildcard escape", { source: [{ wildcard: "gov\\x" }] }],
  ])("a malformed pattern never matches: %s", (_name, pattern) => {
    expect(matchesPattern(pattern, envelope({ a: 1 }))).toBe(false);
  });

  it("matches nothing in an event that is not an object, except absence", () => {
    expect(matchesPattern({ source: ["x"] }, "x")).toBe(false);
    expect(matchesPattern({ source: [{ exists: false }] }, null)).toBe(true);
  });
});

describe("validatePattern", () => {
  it.each(OPERATOR_CASES.map((c) => [c.op, c.name, c] as const))("accepts %s: %s", (_op, _name, c) => {
    expect(validatePattern({ detail: c.pattern })).toEqual([]);
  });

  it.each([
    ["not an object", "x", "", "must be a JSON object"],
    ["an array", [], "", "must be a JSON object"],
    ["scalar leaf", { source: "aws.config" }, "source", "must be an array"],
    ["empty array", { source: [] }, "source", "empty arrays are not allowed"],
    ["unknown operator", { a: [{ contains: "x" }] }, "a[0].contains", 'unknown operator "contains"'],
    ["two operators", { a: [{ prefix: "x", suffix: "y" }] }, "a[0]", "exactly one operator"],
    ["matcher is an array", { a: [["x"]] }, "a[0]", "a matcher must be"],
    ["exists not boolean", { a: [{ exists: "yes" }] }, "a[0].exists", "true or false"],
    ["prefix number", { a: [{ prefix: 1 }] }, "a[0].prefix", "takes a string"],
    ["prefix bad object", { a: [{ prefix: { "ignore-case": "x" } }] }, "a[0].prefix", "equals-ignore-case"],
    [
      "equals-ignore-case list",
      { a: [{ "equals-ignore-case": ["x"] }] },
      "a[0].equals-ignore-case",
      "a string",
    ],
    ["wildcard double star", { a: [{ wildcard: "a**b" }] }, "a[0].wildcard", "consecutive wildcard"],
    ["wildcard bad escape", { a: [{ wildcard: "a\\b" }] }, "a[0].wildcard", "backslash"],
    ["numeric odd", { a: [{ numeric: [">", 1, "<"] }] }, "a[0].numeric", "pairs"],
    ["numeric comparator", { a: [{ numeric: ["!=", 1] }] }, "a[0].numeric", "unknown numeric comparator"],
    ["numeric string", { a: [{ numeric: [">", "1"] }] }, "a[0].numeric", "takes a number"],
    ["numeric range", { a: [{ numeric: [">", 5e9 + 1] }] }, "a[0].numeric", "-5.0e9 and 5.0e9"],
    ["numeric empty range", { a: [{ numeric: [">", 5, "<", 1] }] }, "a[0].numeric", "range is empty"],
    ["numeric two lower", { a: [{ numeric: [">", 1, ">=", 2] }] }, "a[0].numeric", "one lower bound"],
    ["numeric = combined", { a: [{ numeric: ["=", 1, "<", 2] }] }, "a[0].numeric", "cannot be combined"],
    ["cidr", { a: [{ cidr: "10.0.0.0/33" }] }, "a[0].cidr", "CIDR block"],
    ["anything-but mixed", { a: [{ "anything-but": ["x", 1] }] }, "a[0].anything-but", "not a mix"],
    ["anything-but empty", { a: [{ "anything-but": [] }] }, "a[0].anything-but", "non-empty"],
    ["anything-but null", { a: [{ "anything-but": null }] }, "a[0].anything-but", "anything-but takes"],
    [
      "anything-but unknown",
      { a: [{ "anything-but": { exists: true } }] },
      "a[0].anything-but.exists",
      "inside anything-but",
    ],
    [
      "anything-but wildcard",
      { a: [{ "anything-but": { wildcard: ["ok*", "x**"] } }] },
      "a[0].anything-but.wildcard[1]",
      "consecutive",
    ],
    ["$or one alternative", { $or: [{ a: ["x"] }] }, "$or", "at least two"],
    ["$or scalar alternative", { $or: [{ a: ["x"] }, "b"] }, "$or[1]", "must be an object"],
    ["nested problem", { detail: { b: { c: [] } } }, "detail.b.c", "empty arrays"],
  ])("rejects %s", (_name, pattern, path, message) => {
    // Act
    const problems = validatePattern(pattern);
    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe(path);
    expect(problems[0]?.message).toContain(message);
  });

  it("reports every problem, not only the first", () => {
    const problems = validatePattern({ a: [], b: "x", c: [{ nope: 1 }] });
    expect(problems.map((p) => p.path)).toEqual(["a", "b", "c[0].nope"]);
  });
});
