import { describe, expect, it } from "vitest";
import { complianceChangeEvent } from "../../bench/scenario.js";
import { handleBatch } from "../../src/app/handle-batch.js";
import { processFindings } from "../../src/app/process-findings.js";
import { parseEvent } from "../../src/domain/events.js";
import { addQuarantine, quarantineStatement } from "../../src/domain/quarantine.js";
import type { Secret } from "../../src/domain/secret.js";
import {
  accountOf,
  arnOf,
  defaultPolicy,
  deniedFinding,
  entry,
  governorTags,
  RecordingLog,
  secretOf,
} from "../fixtures/app/fakes.js";
import { GOVERNOR_ROLE, inconsistencies } from "./harness.js";

const POLICY = { ...defaultPolicy(), mode: "enforce" as const };
const DAY = 86_400_000;
const T0 = new Date("2026-11-20T06:00:00Z");
const at = (days: number) => new Date(T0.getTime() + days * DAY);

function deps(account: ReturnType<typeof accountOf>, now: Date) {
  return {
    route: "config-compliance",
    parse: parseEvent,
    stack: { account: "123456789012", region: "us-east-1" },
    log: new RecordingLog(),
    store: account,
    policy: POLICY,
    mode: "enforce" as const,
    now,
    exemptPrincipals: [GOVERNOR_ROLE],
  };
}

function record(secret: Secret, compliance: "COMPLIANT" | "NON_COMPLIANT", observed: Date, id: string) {
  return { id, body: JSON.stringify(complianceChangeEvent(secret, compliance, id, observed)) };
}

async function deliver(
  account: ReturnType<typeof accountOf>,
  now: Date,
  ...records: { id: string; body: string }[]
) {
  for (const r of records) expect((await handleBatch([r], deps(account, now))).failedIds).toEqual([]);
}

describe("duplicate and out-of-order Config events", () => {
  it("COMPLIANT arriving before the NON_COMPLIANT it follows: the secret, read since, is not flagged", async () => {
    // Prepare: unused on day 0 (NON_COMPLIANT), read on day 1 (COMPLIANT); EventBridge delivers them swapped.
    const account = accountOf([entry("app/a", { LastAccessedDate: "2026-11-21T00:00:00Z" })]);
    const secret = await secretOf(account, "app/a");

    // Act
    await deliver(
      account,
      at(1),
      record(secret, "COMPLIANT", at(1), "c"),
      record(secret, "NON_COMPLIANT", at(0), "n"),
    );

    // Assess: the late NON_COMPLIANT is held against the newest facts (recently-accessed).
    expect(governorTags(await secretOf(account, "app/a"))).toEqual({});
  });

  it("a stale COMPLIANT, from before the flag, arriving after it: the flag stays", async () => {
    // Prepare: in use until day 0 (COMPLIANT), unused since; the NON_COMPLIANT of day 2 flags it first.
    const account = accountOf([entry("app/b", { LastAccessedDate: "2026-08-01T00:00:00Z" })]);
    const secret = await secretOf(account, "app/b");

    // Act
    await deliver(
      account,
      at(2),
      record(secret, "NON_COMPLIANT", at(2), "n"),
      record(secret, "COMPLIANT", at(0), "c"),
    );

    // Assess
    expect(governorTags(await secretOf(account, "app/b"))).toEqual({
      "governor:stage": "flagged",
      "governor:stage-since": "2026-11-22",
    });
  });

  it("a COMPLIANT observed after the flag still takes the way back", async () => {
    const account = accountOf([
      entry("app/c", {
        LastAccessedDate: "2026-11-23T00:00:00Z",
        tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-21" },
      }),
    ]);
    const secret = await secretOf(account, "app/c");
    await deliver(account, at(3), record(secret, "COMPLIANT", at(3), "c"));
    expect(governorTags(await secretOf(account, "app/c"))).toEqual({});
  });

  it("every event delivered twice and replayed days later changes nothing more", async () => {
    // Prepare: one secret of each state the lifecycle knows.
    const policyText = JSON.stringify({ Version: "2012-10-17", Statement: [] });
    const account = accountOf(
      [
        entry("app/unused", { LastAccessedDate: "2026-07-01T00:00:00Z" }),
        entry("app/flagged", {
          LastAccessedDate: "2026-07-01T00:00:00Z",
          tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-01" },
        }),
        entry("app/back", {
          LastAccessedDate: "2026-11-19T00:00:00Z",
          tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-10" },
        }),
      ],
      { [arnOf("app/flagged")]: JSON.parse(policyText) },
    );
    const records = [];
    for (const name of ["app/unused", "app/flagged", "app/back"]) {
      const secret = await secretOf(account, name);
      records.push(record(secret, name === "app/back" ? "COMPLIANT" : "NON_COMPLIANT", at(0), name));
    }

    // Act
    await deliver(account, at(0), ...records, ...records);
    const once = account.snapshot();
    const writes = account.calls.length;
    await deliver(account, at(5), ...records);

    // Assess: the replay five days later neither writes nor escalates (escalations are the sweep's).
    expect(account.snapshot()).toEqual(once);
    expect(
      account.calls
        .slice(writes)
        .filter((c) => c.operation !== "DescribeSecret" && c.operation !== "GetResourcePolicy"),
    ).toEqual([]);
    expect(inconsistencies(account)).toEqual([]);
    expect(governorTags(await secretOf(account, "app/unused"))["governor:stage"]).toBe("flagged");
    expect(governorTags(await secretOf(account, "app/back"))).toEqual({});
  });

  it("a denied read replayed days later, from before the quarantine, is not taken for proof of use", async () => {
    // Prepare: quarantined on day 3; the denial happened on day 1 (not ours: the statement was not there yet).
    const arn = arnOf("app/q");
    const account = accountOf(
      [
        entry("app/q", {
          LastAccessedDate: "2026-07-01T00:00:00Z",
          tags: { "governor:stage": "quarantined", "governor:stage-since": "2026-11-23" },
        }),
      ],
      { [arn]: JSON.parse(addQuarantine(undefined, quarantineStatement([GOVERNOR_ROLE]))) },
    );
    const stale = { ...deniedFinding(arn), observedAt: at(1) };
    const fresh = { ...deniedFinding(arn), observedAt: at(4) };
    const d = {
      store: account,
      // One denial is proof here: the test is about its date, not the threshold.
      policy: { ...POLICY, accessFailures: { ...POLICY.accessFailures, releaseAfter: 1 } },
      mode: "enforce" as const,
      now: at(5),
      exemptPrincipals: [GOVERNOR_ROLE],
    };

    // Act
    const [late] = await processFindings([stale], d);
    const [now] = await processFindings([fresh], d);

    // Assess
    expect(late?.outcome?.decision.rule ?? null).not.toBe("quarantine-feedback");
    expect(now?.outcome?.decision.rule).toBe("quarantine-feedback");
  });
});
