import { InputError } from "../errors.js";

/**
 * The packaged template (`npm run package`: .serverless/cloudformation-template-update-stack.json) made into one
 * a service-managed StackSet can deploy to every account and region of an organization. Pure.
 *
 * - No deployment bucket: osls adds ServerlessDeploymentBucket (and its policy and output) for `serverless
 *   deploy`; a StackSet instance would create one per account and region for nothing.
 * - The function code from an artifacts bucket per region, named `${ArtifactsBucketPrefix}-${AWS::Region}`
 *   (Lambda reads code only from a bucket in its own region), under `${ArtifactsKeyPrefix}`: two parameters, so
 *   one template serves every region, and a StackSet override can point an OU elsewhere.
 * - Compact JSON: CreateStackSet takes at most 51,200 bytes as TemplateBody; a larger template must be uploaded
 *   to S3 and passed as TemplateURL (up to 1 MB) (AWS CloudFormation API reference, CreateStackSet).
 */

export const TEMPLATE_BODY_MAX_BYTES = 51_200;

const DEPLOYMENT_BUCKET = "ServerlessDeploymentBucket";
const BUCKET_PREFIX_PARAMETER = "ArtifactsBucketPrefix";
const KEY_PREFIX_PARAMETER = "ArtifactsKeyPrefix";
/** Bucket names are 3 to 63 characters; the region suffix takes up to 16 ("-ap-southeast-4" and the like). */
export const BUCKET_PREFIX_PATTERN = /^[a-z0-9][a-z0-9.-]{1,45}[a-z0-9]$/;
export const KEY_PREFIX_PATTERN = /^([A-Za-z0-9!_.*'()-]+\/)*$/;

export interface StackSetOptions {
  artifactsBucketPrefix: string;
  /** Empty, or ending in `/`. */
  artifactsKeyPrefix: string;
}

export interface StackSetTemplate {
  template: Record<string, unknown>;
  /** The template as compact JSON, what --template-body (or the uploaded file) holds. */
  body: string;
  bytes: number;
  /** The function zips the template names (file names in the package directory), in template order. */
  artifacts: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The artifacts bucket of a region, as the template names it. */
export function artifactsBucket(prefix: string, region: string): string {
  return `${prefix}-${region}`;
}

export function toStackSetTemplate(
  packaged: unknown,
  options: StackSetOptions,
  source = "template",
): StackSetTemplate {
  if (!BUCKET_PREFIX_PATTERN.test(options.artifactsBucketPrefix))
    throw new InputError(
      `artifacts bucket prefix '${options.artifactsBucketPrefix}': 3 to 47 lowercase letters, digits, dots and hyphens (the region is appended)`,
    );
  if (!KEY_PREFIX_PATTERN.test(options.artifactsKeyPrefix))
    throw new InputError(
      `artifacts key prefix '${options.artifactsKeyPrefix}': empty, or path segments each ending in /`,
    );
  if (!isObject(packaged) || !isObject(packaged.Resources))
    throw new InputError(`${source}: not a CloudFormation template (no Resources)`, source);
  const template: Json = structuredClone(packaged);
  const resources = template.Resources as Json;
  delete resources[DEPLOYMENT_BUCKET];
  delete resources[`${DEPLOYMENT_BUCKET}Policy`];
  if (isObject(template.Outputs)) delete template.Outputs[`${DEPLOYMENT_BUCKET}Name`];

  const artifacts: string[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource) || resource.Type !== "AWS::Lambda::Function") continue;
    const properties = isObject(resource.Properties) ? resource.Properties : {};
    const code = properties.Code;
    const key = isObject(code) && typeof code.S3Key === "string" ? code.S3Key : undefined;
    const zip = key?.split("/").pop();
    if (!zip || !/^[\w.-]+\.zip$/.test(zip))
      throw new InputError(
        `${source}: function ${id} has no packaged code (Code.S3Key ending in a .zip)`,
        source,
      );
    artifacts.push(zip);
    properties.Code = {
      S3Bucket: { "Fn::Sub": `\${${BUCKET_PREFIX_PARAMETER}}-\${AWS::Region}` },
      S3Key: { "Fn::Sub": `\${${KEY_PREFIX_PARAMETER}}${zip}` },
    };
  }
  if (artifacts.length === 0) throw new InputError(`${source}: no Lambda function in the template`, source);

  template.Parameters = {
    ...(isObject(template.Parameters) ? template.Parameters : {}),
    [BUCKET_PREFIX_PARAMETER]: {
      Type: "String",
      Description:
        "Function code from the bucket <prefix>-<region> (one per region, readable by the organization)",
      AllowedPattern: BUCKET_PREFIX_PATTERN.source,
      Default: options.artifactsBucketPrefix,
    },
    [KEY_PREFIX_PARAMETER]: {
      Type: "String",
      Description: "Key prefix of the function zips in the artifacts buckets",
      AllowedPattern: KEY_PREFIX_PATTERN.source,
      Default: options.artifactsKeyPrefix,
    },
  };

  const body = JSON.stringify(template);
  // A reference left to the removed bucket would fail every stack instance; say so now.
  if (body.includes(DEPLOYMENT_BUCKET))
    throw new InputError(
      `${source}: something still refers to ${DEPLOYMENT_BUCKET} after removing it`,
      source,
    );
  return { template, body, bytes: Buffer.byteLength(body, "utf8"), artifacts };
}
