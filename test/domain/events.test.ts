import { describe, expect, it } from "vitest";
import { findingTypeForConfigRule, type ParsedEvent, parseEvent } from "../../src/domain/events.js";
import { matchRule } from "../../src/domain/rules.js";
import { loadFixtures, readJson } from "../fixtures/events/fixtures.js";

const fixtures = loadFixtures();
const byFile = (file: string) => {
  const fixture = fixtures.find((f) => f.file === file);
  if (!fixture) throw new Error(`no fixture ${file}`);
  return structuredClone(fixture.event);
};

function okOf(parsed: ParsedEvent) {
  if (!parsed.ok) throw new Error(`expected ok, got: ${parsed.reason}`);
  return parsed;
}

function reasonOf(parsed: ParsedEvent): string {
  if (parsed.ok) throw new Error("expected ok:false");
  return parsed.reason;
}

describe("parseEvent on every fixture", () => {
  it.each(fixtures.map((f) => [f.file, f] as const))("%s", (_file, fixture) => {
    // Act
    const parsed = parseEvent(fixture.event);
    // Assess
    if (fixture.parse === "error") {
      expect(parsed.ok).toBe(false);
      expect(reasonOf(parsed)).toMatch(/^The .+\.$/);
      return;
    }
    const ok = okOf(parsed);
    expect(ok.eventId).toBe(fixture.event.id);
    if (fixture.rule) expect(ok.rule).toBe(fixture.rule);
    expect(ok.findings.map((f) => ({ type: f.type, status: f.status, secretId: f.secretId }))).toEqual(
      fixture.findings,
    );
    for (const finding of ok.findings) {
      expect(finding.origin).toBe(fixture.event.id);
      expect(Number.isNaN(finding.observedAt.getTime())).toBe(false);
    }
  });

  it("gives the rule matchRule gives, whenever a rule matches", () => {
    for (const fixture of fixtures.filter((f) => f.rule)) {
      const parsed = okOf(parseEvent(fixture.event));
      expect(parsed.rule, fixture.file).toBe(matchRule(fixture.event));
    }
  });

  it("agrees with shared EXPECTED.json", () => {
    const expected = readJson("EXPECTED.json") as Record<string, { rule: string; finding: string }>;
    for (const [file, want] of Object.entries(expected)) {
      const parsed = okOf(parseEvent(byFile(file)));
      expect(parsed.rule).toBe(want.rule);
      expect(parsed.findings.map((f) => f.type)).toEqual([want.finding]);
    }
  });
});

