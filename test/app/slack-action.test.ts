import { describe, expect, it } from "vitest";
import { memoryEventLedger } from "../../src/adapters/event-ledger.js";
import { LocalAccount } from "../../src/adapters/local-account.js";
import { MemorySlackAppSecrets } from "../../src/adapters/slack-app-secrets.js";
import { MemorySlackDirectory, MemorySlackResponder } from "../../src/adapters/slack-interactivity.js";
import { handleSlackAction, type SlackActionDeps } from "../../src/app/slack-action.js";
import type { AuditEntry } from "../../src/domain/audit.js";
import { actionIdOf, buttonKeyOf, type SlackActionKind, signButton } from "../../src/domain/slack-action.js";
import type { SlackResponder } from "../../src/ports.js";
import {
  pressBody,
  SLACK_POLICY_YAML,
  slackHeaders,
  TEST_SIGNING_SECRET,
} from "../helpers/slack-interactivity.js";
import { loadYaml, NOW, stagedSecret } from "../policy/builders.js";

const policy = loadYaml(SLACK_POLICY_YAML);
const key = buttonKeyOf(TEST_SIGNING_SECRET);
const nowSeconds = Math.floor(NOW.getTime() / 1000);

function setup(name: string, responder: SlackResponder = new MemorySlackResponder()) {
  const secret = stagedSecret("flagged", 3, { name });
  const store = new LocalAccount([secret]);
  const audit: AuditEntry[] = [];
  const deps: SlackActionDeps = {
    policy,
    mode: "report",
    stack: { account: "123456789012", region: "us-east-1" },
    store,
    ledger: memoryEventLedger(),
    secrets: new MemorySlackAppSecrets({ signingSecret: TEST_SIGNING_SECRET }),
    responder,
    directory: new MemorySlackDirectory(),
    audit: { record: async (entries) => void audit.push(...entries) },
    now: NOW,
  };
  const press = (kind: SlackActionKind, arn = secret.arn, actionTs?: string) => {
    const value = signButton({ action: kind, arn, route: "default", issued: nowSeconds }, key);
    const body = pressBody({
      actionId: actionIdOf(kind),
      value,
      responseUrl: "https://hooks.slack.com/actions/T0TEAM01/1/x",
      ...(actionTs ? { actionTs } : {}),
    });
    return handleSlackAction({ headers: slackHeaders(body, nowSeconds), body: Buffer.from(body) }, deps);
  };
  return { secret, store, audit, deps, press };
}

describe("handleSlackAction", () => {
  it("escapes a hostile secret name in the message update, and acts in report mode too: a person pressed it", async () => {
    const responder = new MemorySlackResponder();
    const { secret, store, press } = setup("app/<!channel>*x*`y`\u202E", responder);
    expect(await press("keep")).toEqual({ status: 200, body: "" });
    expect((await store.describe(secret.arn))?.tags["governor:kept-by"]).toBe("U0OWNER01");
    const text = JSON.stringify(responder.sent[0]?.message);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("\u202E");
    expect(text).toContain("&lt;!channel&gt;");
    expect(responder.sent[0]?.url).toBe("https://hooks.slack.com/actions/T0TEAM01/1/x");
  });

  it("refuses to touch the governor's own secrets, even with a valid button", async () => {
    const { store, press, audit } = setup("secrets-governor/slack/signing-secret");
    const [own] = [...(await store.list()[Symbol.asyncIterator]().next()).value];
    expect((await press("keep", own?.arn)).status).toBe(403);
    expect((await store.describe(own?.arn as string))?.tags["governor:kept-until"]).toBeUndefined();
    expect(audit.at(-1)).toMatchObject({ outcome: "refused", action: "slack-keep" });
  });

  it("still acts, and audits, when the message update cannot be posted", async () => {
    const failing: SlackResponder = {
      respond: async () => {
        throw new Error("response_url expired");
      },
    };
    const { secret, store, press, audit } = setup("app/db", failing);
    expect((await press("snooze")).status).toBe(200);
    expect((await store.describe(secret.arn))?.tags["governor:snoozed-until"]).toBeDefined();
    expect(audit.map((a) => a.outcome)).toEqual(["done"]);
  });

  it("gives the claim back when the action fails, so pressing again acts", async () => {
    const { secret, store, press, audit } = setup("app/db");
    const tag = store.tag.bind(store);
    let fail = true;
    store.tag = async (arn, tags) => {
      if (fail) throw new Error("throttled");
      return tag(arn, tags);
    };
    expect((await press("keep")).status).toBe(500);
    fail = false;
    expect((await press("keep", secret.arn, "1765000002.000300")).status).toBe(200);
    expect((await store.describe(secret.arn))?.tags["governor:kept-until"]).toBeDefined();
    expect(audit.map((a) => a.outcome)).toEqual(["failed", "done"]);
  });

  it("says there is nothing to restore on a secret outside the lifecycle", async () => {
    const responder = new MemorySlackResponder();
    const { secret, store, press } = setup("app/db", responder);
    await store.untag(secret.arn, ["governor:stage", "governor:stage-since"]);
    expect((await press("restore")).status).toBe(200);
    expect(responder.sent[0]?.message.text).toContain("Nothing to restore");
  });
});

describe("handleSlackAction when a dependency is down", () => {
  it("answers 503 and acts on nothing when the signing secret cannot be read", async () => {
    const { deps, secret, store } = setup("app/db");
    const down = {
      ...deps,
      secrets: {
        signingSecret: async () => {
          throw new Error("GetSecretValue on the Slack signing secret failed: AccessDenied");
        },
        botToken: async () => undefined,
      },
    };
    const body = Buffer.from("payload=%7B%7D");
    expect(await handleSlackAction({ headers: {}, body }, down)).toEqual({
      status: 503,
      body: "unavailable",
    });
    expect((await store.describe(secret.arn))?.tags["governor:kept-until"]).toBeUndefined();
  });

  it("answers 503 when a user group cannot be looked up, and audits it as failed", async () => {
    const { deps, audit } = setup("app/db");
    const value = signButton(
      {
        action: "keep",
        arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-Ab12Cd",
        route: "default",
        issued: nowSeconds,
      },
      key,
    );
    const body = pressBody({
      actionId: actionIdOf("keep"),
      value,
      user: "U0SOMEONE",
      responseUrl: "https://hooks.slack.com/actions/T0TEAM01/1/x",
    });
    const broken = {
      ...deps,
      directory: {
        membersOf: async () => {
          throw new Error("usergroups.users.list: ratelimited");
        },
      },
    };
    const result = await handleSlackAction(
      { headers: slackHeaders(body, nowSeconds), body: Buffer.from(body) },
      broken,
    );
    expect(result.status).toBe(503);
    expect(audit.at(-1)).toMatchObject({ outcome: "failed", action: "slack-keep" });
  });
});

describe("handleSlackAction on secrets the governor leaves alone", () => {
  it("changes nothing on an exempt secret and says how to undo it by hand", async () => {
    const responder = new MemorySlackResponder();
    const { secret, store, press, audit } = setup("app/db", responder);
    await store.tag(secret.arn, { "governor:exempt": "true" });
    const before = (await store.describe(secret.arn))?.tags;
    expect((await press("restore")).status).toBe(200);
    expect((await store.describe(secret.arn))?.tags).toEqual(before);
    expect(responder.sent[0]?.message.text).toContain("Nothing to restore");
    expect(audit.at(-1)).toMatchObject({ outcome: "skipped", action: "slack-restore" });
  });
});
