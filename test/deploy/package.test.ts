import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findingTypeForConfigRule, MANAGED_RULES } from "../../src/domain/config-rules.js";

/**
 * Packages the stack once, offline and without credentials (scripts/package.sh runs osls in a network
 * namespace with no interface where the kernel allows it), then checks the generated CloudFormation: the
 * routes, the Config rules, the alarms and the role, statement by statement.
 */

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown>;
}
type Conditions = Record<string, Record<string, unknown>>;
interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Conditions;
}
interface Template {
  Parameters: Record<string, { Default?: string }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, Resource>;
}

// Config events come in bursts (an account-wide re-evaluation) and are digested per batch: large batches, so
// a burst of 10,000 is a few dozen Slack messages, not a thousand. The CloudTrail routes are rare and urgent.
const ROUTES = [
  { name: "config-compliance", id: "ConfigCompliance", state: "ENABLED", batch: 500, window: 60 },
  {
    name: "access-failure",
    id: "AccessFailure",
    state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    batch: 10,
    window: 5,
  },
  { name: "rotation-failure", id: "RotationFailure", state: "ENABLED", batch: 10, window: 5 },
] as const;
const FUNCTIONS = [
  { id: "ConfigCompliance", handler: "handlers/config-compliance" },
  { id: "AccessFailure", handler: "handlers/access-failure" },
  { id: "RotationFailure", handler: "handlers/rotation-failure" },
  { id: "Sweep", handler: "handlers/sweep" },
] as const;
// Fn::Sub text, as the template holds it.
const SECRETS = `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:`;
// The shipped policy has one route, whose webhook the role may read by name (any random suffix, no more).
const SLACK_SECRETS = [{ "Fn::Sub": `${SECRETS}secrets-governor/slack/default-??????` }];

let outDir = "";
let template: Template;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "governor-package-"));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir(), CI: "true" };
  // `--stage=dev`: the form scripts/package.sh once missed, packaging with a second --stage (osls refuses that).
  await run("bash", ["scripts/package.sh", "--stage=dev", "--region", "us-east-1", "--package", outDir], {
    cwd: root,
    env,
    timeout: 280_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  template = JSON.parse(readFileSync(join(outDir, "cloudformation-template-update-stack.json"), "utf8"));
}, 300_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

function resource(id: string): Resource {
  const found = template.Resources[id];
  if (!found) throw new Error(`resource ${id} is missing from the template`);
  return found;
}

function resourcesOfType(type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

const getAtt = (id: string, attribute = "Arn") => ({ "Fn::GetAtt": [id, attribute] });
const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** A Resource or NotResource value as text: a plain string or the string of an Fn::Sub. */
function arnText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "Fn::Sub" in value && typeof value["Fn::Sub"] === "string")
    return value["Fn::Sub"];
  throw new Error(`unexpected resource value ${JSON.stringify(value)}`);
}

