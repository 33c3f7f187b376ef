import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { s3UriOf, shellWord } from "../../src/cli/org-stackset.js";
import { TEMPLATE_BODY_MAX_BYTES, toStackSetTemplate } from "../../src/cli/stackset-template.js";
import { InputError } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";

/** A packaged template as osls writes it, reduced to what the transform touches. */
function packaged(padding = 0): Record<string, unknown> {
  const fn = (zip: string) => ({
    Type: "AWS::Lambda::Function",
    Properties: {
      Code: {
        S3Bucket: { Ref: "ServerlessDeploymentBucket" },
        S3Key: `serverless/secrets-governor/dev/1700000000-2026/${zip}`,
      },
      Handler: "handlers/sweep.handler",
      Description: "x".repeat(padding),
    },
  });
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Parameters: { Mode: { Type: "String", Default: "report" } },
    Resources: {
      ServerlessDeploymentBucket: { Type: "AWS::S3::Bucket", Properties: {} },
      ServerlessDeploymentBucketPolicy: {
        Type: "AWS::S3::BucketPolicy",
        Properties: { Bucket: { Ref: "ServerlessDeploymentBucket" } },
      },
      SweepLambdaFunction: fn("sweep.zip"),
      AccessFailureLambdaFunction: fn("accessFailure.zip"),
      Queue: { Type: "AWS::SQS::Queue", Properties: {} },
    },
    Outputs: {
      ServerlessDeploymentBucketName: { Value: { Ref: "ServerlessDeploymentBucket" } },
      GovernorRoleArn: { Value: "x" },
    },
  };
}

const OPTIONS = { artifactsBucketPrefix: "acme-artifacts", artifactsKeyPrefix: "secrets-governor/prod/" };

describe("toStackSetTemplate", () => {
  it("drops the deployment bucket and takes each function's code from its region's artifacts bucket", () => {
    const { template, body, bytes, artifacts } = toStackSetTemplate(packaged(), OPTIONS);
    const resources = template.Resources as Record<string, { Properties: { Code?: unknown } }>;
    expect(Object.keys(resources)).toEqual(["SweepLambdaFunction", "AccessFailureLambdaFunction", "Queue"]);
    expect(resources.SweepLambdaFunction?.Properties.Code).toEqual({
      S3Bucket: { "Fn::Sub": `\${ArtifactsBucketPrefix}-\${AWS::Region}` },
      S3Key: { "Fn::Sub": `\${ArtifactsKeyPrefix}sweep.zip` },
    });
    expect(artifacts).toEqual(["sweep.zip", "accessFailure.zip"]);
    expect(template.Outputs).toEqual({ GovernorRoleArn: { Value: "x" } });
    expect(template.Parameters).toMatchObject({
      Mode: { Type: "String", Default: "report" },
      ArtifactsBucketPrefix: { Type: "String", Default: "acme-artifacts" },
      ArtifactsKeyPrefix: { Type: "String", Default: "secrets-governor/prod/" },
    });
    // Compact: what is sent is what is counted.
    expect(body).toBe(JSON.stringify(template));
    expect(body).not.toContain("\n");
    expect(bytes).toBe(Buffer.byteLength(body));
    expect(body).not.toContain("ServerlessDeploymentBucket");
  });

  it("leaves the packaged template as it was", () => {
    const input = packaged();
    const before = JSON.stringify(input);
    toStackSetTemplate(input, OPTIONS);
    expect(JSON.stringify(input)).toBe(before);
  });

  it.each([
    [
      "a bucket prefix with capitals",
      { ...OPTIONS, artifactsBucketPrefix: "Acme" },
      /artifacts bucket prefix/,
    ],
    [
      "a key prefix without its trailing slash",
      { ...OPTIONS, artifactsKeyPrefix: "governor" },
      /artifacts key prefix/,
    ],
  ])("refuses %s", (_, options, message) => {
    expect(() => toStackSetTemplate(packaged(), options)).toThrow(message);
  });

  it.each([
    ["not a template", { hello: 1 }, /not a CloudFormation template/],
    ["no function", { Resources: { Q: { Type: "AWS::SQS::Queue" } } }, /no Lambda function/],
    [
      "a function without packaged code",
      { Resources: { F: { Type: "AWS::Lambda::Function", Properties: { Code: { ZipFile: "x" } } } } },
      /function F has no packaged code/,
    ],
    [
      "another reference to the deployment bucket",
      {
        Resources: {
          ...(packaged().Resources as object),
          Other: { Type: "AWS::SQS::QueuePolicy", Properties: { X: { Ref: "ServerlessDeploymentBucket" } } },
        },
      },
      /still refers to ServerlessDeploymentBucket/,
    ],
  ])("refuses %s", (_, input, message) => {
    expect(() => toStackSetTemplate(input, OPTIONS)).toThrow(InputError);
    expect(() => toStackSetTemplate(input, OPTIONS)).toThrow(message);
  });
});

describe("helpers", () => {
  it.each([
    ["eu-west-1", "eu-west-1"],
    ["file://stack set.json", "'file://stack set.json'"],
    ["it's", "'it'\\''s'"],
  ])("shellWord(%j) = %s", (value, word) => {
    expect(shellWord(value)).toBe(word);
  });

  it.each([
    ["https://acme.s3.eu-west-1.amazonaws.com/governor/stackset.json", "s3://acme/governor/stackset.json"],
    ["https://acme.s3.amazonaws.com/stackset.json", "s3://acme/stackset.json"],
    ["https://s3.eu-west-1.amazonaws.com/acme/a/b.json", "s3://acme/a/b.json"],
    ["https://example.com/stackset.json", undefined],
  ])("s3UriOf(%s)", (url, uri) => {
    expect(s3UriOf(url)).toBe(uri);
  });
});

