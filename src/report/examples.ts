import type { CostSummary, Decision } from "../domain/decision.js";
import type { Finding } from "../domain/finding.js";
import type { Secret } from "../domain/secret.js";
import type { Report, ReportItem } from "../ports.js";

/** Fixed sample data: one report per message kind, for docs/slack-examples.md and the snapshot tests. */

export const EXAMPLE_NOW = new Date("2026-11-23T09:00:00Z");

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";

export function exampleSecret(name: string, overrides: Partial<Secret> = {}): Secret {
  return {
    arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`,
    name,
    region: REGION,
    accountId: ACCOUNT,
    description: "Stripe API key for the payments service",
    tags: { owner: "alice@example.com", team: "payments" },
    createdDate: new Date("2025-01-10T00:00:00Z"),
    lastAccessedDate: new Date("2026-05-01T00:00:00Z"),
    rotationEnabled: false,
    replicas: [],
    ...overrides,
  };
}

export function exampleDecision(secret: Secret, overrides: Partial<Decision>): Decision {
  return {
    arn: secret.arn,
    name: secret.name,
    finding: "unused",
    rule: "unused-secrets",
    action: "none",
    steps: [],
    stage: null,
    reason: "not read for 206 days (last read 2026-05-01)",
    guard: null,
    route: "payments",
    trace: [],
    ...overrides,
  };
}

const stripe = exampleSecret("payments/stripe-api-key");

const flagged: ReportItem = {
  secret: stripe,
  decision: exampleDecision(stripe, {
    action: "tag",
    steps: [
      { kind: "tag", tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-23" } },
      { kind: "notify", route: "payments" },
    ],
    stage: "flagged",
    reason: "not read for 206 days (last read 2026-05-01): flagged, owner warned",
    next: { action: "quarantine", on: "2026-12-23" },
  }),
};

const quarantined: ReportItem = {
  secret: { ...stripe, tags: { ...stripe.tags, "governor:stage": "quarantined" } },
  decision: exampleDecision(stripe, {
    action: "quarantine",
    steps: [{ kind: "quarantine" }, { kind: "notify", route: "payments" }],
    stage: "quarantined",
    reason: "not read for 236 days (last read 2026-05-01); flagged 30 days ago: quarantined",
    next: { action: "schedule-deletion", on: "2027-01-22" },
  }),
};

const deletion: ReportItem = {
  secret: { ...stripe, deletedDate: new Date("2026-12-23T09:00:00Z") },
  decision: exampleDecision(stripe, {
    action: "schedule-deletion",
    steps: [
      { kind: "schedule-deletion", recoveryWindowDays: 30 },
      { kind: "notify", route: "payments" },
    ],
    stage: "deletion-scheduled",
    reason:
      "not read for 296 days (last read 2026-05-01); quarantined 60 days: deletion scheduled, final on 2026-12-23",
  }),
};

const restored: ReportItem = {
  secret: { ...stripe, lastAccessedDate: new Date("2026-11-22T00:00:00Z") },
  decision: exampleDecision(stripe, {
    action: "release",
    steps: [{ kind: "release" }, { kind: "untag", keys: ["governor:stage", "governor:stage-since"] }],
    stage: null,
    reason: "used again (read 1 days ago)",
  }),
};

const accessFinding: Finding = {
  type: "access-denied",
  secretId: "payments/stripe-api-key",
  source: "cloudtrail",
  status: "open",
  observedAt: new Date("2026-11-23T08:57:12Z"),
  origin: "5f2c9a1e-0d3b-4c1f-9e1a-7b2d3c4e5f60",
  access: {
    api: "GetSecretValue",
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/payments-api/i-0abc123def4567890`,
    principalType: "AssumedRole",
    sourceIp: "10.0.3.7",
    userAgent: "aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20.19.0",
    errorCode: "AccessDeniedException",
    errorMessage:
      "User: arn:aws:sts::123456789012:assumed-role/payments-api/i-0abc123def4567890 is not authorized to perform: secretsmanager:GetSecretValue with an explicit deny in a resource-based policy",
  },
};

