import { describe, expect, it } from "vitest";
import {
  accessWindowOf,
  claimsIncident,
  EXPIRY_MARGIN_MS,
  incidentTokenOf,
  verdictOf,
  windowIndexOf,
} from "../../src/domain/access-window.js";
import type { Finding } from "../../src/domain/finding.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/x-AbCdEf";
const ROLE = "arn:aws:iam::123456789012:role/orders-app";

function denied(at: string, principalArn = "arn:aws:sts::123456789012:assumed-role/orders-app/i-1"): Finding {
  return {
    type: "access-denied",
    secretId: ARN,
    source: "cloudtrail",
    status: "open",
    observedAt: new Date(at),
    origin: "event-1",
    access: { api: "GetSecretValue", principalArn, errorCode: "AccessDenied" },
  };
}

describe("windowIndexOf", () => {
  it.each([
    ["2026-11-23T09:00:00.000Z", "2026-11-23T09:14:59.999Z", true],
    ["2026-11-23T09:14:59.999Z", "2026-11-23T09:15:00.000Z", false],
    ["2026-11-23T08:59:59.999Z", "2026-11-23T09:00:00.000Z", false],
    ["2026-11-23T09:15:00.000Z", "2026-11-23T09:29:00.000Z", true],
  ])("aligns 15-minute windows to the clock: %s and %s in one window: %s", (a, b, same) => {
    expect(windowIndexOf(new Date(a), 15) === windowIndexOf(new Date(b), 15)).toBe(same);
  });
});

describe("accessWindowOf", () => {
  it("keys a failure by secret, role, finding type and window, and expires it a little past the window's end", () => {
    // Act
    const window = accessWindowOf(denied("2026-11-23T09:07:00Z"), ARN, 15);

    // Assess
    const index = Date.parse("2026-11-23T09:00:00Z") / 900_000;
    expect(window).toEqual({
      id: `access#${ARN}#${ROLE}#access-denied#${index}`,
      principal: ROLE,
      session: "i-1",
      index,
      end: Date.parse("2026-11-23T09:15:00Z"),
      expiration: (Date.parse("2026-11-23T09:15:00Z") + EXPIRY_MARGIN_MS) / 1000,
    });
  });

  it.each([
    [
      "another session of the role",
      { principalArn: "arn:aws:sts::123456789012:assumed-role/orders-app/i-2" },
      true,
    ],
    ["the role itself", { principalArn: ROLE }, true],
    ["another role", { principalArn: "arn:aws:iam::123456789012:role/billing" }, false],
    ["a decryption failure", { type: "decryption-failure" as const }, false],
    ["another secret", { secretArn: `${ARN}x` }, false],
    ["the next window", { at: "2026-11-23T09:15:00Z" }, false],
  ])("%s shares the key: %s", (_name, change, same) => {
    // Prepare
    const base = denied("2026-11-23T09:07:00Z");
    const other: Finding = {
      ...base,
      ...("type" in change ? { type: change.type } : {}),
      ...("at" in change ? { observedAt: new Date(change.at) } : {}),
      access: { ...(base.access ?? { api: "GetSecretValue" }), ...("principalArn" in change ? change : {}) },
    };
    const secretArn = "secretArn" in change ? change.secretArn : ARN;

    // Act
    const a = accessWindowOf(base, ARN, 15).id;
    const b = accessWindowOf(other, secretArn, 15).id;

    // Assess
    expect(a === b).toBe(same);
  });

  it("escapes # and % in the event's text, so two different secret and principal pairs never share a key", () => {
    // Prepare: without escaping, both would read `access#a#b#c#...`.
    const one = accessWindowOf(denied("2026-11-23T09:07:00Z", "b#c"), "a", 15).id;
    const two = accessWindowOf(denied("2026-11-23T09:07:00Z", "c"), "a#b", 15).id;

    // Assess
    expect(one).not.toBe(two);
    expect(one).toContain("#b%23c#");
    expect(two).toContain("#a%23b#");
  });

  it("hashes a key too long for DynamoDB (a probed name can be 2048 characters)", () => {
    // Act
    const long = accessWindowOf(denied("2026-11-23T09:07:00Z"), "n".repeat(2048), 15);
    const other = accessWindowOf(denied("2026-11-23T09:07:00Z"), "m".repeat(2048), 15);

    // Assess
    expect(long.id).toMatch(/^access#sha256:[0-9a-f]{64}#access-denied#\d+$/);
    expect(long.id).not.toBe(other.id);
  });

  it("counts a principal with no ARN as `unknown`", () => {
    const finding = { ...denied("2026-11-23T09:07:00Z"), access: { api: "GetSecretValue" } };
    expect(accessWindowOf(finding, ARN, 15).principal).toBe("unknown");
  });
});

describe("incidentTokenOf", () => {
  it("names the event and the secret it named, the same on every delivery", () => {
    expect(incidentTokenOf(denied("2026-11-23T09:07:00Z"))).toBe(`event-1 ${ARN}`);
    expect(incidentTokenOf({ ...denied("2026-11-23T09:07:00Z"), secretId: "app/x" })).toBe("event-1 app/x");
  });

  it("is undefined for a finding of no event", () => {
    const { origin: _, ...finding } = denied("2026-11-23T09:07:00Z");
    expect(incidentTokenOf(finding)).toBeUndefined();
  });
});

describe("claimsIncident", () => {
  it.each([
    [{ count: 2, sessions: [] }, 3, false],
    [{ count: 3, sessions: [] }, 3, true],
    [{ count: 5, sessions: [] }, 3, true],
    [{ count: 3, sessions: [], reportedBy: "other", reportedAt: 3 }, 3, false],
    [{ count: 4, sessions: [], reportedBy: "mine", reportedAt: 3 }, 3, true],
    [{ count: 1, sessions: [] }, 1, true],
  ])("%j with threshold %i: %s", (state, threshold, claims) => {
    expect(claimsIncident(state, threshold, "mine")).toBe(claims);
  });
});

describe("verdictOf", () => {
  const window = accessWindowOf(denied("2026-11-23T09:07:00Z"), ARN, 15);

  it("names the principal and the sessions seen, sorted", () => {
    expect(verdictOf({ count: 2, sessions: ["i-2", "i-1"] }, window, 3, false)).toEqual({
      incident: false,
      count: 2,
      suppressed: 0,
      principal: ROLE,
      sessions: ["i-1", "i-2"],
    });
  });

  it("counts the failures since the incident as suppressed", () => {
    const state = { count: 5, sessions: [], reportedBy: "other", reportedAt: 3 };
    expect(verdictOf(state, window, 3, false).suppressed).toBe(2);
  });

  it("suppresses at least the failure itself when it was counted before the one that claimed the incident", () => {
    // Two instances at once: this failure was counted third, the one counted fourth claimed first.
    expect(verdictOf({ count: 3, sessions: [] }, window, 3, false).suppressed).toBe(1);
    expect(verdictOf({ count: 3, sessions: [], reportedAt: 4 }, window, 3, false).suppressed).toBe(1);
  });

  it("suppresses nothing below this failure's threshold, nor with the incident", () => {
    const reported = { count: 2, sessions: [], reportedBy: "other", reportedAt: 1 };
    expect(verdictOf(reported, window, 3, false).suppressed).toBe(0);
    expect(verdictOf({ count: 3, sessions: [] }, window, 3, true)).toMatchObject({
      incident: true,
      suppressed: 0,
    });
  });
});
