import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Packages the central stack (org/serverless.yml) once, offline and without credentials, as
 * test/deploy/package.test.ts does for the member stack, then checks the template: the bus open to the
 * organization only, the rule, queues and policies, the table, one least-privilege role per function, the
 * alarms, and cfn-lint.
 */

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

interface Resource {
  Type: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties: Record<string, unknown>;
}
interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Template {
  Parameters: Record<string, { Default?: string; AllowedPattern?: string }>;
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

let outDir = "";
let template: Template;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "governor-org-package-"));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir(), CI: "true" };
  await run(
    "bash",
    ["scripts/package-org.sh", "--stage", "dev", "--region", "us-east-1", "--package", outDir],
    {
      cwd: root,
      env,
      timeout: 280_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
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
const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const getAtt = (id: string, attribute = "Arn") => ({ "Fn::GetAtt": [id, attribute] });
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function statementsOf(roleId: string): Statement[] {
  const policies = resource(roleId).Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

describe("the central bus", () => {
  it("lets only principals of the organization put events, by the OrganizationId parameter", () => {
    const policies = ofType("AWS::Events::EventBusPolicy");
    expect(policies).toHaveLength(1);
    const props = resource("OrgEventBusPolicy").Properties;
    expect(props.EventBusName).toEqual({ Ref: "OrgEventBus" });
    expect(props.Statement).toEqual({
      Sid: "OrganizationMembersPutEvents",
      Effect: "Allow",
      Principal: "*",
      Action: "events:PutEvents",
      Resource: getAtt("OrgEventBus"),
      Condition: { StringEquals: { "aws:PrincipalOrgID": { Ref: "OrganizationId" } } },
    });
    // Empty unless the deployment names its organization (--param="organizationId=o-..."): then no principal
    // matches, and the bus stays closed.
    expect(template.Parameters.OrganizationId?.Default).toBe("");
    const pattern = new RegExp(template.Parameters.OrganizationId?.AllowedPattern ?? "");
    expect(["o-a1b2c3d4e5", ""].map((v) => pattern.test(v))).toEqual([true, true]);
    expect(["o-short", "111122223333", "*"].map((v) => pattern.test(v))).toEqual([false, false, false]);
    expect(template.Outputs.OrgBusArn?.Value).toEqual(getAtt("OrgEventBus"));
  });

  it("takes the organization from --param=organizationId as the parameter's default", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-org-param-"));
    try {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME ?? tmpdir(),
        CI: "true",
      };
      await run("bash", ["scripts/package-org.sh", "--package", dir, "--param=organizationId=o-a1b2c3d4e5"], {
        cwd: root,
        env,
        timeout: 280_000,
      });
      const named = JSON.parse(readFileSync(join(dir, "cloudformation-template-update-stack.json"), "utf8"));
      expect(named.Parameters.OrganizationId.Default).toBe("o-a1b2c3d4e5");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it("routes the governor's three detail-types to the queue, with retries and a dead-letter queue", () => {
    const rule = resource("OrgEventsRule").Properties;
    expect(rule.EventBusName).toEqual({ Ref: "OrgEventBus" });
    expect(rule.EventPattern).toEqual(
      JSON.parse(readFileSync(join(root, "rules", "org-events.json"), "utf8")),
    );
    expect(rule.EventPattern).toEqual({
      source: ["secrets-governor"],
      "detail-type": ["Secrets Governor Action", "Secrets Governor Summary", "Secrets Governor Heartbeat"],
    });
    expect(rule.Targets).toEqual([
      {
        Id: "buffer",
        Arn: getAtt("OrgEventsQueue"),
        RetryPolicy: {
          MaximumRetryAttempts: expect.any(Number),
          MaximumEventAgeInSeconds: expect.any(Number),
        },
        DeadLetterConfig: { Arn: getAtt("OrgEventsDeadLetterQueue") },
      },
    ]);
  });
});

describe("queues", () => {
  it("every queue is encrypted and has a policy that denies every sender but its rule", () => {
    const queues = ofType("AWS::SQS::Queue").map(([id]) => id);
    expect(queues.sort()).toEqual(["DigestDeadLetterQueue", "OrgEventsDeadLetterQueue", "OrgEventsQueue"]);
    for (const id of queues) {
      expect(resource(id).Properties.SqsManagedSseEnabled, id).toBe(true);
      const rule = id.startsWith("Digest") ? "DigestRule" : "OrgEventsRule";
      const policies = ofType("AWS::SQS::QueuePolicy").filter(
        ([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: id }]),
      );
      expect(policies, id).toHaveLength(1);
      const statements = (policies[0]?.[1].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements).toContainEqual({
        Sid: "DenyEveryOtherSender",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:SendMessage",
        Resource: getAtt(id),
        Condition: {
          ArnNotEquals: { "aws:SourceArn": getAtt(rule) },
          StringNotEquals: { "aws:PrincipalArn": { "Fn::Split": [",", { Ref: "RedrivePrincipals" }] } },
        },
      });
      expect(statements.filter((s) => s.Effect === "Allow")).toEqual([
        expect.objectContaining({
          Principal: { Service: "events.amazonaws.com" },
          Condition: { ArnEquals: { "aws:SourceArn": getAtt(rule) } },
        }),
      ]);
    }
  });

  it("the aggregator drains the queue in partial batches; visibility is 6x its timeout; failures dead-letter", () => {
    const [[, mapping] = ["", resource("missing")]] = ofType("AWS::Lambda::EventSourceMapping");
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: getAtt("OrgEventsQueue"),
      FunctionName: getAtt("AggregateLambdaFunction"),
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    const queue = resource("OrgEventsQueue").Properties;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * (resource("AggregateLambdaFunction").Properties.Timeout as number),
    );
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt("OrgEventsDeadLetterQueue"),
      maxReceiveCount: 5,
    });
  });
});