describe("config compliance", () => {
  it("maps a NON_COMPLIANT unused secret to an open finding observed at notificationCreationTime", () => {
    const parsed = okOf(parseEvent(byFile("sm-config-unused-noncompliant.json")));
    expect(parsed.findings).toEqual([
      {
        type: "unused",
        secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/stale-Ef34Gh",
        source: "config",
        status: "open",
        observedAt: new Date("2021-04-19T19:04:05.751Z"),
        origin: "c3b590f2-f209-5dbe-ac5e-52453914e2eb",
      },
    ]);
  });

  it("accepts a first evaluation (no oldEvaluationResult)", () => {
    const event = byFile("sm-config-rotation-enabled-noncompliant-firsteval.json");
    expect(event.detail).not.toHaveProperty("oldEvaluationResult");
    expect(okOf(parseEvent(event)).findings[0]?.type).toBe("rotation-disabled");
  });

  it("accepts oldEvaluationResult: null", () => {
    const event = byFile("sm-config-unused-noncompliant.json") as { detail: Record<string, unknown> };
    event.detail.oldEvaluationResult = null;
    expect(okOf(parseEvent(event)).findings).toHaveLength(1);
  });

  it("keeps a plain secret name as resourceId, and a Security Hub rule name", () => {
    const parsed = okOf(
      parseEvent(byFile("documented/config-unused-securityhub-plainname-noncompliant.json")),
    );
    expect(parsed.findings[0]).toMatchObject({
      type: "unused",
      secretId: "app/stale-by-name",
      status: "open",
    });
  });

  it("maps COMPLIANT to a resolved finding", () => {
    const parsed = okOf(parseEvent(byFile("documented/config-unused-compliant-resolved.json")));
    expect(parsed.findings[0]).toMatchObject({ type: "unused", status: "resolved" });
  });

  it.each(["NOT_APPLICABLE", "INSUFFICIENT_DATA"])("accepts %s with no finding", (compliance) => {
    const event = byFile("documented/config-scheduled-rotation-success-not-applicable_NEG.json") as {
      detail: { newEvaluationResult: { complianceType: string } };
    };
    event.detail.newEvaluationResult.complianceType = compliance;
    expect(parseEvent(event)).toEqual({
      ok: true,
      rule: "config-compliance",
      findings: [],
      eventId: "7b1e2d3c-0006-4f5a-8b9c-0d1e2f3a4b06",
    });
  });

  it("keeps the annotation as the message", () => {
    const event = byFile("sm-config-unused-noncompliant.json") as {
      detail: { newEvaluationResult: Record<string, unknown> };
    };
    event.detail.newEvaluationResult.annotation = "Not accessed for 120 days.";
    expect(okOf(parseEvent(event)).findings[0]?.message).toBe("Not accessed for 120 days.");
  });

  it("rejects another resource type", () => {
    expect(
      reasonOf(parseEvent(byFile("published/config-compliance-ebsvolume-compliant-to-noncompliant-01.json"))),
    ).toBe("The Config evaluation is for resource type AWS::EC2::Volume, not AWS::SecretsManager::Secret.");
  });

  it("rejects a rule that is not a Secrets Manager managed rule", () => {
    expect(reasonOf(parseEvent(byFile("documented/config-secret-custom-rule_NEG.json")))).toBe(
      'The Config rule "secret-owner-tag-check" is not one of the Secrets Manager managed rules the governor acts on.',
    );
  });

  it("rejects an unknown complianceType", () => {
    const event = byFile("sm-config-unused-noncompliant.json") as {
      detail: { newEvaluationResult: { complianceType: string } };
    };
    event.detail.newEvaluationResult.complianceType = "MAYBE";
    expect(reasonOf(parseEvent(event))).toMatch(
      /^The config-compliance event is malformed: field detail\.newEvaluationResult\.complianceType: /,
    );
  });
});

describe("findingTypeForConfigRule", () => {
  it.each([
    ["secretsmanager-secret-unused", "unused"],
    ["secretsmanager-rotation-enabled-check", "rotation-disabled"],
    ["secretsmanager-scheduled-rotation-success-check", "rotation-failed"],
    ["secretsmanager-secret-periodic-rotation", "rotation-overdue"],
    ["secretsmanager-using-cmk", "not-using-cmk"],
    ["securityhub-secretsmanager-secret-unused-9f8e7d6c", "unused"],
    ["secretsmanager-secret-periodic-rotation-conformance-pack-k2j3h4g5f", "rotation-overdue"],
    ["secretsmanager-using-cmk-90d", "not-using-cmk"],
    ["secretsmanager-secret-unusedx", undefined],
    ["access-keys-rotated", undefined],
  ])("%s -> %s", (name, type) => {
    expect(findingTypeForConfigRule(name)).toBe(type);
  });
});

