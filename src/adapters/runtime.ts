import { readFileSync } from "node:fs";
import { Logger } from "@aws-lambda-powertools/logger";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { BatchDeps } from "../app/handle-batch.js";
import { DEADLINE_MARGIN_MS } from "../app/lambda-events.js";
import { type NotifyDeps, notifyEventResults } from "../app/notify.js";
import { ConfigError, GovernorConfig } from "../config.js";
import type { Mode } from "../domain/decision.js";
import type { ParsedEvent } from "../domain/events.js";
import { loadCompiledPolicy } from "../policy/compiled.js";
import type { Policy } from "../policy/schema.js";
import type { AccessFailureCounter, EventLedger } from "../ports.js";
import { DynamoAccessFailureCounter, MemoryAccessFailureCounter } from "./access-failure-counter.js";
import { MemoryAlertDeadLetter, SqsAlertDeadLetter } from "./alert-dead-letter.js";
import { EventBridgeAuditSink } from "./audit.js";
import {
  DEFAULT_MAX_ATTEMPTS,
  makeDynamoDbClient,
  makeEventBridgeClient,
  makeSecretsManagerClient,
} from "./aws-clients.js";
import { dynamoEventLedger, memoryEventLedger } from "./event-ledger.js";
import { WritePacer } from "./pacer.js";
import { SecretsManagerStore } from "./secrets-manager.js";
import { SecretsManagerWebhookResolver, SlackNotifier } from "./slack.js";

/**
 * The composition root for Lambda: real adapters from the environment, built once per container and reused by
 * every invocation (clients, pacer, policy, webhook URLs, the event ledger and the access-failure counter).
 */
export interface Runtime {
  config: GovernorConfig;
  policy: Policy;
  mode: Mode;
  log: Logger;
  /** `parse` comes from the handler, so the sweep never bundles the event schemas. */
  /** `deadline` (epoch ms): when Slack deliveries give up and keep the alert, before the function is stopped. */
  batchDeps(route: string, now: Date, parse: (event: unknown) => ParsedEvent, deadline?: number): BatchDeps;
  notifyDeps(now: Date, deadline?: number): NotifyDeps;
  /** What the sweep needs besides Config (src/adapters/sweep-runtime.ts adds that, so event handlers never load it). */
  shared: {
    store: SecretsManagerStore;
    audit: EventBridgeAuditSink;
    exemptPrincipals: string[];
    clientOptions: { region: string; endpoint?: string };
  };
}

/** The compiled policy the package step wrote: JSON, already validated, so no YAML parser in the bundle. */
function readCompiledPolicy(file: string) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      `cannot read the compiled policy ${file} (GOVERNOR_POLICY_FILE): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; package with scripts/package.sh, which runs 'governor compile'`,
      { cause: error },
    );
  }
  return loadCompiledPolicy(text, file);
}

let runtime: Runtime | undefined;

export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const config = new GovernorConfig();
  const log = new Logger({ serviceName: "secrets-governor" });
  const { policy, sources } = readCompiledPolicy(config.policyFile);
  const mode = config.modeOverride ?? policy.mode;
  // Read once, at the cold start: a stack that does not know its own account refuses to start, not to act.
  const stack = config.stack;
  const clientOptions = {
    region: config.region ?? "us-east-1",
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  };
  const secretsManager = makeSecretsManagerClient(clientOptions);
  const store = new SecretsManagerStore(secretsManager, new WritePacer({ share: config.writeShare }));
  const audit = new EventBridgeAuditSink(makeEventBridgeClient(clientOptions), config.auditBus);
  const notifier = new SlackNotifier({
    resolver: new SecretsManagerWebhookResolver(secretsManager, policy.routes),
    log,
  });
  const deadLetterUrl = config.alertDeadLetterUrl;
  const deadLetter = deadLetterUrl
    ? new SqsAlertDeadLetter(
        new SQSClient({
          region: clientOptions.region,
          retryMode: "adaptive",
          maxAttempts: DEFAULT_MAX_ATTEMPTS,
          ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        }),
        deadLetterUrl,
      )
    : new MemoryAlertDeadLetter();
  const exemptPrincipals = config.exemptPrincipals(policy.breakGlassPrincipals);
  const stateTable = config.stateTable;
  const dynamoDb = stateTable ? makeDynamoDbClient(clientOptions) : undefined;
  const ledger: EventLedger =
    dynamoDb && stateTable ? dynamoEventLedger(dynamoDb, stateTable) : memoryEventLedger();
  const { windowMinutes, incidentAfter } = policy.accessFailures;
  const accessCounter: AccessFailureCounter =
    dynamoDb && stateTable
      ? new DynamoAccessFailureCounter(dynamoDb, stateTable, windowMinutes, incidentAfter)
      : new MemoryAccessFailureCounter(windowMinutes, incidentAfter);
  log.info("governor started", { mode, rules: policy.rules.length, policy: sources });
  if (!stateTable)
    log.warn(
      "GOVERNOR_STATE_TABLE is not set: handled events and access failures are remembered by this instance only",
    );
  if (!deadLetterUrl)
    log.warn("GOVERNOR_ALERT_DLQ_URL is not set: alerts Slack does not take are kept in memory only");
  // One notifier per container (its webhook URLs cached); each invocation gets its own deadline.
  const notifyDeps = (now: Date, deadline?: number): NotifyDeps => ({
    notifier: deadline === undefined ? notifier : notifier.withDeadline(deadline),
    ...(deadline !== undefined ? { deadline } : {}),
    deadLetter,
    log,
    audit,
    mode,
    now,
    defaultRoute: policy.routing.default,
    policy,
  });
  runtime = {
    config,
    policy,
    mode,
    log,
    notifyDeps,
    batchDeps: (route, now, parse, deadline) => ({
      route,
      parse,
      stack,
      log,
      store,
      policy,
      mode,
      now,
      exemptPrincipals,
      selfPrincipals: config.selfPrincipals,
      audit,
      accessCounter,
      ledger,
      ...(deadline !== undefined
        ? { holdMs: Math.max(deadline - Date.now() + DEADLINE_MARGIN_MS, 1_000) }
        : {}),
      notify: (results) => notifyEventResults(results, notifyDeps(now, deadline)),
    }),
    shared: { store, audit, exemptPrincipals, clientOptions },
  };
  return runtime;
}