describe("the central table", () => {
  it("is on-demand, keyed pk/sk, with point-in-time recovery, retained", () => {
    const table = resource("OrgStateTable");
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
    expect(table.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe("functions and roles", () => {
  it.each([
    ["Aggregate", "handlers/aggregate", "OrgAggregateRole"],
    ["Digest", "handlers/digest", "OrgDigestRole"],
  ])("%s runs %s.handler on nodejs22.x with its own role", (id, handler, role) => {
    const props = resource(`${id}LambdaFunction`).Properties;
    expect(props.Handler).toBe(`${handler}.handler`);
    expect(props.Runtime).toBe("nodejs22.x");
    expect(props.Role).toEqual(getAtt(role));
    expect(
      (props.Environment as { Variables: Record<string, unknown> }).Variables.GOVERNOR_ORG_TABLE,
    ).toEqual({
      Ref: "OrgStateTable",
    });
  });

  it("has exactly the two roles, and no framework-wide role", () => {
    expect(
      ofType("AWS::IAM::Role")
        .map(([id]) => id)
        .sort(),
    ).toEqual(["OrgAggregateRole", "OrgDigestRole"]);
  });

  const allowed = (role: string) =>
    statementsOf(role)
      .filter((s) => s.Effect === "Allow")
      .flatMap((s) => list(s.Action))
      .sort();

  it("the aggregator may read its queue and update the table, nothing else", () => {
    expect(allowed("OrgAggregateRole")).toEqual([
      "dynamodb:UpdateItem",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
    ]);
    const write = statementsOf("OrgAggregateRole").find((s) =>
      list(s.Action).includes("dynamodb:UpdateItem"),
    );
    expect(write?.Resource).toEqual(getAtt("OrgStateTable"));
  });

  it("the digest may query the account-region partition only, and read its one webhook secret by name", () => {
    expect(allowed("OrgDigestRole")).toEqual([
      "dynamodb:Query",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "secretsmanager:GetSecretValue",
    ]);
    const statements = statementsOf("OrgDigestRole");
    const query = statements.find((s) => list(s.Action).includes("dynamodb:Query"));
    expect(query?.Condition).toEqual({
      "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["ACCOUNT_REGIONS"] },
    });
    const webhook = {
      "Fn::Sub":
        // Fn::Sub text, as the template holds it.
        `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:\${OrgWebhookSecret}-??????`,
    };
    expect(
      statements.find((s) => s.Effect === "Allow" && list(s.Action).includes("secretsmanager:GetSecretValue"))
        ?.Resource,
    ).toEqual(webhook);
    expect(statements.find((s) => s.Effect === "Deny")).toEqual(
      expect.objectContaining({
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"],
        NotResource: webhook,
      }),
    );
    expect(template.Parameters.OrgWebhookSecret?.Default).toBe("secrets-governor/slack/org");
  });

  it("no wildcard action anywhere", () => {
    for (const role of ["OrgAggregateRole", "OrgDigestRole"])
      for (const s of statementsOf(role)) for (const a of list(s.Action)) expect(a, role).not.toContain("*");
  });
});

describe("alarms", () => {
  const alarms = () => ofType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
  it.each([
    ["RefusedEvents", '{ $.message = "org batch summary" && $.refused > 0 }'],
    ["StateStoreUnavailable", "{ $.stateStoreUnavailable > 0 }"],
    ["SlackDeliveryFailures", "{ $.slackDeliveryFailed > 0 }"],
    ["SilentGovernors", '{ $.message = "org digest" && $.silent > 0 }'],
  ])("counts %s from the log lines and alarms on any", (metric, pattern) => {
    const filters = ofType("AWS::Logs::MetricFilter")
      .map(([, f]) => f.Properties)
      .filter((f) => JSON.stringify(f.MetricTransformations).includes(`"${metric}"`));
    expect(filters.map((f) => f.FilterPattern)).toEqual([pattern]);
    expect(alarms()).toContainEqual(
      expect.objectContaining({ Namespace: "SecretsGovernorOrg/dev", MetricName: metric, Threshold: 0 }),
    );
  });

  it("counts refused events by reason", () => {
    expect(resource("OrgRefusedEventsByReasonFilter").Properties).toMatchObject({
      FilterPattern: '{ $.message = "org event refused" }',
      MetricTransformations: [
        expect.objectContaining({
          MetricName: "RefusedEventsByReason",
          Dimensions: [{ Key: "reason", Value: "$.reason" }],
        }),
      ],
    });
  });

  it.each(["OrgEventsDeadLetterQueue", "DigestDeadLetterQueue"])("alarms on any message in %s", (queue) => {
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: getAtt(queue, "QueueName") }],
        Threshold: 0,
      }),
    );
  });
});

describe("cfn-lint", () => {
  it("finds nothing in the packaged template", async () => {
    // W3005: the framework adds DependsOn on a function's custom role, which its Role GetAtt already implies.
    const { stdout } = await run(
      "bash",
      [
        "scripts/cfn-lint.sh",
        join(outDir, "cloudformation-template-update-stack.json"),
        "--ignore-checks",
        "W3005",
      ],
      { cwd: root, timeout: 120_000 },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`cfn-lint failed:\n${error.stdout ?? ""}${error.stderr ?? error.message}`);
    });
    expect(stdout.trim()).toBe("");
  }, 130_000);
});