function roleStatements(): Statement[] {
  const policies = resource("IamRoleLambdaExecution").Properties.Policies as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

function statementsWith(effect: "Allow" | "Deny", action: string): Statement[] {
  return roleStatements().filter((s) => s.Effect === effect && list(s.Action).includes(action));
}

function onlyStatementWith(effect: "Allow" | "Deny", action: string): Statement {
  const found = statementsWith(effect, action);
  expect(found, `${effect} statements with ${action}`).toHaveLength(1);
  return found[0] as Statement;
}

function environmentOf(functionId: string): Record<string, unknown> {
  const props = resource(`${functionId}LambdaFunction`).Properties as {
    Environment: { Variables: Record<string, unknown> };
  };
  return props.Environment.Variables;
}

/** The file names in a zip archive, from its central directory. */
function zipEntries(path: string): string[] {
  const zip = readFileSync(path);
  const names: string[] = [];
  let offset = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(offset + 10);
  offset = zip.readUInt32LE(offset + 16);
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString("utf8", offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

describe("packaging", () => {
  it("bundles each function alone, with the compiled policy and no YAML policy file", () => {
    for (const fn of FUNCTIONS) {
      const key = fn.id.charAt(0).toLowerCase() + fn.id.slice(1);
      const entries = zipEntries(join(outDir, `${key}.zip`));
      expect(entries).toContain(`${fn.handler}.mjs`);
      expect(entries).toContain(".governor/policy.json");
      expect(entries.filter((e) => /\.ya?ml$/.test(e))).toEqual([]);
      expect(entries.filter((e) => e.startsWith("node_modules/"))).toEqual([]);
    }
  });

  it("looks nothing up in AWS at package time", () => {
    const sources = [
      "serverless.yml",
      ...readdirSync(join(root, "serverless"), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".yml"))
        .map((f) => join("serverless", f)),
    ];
    for (const file of sources) {
      expect(readFileSync(join(root, file), "utf8"), file).not.toMatch(/\$\{(ssm|cf|s3|aws|sls:instanceId)/);
    }
    expect(JSON.stringify(template)).not.toMatch(/\$\{(param|self|opt|file|env|sls):/);
  });
});

describe("functions", () => {
  it.each(FUNCTIONS)("$id runs $handler.handler on nodejs22.x with the governor's environment", (fn) => {
    const props = resource(`${fn.id}LambdaFunction`).Properties;
    expect(props.Runtime).toBe("nodejs22.x");
    expect(props.Handler).toBe(`${fn.handler}.handler`);
    expect(props.Role).toEqual(getAtt("IamRoleLambdaExecution"));
    const env = environmentOf(fn.id);
    expect(env).toMatchObject({
      GOVERNOR_MODE: { Ref: "Mode" },
      GOVERNOR_POLICY_FILE: ".governor/policy.json",
      GOVERNOR_BREAK_GLASS: { Ref: "BreakGlassPrincipals" },
      GOVERNOR_ROLE_ARN: getAtt("IamRoleLambdaExecution"),
      GOVERNOR_AUDIT_BUS: "default",
      GOVERNOR_ALERT_DLQ_URL: { Ref: "AlertDeadLetterQueue" },
      GOVERNOR_ACCOUNT_ID: { Ref: "AWS::AccountId" },
      GOVERNOR_STATE_TABLE: { Ref: "StateTable" },
      GOVERNOR_SECURITY_HUB: { Ref: "SecurityHub" },
      POWERTOOLS_SERVICE_NAME: "secrets-governor",
    });
    expect(env.POWERTOOLS_LOG_LEVEL).toBeTypeOf("string");
    expect(Number(env.GOVERNOR_WRITE_SHARE)).toBeGreaterThan(0);
  });

  it("reports in the report mode unless told otherwise", () => {
    expect(template.Parameters.Mode?.Default).toBe("report");
  });

  it("keeps the governor within half of Secrets Manager's write quota when every consumer runs at once", () => {
    // Each running instance paces itself at GOVERNOR_WRITE_SHARE of 50 writes/s per API family.
    let total = Number(environmentOf("Sweep").GOVERNOR_WRITE_SHARE); // one sweep at a time
    for (const [, mapping] of resourcesOfType("AWS::Lambda::EventSourceMapping")) {
      const fnId = (mapping.Properties.FunctionName as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      const concurrency = (mapping.Properties.ScalingConfig as { MaximumConcurrency: number })
        .MaximumConcurrency;
      total += concurrency * Number(environmentOf(fnId.replace(/LambdaFunction$/, "")).GOVERNOR_WRITE_SHARE);
    }
    expect(total).toBeLessThanOrEqual(0.5 + 1e-9);
  });
});

describe("event routes", () => {
  it.each(ROUTES)("$name: the rule's pattern is its file in rules/ and its state is $state", (route) => {
    const props = resource(`${route.id}Rule`).Properties;
    const pattern = JSON.parse(readFileSync(join(root, "rules", `${route.name}.json`), "utf8"));
    expect(props.EventPattern).toEqual(pattern);
    expect(props.State).toBe(route.state);
    expect(props.EventBusName).toBe("default");
  });

  it.each(ROUTES)("$name: the rule buffers into its queue, which only that rule may send to", (route) => {
    const targets = resource(`${route.id}Rule`).Properties.Targets as Record<string, unknown>[];
    expect(targets).toHaveLength(1);
    expect(targets[0]?.Arn).toEqual(getAtt(`${route.id}Queue`));

    const policy = resource(`${route.id}QueuePolicy`).Properties;
    expect(policy.Queues).toEqual([{ Ref: `${route.id}Queue` }]);
    const [statement] = (policy.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statement).toEqual({
      Sid: expect.any(String),
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: getAtt(`${route.id}Queue`),
      Condition: { ArnEquals: { "aws:SourceArn": getAtt(`${route.id}Rule`) } },
    });
  });

  it.each([
    ...ROUTES.flatMap((r) => [
      { queue: `${r.id}Queue`, rule: `${r.id}Rule` },
      { queue: `${r.id}DeadLetterQueue`, rule: `${r.id}Rule` },
    ]),
    { queue: "SweepDeadLetterQueue", rule: "SweepRule" },
    { queue: "OrgForwardDeadLetterQueue", rule: "OrgForwardRule" },
  ])("$queue: an explicit Deny refuses every sender but $rule, the governor's role and break-glass", ({
    queue,
    rule,
  }) => {
    const policies = resourcesOfType("AWS::SQS::QueuePolicy").filter(([, p]) =>
      JSON.stringify(p.Properties.Queues).includes(JSON.stringify({ Ref: queue })),
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0]?.[1].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements.filter((st) => st.Effect === "Deny")).toEqual([
      {
        Sid: "DenyEveryOtherSender",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:SendMessage",
        Resource: getAtt(queue),
        Condition: {
          // Both must differ for the Deny to apply: the rule (a service principal, no PrincipalArn) passes by
          // its SourceArn, the role by its ARN; anyone else has neither.
          ArnNotEquals: { "aws:SourceArn": getAtt(rule) },
          StringNotEquals: {
            "aws:PrincipalArn": {
              "Fn::Split": [
                ",",
                { "Fn::Join": [",", [getAtt("IamRoleLambdaExecution"), { Ref: "BreakGlassPrincipals" }]] },
              ],
            },
          },
        },
      },
    ]);
  });

  it("the alerts queue takes messages from the governor's role only", () => {
    const policy = resource("AlertDeadLetterQueuePolicy").Properties;
    expect(policy.Queues).toEqual([{ Ref: "AlertDeadLetterQueue" }]);
    expect((policy.PolicyDocument as { Statement: Statement[] }).Statement).toEqual([
      {
        Sid: "DenyEveryOtherSender",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:SendMessage",
        Resource: getAtt("AlertDeadLetterQueue"),
        Condition: { StringNotEquals: { "aws:PrincipalArn": getAtt("IamRoleLambdaExecution") } },
      },
    ]);
  });

  it("every queue of the stack has a queue policy", () => {
    const covered = resourcesOfType("AWS::SQS::QueuePolicy").flatMap(([, p]) =>
      (p.Properties.Queues as { Ref: string }[]).map((q) => q.Ref),
    );
    expect(covered.sort()).toEqual(
      resourcesOfType("AWS::SQS::Queue")
        .map(([id]) => id)
        .sort(),
    );
  });

  it.each(
    ROUTES,
  )("$name: failed messages go to the dead-letter queue; visibility is 6x the timeout", (route) => {
    const queue = resource(`${route.id}Queue`).Properties;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt(`${route.id}DeadLetterQueue`),
      maxReceiveCount: expect.any(Number),
    });
    const timeout = resource(`${route.id}LambdaFunction`).Properties.Timeout as number;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(resource(`${route.id}DeadLetterQueue`).Properties.MessageRetentionPeriod).toBe(1_209_600);
  });

  it.each(ROUTES)("$name: the function drains its queue in batches, two instances at most", (route) => {
    const mappings = resourcesOfType("AWS::Lambda::EventSourceMapping").filter(
      ([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(getAtt(`${route.id}Queue`)),
    );
    expect(mappings).toHaveLength(1);
    const props = mappings[0]?.[1].Properties;
    expect(props).toMatchObject({
      FunctionName: getAtt(`${route.id}LambdaFunction`),
      BatchSize: route.batch,
      MaximumBatchingWindowInSeconds: route.window,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it("every rule target retries and dead-letters to a queue that only its rule may send to", () => {
    const rules = resourcesOfType("AWS::Events::Rule");
    expect(rules.map(([id]) => id).sort()).toEqual([
      "AccessFailureRule",
      "ConfigComplianceRule",
      "OrgForwardRule",
      "RotationFailureRule",
      "SweepRule",
    ]);
    for (const [ruleId, rule] of rules) {
      for (const target of rule.Properties.Targets as Record<string, unknown>[]) {
        expect(target.RetryPolicy, ruleId).toEqual({
          MaximumRetryAttempts: expect.any(Number),
          MaximumEventAgeInSeconds: expect.any(Number),
        });
        const dlq = (target.DeadLetterConfig as { Arn: { "Fn::GetAtt": [string, string] } }).Arn[
          "Fn::GetAtt"
        ][0];
        expect(resource(dlq).Type).toBe("AWS::SQS::Queue");
        const policies = resourcesOfType("AWS::SQS::QueuePolicy").filter(([, p]) =>
          (p.Properties.Queues as unknown[]).some((q) => JSON.stringify(q) === JSON.stringify({ Ref: dlq })),
        );
        expect(policies, `queue policy of ${dlq}`).toHaveLength(1);
        const [[, queuePolicy] = ["", resource(`${dlq}Policy`)]] = policies;
        const statements = (queuePolicy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
        expect(statements).toContainEqual(
          expect.objectContaining({
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: getAtt(dlq),
            Condition: { ArnEquals: { "aws:SourceArn": getAtt(ruleId) } },
          }),
        );
      }
    }
  });
});

describe("sweep", () => {
  it("runs daily on the configured schedule, invoked only by its rule", () => {
    const rule = resource("SweepRule").Properties;
    expect(rule.ScheduleExpression).toEqual({ Ref: "SweepSchedule" });
    expect(template.Parameters.SweepSchedule?.Default).toBe("cron(0 6 * * ? *)");
    expect(rule.State).toBe("ENABLED");
    expect((rule.Targets as Record<string, unknown>[])[0]?.Arn).toEqual(getAtt("SweepLambdaFunction"));
    expect(resource("SweepInvokePermission").Properties).toEqual({
      FunctionName: getAtt("SweepLambdaFunction"),
      Action: "lambda:InvokeFunction",
      Principal: "events.amazonaws.com",
      SourceArn: getAtt("SweepRule"),
    });
  });

  it("runs one at a time, as the write-quota budget counts it", () => {
    expect(resource("SweepLambdaFunction").Properties.ReservedConcurrentExecutions).toBe(1);
  });

  it("is not retried after a failed run: tomorrow's run completes it, a retry would resend the digests", () => {
    const configs = resourcesOfType("AWS::Lambda::EventInvokeConfig").filter(
      ([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: "SweepLambdaFunction" }),
    );
    expect(configs).toHaveLength(1);
    expect(configs[0]?.[1].Properties).toMatchObject({ Qualifier: "$LATEST", MaximumRetryAttempts: 0 });
  });
});

describe("AWS Config rules", () => {
  // The managed rule behind each finding type (src/domain/config-rules.ts), its resource and its switch.
  const RULES = [
    {
      identifier: "SECRETSMANAGER_SECRET_UNUSED",
      id: "SecretUnusedConfigRule",
      parameter: "UnusedConfigRule",
    },
    {
      identifier: "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
      id: "RotationEnabledCheckConfigRule",
      parameter: "RotationEnabledConfigRule",
    },
    {
      identifier: "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK",
      id: "ScheduledRotationSuccessConfigRule",
      parameter: "RotationSuccessConfigRule",
    },
    {
      identifier: "SECRETSMANAGER_SECRET_PERIODIC_ROTATION",
      id: "SecretPeriodicRotationConfigRule",
      parameter: "PeriodicRotationConfigRule",
    },
    {
      identifier: "SECRETSMANAGER_USING_CMK",
      id: "UsingCmkCheckConfigRule",
      parameter: "UsingCmkConfigRule",
    },
  ] as const;

  const shippedPolicy = () =>
    parse(readFileSync(join(root, "policies", "default.yml"), "utf8")) as {
      rules: { match?: { finding?: string | string[] }; unusedForDays?: number }[];
    };

  it("has one optional rule per managed rule, named so that the governor recognises its findings", () => {
    const rules = resourcesOfType("AWS::Config::ConfigRule");
    expect(rules.map(([id]) => id).sort()).toEqual(RULES.map((r) => r.id).sort());
    expect(MANAGED_RULES.map((m) => m.identifier).sort()).toEqual(RULES.map((r) => r.identifier).sort());
    for (const expected of RULES) {
      const rule = resource(expected.id);
      const managed = MANAGED_RULES.find((m) => m.identifier === expected.identifier);
      expect(rule.Properties.Source, expected.id).toEqual({
        Owner: "AWS",
        SourceIdentifier: expected.identifier,
      });
      expect(rule.Properties.Scope).toEqual({ ComplianceResourceTypes: ["AWS::SecretsManager::Secret"] });
      const name = rule.Properties.ConfigRuleName as string;
      expect(name).toBe(`${managed?.name}-dev`);
      expect(name.length).toBeLessThanOrEqual(64);
      expect(findingTypeForConfigRule(name)).toBe(managed?.finding);
      // Created only when its switch, a stack parameter, is "true".
      expect(template.Conditions[rule.Condition as string]).toEqual({
        "Fn::Equals": [{ Ref: expected.parameter }, "true"],
      });
      expect(template.Parameters[expected.parameter]).toMatchObject({ AllowedValues: ["true", "false"] });
    }
  });

  it("creates by default exactly the rules behind the shipped policy's findings", () => {
    const findings = new Set(shippedPolicy().rules.flatMap((r) => [r.match?.finding ?? []].flat()));
    const defaults = Object.fromEntries(
      RULES.map((r) => [r.identifier, template.Parameters[r.parameter]?.Default]),
    );
    expect(defaults).toEqual(
      Object.fromEntries(
        MANAGED_RULES.map((m) => [m.identifier, findings.has(m.finding) ? "true" : "false"]),
      ),
    );
    // policies/default.yml: unused-secrets and rotation-failures.
    expect(defaults).toEqual({
      SECRETSMANAGER_SECRET_UNUSED: "true",
      SECRETSMANAGER_ROTATION_ENABLED_CHECK: "false",
      SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK: "true",
      SECRETSMANAGER_SECRET_PERIODIC_ROTATION: "false",
      SECRETSMANAGER_USING_CMK: "false",
    });
  });

  it("checks unused secrets with the threshold of the shipped policy, daily", () => {
    const thresholds = shippedPolicy()
      .rules.filter((r) => [r.match?.finding].flat().includes("unused"))
      .map((r) => r.unusedForDays ?? 90);
    expect(thresholds.length).toBeGreaterThan(0);
    const rule = resource("SecretUnusedConfigRule").Properties;
    expect(rule.InputParameters).toEqual({ unusedForDays: String(Math.min(...thresholds)) });
    expect(rule.MaximumExecutionFrequency).toBe("TwentyFour_Hours");
  });

  it("passes the parameters the other rules take: maxDaysSinceRotation only", () => {
    const periodic = resource("SecretPeriodicRotationConfigRule").Properties;
    expect(periodic.InputParameters).toEqual({ maxDaysSinceRotation: "90" });
    expect(periodic.MaximumExecutionFrequency).toBe("TwentyFour_Hours");
    for (const id of [
      "RotationEnabledCheckConfigRule",
      "ScheduledRotationSuccessConfigRule",
      "UsingCmkCheckConfigRule",
    ])
      expect(resource(id).Properties.InputParameters, id).toBeUndefined();
  });
});

describe("alarms", () => {
  const alarms = () => resourcesOfType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
  const notify = { "Fn::If": ["HasAlarmTopic", [{ Ref: "AlarmTopicArn" }], { Ref: "AWS::NoValue" }] };

  it.each([
    "ConfigCompliance",
    "AccessFailure",
    "RotationFailure",
    "Sweep",
  ])("%s: an alarm on any dead letter and one on any function error", (id) => {
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: getAtt(`${id}DeadLetterQueue`, "QueueName") }],
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: notify,
      }),
    );
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: { Ref: `${id}LambdaFunction` } }],
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: notify,
      }),
    );
  });

  it.each([
    ["AuditDeliveryFailures", "{ $.auditDeliveryFailed > 0 }", "$.auditDeliveryFailed", FUNCTIONS.length],
    ["MalformedEvents", '{ $.message = "batch summary" && $.malformed > 0 }', "$.malformed", ROUTES.length],
    ["RefusedEvents", '{ $.message = "batch summary" && $.refused > 0 }', "$.refused", ROUTES.length],
    ["StateStoreUnavailable", "{ $.stateStoreUnavailable > 0 }", "$.stateStoreUnavailable", ROUTES.length],
    ["SecurityHubFailures", "{ $.securityHubFailed > 0 }", "$.securityHubFailed", FUNCTIONS.length],
    [
      "KeptAlertsRejected",
      '{ $.message = "kept alerts redelivery" && $.keptAlertsRejected > 0 }',
      "$.keptAlertsRejected",
      1,
    ],
  ])("counts %s from the log lines that carry them, per stage, and alarms on any", (metric, pattern, value, n) => {
    const filters = resourcesOfType("AWS::Logs::MetricFilter")
      .map(([, f]) => f.Properties)
      .filter((f) => JSON.stringify(f.MetricTransformations).includes(`"${metric}"`));
    expect(filters).toHaveLength(n);
    for (const filter of filters) {
      expect(filter.FilterPattern).toBe(pattern);
      expect(filter.MetricTransformations).toEqual([
        expect.objectContaining({
          MetricNamespace: "SecretsGovernor/dev",
          MetricName: metric,
          MetricValue: value,
        }),
      ]);
    }
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: "SecretsGovernor/dev",
        MetricName: metric,
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: notify,
      }),
    );
  });

  it("counts Slack delivery failures from every log group, per stage, and alarms on any", () => {
    const filters = resourcesOfType("AWS::Logs::MetricFilter")
      .map(([, f]) => f.Properties)
      .filter((f) => JSON.stringify(f.MetricTransformations).includes("SlackDeliveryFailures"));
    expect(filters.map((f) => f.LogGroupName)).toEqual(
      expect.arrayContaining(FUNCTIONS.map((fn) => ({ Ref: `${fn.id}LogGroup` }))),
    );
    for (const filter of filters) {
      // src/app/notify.ts logs the number of undelivered messages as the field slackDeliveryFailed.
      expect(filter.FilterPattern).toBe("{ $.slackDeliveryFailed > 0 }");
      expect(filter.MetricTransformations).toEqual([
        expect.objectContaining({
          // The stage in the namespace: two stages in one account do not feed one alarm.
          MetricNamespace: "SecretsGovernor/dev",
          MetricName: "SlackDeliveryFailures",
          MetricValue: "$.slackDeliveryFailed",
        }),
      ]);
    }
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: "SecretsGovernor/dev",
        MetricName: "SlackDeliveryFailures",
        Statistic: "Sum",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: notify,
      }),
    );
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: getAtt("AlertDeadLetterQueue", "QueueName") }],
        Threshold: 0,
        AlarmActions: notify,
      }),
    );
    expect(template.Parameters.AlarmTopicArn?.Default).toBe("");
  });
});

