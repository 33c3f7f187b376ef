import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  isReplica,
  isReplicatedPrimary,
  parseInventory,
  parseSecretArn,
  parseSecretEntry,
  readInventory,
  secretMatchesId,
  toListSecretsEntry,
} from "../../src/domain/secret.js";
import { InputError } from "../../src/errors.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-Ab12Cd";

function listSecrets(...entries: Record<string, unknown>[]): string {
  return JSON.stringify({ SecretList: entries });
}

function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ARN, Name: "app/db", ...overrides };
}

function inputErrorOf(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error("expected an InputError");
}

describe("parseInventory", () => {
  it("parses a list-secrets entry into the Secret model", () => {
    // Prepare
    const text = listSecrets(
      entry({
        Description: "Payments DB",
        KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc",
        RotationEnabled: true,
        RotationRules: { AutomaticallyAfterDays: 30 },
        LastRotatedDate: "2026-10-01T00:00:00+00:00",
        LastChangedDate: "2026-10-01T00:00:00+00:00",
        LastAccessedDate: "2026-11-21T00:00:00+00:00",
        NextRotationDate: "2026-10-31T23:59:59+00:00",
        CreatedDate: "2025-02-10T08:30:00+00:00",
        Tags: [{ Key: "team", Value: "payments" }, { Key: "empty" }],
        SecretVersionsToStages: { v1: ["AWSCURRENT"] },
      }),
    );

    // Act
    const [secret] = parseInventory(text, "inv.json");

    // Assess
    expect(secret).toEqual({
      arn: ARN,
      name: "app/db",
      region: "us-east-1",
      accountId: "123456789012",
      description: "Payments DB",
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc",
      tags: { team: "payments", empty: "" },
      rotationEnabled: true,
      rotationIntervalDays: 30,
      lastRotatedDate: new Date("2026-10-01T00:00:00Z"),
      lastChangedDate: new Date("2026-10-01T00:00:00Z"),
      lastAccessedDate: new Date("2026-11-21T00:00:00Z"),
      nextRotationDate: new Date("2026-10-31T23:59:59Z"),
      createdDate: new Date("2025-02-10T08:30:00Z"),
      replicas: [],
    });
  });

  it("parses the single object printed by describe-secret", () => {
    // Prepare
    const text = JSON.stringify(entry({ DeletedDate: 1764028800, OwningService: "rds" }));

    // Act
    const secrets = parseInventory(text);

    // Assess
    expect(secrets).toHaveLength(1);
    expect(secrets[0]?.deletedDate?.toISOString()).toBe("2025-11-25T00:00:00.000Z");
    expect(secrets[0]?.owningService).toBe("rds");
    expect(secrets[0]?.rotationEnabled).toBe(false);
  });

  it.each([
    ["ISO with offset", "2026-07-01T00:00:00+00:00", "2026-07-01T00:00:00.000Z"],
    ["ISO with Z", "2026-07-01T00:00:00Z", "2026-07-01T00:00:00.000Z"],
    ["ISO without zone (taken as UTC)", "2026-07-01T05:00:00", "2026-07-01T05:00:00.000Z"],
    ["ISO with a non-UTC offset", "2026-07-01T01:00:00+05:00", "2026-06-30T20:00:00.000Z"],
    ["epoch seconds", 1751328000, "2025-07-01T00:00:00.000Z"],
    ["fractional epoch seconds", 1704067200.123, "2024-01-01T00:00:00.123Z"],
  ])("reads LastAccessedDate given as %s", (_label, value, expected) => {
    // Prepare
    const text = listSecrets(entry({ LastAccessedDate: value }));

    // Act
    const [secret] = parseInventory(text);

    // Assess
    expect(secret?.lastAccessedDate?.toISOString()).toBe(expected);
  });

  it("reads ISO and epoch dates side by side in one file", () => {
    // Prepare
    const text = readFileSync("examples/inventory.json", "utf8");

    // Act
    const secrets = parseInventory(text, "examples/inventory.json");
    const epoch = secrets.find((s) => s.name === "app/legacy-epoch");
    const iso = secrets.find((s) => s.name === "app/stale");

    // Assess
    expect(secrets).toHaveLength(13);
    expect(epoch?.lastAccessedDate?.toISOString()).toBe("2025-07-01T00:00:00.000Z");
    expect(epoch?.createdDate?.toISOString()).toBe("2024-01-01T00:00:00.123Z");
    expect(iso?.lastAccessedDate?.toISOString()).toBe("2026-07-01T00:00:00.000Z");
  });

  it.each([
    ["text that is not JSON", "{not json", "inv.json: not valid JSON"],
    ["an object without SecretList", JSON.stringify({ Secrets: [] }), "missing field SecretList"],
    ["a JSON array", JSON.stringify([entry()]), "missing field SecretList"],
    [
      "SecretList that is not an array",
      JSON.stringify({ SecretList: {} }),
      "field SecretList: expected an array",
    ],
    [
      "RotationEnabled given as 'yes'",
      listSecrets(entry(), entry({ Name: "app/bad", RotationEnabled: "yes" })),
      "inv.json: SecretList[1] (app/bad): field RotationEnabled:",
    ],
    [
      "an ARN of another service",
      listSecrets(entry({ ARN: "arn:aws:ssm:us-east-1:123456789012:parameter/app/db" })),
      "SecretList[0] (app/db): field ARN: expected a Secrets Manager secret ARN",
    ],
    [
      "a date that is free text",
      listSecrets(entry(), entry(), entry({ Name: "app/stale", LastAccessedDate: "last tuesday" })),
      'SecretList[2] (app/stale): field LastAccessedDate: expected a date (ISO-8601 or epoch seconds), got "last tuesday"',
    ],
    [
      "a replica's date that is wrong",
      listSecrets(
        entry({
          PrimaryRegion: "us-east-1",
          ReplicationStatus: [{ Region: "eu-west-1", LastAccessedDate: "yesterday" }],
        }),
      ),
      "SecretList[0] (app/db): field ReplicationStatus.0.LastAccessedDate",
    ],
    [
      "a tag without a key",
      listSecrets(entry({ Tags: [{ Value: "x" }] })),
      "SecretList[0] (app/db): field Tags.0.Key",
    ],
    [
      "an entry without a Name, named by its ARN",
      listSecrets({ ARN }),
      `inv.json: SecretList[0] (${ARN}): field Name:`,
    ],
    [
      "an entry with neither Name nor ARN (index only)",
      listSecrets({ Description: "x" }),
      "inv.json: SecretList[0]: field ARN:",
    ],
    ["an entry that is not an object", listSecrets("app/db" as never), "SecretList[0]: field (entry)"],
  ])("rejects %s with an InputError naming the field and the secret", (_label, text, message) => {
    // Act
    const error = inputErrorOf(() => parseInventory(text, "inv.json"));

    // Assess
    expect(error.message).toContain(message);
    expect(error.source).toBe("inv.json");
  });

  it("rejects the shipped malformed example at its second secret", () => {
    // Prepare
    const text = readFileSync("examples/inventory-malformed.json", "utf8");

    // Act
    const error = inputErrorOf(() => parseInventory(text, "inventory-malformed.json"));

    // Assess
    expect(error.message).toBe(
      'inventory-malformed.json: SecretList[1] (app/stale): field LastAccessedDate: expected a date (ISO-8601 or epoch seconds), got "last tuesday"',
    );
  });
});

