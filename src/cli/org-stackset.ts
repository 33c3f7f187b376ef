import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { InputError } from "../errors.js";
import { parseCommandArgs } from "./args.js";
import { parseJson } from "./event-files.js";
import { readText, type Terminal } from "./io.js";
import { artifactsBucket, TEMPLATE_BODY_MAX_BYTES, toStackSetTemplate } from "./stackset-template.js";
import { UsageError } from "./usage.js";

const COMMAND = "org stackset";
export const DEFAULT_TEMPLATE = ".serverless/cloudformation-template-update-stack.json";
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** An organizational unit id, or the root's (StackSets deploys to every account under it). */
const OU_RE = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const STACK_SET_RE = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const ORG_BUS_RE = /^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus\/[A-Za-z0-9._/-]+$/;
const TEMPLATE_URL_RE = /^https:\/\/[a-z0-9.-]+\.amazonaws\.com(\.cn)?\/\S+$/;

/** A word for a POSIX shell: as it is when nothing in it is special, else single-quoted. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function list(value: string | undefined, what: string, pattern: RegExp): string[] {
  const items = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`needs --${what}`, COMMAND);
  for (const item of items)
    if (!pattern.test(item)) throw new UsageError(`--${what}: '${item}' is not one`, COMMAND);
  return [...new Set(items)];
}

/** The S3 location of a template URL (virtual-hosted or path style), for its upload command. */
export function s3UriOf(url: string): string | undefined {
  const virtual =
    /^https:\/\/([a-z0-9][a-z0-9.-]+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?\/(\S+)$/.exec(url);
  if (virtual) return `s3://${virtual[1]}/${virtual[2]}`;
  const path =
    /^https:\/\/s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9.-]+)\/(\S+)$/.exec(url);
  return path ? `s3://${path[1]}/${path[2]}` : undefined;
}

export interface StackSetCommands {
  upload: string[];
  createStackSet: string;
  createStackInstances: string;
}

/** The AWS CLI commands of the rollout, each a ready line (continuations with a backslash). */
export function stackSetCommands(input: {
  packageDir: string;
  artifacts: string[];
  bucketPrefix: string;
  keyPrefix: string;
  regions: string[];
  ous: string[];
  stackSetName: string;
  template: { body: string } | { url: string };
  parameters: Record<string, string>;
}): StackSetCommands {
  const upload = input.regions.flatMap((region) =>
    input.artifacts.map(
      (zip) =>
        `aws s3 cp ${shellWord(join(input.packageDir, zip))} ${shellWord(`s3://${artifactsBucket(input.bucketPrefix, region)}/${input.keyPrefix}${zip}`)} --region ${region}`,
    ),
  );
  const template =
    "body" in input.template
      ? `--template-body ${shellWord(`file://${input.template.body}`)}`
      : `--template-url ${shellWord(input.template.url)}`;
  const parameters = Object.entries(input.parameters)
    .map(([key, value]) => shellWord(`ParameterKey=${key},ParameterValue=${value}`))
    .join(" ");
  const name = shellWord(input.stackSetName);
  const createStackSet = [
    `aws cloudformation create-stack-set --stack-set-name ${name}`,
    `  ${template}`,
    "  --permission-model SERVICE_MANAGED",
    "  --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false",
    "  --capabilities CAPABILITY_NAMED_IAM",
    ...(parameters ? [`  --parameters ${parameters}`] : []),
  ].join(" \\\n");
  const createStackInstances = [
    `aws cloudformation create-stack-instances --stack-set-name ${name}`,
    `  --deployment-targets OrganizationalUnitIds=${input.ous.join(",")}`,
    `  --regions ${input.regions.join(" ")}`,
    "  --operation-preferences RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=25,FailureTolerancePercentage=0",
  ].join(" \\\n");
  return { upload, createStackSet, createStackInstances };
}

