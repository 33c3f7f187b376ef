import * as z from "zod";
import { findingTypeForConfigRule } from "./config-rules.js";
import { parseAwsDate } from "./dates.js";
import { denialTextWithoutNames, secretsInDenialMessage } from "./denial-message.js";
import type { AccessAttempt, Finding, FindingType } from "./finding.js";

// The planner maps `get-compliance-details-by-config-rule` output with the same function the events use.
export { findingTypeForConfigRule };

/**
 * The events the governor accepts, one zod schema per kind, written once. Every schema is loose (unknown keys
 * pass) because AWS adds fields over time; only what we read is checked. Types come from z.infer.
 */

const SECRET_RESOURCE_TYPE = "AWS::SecretsManager::Secret";
const SECRETS_MANAGER = "secretsmanager.amazonaws.com";
const ROTATION_FAILURES = ["RotationFailed", "RotationAbandoned"];

/**
 * The EventBridge envelope every target receives.
 * @example
 * { "version": "0", "id": "c3b590f2-f209-5dbe-ac5e-52453914e2eb", "detail-type": "Config Rules Compliance Change",
 *   "source": "aws.config", "account": "123456789012", "time": "2026-11-20T03:12:41Z", "region": "us-east-1",
 *   "resources": [], "detail": { ... } }
 */
export const EnvelopeSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  "detail-type": z.string(),
  source: z.string(),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.unknown()).optional(),
  detail: z.record(z.string(), z.unknown()),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

const EvaluationResultSchema = z.looseObject({
  evaluationResultIdentifier: z.looseObject({
    evaluationResultQualifier: z.looseObject({
      configRuleName: z.string().min(1),
      resourceType: z.string().optional(),
      // An ARN for some rules, a plain secret name for others.
      resourceId: z.string().min(1),
      evaluationMode: z.string().optional(),
    }),
    orderingTimestamp: z.string().optional(),
  }),
  complianceType: z.enum(["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"]),
  resultRecordedTime: z.string().optional(),
  configRuleInvokedTime: z.string().optional(),
  annotation: z.string().nullish(),
});

/**
 * AWS Config's "Config Rules Compliance Change" for a secret. `oldEvaluationResult` is absent on a first
 * evaluation; rule names may carry a Security Hub prefix or a conformance-pack suffix.
 * @example
 * { "id": "c3b590f2-...", "detail-type": "Config Rules Compliance Change", "source": "aws.config",
 *   "time": "2026-11-20T03:12:41Z", "resources": [],
 *   "detail": { "resourceId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/stale-Ef34Gh",
 *     "resourceType": "AWS::SecretsManager::Secret", "configRuleName": "secretsmanager-secret-unused",
 *     "messageType": "ComplianceChangeNotification", "notificationCreationTime": "2021-04-19T19:04:05.751Z",
 *     "newEvaluationResult": { "complianceType": "NON_COMPLIANT", "resultRecordedTime": "2021-04-19T19:04:04.741Z",
 *       "evaluationResultIdentifier": { "evaluationResultQualifier": { "configRuleName": "secretsmanager-secret-unused",
 *         "resourceType": "AWS::SecretsManager::Secret", "resourceId": "arn:aws:secretsmanager:...:secret:app/stale-Ef34Gh" } } },
 *     "oldEvaluationResult": { "complianceType": "COMPLIANT", ... } } }
 */
export const ConfigComplianceChangeSchema = EnvelopeSchema.extend({
  source: z.literal("aws.config"),
  "detail-type": z.literal("Config Rules Compliance Change"),
  detail: z.looseObject({
    configRuleName: z.string().min(1),
    messageType: z.literal("ComplianceChangeNotification"),
    resourceType: z.string().optional(),
    resourceId: z.string().optional(),
    awsRegion: z.string().optional(),
    awsAccountId: z.string().optional(),
    newEvaluationResult: EvaluationResultSchema,
    oldEvaluationResult: EvaluationResultSchema.nullish(),
    notificationCreationTime: z.string().optional(),
  }),
});
export type ConfigComplianceChange = z.infer<typeof ConfigComplianceChangeSchema>;

