import * as z from "zod";
import { InputError } from "../errors.js";
import { parseAwsDate } from "./dates.js";

/** One replica of a primary secret, from DescribeSecret's ReplicationStatus. */
export interface ReplicaStatus {
  region: string;
  status?: string;
  /** Per-region, kept to the day by AWS; absent when that replica was never read. */
  lastAccessedDate?: Date;
}

/** The facts about a secret that decisions need, as AWS reports them (list-secrets / describe-secret). */
export interface Secret {
  arn: string;
  name: string;
  /** Region and account, taken from the ARN. */
  region: string;
  accountId: string;
  description?: string;
  tags: Record<string, string>;
  createdDate?: Date;
  /** Kept to the day by AWS, per region; absent means never read. */
  lastAccessedDate?: Date;
  lastChangedDate?: Date;
  lastRotatedDate?: Date;
  nextRotationDate?: Date;
  /** Set while the secret is scheduled for deletion. */
  deletedDate?: Date;
  rotationEnabled: boolean;
  rotationIntervalDays?: number;
  /** Absent for the AWS managed key `aws/secretsmanager`. */
  kmsKeyId?: string;
  /** Set on secrets managed by another service (e.g. `rds`); the governor only reports on those. */
  owningService?: string;
  /** Set on secrets that take part in replication, primaries and replicas alike. */
  primaryRegion?: string;
  /** Replicas of a primary: undefined when not known (list-secrets does not return them), [] when none. */
  replicas?: ReplicaStatus[];
}

const ARN_RE = /^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;

export interface ParsedArn {
  partition: string;
  region: string;
  accountId: string;
  /** The name with its six-character random suffix. */
  resource: string;
}

export function parseSecretArn(arn: string): ParsedArn | undefined {
  const m = ARN_RE.exec(arn);
  if (!m) return undefined;
  return {
    partition: m[1] as string,
    region: m[2] as string,
    accountId: m[3] as string,
    resource: m[4] as string,
  };
}

/** A replica lives in another region than its primary. */
export function isReplica(secret: Secret): boolean {
  return secret.primaryRegion !== undefined && secret.primaryRegion !== secret.region;
}

/** A primary that takes part in replication (it may have replicas in other regions). */
export function isReplicatedPrimary(secret: Secret): boolean {
  return secret.primaryRegion !== undefined && secret.primaryRegion === secret.region;
}

/** Does `secretId` (an ARN, a partial ARN without suffix, or a name) name this secret? */
export function secretMatchesId(secret: Secret, secretId: string): boolean {
  if (secretId === secret.arn || secretId === secret.name) return true;
  // A partial ARN: the full ARN without the "-XXXXXX" suffix AWS appends.
  return (
    secretId.startsWith("arn:") &&
    secret.arn.length === secretId.length + 7 &&
    secret.arn.startsWith(`${secretId}-`)
  );
}

