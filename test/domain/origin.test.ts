import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseEvent } from "../../src/domain/events.js";
import { foreignOrigin } from "../../src/domain/origin.js";

const STACK = { account: "123456789012", region: "us-east-1" };
const OURS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/quarantined-20d-Uv34Wx";

// biome-ignore lint/suspicious/noExplicitAny: a forged event is edited field by field, as an attacker would
type Json = Record<string, any>;

function denied(): Json {
  return JSON.parse(readFileSync("examples/events/03-getsecretvalue-denied-by-quarantine.json", "utf8"));
}

function compliance(): Json {
  return JSON.parse(readFileSync("examples/events/01-config-unused-noncompliant.json", "utf8"));
}

/** The reason an event is refused, from the event as the handler parses it. */
function refusal(event: Json): string | undefined {
  const parsed = parseEvent(event);
  if (!parsed.ok) throw new Error(`not an event of ours: ${parsed.reason}`);
  return foreignOrigin(event, parsed.findings, STACK);
}

describe("foreignOrigin: an event must be this stack's account and region in every field that says so", () => {
  it.each([
    ["a denied read", denied],
    ["a Config compliance change", compliance],
  ])("takes %s of this account and region", (_label, event) => {
    expect(refusal(event())).toBeUndefined();
  });

  it.each<[string, (e: Json) => void, RegExp]>([
    ["the envelope account", (e) => (e.account = "999999999999"), /envelope is account "999999999999"/],
    ["the envelope region", (e) => (e.region = "eu-west-1"), /envelope is region "eu-west-1"/],
    ["no envelope account", (e) => delete e.account, /names no account/],
    ["no envelope region", (e) => delete e.region, /names no region/],
    [
      "recipientAccountId",
      (e) => (e.detail.recipientAccountId = "999999999999"),
      /recipientAccountId is account "999999999999"/,
    ],
    [
      "detail.awsRegion",
      (e) => (e.detail.awsRegion = "ap-south-1"),
      /detail.awsRegion is region "ap-south-1"/,
    ],
    [
      "the account in the secret ARN",
      (e) => (e.detail.requestParameters.secretId = OURS.replace("123456789012", "999999999999")),
      /secret arn:.*:999999999999:.* is account "999999999999"/,
    ],
    [
      "the region in the secret ARN",
      (e) => (e.detail.requestParameters.secretId = OURS.replace("us-east-1", "us-west-2")),
      /is region "us-west-2"/,
    ],
    [
      "a name-only secret read by a caller of another account",
      (e) => {
        e.detail.requestParameters.secretId = "app/quarantined-20d";
        e.detail.userIdentity.accountId = "999999999999";
        e.detail.userIdentity.arn = "arn:aws:sts::999999999999:assumed-role/attacker/x";
      },
      /named by name only by a caller of account 999999999999/,
    ],
    [
      "a name-only secret whose caller ARN is of another account (userIdentity.accountId missing)",
      (e) => {
        e.detail.requestParameters.secretId = "app/quarantined-20d";
        delete e.detail.userIdentity.accountId;
        e.detail.userIdentity.arn = "arn:aws:sts::999999999999:assumed-role/attacker/x";
      },
      /caller of account 999999999999/,
    ],
  ])("refuses a denied read whose %s is not the stack's", (_label, forge, reason) => {
    const event = denied();
    forge(event);
    expect(refusal(event)).toMatch(reason);
  });

  it.each<[string, (e: Json) => void, RegExp]>([
    ["detail.awsAccountId", (e) => (e.detail.awsAccountId = "999999999999"), /awsAccountId is account/],
    ["detail.awsRegion", (e) => (e.detail.awsRegion = "eu-central-1"), /awsRegion is region "eu-central-1"/],
    ["the envelope account", (e) => (e.account = "999999999999"), /envelope is account/],
    [
      "the resource ARN",
      (e) => {
        const foreign = "arn:aws:secretsmanager:us-east-1:999999999999:secret:app/stale-Ef34Gh";
        e.detail.resourceId = foreign;
        e.detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.resourceId =
          foreign;
      },
      /999999999999.* is account "999999999999"/,
    ],
  ])("refuses a Config change whose %s is not the stack's", (_label, forge, reason) => {
    const event = compliance();
    forge(event);
    expect(refusal(event)).toMatch(reason);
  });

  describe("a secret named only in errorMessage (requestParameters null)", () => {
    const USER = "arn:aws:sts::123456789012:assumed-role/reporting-batch/i-0abc123";
    const FOREIGN = "arn:aws:sts::999999999999:assumed-role/attacker/x";
    function named(resource: string, user = USER): Json {
      const event = denied();
      event.detail.requestParameters = null;
      event.detail.errorMessage = `User: ${user} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${resource} because no resource-based policy allows the secretsmanager:GetSecretValue action`;
      return event;
    }

    it.each([
      ["by name", named("app/quarantined-20d")],
      ["by ARN", named(OURS)],
    ])("takes one %s from a caller of this account", (_label, event) => {
      expect(parseEvent(event).ok && parseEvent(event)).toMatchObject({ findings: [{}] });
      expect(refusal(event)).toBeUndefined();
    });

    it.each<[string, () => Json, RegExp]>([
      [
        "a name read by a caller of another account",
        () => {
          const event = named("app/quarantined-20d", FOREIGN);
          event.detail.userIdentity.accountId = "999999999999";
          event.detail.userIdentity.arn = FOREIGN;
          return event;
        },
        /app\/quarantined-20d is named by name only by a caller of account 999999999999/,
      ],
      [
        "a name whose record has no userIdentity, the message's caller of another account",
        () => {
          const event = named("app/quarantined-20d", FOREIGN);
          delete event.detail.userIdentity;
          return event;
        },
        /named by name only by a caller of account 999999999999/,
      ],
      [
        "a name whose message's caller disagrees with userIdentity",
        () => named("app/quarantined-20d", FOREIGN),
        /named by name only by a caller of account 999999999999/,
      ],
      [
        "an ARN of another account",
        () => named(OURS.replace("123456789012", "999999999999")),
        /is account "999999999999"/,
      ],
      [
        "an ARN of another region",
        () => named(OURS.replace("us-east-1", "eu-west-1")),
        /is region "eu-west-1"/,
      ],
    ])("refuses %s", (_label, event, reason) => {
      expect(refusal(event())).toMatch(reason);
    });
  });

  it("takes a name-only secret read by a caller of this account", () => {
    const event = denied();
    event.detail.requestParameters.secretId = "app/quarantined-20d";
    expect(refusal(event)).toBeUndefined();
  });

  it("names every field that is wrong, once", () => {
    const event = denied();
    event.account = "999999999999";
    event.detail.recipientAccountId = "999999999999";
    const reason = refusal(event) ?? "";
    expect(reason).toMatch(/^not this stack's account 123456789012 and region us-east-1: /);
    expect(reason.match(/envelope is account/g)).toHaveLength(1);
    expect(reason).toContain("recipientAccountId");
  });
});