describe("readInventory: each secret once", () => {
  it("counts a secret listed twice once, with a warning naming both entries", () => {
    // Prepare
    const text = listSecrets(
      entry({ CreatedDate: "2026-01-01T00:00:00Z" }),
      entry({ CreatedDate: 1767225600 }),
    );

    // Act
    const inventory = readInventory(text, "inv.json");

    // Assess
    expect(inventory.secrets.map((s) => s.arn)).toEqual([ARN]);
    expect(inventory.warnings).toEqual([
      "inv.json: SecretList[1] (app/db) is listed twice (the same ARN as SecretList[0]): counted once",
    ]);
  });

  it("takes the same tags in another order as the same facts", () => {
    // Prepare
    const a = entry({
      Tags: [
        { Key: "team", Value: "x" },
        { Key: "env", Value: "prod" },
      ],
    });
    const b = entry({
      Tags: [
        { Key: "env", Value: "prod" },
        { Key: "team", Value: "x" },
      ],
    });

    // Act
    const inventory = readInventory(listSecrets(a, b), "inv.json");

    // Assess
    expect(inventory.secrets).toHaveLength(1);
    expect(inventory.warnings).toHaveLength(1);
  });

  it("gives no warning for an inventory without repeats", () => {
    const inventory = readInventory(
      readFileSync("examples/inventory.json", "utf8"),
      "examples/inventory.json",
    );
    expect(inventory.warnings).toEqual([]);
    expect(inventory.secrets).toHaveLength(13);
  });

  it("refuses two entries of one ARN that disagree, naming the field", () => {
    // Prepare
    const text = listSecrets(
      entry({ LastAccessedDate: "2026-01-01T00:00:00Z" }),
      entry({ LastAccessedDate: "2026-11-01T00:00:00Z" }),
    );

    // Act
    const error = inputErrorOf(() => readInventory(text, "inv.json"));

    // Assess
    expect(error.message).toBe(
      "inv.json: SecretList[1] (app/db): the same ARN as SecretList[0] with a different LastAccessedDate: list the secrets again rather than join two listings",
    );
  });

  it("refuses a repeat outright when asked to (an account file)", () => {
    const error = inputErrorOf(() =>
      readInventory(listSecrets(entry(), entry()), "account.json", { repeated: "refuse" }),
    );
    expect(error.message).toBe(
      "account.json: SecretList[1] (app/db) is listed twice (the same ARN as SecretList[0])",
    );
  });
});