describe("governor org stackset", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function packageDir(template: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), "stackset-"));
    dirs.push(dir);
    writeFileSync(join(dir, "cloudformation-template-update-stack.json"), JSON.stringify(template, null, 2));
    return dir;
  }
  const base = (dir: string) => [
    "org",
    "stackset",
    "--template",
    join(dir, "cloudformation-template-update-stack.json"),
    "--artifacts-bucket-prefix",
    "acme-artifacts",
    "--regions",
    "eu-west-1,us-east-1",
    "--ou",
    "ou-ab12-34cd56ef,ou-ab12-99zz88yy",
  ];

  it("writes the template with --out and prints the uploads and the service-managed StackSet commands", async () => {
    const dir = packageDir(packaged());
    const out = join(dir, "stackset.json");
    const { code, stdout, stderr } = await runCli(
      ...base(dir),
      "--out",
      out,
      "--org-bus-arn",
      "arn:aws:events:eu-west-1:999988887777:event-bus/secrets-governor-org",
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(
      toStackSetTemplate(packaged(), { ...OPTIONS, artifactsKeyPrefix: "secrets-governor/" }).template,
    );
    expect(stdout).toContain(
      `aws s3 cp ${join(dir, "sweep.zip")} s3://acme-artifacts-eu-west-1/secrets-governor/sweep.zip --region eu-west-1\n`,
    );
    expect(stdout).toContain(
      `aws s3 cp ${join(dir, "accessFailure.zip")} s3://acme-artifacts-us-east-1/secrets-governor/accessFailure.zip --region us-east-1\n`,
    );
    expect(stdout).toContain(
      [
        "aws cloudformation create-stack-set --stack-set-name secrets-governor \\",
        `  --template-body file://${out} \\`,
        "  --permission-model SERVICE_MANAGED \\",
        "  --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false \\",
        "  --capabilities CAPABILITY_NAMED_IAM \\",
        "  --parameters ParameterKey=Mode,ParameterValue=report ParameterKey=OrgBusArn,ParameterValue=arn:aws:events:eu-west-1:999988887777:event-bus/secrets-governor-org",
      ].join("\n"),
    );
    expect(stdout).toContain(
      [
        "aws cloudformation create-stack-instances --stack-set-name secrets-governor \\",
        "  --deployment-targets OrganizationalUnitIds=ou-ab12-34cd56ef,ou-ab12-99zz88yy \\",
        "  --regions eu-west-1 us-east-1 \\",
      ].join("\n"),
    );
  });

  it("prints the template on stdout and the commands on stderr without --out", async () => {
    const dir = packageDir(packaged());
    const { code, stdout, stderr } = await runCli(...base(dir));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      Parameters: { ArtifactsBucketPrefix: { Default: "acme-artifacts" } },
    });
    expect(stderr).toContain("--template-body file://stackset.json");
  });

  it(`refuses a template over ${TEMPLATE_BODY_MAX_BYTES} bytes without --template-url, and takes it with one`, async () => {
    const dir = packageDir(packaged(TEMPLATE_BODY_MAX_BYTES));
    const out = join(dir, "stackset.json");
    const refused = await runCli(...base(dir), "--out", out);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(
      /bytes, over the 51200 bytes CloudFormation takes as --template-body: upload .*stackset\.json to S3/,
    );
    // Written all the same, so that it can be uploaded.
    expect(readFileSync(out, "utf8").length).toBeGreaterThan(TEMPLATE_BODY_MAX_BYTES);

    const url = "https://acme-artifacts-eu-west-1.s3.eu-west-1.amazonaws.com/secrets-governor/stackset.json";
    const taken = await runCli(...base(dir), "--out", out, "--template-url", url);
    expect(taken.code).toBe(0);
    expect(taken.stdout).toContain(
      `aws s3 cp ${out} s3://acme-artifacts-eu-west-1/secrets-governor/stackset.json\n`,
    );
    expect(taken.stdout).toContain(`  --template-url ${url} \\\n`);
    expect(taken.stdout).not.toContain("--template-body file://");
  });

  it.each([
    [["--regions", "Europe"], /--regions: 'Europe' is not one/],
    [["--ou", "engineering"], /--ou: 'engineering' is not one/],
    [["--mode", "yolo"], /--mode must be report or enforce/],
    [["--org-bus-arn", "arn:aws:sqs:eu-west-1:999988887777:q"], /--org-bus-arn: not an event bus ARN/],
    [["--template-url", "http://example.com/t.json"], /--template-url: an https:\/\/ URL/],
  ])("%j: exit 2", async (extra, message) => {
    const dir = packageDir(packaged());
    const { code, stderr } = await runCli(...base(dir), ...extra);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("needs a packaged template", async () => {
    const { code, stderr } = await runCli(
      "org",
      "stackset",
      "--template",
      "/nonexistent/template.json",
      "--artifacts-bucket-prefix",
      "acme",
      "--regions",
      "eu-west-1",
      "--ou",
      "r-ab12",
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read packaged template \(npm run package\) \/nonexistent\/template\.json/);
  });
});
