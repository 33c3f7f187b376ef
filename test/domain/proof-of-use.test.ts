import { describe, expect, it } from "vitest";
import type { AccessAttempt } from "../../src/domain/finding.js";
import { type DenialFacts, judgeDenial } from "../../src/domain/proof-of-use.js";
import { addQuarantine, quarantineStatement } from "../../src/domain/quarantine.js";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/reports-Ab12Cd";
const OWN_ROLE = "arn:aws:sts::123456789012:assumed-role/reporting-batch/i-0abc123";
const PARTNER_ROLE = "arn:aws:iam::210987654321:role/partner-reader";
const PARTNER_SESSION = "arn:aws:sts::210987654321:assumed-role/partner-reader/job-7";
const ATTACKER = "arn:aws:sts::999999999999:assumed-role/attacker/x";
const GOVERNOR = "arn:aws:iam::123456789012:role/secrets-governor-dev";

/** The message IAM writes when a Deny statement of a resource-based policy refuses the call. */
function explicitDeny(principal: string): string {
  return `User: ${principal} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET} with an explicit deny in a resource-based policy`;
}

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

const PARTNER_ALLOWED = {
  Sid: "PartnerReads",
  Effect: "Allow",
  Principal: { AWS: PARTNER_ROLE },
  Action: "secretsmanager:GetSecretValue",
  Resource: "*",
};

function quarantined(before?: string): string {
  return addQuarantine(before, quarantineStatement([GOVERNOR]));
}

function facts(
  principalArn: string,
  overrides: Partial<DenialFacts> = {},
  access: Partial<AccessAttempt> = {},
) {
  return {
    secretArn: SECRET,
    resourcePolicy: quarantined(),
    deletionScheduled: false,
    ...overrides,
    access: {
      api: "GetSecretValue",
      principalArn,
      errorCode: "AccessDenied",
      errorMessage: explicitDeny(principalArn),
      ...access,
    },
  };
}

describe("judgeDenial: which denied reads prove that a quarantined secret is in use", () => {
  it.each<[string, DenialFacts, RegExp]>([
    ["a principal of the secret's own account, denied by the quarantine", facts(OWN_ROLE), /own account/],
    [
      "a foreign role the policy allowed before the quarantine",
      facts(PARTNER_SESSION, { resourcePolicy: quarantined(policy(PARTNER_ALLOWED)) }),
      /resource policy allowed before/,
    ],
    [
      "a foreign account allowed by its root",
      facts(PARTNER_SESSION, {
        resourcePolicy: quarantined(
          policy({ ...PARTNER_ALLOWED, Principal: { AWS: ["arn:aws:iam::210987654321:root"] } }),
        ),
      }),
      /allowed before/,
    ],
    [
      "a foreign account allowed by its id, through secretsmanager:*",
      facts(PARTNER_SESSION, {
        resourcePolicy: quarantined(
          policy({ ...PARTNER_ALLOWED, Principal: { AWS: "210987654321" }, Action: "secretsmanager:*" }),
        ),
      }),
      /allowed before/,
    ],
    [
      "an own-account reader of a secret the governor scheduled for deletion (policy unreadable then)",
      facts(OWN_ROLE, { resourcePolicy: undefined, deletionScheduled: true }),
      /own account/,
    ],
    [
      "an own-account reader refused because the deletion is scheduled",
      facts(
        OWN_ROLE,
        { resourcePolicy: undefined, deletionScheduled: true },
        {
          errorCode: "InvalidRequestException",
          errorMessage: "You can't perform this operation on the secret because it was marked for deletion.",
        },
      ),
      /own account/,
    ],
  ])("proof: %s", (_label, input, why) => {
    const verdict = judgeDenial(input);
    expect(verdict.proof).toBe(true);
    expect(verdict.why).toMatch(why);
  });

  it.each<[string, DenialFacts, RegExp]>([
    ["a caller of another account the policy never allowed", facts(ATTACKER), /account 999999999999/],
    [
      "a caller of another account, when only someone else was allowed",
      facts(ATTACKER, { resourcePolicy: quarantined(policy(PARTNER_ALLOWED)) }),
      /never allowed/,
    ],
    [
      "a caller allowed by Principal * (under a condition): it names no one",
      facts(ATTACKER, {
        resourcePolicy: quarantined(
          policy({
            ...PARTNER_ALLOWED,
            Principal: "*",
            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } },
          }),
        ),
      }),
      /never allowed/,
    ],
    [
      "a foreign caller while the deletion is scheduled: the policy cannot be read to check",
      facts(PARTNER_SESSION, { resourcePolicy: undefined, deletionScheduled: true }),
      /never allowed/,
    ],
    [
      "a denial that is not an explicit deny in a resource policy (an identity policy)",
      facts(
        OWN_ROLE,
        {},
        { errorMessage: explicitDeny(OWN_ROLE).replace("resource-based", "identity-based") },
      ),
      /does not say/,
    ],
    [
      "an implicit deny",
      facts(
        OWN_ROLE,
        {},
        {
          errorMessage: `User: ${OWN_ROLE} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
        },
      ),
      /does not say/,
    ],
    ["a denial with no message at all", facts(OWN_ROLE, {}, { errorMessage: undefined }), /does not say/],
    [
      "an explicit deny while the policy no longer holds the governor's statement",
      facts(OWN_ROLE, { resourcePolicy: policy(PARTNER_ALLOWED) }),
      /does not hold the governor's quarantine/,
    ],
    [
      "an explicit deny when another Deny statement of the policy covers the read",
      facts(OWN_ROLE, {
        resourcePolicy: quarantined(
          policy({
            Sid: "Theirs",
            Effect: "Deny",
            Principal: "*",
            Action: "secretsmanager:*",
            Resource: "*",
          }),
        ),
      }),
      /another Deny/,
    ],
    ["a malformed resource policy", facts(OWN_ROLE, { resourcePolicy: "{not json" }), /cannot be read/],
    [
      "a scheduled-deletion refusal on a secret not scheduled for deletion",
      facts(
        OWN_ROLE,
        {},
        { errorCode: "InvalidRequestException", errorMessage: "it was marked for deletion" },
      ),
      /not the governor's scheduled deletion/,
    ],
    [
      "another error",
      facts(OWN_ROLE, {}, { errorCode: "ThrottlingException" }),
      /not a denial by the governor/,
    ],
    ["a call that is not a read", facts(OWN_ROLE, {}, { api: "DescribeSecret" }), /not a read/],
    [
      "a service principal (no account)",
      facts("secretsmanager.amazonaws.com", {}, { errorMessage: explicitDeny("x") }),
      /not an IAM principal/,
    ],
    [
      "a caller whose userIdentity.accountId and ARN disagree",
      facts(OWN_ROLE, {}, { callerAccount: "999999999999" }),
      /disagree/,
    ],
  ])("not proof: %s", (_label, input, why) => {
    const verdict = judgeDenial(input);
    expect(verdict.proof).toBe(false);
    expect(verdict.why).toMatch(why);
  });
});
