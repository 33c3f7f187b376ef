import { describe, expect, it } from "vitest";
import { putQuarantine, releaseQuarantine } from "../../src/app/resource-policy.js";
import {
  addQuarantine,
  QUARANTINE_SID,
  quarantineStatement,
  removeQuarantine,
} from "../../src/domain/quarantine.js";
import { governorStatementProblems, quarantineWriteProblems } from "../../src/domain/quarantine-write.js";
import { exampleAccount, GOVERNOR_ROLE, secretOf } from "../fixtures/app/fakes.js";
import { policyWrites } from "../helpers/policy-writes.setup.js";

const READER = {
  Sid: "ReportingReadsIt",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::123456789012:role/reporting-batch" },
  Action: "secretsmanager:GetSecretValue",
  Resource: "*",
};
const BEFORE = JSON.stringify({ Version: "2012-10-17", Statement: [READER] });
const OURS = quarantineStatement([GOVERNOR_ROLE]);
const QUARANTINED = addQuarantine(BEFORE, OURS);

function withStatements(...statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

describe("quarantineWriteProblems: a body the governor writes is the old policy plus or minus its statement", () => {
  it.each([
    ["the quarantine added to a policy", BEFORE, QUARANTINED],
    ["the quarantine as the only statement", undefined, addQuarantine(undefined, OURS)],
    [
      "the quarantine added to a single-object Statement",
      JSON.stringify({ Version: "2012-10-17", Statement: READER }),
      addQuarantine(JSON.stringify({ Version: "2012-10-17", Statement: READER }), OURS),
    ],
    ["the quarantine released", QUARANTINED, removeQuarantine(QUARANTINED) as string],
    [
      "the quarantine refreshed with other exemptions",
      QUARANTINED,
      addQuarantine(QUARANTINED, quarantineStatement([])),
    ],
  ])("takes %s", (_label, before, after) => {
    expect(quarantineWriteProblems(before, after)).toEqual([]);
  });

  it.each<[string, string | undefined, string, RegExp]>([
    [
      "a grant to another account slipped in",
      BEFORE,
      withStatements(READER, { ...READER, Sid: "Foreign", Principal: { AWS: "999999999999" } }, OURS),
      /adds or removes a statement that is not the governor's/,
    ],
    ["an existing statement dropped", BEFORE, withStatements(OURS), /not the governor's/],
    [
      "an existing statement changed",
      BEFORE,
      withStatements({ ...READER, Action: "secretsmanager:*" }, OURS),
      /changes, adds or removes/,
    ],
    [
      "our statement allowing instead",
      BEFORE,
      withStatements(READER, { ...OURS, Effect: "Allow" }),
      /does not deny/,
    ],
    [
      "our statement narrowed to one principal",
      BEFORE,
      withStatements(READER, { ...OURS, Principal: { AWS: "arn:aws:iam::123456789012:root" } }),
      /not for every principal/,
    ],
    [
      "our statement with another condition",
      BEFORE,
      withStatements(READER, { ...OURS, Condition: { StringEquals: { "aws:SourceIp": "1.2.3.4" } } }),
      /exempts anything but principal ARNs/,
    ],
    [
      "our statement exempting everyone",
      BEFORE,
      withStatements(READER, { ...OURS, Condition: { ArnNotLike: { "aws:PrincipalArn": ["*"] } } }),
      /exempts anything but principal ARNs/,
    ],
    [
      "our statement with an extra key",
      BEFORE,
      withStatements(READER, { ...OURS, NotResource: "x" }),
      /key NotResource/,
    ],
    ["our statement twice", BEFORE, withStatements(READER, OURS, OURS), /more than once/],
    [
      "the Version changed",
      BEFORE,
      JSON.stringify({ Version: "2008-10-17", Statement: [READER, OURS] }),
      /top-level keys/,
    ],
    ["a body that is not JSON", BEFORE, "{nope", /not valid JSON/],
  ])("refuses %s", (_label, before, after, problem) => {
    expect(quarantineWriteProblems(before, after).join("; ")).toMatch(problem);
  });

  it("checks the statement alone when the old policy is not known", () => {
    expect(governorStatementProblems(QUARANTINED)).toEqual([]);
    expect(governorStatementProblems(withStatements({ ...OURS, Action: "*" })).join()).toMatch(/exactly/);
  });
});

describe("putQuarantine and releaseQuarantine: the governor's only policy writes", () => {
  it("replaces a statement that only claims the governor's Sid with the real deny, and the release keeps the rest", async () => {
    // Prepare: someone wrote an Allow under our Sid.
    const account = exampleAccount();
    const arn = (await secretOf(account, "app/active")).arn;
    const forged = withStatements(READER, { ...READER, Sid: QUARANTINE_SID });
    await account.deleteResourcePolicy(arn);
    await account.putResourcePolicy(arn, forged).catch(() => undefined);
    policyWrites.violations.splice(0);
    const from = account.calls.length;

    // Act
    await putQuarantine(account, arn, [GOVERNOR_ROLE]);
    await releaseQuarantine(account, arn);

    // Assess
    expect(account.calls.slice(from).map((c) => c.operation)).toEqual([
      "GetResourcePolicy",
      "PutResourcePolicy",
      "GetResourcePolicy",
      "PutResourcePolicy",
    ]);
    expect(JSON.parse((await account.getResourcePolicy(arn)) ?? "{}")).toEqual(
      JSON.parse(withStatements(READER)),
    );
  });

  it("decodes the bodies of a quarantine and its release as the tests' store sees them", async () => {
    const account = exampleAccount();
    const arn = (await secretOf(account, "app/active")).arn;
    const before = policyWrites.checked;
    await putQuarantine(account, arn, [GOVERNOR_ROLE]);
    await releaseQuarantine(account, arn);
    expect(policyWrites.checked - before).toBe(2);
  });
});