describe("state table", () => {
  it("is on-demand, expires items by TTL, has point-in-time recovery, is encrypted and retained", () => {
    const table = resource("StateTable") as Resource & {
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    };
    expect(table.Type).toBe("AWS::DynamoDB::Table");
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
    expect(table.Properties).toEqual({
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      TimeToLiveSpecification: { AttributeName: "expiration", Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // false: the AWS owned key (encryption at rest is always on in DynamoDB).
      SSESpecification: { SSEEnabled: false },
    });
    expect(resourcesOfType("AWS::DynamoDB::Table")).toHaveLength(1);
  });
});

describe("Security Hub", () => {
  it("is off unless the stack parameter SecurityHub says enabled", () => {
    expect(template.Parameters.SecurityHub).toMatchObject({
      Default: "disabled",
      AllowedValues: ["enabled", "disabled"],
    });
    expect(template.Conditions.SecurityHubEnabled).toEqual({
      "Fn::Equals": [{ Ref: "SecurityHub" }, "enabled"],
    });
  });

  it("may import findings and resolve their workflow, only then, only in this account and region, and nothing else of Security Hub", () => {
    const policy = resource("SecurityHubImportPolicy");
    expect(policy.Type).toBe("AWS::IAM::Policy");
    expect(policy.Condition).toBe("SecurityHubEnabled");
    expect(policy.Properties.Roles).toEqual([{ Ref: "IamRoleLambdaExecution" }]);
    const document = policy.Properties.PolicyDocument as { Statement: Statement[] };
    expect(document.Statement).toEqual([
      {
        Sid: "ImportSecurityHubFindings",
        Effect: "Allow",
        Action: "securityhub:BatchImportFindings",
        Resource: {
          "Fn::Sub": `arn:\${AWS::Partition}:securityhub:\${AWS::Region}:\${AWS::AccountId}:product/\${AWS::AccountId}/default`,
        },
      },
      {
        Sid: "ResolveSecurityHubFindingWorkflow",
        Effect: "Allow",
        Action: "securityhub:BatchUpdateFindings",
        Resource: {
          "Fn::Sub": `arn:\${AWS::Partition}:securityhub:\${AWS::Region}:\${AWS::AccountId}:hub/default`,
        },
        Condition: { StringEquals: { "securityhub:ASFFSyntaxPath/Workflow.Status": "RESOLVED" } },
      },
    ]);
    // The role itself has no Security Hub permission at all.
    expect(
      roleStatements()
        .flatMap((s) => list(s.Action))
        .filter((a) => a.startsWith("securityhub:")),
    ).toEqual([]);
  });

  it("alarms on findings it could not import, only when enabled", () => {
    expect(resource("SecurityHubFailuresAlarm").Condition).toBe("SecurityHubEnabled");
    const filters = resourcesOfType("AWS::Logs::MetricFilter").filter(([, f]) =>
      JSON.stringify(f.Properties.MetricTransformations).includes("SecurityHubFailures"),
    );
    expect(filters.map(([, f]) => f.Condition)).toEqual(FUNCTIONS.map(() => "SecurityHubEnabled"));
    expect(filters.map(([, f]) => f.Properties.LogGroupName)).toEqual(
      expect.arrayContaining(FUNCTIONS.map((fn) => ({ Ref: `${fn.id}LogGroup` }))),
    );
  });
});

describe("IAM", () => {
  it("gives the four functions one role, the Slack button function its own, and no other (the third role is EventBridge's, for the org bus)", () => {
    expect(
      resourcesOfType("AWS::IAM::Role")
        .map(([id]) => id)
        .sort(),
    ).toEqual(["IamRoleLambdaExecution", "OrgForwardRole", "SlackActionRole"]);
    // The one policy besides the roles' own: Security Hub's, present only when enabled.
    expect(resourcesOfType("AWS::IAM::Policy").map(([id]) => id)).toEqual(["SecurityHubImportPolicy"]);
    expect(resourcesOfType("AWS::IAM::ManagedPolicy")).toEqual([]);
    expect(resource("IamRoleLambdaExecution").Properties.ManagedPolicyArns).toBeUndefined();
  });

  it("grants no wildcard action and nothing by NotAction", () => {
    for (const statement of roleStatements()) {
      expect(statement.NotAction).toBeUndefined();
      for (const action of list(statement.Action)) expect(action, statement.Sid).not.toContain("*");
    }
  });

  it("allows exactly the actions the governor needs", () => {
    const allowed = new Set(roleStatements().flatMap((s) => (s.Effect === "Allow" ? list(s.Action) : [])));
    expect([...allowed].sort()).toEqual(
      [
        "config:DescribeConfigRules",
        "config:GetComplianceDetailsByConfigRule",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "events:PutEvents",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:TagResource",
        "secretsmanager:DeleteResourcePolicy",
        "secretsmanager:DeleteSecret",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:GetSecretValue",
        "secretsmanager:ListSecrets",
        "secretsmanager:PutResourcePolicy",
        "secretsmanager:RestoreSecret",
        "secretsmanager:TagResource",
        "secretsmanager:UntagResource",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
        "sqs:SendMessage",
      ].sort(),
    );
  });

  it("allows Resource * only for the actions that have no resource-level permissions", () => {
    const unscoped = roleStatements().filter(
      (s) => s.Effect === "Allow" && JSON.stringify(s.Resource) === '"*"',
    );
    // GetComplianceDetailsByConfigRule has resource-level permissions (config-rule ARNs); these two have none.
    expect(unscoped.flatMap((s) => list(s.Action)).sort()).toEqual([
      "config:DescribeConfigRules",
      "secretsmanager:ListSecrets",
    ]);
  });

  it("reads no secret value but the Slack webhooks'", () => {
    const allow = onlyStatementWith("Allow", "secretsmanager:GetSecretValue");
    expect(list(allow.Action)).toEqual(["secretsmanager:GetSecretValue"]);
    expect(allow.Resource).toEqual(SLACK_SECRETS);
    expect(allow.Condition).toBeUndefined();

    const deny = onlyStatementWith("Deny", "secretsmanager:GetSecretValue");
    expect(list(deny.Action).sort()).toEqual([
      "secretsmanager:BatchGetSecretValue",
      "secretsmanager:GetSecretValue",
    ]);
    expect(deny.NotResource).toEqual(SLACK_SECRETS);
    expect(deny.Condition).toBeUndefined();
  });

  it("schedules deletion only of quarantined secrets, always with a 7 to 30 day recovery window", () => {
    const allow = onlyStatementWith("Allow", "secretsmanager:DeleteSecret");
    expect(list(allow.Action)).toEqual(["secretsmanager:DeleteSecret"]);
    expect(arnText(allow.Resource)).toBe(`${SECRETS}*`);
    expect(allow.Condition).toEqual({
      StringEquals: { "secretsmanager:ResourceTag/governor:stage": ["quarantined", "deletion-scheduled"] },
      NumericGreaterThanEquals: { "secretsmanager:RecoveryWindowInDays": "7" },
      NumericLessThanEquals: { "secretsmanager:RecoveryWindowInDays": "30" },
    });

    const denyForce = statementsWith("Deny", "secretsmanager:DeleteSecret").filter(
      (s) => s.Condition?.Bool?.["secretsmanager:ForceDeleteWithoutRecovery"] !== undefined,
    );
    expect(denyForce).toHaveLength(1);
    expect(denyForce[0]).toMatchObject({
      Resource: "*",
      Condition: { Bool: { "secretsmanager:ForceDeleteWithoutRecovery": "true" } },
    });
    expect(Object.keys(denyForce[0]?.Condition ?? {})).toEqual(["Bool"]);
  });

  it("changes nothing on a secret tagged governor:exempt=true", () => {
    const exempt = roleStatements().filter(
      (s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes("ResourceTag/governor:exempt"),
    );
    expect(exempt).toHaveLength(1);
    const [deny] = exempt;
    expect(list(deny?.Action).sort()).toEqual([
      "secretsmanager:DeleteResourcePolicy",
      "secretsmanager:DeleteSecret",
      "secretsmanager:PutResourcePolicy",
      "secretsmanager:TagResource",
    ]);
    expect(deny?.Resource).toBe("*");
    expect(deny?.Condition).toEqual({
      StringEqualsIgnoreCase: { "secretsmanager:ResourceTag/governor:exempt": "true" },
    });
  });

  it("can neither remove nor set governor:exempt, although the key starts with governor:", () => {
    const denies = roleStatements().filter(
      (s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes("aws:TagKeys"),
    );
    expect(denies).toHaveLength(1);
    const [deny] = denies;
    expect(list(deny?.Action).sort()).toEqual(["secretsmanager:TagResource", "secretsmanager:UntagResource"]);
    expect(deny?.Resource).toBe("*");
    // ForAnyValue: one exempt key among several is enough to deny the whole request.
    expect(deny?.Condition).toEqual({ "ForAnyValue:StringEquals": { "aws:TagKeys": "governor:exempt" } });
    // The only Deny on UntagResource: the lifecycle tags of an exempt secret can still be removed.
    expect(statementsWith("Deny", "secretsmanager:UntagResource")).toEqual([deny]);
  });

  it("writes the deletion stage only on a secret already tagged quarantined", () => {
    const deny = roleStatements().find((s) => s.Sid === "DenyDeletionStageBeforeQuarantine");
    expect(deny).toMatchObject({ Effect: "Deny", Resource: "*" });
    expect(list(deny?.Action)).toEqual(["secretsmanager:TagResource"]);
    // A request setting the stage DeleteSecret needs, on a secret whose stage is neither (or absent: a negated
    // condition on a missing key holds), is denied.
    expect(deny?.Condition).toEqual({
      StringEquals: { "aws:RequestTag/governor:stage": "deletion-scheduled" },
      StringNotEquals: { "secretsmanager:ResourceTag/governor:stage": ["quarantined", "deletion-scheduled"] },
    });
  });

  it.each([
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
  ])("%s: only keys starting with governor:", (action) => {
    const allow = onlyStatementWith("Allow", action);
    expect(arnText(allow.Resource)).toBe(`${SECRETS}*`);
    expect(allow.Condition).toEqual({
      "ForAllValues:StringLike": { "aws:TagKeys": "governor:*" },
      Null: { "aws:TagKeys": "false" },
    });
  });

  it("puts resource policies only with BlockPublicPolicy, only on a secret the lifecycle has flagged", () => {
    const allow = onlyStatementWith("Allow", "secretsmanager:PutResourcePolicy");
    expect(list(allow.Action)).toEqual(["secretsmanager:PutResourcePolicy"]);
    expect(arnText(allow.Resource)).toBe(`${SECRETS}*`);
    expect(allow.Condition).toEqual({
      Bool: { "secretsmanager:BlockPublicPolicy": "true" },
      StringEquals: {
        "secretsmanager:ResourceTag/governor:stage": ["flagged", "quarantined", "deletion-scheduled"],
      },
    });
    // Refused even under a broader policy attached later: a request without the flag, or with it false.
    const deny = statementsWith("Deny", "secretsmanager:PutResourcePolicy").find(
      (st) => st.Condition?.BoolIfExists !== undefined,
    );
    expect(deny).toMatchObject({
      Resource: "*",
      Condition: { BoolIfExists: { "secretsmanager:BlockPublicPolicy": "false" } },
    });
    expect(list(deny?.Action)).toEqual(["secretsmanager:PutResourcePolicy"]);
  });

  it("reads and writes the state table item by item, and no other table", () => {
    const dynamo = roleStatements().filter((st) => list(st.Action).some((a) => a.startsWith("dynamodb:")));
    expect(dynamo).toHaveLength(1);
    expect(dynamo[0]?.Effect).toBe("Allow");
    expect(list(dynamo[0]?.Action).sort()).toEqual([
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ]);
    expect(dynamo[0]?.Resource).toEqual(getAtt("StateTable"));
  });

  it.each([
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:RestoreSecret",
  ])("%s: on this account's and region's secrets", (action) => {
    const allow = onlyStatementWith("Allow", action);
    expect(arnText(allow.Resource)).toBe(`${SECRETS}*`);
  });

  it("deletes a resource policy only of a secret in the lifecycle, and cancels only deletions of such secrets", () => {
    expect(onlyStatementWith("Allow", "secretsmanager:DeleteResourcePolicy").Condition).toEqual({
      StringEquals: {
        "secretsmanager:ResourceTag/governor:stage": ["flagged", "quarantined", "deletion-scheduled"],
      },
    });
    expect(onlyStatementWith("Allow", "secretsmanager:RestoreSecret").Condition).toEqual({
      Null: { "secretsmanager:ResourceTag/governor:stage": "false" },
    });
  });

  it("reads Config compliance of this account's and region's rules and publishes audit events to the audit bus only", () => {
    const compliance = onlyStatementWith("Allow", "config:GetComplianceDetailsByConfigRule");
    expect(list(compliance.Action)).toEqual(["config:GetComplianceDetailsByConfigRule"]);
    expect(arnText(compliance.Resource)).toBe(
      `arn:\${AWS::Partition}:config:\${AWS::Region}:\${AWS::AccountId}:config-rule/*`,
    );
    expect(compliance.Condition).toBeUndefined();
    const rules = onlyStatementWith("Allow", "config:DescribeConfigRules");
    expect(list(rules.Action)).toEqual(["config:DescribeConfigRules"]);
    expect(rules.Resource).toBe("*");
    const events = onlyStatementWith("Allow", "events:PutEvents");
    expect(arnText(events.Resource)).toBe(
      `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/default`,
    );
  });

  it("consumes its event queues and keeps undelivered alerts in its own queue, nothing else", () => {
    const sqs = roleStatements().filter((st) => list(st.Action).some((a) => a.startsWith("sqs:")));
    expect(sqs).toHaveLength(2);
    const consume = sqs.find((st) => list(st.Action).includes("sqs:GetQueueAttributes"));
    expect(list(consume?.Action).sort()).toEqual([
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
    ]);
    expect(consume?.Resource).toEqual(ROUTES.map((r) => getAtt(`${r.id}Queue`)));
    const alerts = onlyStatementWith("Allow", "sqs:SendMessage");
    expect(list(alerts.Action).sort()).toEqual([
      "sqs:DeleteMessage",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]);
    expect(alerts.Resource).toEqual(getAtt("AlertDeadLetterQueue"));
  });

  it("writes logs to the governor's own log groups only", () => {
    for (const statement of roleStatements().filter((s) =>
      list(s.Action).some((a) => a.startsWith("logs:")),
    )) {
      for (const r of [statement.Resource].flat()) {
        expect(arnText(r)).toMatch(/:log-group:\/aws\/lambda\/secrets-governor-dev\*:\*/);
      }
    }
  });
});

describe("slack-action", () => {
  function slackStatements(): Statement[] {
    const policies = resource("SlackActionRole").Properties.Policies as {
      PolicyDocument: { Statement: Statement[] };
    }[];
    return policies.flatMap((p) => p.PolicyDocument.Statement);
  }
  const withAction = (effect: "Allow" | "Deny", action: string) =>
    slackStatements().filter((s) => s.Effect === effect && list(s.Action).includes(action));
  const SIGNING = [{ "Fn::Sub": `${SECRETS}secrets-governor/slack/signing-secret-??????` }];

  it("is served on a function URL with auth NONE (Slack signs its requests), with its own role and a bound", () => {
    const props = resource("SlackActionLambdaFunction").Properties;
    expect(props.Handler).toBe("handlers/slack-action.handler");
    expect(props.Runtime).toBe("nodejs22.x");
    expect(props.Role).toEqual(getAtt("SlackActionRole"));
    expect(props.ReservedConcurrentExecutions).toBe(5);
    // People's presses: 5 instances at 0.001 of the write quota, beside the governor's 0.5.
    expect(5 * Number(environmentOf("SlackAction").GOVERNOR_WRITE_SHARE)).toBeLessThanOrEqual(0.005);
    expect(props.Timeout).toBeLessThanOrEqual(10);
    expect(resource("SlackActionLambdaFunctionUrl").Properties).toMatchObject({
      AuthType: "NONE",
      InvokeMode: "RESPONSE_STREAM",
      TargetFunctionArn: getAtt("SlackActionLambdaFunction"),
    });
    const assume = resource("SlackActionRole").Properties.AssumeRolePolicyDocument as {
      Statement: Statement[];
    };
    expect(assume.Statement.map((s) => s.Principal)).toEqual([{ Service: "lambda.amazonaws.com" }]);
  });

  it("may keep, snooze and restore, and nothing else: no deletion, no listing, no wildcard", () => {
    const allowed = new Set(slackStatements().flatMap((s) => (s.Effect === "Allow" ? list(s.Action) : [])));
    expect([...allowed].sort()).toEqual(
      [
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "events:PutEvents",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "secretsmanager:DeleteResourcePolicy",
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutResourcePolicy",
        "secretsmanager:RestoreSecret",
        "secretsmanager:TagResource",
        "secretsmanager:UntagResource",
      ].sort(),
    );
    for (const statement of slackStatements()) {
      expect(statement.NotAction).toBeUndefined();
      if (statement.Effect === "Allow") expect(JSON.stringify(statement.Resource)).not.toBe('"*"');
    }
  });

  it("reads the signing secret only, by name, and changes neither it nor any exempt secret", () => {
    const [read] = withAction("Allow", "secretsmanager:GetSecretValue");
    expect(read?.Resource).toEqual(SIGNING);
    const [deny] = withAction("Deny", "secretsmanager:GetSecretValue");
    expect(deny?.NotResource).toEqual(SIGNING);
    const own = slackStatements().find((s) => s.Sid === "DenyChangingTheSlackAppSecrets");
    expect(own?.Resource).toEqual(SIGNING);
    expect(list(own?.Action)).toContain("secretsmanager:TagResource");
    const exempt = slackStatements().find((s) => s.Sid === "DenyTaggingExemptSecrets");
    expect(exempt?.Condition).toEqual({
      StringEqualsIgnoreCase: { "secretsmanager:ResourceTag/governor:exempt": "true" },
    });
  });

  it("writes only the Keep and Snooze tags, removes only governor: tags, never governor:exempt", () => {
    const [tag] = withAction("Allow", "secretsmanager:TagResource");
    expect(tag?.Condition).toEqual({
      "ForAllValues:StringEquals": {
        "aws:TagKeys": [
          "governor:kept-until",
          "governor:kept-by",
          "governor:snoozed-until",
          "governor:snoozed-by",
        ],
      },
      Null: { "aws:TagKeys": "false" },
    });
    const [untag] = withAction("Allow", "secretsmanager:UntagResource");
    expect(untag?.Condition).toEqual({
      "ForAllValues:StringLike": { "aws:TagKeys": "governor:*" },
      Null: { "aws:TagKeys": "false" },
    });
    const denyExemptKey = slackStatements().find((s) => s.Sid === "DenyChangingTheExemptTag");
    expect(denyExemptKey?.Condition).toEqual({
      "ForAnyValue:StringEquals": { "aws:TagKeys": "governor:exempt" },
    });
  });

  it("changes a resource policy only on a secret in the lifecycle and only with BlockPublicPolicy", () => {
    const [put] = withAction("Allow", "secretsmanager:PutResourcePolicy");
    expect(put?.Condition).toEqual({
      StringEquals: {
        "secretsmanager:ResourceTag/governor:stage": ["flagged", "quarantined", "deletion-scheduled"],
      },
    });
    const [deny] = withAction("Deny", "secretsmanager:PutResourcePolicy").filter(
      (s) => s.Condition?.BoolIfExists,
    );
    expect(deny?.Condition).toEqual({ BoolIfExists: { "secretsmanager:BlockPublicPolicy": "false" } });
  });

  it("counts refused requests from its log lines and alarms on any", () => {
    expect(resource("SlackActionRefusedFilter").Properties).toMatchObject({
      LogGroupName: { Ref: "SlackActionLogGroup" },
      FilterPattern: '{ $.message = "slack action refused" && $.slackActionRefused > 0 }',
      MetricTransformations: [{ MetricNamespace: "SecretsGovernor/dev", MetricName: "SlackActionsRefused" }],
    });
    expect(resource("SlackActionRefusedAlarm").Properties).toMatchObject({
      MetricName: "SlackActionsRefused",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
  });
});

async function cfnLint(file: string): Promise<void> {
  const { stdout, stderr } = await run("bash", ["scripts/cfn-lint.sh", file], {
    cwd: root,
    timeout: 120_000,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`cfn-lint failed:\n${error.stdout ?? ""}${error.stderr ?? error.message}`);
  });
  expect(stdout.trim()).toBe("");
  expect(stderr.trim()).toBe("");
}

describe("cfn-lint", () => {
  it("finds nothing in the packaged template", async () => {
    await cfnLint(join(outDir, "cloudformation-template-update-stack.json"));
  }, 130_000);

  it("finds nothing with an OrgBusArn either (the org forwarding resources then exist)", async () => {
    // Packaging with --param=orgBusArn=... only changes the parameter's default; so does this.
    const withBus = structuredClone(template);
    (withBus.Parameters.OrgBusArn as { Default: string }).Default = ORG_BUS;
    const file = join(outDir, "with-org-bus.json");
    writeFileSync(file, JSON.stringify(withBus));
    await cfnLint(file);
  }, 130_000);
});

const ORG_BUS = "arn:aws:events:eu-west-1:999988887777:event-bus/secrets-governor-org";

describe("organization plane, member side", () => {
  const ORG_RESOURCES = [
    "OrgForwardRule",
    "OrgForwardRole",
    "OrgForwardDeadLetterQueue",
    "OrgForwardDeadLetterQueuePolicy",
    "OrgForwardDeadLetterAlarm",
    "SweepOrgReportFailedFilter",
    "OrgReportFailuresAlarm",
  ];

  it("is off unless the stack parameter OrgBusArn names a bus: every org resource has the condition", () => {
    const parameter = template.Parameters.OrgBusArn as { Default: string; AllowedPattern: string };
    expect(parameter.Default).toBe("");
    const pattern = new RegExp(parameter.AllowedPattern);
    expect(pattern.test("")).toBe(true);
    expect(pattern.test(ORG_BUS)).toBe(true);
    expect(pattern.test("arn:aws:sqs:eu-west-1:999988887777:queue")).toBe(false);
    expect(template.Conditions.HasOrgBus).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "OrgBusArn" }, ""] }],
    });
    const conditional = Object.entries(template.Resources)
      .filter(([, r]) => r.Condition === "HasOrgBus")
      .map(([id]) => id);
    expect(conditional.sort()).toEqual([...ORG_RESOURCES].sort());
  });

  it("forwards every event of the governor's source on the audit bus to the org bus, with a role", () => {
    const rule = resource("OrgForwardRule").Properties;
    expect(rule).toMatchObject({
      Name: "secrets-governor-dev-org-forward",
      EventBusName: "default",
      EventPattern: { source: ["secrets-governor"] },
      State: "ENABLED",
    });
    expect(rule.Targets).toEqual([
      {
        Id: "org-bus",
        Arn: { Ref: "OrgBusArn" },
        RoleArn: getAtt("OrgForwardRole"),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        DeadLetterConfig: { Arn: getAtt("OrgForwardDeadLetterQueue") },
      },
    ]);
  });

  it("lets only EventBridge, for this account's forwarding rule, assume the role, which may only PutEvents on the org bus", () => {
    const role = resource("OrgForwardRole").Properties as {
      AssumeRolePolicyDocument: { Statement: Statement[] };
      Policies: { PolicyDocument: { Statement: Statement[] } }[];
      ManagedPolicyArns?: unknown;
    };
    const rulePath = `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/`;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
          ArnEquals: {
            "aws:SourceArn": [
              { "Fn::Sub": `${rulePath}secrets-governor-dev-org-forward` },
              { "Fn::Sub": `${rulePath}default/secrets-governor-dev-org-forward` },
            ],
          },
        },
      },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      {
        Sid: "PutEventsOnTheOrgBus",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: { Ref: "OrgBusArn" },
      },
    ]);
  });

  it("tells the sweep where the org bus is and how often it runs; the governor's role still puts on the audit bus only", () => {
    expect(environmentOf("Sweep")).toMatchObject({
      GOVERNOR_ORG_BUS_ARN: { Ref: "OrgBusArn" },
      GOVERNOR_SWEEP_SCHEDULE: { Ref: "SweepSchedule" },
    });
    expect(environmentOf("ConfigCompliance").GOVERNOR_ORG_BUS_ARN).toBeUndefined();
    const events = onlyStatementWith("Allow", "events:PutEvents");
    expect(arnText(events.Resource)).toMatch(/:event-bus\/default$/);
  });

  it("counts the sweep's unsent org reports and alarms on any", () => {
    expect(resource("SweepOrgReportFailedFilter").Properties).toMatchObject({
      LogGroupName: { Ref: "SweepLogGroup" },
      FilterPattern: "{ $.orgReportFailed > 0 }",
      MetricTransformations: [
        {
          MetricNamespace: "SecretsGovernor/dev",
          MetricName: "OrgReportFailures",
          MetricValue: "$.orgReportFailed",
          Unit: "Count",
        },
      ],
    });
    expect(resource("OrgReportFailuresAlarm").Properties).toMatchObject({
      Namespace: "SecretsGovernor/dev",
      MetricName: "OrgReportFailures",
      Threshold: 0,
    });
  });
});
