import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allowedResponseUrl,
  FetchSlackResponder,
  HttpSlackDirectory,
} from "../../src/adapters/slack-interactivity.js";
import { AdapterError } from "../../src/errors.js";
import { message } from "../../src/report/message.js";
import { SlackReceiver } from "../helpers/slack-receiver.js";

describe("FetchSlackResponder", () => {
  let receiver: SlackReceiver;
  beforeAll(async () => {
    receiver = await SlackReceiver.start();
  });
  afterAll(() => receiver.close());

  it("posts the update as JSON to an allowed response_url", async () => {
    const responder = new FetchSlackResponder({ origins: [new URL(receiver.url()).origin] });
    await responder.respond(receiver.url("/actions/T1/2/x"), {
      ...message("done", []),
      replace_original: true,
    });
    expect(receiver.requests.at(-1)).toMatchObject({
      path: "/actions/T1/2/x",
      payload: { text: "done", replace_original: true },
    });
  });

  it.each([
    ["another host", "https://evil.example/actions/x"],
    ["Slack's host over http", "http://hooks.slack.com/actions/x"],
    ["a look-alike host", "https://hooks.slack.com.evil.example/actions/x"],
    ["credentials in the URL", "https://user:pw@hooks.slack.com/actions/x"],
    ["not a URL", "hooks.slack.com"],
  ])("never posts to %s", async (_, url) => {
    expect(allowedResponseUrl(url, ["https://hooks.slack.com"])).toBe(false);
    await expect(
      new FetchSlackResponder().respond(url, { ...message("x", []), replace_original: true }),
    ).rejects.toBeInstanceOf(AdapterError);
  });

  it("accepts Slack's own response URLs", () => {
    expect(allowedResponseUrl("https://hooks.slack.com/actions/T1/2/abc", ["https://hooks.slack.com"])).toBe(
      true,
    );
  });
});

describe("HttpSlackDirectory", () => {
  it("reads a group's members with the bot token, and caches them", async () => {
    const calls: { url: string; auth: string | null }[] = [];
    const fetch = async (url: string, init: RequestInit) => {
      calls.push({ url, auth: new Headers(init.headers).get("authorization") });
      return new Response(JSON.stringify({ ok: true, users: ["U0ADMIN01", 7] }), { status: 200 });
    };
    const directory = new HttpSlackDirectory(async () => "xoxb-test", {
      fetch,
      apiBase: "https://slack.test/api",
    });
    expect(await directory.membersOf("S0ADMINS1")).toEqual(["U0ADMIN01"]);
    expect(await directory.membersOf("S0ADMINS1")).toEqual(["U0ADMIN01"]);
    expect(calls).toEqual([
      { url: "https://slack.test/api/usergroups.users.list?usergroup=S0ADMINS1", auth: "Bearer xoxb-test" },
    ]);
  });

  it("fails (never allows) when Slack says no or there is no token", async () => {
    const fetch = async () => new Response(JSON.stringify({ ok: false, error: "missing_scope" }));
    await expect(new HttpSlackDirectory(async () => "t", { fetch }).membersOf("S1")).rejects.toThrow(
      "missing_scope",
    );
    await expect(new HttpSlackDirectory(async () => undefined, { fetch }).membersOf("S1")).rejects.toThrow(
      "no Slack bot token",
    );
  });
});
