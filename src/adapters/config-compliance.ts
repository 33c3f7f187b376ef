import {
  type ConfigRule,
  type ConfigServiceClient,
  DescribeConfigRulesCommand,
  GetComplianceDetailsByConfigRuleCommand,
} from "@aws-sdk/client-config-service";
import { complianceResultToFinding, findingTypeForConfigRule } from "../domain/config-rules.js";
import type { Finding, FindingType } from "../domain/finding.js";
import { ComplianceUnavailableError } from "../errors.js";
import type { ComplianceSource } from "../ports.js";
import { awsErrorName, isRetryableAwsError } from "./aws-clients.js";

/** GetComplianceDetailsByConfigRule's largest page. */
export const COMPLIANCE_PAGE_SIZE = 100;
/** Rules on their way out have no results worth reading. */
const GONE_STATES = new Set(["DELETING", "DELETING_RESULTS"]);

export interface ConfigComplianceOptions {
  /** Only the rules behind these finding types (those the policy uses). Default: all five. */
  types?: readonly FindingType[];
}

/** One Config rule of the account that evaluates secrets, with the finding its results mean. */
export interface SecretsConfigRule {
  name: string;
  type: FindingType;
}

function unavailable(operation: string, error: unknown, subject?: string): ComplianceUnavailableError {
  if (error instanceof ComplianceUnavailableError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const on = subject ? ` for ${subject}` : "";
  return new ComplianceUnavailableError(
    `AWS Config ${operation}${on} failed: ${awsErrorName(error)}: ${message}`,
    operation,
    isRetryableAwsError(error),
    { cause: error },
  );
}

/**
 * Findings from the AWS Config managed rules for Secrets Manager, found by name: the managed names, Security
 * Hub's `securityhub-<name>-<suffix>` and conformance packs' `<name>-conformance-pack-<suffix>`. Any failure, or
 * an account without such rules, raises ComplianceUnavailableError so that the sweep falls back to the inventory.
 */
export class ConfigComplianceSource implements ComplianceSource {
  private readonly types: ReadonlySet<FindingType> | undefined;

  constructor(
    private readonly client: ConfigServiceClient,
    options: ConfigComplianceOptions = {},
  ) {
    this.types = options.types ? new Set(options.types) : undefined;
  }

  /** The account's rules that evaluate secrets (DescribeConfigRules, every page). */
  async rules(): Promise<SecretsConfigRule[]> {
    const rules: SecretsConfigRule[] = [];
    let nextToken: string | undefined;
    do {
      let page: { ConfigRules?: ConfigRule[]; NextToken?: string };
      try {
        page = await this.client.send(
          new DescribeConfigRulesCommand(nextToken ? { NextToken: nextToken } : {}),
        );
      } catch (error) {
        throw unavailable("DescribeConfigRules", error);
      }
      for (const rule of page.ConfigRules ?? []) {
        const name = rule.ConfigRuleName;
        if (!name || GONE_STATES.has(rule.ConfigRuleState ?? "")) continue;
        const type = findingTypeForConfigRule(name);
        if (type && (!this.types || this.types.has(type))) rules.push({ name, type });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return rules;
  }

  async *findings(now: Date): AsyncIterable<Finding[]> {
    const rules = await this.rules();
    if (rules.length === 0)
      throw new ComplianceUnavailableError(
        "AWS Config has no Secrets Manager rule in this account and region",
        "DescribeConfigRules",
        false,
      );
    for (const rule of rules) yield* this.ruleFindings(rule, now);
  }

  private async *ruleFindings(rule: SecretsConfigRule, now: Date): AsyncIterable<Finding[]> {
    let nextToken: string | undefined;
    do {
      let results: unknown[];
      try {
        const page = await this.client.send(
          new GetComplianceDetailsByConfigRuleCommand({
            ConfigRuleName: rule.name,
            ComplianceTypes: ["NON_COMPLIANT", "COMPLIANT"],
            Limit: COMPLIANCE_PAGE_SIZE,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        results = page.EvaluationResults ?? [];
        nextToken = page.NextToken;
      } catch (error) {
        throw unavailable("GetComplianceDetailsByConfigRule", error, rule.name);
      }
      const findings: Finding[] = [];
      for (const result of results) {
        let finding: Finding | undefined;
        try {
          finding = complianceResultToFinding(result, now);
        } catch (error) {
          throw unavailable("GetComplianceDetailsByConfigRule", error, rule.name);
        }
        if (finding) findings.push(finding);
      }
      if (findings.length > 0) yield findings;
    } while (nextToken);
  }
}