const UserIdentitySchema = z.looseObject({
  type: z.string().optional(),
  arn: z.string().optional(),
  principalId: z.string().optional(),
  accountId: z.string().optional(),
  invokedBy: z.string().optional(),
  sessionContext: z
    .looseObject({
      sessionIssuer: z.looseObject({ type: z.string().optional(), arn: z.string().optional() }).optional(),
    })
    .nullish(),
});

const jsonObject = z.record(z.string(), z.unknown());

/** The CloudTrail record EventBridge carries as `detail`; both kinds below share it. */
const CloudTrailDetailSchema = z.looseObject({
  eventSource: z.literal(SECRETS_MANAGER),
  eventName: z.string().min(1),
  eventTime: z.string().optional(),
  eventID: z.string().optional(),
  eventType: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  userIdentity: UserIdentitySchema.optional(),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  // null on some denied calls and on every rotation event.
  requestParameters: jsonObject.nullish(),
  responseElements: jsonObject.nullish(),
  additionalEventData: jsonObject.nullish(),
  resources: z.array(z.looseObject({ ARN: z.string().optional(), arn: z.string().optional() })).nullish(),
});

/**
 * A Secrets Manager API call that failed (AccessDenied, AccessDeniedException, DecryptionFailure, KMS errors, a
 * read of a secret scheduled for deletion), as "AWS API Call via CloudTrail".
 * @example
 * { "id": "20f18485-...", "detail-type": "AWS API Call via CloudTrail", "source": "aws.secretsmanager",
 *   "time": "2026-11-21T09:15:02Z", "resources": [],
 *   "detail": { "eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue",
 *     "eventTime": "2026-11-21T09:15:02Z", "errorCode": "AccessDenied",
 *     "errorMessage": "User: arn:aws:sts::123456789012:assumed-role/Dev/evil.genius is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:app/active-Ab12Cd ...",
 *     "requestParameters": { "secretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/active-Ab12Cd" },
 *     "sourceIPAddress": "123.123.123.123", "userAgent": "aws-sdk-go/1.44.157",
 *     "userIdentity": { "type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/Dev/evil.genius",
 *       "sessionContext": { "sessionIssuer": { "type": "Role", "arn": "arn:aws:iam::123456789012:role/Dev" } } } } }
 */
export const AccessFailureEventSchema = EnvelopeSchema.extend({
  source: z.literal("aws.secretsmanager"),
  "detail-type": z.literal("AWS API Call via CloudTrail"),
  detail: CloudTrailDetailSchema,
});
export type AccessFailureEvent = z.infer<typeof AccessFailureEventSchema>;

/**
 * A rotation that failed or was abandoned. Published with more than one detail-type, so none is required; the
 * secret is only in `additionalEventData.SecretId`.
 * @example
 * { "id": "4cfe345a-...", "detail-type": "AWS Service Event via CloudTrail", "source": "aws.secretsmanager",
 *   "time": "2021-09-01T00:50:20Z", "resources": [],
 *   "detail": { "eventSource": "secretsmanager.amazonaws.com", "eventName": "RotationFailed",
 *     "eventTime": "2021-09-01T00:50:20Z", "eventType": "AwsServiceEvent",
 *     "errorMessage": "Error when executing lambda arn:aws:lambda:...:function:Rotator during setSecret step",
 *     "requestParameters": null, "responseElements": null,
 *     "additionalEventData": { "SecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-Gh78Ij" } } }
 */
export const RotationFailureEventSchema = EnvelopeSchema.extend({
  source: z.literal("aws.secretsmanager"),
  detail: CloudTrailDetailSchema.extend({ eventName: z.enum(["RotationFailed", "RotationAbandoned"]) }),
});
export type RotationFailureEvent = z.infer<typeof RotationFailureEventSchema>;

