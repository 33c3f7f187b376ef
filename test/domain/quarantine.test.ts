import { describe, expect, it } from "vitest";
import {
  addQuarantine,
  isQuarantined,
  QUARANTINE_SID,
  quarantineStatement,
  RESOURCE_POLICY_MAX_CHARS,
  removeQuarantine,
} from "../../src/domain/quarantine.js";
import { InputError, ResourcePolicyError } from "../../src/errors.js";

const GOVERNOR = "arn:aws:iam::123456789012:role/secrets-governor";
const BREAK_GLASS = "arn:aws:iam::123456789012:role/break-glass-*";
const QUARANTINE = quarantineStatement([GOVERNOR, BREAK_GLASS]);

const allowApp = {
  Sid: "AllowApp",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::123456789012:role/app" },
  Action: "secretsmanager:GetSecretValue",
  Resource: "*",
};
const denyOthers = {
  Effect: "Deny",
  Principal: "*",
  Action: "secretsmanager:DeleteSecret",
  Resource: "*",
  Condition: { StringNotEquals: { "aws:PrincipalAccount": "123456789012" } },
};

describe("quarantineStatement", () => {
  it("denies GetSecretValue to everyone but the exempt principals", () => {
    expect(QUARANTINE).toEqual({
      Sid: QUARANTINE_SID,
      Effect: "Deny",
      Principal: "*",
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
      Condition: { ArnNotLike: { "aws:PrincipalArn": [GOVERNOR, BREAK_GLASS] } },
    });
  });

  it.each([
    { exempt: [], condition: undefined },
    { exempt: [" ", ""], condition: undefined },
    { exempt: [GOVERNOR, ` ${GOVERNOR} `], condition: { ArnNotLike: { "aws:PrincipalArn": [GOVERNOR] } } },
  ])("exempt $exempt gives condition $condition", ({ exempt, condition }) => {
    expect(quarantineStatement(exempt).Condition).toEqual(condition);
  });

  it.each([
    "*",
    "arn:*",
    "role/admin",
    "arn:aws:s3:::bucket",
    "arn:aws:iam::123456789012:*",
    "arn:aws:iam::*:role/*",
    "arn:aws:iam::123456789012:role/**/",
  ])("refuses the exemption %s, which would void the quarantine", (arn) => {
    expect(() => quarantineStatement([GOVERNOR, arn])).toThrow(InputError);
  });

  it.each([
    "arn:aws:iam::123456789012:role/path/to/role",
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws-us-gov:iam::123456789012:role/break-glass-*",
    "arn:aws:sts::123456789012:assumed-role/admin/alice",
    "arn:aws:iam::*:role/OrgBreakGlass",
    "arn:aws:iam::123456789012:root",
  ])("accepts the exemption %s", (arn) => {
    expect(quarantineStatement([arn]).Condition).toEqual({ ArnNotLike: { "aws:PrincipalArn": [arn] } });
  });
});

describe("quarantine round trip", () => {
  const cases: { name: string; policy: unknown; quarantined: unknown }[] = [
    {
      name: "single-object Statement with Version",
      policy: { Version: "2012-10-17", Statement: allowApp },
      quarantined: { Version: "2012-10-17", Statement: [QUARANTINE, allowApp] },
    },
    {
      name: "single-object Statement without Version",
      policy: { Statement: allowApp },
      quarantined: { Statement: [QUARANTINE, allowApp] },
    },
    {
      name: "array of one statement",
      policy: { Version: "2012-10-17", Statement: [allowApp] },
      quarantined: { Version: "2012-10-17", Statement: [allowApp, QUARANTINE] },
    },
    {
      name: "array of two statements and an Id",
      policy: { Version: "2012-10-17", Id: "p1", Statement: [allowApp, denyOthers] },
      quarantined: { Version: "2012-10-17", Id: "p1", Statement: [allowApp, denyOthers, QUARANTINE] },
    },
    {
      name: "old Version string kept",
      policy: { Version: "2008-10-17", Statement: [denyOthers] },
      quarantined: { Version: "2008-10-17", Statement: [denyOthers, QUARANTINE] },
    },
  ];

  it.each(cases)("$name: quarantine merges, release gives the original back", ({ policy, quarantined }) => {
    const original = JSON.stringify(policy, null, 2);
    const withQuarantine = addQuarantine(original, QUARANTINE);
    expect(JSON.parse(withQuarantine)).toEqual(quarantined);
    expect(isQuarantined(withQuarantine)).toBe(true);
    const released = removeQuarantine(withQuarantine);
    expect(released).toBeDefined();
    expect(JSON.parse(released as string)).toEqual(policy);
    expect(isQuarantined(released)).toBe(false);
  });

  it.each([undefined, "", "  "])("no policy (%j): quarantine creates one, release deletes it", (policy) => {
    const withQuarantine = addQuarantine(policy, QUARANTINE);
    expect(JSON.parse(withQuarantine)).toEqual({ Version: "2012-10-17", Statement: [QUARANTINE] });
    expect(removeQuarantine(withQuarantine)).toBeUndefined();
  });
});

