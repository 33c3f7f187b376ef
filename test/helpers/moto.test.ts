import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MOTO_ENV, type Moto, startMoto } from "./moto.js";

describe("moto harness", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto.stop();
  });

  it("serves Secrets Manager to the real SDK client on loopback", async () => {
    const client = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const page = await client.send(new ListSecretsCommand({}));
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(page.SecretList).toEqual([]);
  });
});