describe("access failures", () => {
  it("fills the access attempt from the CloudTrail record", () => {
    const parsed = okOf(parseEvent(byFile("sm-cloudtrail-getsecretvalue-accessdenied.json")));
    expect(parsed.findings).toHaveLength(1);
    expect(parsed.findings[0]).toMatchObject({
      type: "access-denied",
      source: "cloudtrail",
      status: "open",
      observedAt: new Date("2026-11-21T09:15:02Z"),
      access: {
        api: "GetSecretValue",
        principalArn:
          "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_DevAdmin_635426549a280cc6/evil.genius",
        principalType: "AssumedRole",
        sourceIp: "123.123.123.123",
        errorCode: "AccessDenied",
      },
    });
    expect(parsed.findings[0]?.access?.userAgent).toContain("Terraform");
    expect(parsed.findings[0]?.access?.errorMessage).toContain("is not authorized to perform");
  });

  it("reads a published record with a rewritten eventTime", () => {
    const parsed = okOf(parseEvent(byFile("published/cloudtrail-getsecretvalue-accessdenied-01.json")));
    expect(parsed.findings[0]?.observedAt).toEqual(new Date("2024-10-17T21:48:45Z"));
  });

  it("uses the session issuer when the identity has no ARN", () => {
    const event = byFile("sm-cloudtrail-getsecretvalue-accessdenied.json") as {
      detail: { userIdentity: Record<string, unknown> };
    };
    delete event.detail.userIdentity.arn;
    expect(okOf(parseEvent(event)).findings[0]?.access?.principalArn).toBe(
      "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/us-west-2/AWSReservedSSO_DevAdmin_635426549a280cc6",
    );
  });

  it("takes the secret from errorMessage when requestParameters is null", () => {
    const parsed = okOf(
      parseEvent(byFile("documented/cloudtrail-getsecretvalue-accessdenied-nullparams.json")),
    );
    expect(parsed.findings.map((f) => f.secretId)).toEqual([
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/quarantined-Ty34Ui",
    ]);
  });

  it("takes the secret from resources when requestParameters is null", () => {
    const event = byFile("documented/cloudtrail-getsecretvalue-accessdenied-nullparams.json") as {
      detail: Record<string, unknown>;
    };
    event.detail.errorMessage = "Access denied";
    event.detail.resources = [
      {
        accountId: "123456789012",
        type: "AWS::SecretsManager::Secret",
        ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:r-AbCdEf",
      },
    ];
    expect(okOf(parseEvent(event)).findings.map((f) => f.secretId)).toEqual([
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:r-AbCdEf",
    ]);
  });

  it("takes the secret from an older responseElements.aRN", () => {
    const event = byFile("documented/cloudtrail-getsecretvalue-accessdenied-nullparams.json") as {
      detail: Record<string, unknown>;
    };
    event.detail.errorMessage = "Access denied";
    event.detail.responseElements = {
      aRN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:old-AbCdEf",
    };
    expect(okOf(parseEvent(event)).findings[0]?.secretId).toBe(
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:old-AbCdEf",
    );
  });

  it("rejects a failure that names no secret", () => {
    const event = byFile("documented/cloudtrail-getsecretvalue-accessdenied-nullparams.json") as {
      detail: Record<string, unknown>;
    };
    event.detail.errorMessage = "Access denied";
    expect(reasonOf(parseEvent(event))).toBe(
      "The GetSecretValue failure names no secret (no requestParameters, resources, or secret in errorMessage).",
    );
  });

  it("makes one finding per secret of a BatchGetSecretValue", () => {
    const parsed = okOf(
      parseEvent(byFile("documented/cloudtrail-batchgetsecretvalue-accessdeniedexception.json")),
    );
    expect(parsed.findings.map((f) => [f.secretId, f.access?.api])).toEqual([
      ["arn:aws:secretsmanager:us-east-1:123456789012:secret:app/batch-one-Jk90Lz", "BatchGetSecretValue"],
      ["app/batch-two", "BatchGetSecretValue"],
    ]);
  });

  it.each([
    ["AccessDenied", "not authorized to perform: secretsmanager:GetSecretValue", "access-denied"],
    ["AccessDeniedException", "not authorized to perform: secretsmanager:GetSecretValue", "access-denied"],
    [
      "AccessDeniedException",
      "not authorized to perform: kms:Decrypt on resource: arn:aws:kms:x",
      "decryption-failure",
    ],
    ["AccessDeniedException", "Access to KMS is not allowed", "decryption-failure"],
    ["DecryptionFailure", "Secrets Manager can't decrypt the protected secret text", "decryption-failure"],
    ["KMSInvalidStateException", "The key is pending deletion", "decryption-failure"],
    [
      "InvalidRequestException",
      "You can't perform this operation on the secret because it was marked for deletion.",
      "access-denied",
    ],
    [
      "InvalidRequestException",
      "You can't access a secret from a different AWS account if you encrypt the secret with the default KMS service key.",
      "decryption-failure",
    ],
  ])("%s (%s) -> %s", (code, message, type) => {
    const event = byFile("sm-cloudtrail-getsecretvalue-accessdenied.json") as {
      detail: Record<string, unknown>;
    };
    event.detail.errorCode = code;
    event.detail.errorMessage = message;
    expect(okOf(parseEvent(event)).findings[0]?.type).toBe(type);
  });

  it("does not read 'decrypt' in a secret's name as a KMS failure", () => {
    const event = byFile("sm-cloudtrail-getsecretvalue-accessdenied.json") as {
      detail: Record<string, unknown>;
    };
    event.detail.errorMessage =
      "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:kms/decrypt-key-AbCdEf";
    expect(okOf(parseEvent(event)).findings[0]?.type).toBe("access-denied");
  });

  it("does not read 'decrypt' in a secret's name, taken from errorMessage by name, as a KMS failure", () => {
    // Prepare
    const event = byFile(
      "documented/cloudtrail-getsecretvalue-accessdenied-nullparams-name-no-resource-policy.json",
    ) as {
      detail: { errorMessage: string };
    };
    event.detail.errorMessage = event.detail.errorMessage.replace(
      "on resource: app/payments",
      "on resource: kms/decrypt-key",
    );

    // Act
    const parsed = okOf(parseEvent(event));

    // Assess
    expect(parsed.findings.map((f) => [f.type, f.secretId])).toEqual([["access-denied", "kms/decrypt-key"]]);
  });

  it.each([
    [
      "a wildcard resource",
      (m: string) =>
        m.replace(
          "on resource: app/payments",
          "on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
        ),
    ],
    ["a caller with no account", (m: string) => m.replace(/^User: \S+/, "User: anonymous")],
    ["a message past the length bound", (m: string) => m.replace("payments-worker", "w".repeat(9000))],
  ])("takes no secret from an errorMessage with %s", (_label, edit) => {
    // Prepare
    const event = byFile(
      "documented/cloudtrail-getsecretvalue-accessdenied-nullparams-name-no-resource-policy.json",
    ) as {
      detail: { errorMessage: string };
    };
    event.detail.errorMessage = edit(event.detail.errorMessage);

    // Act / Assess
    expect(reasonOf(parseEvent(event))).toBe(
      "The GetSecretValue failure names no secret (no requestParameters, resources, or secret in errorMessage).",
    );
  });

  it("rejects a successful call", () => {
    expect(reasonOf(parseEvent(byFile("documented/cloudtrail-getsecretvalue-success_NEG.json")))).toBe(
      "The GetSecretValue call succeeded (no errorCode): it is not an access failure.",
    );
  });

  it("rejects an error that is not an access failure", () => {
    expect(reasonOf(parseEvent(byFile("documented/cloudtrail-rotatesecret-invalidrequest_NEG.json")))).toBe(
      "The RotateSecret call failed with InvalidRequestException, which is not an access or KMS failure.",
    );
  });
});

