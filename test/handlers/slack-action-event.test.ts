import { describe, expect, it } from "vitest";
import { makeHandler, requestOf } from "../../handlers/slack-action.js";
import { memoryEventLedger } from "../../src/adapters/event-ledger.js";
import { LocalAccount } from "../../src/adapters/local-account.js";
import { MemorySlackAppSecrets } from "../../src/adapters/slack-app-secrets.js";
import { MemorySlackResponder } from "../../src/adapters/slack-interactivity.js";
import type { AuditEntry } from "../../src/domain/audit.js";
import { SLACK_POLICY_YAML, TEST_SIGNING_SECRET } from "../helpers/slack-interactivity.js";
import { loadYaml } from "../policy/builders.js";

describe("handlers/slack-action: the function URL event", () => {
  const audit: AuditEntry[] = [];
  const handler = makeHandler((now) => ({
    policy: loadYaml(SLACK_POLICY_YAML),
    mode: "report",
    stack: { account: "123456789012", region: "us-east-1" },
    store: new LocalAccount(),
    ledger: memoryEventLedger(),
    secrets: new MemorySlackAppSecrets({ signingSecret: TEST_SIGNING_SECRET }),
    responder: new MemorySlackResponder(),
    audit: { record: async (entries) => void audit.push(...entries) },
    now,
  }));

  it("takes the raw bytes Slack signed, base64-decoded when the URL encoded them, headers lower-cased", () => {
    const request = requestOf({
      headers: { "X-Slack-Signature": "v0=ab" },
      body: Buffer.from("payload=%7B%7D").toString("base64"),
      isBase64Encoded: true,
    });
    expect(request?.body.toString()).toBe("payload=%7B%7D");
    expect(request?.headers["x-slack-signature"]).toBe("v0=ab");
  });

  it("answers POST only", async () => {
    const result = await handler({ version: "2.0", requestContext: { http: { method: "GET" } } });
    expect(result.statusCode).toBe(405);
  });

  it("refuses an oversized encoded body before decoding it, and audits it", async () => {
    const result = await handler({
      version: "2.0",
      requestContext: { http: { method: "POST" } },
      body: "A".repeat(200_000),
      isBase64Encoded: true,
    });
    expect(result).toMatchObject({ statusCode: 413, body: "refused: too-large" });
    expect(audit.at(-1)).toMatchObject({ outcome: "refused", finding: "slack-action" });
  });

  it("refuses an unsigned request with 401", async () => {
    const result = await handler({
      version: "2.0",
      requestContext: { http: { method: "POST" } },
      body: "payload=x",
    });
    expect(result).toMatchObject({ statusCode: 401, body: "refused: missing-headers" });
  });
});
