import * as z from "zod";
import { InputError } from "../errors.js";
import { parseAwsDate } from "./dates.js";
import type { Finding, FindingType } from "./finding.js";

/** The AWS Config managed rules for Secrets Manager, and the finding each NON_COMPLIANT result means. */
export const MANAGED_RULES: readonly { name: string; identifier: string; finding: FindingType }[] = [
  { name: "secretsmanager-secret-unused", identifier: "SECRETSMANAGER_SECRET_UNUSED", finding: "unused" },
  {
    name: "secretsmanager-rotation-enabled-check",
    identifier: "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
    finding: "rotation-disabled",
  },
  {
    name: "secretsmanager-scheduled-rotation-success-check",
    identifier: "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK",
    finding: "rotation-failed",
  },
  {
    name: "secretsmanager-secret-periodic-rotation",
    identifier: "SECRETSMANAGER_SECRET_PERIODIC_ROTATION",
    finding: "rotation-overdue",
  },
  { name: "secretsmanager-using-cmk", identifier: "SECRETSMANAGER_USING_CMK", finding: "not-using-cmk" },
];

/**
 * The finding type of a Config rule, by name. Tolerates the names AWS generates: Security Hub's
 * `securityhub-<rule>-<suffix>` and conformance packs' `<rule>-conformance-pack-<suffix>`.
 */
export function findingTypeForConfigRule(ruleName: string): FindingType | undefined {
  const name = ruleName.toLowerCase().replace(/^securityhub-/, "");
  // Longest name first: "secretsmanager-secret-unused" must not shadow a longer managed rule name.
  const sorted = [...MANAGED_RULES].sort((a, b) => b.name.length - a.name.length);
  return sorted.find((rule) => name === rule.name || name.startsWith(`${rule.name}-`))?.finding;
}

const EvaluationResultSchema = z.object({
  EvaluationResultIdentifier: z.object({
    EvaluationResultQualifier: z.object({
      ConfigRuleName: z.string(),
      ResourceType: z.string().optional(),
      ResourceId: z.string(),
    }),
    OrderingTimestamp: z.unknown().optional(),
  }),
  ComplianceType: z.string(),
  ResultRecordedTime: z.unknown().optional(),
  ConfigRuleInvokedTime: z.unknown().optional(),
});

export const ComplianceDetailsSchema = z.object({ EvaluationResults: z.array(z.unknown()) });

/** One GetComplianceDetailsByConfigRule result as a finding; undefined for other resource types and results. */
export function complianceResultToFinding(value: unknown, now: Date): Finding | undefined {
  const result = EvaluationResultSchema.parse(value);
  const qualifier = result.EvaluationResultIdentifier.EvaluationResultQualifier;
  if (qualifier.ResourceType && qualifier.ResourceType !== "AWS::SecretsManager::Secret") return undefined;
  const type = findingTypeForConfigRule(qualifier.ConfigRuleName);
  if (!type) return undefined;
  const status =
    result.ComplianceType === "NON_COMPLIANT"
      ? "open"
      : result.ComplianceType === "COMPLIANT"
        ? "resolved"
        : undefined;
  if (!status) return undefined;
  return {
    type,
    secretId: qualifier.ResourceId,
    source: "config",
    status,
    observedAt: parseAwsDate(result.ResultRecordedTime) ?? now,
    origin: qualifier.ConfigRuleName,
  };
}

/**
 * Parses the JSON of `aws configservice get-compliance-details-by-config-rule` (one object, or an array of them
 * for several rules) into findings. Throws InputError naming the result that is wrong.
 */
export function parseComplianceDetails(text: string, source: string, now: Date): Finding[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${source}: not valid JSON: ${(error as Error).message}`, source, { cause: error });
  }
  const pages = Array.isArray(doc) ? doc : [doc];
  const findings: Finding[] = [];
  for (const [p, page] of pages.entries()) {
    const parsed = ComplianceDetailsSchema.safeParse(page);
    if (!parsed.success)
      throw new InputError(
        `${source}: missing field EvaluationResults (expected the JSON of get-compliance-details-by-config-rule)`,
        source,
      );
    for (const [i, result] of parsed.data.EvaluationResults.entries()) {
      try {
        const finding = complianceResultToFinding(result, now);
        if (finding) findings.push(finding);
      } catch (error) {
        const issue = (error as z.ZodError).issues?.[0];
        const field = issue ? issue.path.join(".") : "";
        const where = pages.length > 1 ? `[${p}].` : "";
        throw new InputError(
          `${source}: ${where}EvaluationResults[${i}]: field ${field}: ${issue?.message ?? String(error)}`,
          source,
        );
      }
    }
  }
  return findings;
}
