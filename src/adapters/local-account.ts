import { RESOURCE_POLICY_MAX_CHARS } from "../domain/quarantine.js";
import { readInventory, type Secret, secretMatchesId, toListSecretsEntry } from "../domain/secret.js";
import { AdapterError, InputError, SecretNotFoundError } from "../errors.js";
import type { Clock, SecretStore } from "../ports.js";
import { checkRecoveryWindow, checkTagKeys, checkTags, LIST_PAGE_SIZE } from "./secrets-manager.js";

/** One API call the account answered (or refused), in order. ListSecrets pages are logged with arn `*`. */
export interface LocalAccountCall {
  operation: string;
  arn: string;
}

/** What snapshot() returns and loadLocalAccount() reads back: list-secrets JSON plus resource policies by ARN. */
export interface LocalAccountSnapshot {
  SecretList: Record<string, unknown>[];
  ResourcePolicies: Record<string, unknown>;
}

export interface LocalAccountOptions {
  /** Time for DeletedDate and deletion dates. Default: the system clock. */
  clock?: Clock;
}

const MAX_TAGS = 50;
/** Operations Secrets Manager answers with InvalidRequestException while a secret is scheduled for deletion. */
const MARKED_DELETED_REFUSES = new Set([
  "TagResource",
  "UntagResource",
  "GetResourcePolicy",
  "PutResourcePolicy",
  "DeleteResourcePolicy",
]);
const DAY_MS = 86_400_000;
const systemClock: Clock = { now: () => new Date() };