describe("replication", () => {
  it.each([
    ["not replicated", {}, false, false, []],
    [
      "a primary without ReplicationStatus (list-secrets)",
      { PrimaryRegion: "us-east-1" },
      false,
      true,
      undefined,
    ],
    [
      "a primary with ReplicationStatus (describe-secret)",
      {
        PrimaryRegion: "us-east-1",
        ReplicationStatus: [
          { Region: "eu-west-1", Status: "InSync", LastAccessedDate: "2026-11-01T00:00:00+00:00" },
          { Region: "ap-south-1", Status: "InSync" },
        ],
      },
      false,
      true,
      [
        { region: "eu-west-1", status: "InSync", lastAccessedDate: new Date("2026-11-01T00:00:00Z") },
        { region: "ap-south-1", status: "InSync" },
      ],
    ],
    [
      "a primary with an empty ReplicationStatus",
      { PrimaryRegion: "us-east-1", ReplicationStatus: [] },
      false,
      true,
      [],
    ],
    [
      "a replica (primary in another region than the ARN's)",
      {
        ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-Ab12Cd",
        PrimaryRegion: "us-east-1",
      },
      true,
      false,
      undefined,
    ],
  ])("%s", (_label, overrides, replica, replicatedPrimary, replicas) => {
    // Act
    const secret = parseSecretEntry(entry(overrides));

    // Assess
    expect(isReplica(secret)).toBe(replica);
    expect(isReplicatedPrimary(secret)).toBe(replicatedPrimary);
    expect(secret.replicas).toEqual(replicas);
  });
});

describe("secret ids", () => {
  it.each([
    [
      "a well-formed ARN",
      ARN,
      { partition: "aws", region: "us-east-1", accountId: "123456789012", resource: "app/db-Ab12Cd" },
    ],
    [
      "a GovCloud ARN",
      "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-Ab12Cd",
      { partition: "aws-us-gov", region: "us-gov-west-1", accountId: "123456789012", resource: "x-Ab12Cd" },
    ],
    ["an ARN with a short account id", "arn:aws:secretsmanager:us-east-1:1234:secret:x-Ab12Cd", undefined],
    ["a name", "app/db", undefined],
  ])("parseSecretArn: %s", (_label, arn, expected) => {
    // Act
    const parsed = parseSecretArn(arn);

    // Assess
    expect(parsed).toEqual(expected);
  });

  it.each([
    ["the full ARN", ARN, true],
    ["the name", "app/db", true],
    [
      "the partial ARN (no random suffix)",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db",
      true,
    ],
    [
      "a partial ARN of a prefix of the name",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/d",
      false,
    ],
    ["another secret's name", "app/db2", false],
    ["another account's partial ARN", "arn:aws:secretsmanager:us-east-1:999999999999:secret:app/db", false],
  ])("secretMatchesId: %s -> %s", (_label, id, expected) => {
    // Prepare
    const secret = parseSecretEntry(entry());

    // Act
    const matched = secretMatchesId(secret, id);

    // Assess
    expect(matched).toBe(expected);
  });
});

describe("toListSecretsEntry", () => {
  it("renders a secret back so that parsing it again gives the same secret", () => {
    // Prepare
    const secret = parseSecretEntry(
      entry({
        RotationEnabled: true,
        RotationRules: { AutomaticallyAfterDays: 7 },
        LastAccessedDate: 1751328000,
        DeletedDate: "2026-12-01T00:00:00Z",
        Tags: [{ Key: "governor:stage", Value: "deletion-scheduled" }],
      }),
    );

    // Act
    const rendered = toListSecretsEntry(secret);

    // Assess
    expect(rendered.LastAccessedDate).toBe("2025-07-01T00:00:00.000Z");
    expect(rendered).not.toHaveProperty("Description");
    expect(parseSecretEntry(rendered)).toEqual(secret);
  });
});
