import { Logger } from "@aws-lambda-powertools/logger";
import { makeDynamoDbClient, makeSecretsManagerClient } from "../adapters/aws-clients.js";
import { DynamoOrgStateStore } from "../adapters/org-state.js";
import { SecretsManagerWebhookResolver, SlackNotifier } from "../adapters/slack.js";
import { ORG_DIGEST_ROUTE } from "../app/org-digest.js";
import { GovernorConfig } from "../config.js";

/**
 * The composition room of the central stack (org/serverless.yml): the central table and, for the digest, the
 * Slack notifier whose one route reads its webhook from the secret GOVERNOR_ORG_WEBHOOK_SECRET. Built once per
 * container. The member stack's runtime (src/composition/runtime.ts) is not loaded: no policy, no Secrets
 * Manager store.
 */
export interface OrgRuntime {
  config: GovernorConfig;
  log: Logger;
  table: string;
  store: DynamoOrgStateStore;
}

let runtime: OrgRuntime | undefined;
let notifier: SlackNotifier | undefined;

function clientOptions(config: GovernorConfig) {
  return {
    region: config.region ?? "us-east-1",
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  };
}

export function getOrgRuntime(): OrgRuntime {
  if (runtime) return runtime;
  const config = new GovernorConfig();
  const log = new Logger({ serviceName: "secrets-governor-org" });
  const table = config.orgTable;
  const store = new DynamoOrgStateStore(makeDynamoDbClient(clientOptions(config)), table);
  runtime = { config, log, table, store };
  return runtime;
}

/** The digest's notifier, with this invocation's deadline. */
export function orgNotifier(deadline?: number): SlackNotifier {
  const { config, log } = getOrgRuntime();
  notifier ??= new SlackNotifier({
    resolver: new SecretsManagerWebhookResolver(makeSecretsManagerClient(clientOptions(config)), {
      [ORG_DIGEST_ROUTE]: { webhookSecret: config.orgWebhookSecret },
    }),
    log,
  });
  return notifier.withDeadline(deadline);
}