export function runOrgStackset(argv: string[], io: Terminal): number {
  const { values } = parseCommandArgs(COMMAND, argv, {
    options: {
      template: { type: "string", default: DEFAULT_TEMPLATE },
      "artifacts-bucket-prefix": { type: "string" },
      "artifacts-key-prefix": { type: "string", default: "secrets-governor/" },
      regions: { type: "string" },
      ou: { type: "string" },
      "stack-set-name": { type: "string", default: "secrets-governor" },
      mode: { type: "string", default: "report" },
      "org-bus-arn": { type: "string" },
      out: { type: "string" },
      "template-url": { type: "string" },
    },
  });
  const bucketPrefix = values["artifacts-bucket-prefix"];
  if (!bucketPrefix)
    throw new UsageError("needs --artifacts-bucket-prefix PREFIX (buckets PREFIX-REGION)", COMMAND);
  const regions = list(values.regions, "regions", REGION_RE);
  const ous = list(values.ou, "ou", OU_RE);
  if (!STACK_SET_RE.test(values["stack-set-name"]))
    throw new UsageError("--stack-set-name: letters, digits and -", COMMAND);
  if (values.mode !== "report" && values.mode !== "enforce")
    throw new UsageError("--mode must be report or enforce", COMMAND);
  const orgBus = values["org-bus-arn"];
  if (orgBus !== undefined && !ORG_BUS_RE.test(orgBus))
    throw new UsageError("--org-bus-arn: not an event bus ARN", COMMAND);
  const url = values["template-url"];
  if (url !== undefined && !TEMPLATE_URL_RE.test(url))
    throw new UsageError("--template-url: an https:// URL of the template in S3", COMMAND);

  const text = readText(values.template, "packaged template (npm run package)");
  const packaged = parseJson(values.template, text);
  const stackSet = toStackSetTemplate(
    packaged,
    { artifactsBucketPrefix: bucketPrefix, artifactsKeyPrefix: values["artifacts-key-prefix"] },
    values.template,
  );
  const out = values.out;
  const tooBig = stackSet.bytes > TEMPLATE_BODY_MAX_BYTES;
  if (out) writeFileSync(out, `${stackSet.body}\n`);
  if (tooBig && url === undefined)
    throw new InputError(
      `the StackSet template is ${stackSet.bytes} bytes, over the ${TEMPLATE_BODY_MAX_BYTES} bytes CloudFormation takes as --template-body: ${out ? `upload ${out}` : "write it with --out FILE, upload it"} to S3 (aws s3 cp FILE s3://BUCKET/KEY) and run again with --template-url https://BUCKET.s3.REGION.amazonaws.com/KEY`,
    );
  const commands = stackSetCommands({
    packageDir: dirname(values.template),
    artifacts: stackSet.artifacts,
    bucketPrefix,
    keyPrefix: values["artifacts-key-prefix"],
    regions,
    ous,
    stackSetName: values["stack-set-name"],
    template: url !== undefined ? { url } : { body: out ?? "stackset.json" },
    parameters: { Mode: values.mode, ...(orgBus ? { OrgBusArn: orgBus } : {}) },
  });
  const templateFile = out ?? "stackset.json";
  const s3Uri = url ? s3UriOf(url) : undefined;
  const lines = [
    `# StackSet template: ${stackSet.bytes} bytes${out ? `, written to ${out}` : ""} (--template-body takes ${TEMPLATE_BODY_MAX_BYTES})`,
    ...(url
      ? [
          "# 0. The template, where --template-url points:",
          s3Uri
            ? `aws s3 cp ${shellWord(templateFile)} ${shellWord(s3Uri)}`
            : `# upload ${templateFile} to ${url}`,
        ]
      : []),
    "# 1. The function code in each region's artifacts bucket (a bucket policy must let the organization read it:",
    "#    s3:GetObject with the condition aws:PrincipalOrgID).",
    ...commands.upload,
    "# 2. The StackSet: service-managed, so every account of the OUs gets a stack, and every account that joins later.",
    commands.createStackSet,
    "# 3. Its stack instances, in every account of the OUs and in each region.",
    commands.createStackInstances,
    "",
  ].join("\n");
  // Without --out the template is the output (redirect it to stackset.json) and the commands go to stderr.
  if (out) io.stdout(lines);
  else {
    io.stdout(`${stackSet.body}\n`);
    io.stderr(lines);
  }
  return 0;
}
