import { CreateSecretCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSecretsManagerClient } from "../../src/adapters/aws-clients.js";
import { PowertoolsSlackAppSecrets } from "../../src/adapters/slack-app-secrets.js";
import { AdapterError } from "../../src/errors.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";

describe("PowertoolsSlackAppSecrets against moto", () => {
  let moto: Moto;
  let client: SecretsManagerClient;
  let reads = 0;

  beforeAll(async () => {
    moto = await startMoto();
    client = makeSecretsManagerClient({
      region: MOTO_ENV.AWS_REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "GetSecretValueCommand") reads++;
        return next(args);
      },
      { step: "initialize" },
    );
    await client.send(
      new CreateSecretCommand({ Name: "secrets-governor/slack/signing-secret", SecretString: " s1gn1ng \n" }),
    );
  }, 60_000);
  afterAll(async () => {
    client.destroy();
    await moto.stop();
  });

  it("reads the signing secret once and serves it from the cache after", async () => {
    const secrets = new PowertoolsSlackAppSecrets(client, {
      signingSecret: "secrets-governor/slack/signing-secret",
    });
    expect(await secrets.signingSecret()).toBe("s1gn1ng");
    expect(await secrets.signingSecret()).toBe("s1gn1ng");
    expect(reads).toBe(1);
    expect(await secrets.botToken()).toBeUndefined();
  });

  it("names the secret, not a value, when it cannot be read", async () => {
    const secrets = new PowertoolsSlackAppSecrets(client, {
      signingSecret: "secrets-governor/slack/missing",
    });
    const error = await secrets.signingSecret().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toContain("the Slack signing secret 'secrets-governor/slack/missing'");
  });
});