/** AWS's answer to a request that is not allowed in the secret's state (retrying does not help). */
function invalidRequest(operation: string, message: string): AdapterError {
  return new AdapterError(`${operation}: InvalidRequestException: ${message}`, operation, false);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** BlockPublicPolicy's check, simplified: an unconditional Allow to every principal. */
function isPublicAllow(statement: unknown): boolean {
  if (!isObject(statement) || statement.Effect !== "Allow" || statement.Condition !== undefined) return false;
  const principal = statement.Principal;
  if (principal === "*") return true;
  if (!isObject(principal)) return false;
  const aws = principal.AWS;
  return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

function clone(secret: Secret): Secret {
  return structuredClone(secret);
}

/**
 * An account in memory, with the semantics of Secrets Manager that the governor relies on: tags merge, the
 * recovery window is 7 to 30 days, DeletedDate is set by a scheduled deletion and cleared by a restore, writes on
 * an unknown secret raise SecretNotFoundError and AWS's refusals raise a non-retryable AdapterError.
 */
export class LocalAccount implements SecretStore {
  /** Every call, for tests and the benchmark. */
  readonly calls: LocalAccountCall[] = [];
  private readonly secrets = new Map<string, Secret>();
  private readonly byName = new Map<string, string>();
  private readonly policies = new Map<string, string>();
  private readonly clock: Clock;
  /** The secrets in listing order, kept between ListSecrets pages; forgotten when one is added or removed. */
  private order: Secret[] | undefined;

  constructor(
    secrets: Secret[] = [],
    resourcePolicies: Record<string, string> = {},
    options: LocalAccountOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    for (const secret of secrets) this.add(secret);
    for (const [id, policy] of Object.entries(resourcePolicies)) {
      const secret = this.find(id);
      if (!secret) throw new InputError(`ResourcePolicies: no secret ${id} in the account`);
      this.policies.set(secret.arn, policy);
    }
  }

  /** Adds a secret, as CreateSecret would. */
  add(secret: Secret): void {
    if (this.secrets.has(secret.arn)) throw new InputError(`secret ${secret.arn} is in the account twice`);
    this.secrets.set(secret.arn, clone(secret));
    this.byName.set(secret.name, secret.arn);
    this.order = undefined;
  }

  /** Removes a secret at once (its deletion completed, or someone force-deleted it). True when it existed. */
  remove(secretId: string): boolean {
    const secret = this.find(secretId);
    if (!secret) return false;
    this.secrets.delete(secret.arn);
    this.policies.delete(secret.arn);
    this.order = undefined;
    if (this.byName.get(secret.name) === secret.arn) this.byName.delete(secret.name);
    return true;
  }

  async describe(secretId: string): Promise<Secret | undefined> {
    const secret = this.find(secretId);
    this.calls.push({ operation: "DescribeSecret", arn: secret?.arn ?? secretId });
    return secret ? clone(secret) : undefined;
  }

  /**
   * One ListSecrets page by position, logged as one call: what an emulator serving NextToken paging needs.
   * `next` is the position of the following page, when there is one.
   */
  listPage(start: number, size: number): { secrets: Secret[]; next?: number } {
    this.calls.push({ operation: "ListSecrets", arn: "*" });
    this.order ??= [...this.secrets.values()];
    const all = this.order;
    const secrets = all.slice(start, start + size).map(clone);
    return start + size < all.length ? { secrets, next: start + size } : { secrets };
  }

  async *list(): AsyncIterable<Secret[]> {
    const all = [...this.secrets.values()];
    let start = 0;
    do {
      this.calls.push({ operation: "ListSecrets", arn: "*" });
      yield all.slice(start, start + LIST_PAGE_SIZE).map(clone);
      start += LIST_PAGE_SIZE;
    } while (start < all.length);
  }

  async tag(arn: string, tags: Record<string, string>): Promise<void> {
    checkTags(tags);
    const secret = this.write("TagResource", arn);
    const merged = { ...secret.tags, ...tags };
    if (Object.keys(merged).length > MAX_TAGS)
      throw new AdapterError(
        `TagResource: ValidationException: a secret has at most ${MAX_TAGS} tags`,
        "TagResource",
        false,
      );
    secret.tags = merged;
  }

  async untag(arn: string, keys: string[]): Promise<void> {
    checkTagKeys("UntagResource", keys);
    const secret = this.write("UntagResource", arn);
    for (const key of keys) delete secret.tags[key];
  }

  async getResourcePolicy(arn: string): Promise<string | undefined> {
    const secret = this.write("GetResourcePolicy", arn);
    return this.policies.get(secret.arn);
  }

  async putResourcePolicy(arn: string, policy: string): Promise<void> {
    const secret = this.write("PutResourcePolicy", arn);
    const operation = "PutResourcePolicy";
    if (policy.length > RESOURCE_POLICY_MAX_CHARS)
      throw new AdapterError(
        `${operation}: ValidationException: ResourcePolicy is longer than ${RESOURCE_POLICY_MAX_CHARS} characters`,
        operation,
        false,
      );
    let doc: unknown;
    try {
      doc = JSON.parse(policy);
    } catch {
      doc = undefined;
    }
    if (!isObject(doc) || doc.Statement === undefined)
      throw new AdapterError(
        `${operation}: MalformedPolicyDocumentException: not a policy document`,
        operation,
        false,
      );
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    if (statements.some(isPublicAllow))
      throw new AdapterError(
        `${operation}: PublicPolicyException: BlockPublicPolicy rejects a policy that grants broad access`,
        operation,
        false,
      );
    this.policies.set(secret.arn, policy);
  }

  async deleteResourcePolicy(arn: string): Promise<void> {
    const secret = this.write("DeleteResourcePolicy", arn);
    this.policies.delete(secret.arn);
  }

  async scheduleDeletion(arn: string, recoveryWindowDays: number): Promise<{ deletionDate?: Date }> {
    checkRecoveryWindow(recoveryWindowDays);
    const secret = this.write("DeleteSecret", arn);
    // As SecretsManagerStore does: a deletion already scheduled is done (AWS itself refuses the second call,
    // which the emulator of the benchmark and fault tests answers as AWS does).
    if (secret.deletedDate) return {};
    if (secret.replicas && secret.replicas.length > 0)
      throw invalidRequest(
        "DeleteSecret",
        "a primary secret with replicas cannot be deleted; remove them first",
      );
    const now = this.clock.now();
    secret.deletedDate = now;
    // DescribeSecret's LastChangedDate: "the last date and time that this secret was modified in any way".
    secret.lastChangedDate = now;
    return { deletionDate: new Date(now.getTime() + recoveryWindowDays * DAY_MS) };
  }

  async restore(arn: string): Promise<void> {
    const secret = this.write("RestoreSecret", arn);
    if (secret.deletedDate) secret.lastChangedDate = this.clock.now();
    delete secret.deletedDate;
  }

  /** The account as list-secrets JSON plus its resource policies, readable by loadLocalAccount. */
  snapshot(): LocalAccountSnapshot {
    const policies: Record<string, unknown> = {};
    for (const [arn, text] of this.policies) policies[arn] = JSON.parse(text);
    return { SecretList: [...this.secrets.values()].map(toListSecretsEntry), ResourcePolicies: policies };
  }

  private find(secretId: string): Secret | undefined {
    const arn = this.secrets.has(secretId) ? secretId : this.byName.get(secretId);
    if (arn) return this.secrets.get(arn);
    if (!secretId.startsWith("arn:")) return undefined;
    for (const secret of this.secrets.values()) if (secretMatchesId(secret, secretId)) return secret;
    return undefined;
  }

  /**
   * Logs a call and finds its secret, as AWS would answer ResourceNotFoundException. Parameter checks come first,
   * as SecretsManagerStore makes them before calling: a refused request is not a call in either.
   */
  private write(operation: string, secretId: string): Secret {
    const secret = this.find(secretId);
    this.calls.push({ operation, arn: secret?.arn ?? secretId });
    if (!secret) throw new SecretNotFoundError(secretId);
    // AWS refuses tags and resource policies on a secret scheduled for deletion; RestoreSecret comes first.
    if (secret.deletedDate && MARKED_DELETED_REFUSES.has(operation))
      throw invalidRequest(
        operation,
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    return secret;
  }
}

/**
 * Reads an account from the JSON of `aws secretsmanager list-secrets`, with an optional top-level
 * `ResourcePolicies` object keyed by secret ARN or name, whose values are policy documents (objects or JSON text).
 */
export function loadLocalAccount(
  text: string,
  source: string,
  options: LocalAccountOptions = {},
): LocalAccount {
  // An account holds each secret once, as AWS does: a repeated entry is a mistake in the file, not a second secret.
  const { secrets } = readInventory(text, source, { repeated: "refuse" });
  const doc = JSON.parse(text) as Record<string, unknown>;
  const raw = doc.ResourcePolicies;
  const policies: Record<string, string> = {};
  if (raw !== undefined) {
    if (!isObject(raw))
      throw new InputError(
        `${source}: field ResourcePolicies: expected an object keyed by secret ARN or name`,
        source,
      );
    for (const [id, value] of Object.entries(raw)) {
      let policy: unknown = value;
      if (typeof value === "string") {
        try {
          policy = JSON.parse(value);
        } catch {
          policy = undefined;
        }
      }
      if (!isObject(policy))
        throw new InputError(`${source}: field ResourcePolicies.${id}: expected a policy document`, source);
      policies[id] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  try {
    return new LocalAccount(secrets, policies, options);
  } catch (error) {
    if (error instanceof InputError)
      throw new InputError(`${source}: ${error.message}`, source, { cause: error });
    throw error;
  }
}
