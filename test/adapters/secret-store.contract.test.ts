import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutResourcePolicyCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeSecretsManagerClient } from "../../src/adapters/aws-clients.js";
import { LocalAccount } from "../../src/adapters/local-account.js";
import { NO_PACING } from "../../src/adapters/pacer.js";
import { SecretsManagerStore } from "../../src/adapters/secrets-manager.js";
import {
  addQuarantine,
  isQuarantined,
  quarantineStatement,
  removeQuarantine,
} from "../../src/domain/quarantine.js";
import { parseSecretEntry, type Secret } from "../../src/domain/secret.js";
import { AdapterError, SecretNotFoundError } from "../../src/errors.js";
import type { SecretStore } from "../../src/ports.js";
import { AwsEmulator } from "../helpers/aws-emulator.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";

/**
 * One contract, two implementations: whatever the governor relies on must hold for moto (standing in for AWS)
 * and for the in-memory account alike.
 */
interface Harness {
  store: SecretStore;
  create(name: string, options?: { tags?: Record<string, string>; policy?: string }): Promise<string>;
  /** Deletes the secret behind the store's back, at once. */
  forceDelete(arn: string): Promise<void>;
}

interface Implementation {
  name: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  fresh(): Promise<Harness>;
}

const EXEMPT = ["arn:aws:iam::123456789012:role/secrets-governor"];
const QUARANTINE = quarantineStatement(EXEMPT);

function motoImplementation(): Implementation {
  let moto: Moto;
  let client: SecretsManagerClient;
  return {
    name: "SecretsManagerStore on moto",
    async setUp() {
      moto = await startMoto();
      client = makeSecretsManagerClient({
        region: MOTO_ENV.AWS_REGION,
        endpoint: moto.endpoint,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      });
    },
    async tearDown() {
      client.destroy();
      await moto.stop();
    },
    async fresh() {
      await moto.reset();
      return {
        store: new SecretsManagerStore(client, NO_PACING),
        async create(name, options = {}) {
          const created = await client.send(
            new CreateSecretCommand({
              Name: name,
              SecretString: "value",
              Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
            }),
          );
          const arn = created.ARN as string;
          if (options.policy)
            await client.send(
              new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: options.policy }),
            );
          return arn;
        },
        async forceDelete(arn) {
          await client.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
        },
      };
    },
  };
}