/** What an event means for the governor: the route (rules/ name) of its kind and its findings, or why not. */
export type ParsedEvent =
  | { ok: true; rule: string; findings: Finding[]; eventId: string }
  | { ok: false; eventId: string | null; reason: string };

type Kind = "config-compliance" | "access-failure" | "rotation-failure";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "it does not match its schema";
  const field = issue.path.map(String).join(".");
  return field ? `field ${field}: ${issue.message}` : issue.message;
}

/** CloudTrail times as ISO-8601, and the "2024-10-17 21:48:45.000000000" form some log pipelines rewrite them to. */
function toDate(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const normalized = value
    .trim()
    .replace(" ", "T")
    .replace(/(\.\d{3})\d+/, "$1");
  return parseAwsDate(normalized) ?? parseAwsDate(value);
}

function firstDate(...values: unknown[]): Date | undefined {
  for (const value of values) {
    const date = toDate(value);
    if (date) return date;
  }
  return undefined;
}

/**
 * Which route an event belongs to, from its source, detail-type and eventName only (not the full rule), so that
 * an event the rule would filter out (a NOT_APPLICABLE evaluation, a successful call) still gets a precise answer.
 */
function kindOf(event: Envelope): Kind | undefined {
  if (event.source === "aws.config" && event["detail-type"] === "Config Rules Compliance Change")
    return "config-compliance";
  if (event.source !== "aws.secretsmanager") return undefined;
  if (ROTATION_FAILURES.includes(String(event.detail.eventName))) return "rotation-failure";
  if (event["detail-type"] === "AWS API Call via CloudTrail") return "access-failure";
  return undefined;
}

/**
 * Turns one EventBridge event into findings. Never throws: input that is not an event we accept gives
 * `ok: false` with a sentence saying why. A Config evaluation that is NOT_APPLICABLE or INSUFFICIENT_DATA is
 * accepted with no finding.
 */
export function parseEvent(event: unknown): ParsedEvent {
  if (!isObject(event))
    return { ok: false, eventId: null, reason: `The event is not a JSON object (got ${describe(event)}).` };
  const eventId = typeof event.id === "string" && event.id !== "" ? event.id : null;
  const envelope = EnvelopeSchema.safeParse(event);
  if (!envelope.success)
    return {
      ok: false,
      eventId,
      reason: `The event is not an EventBridge event: ${issueText(envelope.error)}.`,
    };
  const kind = kindOf(envelope.data);
  if (!kind)
    return {
      ok: false,
      eventId,
      reason:
        `The governor does not handle events with source "${envelope.data.source}" and detail-type ` +
        `"${envelope.data["detail-type"]}" (it takes Config compliance changes of secrets, failed Secrets Manager ` +
        "API calls and rotation failures).",
    };
  try {
    switch (kind) {
      case "config-compliance":
        return parseConfigCompliance(event, kind);
      case "access-failure":
        return parseAccessFailure(event, kind);
      case "rotation-failure":
        return parseRotationFailure(event, kind);
    }
  } catch (error) {
    // Defensive: the parsers below do not throw, but a handler must never crash on an event.
    return {
      ok: false,
      eventId,
      reason: `The ${kind} event could not be read: ${(error as Error).message}.`,
    };
  }
}

function malformed(kind: Kind, eventId: string | null, error: z.ZodError): ParsedEvent {
  return { ok: false, eventId, reason: `The ${kind} event is malformed: ${issueText(error)}.` };
}

