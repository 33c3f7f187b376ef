import { describe, expect, it } from "vitest";
import { exemptPrincipalsOf } from "../../src/cli/account.js";
import { GovernorConfig } from "../../src/config.js";
import { policyOf } from "../fixtures/app/fakes.js";

describe("exemptPrincipalsOf", () => {
  it("never denies the governor's role and the deployment's and the policy's break-glass principals", () => {
    const policy = policyOf(
      `breakGlassPrincipals: ["arn:aws:iam::123456789012:role/BreakGlass"]\nrules: []\n`,
    );
    const config = new GovernorConfig({
      GOVERNOR_ROLE_ARN: "arn:aws:iam::123456789012:role/secrets-governor",
      GOVERNOR_BREAK_GLASS:
        "arn:aws:iam::123456789012:role/Oncall, arn:aws:iam::123456789012:role/BreakGlass",
    });
    expect(exemptPrincipalsOf(policy, config)).toEqual([
      "arn:aws:iam::123456789012:role/secrets-governor",
      "arn:aws:iam::123456789012:role/Oncall",
      "arn:aws:iam::123456789012:role/BreakGlass",
    ]);
  });

  it("is the policy's alone where the environment names none", () => {
    expect(exemptPrincipalsOf(policyOf("rules: []\n"), new GovernorConfig({}))).toEqual([]);
  });
});
