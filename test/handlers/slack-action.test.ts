import {
  CreateSecretCommand,
  DescribeSecretCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeHandler } from "../../handlers/slack-action.js";
import { makeSecretsManagerClient } from "../../src/adapters/aws-clients.js";
import { dynamoEventLedger } from "../../src/adapters/event-ledger.js";
import { NO_PACING } from "../../src/adapters/pacer.js";
import { SecretsManagerStore } from "../../src/adapters/secrets-manager.js";
import { MemorySlackAppSecrets } from "../../src/adapters/slack-app-secrets.js";
import { FetchSlackResponder, MemorySlackDirectory } from "../../src/adapters/slack-interactivity.js";
import { runSweep } from "../../src/app/sweep.js";
import type { AuditEntry } from "../../src/domain/audit.js";
import { isQuarantined } from "../../src/domain/quarantine.js";
import { actionIdOf, buttonKeyOf, type SlackActionKind, signButton } from "../../src/domain/slack-action.js";
import { loadPolicy } from "../../src/policy/load.js";
import { buildMessages } from "../../src/report/build.js";
import { buttonFactory } from "../../src/report/buttons.js";
import { buildItemMessage } from "../../src/report/item.js";
import type { ActionsBlock } from "../../src/report/message.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient } from "../helpers/moto-dynamodb.js";
import {
  ADMIN,
  ADMINS_GROUP,
  FunctionUrlServer,
  OWNER,
  type PressSpec,
  pressBody,
  SLACK_POLICY_YAML,
  STRANGER,
  slackHeaders,
} from "../helpers/slack-interactivity.js";
import { SlackReceiver } from "../helpers/slack-receiver.js";

const credentials = {
  accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY,
};
const policy = loadPolicy([{ path: "slack.yml", text: SLACK_POLICY_YAML }]).policy;
const key = buttonKeyOf("8f742231b10e8888abcd99yyyzzz85a5");
const DAY = 86_400_000;
/** Day 0 of every test: moto dates secrets now, so 200 days later they are unused by the policy's 90. */
const DAY0 = new Date(Math.floor((Date.now() + 200 * DAY) / DAY) * DAY + 12 * 3_600_000);
const day = (n: number) => new Date(DAY0.getTime() + n * DAY);