function parseConfigCompliance(raw: Record<string, unknown>, kind: Kind): ParsedEvent {
  const parsed = ConfigComplianceChangeSchema.safeParse(raw);
  const eventId = typeof raw.id === "string" ? raw.id : null;
  if (!parsed.success) return malformed(kind, eventId, parsed.error);
  const event = parsed.data;
  const { detail } = event;
  const result = detail.newEvaluationResult;
  const qualifier = result.evaluationResultIdentifier.evaluationResultQualifier;
  const resourceType = qualifier.resourceType ?? detail.resourceType;
  if (resourceType !== SECRET_RESOURCE_TYPE)
    return {
      ok: false,
      eventId: event.id,
      reason: `The Config evaluation is for resource type ${resourceType ?? "(none)"}, not ${SECRET_RESOURCE_TYPE}.`,
    };
  const ruleName = qualifier.configRuleName || detail.configRuleName;
  const type = findingTypeForConfigRule(ruleName);
  if (!type)
    return {
      ok: false,
      eventId: event.id,
      reason: `The Config rule "${ruleName}" is not one of the Secrets Manager managed rules the governor acts on.`,
    };
  const status =
    result.complianceType === "NON_COMPLIANT"
      ? "open"
      : result.complianceType === "COMPLIANT"
        ? "resolved"
        : undefined;
  if (!status) return { ok: true, rule: kind, findings: [], eventId: event.id };
  const observedAt = firstDate(detail.notificationCreationTime, result.resultRecordedTime, event.time);
  if (!observedAt) return noTime(kind, event.id);
  const finding: Finding = {
    type,
    secretId: qualifier.resourceId,
    source: "config",
    status,
    observedAt,
    origin: event.id,
  };
  if (result.annotation) finding.message = result.annotation;
  return { ok: true, rule: kind, findings: [finding], eventId: event.id };
}

function noTime(kind: Kind, eventId: string): ParsedEvent {
  return { ok: false, eventId, reason: `The ${kind} event has no valid time (detail or envelope).` };
}

type CloudTrailDetail = z.infer<typeof CloudTrailDetailSchema>;

