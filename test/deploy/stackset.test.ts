import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetCommand,
  ListStackInstancesCommand,
} from "@aws-sdk/client-cloudformation";
import { EventBridgeClient, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEMPLATE_BODY_MAX_BYTES } from "../../src/cli/stackset-template.js";
import { runCli } from "../helpers/cli.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";

/**
 * `governor org stackset` on the real packaged template (scripts/package.sh, offline): its output passes
 * cfn-lint, and a service-managed StackSet made from it deploys on moto_server to every account of an OU in two
 * regions, each function's code taken from that region's artifacts bucket. moto creates the stack instances'
 * resources for real (it fetches each function's zip from S3), but it does not enforce the 51,200-byte
 * TemplateBody limit, so the body is sent whole here; in AWS a template over it goes by --template-url.
 */

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const REGIONS = ["us-east-1", "eu-west-1"];
const PREFIX = "governor-artifacts";
const URL = `https://${PREFIX}-us-east-1.s3.us-east-1.amazonaws.com/secrets-governor/stackset.json`;

let outDir = "";
let moto: Moto;
let stackSetFile = "";
let printed = "";

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "governor-stackset-"));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir(), CI: "true" };
  const [started] = await Promise.all([
    startMoto(),
    run("bash", ["scripts/package.sh", "--stage", "dev", "--package", outDir], {
      cwd: root,
      env,
      timeout: 280_000,
      maxBuffer: 16 * 1024 * 1024,
    }),
  ]);
  moto = started;
  stackSetFile = join(outDir, "stackset.json");
  const { code, stdout, stderr } = await runCli(
    "org",
    "stackset",
    "--template",
    join(outDir, "cloudformation-template-update-stack.json"),
    "--artifacts-bucket-prefix",
    PREFIX,
    "--regions",
    REGIONS.join(","),
    "--ou",
    "ou-ab12-34cd56ef",
    "--out",
    stackSetFile,
    "--template-url",
    URL,
  );
  if (code !== 0) throw new Error(`governor org stackset failed: ${stderr}`);
  printed = stdout;
}, 300_000);