describe("addQuarantine", () => {
  it("returns the same text when the same statement is already there (nothing to write)", () => {
    const once = addQuarantine(JSON.stringify({ Statement: allowApp }), QUARANTINE);
    expect(addQuarantine(once, QUARANTINE)).toBe(once);
  });

  it.each([
    {
      name: "an older statement is replaced in place",
      policy: { Statement: [allowApp, quarantineStatement([GOVERNOR]), denyOthers] },
      expected: { Statement: [allowApp, QUARANTINE, denyOthers] },
    },
    {
      name: "a single-object quarantine stays a single object",
      policy: { Version: "2012-10-17", Statement: quarantineStatement([]) },
      expected: { Version: "2012-10-17", Statement: QUARANTINE },
    },
    {
      name: "duplicates of our Sid collapse into one",
      policy: { Statement: [quarantineStatement([]), allowApp, quarantineStatement([GOVERNOR])] },
      expected: { Statement: [QUARANTINE, allowApp] },
    },
  ])("$name", ({ policy, expected }) => {
    expect(JSON.parse(addQuarantine(JSON.stringify(policy), QUARANTINE))).toEqual(expected);
  });

  it("forces the fixed Sid on the statement it is given", () => {
    const added = addQuarantine(undefined, { ...QUARANTINE, Sid: "Other" });
    expect(JSON.parse(added).Statement[0].Sid).toBe(QUARANTINE_SID);
  });

  it("refuses a policy that would go over 20,480 characters, naming the limit", () => {
    const big = { Statement: [{ ...allowApp, Sid: "x".repeat(RESOURCE_POLICY_MAX_CHARS - 300) }] };
    expect(JSON.stringify(big).length).toBeLessThan(RESOURCE_POLICY_MAX_CHARS);
    const attempt = () => addQuarantine(JSON.stringify(big), QUARANTINE);
    expect(attempt).toThrow(ResourcePolicyError);
    expect(attempt).toThrow(/20480/);
    try {
      attempt();
    } catch (error) {
      expect((error as ResourcePolicyError).reason).toBe("too-large");
    }
  });

  it("accepts a policy exactly at the limit", () => {
    const base = addQuarantine(undefined, QUARANTINE);
    const padding = RESOURCE_POLICY_MAX_CHARS - base.length - ',"Id":""'.length;
    const doc = { Version: "2012-10-17", Id: "i".repeat(padding), Statement: [QUARANTINE] };
    const text = JSON.stringify(doc);
    expect(text.length).toBe(RESOURCE_POLICY_MAX_CHARS);
    expect(addQuarantine(text, QUARANTINE)).toBe(text);
  });
});

describe("removeQuarantine", () => {
  it("returns the same text when there is no quarantine", () => {
    const text = JSON.stringify({ Statement: [allowApp] });
    expect(removeQuarantine(text)).toBe(text);
  });

  it("removes only our statement, wherever it is", () => {
    const text = JSON.stringify({ Statement: [allowApp, QUARANTINE, denyOthers] });
    expect(JSON.parse(removeQuarantine(text) as string)).toEqual({ Statement: [allowApp, denyOthers] });
  });

  it("gives undefined (delete the policy) when only the quarantine is left", () => {
    expect(
      removeQuarantine(JSON.stringify({ Version: "2012-10-17", Statement: QUARANTINE })),
    ).toBeUndefined();
  });

  it("is undefined for no policy", () => {
    expect(removeQuarantine(undefined)).toBeUndefined();
  });
});

describe("malformed policies are never overwritten", () => {
  it.each([
    { name: "not JSON", text: "{not json" },
    { name: "a JSON array", text: "[]" },
    { name: "no Statement", text: '{"Version":"2012-10-17"}' },
    { name: "Statement a string", text: '{"Statement":"Deny"}' },
    { name: "a statement that is not an object", text: '{"Statement":[{"Effect":"Deny"},3]}' },
  ])("$name", ({ text }) => {
    for (const act of [
      () => addQuarantine(text, QUARANTINE),
      () => removeQuarantine(text),
      () => isQuarantined(text),
    ]) {
      expect(act).toThrow(ResourcePolicyError);
      try {
        act();
      } catch (error) {
        expect((error as ResourcePolicyError).reason).toBe("malformed");
      }
    }
  });
});

describe("isQuarantined", () => {
  it.each([
    { policy: undefined, expected: false },
    { policy: JSON.stringify({ Statement: allowApp }), expected: false },
    { policy: JSON.stringify({ Statement: { ...allowApp, Sid: QUARANTINE_SID } }), expected: true },
    { policy: JSON.stringify({ Statement: [allowApp, QUARANTINE] }), expected: true },
  ])("$policy -> $expected", ({ policy, expected }) => {
    expect(isQuarantined(policy)).toBe(expected);
  });
});
