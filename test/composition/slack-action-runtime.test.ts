import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  TagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeSecretsManagerClient } from "../../src/adapters/aws-clients.js";
import { actionIdOf, buttonKeyOf, readButton } from "../../src/domain/slack-action.js";
import { compilePolicy } from "../../src/policy/compiled.js";
import { loadPolicy } from "../../src/policy/load.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient } from "../helpers/moto-dynamodb.js";
import {
  pressBody,
  SLACK_POLICY_YAML,
  slackHeaders,
  TEST_SIGNING_SECRET,
} from "../helpers/slack-interactivity.js";
import { SlackReceiver } from "../helpers/slack-receiver.js";

const saved = { ...process.env };

/**
 * The functions as Lambda builds them, from the environment and the compiled policy, against moto: the sweep's
 * notifier signs its buttons with the key derived from the signing secret it reads, and the slack-action
 * handler, reading the same secret, takes a press of one of them.
 */
describe("slack-action wiring at a cold start, against moto", () => {
  let moto: Moto;
  let receiver: SlackReceiver;

  beforeAll(async () => {
    moto = await startMoto();
    receiver = await SlackReceiver.start();
    const sm = makeSecretsManagerClient({
      region: "us-east-1",
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await sm.send(
      new CreateSecretCommand({
        Name: "secrets-governor/slack/signing-secret",
        SecretString: TEST_SIGNING_SECRET,
      }),
    );
    await sm.send(
      new CreateSecretCommand({ Name: "secrets-governor/slack/default", SecretString: receiver.url() }),
    );
    sm.destroy();
    const dynamo = motoDynamoClient(moto.endpoint);
    const table = await createStateTable(dynamo, "state");
    const dir = mkdtempSync(join(tmpdir(), "governor-slack-runtime-"));
    const file = join(dir, "policy.json");
    writeFileSync(
      file,
      compilePolicy(loadPolicy([{ path: "slack.yml", text: SLACK_POLICY_YAML }]).policy, ["slack.yml"]),
    );
    Object.assign(process.env, {
      ...MOTO_ENV,
      GOVERNOR_POLICY_FILE: file,
      GOVERNOR_ACCOUNT_ID: "123456789012",
      AWS_ENDPOINT_URL: moto.endpoint,
      GOVERNOR_STATE_TABLE: table,
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
    vi.resetModules();
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    vi.resetModules();
    await receiver.close();
    await moto.stop();
  });

  it("the notifier's alerts carry buttons the handler honours", async () => {
    const { getRuntime } = await import("../../src/composition/runtime.js");
    const { makeHandler } = await import("../../handlers/slack-action.js");
    const { slackActionDeps } = await import("../../src/composition/slack-action-runtime.js");
    const handler = makeHandler(slackActionDeps);
    const sm = makeSecretsManagerClient({
      region: "us-east-1",
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const created = await sm.send(new CreateSecretCommand({ Name: "app/db", SecretString: "v" }));
    const arn = created.ARN as string;
    const today = new Date().toISOString().slice(0, 10);
    await sm.send(
      new TagResourceCommand({
        SecretId: arn,
        Tags: [
          { Key: "governor:stage", Value: "flagged" },
          { Key: "governor:stage-since", Value: today },
        ],
      }),
    );
    const secret = await getRuntime().shared.store.describe(arn);
    const decision = {
      arn,
      name: "app/db",
      finding: "unused" as const,
      rule: "unused-secrets",
      action: "none" as const,
      steps: [],
      stage: "flagged" as const,
      reason: "unused",
      guard: null,
      route: "default",
      trace: [],
    };
    const now = new Date();
    const sent = await getRuntime()
      .notifyDeps(now)
      .notifier.send({ mode: "enforce", items: [{ decision, ...(secret ? { secret } : {}) }], now });
    expect(sent.failed).toEqual([]);
    const posted = receiver.requests.at(-1)?.payload as {
      blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
    };
    const keep = posted.blocks
      .find((b) => b.type === "actions")
      ?.elements?.find((e) => e.action_id === actionIdOf("keep"));
    // Signed with the key derived from the signing secret the notifier read: the reference names this secret.
    const read = readButton(keep?.value ?? "", buttonKeyOf(TEST_SIGNING_SECRET), Date.now() / 1000);
    expect(read).toMatchObject({ ref: { action: "keep", arn, route: "default" } });

    const body = pressBody({
      actionId: actionIdOf("keep"),
      value: keep?.value as string,
      responseUrl: "https://hooks.slack.com/actions/T0TEAM01/1/x",
    });
    // Slack's response_url is the real origin here (this is the production wiring): answer it in the test.
    const responded: { url: string; body: string }[] = [];
    const realFetch = globalThis.fetch;
    vi.stubGlobal("fetch", async (url: string | URL | Request, init?: RequestInit) => {
      if (String(url).startsWith("https://hooks.slack.com/")) {
        responded.push({ url: String(url), body: String(init?.body) });
        return new Response("ok");
      }
      return realFetch(url, init);
    });
    const result = await handler({
      version: "2.0",
      headers: slackHeaders(body, Math.floor(Date.now() / 1000)),
      body: Buffer.from(body).toString("base64"),
      isBase64Encoded: true,
      requestContext: { http: { method: "POST" } },
    });
    expect(result.statusCode).toBe(200);
    const tags = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).Tags ?? [];
    expect(tags.find((t) => t.Key === "governor:kept-by")?.Value).toBe("U0OWNER01");
    expect(tags.find((t) => t.Key === "governor:stage")).toBeUndefined();
    expect(responded.map((r) => r.url)).toEqual(["https://hooks.slack.com/actions/T0TEAM01/1/x"]);
    expect(responded[0]?.body).toContain("U0OWNER01");
    vi.unstubAllGlobals();
    sm.destroy();
  }, 60_000);
});
