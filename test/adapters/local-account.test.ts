import { describe, expect, it } from "vitest";
import { LocalAccount, loadLocalAccount } from "../../src/adapters/local-account.js";
import { addQuarantine, quarantineStatement } from "../../src/domain/quarantine.js";
import { parseSecretEntry } from "../../src/domain/secret.js";
import { AdapterError, InputError, SecretNotFoundError } from "../../src/errors.js";

const DB = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
const KEY = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/key-GhIjKl";
const PRIMARY = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/global-MnOpQr";
const NOW = new Date("2026-11-23T10:30:00Z");
const clock = { now: () => NOW };

const allowApp = {
  Version: "2012-10-17",
  Statement: {
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::123456789012:role/app" },
    Action: "*",
    Resource: "*",
  },
};

const ACCOUNT = JSON.stringify({
  SecretList: [
    {
      ARN: DB,
      Name: "app/db",
      LastAccessedDate: "2026-11-20T00:00:00+00:00",
      Tags: [{ Key: "team", Value: "payments" }],
      CreatedDate: 1735689600,
    },
    { ARN: KEY, Name: "app/key", RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 30 } },
  ],
  ResourcePolicies: { [DB]: allowApp, "app/key": JSON.stringify(allowApp) },
});

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("loadLocalAccount", () => {
  it("reads list-secrets JSON and resource policies keyed by ARN or name, as objects or text", async () => {
    const account = loadLocalAccount(ACCOUNT, "account.json");
    expect(await account.describe("app/db")).toMatchObject({
      arn: DB,
      tags: { team: "payments" },
      lastAccessedDate: new Date("2026-11-20T00:00:00Z"),
    });
    expect(JSON.parse((await account.getResourcePolicy(DB)) as string)).toEqual(allowApp);
    expect(JSON.parse((await account.getResourcePolicy(KEY)) as string)).toEqual(allowApp);
  });

  it.each([
    { name: "not JSON", text: "{", pattern: /not valid JSON/ },
    { name: "no SecretList", text: "{}", pattern: /SecretList/ },
    {
      name: "ResourcePolicies not an object",
      text: JSON.stringify({ SecretList: [], ResourcePolicies: [] }),
      pattern: /ResourcePolicies: expected an object/,
    },
    {
      name: "a policy for an unknown secret",
      text: JSON.stringify({ SecretList: [], ResourcePolicies: { "app/nope": allowApp } }),
      pattern: /no secret app\/nope/,
    },
    {
      name: "a policy that is not a document",
      text: JSON.stringify({ SecretList: [{ ARN: DB, Name: "app/db" }], ResourcePolicies: { [DB]: "{x" } }),
      pattern: /ResourcePolicies\..*expected a policy document/,
    },
    {
      name: "a secret listed twice",
      text: JSON.stringify({
        SecretList: [
          { ARN: DB, Name: "app/db" },
          { ARN: DB, Name: "app/db" },
        ],
      }),
      pattern: /twice/,
    },
  ])("refuses $name with an InputError naming the file", ({ text, pattern }) => {
    const load = () => loadLocalAccount(text, "account.json");
    expect(load).toThrow(InputError);
    expect(load).toThrow(pattern);
    expect(load).toThrow(/account\.json/);
  });

  it("snapshot reads back as the same account", async () => {
    const account = loadLocalAccount(ACCOUNT, "account.json", { clock });
    await account.tag(DB, { "governor:stage": "quarantined" });
    await account.putResourcePolicy(
      DB,
      addQuarantine(
        await account.getResourcePolicy(DB),
        quarantineStatement(["arn:aws:iam::123456789012:role/g"]),
      ),
    );
    await account.deleteResourcePolicy(KEY);
    await account.scheduleDeletion(KEY, 7);
    const snapshot = account.snapshot();
    expect(snapshot.SecretList).toEqual([
      {
        ARN: DB,
        Name: "app/db",
        RotationEnabled: false,
        LastAccessedDate: "2026-11-20T00:00:00.000Z",
        Tags: [
          { Key: "team", Value: "payments" },
          { Key: "governor:stage", Value: "quarantined" },
        ],
        CreatedDate: "2025-01-01T00:00:00.000Z",
      },
      {
        ARN: KEY,
        Name: "app/key",
        RotationEnabled: true,
        RotationRules: { AutomaticallyAfterDays: 30 },
        // DeleteSecret moves LastChangedDate, as AWS does ("modified in any way").
        LastChangedDate: "2026-11-23T10:30:00.000Z",
        DeletedDate: "2026-11-23T10:30:00.000Z",
        Tags: [],
      },
    ]);
    expect(Object.keys(snapshot.ResourcePolicies)).toEqual([DB]);
    const again = loadLocalAccount(JSON.stringify(snapshot), "snapshot.json", { clock });
    expect(again.snapshot()).toEqual(snapshot);
  });
});

