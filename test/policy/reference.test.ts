import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { policyReferenceMarkdown } from "../../src/policy/reference.js";

describe("policy reference", () => {
  it("docs/policy-reference.md is the one generated from the schema (run: governor schema --markdown)", () => {
    const committed = readFileSync(new URL("../../docs/policy-reference.md", import.meta.url), "utf8");
    expect(committed).toBe(policyReferenceMarkdown());
  });

  it("documents every top-level key and the lifecycle stages", () => {
    const doc = policyReferenceMarkdown();
    for (const key of [
      "mode",
      "exempt.tags",
      "routing.default",
      "limits.perRun.count",
      "rules[].lifecycle.quarantine.afterDays",
    ])
      expect(doc).toContain(`\`${key}\``);
  });
});
