import * as z from "zod";
import type { Stage } from "./decision.js";
import { parseSecretArn, type Secret } from "./secret.js";

/**
 * Findings in the AWS Security Finding Format (ASFF), as the governor imports them into Security Hub with
 * BatchImportFindings. Pure: the mapping from decisions is src/report/security-hub.ts, the import
 * src/adapters/security-hub.ts.
 *
 * Facts relied on (AWS Security Hub user guide, "Required top-level ASFF attributes" and the AwsSecurityFinding
 * API reference; partner guide, "Guidelines for using the BatchImportFindings API"): SchemaVersion 2018-10-08;
 * Title at most 256 characters, Description at most 1,024, Remediation.Recommendation.Text at most 512, Id and
 * GeneratorId at most 512; 1 to 32 Resources; a resource's Tags at most 50 (key up to 128, value up to 256); at most
 * 100 findings and 6 MB per request, 240 KB per finding. A finding with the same Id replaces the earlier one, but
 * only when its UpdatedAt is later (user guide, "BatchImportFindings for finding providers"); after creation
 * BatchImportFindings no longer changes Workflow (it is the customer's), and Severity and Types are updated
 * through FindingProviderFields.
 */

/** What the governor reports to Security Hub: one finding per secret and kind. */
export const SECURITY_HUB_KINDS = ["unused", "rotation-failed", "access-failure"] as const;
export type SecurityHubKind = (typeof SECURITY_HUB_KINDS)[number];

export const SEVERITY_LABELS = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export type SeverityLabel = (typeof SEVERITY_LABELS)[number];

/** Where a finding stands: open (FAILED, or WARNING for report-only secrets), resolved, or archived (gone). */
export type FindingState = "failed" | "warning" | "passed" | "archived";

export const ASFF_SCHEMA_VERSION = "2018-10-08";

export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  remediationText: 512,
  resources: 32,
  tags: 50,
  tagKey: 128,
  tagValue: 256,
  /** Findings per BatchImportFindings request. */
  batch: 100,
  /** Bytes of one finding, as JSON. */
  findingBytes: 240 * 1024,
} as const;

export const GENERATOR_PREFIX = "secrets-governor";

/** The finding's type, ASFF `namespace/category/classifier`. */
const TYPES: Record<SecurityHubKind, string> = {
  unused: "Software and Configuration Checks/AWS Security Best Practices/Unused Secrets Manager secret",
  "rotation-failed": "Software and Configuration Checks/AWS Security Best Practices/Secret rotation failed",
  "access-failure": "Unusual Behaviors/User/Repeated denied access to a secret",
};

export interface AsffResource {
  Type: "AwsSecretsManagerSecret";
  Id: string;
  Partition: string;
  Region: string;
  Tags?: Record<string, string>;
  Details?: {
    AwsSecretsManagerSecret: {
      Name?: string;
      Description?: string;
      KmsKeyId?: string;
      RotationEnabled?: boolean;
      RotationRules?: { AutomaticallyAfterDays: number };
      Deleted?: boolean;
    };
  };
}

/** The part of ASFF the governor writes. */
export interface AsffFinding {
  SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Region: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: SeverityLabel; Original: string };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string } };
  ProductFields: Record<string, string>;
  Resources: AsffResource[];
  Compliance: { Status: "FAILED" | "WARNING" | "PASSED" };
  Workflow: { Status: "NEW" | "RESOLVED" };
  RecordState: "ACTIVE" | "ARCHIVED";
  FindingProviderFields: { Severity: { Label: SeverityLabel; Original: string }; Types: string[] };
}

/** The default product ARN of an account and region: the one a custom integration imports to. */
export function productArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** A short, stable hash (53 bits, hex) for ids that would pass ASFF's 512 characters. */
function stableHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

/**
 * The finding's stable Id: `<account>/<region>/secrets-governor/<kind>/<secret ARN>`, so each import for the same
 * secret and kind replaces the last. An ARN too long for ASFF's 512 characters is replaced by its hash.
 */
export function findingId(kind: SecurityHubKind, secretArn: string): string {
  const parsed = parseSecretArn(secretArn);
  const prefix = `${parsed?.accountId ?? "unknown"}/${parsed?.region ?? "unknown"}/${GENERATOR_PREFIX}/${kind}/`;
  const id = `${prefix}${secretArn}`;
  return id.length <= ASFF_LIMITS.id ? id : `${prefix}hash-${stableHash(secretArn)}`;
}