const accessFailure: ReportItem = {
  secret: { ...stripe, tags: { ...stripe.tags, "governor:stage": "quarantined" } },
  finding: accessFinding,
  decision: exampleDecision(stripe, {
    finding: "access-denied",
    rule: null,
    action: "release",
    steps: [{ kind: "release" }, { kind: "notify", route: "payments" }],
    stage: "quarantined",
    reason:
      "3 denied reads in 15 minutes on a quarantined secret: quarantine released (accessFailures.onQuarantined)",
  }),
};

const rotationSecret = exampleSecret("payments/postgres-app", {
  description: "App user for the payments database",
  rotationEnabled: true,
  rotationIntervalDays: 30,
  lastAccessedDate: new Date("2026-11-22T00:00:00Z"),
});

const rotationFailure: ReportItem = {
  secret: rotationSecret,
  finding: {
    type: "rotation-failed",
    secretId: rotationSecret.arn,
    source: "cloudtrail",
    status: "open",
    observedAt: new Date("2026-11-23T04:00:03Z"),
    message:
      "Lambda rotation function payments-rotate failed in step setSecret: connect ETIMEDOUT 10.0.9.12:5432",
  },
  decision: exampleDecision(rotationSecret, {
    finding: "rotation-failed",
    rule: "rotation-failures",
    action: "notify",
    steps: [{ kind: "notify", route: "payments" }],
    reason: "RotationFailed reported by CloudTrail",
  }),
};

const rdsSecret = exampleSecret("rds!db-3f6a7c2e-1b4d-4e8f-9a0b-c1d2e3f4a5b6", {
  description: "Secret associated with primary RDS DB instance: arn:aws:rds:eu-west-1:123456789012:db:orders",
  owningService: "rds",
  tags: { team: "orders" },
  lastAccessedDate: undefined,
});

const withheld: ReportItem = {
  secret: rdsSecret,
  decision: exampleDecision(rdsSecret, {
    route: "orders",
    guard: "owning-service",
    reason: "managed by rds: report only",
  }),
};

export const EXAMPLE_SUMMARY: CostSummary = {
  secrets: 412,
  unused: 37,
  monthlyCostUsd: 164.8,
  unusedMonthlyCostUsd: 14.8,
  realisedMonthlySavingsUsd: 2.4,
  projectedMonthlySavingsUsd: 12.4,
};

export interface Example {
  id: string;
  title: string;
  report: Report;
}

const base = { now: EXAMPLE_NOW, accountId: ACCOUNT, region: REGION } as const;

export function examples(): Example[] {
  const items = [flagged, quarantined, deletion, restored, accessFailure, rotationFailure, withheld];
  return [
    { id: "flagged", title: "Unused secret flagged", report: { ...base, mode: "enforce", items: [flagged] } },
    { id: "quarantined", title: "Quarantined", report: { ...base, mode: "enforce", items: [quarantined] } },
    {
      id: "quarantined-report-mode",
      title: "Quarantine in report mode (dry run)",
      report: { ...base, mode: "report", items: [quarantined] },
    },
    {
      id: "deletion-scheduled",
      title: "Deletion scheduled",
      report: { ...base, mode: "enforce", items: [deletion] },
    },
    {
      id: "restored",
      title: "Released / restored (the way back)",
      report: { ...base, mode: "enforce", items: [restored] },
    },
    {
      id: "access-failure",
      title: "Access-failure incident",
      report: { ...base, mode: "enforce", items: [accessFailure] },
    },
    {
      id: "rotation-failure",
      title: "Rotation failure",
      report: { ...base, mode: "enforce", items: [rotationFailure] },
    },
    {
      id: "withheld",
      title: "Withheld by a guard",
      report: { ...base, mode: "enforce", items: [withheld] },
    },
    {
      id: "digest",
      title: "Run digest (one message per route)",
      report: {
        ...base,
        mode: "enforce",
        kind: "digest",
        title: "Daily run",
        items: items.map((i) => ({ ...i, decision: { ...i.decision, route: "payments" } })),
        summary: EXAMPLE_SUMMARY,
        failedDeliveries: 2,
      },
    },
    {
      id: "cost",
      title: "Daily cost digest",
      report: {
        ...base,
        mode: "enforce",
        kind: "cost",
        items: [flagged, quarantined],
        summary: EXAMPLE_SUMMARY,
      },
    },
  ];
}
