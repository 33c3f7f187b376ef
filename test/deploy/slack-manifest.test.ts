import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/** The Slack app manifest in the repository: what the README tells people to paste into Slack. */
describe("slack/app-manifest.yml", () => {
  const manifest = parse(readFileSync("slack/app-manifest.yml", "utf8"));

  it("turns interactivity on, with a placeholder for the stack's function URL", () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(
      /^https:\/\/REPLACE-WITH-SlackInteractivityUrl\./,
    );
    expect(manifest.settings.incoming_webhooks.incoming_webhooks_enabled).toBe(true);
  });

  it("asks for the scopes the governor uses and no other", () => {
    expect(manifest.oauth_config.scopes.bot).toEqual(["incoming-webhook", "usergroups:read"]);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
    expect(manifest.settings.event_subscriptions).toBeUndefined();
  });
});
