import { describe, expect, it } from "vitest";
import {
  actionIdOf,
  actionKindOf,
  buttonKeyOf,
  readButton,
  SLACK_MAX_BODY_BYTES,
  signButton,
  slackSignatureHex,
  verifySlackSignature,
} from "../../src/domain/slack-action.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const NOW = 1_765_000_000;
const body = Buffer.from("payload=%7B%7D");
const signed = (ts = NOW, secret = SECRET, b = body) => ({
  timestamp: String(ts),
  signature: `v0=${slackSignatureHex(secret, String(ts), b)}`,
  body: b,
});

describe("Slack's v0 signature", () => {
  it("matches Slack's documented example", () => {
    // https://docs.slack.dev/authentication/verifying-requests-from-slack (the worked example).
    const example = Buffer.from(
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
    );
    expect(slackSignatureHex(SECRET, "1531420618", example)).toBe(
      "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });

  it("accepts a fresh, correctly signed request", () => {
    expect(verifySlackSignature(signed(), SECRET, NOW + 10)).toBeUndefined();
  });

  it.each([
    ["another secret", signed(NOW, "other"), "bad-signature"],
    ["a changed body", { ...signed(), body: Buffer.from("payload=%7B%22a%22%7D") }, "bad-signature"],
    ["a truncated signature", { ...signed(), signature: signed().signature.slice(0, -2) }, "bad-signature"],
    ["no signature", { ...signed(), signature: undefined }, "missing-headers"],
    ["no timestamp", { ...signed(), timestamp: undefined }, "missing-headers"],
    ["a timestamp 5 minutes and a second old", signed(NOW - 301), "stale-timestamp"],
    ["a timestamp from the future", signed(NOW + 301), "stale-timestamp"],
    ["a timestamp that is not a number", { ...signed(), timestamp: "1e9" }, "stale-timestamp"],
    ["a body over the bound", signed(NOW, SECRET, Buffer.alloc(SLACK_MAX_BODY_BYTES + 1)), "too-large"],
  ])("refuses %s", (_, request, reason) => {
    expect(verifySlackSignature(request, SECRET, NOW)).toBe(reason);
  });
});

describe("button references", () => {
  const key = buttonKeyOf(SECRET);
  const ref = {
    action: "keep" as const,
    arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf",
    route: "default",
    issued: NOW,
  };

  it("read back what was signed, with another key refused", () => {
    expect(readButton(signButton(ref, key), key, NOW + 60)).toEqual({ ref });
    expect(readButton(signButton(ref, buttonKeyOf("other")), key, NOW)).toEqual({
      reason: "the button's signature does not match: tampered or not ours",
    });
  });

  it("the key is derived, not the signing secret itself", () => {
    expect(key.equals(Buffer.from(SECRET))).toBe(false);
  });

  it.each([
    ["an ARN", ref.arn],
    ["another version", signButton(ref, key).replace(/^r1/, "r2")],
    ["an empty value", ""],
  ])("refuse %s", (_, value) => {
    expect(readButton(value, key, NOW)).toHaveProperty("reason");
  });

  it("expire after 30 days", () => {
    expect(readButton(signButton(ref, key), key, NOW + 31 * 86_400)).toEqual({
      reason: "the button has expired",
    });
  });

  it("action ids are ours only", () => {
    expect(actionKindOf(actionIdOf("snooze"))).toBe("snooze");
    expect(actionKindOf("snooze")).toBeUndefined();
    expect(actionKindOf("secrets-governor.delete")).toBeUndefined();
    expect(actionKindOf("secrets-governor.constructor")).toBeUndefined();
  });
});
