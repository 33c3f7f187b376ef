import { describe, expect, it } from "vitest";
import {
  denialTextWithoutNames,
  MAX_DENIAL_MESSAGE_LENGTH,
  parseDenialMessage,
  principalAccountOfDenial,
  secretsInDenialMessage,
} from "../../src/domain/denial-message.js";

const USER = "arn:aws:sts::123456789012:assumed-role/app/i-0abc";
const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
const READ = "secretsmanager:GetSecretValue";

function denial(resource: string | undefined, context = "", user = USER, action = READ): string {
  const on = resource === undefined ? "" : ` on resource: ${resource}`;
  return `User: ${user} is not authorized to perform: ${action}${on}${context}`;
}

const IMPLICIT = (type: string) => ` because no ${type} policy allows the ${READ} action`;
const EXPLICIT = (type: string) => ` with an explicit deny in a ${type} policy`;

describe("parseDenialMessage: the shapes IAM writes", () => {
  // Shapes from the IAM user guide (troubleshoot_access-denied), the AWS Security Blog "Enhanced access denied
  // error messages with policy ARNs", and messages quoted in public issues (see each label).
  it.each<[string, string, string | undefined]>([
    ["implicit, resource-based policy, by name", denial("app/db", IMPLICIT("resource-based")), "app/db"],
    ["implicit, identity-based policy, by ARN", denial(ARN, IMPLICIT("identity-based")), ARN],
    ["explicit, resource-based policy, by name", denial("app/db", EXPLICIT("resource-based")), "app/db"],
    [
      "explicit, identity-based policy (an)",
      denial(ARN, " with an explicit deny in an identity-based policy"),
      ARN,
    ],
    ["explicit, service control policy", denial(ARN, EXPLICIT("service control")), ARN],
    [
      "explicit, service control policy with its ARN (2026)",
      denial(
        ARN,
        `${EXPLICIT("service control")}: arn:aws:organizations::123456789012:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd`,
      ),
      ARN,
    ],
    ["explicit, resource control policy", denial(ARN, EXPLICIT("resource control")), ARN],
    [
      "implicit, permissions boundary",
      denial(ARN, ` because no permissions boundary allows the ${READ} action`),
      ARN,
    ],
    ["implicit, session policy", denial("app/db", IMPLICIT("session")), "app/db"],
    ["implicit, VPC endpoint policy", denial("app/db", IMPLICIT("VPC endpoint")), "app/db"],
    [
      "explicit, transitively through an SCP",
      denial(
        ARN,
        " with an explicit deny in a VPC endpoint policy transitively through a service control policy",
      ),
      ARN,
    ],
    ["SCP as its note words it", denial(ARN, " due to an explicit deny in a Service Control Policy"), ARN],
    [
      "the older shape, ending at the resource (external-secrets#808)",
      denial("db-connection"),
      "db-connection",
    ],
    [
      "no resource at all (resource-based example of the guide)",
      denial(undefined, IMPLICIT("resource-based")),
      undefined,
    ],
  ])("%s", (_label, message, resource) => {
    // Act
    const parsed = parseDenialMessage(message);

    // Assess
    expect(parsed).toEqual({
      principal: USER,
      action: READ,
      ...(resource !== undefined ? { resource } : {}),
    });
  });

  it.each([
    ["not IAM's sentence", "Access to KMS is not allowed"],
    ["an unknown phrase after the resource", denial("app/db", " since tuesday")],
    ["a second line", `${denial("app/db", IMPLICIT("resource-based"))}\nUser: x`],
    ["no message", undefined],
  ])("reads nothing from %s", (_label, message) => {
    expect(parseDenialMessage(message)).toBeUndefined();
  });

  it("reads nothing from a message longer than the bound, even one of IAM's shape", () => {
    // Prepare: a resource-based denial padded past the bound inside the caller's session name.
    const long = denial(
      "app/db",
      IMPLICIT("resource-based"),
      `${USER}${"x".repeat(MAX_DENIAL_MESSAGE_LENGTH)}`,
    );

    // Act / Assess
    expect(long.length).toBeGreaterThan(MAX_DENIAL_MESSAGE_LENGTH);
    expect(parseDenialMessage(long)).toBeUndefined();
    expect(secretsInDenialMessage(long)).toEqual([]);
    expect(secretsInDenialMessage(`${"x".repeat(MAX_DENIAL_MESSAGE_LENGTH)} ${ARN}`)).toEqual([]);
  });

  it("answers quickly on a hostile message at the bound", () => {
    // Prepare: the fixed words over and over, the shape that makes a backtracking pattern slow.
    const hostile = `User: ${"a is not authorized to perform: b on resource: ".repeat(170)}`.slice(
      0,
      MAX_DENIAL_MESSAGE_LENGTH,
    );

    // Act
    const started = performance.now();
    for (let i = 0; i < 100; i++) secretsInDenialMessage(hostile);
    const elapsed = performance.now() - started;

    // Assess: a hundred reads in well under a second (a quadratic pattern takes seconds here).
    expect(secretsInDenialMessage(hostile)).toEqual([]);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe("secretsInDenialMessage", () => {
  it.each<[string, string, string[]]>([
    ["a name, resource-based policy", denial("app/db", IMPLICIT("resource-based")), ["app/db"]],
    [
      "a name with slashes (mongodb/awscdk-resources-mongodbatlas#207)",
      denial("cfn/atlas/profile/development", IMPLICIT("identity-based")),
      ["cfn/atlas/profile/development"],
    ],
    [
      "a name, explicit deny (cloud-custodian#10055)",
      denial("my-example-secret", EXPLICIT("resource-based")),
      ["my-example-secret"],
    ],
    ["an ARN, identity-based policy", denial(ARN, IMPLICIT("identity-based")), [ARN]],
    [
      "an ARN whose name starts with a slash",
      denial(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:/devops/alertmanager-ev0FIK",
        IMPLICIT("identity-based"),
      ),
      ["arn:aws:secretsmanager:us-east-1:123456789012:secret:/devops/alertmanager-ev0FIK"],
    ],
    [
      "an ARN in GovCloud",
      denial("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:app/db-AbCdEf"),
      ["arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:app/db-AbCdEf"],
    ],
    [
      "an ARN in China, another account",
      denial(
        "arn:aws-cn:secretsmanager:cn-northwest-1:210987654321:secret:org/apiKey-88kA97",
        IMPLICIT("resource-based"),
      ),
      ["arn:aws-cn:secretsmanager:cn-northwest-1:210987654321:secret:org/apiKey-88kA97"],
    ],
    [
      "the policy ARN after an SCP deny is not a secret",
      denial(
        ARN,
        `${EXPLICIT("service control")}: arn:aws:organizations::123456789012:policy/o-1/service_control_policy/p-1`,
      ),
      [ARN],
    ],
    [
      "a wildcard ARN (the guide's resource-based example)",
      denial("arn:aws:secretsmanager:us-east-1:123456789012:secret:*", EXPLICIT("resource-based")),
      [],
    ],
    [
      "a wildcard inside a name",
      denial("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/*", EXPLICIT("resource-based")),
      [],
    ],
    ["a bare wildcard", denial("*", EXPLICIT("resource-based")), []],
    ["a name with a character no secret name has", denial("app/db;x", IMPLICIT("resource-based")), []],
    [
      "another service's resource",
      denial("arn:aws:kms:us-east-1:123456789012:key/1234", "", USER, "kms:Decrypt"),
      [],
    ],
    ["a name for another service's action", denial("app/db", "", USER, "kms:Decrypt"), []],
    ["no resource", denial(undefined, IMPLICIT("resource-based")), []],
    ["a name from a caller with no account", denial("app/db", IMPLICIT("resource-based"), "anonymous"), []],
    [
      "a name from a service caller",
      denial("app/db", IMPLICIT("resource-based"), "secretsmanager.amazonaws.com"),
      [],
    ],
    ["a name in an unknown wording", denial("app/db", " since tuesday"), []],
    ["an ARN in an unknown wording, as before", `Access denied to ${ARN}.`, [ARN]],
    ["the same ARN twice in an unknown wording", `${ARN}, then ${ARN} again`, [ARN]],
    [
      "a wildcard ARN in an unknown wording",
      "Access denied to arn:aws:secretsmanager:us-east-1:123456789012:secret:app/* now",
      [],
    ],
    ["no message", "", []],
  ])("%s", (_label, message, secrets) => {
    expect(secretsInDenialMessage(message)).toEqual(secrets);
  });
});

describe("principalAccountOfDenial", () => {
  it.each([
    [USER, "123456789012"],
    ["arn:aws:iam::210987654321:user/bob", "210987654321"],
    ["arn:aws-cn:sts::210987654321:assumed-role/r/s", "210987654321"],
    ["anonymous", undefined],
    ["secretsmanager.amazonaws.com", undefined],
  ])("%s -> %s", (user, account) => {
    expect(principalAccountOfDenial(denial("app/db", IMPLICIT("resource-based"), user))).toBe(account);
  });
});

describe("denialTextWithoutNames", () => {
  it("leaves the action and the reason, not the secret's name or ARN", () => {
    expect(denialTextWithoutNames(denial("kms/decrypt-key", IMPLICIT("resource-based")))).toBe(
      `User:  is not authorized to perform: ${READ} on resource: because no resource-based policy allows the ${READ} action`,
    );
  });
});
