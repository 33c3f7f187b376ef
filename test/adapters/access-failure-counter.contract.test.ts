import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DynamoAccessFailureCounter,
  MemoryAccessFailureCounter,
  type MemoryWindowItem,
} from "../../src/adapters/access-failure-counter.js";
import { accessWindowOf, EXPIRY_MARGIN_MS, MAX_SESSIONS } from "../../src/domain/access-window.js";
import type { Finding } from "../../src/domain/finding.js";
import { AdapterError } from "../../src/errors.js";
import type { AccessFailureCounter } from "../../src/ports.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient, serialConnection } from "../helpers/moto-dynamodb.js";

/**
 * The access-failure counter's semantics, the same for the in-memory one (CLI, demo, tests) and the DynamoDB one
 * on moto_server with the real SDK client: two "instances" are two counters over one store.
 */

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/x-AbCdEf";
const ROLE_SESSION = "arn:aws:sts::123456789012:assumed-role/orders-app/i-1";
let moto: Moto;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

interface Store {
  /** Two instances over one store, a 15-minute window, 3 failures an incident. */
  counters: [AccessFailureCounter, AccessFailureCounter];
  /** The stored item's TTL attribute (epoch seconds). */
  expiration(id: string): Promise<number | undefined>;
}

const IMPLEMENTATIONS: [string, () => Promise<Store>][] = [
  [
    "memory",
    async () => {
      const items = new Map<string, MemoryWindowItem>();
      return {
        counters: [
          new MemoryAccessFailureCounter(15, 3, items),
          new MemoryAccessFailureCounter(15, 3, items),
        ],
        expiration: async (id) => items.get(id)?.expiration,
      };
    },
  ],
  [
    "DynamoDB on moto",
    async () => {
      // Two clients, as two Lambda containers have (over one connection: see serialConnection).
      const connection = serialConnection();
      const [one, two] = [
        motoDynamoClient(moto.endpoint, connection),
        motoDynamoClient(moto.endpoint, connection),
      ];
      const name = await createStateTable(one, `governor-windows-${++tables}`);
      const doc = DynamoDBDocumentClient.from(one);
      return {
        counters: [
          new DynamoAccessFailureCounter(one, name, 15, 3),
          new DynamoAccessFailureCounter(two, name, 15, 3),
        ],
        expiration: async (id) => {
          const { Item } = await doc.send(new GetCommand({ TableName: name, Key: { id } }));
          return Item?.expiration as number | undefined;
        },
      };
    },
  ],
];

let events = 0;

/** A denied read, its own event, at 09:MM:SS of the test day (a 15-minute window starts at 09:00). */
function denied(
  minute: number,
  options: { principalArn?: string; second?: number; type?: Finding["type"] } = {},
): Finding {
  return {
    type: options.type ?? "access-denied",
    secretId: ARN,
    source: "cloudtrail",
    status: "open",
    observedAt: new Date(Date.UTC(2026, 10, 23, 9, minute, options.second ?? 0)),
    origin: `event-${++events}`,
    access: {
      api: "GetSecretValue",
      principalArn: options.principalArn ?? ROLE_SESSION,
      errorCode: "AccessDenied",
    },
  };
}

