import { describe, expect, it } from "vitest";
import { isPrincipalOfRole, principalIdentity } from "../../src/domain/principal.js";

describe("principalIdentity", () => {
  it.each([
    [
      "an assumed-role session: its role, and the session",
      "arn:aws:sts::123456789012:assumed-role/orders-app/i-001",
      { key: "arn:aws:iam::123456789012:role/orders-app", session: "i-001" },
    ],
    [
      "a session name with slashes and dots",
      "arn:aws:sts::123456789012:assumed-role/orders-app/botocore-session.17/x",
      { key: "arn:aws:iam::123456789012:role/orders-app", session: "botocore-session.17/x" },
    ],
    [
      "another partition",
      "arn:aws-us-gov:sts::123456789012:assumed-role/app/s-1",
      { key: "arn:aws-us-gov:iam::123456789012:role/app", session: "s-1" },
    ],
    [
      "a role ARN stands for itself",
      "arn:aws:iam::123456789012:role/app",
      { key: "arn:aws:iam::123456789012:role/app" },
    ],
    [
      "a user stands for itself",
      "arn:aws:iam::123456789012:user/alice",
      { key: "arn:aws:iam::123456789012:user/alice" },
    ],
    ["text that is no ARN stands for itself", "unknown", { key: "unknown" }],
  ])("%s", (_label, arn, expected) => {
    // Act
    const identity = principalIdentity(arn);

    // Assess
    expect(identity).toEqual(expected);
  });
});

describe("isPrincipalOfRole", () => {
  const ROLE = "arn:aws:iam::123456789012:role/secrets-governor-prod-us-east-1-lambdaRole";

  it.each([
    ["the role itself", ROLE, ROLE, true],
    [
      "a session of the role",
      ROLE,
      "arn:aws:sts::123456789012:assumed-role/secrets-governor-prod-us-east-1-lambdaRole/secrets-governor-prod-sweep",
      true,
    ],
    [
      "a session of a role with a path (sessions name the role without it)",
      "arn:aws:iam::123456789012:role/service-role/governor",
      "arn:aws:sts::123456789012:assumed-role/governor/s-1",
      true,
    ],
    [
      "a session of another role whose name starts the same",
      ROLE,
      "arn:aws:sts::123456789012:assumed-role/secrets-governor-prod-us-east-1-lambdaRole-x/s",
      false,
    ],
    [
      "a session of the same role name in another account",
      ROLE,
      "arn:aws:sts::210987654321:assumed-role/secrets-governor-prod-us-east-1-lambdaRole/s",
      false,
    ],
    ["an application's session", ROLE, "arn:aws:sts::123456789012:assumed-role/orders-app/i-001", false],
    ["a user", ROLE, "arn:aws:iam::123456789012:user/secrets-governor-prod-us-east-1-lambdaRole", false],
    ["a role ARN that is malformed", "secrets-governor", "arn:aws:sts::123456789012:assumed-role/x/y", false],
  ])("%s: %s", (_label, role, principal, expected) => {
    // Act
    const same = isPrincipalOfRole(role, principal);

    // Assess
    expect(same).toBe(expected);
  });
});
