import { describe, expect, it } from "vitest";
import { firstMatchingRule, globMatcher, inRange, isExempt, matches } from "../../src/policy/match.js";
import type { Match } from "../../src/policy/schema.js";
import { daysAgo, makeSecret, NOW, type SecretSpec, withRules } from "./builders.js";

describe("matches", () => {
  it.each<[string, Partial<Match>, SecretSpec, boolean]>([
    ["no condition but the finding", {}, {}, true],
    ["name glob `*` within a segment", { name: "app/*" }, { name: "app/db" }, true],
    ["name glob `*` does not cross `/`", { name: "app/*" }, { name: "app/team/db" }, false],
    ["name glob `**` crosses `/`", { name: "app/**" }, { name: "app/team/db" }, true],
    ["any of several name globs", { name: ["ops/*", "app/*"] }, { name: "app/db" }, true],
    ["none of several name globs", { name: ["ops/*", "data/*"] }, { name: "app/db" }, false],
    ["a glob matches a dotted name", { name: "app/*" }, { name: "app/.env" }, true],
    ["tags.equals holds", { tags: { equals: { team: "data" } } }, { tags: { team: "data" } }, true],
    [
      "tags.equals is case-sensitive",
      { tags: { equals: { team: "data" } } },
      { tags: { team: "Data" } },
      false,
    ],
    ["tags.equals on a missing tag", { tags: { equals: { team: "data" } } }, {}, false],
    ["tags.exists holds with an empty value", { tags: { exists: ["team"] } }, { tags: { team: "" } }, true],
    ["tags.exists fails", { tags: { exists: ["team"] } }, { tags: { owner: "x" } }, false],
    ["tags.exists is not fooled by Object.prototype", { tags: { exists: ["constructor"] } }, {}, false],
    ["tags.absent holds", { tags: { absent: ["legacy"] } }, {}, true],
    ["tags.absent fails", { tags: { absent: ["legacy"] } }, { tags: { legacy: "1" } }, false],
    ["owningService in the list", { owningService: ["rds", "redshift"] }, { owningService: "rds" }, true],
    ["owningService not in the list", { owningService: "rds" }, { owningService: "appflow" }, false],
    ["owningService on an unmanaged secret", { owningService: "rds" }, {}, false],
    ["managed: true on a managed secret", { managed: true }, { owningService: "rds" }, true],
    ["managed: true on an unmanaged secret", { managed: true }, {}, false],
    ["managed: false on an unmanaged secret", { managed: false }, {}, true],
    [
      "replica: true on a replica",
      { replica: true },
      { region: "eu-west-1", primaryRegion: "us-east-1" },
      true,
    ],
    ["replica: true on its primary", { replica: true }, { primaryRegion: "us-east-1" }, false],
    ["replica: false on a primary", { replica: false }, { primaryRegion: "us-east-1" }, true],
    ["ageDays gte holds", { ageDays: { gte: 30 } }, { createdDate: daysAgo(30) }, true],
    ["ageDays gt fails on the boundary", { ageDays: { gt: 30 } }, { createdDate: daysAgo(30) }, false],
    ["ageDays without a CreatedDate", { ageDays: { gte: 0 } }, { createdDate: undefined }, false],
    [
      "daysSinceLastAccess lt holds",
      { daysSinceLastAccess: { lt: 2 } },
      { lastAccessedDate: daysAgo(1) },
      true,
    ],
    [
      "daysSinceLastAccess lte fails",
      { daysSinceLastAccess: { lte: 0 } },
      { lastAccessedDate: daysAgo(1) },
      false,
    ],
    [
      "daysSinceLastAccess counts from CreatedDate when never read",
      { daysSinceLastAccess: { gte: 100 } },
      { lastAccessedDate: undefined, createdDate: daysAgo(100) },
      true,
    ],
    [
      "daysSinceLastAccess uses a replica's later read",
      { daysSinceLastAccess: { lt: 10 } },
      {
        primaryRegion: "us-east-1",
        lastAccessedDate: daysAgo(200),
        replicas: [{ region: "eu-west-1", lastAccessedDate: daysAgo(3) }],
      },
      true,
    ],
    [
      "neverAccessed: true on a never-read secret",
      { neverAccessed: true },
      { lastAccessedDate: undefined },
      true,
    ],
    ["neverAccessed: true on a read secret", { neverAccessed: true }, {}, false],
    ["neverAccessed: false on a read secret", { neverAccessed: false }, {}, true],
    [
      "neverAccessed: true is false when a replica was read",
      { neverAccessed: true },
      {
        primaryRegion: "us-east-1",
        lastAccessedDate: undefined,
        replicas: [{ region: "eu-west-1", lastAccessedDate: daysAgo(3) }],
      },
      false,
    ],
    ["rotationEnabled: true", { rotationEnabled: true }, { rotationEnabled: true }, true],
    [
      "rotationEnabled: false on a rotated secret",
      { rotationEnabled: false },
      { rotationEnabled: true },
      false,
    ],
    [
      "kmsKey aws/secretsmanager on the default key (no KmsKeyId)",
      { kmsKey: "aws/secretsmanager" },
      {},
      true,
    ],
    [
      "kmsKey aws/secretsmanager on the default key by alias ARN",
      { kmsKey: "aws/secretsmanager" },
      { kmsKeyId: "arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager" },
      true,
    ],
    [
      "kmsKey aws/secretsmanager on a customer key",
      { kmsKey: "aws/secretsmanager" },
      { kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234" },
      false,
    ],
    [
      "kmsKey glob on a customer key",
      { kmsKey: "arn:aws:kms:*:123456789012:key/*" },
      { kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234" },
      true,
    ],
    ["kmsKey exact id", { kmsKey: ["alias/other", "key-1"] }, { kmsKeyId: "key-1" }, true],
    ["kmsKey on the default key with a customer pattern", { kmsKey: "key-1" }, {}, false],
  ])("%s", (_label, match, spec, expected) => {
    // Prepare
    const secret = makeSecret(spec);

    // Act
    const result = matches({ finding: "unused", ...match }, secret, "unused", NOW);

    // Assess
    expect(result).toBe(expected);
  });

  it.each([
    ["a single finding", "unused", "unused", true],
    ["another finding", "unused", "rotation-disabled", false],
    ["one of a list", ["access-denied", "decryption-failure"], "decryption-failure", true],
  ] as const)("finding: %s", (_label, finding, actual, expected) => {
    // Act
    const result = matches({ finding: finding as Match["finding"] }, makeSecret(), actual, NOW);

    // Assess
    expect(result).toBe(expected);
  });
});

describe("firstMatchingRule", () => {
  it.each([
    ["app/db", "app-rule"],
    ["ops/db", "catch-all"],
  ])("the first matching rule decides for %s", (name, expected) => {
    // Prepare
    const policy = withRules(`  - name: app-rule
    match: { finding: rotation-disabled, name: "app/**" }
    actions: [notify]
  - name: catch-all
    match: { finding: rotation-disabled }
    actions: [notify]
`);

    // Act
    const rule = firstMatchingRule(policy.rules, makeSecret({ name }), "rotation-disabled", NOW);

    // Assess
    expect(rule?.name).toBe(expected);
  });

  it("returns undefined when no rule is on the finding", () => {
    // Prepare
    const policy = withRules(
      "  - name: r\n    match: { finding: rotation-disabled }\n    actions: [notify]\n",
    );

    // Act
    const rule = firstMatchingRule(policy.rules, makeSecret(), "unused", NOW);

    // Assess
    expect(rule).toBeUndefined();
  });
});

describe("isExempt", () => {
  const exempt = { tags: { "governor:exempt": "true", "backup-of": "*" }, names: ["breakglass/**"] };

  it.each<[string, SecretSpec, string | undefined]>([
    ["the tag with its value", { tags: { "governor:exempt": "true" } }, "tag governor:exempt=true"],
    ["the tag value in another case", { tags: { "governor:exempt": "TRUE" } }, "tag governor:exempt=TRUE"],
    ["the tag with another value", { tags: { "governor:exempt": "false" } }, undefined],
    ["a `*` tag with any value", { tags: { "backup-of": "" } }, "tag backup-of="],
    ["the tag key in another case", { tags: { "Governor:Exempt": "true" } }, undefined],
    ["a name glob", { name: "breakglass/root/mfa" }, "name matches breakglass/**"],
    ["neither", { name: "app/db" }, undefined],
  ])("%s", (_label, spec, expected) => {
    // Act
    const why = isExempt(makeSecret(spec), exempt);

    // Assess
    expect(why).toBe(expected);
  });
});

describe("helpers", () => {
  it.each([
    [5, { gt: 4, lt: 6 }, true],
    [4, { gt: 4 }, false],
    [4, { gte: 4, lte: 4 }, true],
    [6, { lt: 6 }, false],
    [undefined, { gte: 0 }, false],
    [undefined, undefined, true],
  ])("inRange(%s, %j) -> %s", (value, range, expected) => {
    // Act
    const result = inRange(value, range);

    // Assess
    expect(result).toBe(expected);
  });

  it("caches compiled globs", () => {
    // Act
    const [a, b] = [globMatcher("x/**"), globMatcher("x/**")];

    // Assess
    expect(a).toBe(b);
    expect(a("x/y/z")).toBe(true);
  });
});
