import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PowertoolsSlackAppSecrets } from "../adapters/slack-app-secrets.js";
import { buttonKeyOf, signButton } from "../domain/slack-action.js";
import { slackActionsEnabled } from "../policy/check-slack.js";
import type { Policy } from "../policy/schema.js";
import type { SlackAppSecrets } from "../ports.js";
import { type ButtonFactory, buttonFactory } from "../report/buttons.js";

/**
 * The notifier's buttons: none unless some route names people who may act. The key that signs them is derived
 * from the Slack app's signing secret, read once per cold start (cached by Powertools Parameters).
 */
export function notifierButtons(
  policy: Policy,
  source: SecretsManagerClient | SlackAppSecrets,
): (() => Promise<ButtonFactory | undefined>) | undefined {
  if (!slackActionsEnabled(policy)) return undefined;
  const secrets =
    "signingSecret" in source
      ? source
      : new PowertoolsSlackAppSecrets(source, { signingSecret: policy.slack.signingSecret });
  return async () => {
    const key = buttonKeyOf(await secrets.signingSecret());
    return buttonFactory(
      policy,
      (ref) => signButton(ref, key),
      () => Date.now() / 1000,
    );
  };
}
