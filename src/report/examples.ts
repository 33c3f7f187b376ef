import type { CostSummary, Decision } from "../domain/decision.js";
import type { Secret } from "../domain/secret.js";
import type { ReportItem } from "../ports.js";
import type { NotedReport } from "./digest.js";

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

/** The lifecycle of the examples: flag after 90 days unused, quarantine 30 days later, delete 60 days after that. */
function staged(secret: Secret, stage: string, since: string): Secret {
  return { ...secret, tags: { ...secret.tags, "governor:stage": stage, "governor:stage-since": since } };
}

// Each item carries the facts the decision was taken on (before its steps ran), as a run reports them.
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
  secret: staged(stripe, "flagged", "2026-10-24"),
  decision: exampleDecision(stripe, {
    action: "quarantine",
    steps: [
      { kind: "quarantine" },
      { kind: "tag", tags: { "governor:stage": "quarantined", "governor:stage-since": "2026-11-23" } },
      { kind: "notify", route: "payments" },
    ],
    stage: "quarantined",
    reason: "not read for 206 days (last read 2026-05-01); flagged 30 days ago: quarantined",
    next: { action: "schedule-deletion", on: "2027-01-22" },
  }),
};

const deletion: ReportItem = {
  secret: staged(stripe, "quarantined", "2026-09-24"),
  decision: exampleDecision(stripe, {
    action: "schedule-deletion",
    steps: [
      { kind: "tag", tags: { "governor:stage": "deletion-scheduled", "governor:stage-since": "2026-11-23" } },
      { kind: "schedule-deletion", recoveryWindowDays: 30 },
      { kind: "notify", route: "payments" },
    ],
    stage: "deletion-scheduled",
    reason:
      "not read for 206 days (last read 2026-05-01); quarantined 60 days: deletion scheduled, final on 2026-12-23",
  }),
};

const restored: ReportItem = {
  secret: staged({ ...stripe, lastAccessedDate: new Date("2026-11-21T00:00:00Z") }, "flagged", "2026-11-02"),
  decision: exampleDecision(stripe, {
    action: "untag",
    steps: [
      { kind: "untag", keys: ["governor:stage", "governor:stage-since"] },
      { kind: "notify", route: "payments" },
    ],
    stage: null,
    reason: "used again (read 2 days ago)",
  }),
};

const signingKey = exampleSecret("payments/webhook-signing-key", {
  description: "Signs the payment provider's webhooks",
  lastAccessedDate: new Date("2026-11-22T00:00:00Z"),
});
const checkoutWorker = `arn:aws:sts::${ACCOUNT}:assumed-role/checkout-worker/i-0def4567890abc123`;

/** Three denied reads by one caller within the window, on a secret the governor never touched: an incident. */
const accessFailure: ReportItem = {
  secret: signingKey,
  finding: {
    type: "access-denied",
    secretId: "payments/webhook-signing-key",
    source: "cloudtrail",
    status: "open",
    observedAt: new Date("2026-11-23T08:57:12Z"),
    origin: "9a1e5f2c-3b0d-4c1f-9e1a-7b2d3c4e5f61",
    access: {
      api: "GetSecretValue",
      principalArn: checkoutWorker,
      principalType: "AssumedRole",
      sourceIp: "10.0.4.21",
      userAgent: "aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20.19.0",
      errorCode: "AccessDeniedException",
      errorMessage: `User: ${checkoutWorker} is not authorized to perform: secretsmanager:GetSecretValue on resource: payments/webhook-signing-key because no identity-based policy allows the secretsmanager:GetSecretValue action`,
    },
  },
  decision: exampleDecision(signingKey, {
    finding: "access-denied",
    rule: "access-failures",
    action: "notify",
    steps: [{ kind: "notify", route: "payments" }],
    reason: `access-denied: GetSecretValue by ${checkoutWorker} (AccessDeniedException)`,
  }),
};

const paymentsApi = `arn:aws:sts::${ACCOUNT}:assumed-role/payments-api/i-0abc123def4567890`;

