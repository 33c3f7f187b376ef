import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DynamoReportedFindings,
  MemoryReportedFindings,
  REPORTED_SHARDS,
} from "../../src/adapters/reported-findings.js";
import { MemorySecurityFindings, SecurityHubFindings } from "../../src/adapters/security-hub.js";
import { type AsffFinding, findingId, type ReportedFinding, toAsffFinding } from "../../src/domain/asff.js";
import type { ReportedFindings, SecurityFindings } from "../../src/ports.js";
import { arnOf, NOW } from "../fixtures/app/fakes.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient } from "../helpers/moto-dynamodb.js";
import { motoFindings, motoSecurityHubClient } from "../helpers/moto-securityhub.js";

/**
 * The two ports of Security Hub, each the same for its in-memory adapter and its real one on moto_server with
 * the real SDK client: the findings (BatchImportFindings, read back with GetFindings) and the record of findings
 * reported open (the state table). moto 5.2 keeps findings by Id and replaces them on import, as Security Hub
 * does; its GetFindings takes no filters, so the test reads everything back.
 */

let moto: Moto;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

interface Hub {
  sink: SecurityFindings;
  read(): Promise<AsffFinding[]>;
}

const HUBS: [string, () => Hub][] = [
  [
    "memory",
    () => {
      const memory = new MemorySecurityFindings();
      return { sink: memory, read: async () => memory.list() };
    },
  ],
  [
    "Security Hub on moto",
    () => {
      const client = motoSecurityHubClient(moto.endpoint);
      return { sink: new SecurityHubFindings(client), read: () => motoFindings(client) };
    },
  ],
];

function unused(name: string, state: "failed" | "passed" | "archived", now = NOW): AsffFinding {
  return toAsffFinding({
    kind: "unused",
    state,
    secretArn: arnOf(name),
    severity: "LOW",
    title: `Unused secret: ${name}`,
    description: state === "failed" ? "not read for 100 days" : "read again",
    createdAt: new Date("2026-10-01T00:00:00Z"),
    now,
    remediation: `governor restore ${arnOf(name)} --live`,
  });
}

describe.each(HUBS)("security findings (%s)", (_name, make) => {
  beforeEach(async () => {
    await moto.reset();
  });

  it("creates a finding per Id, and replaces it in place on the next import", async () => {
    const hub = make();
    expect(await hub.sink.import([unused("app/a", "failed"), unused("app/b", "failed")])).toEqual({
      imported: 2,
      failed: [],
    });

    const later = new Date(NOW.getTime() + 86_400_000);
    await hub.sink.import([unused("app/a", "passed", later)]);

    const held = await hub.read();
    expect(held).toHaveLength(2);
    const a = held.find((f) => f.Id === findingId("unused", arnOf("app/a")));
    expect(a).toMatchObject({
      Compliance: { Status: "PASSED" },
      Workflow: { Status: "RESOLVED" },
      RecordState: "ACTIVE",
      CreatedAt: "2026-10-01T00:00:00.000Z",
      UpdatedAt: later.toISOString(),
    });
    expect(held.find((f) => f.Id === findingId("unused", arnOf("app/b")))?.Compliance.Status).toBe("FAILED");
  });

  it("imports more than a request holds, all of it", async () => {
    const hub = make();
    const findings = Array.from({ length: 230 }, (_, i) => unused(`app/n-${i}`, "failed"));
    expect((await hub.sink.import(findings)).imported).toBe(230);
    expect((await hub.read()).map((f) => f.Id).sort()).toEqual(findings.map((f) => f.Id).sort());
  });

  it("archives a finding whose secret is gone", async () => {
    const hub = make();
    await hub.sink.import([unused("app/gone", "failed")]);
    await hub.sink.import([unused("app/gone", "archived")]);
    expect((await hub.read()).map((f) => [f.RecordState, f.Compliance.Status])).toEqual([
      ["ARCHIVED", "PASSED"],
    ]);
  });
});

const RECORDS: [string, () => Promise<[ReportedFindings, ReportedFindings]>][] = [
  [
    "memory",
    async () => {
      const shared = new MemoryReportedFindings();
      return [shared, shared];
    },
  ],
  [
    "DynamoDB on moto",
    async () => {
      const client = motoDynamoClient(moto.endpoint);
      const name = await createStateTable(client, `governor-state-sh-${++tables}`);
      return [new DynamoReportedFindings(client, name), new DynamoReportedFindings(client, name)];
    },
  ],
];

const record = (kind: ReportedFinding["kind"], name: string, day: number): ReportedFinding => ({
  kind,
  secretArn: arnOf(name),
  createdAt: new Date(Date.UTC(2026, 9, day)),
  lastSeen: new Date(Date.UTC(2026, 10, day)),
});

const sorted = (list: ReportedFinding[]) =>
  [...list].sort((a, b) => `${a.kind}${a.secretArn}`.localeCompare(`${b.kind}${b.secretArn}`));

describe.each(RECORDS)("reported findings (%s)", (_name, make) => {
  it("lists nothing before anything was remembered, and forgetting then is harmless", async () => {
    const [a] = await make();
    expect(await a.list()).toEqual([]);
    await a.forget([record("unused", "app/x", 1)]);
    expect(await a.list()).toEqual([]);
  });

  it("remembers per secret and kind, replaces on a second remember, forgets exactly what it is told", async () => {
    const [a, b] = await make();
    await a.remember([record("unused", "app/x", 1), record("rotation-failed", "app/x", 2)]);
    // Another instance (an event handler) remembers its own at the same time; nothing of a's is lost.
    await b.remember([record("access-failure", "app/y", 3), record("unused", "app/x", 4)]);

    expect(sorted(await a.list())).toEqual(
      sorted([
        record("unused", "app/x", 4),
        record("rotation-failed", "app/x", 2),
        record("access-failure", "app/y", 3),
      ]),
    );

    await b.forget([record("unused", "app/x", 4)]);
    expect(sorted(await a.list())).toEqual(
      sorted([record("rotation-failed", "app/x", 2), record("access-failure", "app/y", 3)]),
    );
  });

  it("holds many findings across its items", async () => {
    const [a] = await make();
    const many = Array.from({ length: 10 * REPORTED_SHARDS }, (_, i) =>
      record("unused", `app/m-${i}`, 1 + (i % 28)),
    );
    await a.remember(many);
    expect(sorted(await a.list())).toEqual(sorted(many));
    await a.forget(many.slice(0, 100));
    expect(sorted(await a.list())).toEqual(sorted(many.slice(100)));
  });
});
