import { makeSecretsManagerClient } from "../adapters/aws-clients.js";
import { SecretsManagerWebhookResolver, SlackNotifier } from "../adapters/slack.js";
import { ORG_DIGEST_ROUTE } from "../app/org-digest.js";
import { getOrgRuntime } from "./org-runtime.js";

let notifier: SlackNotifier | undefined;

/**
 * The org digest's notifier, built once per container (its webhook URL cached), with this invocation's deadline:
 * one route, whose URL is read by name from the secret GOVERNOR_ORG_WEBHOOK_SECRET, as the member stack reads its
 * routes' webhooks.
 */
export function orgNotifier(deadline?: number): SlackNotifier {
  const { config, log } = getOrgRuntime();
  notifier ??= new SlackNotifier({
    resolver: new SecretsManagerWebhookResolver(makeSecretsManagerClient(config.clientOptions), {
      [ORG_DIGEST_ROUTE]: { webhookSecret: config.orgWebhookSecret },
    }),
    log,
  });
  return notifier.withDeadline(deadline);
}
