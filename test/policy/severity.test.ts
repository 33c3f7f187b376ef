import { describe, expect, it } from "vitest";
import { PolicyValidationError } from "../../src/errors.js";
import { loadPolicy } from "../../src/policy/load.js";

function problemsOf(yaml: string): string[] {
  try {
    loadPolicy([{ path: "p.yml", text: yaml }]);
    return [];
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    return error.problems.map((p) => `${p.line}:${p.col} ${p.path ?? ""}: ${p.message}`);
  }
}

const rule = (finding: string, severity: string) => `
version: 1
rules:
  - name: r
    match: { finding: ${finding} }
    severity: ${severity}
    actions: [notify]
`;

describe("a rule's Security Hub severity", () => {
  it.each([
    "unused",
    "rotation-failed",
    "[access-denied, decryption-failure]",
  ])("is taken on a rule on %s", (finding) => {
    expect(problemsOf(rule(finding, "HIGH"))).toEqual([]);
    expect(loadPolicy([{ path: "p.yml", text: rule(finding, "CRITICAL") }]).policy.rules[0]?.severity).toBe(
      "CRITICAL",
    );
  });

  it("is one of Security Hub's labels", () => {
    const problems = problemsOf(rule("unused", "SEVERE"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^6:15 rules\.0\.severity: .*INFORMATIONAL.*CRITICAL/);
  });

  it("is refused, at its line, on a rule whose findings are not reported to Security Hub", () => {
    expect(problemsOf(rule("rotation-disabled", "LOW"))).toEqual([
      "6:15 rules.0.severity: severity applies only to rules on findings reported to Security Hub (unused, rotation-failed, access-denied, decryption-failure); rotation-disabled are not",
    ]);
  });
});
