import { Logger } from "@aws-lambda-powertools/logger";
import { makeDynamoDbClient } from "../adapters/aws-clients.js";
import { DynamoOrgStateStore } from "../adapters/org-state.js";
import { GovernorConfig } from "../config.js";

/**
 * The composition room of the central stack (org/serverless.yml), its shared part: the central table, built once
 * per container. The digest adds its notifier (src/composition/org-digest-runtime.ts), so the aggregator bundles
 * no Slack client. The member stack's runtime (src/composition/runtime.ts) is not loaded: no policy, no Secrets
 * Manager store.
 */
export interface OrgRuntime {
  config: GovernorConfig;
  log: Logger;
  table: string;
  store: DynamoOrgStateStore;
}

let runtime: OrgRuntime | undefined;

export function getOrgRuntime(): OrgRuntime {
  if (runtime) return runtime;
  const config = new GovernorConfig();
  const log = new Logger({ serviceName: "secrets-governor-org" });
  const table = config.orgTable;
  const store = new DynamoOrgStateStore(makeDynamoDbClient(config.clientOptions), table);
  runtime = { config, log, table, store };
  return runtime;
}
