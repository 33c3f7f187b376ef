import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  DescribeConfigRulesCommand,
  GetComplianceDetailsByConfigRuleCommand,
  type GetComplianceDetailsByConfigRuleCommandInput,
  NoSuchConfigRuleException,
} from "@aws-sdk/client-config-service";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigComplianceSource } from "../../src/adapters/config-compliance.js";
import type { Finding } from "../../src/domain/finding.js";
import { AdapterError, ComplianceUnavailableError } from "../../src/errors.js";

const FIXTURES = "test/fixtures/aws/config";
const used = new Set<string>();
const DATE_FIELDS = new Set(["OrderingTimestamp", "ResultRecordedTime", "ConfigRuleInvokedTime"]);

/** A recorded response (CLI JSON) as the SDK hands it over: timestamps as Date objects. */
// biome-ignore lint/suspicious/noExplicitAny: recorded responses are passed to the mock as the SDK's output types
function fixture(name: string): any {
  used.add(name);
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8"), (key, value) =>
    DATE_FIELDS.has(key) && typeof value === "string" ? new Date(value) : value,
  );
}

const config = mockClient(ConfigServiceClient);
const NOW = new Date("2026-11-23T00:00:00Z");

async function collect(source: ConfigComplianceSource): Promise<Finding[][]> {
  const pages: Finding[][] = [];
  for await (const page of source.findings(NOW)) pages.push(page);
  return pages;
}

function mockRecordedAccount() {
  config
    .on(DescribeConfigRulesCommand, {})
    .resolves(fixture("describe-config-rules.page-1.json"))
    .on(DescribeConfigRulesCommand, { NextToken: "AAIAAaeYJbK8Iu4Xq3N+example-token-page-2" })
    .resolves(fixture("describe-config-rules.page-2.json"));
  const details = (input: {
    ConfigRuleName: string;
    NextToken?: string;
  }): GetComplianceDetailsByConfigRuleCommandInput => ({
    ComplianceTypes: ["NON_COMPLIANT", "COMPLIANT"],
    Limit: 100,
    ...input,
  });
  config
    .on(
      GetComplianceDetailsByConfigRuleCommand,
      details({ ConfigRuleName: "secretsmanager-secret-unused" }),
      true,
    )
    .resolves(fixture("compliance.secret-unused.page-1.json"))
    .on(
      GetComplianceDetailsByConfigRuleCommand,
      details({ ConfigRuleName: "secretsmanager-secret-unused", NextToken: "bnNwaXJlZC10b2tlbi1wYWdlLTI=" }),
      true,
    )
    .resolves(fixture("compliance.secret-unused.page-2.json"))
    .on(
      GetComplianceDetailsByConfigRuleCommand,
      details({ ConfigRuleName: "securityhub-secretsmanager-rotation-enabled-check-6f2a1b9c" }),
      true,
    )
    .resolves(fixture("compliance.rotation-enabled-securityhub.json"))
    .on(
      GetComplianceDetailsByConfigRuleCommand,
      details({ ConfigRuleName: "secretsmanager-secret-periodic-rotation-conformance-pack-qhsxbs1rh" }),
      true,
    )
    .resolves(fixture("compliance.periodic-rotation-conformance-pack.json"))
    .on(
      GetComplianceDetailsByConfigRuleCommand,
      details({ ConfigRuleName: "secretsmanager-using-cmk" }),
      true,
    )
    .resolves(fixture("compliance.using-cmk.empty.json"));
}

