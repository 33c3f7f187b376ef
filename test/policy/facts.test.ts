import { describe, expect, it } from "vitest";
import {
  daysSinceLastUse,
  isRotationOverdue,
  isUnused,
  lastAccessAnywhere,
  replicasUnknown,
  usesDefaultKey,
} from "../../src/policy/facts.js";
import { daysAgo, isoDaysAgo, makeSecret, NOW, type SecretSpec } from "./builders.js";

describe("isUnused", () => {
  it.each<[string, SecretSpec, number, boolean | undefined]>([
    ["read exactly 90 days ago is not unused", { lastAccessedDate: daysAgo(90) }, 90, false],
    ["read 91 days ago is unused", { lastAccessedDate: daysAgo(91) }, 90, true],
    [
      "read 91 calendar days ago late in the day is unused (UTC days, not 24h periods)",
      { lastAccessedDate: new Date(daysAgo(91).getTime() + 23 * 3_600_000) },
      90,
      true,
    ],
    ["read yesterday", { lastAccessedDate: daysAgo(1) }, 90, false],
    ["a threshold of 1: read 2 days ago", { lastAccessedDate: daysAgo(2) }, 1, true],
    ["never read, created today", { lastAccessedDate: undefined, createdDate: NOW }, 90, false],
    ["never read, created 90 days ago", { lastAccessedDate: undefined, createdDate: daysAgo(90) }, 90, false],
    ["never read, created 91 days ago", { lastAccessedDate: undefined, createdDate: daysAgo(91) }, 90, true],
    ["no dates at all", { lastAccessedDate: undefined, createdDate: undefined }, 90, undefined],
    [
      "a replicated primary without ReplicationStatus cannot be judged",
      { primaryRegion: "us-east-1", replicas: undefined, lastAccessedDate: daysAgo(400) },
      90,
      undefined,
    ],
    [
      "a primary unread here but read in a replica is in use",
      {
        primaryRegion: "us-east-1",
        lastAccessedDate: daysAgo(400),
        replicas: [
          { region: "eu-west-1", lastAccessedDate: daysAgo(300) },
          { region: "ap-south-1", lastAccessedDate: daysAgo(5) },
        ],
      },
      90,
      false,
    ],
    [
      "a primary unused everywhere is unused",
      {
        primaryRegion: "us-east-1",
        lastAccessedDate: daysAgo(400),
        replicas: [{ region: "eu-west-1", lastAccessedDate: daysAgo(120) }, { region: "ap-south-1" }],
      },
      90,
      true,
    ],
    [
      "a primary never read anywhere counts from its creation",
      {
        primaryRegion: "us-east-1",
        lastAccessedDate: undefined,
        createdDate: daysAgo(10),
        replicas: [{ region: "eu-west-1" }],
      },
      90,
      false,
    ],
  ])("%s", (_label, spec, threshold, expected) => {
    // Prepare
    const secret = makeSecret(spec);

    // Act
    const unused = isUnused(secret, NOW, threshold);

    // Assess
    expect(unused).toBe(expected);
  });

  it("takes the latest read anywhere and counts days from it", () => {
    // Prepare
    const secret = makeSecret({
      primaryRegion: "us-east-1",
      lastAccessedDate: daysAgo(40),
      replicas: [{ region: "eu-west-1", lastAccessedDate: daysAgo(12) }],
    });

    // Act
    const [last, days] = [lastAccessAnywhere(secret), daysSinceLastUse(secret, NOW)];

    // Assess
    expect(last).toEqual(daysAgo(12));
    expect(days).toBe(12);
    expect(replicasUnknown(secret)).toBe(false);
  });
});

describe("last use: LastAccessedDate and the proof of use (governor:used-on)", () => {
  it.each<[string, SecretSpec, string | undefined, number | undefined, boolean | undefined]>([
    [
      "a denied read recorded yesterday is later than the last access",
      { lastAccessedDate: daysAgo(200), tags: { "governor:used-on": isoDaysAgo(1) } },
      isoDaysAgo(1),
      1,
      false,
    ],
    [
      "a proof older than the last access does not move it back",
      { lastAccessedDate: daysAgo(5), tags: { "governor:used-on": isoDaysAgo(100) } },
      isoDaysAgo(5),
      5,
      false,
    ],
    [
      "never read, but a read was denied 10 days ago",
      {
        lastAccessedDate: undefined,
        createdDate: daysAgo(300),
        tags: { "governor:used-on": isoDaysAgo(10) },
      },
      isoDaysAgo(10),
      10,
      false,
    ],
    [
      "a proof older than the threshold: unused",
      { lastAccessedDate: daysAgo(200), tags: { "governor:used-on": isoDaysAgo(91) } },
      isoDaysAgo(91),
      91,
      true,
    ],
    [
      "a used-on that is not an ISO date counts for nothing",
      { lastAccessedDate: daysAgo(200), tags: { "governor:used-on": "20261122" } },
      isoDaysAgo(200),
      200,
      true,
    ],
    [
      "a used-on of free text counts for nothing",
      { lastAccessedDate: daysAgo(200), tags: { "governor:used-on": "yesterday" } },
      isoDaysAgo(200),
      200,
      true,
    ],
  ])("%s", (_label, spec, last, days, unused) => {
    // Prepare
    const secret = makeSecret(spec);

    // Act
    const found = {
      last: lastAccessAnywhere(secret)?.toISOString().slice(0, 10),
      days: daysSinceLastUse(secret, NOW),
      unused: isUnused(secret, NOW, 90),
    };

    // Assess
    expect(found).toEqual({ last, days, unused });
  });
});

describe("usesDefaultKey", () => {
  it.each([
    [undefined, true],
    ["alias/aws/secretsmanager", true],
    ["arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager", true],
    ["arn:aws:kms:us-east-1:123456789012:key/1234", false],
    ["alias/payments", false],
  ])("KmsKeyId %s -> %s", (kmsKeyId, expected) => {
    // Prepare
    const secret = makeSecret(kmsKeyId ? { kmsKeyId } : {});

    // Act
    const result = usesDefaultKey(secret);

    // Assess
    expect(result).toBe(expected);
  });
});

describe("isRotationOverdue", () => {
  it.each<[string, SecretSpec, boolean]>([
    ["rotation disabled is never overdue", { rotationEnabled: false, nextRotationDate: daysAgo(10) }, false],
    [
      "next rotation yesterday (AWS may take the day)",
      { rotationEnabled: true, nextRotationDate: daysAgo(1) },
      false,
    ],
    ["next rotation two days ago", { rotationEnabled: true, nextRotationDate: daysAgo(2) }, true],
    [
      "no next date: last rotation one interval and a day ago",
      { rotationEnabled: true, lastRotatedDate: daysAgo(31), rotationIntervalDays: 30 },
      false,
    ],
    [
      "no next date: last rotation more than an interval and a day ago",
      { rotationEnabled: true, lastRotatedDate: daysAgo(32), rotationIntervalDays: 30 },
      true,
    ],
    ["no dates at all", { rotationEnabled: true }, false],
  ])("%s", (_label, spec, expected) => {
    // Act
    const overdue = isRotationOverdue(makeSecret(spec), NOW);

    // Assess
    expect(overdue).toBe(expected);
  });
});