describe.each(IMPLEMENTATIONS)("access-failure counter (%s)", (_name, make) => {
  it("makes no incident below the threshold", async () => {
    const { counters } = await make();
    const [a, b] = counters;
    const verdicts = [await a.record(denied(0), ARN), await b.record(denied(1), ARN)];
    expect(verdicts.map((v) => [v.incident, v.count, v.suppressed])).toEqual([
      [false, 1, 0],
      [false, 2, 0],
    ]);
  });

  it("makes the incident once, with the failure that crosses the threshold, on either instance", async () => {
    // Prepare
    const { counters } = await make();

    // Act: five failures, alternately on each instance.
    const verdicts = [];
    for (const m of [0, 1, 2, 3, 4])
      verdicts.push(await (counters[m % 2] as AccessFailureCounter).record(denied(m), ARN));

    // Assess
    expect(verdicts.map((v) => v.incident)).toEqual([false, false, true, false, false]);
    expect(verdicts.map((v) => v.count)).toEqual([1, 2, 3, 4, 5]);
    expect(verdicts.map((v) => v.suppressed)).toEqual([0, 0, 0, 1, 2]);
    expect(verdicts[2]).toMatchObject({
      principal: "arn:aws:iam::123456789012:role/orders-app",
      sessions: ["i-1"],
    });
  });

  it("counts each secret, principal and finding type apart", async () => {
    // Prepare
    const { counters } = await make();
    const [a, b] = counters;
    await a.record(denied(0), ARN);
    await b.record(denied(1), ARN);

    // Act
    const others = [
      await a.record(denied(2), `${ARN}-other`),
      await b.record(denied(2, { principalArn: "arn:aws:iam::123456789012:role/billing" }), ARN),
      await a.record(denied(2, { type: "decryption-failure" }), ARN),
    ];
    const same = await b.record(
      denied(3, { principalArn: "arn:aws:sts::123456789012:assumed-role/orders-app/i-2" }),
      ARN,
    );

    // Assess
    expect(others.map((v) => [v.incident, v.count])).toEqual([
      [false, 1],
      [false, 1],
      [false, 1],
    ]);
    expect(same).toMatchObject({ incident: true, count: 3, sessions: ["i-1", "i-2"] });
  });

  it("starts again in the next clock-aligned window, even for a burst across the boundary", async () => {
    // Prepare
    const { counters } = await make();
    const [a, b] = counters;

    // Act: two failures just before 09:15 and two just after: four within two minutes, three in neither window.
    const verdicts = [
      await a.record(denied(14, { second: 0 }), ARN),
      await b.record(denied(14, { second: 59 }), ARN),
      await a.record(denied(15, { second: 0 }), ARN),
      await b.record(denied(15, { second: 30 }), ARN),
      await a.record(denied(16), ARN),
    ];

    // Assess
    expect(verdicts.map((v) => [v.incident, v.count])).toEqual([
      [false, 1],
      [false, 2],
      [false, 1],
      [false, 2],
      [true, 3],
    ]);
  });

  it("takes a threshold per call: 1 makes the first failure the incident", async () => {
    // Prepare
    const { counters } = await make();
    const [a, b] = counters;

    // Act
    const first = await a.record(denied(0), ARN, 1);
    const second = await b.record(denied(1), ARN, 1);

    // Assess
    expect(first).toMatchObject({ incident: true, count: 1, suppressed: 0 });
    expect(second).toMatchObject({ incident: false, count: 2, suppressed: 1 });
  });

  it("lets a lower threshold make the incident a higher one has not reached", async () => {
    // Prepare: one failure judged a probe (3 to an incident), then one judged proof of use (2 to a release).
    const { counters } = await make();
    const [a, b] = counters;
    await a.record(denied(0), ARN, 3);

    // Act
    const proof = await b.record(denied(1), ARN, 2);

    // Assess
    expect(proof).toMatchObject({ incident: true, count: 2 });
  });

  it("after reopen, the retry of the failure counts it once and makes the incident again", async () => {
    // Prepare: the third failure made the incident; its action failed.
    const { counters } = await make();
    const [a, b] = counters;
    await a.record(denied(0), ARN);
    await b.record(denied(1), ARN);
    const third = denied(2);
    expect((await a.record(third, ARN)).incident).toBe(true);

    // Act: given back, and the redelivered event is handled by the other instance.
    await a.reopen(third, ARN);
    const retry = await b.record(
      { ...third, access: { api: "GetSecretValue", principalArn: ROLE_SESSION } },
      ARN,
    );
    const after = await a.record(denied(3), ARN);

    // Assess
    expect(retry).toMatchObject({ incident: true, count: 3, suppressed: 0 });
    expect(after).toMatchObject({ incident: false, count: 4, suppressed: 1 });
  });

  it("after reopen, a failure counted before the retry may make the incident instead: still once", async () => {
    // Prepare: the third failure made the incident and a fourth was suppressed; the third's action failed.
    const { counters } = await make();
    const [a, b] = counters;
    await a.record(denied(0), ARN);
    await a.record(denied(1), ARN);
    const third = denied(2);
    await a.record(third, ARN);
    expect((await b.record(denied(3), ARN)).incident).toBe(false);

    // Act
    await a.reopen(third, ARN);
    const fifth = await b.record(denied(4), ARN);
    const retry = await a.record(third, ARN);

    // Assess
    expect(fifth).toMatchObject({ incident: true, count: 4 });
    expect(retry).toMatchObject({ incident: false, count: 5 });
  });

  it("lets the redelivery of the event that claimed the incident claim it again (its answer may have been lost)", async () => {
    // Prepare
    const { counters } = await make();
    const [a, b] = counters;
    await a.record(denied(0), ARN);
    await a.record(denied(1), ARN);
    const third = denied(2);
    expect((await a.record(third, ARN)).incident).toBe(true);

    // Act
    const again = await b.record({ ...third }, ARN);
    const other = await b.record(denied(3), ARN);

    // Assess
    expect(again.incident).toBe(true);
    expect(other.incident).toBe(false);
  });

  it("makes exactly one incident of 50 failures recorded at once on two instances", async () => {
    // Prepare
    const { counters } = await make();
    const failures = Array.from({ length: 50 }, (_, i) => denied(i % 15, { second: i }));

    // Act
    const verdicts = await Promise.all(
      failures.map((f, i) => (counters[i % 2] as AccessFailureCounter).record(f, ARN)),
    );

    // Assess
    expect(verdicts.filter((v) => v.incident)).toHaveLength(1);
    expect(new Set(verdicts.map((v) => v.count)).size).toBe(50);
    expect(Math.max(...verdicts.map((v) => v.count))).toBe(50);
    expect(verdicts.filter((v) => v.count >= 3 && !v.incident).every((v) => v.suppressed >= 1)).toBe(true);
  });

  it("keeps at most MAX_SESSIONS sessions of a fleet failing at once, and counts every failure", async () => {
    // Prepare
    const { counters } = await make();
    const failures = Array.from({ length: MAX_SESSIONS + 10 }, (_, i) =>
      denied(1, { principalArn: `arn:aws:sts::123456789012:assumed-role/orders-app/s-${i}`, second: i }),
    );

    // Act
    await Promise.all(failures.map((f, i) => (counters[i % 2] as AccessFailureCounter).record(f, ARN, 1000)));
    const last = await counters[0].record(denied(2), ARN, 1000);

    // Assess
    expect(last.count).toBe(MAX_SESSIONS + 11);
    expect(last.sessions).toHaveLength(MAX_SESSIONS);
    expect(last.sessions).toEqual([...last.sessions].sort());
  });

  it("sets the TTL attribute a little past the window's end", async () => {
    // Prepare
    const { counters, expiration } = await make();
    const failure = denied(7);

    // Act
    await counters[0].record(failure, ARN);
    await counters[1].record(denied(8), ARN);

    // Assess
    const end = Date.UTC(2026, 10, 23, 9, 15);
    expect(await expiration(accessWindowOf(failure, ARN, 15).id)).toBe((end + EXPIRY_MARGIN_MS) / 1000);
  });
});

