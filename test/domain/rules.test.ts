import { describe, expect, it } from "vitest";
import { matchesPattern, validatePattern } from "../../src/domain/event-pattern.js";
import { matchRule, RULES } from "../../src/domain/rules.js";
import { listFixtureFiles, loadFixtures, readJson, readManifest } from "../fixtures/events/fixtures.js";

const fixtures = loadFixtures();
const ruleNames = RULES.map((r) => r.name);

describe("RULES", () => {
  it("loads the three rules of rules/", () => {
    expect(ruleNames).toEqual(["config-compliance", "access-failure", "rotation-failure"]);
  });

  it.each(RULES.map((r) => [r.name, r] as const))("%s is a valid EventBridge pattern", (_name, rule) => {
    expect(validatePattern(rule.pattern)).toEqual([]);
    // EventBridge's limit on a pattern's size (TestEventPattern / PutRule).
    expect(JSON.stringify(rule.pattern).length).toBeLessThanOrEqual(4096);
  });
});

describe("fixtures", () => {
  it("every fixture file is in the manifest and every manifest entry has a file", () => {
    expect(Object.keys(readManifest()).sort()).toEqual(listFixtureFiles());
  });

  it("every must-not-match fixture built here is marked _NEG, and no _NEG fixture has a rule", () => {
    for (const f of fixtures.filter((x) => x.file.startsWith("documented/")))
      expect(f.file.endsWith("_NEG.json"), f.file).toBe(f.rule === null);
  });

  it("agrees with shared EXPECTED.json", () => {
    const expected = readJson("EXPECTED.json") as Record<string, { rule: string; finding: string }>;
    for (const [file, want] of Object.entries(expected)) {
      const fixture = fixtures.find((f) => f.file === file);
      expect(fixture, file).toBeDefined();
      expect(fixture?.rule).toBe(want.rule);
      expect(fixture?.findings?.map((x) => x.type)).toEqual([want.finding]);
    }
  });

  it("every rule has fixtures that must match it", () => {
    for (const name of ruleNames)
      expect(
        fixtures.some((f) => f.rule === name),
        name,
      ).toBe(true);
  });
});

describe("matchRule", () => {
  it.each(
    fixtures.map((f) => [f.file, f.rule ?? "none", f] as const),
  )("%s -> %s", (_file, _rule, fixture) => {
    // Act: every rule on its own, and matchRule
    const matching = RULES.filter((rule) => matchesPattern(rule.pattern, fixture.event)).map((r) => r.name);
    // Assess: the expected rule and no other
    expect(matching).toEqual(fixture.rule ? [fixture.rule] : []);
    expect(matchRule(fixture.event)).toBe(fixture.rule);
  });

  it.each([
    ["a string", "x"],
    ["null", null],
    ["an array", []],
    ["an empty object", {}],
  ])("matches nothing for %s", (_name, event) => {
    expect(matchRule(event)).toBeNull();
  });
});