function localImplementation(): Implementation {
  return {
    name: "LocalAccount",
    async setUp() {},
    async tearDown() {},
    async fresh() {
      const account = new LocalAccount([], {}, { clock: { now: () => new Date("2026-11-23T10:00:00Z") } });
      let counter = 0;
      return {
        store: account,
        async create(name, options = {}) {
          counter += 1;
          const secret: Secret = parseSecretEntry({
            ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${String(counter).padStart(6, "a")}`,
            Name: name,
            Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
            CreatedDate: "2026-01-01T00:00:00Z",
          });
          account.add(secret);
          if (options.policy) await account.putResourcePolicy(secret.arn, options.policy);
          return secret.arn;
        },
        async forceDelete(arn) {
          account.remove(arn);
        },
      };
    },
  };
}

/** The real SDK store against the emulated AWS of the benchmark and fault tests (test/helpers/aws-emulator.ts). */
function emulatorImplementation(): Implementation {
  let emulator: AwsEmulator | undefined;
  let client: SecretsManagerClient | undefined;
  return {
    name: "SecretsManagerStore on the emulator",
    async setUp() {},
    async tearDown() {
      client?.destroy();
      await emulator?.close();
    },
    async fresh() {
      client?.destroy();
      await emulator?.close();
      const local = localImplementation();
      const harness = await local.fresh();
      emulator = await AwsEmulator.start(harness.store as LocalAccount);
      client = makeSecretsManagerClient({
        region: MOTO_ENV.AWS_REGION,
        endpoint: emulator.endpoint,
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      });
      return { ...harness, store: new SecretsManagerStore(client, NO_PACING) };
    },
  };
}

async function collect(store: SecretStore): Promise<Secret[][]> {
  const pages: Secret[][] = [];
  for await (const page of store.list()) pages.push(page);
  return pages;
}

/** Quarantines then releases through the store, as src/app does. */
async function quarantine(store: SecretStore, arn: string): Promise<void> {
  await store.putResourcePolicy(arn, addQuarantine(await store.getResourcePolicy(arn), QUARANTINE));
}

async function release(store: SecretStore, arn: string): Promise<void> {
  const next = removeQuarantine(await store.getResourcePolicy(arn));
  if (next === undefined) await store.deleteResourcePolicy(arn);
  else await store.putResourcePolicy(arn, next);
}

async function expectAdapterError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdapterError);
  expect((error as AdapterError).retryable).toBe(false);
  expect((error as AdapterError).message).toMatch(pattern);
}

describe.each([
  localImplementation(),
  motoImplementation(),
  emulatorImplementation(),
])("SecretStore contract: $name", (implementation) => {
  let h: Harness;
  beforeAll(async () => {
    await implementation.setUp();
  });
  afterAll(async () => {
    await implementation.tearDown();
  });
  beforeEach(async () => {
    h = await implementation.fresh();
  });

  it("describes a secret by ARN and by name, and an unknown one as undefined", async () => {
    const arn = await h.create("app/db", { tags: { team: "payments" } });
    const byArn = await h.store.describe(arn);
    expect(byArn).toMatchObject({ arn, name: "app/db", region: "us-east-1", accountId: "123456789012" });
    expect(byArn?.tags).toEqual({ team: "payments" });
    expect(byArn?.lastAccessedDate).toBeUndefined();
    expect(byArn?.rotationEnabled).toBe(false);
    expect((await h.store.describe("app/db"))?.arn).toBe(arn);
    expect(await h.store.describe("no/such/secret")).toBeUndefined();
  });

  it("tags merge and untag removes exactly the given keys", async () => {
    const arn = await h.create("app/tags", { tags: { team: "payments", env: "prod" } });
    await h.store.tag(arn, { "governor:stage": "flagged", env: "staging" });
    expect((await h.store.describe(arn))?.tags).toEqual({
      team: "payments",
      env: "staging",
      "governor:stage": "flagged",
    });
    await h.store.untag(arn, ["governor:stage", "not-there"]);
    expect((await h.store.describe(arn))?.tags).toEqual({ team: "payments", env: "staging" });
  });

  it.each([
    { act: (s: SecretStore, arn: string) => s.tag(arn, { "aws:cloudformation:stack-name": "x" }) },
    { act: (s: SecretStore, arn: string) => s.untag(arn, ["AWS:created-by"]) },
  ])("refuses aws: tag keys and changes nothing (%#)", async ({ act }) => {
    const arn = await h.create("app/reserved", { tags: { team: "a" } });
    await expectAdapterError(act(h.store, arn), /aws: prefix is reserved/);
    expect((await h.store.describe(arn))?.tags).toEqual({ team: "a" });
  });

  const existing = {
    Version: "2012-10-17",
    Statement: {
      Sid: "AllowApp",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:role/app" },
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
    },
  };

  it("quarantine and release give back a pre-existing policy", async () => {
    const arn = await h.create("app/with-policy", { policy: JSON.stringify(existing) });
    await quarantine(h.store, arn);
    const quarantined = await h.store.getResourcePolicy(arn);
    expect(isQuarantined(quarantined)).toBe(true);
    expect(JSON.parse(quarantined as string).Statement).toHaveLength(2);
    await release(h.store, arn);
    expect(JSON.parse((await h.store.getResourcePolicy(arn)) as string)).toEqual(existing);
  });

  it("quarantine and release leave no policy when there was none", async () => {
    const arn = await h.create("app/no-policy");
    expect(await h.store.getResourcePolicy(arn)).toBeUndefined();
    await quarantine(h.store, arn);
    expect(isQuarantined(await h.store.getResourcePolicy(arn))).toBe(true);
    await release(h.store, arn);
    expect(await h.store.getResourcePolicy(arn)).toBeUndefined();
  });

  it("schedules a deletion, lists the secret still, takes a second one as done, and restores", async () => {
    const arn = await h.create("app/old");
    const { deletionDate } = await h.store.scheduleDeletion(arn, 7);
    expect(deletionDate).toBeInstanceOf(Date);
    const scheduled = await h.store.describe(arn);
    expect(scheduled?.deletedDate).toBeInstanceOf(Date);
    const listed = (await collect(h.store)).flat();
    expect(listed.map((s) => s.arn)).toEqual([arn]);
    expect(listed[0]?.deletedDate).toBeInstanceOf(Date);
    // A retried DeleteSecret (its first answer lost) is refused by AWS as already marked deleted: the step is done.
    await expect(h.store.scheduleDeletion(arn, 7)).resolves.toEqual({});
    expect((await h.store.describe(arn))?.deletedDate).toEqual(scheduled?.deletedDate);
    await h.store.restore(arn);
    expect((await h.store.describe(arn))?.deletedDate).toBeUndefined();
  });

  it.each([0, 6, 31, 7.5])("refuses a recovery window of %s days before calling", async (days) => {
    const arn = await h.create("app/window");
    await expectAdapterError(h.store.scheduleDeletion(arn, days), /RecoveryWindowInDays/);
    expect((await h.store.describe(arn))?.deletedDate).toBeUndefined();
  });

  it("lists 250 secrets in pages of 100", async () => {
    const names = Array.from({ length: 250 }, (_, i) => `bulk/s-${String(i).padStart(3, "0")}`);
    for (let i = 0; i < names.length; i += 25)
      await Promise.all(names.slice(i, i + 25).map((name) => h.create(name)));
    const pages = await collect(h.store);
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(
      pages
        .flat()
        .map((s) => s.name)
        .sort(),
    ).toEqual(names);
  });

  it("lists an empty account as one empty page", async () => {
    expect(await collect(h.store)).toEqual([[]]);
  });

  it("a secret deleted mid-flight: describe gives undefined, every write SecretNotFoundError", async () => {
    const arn = await h.create("app/gone", { policy: JSON.stringify(existing) });
    await h.forceDelete(arn);
    expect(await h.store.describe(arn)).toBeUndefined();
    const writes: [string, () => Promise<unknown>][] = [
      ["tag", () => h.store.tag(arn, { a: "b" })],
      ["untag", () => h.store.untag(arn, ["a"])],
      ["getResourcePolicy", () => h.store.getResourcePolicy(arn)],
      ["putResourcePolicy", () => h.store.putResourcePolicy(arn, JSON.stringify(existing))],
      ["deleteResourcePolicy", () => h.store.deleteResourcePolicy(arn)],
      ["scheduleDeletion", () => h.store.scheduleDeletion(arn, 7)],
      ["restore", () => h.store.restore(arn)],
    ];
    for (const [name, write] of writes) {
      const error = await write().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(SecretNotFoundError);
      expect((error as SecretNotFoundError).secretId, name).toBe(arn);
    }
  });
});