describe("memory access-failure counter", () => {
  it("forgets expired windows as it records, without anyone calling prune", async () => {
    // Prepare: failures of 50 principals, then one more two hours later.
    const counter = new MemoryAccessFailureCounter(15, 3);
    for (let i = 0; i < 50; i++)
      await counter.record(denied(0, { principalArn: `arn:aws:iam::123456789012:role/r-${i}` }), ARN);
    const before = counter.size;

    // Act
    await counter.record({ ...denied(0), observedAt: new Date(Date.UTC(2026, 10, 23, 11, 30)) }, ARN);

    // Assess
    expect(before).toBe(50);
    expect(counter.size).toBe(1);
  });

  it("still counts a late failure in its window until the window expires", async () => {
    // Prepare
    const counter = new MemoryAccessFailureCounter(15, 2);
    await counter.record(denied(14), ARN);
    await counter.record(denied(40), ARN);

    // Act: delivered late, after a failure of a later window.
    const late = await counter.record(denied(14, { second: 30 }), ARN);

    // Assess
    expect(late).toMatchObject({ incident: true, count: 2 });
  });

  it("reopens an incident of a finding of no event (drawn token), and not another's", async () => {
    // Prepare
    const counter = new MemoryAccessFailureCounter(15, 1);
    const { origin: _, ...first } = denied(0);
    const { origin: __, ...second } = denied(1);
    expect((await counter.record(first, ARN)).incident).toBe(true);

    // Act
    await counter.reopen(second, ARN);
    const notReopened = await counter.record(second, ARN);
    await counter.reopen(first, ARN);
    const reopened = await counter.record({ ...denied(2) }, ARN);

    // Assess
    expect(notReopened.incident).toBe(false);
    expect(reopened).toMatchObject({ incident: true, count: 1 });
  });
});

describe("DynamoDB access-failure counter when the claim of an incident fails", () => {
  it.each([
    ["before it reached the table (throttled)", false],
    ["after it was written (its answer lost)", true],
  ])("throws a retryable AdapterError %s and gives the failure and the claim back: the next failure makes the incident", async (_name, written) => {
    // Prepare: the table fails the first claim; the counter runs on with it.
    const client = motoDynamoClient(moto.endpoint);
    const name = await createStateTable(client, `governor-windows-${++tables}`);
    let failed = false;
    client.middlewareStack.add(
      (next) => async (args) => {
        const expression = (args.input as { UpdateExpression?: string }).UpdateExpression ?? "";
        if (failed || !expression.startsWith("SET #reportedBy")) return next(args);
        failed = true;
        if (written) await next(args);
        throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $retryable: {} });
      },
      { step: "initialize", name: "failFirstClaim" },
    );
    const counter = new DynamoAccessFailureCounter(client, name, 15, 3);
    await counter.record(denied(0), ARN);
    await counter.record(denied(1), ARN);
    const third = denied(2);

    // Act
    const error = await counter.record(third, ARN).catch((e: unknown) => e);
    const next = await counter.record(denied(3), ARN);
    const retry = await counter.record({ ...third }, ARN);

    // Assess
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).retryable).toBe(true);
    expect(next).toMatchObject({ incident: true, count: 3 });
    expect(retry).toMatchObject({ incident: false, count: 4, suppressed: 1 });
  });
});

describe("DynamoDB access-failure counter on an unreachable table", () => {
  it.each([
    ["a closed port", "http://127.0.0.1:9", "governor-state"],
    ["a table that does not exist", undefined, "no-such-table"],
  ])("throws a retryable AdapterError for %s, so the event is retried", async (_name, endpoint, tableName) => {
    // Prepare
    const counter = new DynamoAccessFailureCounter(
      motoDynamoClient(endpoint ?? moto.endpoint),
      tableName,
      15,
      3,
    );

    // Act
    const errors = [
      await counter.record(denied(0), ARN).catch((e: unknown) => e),
      await counter.reopen(denied(0), ARN).catch((e: unknown) => e),
    ];

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(AdapterError);
      expect((error as AdapterError).retryable).toBe(true);
    }
  });
});