describe("LocalAccount", () => {
  it("keeps a log of every call, refused ones included", async () => {
    const account = loadLocalAccount(ACCOUNT, "account.json");
    for await (const _ of account.list());
    await account.describe("app/db");
    await account.tag(DB, { a: "b" });
    await errorOf(account.untag("app/gone", ["a"]));
    await errorOf(account.tag(DB, { "aws:x": "refused before the call" }));
    expect(account.calls).toEqual([
      { operation: "ListSecrets", arn: "*" },
      { operation: "DescribeSecret", arn: DB },
      { operation: "TagResource", arn: DB },
      { operation: "UntagResource", arn: "app/gone" },
    ]);
  });

  it("sets DeletedDate to the time of the request and returns the end of the recovery window", async () => {
    const account = loadLocalAccount(ACCOUNT, "account.json", { clock });
    expect(await account.scheduleDeletion("app/db", 30)).toEqual({
      deletionDate: new Date("2026-12-23T10:30:00Z"),
    });
    expect((await account.describe(DB))?.deletedDate).toEqual(NOW);
    await account.restore(DB);
    await account.restore(DB);
    expect((await account.describe(DB))?.deletedDate).toBeUndefined();
  });

  it.each([
    ["TagResource", (a: LocalAccount) => a.tag(DB, { "governor:stage": "flagged" })],
    ["UntagResource", (a: LocalAccount) => a.untag(DB, ["team"])],
    ["GetResourcePolicy", (a: LocalAccount) => a.getResourcePolicy(DB)],
    [
      "PutResourcePolicy",
      (a: LocalAccount) => a.putResourcePolicy(DB, '{"Version":"2012-10-17","Statement":[]}'),
    ],
    ["DeleteResourcePolicy", (a: LocalAccount) => a.deleteResourcePolicy(DB)],
  ] as const)("refuses %s on a secret scheduled for deletion, as AWS does, until it is restored", async (op, call) => {
    const account = loadLocalAccount(ACCOUNT, "account.json", { clock });
    await account.scheduleDeletion(DB, 7);
    const error = await errorOf(call(account));
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).retryable).toBe(false);
    expect((error as Error).message).toBe(
      `${op}: InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion.`,
    );
    await account.restore(DB);
    await expect(call(account)).resolves.not.toThrow();
  });

  it("refuses to delete a primary that still has replicas", async () => {
    const primary = parseSecretEntry({
      ARN: PRIMARY,
      Name: "app/global",
      PrimaryRegion: "us-east-1",
      ReplicationStatus: [{ Region: "eu-west-1", Status: "InSync" }],
    });
    const account = new LocalAccount([primary]);
    const error = await errorOf(account.scheduleDeletion(PRIMARY, 7));
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toMatch(/InvalidRequestException.*replicas/);
    expect((await account.describe(PRIMARY))?.deletedDate).toBeUndefined();
  });

  it.each([
    { name: "malformed JSON", policy: "{x", pattern: /MalformedPolicyDocumentException/ },
    { name: "no Statement", policy: "{}", pattern: /MalformedPolicyDocumentException/ },
    {
      name: "a public Allow",
      policy: JSON.stringify({
        Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "*", Resource: "*" }],
      }),
      pattern: /PublicPolicyException/,
    },
    {
      name: "over 20,480 characters",
      policy: JSON.stringify({ Id: "x".repeat(20_480), Statement: [] }),
      pattern: /20480/,
    },
  ])("refuses to put $name and keeps the old policy", async ({ policy, pattern }) => {
    const account = loadLocalAccount(ACCOUNT, "account.json");
    const before = await account.getResourcePolicy(DB);
    const error = await errorOf(account.putResourcePolicy(DB, policy));
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).retryable).toBe(false);
    expect((error as Error).message).toMatch(pattern);
    expect(await account.getResourcePolicy(DB)).toBe(before);
  });

  it("accepts a deny-only quarantine under BlockPublicPolicy", async () => {
    const account = loadLocalAccount(ACCOUNT, "account.json");
    const quarantined = addQuarantine(await account.getResourcePolicy(DB), quarantineStatement([]));
    await account.putResourcePolicy(DB, quarantined);
    expect(await account.getResourcePolicy(DB)).toBe(quarantined);
  });

  it("refuses a 51st tag", async () => {
    const account = loadLocalAccount(ACCOUNT, "account.json");
    const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"]));
    await account.tag(DB, tags);
    const error = await errorOf(account.tag(DB, { one: "more" }));
    expect(error).toBeInstanceOf(AdapterError);
    expect(Object.keys((await account.describe(DB))?.tags ?? {})).toHaveLength(50);
  });

  it("hands out copies: changing a described secret does not change the account", async () => {
    const account = loadLocalAccount(ACCOUNT, "account.json");
    const secret = await account.describe(DB);
    if (secret) secret.tags.team = "changed";
    expect((await account.describe(DB))?.tags.team).toBe("payments");
  });

  it("finds a secret by partial ARN, as AWS does", async () => {
    const account = loadLocalAccount(ACCOUNT, "account.json");
    expect((await account.describe(DB.slice(0, -7)))?.arn).toBe(DB);
  });

  it("forgets a removed secret", async () => {
    const account = loadLocalAccount(ACCOUNT, "account.json");
    expect(account.remove("app/db")).toBe(true);
    expect(account.remove("app/db")).toBe(false);
    expect(await errorOf(account.getResourcePolicy(DB))).toBeInstanceOf(SecretNotFoundError);
    expect(account.snapshot().ResourcePolicies).toEqual({ [KEY]: allowApp });
  });
});