/** One read denied by the governor's own quarantine proves the secret is in use: the quarantine is released. */
const quarantineFeedback: ReportItem = {
  secret: staged(stripe, "quarantined", "2026-11-16"),
  finding: {
    type: "access-denied",
    secretId: "payments/stripe-api-key",
    source: "cloudtrail",
    status: "open",
    observedAt: new Date("2026-11-23T08:57:12Z"),
    origin: "5f2c9a1e-0d3b-4c1f-9e1a-7b2d3c4e5f60",
    access: {
      api: "GetSecretValue",
      principalArn: paymentsApi,
      principalType: "AssumedRole",
      sourceIp: "10.0.3.7",
      userAgent: "aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20.19.0",
      errorCode: "AccessDeniedException",
      errorMessage: `User: ${paymentsApi} is not authorized to perform: secretsmanager:GetSecretValue with an explicit deny in a resource-based policy`,
    },
  },
  decision: exampleDecision(stripe, {
    finding: "access-denied",
    rule: "quarantine-feedback",
    action: "release",
    steps: [
      { kind: "release" },
      { kind: "untag", keys: ["governor:stage", "governor:stage-since"] },
      { kind: "notify", route: "payments" },
    ],
    stage: null,
    reason: `${paymentsApi} still reads it (GetSecretValue denied while quarantined): the secret is in use`,
  }),
};

const rotationSecret = exampleSecret("payments/postgres-app", {
  description: "App user for the payments database",
  rotationEnabled: true,
  rotationIntervalDays: 30,
  lastAccessedDate: new Date("2026-11-22T00:00:00Z"),
});
const rotationError =
  "Lambda rotation function payments-rotate failed in step setSecret: connect ETIMEDOUT 10.0.9.12:5432";

const rotationFailure: ReportItem = {
  secret: rotationSecret,
  finding: {
    type: "rotation-failed",
    secretId: rotationSecret.arn,
    source: "cloudtrail",
    status: "open",
    observedAt: new Date("2026-11-23T04:00:03Z"),
    message: rotationError,
  },
  decision: exampleDecision(rotationSecret, {
    finding: "rotation-failed",
    rule: "rotation-failures",
    action: "notify",
    steps: [{ kind: "notify", route: "payments" }],
    reason: `rotation-failed: ${rotationError}`,
  }),
};

/** Rotated every 180 days, last on 2026-05-20; unused since, so flagged and then quarantined by the governor. */
const reportingSecret = staged(
  exampleSecret("payments/reporting-db", {
    description: "Read-only user for the payments reporting database",
    rotationEnabled: true,
    rotationIntervalDays: 180,
    lastAccessedDate: new Date("2026-05-20T00:00:00Z"),
  }),
  "quarantined",
  "2026-11-09",
);