describe("rotation failures", () => {
  it("takes the secret from additionalEventData and the message from errorMessage", () => {
    const parsed = okOf(parseEvent(byFile("sm-rotation-failed.json")));
    expect(parsed).toEqual({
      ok: true,
      rule: "rotation-failure",
      eventId: "4cfe345a-ecd6-54d1-a646-2740f368cbe1",
      findings: [
        {
          type: "rotation-failed",
          secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/flagged-5d-Gh78Ij",
          source: "cloudtrail",
          status: "open",
          observedAt: new Date("2021-09-01T00:50:20Z"),
          origin: "4cfe345a-ecd6-54d1-a646-2740f368cbe1",
          message:
            "Error when executing lambda arn:aws:lambda:us-east-1:123456789012:function:SecretsManagerRDSPostgreSQLRotationSingleUser during setSecret step",
        },
      ],
    });
  });

  it("accepts RotationAbandoned without an errorMessage", () => {
    const parsed = okOf(parseEvent(byFile("documented/rotation-abandoned.json")));
    expect(parsed.findings[0]).toMatchObject({ type: "rotation-failed", status: "open" });
    expect(parsed.findings[0]).not.toHaveProperty("message");
  });

  it("accepts any detail-type", () => {
    const event = byFile("sm-rotation-failed.json");
    event["detail-type"] = "AWS API Call via CloudTrail";
    expect(okOf(parseEvent(event)).rule).toBe("rotation-failure");
  });

  it("falls back to the envelope time", () => {
    const event = byFile("sm-rotation-failed.json") as { time: string; detail: Record<string, unknown> };
    delete event.detail.eventTime;
    event.time = "2021-09-01T00:51:00Z";
    expect(okOf(parseEvent(event)).findings[0]?.observedAt).toEqual(new Date("2021-09-01T00:51:00Z"));
  });

  it("rejects an event with no time at all", () => {
    const event = byFile("sm-rotation-failed.json") as Record<string, unknown> & {
      detail: Record<string, unknown>;
    };
    delete event.detail.eventTime;
    delete event.time;
    expect(reasonOf(parseEvent(event))).toBe(
      "The rotation-failure event has no valid time (detail or envelope).",
    );
  });

  it("rejects a rotation event that names no secret", () => {
    const event = byFile("sm-rotation-failed.json") as { detail: Record<string, unknown> };
    event.detail.additionalEventData = null;
    expect(reasonOf(parseEvent(event))).toBe(
      "The RotationFailed event names no secret (no additionalEventData.SecretId).",
    );
  });
});