afterAll(async () => {
  await moto?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const credentials: { accessKeyId: string; secretAccessKey: string } = {
  accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY,
};
const config = (region = "us-east-1", creds: typeof credentials = credentials) => ({
  endpoint: moto.endpoint,
  region,
  credentials: creds,
  maxAttempts: 1,
});

/**
 * A request to moto's S3. moto reads the service, region and access key from the Authorization header and checks
 * no signature, so a header of the right shape is enough (and spares the tests an S3 client dependency).
 */
async function s3(method: "PUT", path: string, body?: Buffer): Promise<void> {
  const response = await fetch(`${moto.endpoint}${path}`, {
    method,
    headers: {
      Authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20261206/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0`,
    },
    ...(body ? { body } : {}),
  });
  if (!response.ok) throw new Error(`moto S3 ${method} ${path}: ${response.status} ${await response.text()}`);
}

describe("governor org stackset on the packaged template", () => {
  it("has no deployment bucket, takes the code from the artifacts buckets and is compact", () => {
    const template = JSON.parse(readFileSync(stackSetFile, "utf8")) as {
      Resources: Record<string, { Type: string; Properties: { Code?: unknown } }>;
      Parameters: Record<string, { Default?: string }>;
    };
    const text = readFileSync(stackSetFile, "utf8").trimEnd();
    expect(text).toBe(JSON.stringify(template));
    expect(text).not.toContain("ServerlessDeploymentBucket");
    const functions = Object.values(template.Resources).filter((r) => r.Type === "AWS::Lambda::Function");
    // The four governance functions and the Slack button handler.
    expect(functions).toHaveLength(5);
    for (const fn of functions)
      expect(fn.Properties.Code).toEqual({
        S3Bucket: { "Fn::Sub": `\${ArtifactsBucketPrefix}-\${AWS::Region}` },
        S3Key: { "Fn::Sub": expect.stringMatching(/^\$\{ArtifactsKeyPrefix\}\w+\.zip$/) },
      });
    expect(template.Parameters.ArtifactsBucketPrefix?.Default).toBe(PREFIX);
    expect(template.Parameters.OrgBusArn?.Default).toBe("");
    expect(printed).toMatch(/^# StackSet template: \d+ bytes, written to /);
    const bytes = Number(/StackSet template: (\d+) bytes/.exec(printed)?.[1]);
    expect(bytes).toBe(Buffer.byteLength(text));
    // Half of the packaged template, pretty-printed as osls writes it.
    expect(bytes).toBeLessThan(
      readFileSync(join(outDir, "cloudformation-template-update-stack.json")).length / 1.5,
    );
    expect(printed).toContain(`  --template-url ${URL} \\\n`);
    expect(bytes > TEMPLATE_BODY_MAX_BYTES || printed.includes("--template-url")).toBe(true);
  });

  it("passes cfn-lint", async () => {
    const { stdout, stderr } = await run("bash", ["scripts/cfn-lint.sh", stackSetFile], {
      cwd: root,
      timeout: 120_000,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`cfn-lint failed:\n${error.stdout ?? ""}${error.stderr ?? error.message}`);
    });
    expect(stdout.trim()).toBe("");
    expect(stderr.trim()).toBe("");
  }, 130_000);

  it("deploys as a service-managed StackSet to every account of the OU, in each region (moto_server)", async () => {
    // Prepare: an organization whose OU holds two member accounts, and the artifacts buckets the commands fill.
    const org = new OrganizationsClient(config());
    await org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
    const ou = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "workloads" })))
      .OrganizationalUnit?.Id as string;
    const members: string[] = [];
    for (const n of [1, 2]) {
      const status = (
        await org.send(
          new CreateAccountCommand({ AccountName: `member-${n}`, Email: `member-${n}@example.com` }),
        )
      ).CreateAccountStatus;
      const id = status?.AccountId as string;
      await org.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: ou }),
      );
      members.push(id);
    }
    const zips = readdirSync(outDir).filter((f) => f.endsWith(".zip"));
    expect(zips.sort()).toEqual([
      "accessFailure.zip",
      "configCompliance.zip",
      "rotationFailure.zip",
      "slackAction.zip",
      "sweep.zip",
    ]);
    for (const region of REGIONS) {
      await s3("PUT", `/${PREFIX}-${region}`);
      for (const zip of zips)
        await s3("PUT", `/${PREFIX}-${region}/secrets-governor/${zip}`, readFileSync(join(outDir, zip)));
    }
    // The upload commands name exactly these objects.
    for (const region of REGIONS)
      for (const zip of zips)
        expect(printed).toContain(`s3://${PREFIX}-${region}/secrets-governor/${zip} --region ${region}\n`);

    // Act: what the printed create-stack-set and create-stack-instances commands do.
    const cloudformation = new CloudFormationClient(config());
    await cloudformation.send(
      new CreateStackSetCommand({
        StackSetName: "secrets-governor",
        TemplateBody: withoutUnemulatedOutputs(readFileSync(stackSetFile, "utf8")),
        PermissionModel: "SERVICE_MANAGED",
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        Capabilities: ["CAPABILITY_NAMED_IAM"],
        Parameters: [{ ParameterKey: "Mode", ParameterValue: "report" }],
      }),
    );
    await cloudformation.send(
      new CreateStackInstancesCommand({
        StackSetName: "secrets-governor",
        DeploymentTargets: { OrganizationalUnitIds: [ou] },
        Regions: REGIONS,
      }),
    );

    // Assess: one current instance per member account and region, whose resources exist in that account.
    const stackSet = (
      await cloudformation.send(new DescribeStackSetCommand({ StackSetName: "secrets-governor" }))
    ).StackSet;
    expect(stackSet?.PermissionModel).toBe("SERVICE_MANAGED");
    const instances = (
      await cloudformation.send(new ListStackInstancesCommand({ StackSetName: "secrets-governor" }))
    ).Summaries;
    expect(instances?.map((i) => `${i.Account} ${i.Region} ${i.Status}`).sort()).toEqual(
      members.flatMap((m) => REGIONS.map((r) => `${m} ${r} CURRENT`)).sort(),
    );
    const sts = new STSClient(config());
    for (const member of members) {
      const assumed = (
        await sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
            RoleSessionName: "check",
          }),
        )
      ).Credentials;
      const creds = {
        accessKeyId: assumed?.AccessKeyId as string,
        secretAccessKey: assumed?.SecretAccessKey as string,
      };
      for (const region of REGIONS) {
        const rules = await new EventBridgeClient(config(region, creds)).send(new ListRulesCommand({}));
        expect(rules.Rules?.map((r) => r.Name).sort(), `${member} ${region}`).toEqual(
          expect.arrayContaining(["secrets-governor-dev-sweep", "secrets-governor-dev-config-compliance"]),
        );
        // No OrgBusArn given: no forwarding rule.
        expect(rules.Rules?.map((r) => r.Name)).not.toContain("secrets-governor-dev-org-forward");
      }
    }
  }, 120_000);
});

/**
 * moto 5.2 has no CloudFormation support for AWS::Lambda::Url (the Slack button function's URL): it skips the
 * resource, then fails the whole stack (HTTP 500) on the output that reads its FunctionUrl. The outputs that read
 * such a resource are dropped for moto only; the template itself, as printed, passes cfn-lint above.
 */
function withoutUnemulatedOutputs(body: string): string {
  const template = JSON.parse(body) as {
    Resources: Record<string, { Type: string }>;
    Outputs?: Record<string, unknown>;
  };
  const unemulated = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === "AWS::Lambda::Url")
    .map(([id]) => id);
  expect(unemulated).toEqual(["SlackActionLambdaFunctionUrl"]);
  for (const [name, output] of Object.entries(template.Outputs ?? {}))
    if (unemulated.some((id) => JSON.stringify(output).includes(`"${id}"`))) delete template.Outputs?.[name];
  return JSON.stringify(template);
}
