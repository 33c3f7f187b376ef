import { describe, expect, it } from "vitest";
import { AccessFailureWindow, MAX_SESSIONS } from "../../src/app/access-window.js";
import type { Finding } from "../../src/domain/finding.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/x-AbCdEf";

function denied(minute: number, principalArn = "arn:aws:sts::123456789012:assumed-role/app/i-1"): Finding {
  return {
    type: "access-denied",
    secretId: ARN,
    source: "cloudtrail",
    status: "open",
    observedAt: new Date(Date.UTC(2026, 10, 23, 9, minute)),
    access: { api: "GetSecretValue", principalArn, errorCode: "AccessDenied" },
  };
}

describe("AccessFailureWindow", () => {
  it("makes one incident of many failures by the same principal within the window", () => {
    const window = new AccessFailureWindow(15, 3);
    const verdicts = [0, 1, 2, 3, 4].map((m) => window.record(denied(m), ARN));
    expect(verdicts.map((v) => v.incident)).toEqual([false, false, true, false, false]);
    expect(verdicts.map((v) => v.count)).toEqual([1, 2, 3, 4, 5]);
    expect(verdicts[4]?.suppressed).toBe(2);
  });

  it("counts principals apart", () => {
    const window = new AccessFailureWindow(15, 2);
    window.record(denied(0, "arn:aws:iam::123456789012:role/a"), ARN);
    const other = window.record(denied(1, "arn:aws:iam::123456789012:role/b"), ARN);
    const again = window.record(denied(2, "arn:aws:iam::123456789012:role/a"), ARN);
    expect(other.incident).toBe(false);
    expect(again.incident).toBe(true);
  });

  it("starts a new window once the old one has passed, and prunes old windows", () => {
    const window = new AccessFailureWindow(15, 2);
    window.record(denied(0), ARN);
    expect(window.record(denied(1), ARN).incident).toBe(true);
    expect(window.record(denied(16), ARN)).toMatchObject({ incident: false, count: 1, suppressed: 0 });
    expect(window.record(denied(17), ARN).incident).toBe(true);
    window.prune(new Date(Date.UTC(2026, 10, 23, 10, 0)));
    expect(window.record(denied(40), ARN).count).toBe(1);
  });

  it("an incident threshold of 1 reports the first failure", () => {
    expect(new AccessFailureWindow(15, 1).record(denied(0), ARN).incident).toBe(true);
  });

  it("counts the sessions of one role (a fleet of instances) as one principal, one incident", () => {
    // Prepare
    const window = new AccessFailureWindow(15, 3);
    const sessions = ["i-001", "i-002", "i-003", "i-004"];

    // Act
    const verdicts = sessions.map((session, m) =>
      window.record(denied(m, `arn:aws:sts::123456789012:assumed-role/orders-app/${session}`), ARN),
    );

    // Assess
    expect(verdicts.map((v) => v.incident)).toEqual([false, false, true, false]);
    expect(verdicts[2]).toEqual({
      incident: true,
      count: 3,
      suppressed: 0,
      principal: "arn:aws:iam::123456789012:role/orders-app",
      sessions: ["i-001", "i-002", "i-003"],
    });
    expect(verdicts[3]?.suppressed).toBe(1);
  });

  it("counts the sessions of two roles apart", () => {
    // Prepare
    const window = new AccessFailureWindow(15, 2);

    // Act
    window.record(denied(0, "arn:aws:sts::123456789012:assumed-role/orders-app/i-001"), ARN);
    const other = window.record(denied(1, "arn:aws:sts::123456789012:assumed-role/billing/i-001"), ARN);

    // Assess
    expect(other).toMatchObject({
      incident: false,
      count: 1,
      principal: "arn:aws:iam::123456789012:role/billing",
    });
  });

  it("keeps at most MAX_SESSIONS sessions for the report, and counts every failure", () => {
    // Prepare
    const window = new AccessFailureWindow(15, 1000);
    let last = window.record(denied(0, "arn:aws:sts::123456789012:assumed-role/app/s-0"), ARN);

    // Act
    for (let i = 1; i < MAX_SESSIONS + 10; i++)
      last = window.record(denied(1, `arn:aws:sts::123456789012:assumed-role/app/s-${i}`), ARN);

    // Assess
    expect(last.count).toBe(MAX_SESSIONS + 10);
    expect(last.sessions).toHaveLength(MAX_SESSIONS);
  });

  it("forgets ended windows as it records, without anyone calling prune", () => {
    // Prepare: failures of 50 principals, then one more an hour later.
    const window = new AccessFailureWindow(15, 3);
    for (let i = 0; i < 50; i++) window.record(denied(0, `arn:aws:iam::123456789012:role/r-${i}`), ARN);
    const before = window.size;

    // Act
    window.record({ ...denied(0), observedAt: new Date(Date.UTC(2026, 10, 23, 10, 30)) }, ARN);

    // Assess
    expect(before).toBe(50);
    expect(window.size).toBe(1);
  });
});
