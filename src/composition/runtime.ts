import { readFileSync } from "node:fs";
import { Logger } from "@aws-lambda-powertools/logger";
import { SQSClient } from "@aws-sdk/client-sqs";
import { MemoryAlertDeadLetter, SqsAlertDeadLetter } from "../adapters/alert-dead-letter.js";
import { EventBridgeAuditSink } from "../adapters/audit.js";
import { clientConfig, makeEventBridgeClient, makeSecretsManagerClient } from "../adapters/aws-clients.js";
import { WritePacer } from "../adapters/pacer.js";
import { SecretsManagerStore } from "../adapters/secrets-manager.js";
import { SecretsManagerWebhookResolver, SlackNotifier } from "../adapters/slack.js";
import type { NotifyDeps } from "../app/notify.js";
import { ConfigError, GovernorConfig } from "../config.js";
import type { Mode } from "../domain/decision.js";
import type { StackIdentity } from "../domain/origin.js";
import { loadCompiledPolicy } from "../policy/compiled.js";
import type { Policy } from "../policy/schema.js";
import { notifierButtons } from "./slack-buttons.js";

/**
 * The composition room for Lambda, its shared part: real adapters from the environment, built once per container
 * and reused by every invocation (clients, pacer, policy, webhook URLs, the alerts queue). The event handlers add
 * the state table (src/composition/event-runtime.ts), the sweep adds Config (src/composition/sweep-runtime.ts), so
 * neither bundles what only the other uses.
 */
export interface Runtime {
  config: GovernorConfig;
  policy: Policy;
  mode: Mode;
  log: Logger;
  /** `deadline` (epoch ms): when Slack deliveries give up and keep the alert, before the function is stopped. */
  notifyDeps(now: Date, deadline?: number): NotifyDeps;
  shared: {
    store: SecretsManagerStore;
    audit: EventBridgeAuditSink;
    exemptPrincipals: string[];
    clientOptions: { region: string; endpoint?: string };
    /** This stack's account and region, read at the cold start. */
    stack: StackIdentity;
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
  const clientOptions = config.clientOptions;
  const secretsManager = makeSecretsManagerClient(clientOptions);
  const store = new SecretsManagerStore(secretsManager, new WritePacer({ share: config.writeShare }));
  const audit = new EventBridgeAuditSink(makeEventBridgeClient(clientOptions), config.auditBus);
  const buttons = notifierButtons(policy, secretsManager);
  const notifier = new SlackNotifier({
    resolver: new SecretsManagerWebhookResolver(secretsManager, policy.routes),
    log,
    ...(buttons ? { buttons } : {}),
  });
  const deadLetterUrl = config.alertDeadLetterUrl;
  const deadLetter = deadLetterUrl
    ? new SqsAlertDeadLetter(new SQSClient(clientConfig(clientOptions)), deadLetterUrl)
    : new MemoryAlertDeadLetter();
  const exemptPrincipals = config.exemptPrincipals(policy.breakGlassPrincipals);
  log.info("governor started", { mode, rules: policy.rules.length, policy: sources });
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
    shared: { store, audit, exemptPrincipals, clientOptions, stack },
  };
  return runtime;
}