const rotationByQuarantine: ReportItem = {
  secret: reportingSecret,
  finding: {
    type: "rotation-failed",
    secretId: reportingSecret.arn,
    source: "cloudtrail",
    status: "open",
    observedAt: new Date("2026-11-23T04:00:03Z"),
    message: `Lambda rotation function payments-rotate failed in step createSecret: User: arn:aws:sts::${ACCOUNT}:assumed-role/payments-rotate/payments-rotate is not authorized to perform: secretsmanager:GetSecretValue with an explicit deny in a resource-based policy`,
  },
  decision: exampleDecision(reportingSecret, {
    finding: "rotation-failed",
    rule: "rotation-failures",
    action: "notify",
    steps: [{ kind: "notify", route: "payments" }],
    stage: "quarantined",
    reason:
      "caused by the governor's own quarantine: rotation cannot read the secret (expected, not an alarm)",
    // The lifecycle's next step, as notifyEventResults adds it from the policy.
    next: { action: "schedule-deletion", on: "2027-01-08" },
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

/**
 * The run behind the cost digest: 412 secrets, 6 of them pending deletion by the governor (not billed), 37
 * unused: 31 in the lifecycle (19 flagged, 12 quarantined) and 6 withheld for good (managed by RDS).
 */
export const EXAMPLE_SUMMARY: CostSummary = {
  secrets: 412,
  unused: 37,
  monthlyCostUsd: 162.4,
  unusedMonthlyCostUsd: 14.8,
  realisedMonthlySavingsUsd: 2.4,
  projectedMonthlySavingsUsd: 12.4,
};

const TEAMS = ["payments", "orders", "data", "search", "identity", "billing"];

/** The unused secrets of that run, as the sweep hands them to the cost digest. */
function costRunItems(): ReportItem[] {
  const items: ReportItem[] = [];
  const add = (n: number, make: (i: number, team: string) => ReportItem) => {
    for (let i = 0; i < n; i++) items.push(make(i, TEAMS[i % TEAMS.length] as string));
  };
  add(19, (i, team) => {
    const secret = exampleSecret(`${team}/api-token-${String(i + 1).padStart(2, "0")}`, {
      tags: { team, "governor:stage": "flagged", "governor:stage-since": "2026-11-10" },
    });
    return {
      secret,
      decision: exampleDecision(secret, {
        route: team,
        stage: "flagged",
        reason:
          "not read for 206 days (last read 2026-05-01); flagged since 2026-11-10, quarantine on 2026-12-10",
        next: { action: "quarantine", on: "2026-12-10" },
      }),
    };
  });
  add(12, (i, team) => {
    const secret = exampleSecret(`${team}/legacy-db-${String(i + 1).padStart(2, "0")}`, {
      tags: { team, "governor:stage": "quarantined", "governor:stage-since": "2026-11-02" },
    });
    return {
      secret,
      decision: exampleDecision(secret, {
        route: team,
        stage: "quarantined",
        reason:
          "not read for 206 days (last read 2026-05-01); quarantined since 2026-11-02, deletion on 2027-01-01",
        next: { action: "schedule-deletion", on: "2027-01-01" },
      }),
    };
  });
  add(6, (i, team) => {
    const secret = exampleSecret(`${team}/retired-key-${String(i + 1).padStart(2, "0")}`, {
      tags: { team, "governor:stage": "deletion-scheduled", "governor:stage-since": "2026-11-05" },
      deletedDate: new Date("2026-12-05T09:00:00Z"),
    });
    return {
      secret,
      decision: exampleDecision(secret, {
        route: team,
        stage: "deletion-scheduled",
        guard: "already-deleted",
        reason: "deletion scheduled on 2026-12-05; 'governor restore' cancels it",
      }),
    };
  });
  add(6, (i) => {
    const secret = exampleSecret(`rds!db-0${i}a7c2e-1b4d-4e8f-9a0b-c1d2e3f4a5b6`, {
      owningService: "rds",
      tags: { team: "orders" },
      lastAccessedDate: undefined,
    });
    return {
      secret,
      decision: exampleDecision(secret, {
        route: "orders",
        guard: "owning-service",
        reason: "managed by rds: report only",
      }),
    };
  });
  return items;
}

export interface Example {
  id: string;
  title: string;
  report: NotedReport;
}

const base = { now: EXAMPLE_NOW, accountId: ACCOUNT, region: REGION } as const;

export function examples(): Example[] {
  const items = [
    flagged,
    quarantined,
    deletion,
    restored,
    accessFailure,
    quarantineFeedback,
    rotationFailure,
    rotationByQuarantine,
    withheld,
  ];
  const one = (
    id: string,
    title: string,
    item: ReportItem,
    mode: "enforce" | "report" = "enforce",
  ): Example => ({
    id,
    title,
    report: { ...base, mode, items: [item] },
  });
  return [
    one("flagged", "Unused secret flagged", flagged),
    one("quarantined", "Quarantined", quarantined),
    one("quarantined-report-mode", "Quarantine in report mode (dry run)", quarantined, "report"),
    one("deletion-scheduled", "Deletion scheduled", deletion),
    one("restored", "In use again: the lifecycle reset (the way back)", restored),
    one("access-failure", "Access-failure incident", accessFailure),
    one("quarantine-feedback", "A read denied by the governor's quarantine: released", quarantineFeedback),
    one("rotation-failure", "Rotation failure", rotationFailure),
    one(
      "rotation-failure-quarantined",
      "Rotation failure caused by the governor's quarantine (expected)",
      rotationByQuarantine,
    ),
    one("withheld", "Withheld by a guard", withheld),
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
        notes: [
          "Config compliance could not be read (AccessDeniedException); unused is judged from ListSecrets",
        ],
      } satisfies NotedReport,
    },
    {
      id: "cost",
      title: "Daily cost digest",
      report: {
        ...base,
        mode: "enforce",
        kind: "cost",
        route: "platform",
        items: costRunItems(),
        summary: EXAMPLE_SUMMARY,
      },
    },
  ];
}