describe("slack-action: the handler on a function URL, against moto", () => {
  let moto: Moto;
  let sm: SecretsManagerClient;
  let store: SecretsManagerStore;
  let receiver: SlackReceiver;
  let server: FunctionUrlServer;
  let audit: AuditEntry[];
  let now: Date;
  let tableN = 0;
  let ledger: ReturnType<typeof dynamoEventLedger>;

  beforeAll(async () => {
    moto = await startMoto();
    sm = makeSecretsManagerClient({ region: MOTO_ENV.AWS_REGION, endpoint: moto.endpoint, credentials });
    store = new SecretsManagerStore(sm, NO_PACING);
    receiver = await SlackReceiver.start();
    const responder = new FetchSlackResponder({ origins: [new URL(receiver.url()).origin] });
    const secrets = new MemorySlackAppSecrets({ signingSecret: "8f742231b10e8888abcd99yyyzzz85a5" });
    const directory = new MemorySlackDirectory({ [ADMINS_GROUP]: [ADMIN] });
    server = await FunctionUrlServer.start(
      makeHandler(() => ({
        policy,
        mode: "enforce",
        stack: { account: "123456789012", region: MOTO_ENV.AWS_REGION },
        store,
        ledger,
        secrets,
        responder,
        directory,
        audit: { record: async (entries) => void audit.push(...entries) },
        now,
      })),
    );
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await receiver.close();
    sm.destroy();
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    const dynamo = motoDynamoClient(moto.endpoint);
    ledger = dynamoEventLedger(dynamo, await createStateTable(dynamo, `state-${++tableN}`));
    audit = [];
    receiver.requests.length = 0;
    now = DAY0;
  });

  async function create(name: string): Promise<string> {
    const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: "v" }));
    return out.ARN as string;
  }

  async function tagsOf(arn: string): Promise<Record<string, string>> {
    const out = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key as string, t.Value as string]));
  }

  const sweep = (at: Date) => runSweep({ store, policy, mode: "enforce", now: at, exemptPrincipals: [] });

  /** The buttons the sweep's alert about `arn` carries, by kind: exactly what the message posts. */
  async function buttonsAfterSweep(arn: string, at: Date): Promise<Partial<Record<SlackActionKind, string>>> {
    const result = await sweep(at);
    const outcome = result.outcomes.find((o) => o.decision.arn === arn);
    if (!outcome) throw new Error("the sweep made no decision on the secret");
    const factory = buttonFactory(
      policy,
      (ref) => signButton(ref, key),
      () => at.getTime() / 1000,
    );
    const message = buildItemMessage(
      { decision: outcome.decision, ...(outcome.secret ? { secret: outcome.secret } : {}) },
      { mode: "enforce", now: at, buttons: factory },
    );
    const block = message.blocks.find((b): b is ActionsBlock => b.type === "actions");
    const out: Partial<Record<SlackActionKind, string>> = {};
    for (const e of block?.elements ?? [])
      out[e.action_id.replace("secrets-governor.", "") as SlackActionKind] = e.value;
    return out;
  }

  /** The buttons the sweep's digest offers for `arn`: the actions block after the line naming it. */
  async function digestButtonsAfterSweep(arn: string, name: string, at: Date) {
    const result = await sweep(at);
    const items = result.outcomes.map((o) => ({
      decision: o.decision,
      ...(o.secret ? { secret: o.secret } : {}),
    }));
    const factory = buttonFactory(
      policy,
      (ref) => signButton(ref, key),
      () => at.getTime() / 1000,
    );
    const [digest] = buildMessages({ mode: "enforce", kind: "digest", items, now: at }, at, factory);
    const blocks = digest?.message.blocks ?? [];
    const at_ = blocks.findIndex(
      (b) => b.type === "context" && b.elements[0]?.text.startsWith(`\`${name}\``),
    );
    const block = blocks[at_ + 1] as ActionsBlock;
    expect(items.some((i) => i.decision.arn === arn)).toBe(true);
    return Object.fromEntries(
      block.elements.map((e) => [e.action_id.replace("secrets-governor.", ""), e.value]),
    );
  }

  function press(
    spec: Omit<PressSpec, "responseUrl"> & { base64?: boolean },
    headers?: Record<string, string>,
  ) {
    const body = pressBody({ responseUrl: receiver.url("/actions/T0TEAM01/1/abc"), ...spec });
    const h = headers ?? slackHeaders(body, Math.floor(now.getTime() / 1000));
    return server.post(body, spec.base64 ? { ...h, "x-test-base64": "1" } : h);
  }

  it("Keep: tags who kept it until when, leaves the lifecycle, and the sweeps honour it until the date", async () => {
    const arn = await create("app/keep-me");
    await create("app/other-one");
    const buttons = await digestButtonsAfterSweep(arn, "app/keep-me", day(0));
    expect(Object.keys(buttons).sort()).toEqual(["keep", "snooze"]);
    expect((await tagsOf(arn))["governor:stage"]).toBe("flagged");

    now = day(1);
    const answer = await press({ actionId: actionIdOf("keep"), value: buttons.keep as string, base64: true });
    expect(answer.status).toBe(200);
    const tags = await tagsOf(arn);
    expect(tags["governor:kept-until"]).toBe(day(91).toISOString().slice(0, 10));
    expect(tags["governor:kept-by"]).toBe(OWNER);
    expect(tags["governor:stage"]).toBeUndefined();

    const update = receiver.requests[0]?.payload as { replace_original: boolean; text: string };
    expect(receiver.requests).toHaveLength(1);
    expect(update.replace_original).toBe(true);
    expect(update.text).toContain(`<@${OWNER}>`);
    expect(update.text).toContain("`app/keep-me`");
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([["slack-keep", "done"]]);

    const during = await sweep(day(60));
    const decision = during.outcomes.find((o) => o.decision.arn === arn)?.decision;
    expect(decision?.guard).toBe("exempt");
    expect(decision?.reason).toContain(`kept by ${OWNER}`);
    expect((await tagsOf(arn))["governor:stage"]).toBeUndefined();

    await sweep(day(92));
    expect((await tagsOf(arn))["governor:stage"]).toBe("flagged");
  });

  it("Snooze: pushes the quarantine back by the policy's days, and the sweep waits until then", async () => {
    const arn = await create("app/snooze-me");
    const buttons = await buttonsAfterSweep(arn, day(0));
    now = day(10);
    expect((await press({ actionId: actionIdOf("snooze"), value: buttons.snooze as string })).status).toBe(
      200,
    );
    expect((await tagsOf(arn))["governor:snoozed-until"]).toBe(day(21).toISOString().slice(0, 10));
    expect((await tagsOf(arn))["governor:snoozed-by"]).toBe(OWNER);

    await sweep(day(15));
    expect((await tagsOf(arn))["governor:stage"]).toBe("flagged");
    expect(isQuarantined(await store.getResourcePolicy(arn))).toBe(false);

    await sweep(day(21));
    expect((await tagsOf(arn))["governor:stage"]).toBe("quarantined");
    expect(isQuarantined(await store.getResourcePolicy(arn))).toBe(true);
  });

  it("Restore: a member of the route's user group lifts the quarantine as 'governor restore' does", async () => {
    const arn = await create("app/restore-me");
    await sweep(day(0));
    const buttons = await buttonsAfterSweep(arn, day(14));
    expect(isQuarantined(await store.getResourcePolicy(arn))).toBe(true);
    expect(Object.keys(buttons).sort()).toEqual(["keep", "restore", "snooze"]);

    now = day(14);
    const answer = await press({
      actionId: actionIdOf("restore"),
      value: buttons.restore as string,
      user: ADMIN,
    });
    expect(answer.status).toBe(200);
    expect(isQuarantined(await store.getResourcePolicy(arn))).toBe(false);
    expect((await tagsOf(arn))["governor:stage"]).toBeUndefined();
    expect((receiver.requests[0]?.payload as { text: string }).text).toContain(`<@${ADMIN}>`);

    // The next sweep starts the lifecycle over: flagged today, not quarantined again.
    await sweep(day(14));
    expect((await tagsOf(arn))["governor:stage"]).toBe("flagged");
    expect(isQuarantined(await store.getResourcePolicy(arn))).toBe(false);
  });

  describe("refuses, changes nothing, and audits the refusal", () => {
    let arn: string;
    let buttons: Partial<Record<SlackActionKind, string>>;
    let before: Record<string, string>;

    beforeEach(async () => {
      arn = await create("app/target");
      buttons = await buttonsAfterSweep(arn, day(0));
      now = day(1);
      before = await tagsOf(arn);
    });

    async function expectRefused(answer: { status: number; text: string }, status: number, reason: string) {
      expect(answer).toEqual({ status, text: `refused: ${reason}` });
      expect(await tagsOf(arn)).toEqual(before);
      expect(receiver.requests).toHaveLength(0);
      expect(audit.at(-1)).toMatchObject({ outcome: "refused", finding: "slack-action" });
      expect(audit.at(-1)?.detail).toContain(reason);
    }

    const keep = () => ({ actionId: actionIdOf("keep"), value: buttons.keep as string });

    it("a bad signature", async () => {
      const body = pressBody({ ...keep(), responseUrl: receiver.url() });
      const headers = slackHeaders(body, Math.floor(now.getTime() / 1000), "not-the-signing-secret");
      await expectRefused(await server.post(body, headers), 401, "bad-signature");
    });

    it("missing headers", async () => {
      const body = pressBody({ ...keep(), responseUrl: receiver.url() });
      const { "x-slack-signature": _gone, ...headers } = slackHeaders(body, Math.floor(now.getTime() / 1000));
      await expectRefused(await server.post(body, headers), 401, "missing-headers");
    });

    it("a stale timestamp, even correctly signed", async () => {
      const body = pressBody({ ...keep(), responseUrl: receiver.url() });
      const headers = slackHeaders(body, Math.floor(now.getTime() / 1000) - 301);
      await expectRefused(await server.post(body, headers), 401, "stale-timestamp");
    });

    it("a replay of a request after it was used, and a second click on the same button", async () => {
      const body = pressBody({ ...keep(), responseUrl: receiver.url() });
      const headers = slackHeaders(body, Math.floor(now.getTime() / 1000));
      expect((await server.post(body, headers)).status).toBe(200);
      before = await tagsOf(arn);
      receiver.requests.length = 0;
      await expectRefused(await server.post(body, headers), 409, "replay");
      await expectRefused(await press({ ...keep(), actionTs: "1765000099.000300" }), 409, "replay");
    });

    it("another workspace", async () => {
      await expectRefused(await press({ ...keep(), team: "T0OTHER01" }), 403, "wrong-team");
    });

    it("another channel than the route's", async () => {
      await expectRefused(await press({ ...keep(), channel: "C0ELSEWHR" }), 403, "wrong-channel");
    });

    it("a user the route does not name", async () => {
      await expectRefused(await press({ ...keep(), user: STRANGER }), 403, "not-allowed");
    });

    it("a button value edited to name another secret", async () => {
      const other = await create("app/other");
      const [version, body, mac] = (buttons.keep as string).split(".");
      const fields = JSON.parse(Buffer.from(body as string, "base64url").toString()) as unknown[];
      fields[1] = other;
      const forged = `${version}.${Buffer.from(JSON.stringify(fields)).toString("base64url")}.${mac}`;
      await expectRefused(await press({ ...keep(), value: forged }), 403, "tampered");
      expect((await tagsOf(other))["governor:kept-until"]).toBeUndefined();
    });

    it("a button naming another account's secret, even signed with our key", async () => {
      const foreign = "arn:aws:secretsmanager:us-east-1:210987654321:secret:app/target-AbCdEf";
      const value = signButton(
        { action: "keep", arn: foreign, route: "default", issued: Math.floor(now.getTime() / 1000) },
        key,
      );
      await expectRefused(await press({ ...keep(), value }), 403, "foreign-secret");
    });

    it("a Keep reference on a Restore button", async () => {
      await expectRefused(await press({ ...keep(), actionId: actionIdOf("restore") }), 403, "tampered");
    });

    it("a malformed payload", async () => {
      const body = "payload=%7Bnot-json";
      const headers = slackHeaders(body, Math.floor(now.getTime() / 1000));
      await expectRefused(await server.post(body, headers), 400, "malformed");
    });

    it("an oversized body, before its signature is even checked", async () => {
      const body = `payload=${"x".repeat(70_000)}`;
      await expectRefused(
        await server.post(body, slackHeaders(body, Math.floor(now.getTime() / 1000))),
        413,
        "too-large",
      );
    });

    it("an action id the governor does not offer", async () => {
      await expectRefused(
        await press({ ...keep(), actionId: "secrets-governor.delete" }),
        400,
        "unknown-action",
      );
    });
  });
});