const awsDate = z
  .unknown()
  .transform((value, ctx) => {
    if (value === undefined || value === null) return undefined;
    const date = parseAwsDate(value);
    if (!date) {
      ctx.addIssue({
        code: "custom",
        message: `expected a date (ISO-8601 or epoch seconds), got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return date;
  })
  .optional();

const tagList = z
  .array(z.object({ Key: z.string(), Value: z.string().optional().default("") }))
  .optional()
  .default([]);

/** A SecretListEntry (list-secrets) or DescribeSecret response, with PascalCase fields as AWS returns them. */
export const SecretEntrySchema = z.object({
  ARN: z.string().regex(ARN_RE, "expected a Secrets Manager secret ARN"),
  Name: z.string().min(1),
  Description: z.string().optional(),
  KmsKeyId: z.string().optional(),
  RotationEnabled: z.boolean().optional(),
  RotationRules: z.object({ AutomaticallyAfterDays: z.number().optional() }).passthrough().optional(),
  LastRotatedDate: awsDate,
  LastChangedDate: awsDate,
  LastAccessedDate: awsDate,
  DeletedDate: awsDate,
  NextRotationDate: awsDate,
  CreatedDate: awsDate,
  Tags: tagList,
  OwningService: z.string().optional(),
  PrimaryRegion: z.string().optional(),
  ReplicationStatus: z
    .array(
      z.object({
        Region: z.string(),
        Status: z.string().optional(),
        LastAccessedDate: awsDate,
      }),
    )
    .optional(),
});

export type SecretEntry = z.input<typeof SecretEntrySchema>;

function toSecret(entry: z.output<typeof SecretEntrySchema>): Secret {
  const arn = parseSecretArn(entry.ARN) as ParsedArn;
  const tags: Record<string, string> = {};
  for (const t of entry.Tags) tags[t.Key] = t.Value;
  const secret: Secret = {
    arn: entry.ARN,
    name: entry.Name,
    region: arn.region,
    accountId: arn.accountId,
    tags,
    rotationEnabled: entry.RotationEnabled ?? false,
  };
  if (entry.Description !== undefined) secret.description = entry.Description;
  if (entry.CreatedDate) secret.createdDate = entry.CreatedDate;
  if (entry.LastAccessedDate) secret.lastAccessedDate = entry.LastAccessedDate;
  if (entry.LastChangedDate) secret.lastChangedDate = entry.LastChangedDate;
  if (entry.LastRotatedDate) secret.lastRotatedDate = entry.LastRotatedDate;
  if (entry.NextRotationDate) secret.nextRotationDate = entry.NextRotationDate;
  if (entry.DeletedDate) secret.deletedDate = entry.DeletedDate;
  if (entry.RotationRules?.AutomaticallyAfterDays !== undefined)
    secret.rotationIntervalDays = entry.RotationRules.AutomaticallyAfterDays;
  if (entry.KmsKeyId) secret.kmsKeyId = entry.KmsKeyId;
  if (entry.OwningService) secret.owningService = entry.OwningService;
  if (entry.PrimaryRegion) secret.primaryRegion = entry.PrimaryRegion;
  if (entry.ReplicationStatus) {
    secret.replicas = entry.ReplicationStatus.map((r) => {
      const replica: ReplicaStatus = { region: r.Region };
      if (r.Status) replica.status = r.Status;
      if (r.LastAccessedDate) replica.lastAccessedDate = r.LastAccessedDate;
      return replica;
    });
  } else if (!entry.PrimaryRegion) {
    // Not part of any replication: known to have no replicas.
    secret.replicas = [];
  }
  return secret;
}

function describeIssue(issue: z.core.$ZodIssue, where: string): string {
  const field = issue.path.map(String).join(".") || "(entry)";
  return `${where}: field ${field}: ${issue.message}`;
}

/** Parses one SecretListEntry / DescribeSecret object. `where` names it in errors (e.g. `SecretList[3]`). */
export function parseSecretEntry(value: unknown, where = "secret", source?: string): Secret {
  const result = SecretEntrySchema.safeParse(value);
  if (result.success) return toSecret(result.data);
  // Name the secret by its Name, else by its ARN: an index alone does not tell which entry is wrong.
  const fields = value && typeof value === "object" ? (value as { Name?: unknown; ARN?: unknown }) : {};
  const label =
    typeof fields.Name === "string" && fields.Name !== ""
      ? fields.Name
      : typeof fields.ARN === "string" && fields.ARN !== ""
        ? fields.ARN
        : undefined;
  const name = label !== undefined ? ` (${label})` : "";
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  throw new InputError(describeIssue(issue, `${where}${name}`), source);
}

/** An inventory as read from a file: its secrets, each once, and what the reader should know about the file. */
export interface Inventory {
  secrets: Secret[];
  /** One sentence each, e.g. a secret listed twice and counted once. */
  warnings: string[];
}

/** The facts of a secret as list-secrets would give them, tags in key order: two listings of one secret agree. */
function comparable(secret: Secret): Record<string, string> {
  const entry = toListSecretsEntry(secret);
  entry.Tags = Object.entries(secret.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (secret.replicas !== undefined) entry.ReplicationStatus = secret.replicas;
  return Object.fromEntries(Object.entries(entry).map(([key, value]) => [key, JSON.stringify(value)]));
}

function differingField(a: Secret, b: Secret): string | undefined {
  const left = comparable(a);
  const right = comparable(b);
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  return keys.find((key) => left[key] !== right[key]);
}

export interface InventoryOptions {
  /** What a secret listed twice is: `warn` (the default) counts it once with a warning; `refuse` throws. */
  repeated?: "warn" | "refuse";
}

/**
 * Counts each secret once: the same ARN listed twice (two list-secrets outputs joined, a page fetched twice) is
 * one secret, billed once, with a warning. Two entries of one ARN that disagree are refused: which is true is
 * not for the governor to guess.
 */
function uniqueByArn(secrets: Secret[], source: string, options: InventoryOptions): Inventory {
  const where = (i: number) => `${source}: SecretList[${i}]`;
  const first = new Map<string, number>();
  const unique: Secret[] = [];
  const warnings: string[] = [];
  for (const [i, secret] of secrets.entries()) {
    const seen = first.get(secret.arn);
    if (seen === undefined) {
      first.set(secret.arn, i);
      unique.push(secret);
      continue;
    }
    const field = differingField(secrets[seen] as Secret, secret);
    if (field !== undefined)
      throw new InputError(
        `${where(i)} (${secret.name}): the same ARN as SecretList[${seen}] with a different ${field}: list the secrets again rather than join two listings`,
        source,
      );
    const repeated = `${where(i)} (${secret.name}) is listed twice (the same ARN as SecretList[${seen}])`;
    if (options.repeated === "refuse") throw new InputError(repeated, source);
    warnings.push(`${repeated}: counted once`);
  }
  return { secrets: unique, warnings };
}

/**
 * Reads the JSON text printed by `aws secretsmanager list-secrets` (an object with SecretList) or by
 * `describe-secret` (a single entry), each secret once. Throws InputError naming the secret and the field.
 */
export function readInventory(text: string, source = "inventory", options: InventoryOptions = {}): Inventory {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${source}: not valid JSON: ${(error as Error).message}`, source, { cause: error });
  }
  if (doc && typeof doc === "object" && !Array.isArray(doc)) {
    const obj = doc as Record<string, unknown>;
    if ("SecretList" in obj) {
      if (!Array.isArray(obj.SecretList))
        throw new InputError(`${source}: field SecretList: expected an array`, source);
      const secrets = obj.SecretList.map((entry, i) =>
        parseSecretEntry(entry, `${source}: SecretList[${i}]`, source),
      );
      return uniqueByArn(secrets, source, options);
    }
    if ("ARN" in obj)
      return { secrets: [parseSecretEntry(obj, `${source}: describe-secret`, source)], warnings: [] };
  }
  throw new InputError(
    `${source}: missing field SecretList (expected the JSON of 'aws secretsmanager list-secrets')`,
    source,
  );
}

/** The secrets of an inventory (readInventory without its warnings, for callers that have no one to tell). */
export function parseInventory(text: string, source = "inventory"): Secret[] {
  return readInventory(text, source).secrets;
}

function isoOrUndefined(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

/** Renders a secret back as a list-secrets entry (dates as ISO-8601), for account snapshots. */
export function toListSecretsEntry(secret: Secret): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: secret.rotationEnabled,
    RotationRules:
      secret.rotationIntervalDays !== undefined
        ? { AutomaticallyAfterDays: secret.rotationIntervalDays }
        : undefined,
    LastRotatedDate: isoOrUndefined(secret.lastRotatedDate),
    LastChangedDate: isoOrUndefined(secret.lastChangedDate),
    LastAccessedDate: isoOrUndefined(secret.lastAccessedDate),
    DeletedDate: isoOrUndefined(secret.deletedDate),
    NextRotationDate: isoOrUndefined(secret.nextRotationDate),
    Tags: Object.entries(secret.tags).map(([Key, Value]) => ({ Key, Value })),
    OwningService: secret.owningService,
    CreatedDate: isoOrUndefined(secret.createdDate),
    PrimaryRegion: secret.primaryRegion,
  };
  for (const key of Object.keys(entry)) if (entry[key] === undefined) delete entry[key];
  return entry;
}