function stringField(
  record: Record<string, unknown> | null | undefined,
  ...keys: string[]
): string | undefined {
  if (!record) return undefined;
  for (const key of keys) {
    const value = record[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/**
 * Every secret a CloudTrail record names, best source first: the request (secretId, or BatchGetSecretValue's
 * secretIdList), then the record's resources, the response (`arn`, or the older `aRN`), additionalEventData, the
 * envelope's resources, and last the secret errorMessage names ("... on resource: arn:..." or a name).
 */
function secretIdsOf(detail: CloudTrailDetail, envelopeResources: unknown[] | undefined): string[] {
  const request = detail.requestParameters;
  const fromRequest = stringField(request, "secretId", "SecretId");
  if (fromRequest) return [fromRequest];
  const list = request?.secretIdList ?? request?.SecretIdList;
  if (Array.isArray(list)) {
    const ids = list.filter((id): id is string => typeof id === "string" && id !== "");
    if (ids.length > 0) return [...new Set(ids)];
  }
  const resources = (detail.resources ?? [])
    .map((r) => r.ARN ?? r.arn)
    .filter((arn): arn is string => typeof arn === "string" && arn.includes(":secretsmanager:"));
  if (resources.length > 0) return [...new Set(resources)];
  const single =
    stringField(detail.responseElements, "arn", "aRN", "ARN") ??
    stringField(detail.additionalEventData, "SecretId", "secretId");
  if (single) return [single];
  const fromEnvelope = (envelopeResources ?? []).filter(
    (r): r is string => typeof r === "string" && r.includes(":secretsmanager:"),
  );
  if (fromEnvelope.length > 0) return [...new Set(fromEnvelope)];
  return secretsInDenialMessage(detail.errorMessage);
}

function accessAttempt(detail: CloudTrailDetail): AccessAttempt {
  const identity = detail.userIdentity;
  const access: AccessAttempt = { api: detail.eventName };
  const principalArn = identity?.arn ?? identity?.sessionContext?.sessionIssuer?.arn ?? identity?.invokedBy;
  if (principalArn) access.principalArn = principalArn;
  const principalType = identity?.type ?? (identity?.invokedBy ? "AWSService" : undefined);
  if (principalType) access.principalType = principalType;
  if (identity?.accountId) access.callerAccount = identity.accountId;
  if (detail.sourceIPAddress) access.sourceIp = detail.sourceIPAddress;
  if (detail.userAgent) access.userAgent = detail.userAgent;
  if (detail.errorCode) access.errorCode = detail.errorCode;
  if (detail.errorMessage) access.errorMessage = detail.errorMessage;
  return access;
}

const DENIED_CODES = ["AccessDenied", "AccessDeniedException"];

/**
 * The finding an API error means, or undefined when it is not an access failure. An error about KMS (its code, or
 * its message once the resource and ARNs are removed, so a secret named "decrypt-..." does not count) is a
 * decryption failure.
 */
function accessFindingType(code: string, message: string | undefined): FindingType | undefined {
  const text = denialTextWithoutNames(message ?? "");
  const aboutKms = /\bkms\b|kms:|decrypt/i.test(text);
  if (code === "DecryptionFailure" || /^KMS/i.test(code)) return "decryption-failure";
  if (DENIED_CODES.includes(code)) return aboutKms ? "decryption-failure" : "access-denied";
  if (code === "InvalidRequestException") {
    if (/(marked|scheduled) for deletion/i.test(text)) return "access-denied";
    if (aboutKms) return "decryption-failure";
  }
  return undefined;
}

function parseAccessFailure(raw: Record<string, unknown>, kind: Kind): ParsedEvent {
  const parsed = AccessFailureEventSchema.safeParse(raw);
  const eventId = typeof raw.id === "string" ? raw.id : null;
  if (!parsed.success) return malformed(kind, eventId, parsed.error);
  const event = parsed.data;
  const { detail } = event;
  if (!detail.errorCode)
    return {
      ok: false,
      eventId: event.id,
      reason: `The ${detail.eventName} call succeeded (no errorCode): it is not an access failure.`,
    };
  const type = accessFindingType(detail.errorCode, detail.errorMessage);
  if (!type)
    return {
      ok: false,
      eventId: event.id,
      reason: `The ${detail.eventName} call failed with ${detail.errorCode}, which is not an access or KMS failure.`,
    };
  const secretIds = secretIdsOf(detail, event.resources);
  if (secretIds.length === 0)
    return {
      ok: false,
      eventId: event.id,
      reason: `The ${detail.eventName} failure names no secret (no requestParameters, resources, or secret in errorMessage).`,
    };
  const observedAt = firstDate(detail.eventTime, event.time);
  if (!observedAt) return noTime(kind, event.id);
  const access = accessAttempt(detail);
  const findings = secretIds.map(
    (secretId): Finding => ({
      type,
      secretId,
      source: "cloudtrail",
      status: "open",
      observedAt,
      origin: event.id,
      access: { ...access },
    }),
  );
  return { ok: true, rule: kind, findings, eventId: event.id };
}

function parseRotationFailure(raw: Record<string, unknown>, kind: Kind): ParsedEvent {
  const parsed = RotationFailureEventSchema.safeParse(raw);
  const eventId = typeof raw.id === "string" ? raw.id : null;
  if (!parsed.success) return malformed(kind, eventId, parsed.error);
  const event = parsed.data;
  const { detail } = event;
  const secretId =
    stringField(detail.additionalEventData, "SecretId", "secretId") ??
    secretIdsOf(detail, event.resources)[0];
  if (!secretId)
    return {
      ok: false,
      eventId: event.id,
      reason: `The ${detail.eventName} event names no secret (no additionalEventData.SecretId).`,
    };
  const observedAt = firstDate(detail.eventTime, event.time);
  if (!observedAt) return noTime(kind, event.id);
  const finding: Finding = {
    type: "rotation-failed",
    secretId,
    source: "cloudtrail",
    status: "open",
    observedAt,
    origin: event.id,
  };
  if (detail.errorMessage) finding.message = detail.errorMessage;
  return { ok: true, rule: kind, findings: [finding], eventId: event.id };
}
