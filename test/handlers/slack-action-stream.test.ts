import { describe, expect, it } from "vitest";
import { makeStreamingHandler, type ResponseStream } from "../../handlers/slack-action.js";
import { memoryEventLedger } from "../../src/adapters/event-ledger.js";
import { LocalAccount } from "../../src/adapters/local-account.js";
import { MemorySlackAppSecrets } from "../../src/adapters/slack-app-secrets.js";
import type { SlackActionDeps } from "../../src/app/slack-action.js";
import { actionIdOf, buttonKeyOf, signButton } from "../../src/domain/slack-action.js";
import type { SlackResponder } from "../../src/ports.js";
import {
  pressBody,
  SLACK_POLICY_YAML,
  slackHeaders,
  TEST_SIGNING_SECRET,
} from "../helpers/slack-interactivity.js";
import { loadYaml, NOW, stagedSecret } from "../policy/builders.js";

/** Lambda's HttpResponseStream, as a recorder: what was answered, and what had happened by then. */
function fakeRuntime(events: string[]) {
  const answered: { status?: number; body?: string } = {};
  const http = {
    from(_stream: ResponseStream, prelude: { statusCode: number }): ResponseStream {
      return {
        end(body?: string) {
          answered.status = prelude.statusCode;
          answered.body = body ?? "";
          events.push(`answered ${prelude.statusCode}`);
        },
      };
    },
  };
  return { http, answered };
}

describe("handlers/slack-action in RESPONSE_STREAM mode", () => {
  const secret = stagedSecret("flagged", 3);
  const seconds = Math.floor(NOW.getTime() / 1000);

  function depsWith(events: string[]): SlackActionDeps {
    const store = new LocalAccount([secret]);
    const tag = store.tag.bind(store);
    store.tag = async (arn, tags) => {
      events.push("tagged");
      return tag(arn, tags);
    };
    const responder: SlackResponder = { respond: async () => void events.push("message updated") };
    return {
      policy: loadYaml(SLACK_POLICY_YAML),
      mode: "enforce",
      stack: { account: "123456789012", region: "us-east-1" },
      store,
      ledger: memoryEventLedger(),
      secrets: new MemorySlackAppSecrets({ signingSecret: TEST_SIGNING_SECRET }),
      responder,
      now: NOW,
    };
  }

  it("answers Slack 200 before it changes the secret, then updates the message", async () => {
    const events: string[] = [];
    const { http, answered } = fakeRuntime(events);
    const deps = depsWith(events);
    const handler = makeStreamingHandler(() => deps, http);
    const value = signButton(
      { action: "keep", arn: secret.arn, route: "default", issued: seconds },
      buttonKeyOf(TEST_SIGNING_SECRET),
    );
    const body = pressBody({
      actionId: actionIdOf("keep"),
      value,
      responseUrl: "https://hooks.slack.com/actions/T/1/x",
    });
    await handler(
      {
        version: "2.0",
        headers: slackHeaders(body, seconds),
        body,
        requestContext: { http: { method: "POST" } },
      },
      {} as ResponseStream,
    );
    expect(answered).toEqual({ status: 200, body: "" });
    expect(events).toEqual(["answered 200", "tagged", "message updated"]);
    expect((await deps.store.describe(secret.arn))?.tags["governor:kept-until"]).toBeDefined();
  });

  it("answers a refusal with its status and does no work", async () => {
    const events: string[] = [];
    const { http, answered } = fakeRuntime(events);
    const handler = makeStreamingHandler(() => depsWith(events), http);
    const body = pressBody({
      actionId: actionIdOf("keep"),
      value: "r1.x.y",
      responseUrl: "https://hooks.slack.com/a",
    });
    await handler(
      {
        version: "2.0",
        headers: slackHeaders(body, seconds, "wrong"),
        body,
        requestContext: { http: { method: "POST" } },
      },
      {} as ResponseStream,
    );
    expect(answered).toEqual({ status: 401, body: "refused: bad-signature" });
    expect(events).toEqual(["answered 401"]);
  });
});