describe("malformed events", () => {
  it.each([
    ["a string", "event", null, "The event is not a JSON object (got a string)."],
    ["null", null, null, "The event is not a JSON object (got null)."],
    ["an array", [], null, "The event is not a JSON object (got an array)."],
    ["a number", 42, null, "The event is not a JSON object (got a number)."],
  ])("%s", (_name, event, eventId, reason) => {
    expect(parseEvent(event)).toEqual({ ok: false, eventId, reason });
  });

  it("an event without detail", () => {
    const event = byFile("sm-rotation-failed.json");
    delete event.detail;
    expect(parseEvent(event)).toEqual({
      ok: false,
      eventId: "4cfe345a-ecd6-54d1-a646-2740f368cbe1",
      reason: expect.stringMatching(/^The event is not an EventBridge event: field detail: .+\.$/),
    });
  });

  it("an event without id", () => {
    const event = byFile("sm-rotation-failed.json");
    delete event.id;
    const parsed = parseEvent(event);
    expect(parsed).toMatchObject({ ok: false, eventId: null });
    expect(reasonOf(parsed)).toMatch(/field id/);
  });

  it.each([
    ["detail is a string", (e: Record<string, unknown>) => Object.assign(e, { detail: "x" }), /field detail/],
    ["source is a number", (e: Record<string, unknown>) => Object.assign(e, { source: 1 }), /field source/],
    [
      "eventName is a number",
      (e: Record<string, unknown>) => Object.assign(e.detail as object, { eventName: 7 }),
      /does not handle|field detail\.eventName/,
    ],
  ])("%s", (_name, mutate, reason) => {
    const event = byFile("sm-cloudtrail-getsecretvalue-accessdenied.json");
    mutate(event);
    expect(reasonOf(parseEvent(event))).toMatch(reason);
  });

  it.each([
    [
      "newEvaluationResult missing",
      (d: Record<string, unknown>) => delete d.newEvaluationResult,
      "detail.newEvaluationResult",
    ],
    [
      "resourceId is a number",
      (d: Record<string, unknown>) => {
        const q = (
          d.newEvaluationResult as {
            evaluationResultIdentifier: { evaluationResultQualifier: Record<string, unknown> };
          }
        ).evaluationResultIdentifier.evaluationResultQualifier;
        q.resourceId = 1;
      },
      "detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.resourceId",
    ],
    [
      "messageType other",
      (d: Record<string, unknown>) =>
        Object.assign(d, { messageType: "OversizedConfigurationItemChangeNotification" }),
      "detail.messageType",
    ],
  ])("config: %s", (_name, mutate, field) => {
    const event = byFile("sm-config-unused-noncompliant.json") as { detail: Record<string, unknown> };
    mutate(event.detail);
    expect(reasonOf(parseEvent(event))).toContain(
      `The config-compliance event is malformed: field ${field}: `,
    );
  });

  it("an event from another source", () => {
    expect(reasonOf(parseEvent(byFile("published/secret-label-updated-docs-01.json")))).toBe(
      'The governor does not handle events with source "aws.secretsmanager" and detail-type "Secret Label Updated" (it takes Config compliance changes of secrets, failed Secrets Manager API calls and rotation failures).',
    );
  });

  it("a CloudTrail record from another service", () => {
    const event = byFile("sm-cloudtrail-getsecretvalue-accessdenied.json") as {
      detail: Record<string, unknown>;
    };
    event.detail.eventSource = "kms.amazonaws.com";
    expect(reasonOf(parseEvent(event))).toMatch(
      /^The access-failure event is malformed: field detail\.eventSource: /,
    );
  });
});