/** Cuts text to `max` characters, saying so with an ellipsis; never splits a surrogate pair. */
export function bounded(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join("")}…`;
}

/** At most 50 tags, each within ASFF's bounds, in key order so the same tags always give the same finding. */
export function boundedTags(tags: Record<string, string>): Record<string, string> | undefined {
  const entries = Object.entries(tags)
    .filter(([key]) => key.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, ASFF_LIMITS.tags);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map(([k, v]) => [bounded(k, ASFF_LIMITS.tagKey), bounded(v, ASFF_LIMITS.tagValue)]),
  );
}

/** The resource of a finding: the secret, typed AwsSecretsManagerSecret, with what its facts say. */
export function secretResource(secretArn: string, secret?: Secret, gone = false): AsffResource {
  const parsed = parseSecretArn(secretArn);
  const resource: AsffResource = {
    Type: "AwsSecretsManagerSecret",
    Id: secretArn,
    Partition: parsed?.partition ?? "aws",
    Region: parsed?.region ?? "unknown",
  };
  if (!secret) {
    if (gone) resource.Details = { AwsSecretsManagerSecret: { Deleted: true } };
    return resource;
  }
  const tags = boundedTags(secret.tags);
  if (tags) resource.Tags = tags;
  resource.Details = {
    AwsSecretsManagerSecret: {
      Name: bounded(secret.name, 512),
      ...(secret.description ? { Description: bounded(secret.description, ASFF_LIMITS.description) } : {}),
      ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
      RotationEnabled: secret.rotationEnabled,
      ...(secret.rotationIntervalDays !== undefined
        ? { RotationRules: { AutomaticallyAfterDays: secret.rotationIntervalDays } }
        : {}),
      Deleted: gone || secret.deletedDate !== undefined,
    },
  };
  return resource;
}

export interface FindingInput {
  kind: SecurityHubKind;
  state: FindingState;
  secretArn: string;
  /** The secret's facts; absent when it is gone. */
  secret?: Secret;
  severity: SeverityLabel;
  title: string;
  description: string;
  /** When the issue began; kept from the first report so that every update carries the same one. */
  createdAt: Date;
  now: Date;
  /** The lifecycle stage, for unused findings. */
  stage?: Stage | null;
  remediation: string;
  /** The policy rule that decided, when one did. */
  rule?: string | null;
}

/** One ASFF finding. Every text is bounded as ASFF requires; the Id is stable per secret and kind. */
export function toAsffFinding(input: FindingInput): AsffFinding {
  const parsed = parseSecretArn(input.secretArn);
  const partition = parsed?.partition ?? "aws";
  const region = parsed?.region ?? "unknown";
  const accountId = parsed?.accountId ?? "unknown";
  const open = input.state === "failed" || input.state === "warning";
  // A resolved or archived finding is informational, as Security Hub's own PASSED control findings are.
  const label: SeverityLabel = open ? input.severity : "INFORMATIONAL";
  const severity = { Label: label, Original: label };
  const types = [TYPES[input.kind]];
  const productFields: Record<string, string> = { "secrets-governor/kind": input.kind };
  if (input.stage) productFields["secrets-governor/stage"] = input.stage;
  if (input.rule) productFields["secrets-governor/rule"] = bounded(input.rule, 256);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: findingId(input.kind, input.secretArn),
    ProductArn: productArn(partition, region, accountId),
    GeneratorId: `${GENERATOR_PREFIX}/${input.kind}`,
    AwsAccountId: accountId,
    Region: region,
    Types: types,
    CreatedAt: input.createdAt.toISOString(),
    UpdatedAt: input.now.toISOString(),
    Severity: severity,
    Title: bounded(input.title, ASFF_LIMITS.title),
    Description: bounded(input.description, ASFF_LIMITS.description),
    Remediation: { Recommendation: { Text: bounded(input.remediation, ASFF_LIMITS.remediationText) } },
    ProductFields: productFields,
    Resources: [secretResource(input.secretArn, input.secret, input.state === "archived")],
    Compliance: {
      Status: input.state === "failed" ? "FAILED" : input.state === "warning" ? "WARNING" : "PASSED",
    },
    Workflow: { Status: open ? "NEW" : "RESOLVED" },
    RecordState: input.state === "archived" ? "ARCHIVED" : "ACTIVE",
    FindingProviderFields: { Severity: severity, Types: types },
  };
}

const isoTimestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)) && s.endsWith("Z"), {
  message: "an ISO-8601 UTC timestamp",
});

/**
 * The required top-level ASFF attributes, with their bounds, and the parts the governor relies on: what every
 * finding it produces is checked against (tests validate each one; nothing Security Hub would refuse leaves).
 */
export const AsffFindingSchema = z.looseObject({
  SchemaVersion: z.literal(ASFF_SCHEMA_VERSION),
  Id: z.string().min(1).max(ASFF_LIMITS.id),
  ProductArn: z.string().regex(/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:product\/\d{12}\/default$/),
  GeneratorId: z.string().min(1).max(ASFF_LIMITS.generatorId),
  AwsAccountId: z.string().regex(/^\d{12}$/),
  Types: z
    .array(z.string().regex(/^[^/]+(\/[^/]+){0,2}$/))
    .min(1)
    .max(50),
  CreatedAt: isoTimestamp,
  UpdatedAt: isoTimestamp,
  Severity: z.looseObject({ Label: z.enum(SEVERITY_LABELS) }),
  Title: z.string().min(1).max(ASFF_LIMITS.title),
  Description: z.string().min(1).max(ASFF_LIMITS.description),
  Remediation: z
    .looseObject({
      Recommendation: z.looseObject({ Text: z.string().max(ASFF_LIMITS.remediationText) }),
    })
    .optional(),
  Resources: z
    .array(
      z.looseObject({
        Type: z.string().min(1),
        Id: z.string().min(1),
        Partition: z.string().optional(),
        Region: z.string().optional(),
        Tags: z
          .record(z.string().min(1).max(ASFF_LIMITS.tagKey), z.string().max(ASFF_LIMITS.tagValue))
          .refine((tags) => Object.keys(tags).length <= ASFF_LIMITS.tags, "at most 50 tags")
          .optional(),
      }),
    )
    .min(1)
    .max(ASFF_LIMITS.resources),
  Compliance: z.looseObject({ Status: z.enum(["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"]) }).optional(),
  Workflow: z.looseObject({ Status: z.enum(["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"]) }).optional(),
  RecordState: z.enum(["ACTIVE", "ARCHIVED"]).optional(),
});

/** A finding the governor reported open, as it remembers it (the state table, or memory): enough to update it. */
export interface ReportedFinding {
  kind: SecurityHubKind;
  secretArn: string;
  /** When the issue began: every update carries it as CreatedAt. */
  createdAt: Date;
  /** When it was last seen open (the last incident, the last failed rotation, the last sweep). */
  lastSeen: Date;
}
