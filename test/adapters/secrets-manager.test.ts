import { readFileSync } from "node:fs";
import {
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  InternalServiceError,
  InvalidRequestException,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { Pacer, WriteFamily } from "../../src/adapters/pacer.js";
import { SecretsManagerStore } from "../../src/adapters/secrets-manager.js";
import { AdapterError, SecretNotFoundError } from "../../src/errors.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
const sm = mockClient(SecretsManagerClient);

class RecordingPacer implements Pacer {
  readonly taken: WriteFamily[] = [];
  async take(family: WriteFamily): Promise<void> {
    this.taken.push(family);
  }
}

function serviceError(name: string, status: number, fault: "client" | "server" = "client") {
  return new SecretsManagerServiceException({
    name,
    $fault: fault,
    message: `${name} for the test`,
    $metadata: { httpStatusCode: status },
  });
}

function entry(i: number) {
  return {
    ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:bulk/s-${i}-AbCdEf`,
    Name: `bulk/s-${i}`,
    CreatedDate: new Date("2026-01-01T00:00:00Z"),
    LastAccessedDate: new Date("2026-11-01T00:00:00Z"),
    Tags: [{ Key: "team", Value: "a" }],
  };
}

describe("SecretsManagerStore (SDK mocked)", () => {
  let pacer: RecordingPacer;
  let store: SecretsManagerStore;
  beforeEach(() => {
    sm.reset();
    pacer = new RecordingPacer();
    store = new SecretsManagerStore(new SecretsManagerClient({ region: "us-east-1" }), pacer);
  });

  it("describes through DescribeSecret and maps the response, replicas included", async () => {
    sm.on(DescribeSecretCommand, { SecretId: ARN }).resolves({
      ARN,
      Name: "app/db",
      LastAccessedDate: new Date("2026-11-20T00:00:00Z"),
      PrimaryRegion: "us-east-1",
      ReplicationStatus: [
        { Region: "eu-west-1", Status: "InSync", LastAccessedDate: new Date("2026-11-21T00:00:00Z") },
      ],
      Tags: [{ Key: "team", Value: "payments" }],
    });
    const secret = await store.describe(ARN);
    expect(secret).toMatchObject({
      arn: ARN,
      name: "app/db",
      tags: { team: "payments" },
      lastAccessedDate: new Date("2026-11-20T00:00:00Z"),
      primaryRegion: "us-east-1",
      replicas: [
        { region: "eu-west-1", status: "InSync", lastAccessedDate: new Date("2026-11-21T00:00:00Z") },
      ],
    });
    expect(pacer.taken).toEqual([]);
  });

  it("describes a missing secret as undefined", async () => {
    sm.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ message: "gone", $metadata: {} }));
    expect(await store.describe(ARN)).toBeUndefined();
  });

  it("lists every page with IncludePlannedDeletion and MaxResults 100, following NextToken", async () => {
    sm.on(ListSecretsCommand)
      .resolvesOnce({ SecretList: Array.from({ length: 100 }, (_, i) => entry(i)), NextToken: "t1" })
      .resolvesOnce({ SecretList: Array.from({ length: 100 }, (_, i) => entry(100 + i)), NextToken: "t2" })
      .resolvesOnce({ SecretList: [entry(200)] });
    const pages = [];
    for await (const page of store.list()) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([100, 100, 1]);
    expect(pages[2]?.[0]).toMatchObject({ name: "bulk/s-200", tags: { team: "a" } });
    expect(sm.commandCalls(ListSecretsCommand).map((c) => c.args[0].input)).toEqual([
      { MaxResults: 100, IncludePlannedDeletion: true },
      { MaxResults: 100, IncludePlannedDeletion: true, NextToken: "t1" },
      { MaxResults: 100, IncludePlannedDeletion: true, NextToken: "t2" },
    ]);
  });

  it("sends exactly the given tags, paced in the tag family", async () => {
    sm.on(TagResourceCommand).resolves({});
    sm.on(UntagResourceCommand).resolves({});
    await store.tag(ARN, { "governor:stage": "flagged", "governor:stage-since": "2026-11-23" });
    await store.untag(ARN, ["governor:stage"]);
    expect(sm.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      Tags: [
        { Key: "governor:stage", Value: "flagged" },
        { Key: "governor:stage-since", Value: "2026-11-23" },
      ],
    });
    expect(sm.commandCalls(UntagResourceCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      TagKeys: ["governor:stage"],
    });
    expect(pacer.taken).toEqual(["tag", "tag"]);
  });

  it("makes no call for an empty tag set", async () => {
    await store.tag(ARN, {});
    await store.untag(ARN, []);
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    {
      name: "aws: key on tag",
      act: (s: SecretsManagerStore) => s.tag(ARN, { "aws:x": "1" }),
      pattern: /reserved/,
    },
    {
      name: "AWS: key on untag",
      act: (s: SecretsManagerStore) => s.untag(ARN, ["AWS:x"]),
      pattern: /reserved/,
    },
    { name: "empty key", act: (s: SecretsManagerStore) => s.tag(ARN, { "": "1" }), pattern: /1 to 128/ },
    {
      name: "long key",
      act: (s: SecretsManagerStore) => s.tag(ARN, { ["k".repeat(129)]: "1" }),
      pattern: /1 to 128/,
    },
    {
      name: "long value",
      act: (s: SecretsManagerStore) => s.tag(ARN, { k: "v".repeat(257) }),
      pattern: /256/,
    },
    { name: "window 6", act: (s: SecretsManagerStore) => s.scheduleDeletion(ARN, 6), pattern: /7 to 30/ },
    { name: "window 31", act: (s: SecretsManagerStore) => s.scheduleDeletion(ARN, 31), pattern: /7 to 30/ },
  ])("refuses $name without calling AWS", async ({ act, pattern }) => {
    const error = await act(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).retryable).toBe(false);
    expect((error as Error).message).toMatch(pattern);
    expect(sm.calls()).toHaveLength(0);
  });

  it("reads, puts (always with BlockPublicPolicy) and deletes the resource policy", async () => {
    sm.on(GetResourcePolicyCommand).resolvesOnce({ ARN, Name: "app/db" }).resolves({ ResourcePolicy: "{}" });
    sm.on(PutResourcePolicyCommand).resolves({});
    sm.on(DeleteResourcePolicyCommand).resolves({});
    expect(await store.getResourcePolicy(ARN)).toBeUndefined();
    expect(await store.getResourcePolicy(ARN)).toBe("{}");
    await store.putResourcePolicy(ARN, '{"Statement":[]}');
    await store.deleteResourcePolicy(ARN);
    expect(sm.commandCalls(PutResourcePolicyCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      ResourcePolicy: '{"Statement":[]}',
      BlockPublicPolicy: true,
    });
    expect(sm.commandCalls(DeleteResourcePolicyCommand)[0]?.args[0].input).toEqual({ SecretId: ARN });
    expect(pacer.taken).toEqual(["resource-policy", "resource-policy", "resource-policy", "resource-policy"]);
  });

  it("schedules deletion with a recovery window and never forces it", async () => {
    const deletionDate = new Date("2026-12-23T00:00:00Z");
    sm.on(DeleteSecretCommand).resolves({ ARN, DeletionDate: deletionDate });
    expect(await store.scheduleDeletion(ARN, 30)).toEqual({ deletionDate });
    expect(sm.commandCalls(DeleteSecretCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      RecoveryWindowInDays: 30,
    });
    expect(pacer.taken).toEqual(["delete"]);
  });

  it("takes a DeleteSecret refused as already done (its first answer lost, the SDK's retry refused) as done", async () => {
    sm.on(DeleteSecretCommand).rejects(
      new InvalidRequestException({
        message: "You tried to perform the operation on a secret that's currently marked deleted.",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    sm.on(DescribeSecretCommand).resolves({
      ARN,
      Name: "app/db",
      DeletedDate: new Date("2026-11-23T06:00:00Z"),
    });
    await expect(store.scheduleDeletion(ARN, 30)).resolves.toEqual({});
  });

  it("still fails a DeleteSecret refused for another reason (not scheduled after all)", async () => {
    sm.on(DeleteSecretCommand).rejects(
      new InvalidRequestException({
        message: "You can't delete a primary secret that is replicated.",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    sm.on(DescribeSecretCommand).resolves({ ARN, Name: "app/db" });
    await expect(store.scheduleDeletion(ARN, 30)).rejects.toThrow(/InvalidRequestException/);
  });

  it("restores through RestoreSecret", async () => {
    sm.on(RestoreSecretCommand).resolves({ ARN });
    await store.restore(ARN);
    expect(sm.commandCalls(RestoreSecretCommand)[0]?.args[0].input).toEqual({ SecretId: ARN });
    expect(pacer.taken).toEqual(["restore"]);
  });

  it.each([
    { name: "tag", act: (s: SecretsManagerStore) => s.tag(ARN, { a: "b" }) },
    { name: "untag", act: (s: SecretsManagerStore) => s.untag(ARN, ["a"]) },
    { name: "getResourcePolicy", act: (s: SecretsManagerStore) => s.getResourcePolicy(ARN) },
    { name: "putResourcePolicy", act: (s: SecretsManagerStore) => s.putResourcePolicy(ARN, "{}") },
    { name: "deleteResourcePolicy", act: (s: SecretsManagerStore) => s.deleteResourcePolicy(ARN) },
    { name: "scheduleDeletion", act: (s: SecretsManagerStore) => s.scheduleDeletion(ARN, 7) },
    { name: "restore", act: (s: SecretsManagerStore) => s.restore(ARN) },
  ])("$name on a missing secret raises SecretNotFoundError", async ({ act }) => {
    sm.onAnyCommand().rejects(
      new ResourceNotFoundException({ message: "gone", $metadata: { httpStatusCode: 400 } }),
    );
    const error = await act(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect((error as SecretNotFoundError).secretId).toBe(ARN);
  });

  it.each([
    { name: "ThrottlingException", error: serviceError("ThrottlingException", 400), retryable: true },
    {
      name: "InternalServiceError",
      error: new InternalServiceError({ message: "boom", $metadata: { httpStatusCode: 500 } }),
      retryable: true,
    },
    { name: "a 503", error: serviceError("ServiceUnavailable", 503, "server"), retryable: true },
    {
      name: "a network error",
      error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      retryable: true,
    },
    { name: "AccessDeniedException", error: serviceError("AccessDeniedException", 400), retryable: false },
    {
      name: "InvalidRequestException",
      error: new InvalidRequestException({ message: "marked deleted", $metadata: { httpStatusCode: 400 } }),
      retryable: false,
    },
    { name: "ValidationException", error: serviceError("ValidationException", 400), retryable: false },
  ])("wraps $name as AdapterError, retryable $retryable", async ({ error, retryable }) => {
    sm.onAnyCommand().rejects(error);
    for (const act of [
      () => store.tag(ARN, { a: "b" }),
      () => store.describe(ARN),
      () => store.list()[Symbol.asyncIterator]().next(),
    ]) {
      const thrown = await act().catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(AdapterError);
      expect((thrown as AdapterError).retryable).toBe(retryable);
      expect((thrown as AdapterError).cause).toBe(error);
    }
  });

  it("names the operation and the secret in the error", async () => {
    sm.on(PutResourcePolicyCommand).rejects(serviceError("MalformedPolicyDocumentException", 400));
    const error = (await store.putResourcePolicy(ARN, "{}").catch((e: unknown) => e)) as AdapterError;
    expect(error.operation).toBe("PutResourcePolicy");
    expect(error.message).toContain(ARN);
    expect(error.message).toContain("MalformedPolicyDocumentException");
  });
});

describe("the secret store never reads a value", () => {
  // The Slack adapter reads its own webhook secret; the governed secrets are never read.
  it.each([
    "src/adapters/secrets-manager.ts",
    "src/adapters/local-account.ts",
  ])("%s has no GetSecretValue", (path) => {
    expect(readFileSync(path, "utf8")).not.toMatch(/GetSecretValueCommand|BatchGetSecretValue/);
  });
});
