import { describe, expect, it } from "vitest";
import { slackActionsEnabled } from "../../src/policy/check-slack.js";
import { loadYaml, problemLines } from "./builders.js";

const route = (extra: string) => `routes:
  default:
    webhookSecret: secrets-governor/slack/default
${extra}`;

describe("policy: the Slack keys", () => {
  it("fills in the defaults and shows no buttons when nobody is named", () => {
    const policy = loadYaml(route(""));
    expect(policy.slack).toEqual({
      signingSecret: "secrets-governor/slack/signing-secret",
      keep: { days: 90 },
      snooze: { days: 7, maxDays: 30 },
    });
    expect(slackActionsEnabled(policy)).toBe(false);
  });

  it("accepts a route with its channel and people, and the workspace", () => {
    const policy = loadYaml(
      `${route("    channel: C0GOVERN1\n    actors:\n      users: [U0OWNER01, W0GRID001]\n")}slack:\n  teamId: T0TEAM01\n  keep: { days: 30 }\n`,
    );
    expect(slackActionsEnabled(policy)).toBe(true);
    expect(policy.routes.default?.actors?.users).toEqual(["U0OWNER01", "W0GRID001"]);
    expect(policy.slack.keep.days).toBe(30);
  });

  it.each([
    [
      "people but no channel",
      `${route("    actors:\n      users: [U0OWNER01]\n")}slack:\n  teamId: T0TEAM01\n`,
      "p0.yml:5:7: route 'default' names people who may act from Slack but no channel: add routes.default.channel (the id of the channel its webhook posts to)",
    ],
    [
      "people but no workspace",
      route("    channel: C0GOVERN1\n    actors:\n      users: [U0OWNER01]\n"),
      "p0.yml:6:7: route 'default' names people who may act from Slack but the policy names no workspace: add slack.teamId",
    ],
    [
      "user groups without a bot token",
      `${route("    channel: C0GOVERN1\n    actors:\n      userGroups: [S0ADMINS1]\n")}slack:\n  teamId: T0TEAM01\n`,
      "p0.yml:6:19: user groups are looked up with Slack's usergroups.users.list: add slack.botTokenSecret (a bot token with usergroups:read)",
    ],
    [
      "a snooze beyond its bound",
      `${route("")}slack:\n  snooze: { days: 40, maxDays: 30 }\n`,
      "p0.yml:5:19: snooze.days (40) is more than snooze.maxDays (30)",
    ],
    [
      "the signing secret in a webhook's secret",
      `${route("    channel: C0GOVERN1\n    actors:\n      users: [U0OWNER01]\n")}slack:\n  teamId: T0TEAM01\n  signingSecret: secrets-governor/slack/default\n`,
      "p0.yml:9:18: the signing secret cannot be route 'default''s webhook secret: keep them in two secrets",
    ],
  ])("refuses %s", (_, text, line) => {
    expect(problemLines([{ path: "p0.yml", text }])).toEqual([line]);
  });

  it.each([
    ["a channel name", route("    channel: general\n"), "a Slack channel id"],
    ["a user name", route("    actors:\n      users: [bob]\n"), "a Slack user id"],
    ["a group name", route("    actors:\n      userGroups: [admins]\n"), "a Slack user-group id"],
    ["a team name", `${route("")}slack:\n  teamId: acme\n`, "a Slack workspace (team) id"],
    ["a year-long keep and more", `${route("")}slack:\n  keep: { days: 400 }\n`, "400"],
    ["an unknown key", `${route("")}slack:\n  teamID: T0TEAM01\n`, "teamID"],
  ])("refuses %s by the schema", (_, text, needle) => {
    const lines = problemLines([{ path: "p0.yml", text }]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(needle);
  });

  it("keeps a rule from setting the tags people set from Slack", () => {
    const lines = problemLines([
      {
        path: "p0.yml",
        text: "rules:\n  - name: forge\n    match: { finding: unused }\n    actions:\n      - tag: { governor:kept-until: '2099-01-01' }\n",
      },
    ]);
    expect(lines).toEqual([
      "p0.yml:5:9: tag key 'governor:kept-until' is kept by the lifecycle; a rule cannot set it",
    ]);
  });
});
