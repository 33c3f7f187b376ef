import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AdapterError } from "../errors.js";
import type { SlackAppSecrets } from "../ports.js";
import { toAdapterError } from "./aws-clients.js";

/**
 * How long a read secret is kept: once per cold start in practice (a container lives minutes to hours), yet a
 * rotated signing secret is taken up within the hour without a redeploy.
 */
export const SLACK_SECRET_MAX_AGE_SECONDS = 3_600;

/**
 * The Slack app's signing secret (and bot token) from Secrets Manager, through Powertools Parameters'
 * SecretsProvider with its cache (maxAge). Only these two names are read (the role allows no other value); the
 * values are never logged, and an error names the secret, never its value.
 */
export class PowertoolsSlackAppSecrets implements SlackAppSecrets {
  private readonly provider: SecretsProvider;

  constructor(
    client: SecretsManagerClient,
    private readonly names: { signingSecret: string; botToken?: string },
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  signingSecret(): Promise<string> {
    return this.read(this.names.signingSecret, "signing secret");
  }

  async botToken(): Promise<string | undefined> {
    return this.names.botToken === undefined ? undefined : this.read(this.names.botToken, "bot token");
  }

  private async read(name: string, what: string): Promise<string> {
    let value: unknown;
    try {
      value = await this.provider.get(name, { maxAge: SLACK_SECRET_MAX_AGE_SECONDS });
    } catch (error) {
      // Powertools wraps the SDK error; its cause says whether a retry could help.
      throw toAdapterError("GetSecretValue", (error as Error).cause ?? error, `the Slack ${what} '${name}'`);
    }
    const text = typeof value === "string" ? value.trim() : "";
    if (text === "")
      throw new AdapterError(`the Slack ${what} '${name}' is empty or binary`, "GetSecretValue", false);
    return text;
  }
}

/** The same, held in memory: tests, the demo. */
export class MemorySlackAppSecrets implements SlackAppSecrets {
  constructor(private readonly values: { signingSecret: string; botToken?: string }) {}

  async signingSecret(): Promise<string> {
    return this.values.signingSecret;
  }

  async botToken(): Promise<string | undefined> {
    return this.values.botToken;
  }
}
