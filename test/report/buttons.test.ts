import { describe, expect, it } from "vitest";
import type { Decision } from "../../src/domain/decision.js";
import { buttonKeyOf, readButton, signButton } from "../../src/domain/slack-action.js";
import type { ReportItem } from "../../src/ports.js";
import { buildMessages } from "../../src/report/build.js";
import { buttonFactory, buttonKinds } from "../../src/report/buttons.js";
import { readKeptAlert } from "../../src/report/kept-alert.js";
import { checkSlackLimits } from "../../src/report/limits.js";
import type { ActionsBlock } from "../../src/report/message.js";
import { actionResultMessage } from "../../src/report/slack-action-message.js";
import { SLACK_POLICY_YAML } from "../helpers/slack-interactivity.js";
import { loadYaml, makeSecret, NOW, stagedSecret } from "../policy/builders.js";

const policy = loadYaml(SLACK_POLICY_YAML);
const key = buttonKeyOf("test-signing-secret");
const factory = buttonFactory(
  policy,
  (ref) => signButton(ref, key),
  () => NOW.getTime() / 1000,
);

function item(stage: Decision["stage"], extra: Partial<Decision> = {}): ReportItem {
  const secret = stage ? stagedSecret(stage, 3) : makeSecret();
  return {
    secret,
    decision: {
      arn: secret.arn,
      name: secret.name,
      finding: "unused",
      rule: "unused-secrets",
      action: "none",
      steps: [],
      stage,
      reason: "unused",
      guard: null,
      route: "default",
      trace: [],
      ...extra,
    },
  };
}

describe("Keep / Snooze / Restore buttons", () => {
  it.each([
    ["flagged", ["keep", "snooze"]],
    ["quarantined", ["keep", "snooze", "restore"]],
    ["deletion-scheduled", ["keep", "restore"]],
    [null, []],
  ] as const)("on an unused secret %s: %j", (stage, kinds) => {
    expect(buttonKinds(item(stage), "enforce", policy)).toEqual(kinds);
  });

  it("none on an exempt secret, Restore only on an access failure of a quarantined one", () => {
    expect(buttonKinds(item("flagged", { guard: "exempt" }), "enforce", policy)).toEqual([]);
    expect(buttonKinds(item("quarantined", { finding: "access-denied" }), "enforce", policy)).toEqual([
      "restore",
    ]);
  });

  it("none at all when the route names nobody (the default)", () => {
    const nobody = loadYaml(SLACK_POLICY_YAML.replace(/ {4}actors:\n.*\n.*\n/, ""));
    expect(buttonKinds(item("quarantined"), "enforce", nobody)).toEqual([]);
    const [routed] = buildMessages({ mode: "enforce", items: [item("quarantined")] }, NOW);
    expect(routed?.message.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("sit in the alert with signed references to its secret and route, within Slack's limits", () => {
    const target = item("quarantined");
    const [routed] = buildMessages({ mode: "enforce", items: [target] }, NOW, factory);
    const block = routed?.message.blocks.find((b): b is ActionsBlock => b.type === "actions");
    expect(block?.elements.map((e) => e.action_id)).toEqual([
      "secrets-governor.keep",
      "secrets-governor.snooze",
      "secrets-governor.restore",
    ]);
    const restore = block?.elements[2]?.value as string;
    expect(restore).not.toContain(target.decision.arn);
    expect(readButton(restore, key, NOW.getTime() / 1000)).toEqual({
      ref: { action: "restore", arn: target.decision.arn, route: "default", issued: NOW.getTime() / 1000 },
    });
    expect(checkSlackLimits(routed?.message)).toEqual([]);
  });

  it("survive the dead letter: a kept alert with our buttons is posted again, a foreign button is not", () => {
    const [routed] = buildMessages({ mode: "enforce", items: [item("flagged")] }, NOW, factory);
    const body = JSON.stringify({
      route: "default",
      reason: "500",
      retryable: true,
      payload: routed?.message,
    });
    const read = readKeptAlert(body, ["default"]);
    expect(read).toHaveProperty("alert");
    const forged = body.replace('"secrets-governor.keep"', '"other-app.approve"');
    expect(readKeptAlert(forged, ["default"])).toHaveProperty("reason");
  });
});

describe("buttons in a digest", () => {
  it("for the five most advanced secrets, each named, each block its own id, within Slack's limits", () => {
    const items = [
      ...Array.from({ length: 5 }, () => item("flagged")),
      item("deletion-scheduled"),
      item("quarantined"),
      item(null),
    ].map((it, i) => ({
      ...it,
      secret: { ...(it.secret as NonNullable<ReportItem["secret"]>), name: `app/s${i}` },
    }));
    const routed = buildMessages({ mode: "enforce", kind: "digest", items }, NOW, factory);
    expect(routed).toHaveLength(1);
    const blocks = routed[0]?.message.blocks ?? [];
    const ids = blocks.filter((b): b is ActionsBlock => b.type === "actions").map((b) => b.block_id);
    expect(ids).toEqual([0, 1, 2, 3, 4].map((n) => `secrets-governor.actions.${n}`));
    const named = blocks.flatMap((b) => (b.type === "context" ? [b.elements[0]?.text] : []));
    expect(named).toContain("`app/s5` · deletion-scheduled");
    expect(named).toContain("`app/s6` · quarantined");
    expect(named.at(-1)).toBe("2 more with buttons in their own alerts; `governor restore` works for any.");
    expect(checkSlackLimits(routed[0]?.message)).toEqual([]);
    const body = JSON.stringify({
      route: "default",
      reason: "500",
      retryable: true,
      payload: routed[0]?.message,
    });
    expect(readKeptAlert(body, ["default"])).toHaveProperty("alert");
  });

  it("none when nobody may act", () => {
    const routed = buildMessages({ mode: "enforce", kind: "digest", items: [item("quarantined")] }, NOW);
    expect(routed[0]?.message.blocks.some((b) => b.type === "actions")).toBe(false);
  });
});

describe("the message update after a press", () => {
  it("escapes a hostile secret name as the alerts do", () => {
    const update = actionResultMessage({
      kind: "keep",
      user: "U0OWNER01",
      name: "<!channel> *urgent* `x` <https://evil.example|login>\u202E",
      region: "us-east-1",
      outcome: "done",
      detail: "Kept until 2027-01-01 <!here>",
    });
    const text = JSON.stringify(update);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<!here>");
    expect(text).not.toContain("<https://evil");
    expect(text).not.toContain("\u202E");
    expect(text).toContain("&lt;!channel&gt;");
    expect(update.replace_original).toBe(true);
    expect(checkSlackLimits(update)).toEqual([]);
  });
});
