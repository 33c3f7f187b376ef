import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  complianceResultToFinding,
  findingTypeForConfigRule,
  parseComplianceDetails,
} from "../../src/domain/config-rules.js";
import { InputError } from "../../src/errors.js";

const NOW = new Date("2026-11-23T00:00:00Z");
const FIXTURE = "test/fixtures/compliance/secretsmanager-rules.json";

function result(overrides: {
  rule?: string;
  type?: string;
  id?: string;
  compliance?: string;
  recorded?: unknown;
}) {
  return {
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: {
        ConfigRuleName: overrides.rule ?? "secretsmanager-secret-unused",
        ResourceType: overrides.type ?? "AWS::SecretsManager::Secret",
        ResourceId: overrides.id ?? "app/db",
      },
    },
    ComplianceType: overrides.compliance ?? "NON_COMPLIANT",
    ResultRecordedTime: overrides.recorded,
  };
}

describe("findingTypeForConfigRule", () => {
  it.each([
    ["secretsmanager-secret-unused", "unused"],
    ["SECRETSMANAGER-SECRET-UNUSED", "unused"],
    ["securityhub-secretsmanager-secret-unused-8f3c2a1b", "unused"],
    ["secretsmanager-secret-unused-conformance-pack-x1y2z3", "unused"],
    ["secretsmanager-rotation-enabled-check", "rotation-disabled"],
    ["securityhub-secretsmanager-rotation-enabled-check-0a1b2c", "rotation-disabled"],
    ["secretsmanager-scheduled-rotation-success-check", "rotation-failed"],
    ["secretsmanager-secret-periodic-rotation", "rotation-overdue"],
    ["secretsmanager-using-cmk", "not-using-cmk"],
    ["secretsmanager-secret-unusedness", undefined],
    ["s3-bucket-versioning-enabled", undefined],
  ])("%s -> %s", (name, expected) => {
    // Act
    const type = findingTypeForConfigRule(name);

    // Assess
    expect(type).toBe(expected);
  });
});

describe("complianceResultToFinding", () => {
  it.each([
    ["NON_COMPLIANT is open", { compliance: "NON_COMPLIANT" }, "open"],
    ["COMPLIANT is resolved", { compliance: "COMPLIANT" }, "resolved"],
    ["NOT_APPLICABLE is ignored", { compliance: "NOT_APPLICABLE" }, undefined],
    ["INSUFFICIENT_DATA is ignored", { compliance: "INSUFFICIENT_DATA" }, undefined],
    ["another resource type is ignored", { type: "AWS::RDS::DBInstance" }, undefined],
    ["another rule is ignored", { rule: "s3-bucket-versioning-enabled" }, undefined],
  ])("%s", (_label, overrides, status) => {
    // Act
    const finding = complianceResultToFinding(result(overrides), NOW);

    // Assess
    expect(finding?.status).toBe(status);
  });

  it("keeps the resource id, the rule and the recorded time", () => {
    // Prepare
    const value = result({
      rule: "securityhub-secretsmanager-using-cmk-1a2b",
      recorded: "2026-11-22T06:13:02.118000+00:00",
    });

    // Act
    const finding = complianceResultToFinding(value, NOW);

    // Assess
    expect(finding).toEqual({
      type: "not-using-cmk",
      secretId: "app/db",
      source: "config",
      status: "open",
      observedAt: new Date("2026-11-22T06:13:02.118Z"),
      origin: "securityhub-secretsmanager-using-cmk-1a2b",
    });
  });

  it("falls back to now when the recorded time is missing", () => {
    // Act
    const finding = complianceResultToFinding(result({}), NOW);

    // Assess
    expect(finding?.observedAt).toEqual(NOW);
  });
});

describe("parseComplianceDetails", () => {
  it("reads the recorded fixture: two rules, four secrets, NOT_APPLICABLE skipped", () => {
    // Prepare
    const text = readFileSync(FIXTURE, "utf8");

    // Act
    const findings = parseComplianceDetails(text, FIXTURE, NOW);

    // Assess
    expect(findings.map((f) => [f.type, f.secretId, f.status])).toEqual([
      ["unused", "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/active-Ab12Cd", "open"],
      ["unused", "app/stale", "resolved"],
      ["unused", "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/flagged-5d", "resolved"],
      [
        "rotation-failed",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/flagged-5d-Gh78Ij",
        "open",
      ],
    ]);
  });

  it.each([
    ["text that is not JSON", "{", "c.json: not valid JSON"],
    [
      "an object without EvaluationResults",
      JSON.stringify({ ConfigRules: [] }),
      "missing field EvaluationResults",
    ],
    [
      "a result without a ResourceId",
      JSON.stringify({ EvaluationResults: [result({}), { ...result({}), EvaluationResultIdentifier: {} }] }),
      "c.json: EvaluationResults[1]: field EvaluationResultIdentifier.EvaluationResultQualifier",
    ],
    [
      "a wrong result in the second page",
      JSON.stringify([{ EvaluationResults: [] }, { EvaluationResults: [{ ComplianceType: 3 }] }]),
      "c.json: [1].EvaluationResults[0]: field",
    ],
  ])("rejects %s with an InputError", (_label, text, message) => {
    // Act
    const act = () => parseComplianceDetails(text, "c.json", NOW);

    // Assess
    expect(act).toThrow(InputError);
    expect(act).toThrow(message);
  });
});