describe("ConfigComplianceSource", () => {
  beforeEach(() => {
    config.reset();
  });

  it("finds the account's Secrets Manager rules across pages, by name, skipping deleting rules", async () => {
    mockRecordedAccount();
    const rules = await new ConfigComplianceSource(new ConfigServiceClient({ region: "us-east-1" })).rules();
    expect(rules).toEqual([
      { name: "secretsmanager-secret-unused", type: "unused" },
      { name: "securityhub-secretsmanager-rotation-enabled-check-6f2a1b9c", type: "rotation-disabled" },
      {
        name: "secretsmanager-secret-periodic-rotation-conformance-pack-qhsxbs1rh",
        type: "rotation-overdue",
      },
      { name: "secretsmanager-using-cmk", type: "not-using-cmk" },
    ]);
    expect(config.commandCalls(DescribeConfigRulesCommand)).toHaveLength(2);
  });

  it("yields a page of findings per compliance page, following NextToken", async () => {
    mockRecordedAccount();
    const pages = await collect(new ConfigComplianceSource(new ConfigServiceClient({ region: "us-east-1" })));
    expect(pages).toEqual([
      [
        {
          type: "unused",
          secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/legacy-db-Xk3p9Q",
          source: "config",
          status: "open",
          observedAt: new Date("2026-11-22T04:12:35.211Z"),
          origin: "secretsmanager-secret-unused",
        },
        {
          type: "unused",
          secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/api-key-7hTq2L",
          source: "config",
          status: "resolved",
          observedAt: new Date("2026-11-22T04:12:35.306Z"),
          origin: "secretsmanager-secret-unused",
        },
      ],
      [
        {
          type: "unused",
          secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:batch/ftp-password-Qm1n0P",
          source: "config",
          status: "open",
          observedAt: new Date("2026-11-22T04:12:35.498Z"),
          origin: "secretsmanager-secret-unused",
        },
      ],
      [
        {
          type: "rotation-disabled",
          secretId: "app/legacy-db",
          source: "config",
          status: "open",
          observedAt: new Date("2026-11-21T19:02:12.950Z"),
          origin: "securityhub-secretsmanager-rotation-enabled-check-6f2a1b9c",
        },
      ],
      [
        {
          type: "rotation-overdue",
          secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/api-key-7hTq2L",
          source: "config",
          status: "resolved",
          observedAt: new Date("2026-11-22T06:40:03.720Z"),
          origin: "secretsmanager-secret-periodic-rotation-conformance-pack-qhsxbs1rh",
        },
      ],
    ]);
    const calls = config.commandCalls(GetComplianceDetailsByConfigRuleCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      {
        ConfigRuleName: "secretsmanager-secret-unused",
        ComplianceTypes: ["NON_COMPLIANT", "COMPLIANT"],
        Limit: 100,
      },
      {
        ConfigRuleName: "secretsmanager-secret-unused",
        ComplianceTypes: ["NON_COMPLIANT", "COMPLIANT"],
        Limit: 100,
        NextToken: "bnNwaXJlZC10b2tlbi1wYWdlLTI=",
      },
      {
        ConfigRuleName: "securityhub-secretsmanager-rotation-enabled-check-6f2a1b9c",
        ComplianceTypes: ["NON_COMPLIANT", "COMPLIANT"],
        Limit: 100,
      },
      {
        ConfigRuleName: "secretsmanager-secret-periodic-rotation-conformance-pack-qhsxbs1rh",
        ComplianceTypes: ["NON_COMPLIANT", "COMPLIANT"],
        Limit: 100,
      },
      {
        ConfigRuleName: "secretsmanager-using-cmk",
        ComplianceTypes: ["NON_COMPLIANT", "COMPLIANT"],
        Limit: 100,
      },
    ]);
  });

  it("reads only the rules behind the finding types asked for", async () => {
    mockRecordedAccount();
    const source = new ConfigComplianceSource(new ConfigServiceClient({ region: "us-east-1" }), {
      types: ["rotation-disabled"],
    });
    const pages = await collect(source);
    expect(pages.flat().map((f) => f.secretId)).toEqual(["app/legacy-db"]);
    expect(config.commandCalls(GetComplianceDetailsByConfigRuleCommand)).toHaveLength(1);
  });

  it("raises ComplianceUnavailableError when the account has no Secrets Manager rule", async () => {
    config.on(DescribeConfigRulesCommand).resolves({ ConfigRules: [] });
    const error = await collect(
      new ConfigComplianceSource(new ConfigServiceClient({ region: "us-east-1" })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComplianceUnavailableError);
    expect(error).toMatchObject({ retryable: false });
  });

  const accessDenied = new ConfigServiceServiceException({
    name: "AccessDeniedException",
    $fault: "client",
    message: "User is not authorized to perform: config:DescribeConfigRules",
    $metadata: { httpStatusCode: 400 },
  });
  const throttled = new ConfigServiceServiceException({
    name: "ThrottlingException",
    $fault: "client",
    message: "Rate exceeded",
    $metadata: { httpStatusCode: 400 },
  });

  it.each([
    { name: "AccessDenied on DescribeConfigRules", on: "describe", error: accessDenied, retryable: false },
    { name: "throttling on DescribeConfigRules", on: "describe", error: throttled, retryable: true },
    {
      name: "a rule deleted meanwhile",
      on: "details",
      error: new NoSuchConfigRuleException({ message: "no rule", $metadata: { httpStatusCode: 400 } }),
      retryable: false,
    },
    { name: "throttling on the details", on: "details", error: throttled, retryable: true },
  ])("raises ComplianceUnavailableError on $name", async ({ on, error, retryable }) => {
    if (on === "describe") config.on(DescribeConfigRulesCommand).rejects(error);
    else {
      config.on(DescribeConfigRulesCommand).resolves(fixture("describe-config-rules.page-2.json"));
      config.on(GetComplianceDetailsByConfigRuleCommand).rejects(error);
    }
    const thrown = await collect(
      new ConfigComplianceSource(new ConfigServiceClient({ region: "us-east-1" })),
    ).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ComplianceUnavailableError);
    expect(thrown).toBeInstanceOf(AdapterError);
    expect((thrown as ComplianceUnavailableError).retryable).toBe(retryable);
    expect((thrown as Error).cause).toBe(error);
  });

  it("raises ComplianceUnavailableError on a result it cannot read", async () => {
    config.on(DescribeConfigRulesCommand).resolves(fixture("describe-config-rules.page-2.json"));
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolves({ EvaluationResults: [{ ComplianceType: "NON_COMPLIANT" }] });
    const thrown = await collect(
      new ConfigComplianceSource(new ConfigServiceClient({ region: "us-east-1" })),
    ).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ComplianceUnavailableError);
  });

  afterAll(() => {
    // A recorded response nobody replays is dead weight: every fixture in the folder must be used.
    expect(readdirSync(FIXTURES).sort()).toEqual([...used].sort());
  });
});
