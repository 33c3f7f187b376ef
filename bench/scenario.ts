/**
 * Emulated accounts for the benchmark (and the fault tests): N secrets in a known mix of states, the Config
 * compliance that goes with them, and the Config compliance-change events a re-evaluation would emit.
 */
import { LocalAccount } from "../src/adapters/local-account.js";
import { parseSecretEntry, type Secret } from "../src/domain/secret.js";

export const ACCOUNT_ID = "123456789012";
export const UNUSED_RULE = "secretsmanager-secret-unused";
const DAY = 86_400_000;

/** What the default policy does with each kind of secret of the mix. */
export type Kind =
  | "in-use"
  | "flagged-waiting"
  | "newly-unused"
  | "used-again"
  | "due-for-quarantine"
  | "exempt"
  | "managed";

/** The sweep's mix, per 100 secrets: most accounts are mostly steady. */
const SWEEP_MIX: [Kind, number][] = [
  ["in-use", 88],
  ["flagged-waiting", 5],
  ["newly-unused", 3],
  ["used-again", 1],
  ["due-for-quarantine", 1],
  ["exempt", 1],
  ["managed", 1],
];

/** A burst: an account-wide re-evaluation after the unused rule was (re)created: mostly newly unused secrets. */
const BURST_MIX: [Kind, number][] = [
  ["newly-unused", 70],
  ["used-again", 10],
  ["due-for-quarantine", 10],
  ["in-use", 10],
];

function kindOf(i: number, mix: [Kind, number][]): Kind {
  // Slots spread through the account (37 is prime to 100), so a small account has every kind too.
  let slot = (i * 37) % 100;
  for (const [kind, share] of mix) {
    if (slot < share) return kind;
    slot -= share;
  }
  return "in-use";
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export interface Scenario {
  secrets: Secret[];
  kinds: Kind[];
  /** Config's verdict per secret (NON_COMPLIANT when unused). */
  compliance: ("COMPLIANT" | "NON_COMPLIANT")[];
}

/** N secrets of the given mix, as of `now`. */
export function scenario(count: number, now: Date, mix: "sweep" | "burst" = "sweep"): Scenario {
  const secrets: Secret[] = [];
  const kinds: Kind[] = [];
  const compliance: ("COMPLIANT" | "NON_COMPLIANT")[] = [];
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  for (let i = 0; i < count; i++) {
    const kind = kindOf(i, mix === "sweep" ? SWEEP_MIX : BURST_MIX);
    const name = kind === "managed" ? `rds!db-${i}` : `app/team-${i % 40}/secret-${i}`;
    const tags: { Key: string; Value: string }[] = [{ Key: "team", Value: `team-${i % 40}` }];
    let lastAccess = ago(5);
    if (kind === "flagged-waiting" || kind === "due-for-quarantine" || kind === "used-again") {
      const since = kind === "due-for-quarantine" ? ago(20) : ago(5);
      tags.push(
        { Key: "governor:stage", Value: "flagged" },
        { Key: "governor:stage-since", Value: isoDay(since) },
      );
    }
    if (kind === "flagged-waiting" || kind === "due-for-quarantine" || kind === "newly-unused")
      lastAccess = ago(120);
    if (kind === "used-again") lastAccess = ago(2);
    if (kind === "exempt") {
      tags.push({ Key: "governor:exempt", Value: "true" });
      lastAccess = ago(400);
    }
    if (kind === "managed") lastAccess = ago(300);
    secrets.push(
      parseSecretEntry({
        ARN: `arn:aws:secretsmanager:us-east-1:${ACCOUNT_ID}:secret:${name}-${i.toString(36).padStart(6, "0")}`,
        Name: name,
        RotationEnabled: false,
        CreatedDate: ago(900).toISOString(),
        LastAccessedDate: isoDay(lastAccess),
        Tags: tags,
        ...(kind === "managed" ? { OwningService: "rds" } : {}),
      }),
    );
    kinds.push(kind);
    compliance.push(now.getTime() - lastAccess.getTime() > 90 * DAY ? "NON_COMPLIANT" : "COMPLIANT");
  }
  return { secrets, kinds, compliance };
}

export function accountOf(s: Scenario, now: Date): LocalAccount {
  return new LocalAccount(s.secrets, {}, { clock: { now: () => now } });
}

/** A "Config Rules Compliance Change" event for one secret, as EventBridge delivers it. */
export function complianceChangeEvent(
  secret: Secret,
  compliance: "COMPLIANT" | "NON_COMPLIANT",
  id: string,
  now: Date,
): Record<string, unknown> {
  const qualifier = {
    configRuleName: UNUSED_RULE,
    resourceType: "AWS::SecretsManager::Secret",
    resourceId: secret.arn,
  };
  const time = now.toISOString();
  return {
    version: "0",
    id,
    "detail-type": "Config Rules Compliance Change",
    source: "aws.config",
    account: ACCOUNT_ID,
    time,
    region: "us-east-1",
    resources: [],
    detail: {
      resourceId: secret.arn,
      awsRegion: "us-east-1",
      awsAccountId: ACCOUNT_ID,
      configRuleName: UNUSED_RULE,
      recordVersion: "1.0",
      configRuleARN: `arn:aws:config:us-east-1:${ACCOUNT_ID}:config-rule/config-rule-a1b2c3`,
      messageType: "ComplianceChangeNotification",
      newEvaluationResult: {
        evaluationResultIdentifier: { evaluationResultQualifier: qualifier, orderingTimestamp: time },
        complianceType: compliance,
        resultRecordedTime: time,
        configRuleInvokedTime: time,
      },
      notificationCreationTime: time,
      resourceType: "AWS::SecretsManager::Secret",
    },
  };
}
