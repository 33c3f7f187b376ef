import type { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalAccount } from "../../src/adapters/local-account.js";
import { DynamoReportedFindings } from "../../src/adapters/reported-findings.js";
import { MemorySecurityFindings, SecurityHubFindings } from "../../src/adapters/security-hub.js";
import { processFindings } from "../../src/app/process-findings.js";
import { restoreSecret } from "../../src/app/restore.js";
import { publishRestore, SECURITY_HUB_FAILED, type SecurityHubDeps } from "../../src/app/security-hub.js";
import { runSweep } from "../../src/app/sweep.js";
import { type AsffFinding, AsffFindingSchema, findingId } from "../../src/domain/asff.js";
import type { Secret } from "../../src/domain/secret.js";
import type { FindingsImportResult } from "../../src/ports.js";
import {
  accountOf,
  BREAK_GLASS,
  defaultPolicy,
  entry,
  exampleAccount,
  NOW,
  RecordingLog,
  rotationFailedFinding,
  secretOf,
} from "../fixtures/app/fakes.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient } from "../helpers/moto-dynamodb.js";
import { motoFindings, motoSecurityHubClient } from "../helpers/moto-securityhub.js";

/**
 * Security Hub across the lifecycle, on moto_server with the real SDK clients: findings created by a sweep,
 * updated in place by the next, resolved by a restore and by a secret read again, archived once the secret is
 * deleted; the record of open findings in a state table on moto. The secrets live in the in-memory account,
 * which has the facts moto's Secrets Manager lacks (LastAccessedDate).
 */

const POLICY = defaultPolicy();
const DAY = 86_400_000;
let moto: Moto;
let hub: SecurityHubClient;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
  hub = motoSecurityHubClient(moto.endpoint);
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

async function securityHub(log?: RecordingLog): Promise<SecurityHubDeps> {
  await moto.reset();
  const client = motoDynamoClient(moto.endpoint);
  const table = await createStateTable(client, `governor-state-lifecycle-${++tables}`);
  return {
    sink: new SecurityHubFindings(hub, { share: 1 }),
    reported: new DynamoReportedFindings(client, table),
    ...(log ? { log } : {}),
  };
}

function sweep(account: LocalAccount, now: Date, deps: SecurityHubDeps) {
  return runSweep({
    store: account,
    policy: POLICY,
    mode: "enforce",
    now,
    exemptPrincipals: [BREAK_GLASS],
    securityHub: deps,
  });
}

async function held(): Promise<Map<string, AsffFinding>> {
  const findings = await motoFindings(hub);
  for (const f of findings) expect(AsffFindingSchema.safeParse(f).success, f.Id).toBe(true);
  return new Map(findings.map((f) => [f.Id, f]));
}

const state = (f: AsffFinding | undefined) =>
  f ? `${f.Compliance.Status} ${f.Workflow.Status} ${f.RecordState} ${f.Severity.Label}` : "missing";

/** Replaces a secret's facts, as AWS would report them after a read (the account keeps no other history). */
async function readAgain(account: LocalAccount, name: string, on: Date): Promise<void> {
  const secret = (await account.describe(name)) as Secret;
  account.remove(secret.arn);
  account.add({ ...secret, lastAccessedDate: on });
}

describe("Security Hub across the lifecycle (moto)", () => {
  it("creates findings in a sweep, updates them in place, resolves them on restore and reuse, archives them on deletion", async () => {
    // Prepare
    const deps = await securityHub();
    const account = exampleAccount(NOW);
    const arn = async (name: string) => ((await account.describe(name)) as Secret).arn;
    const ids = {
      stale: findingId("unused", await arn("app/stale")),
      quarantine: findingId("unused", await arn("app/flagged-20d")),
      deletion: findingId("unused", await arn("app/quarantined-20d")),
      usedAgain: findingId("unused", await arn("app/used-again")),
      managed: findingId("unused", await arn("rds!db-7f3a9c1e-2b4d-4e8f-9a6b-1c2d3e4f5a6b")),
    };

    // Act 1: the first sweep
    const first = await sweep(account, NOW, deps);

    // Assess 1: one finding per unused secret, its stage's severity; the way back reported as resolved
    expect(first.securityHub).toEqual({ imported: 9, failed: 0 });
    const day0 = await held();
    expect(day0.size).toBe(9);
    expect(state(day0.get(ids.stale))).toBe("FAILED NEW ACTIVE LOW");
    expect(state(day0.get(ids.quarantine))).toBe("FAILED NEW ACTIVE MEDIUM");
    expect(state(day0.get(ids.deletion))).toBe("FAILED NEW ACTIVE HIGH");
    expect(state(day0.get(ids.usedAgain))).toBe("PASSED RESOLVED ACTIVE INFORMATIONAL");
    expect(state(day0.get(ids.managed))).toBe("WARNING NEW ACTIVE LOW");
    expect(day0.get(ids.stale)?.Remediation.Recommendation.Text).toContain("governor restore");

    // Act 2: the next day's sweep
    const tomorrow = new Date(NOW.getTime() + DAY);
    await sweep(account, tomorrow, deps);

    // Assess 2: the same findings, updated in place: same Ids, CreatedAt kept, UpdatedAt moved
    const day1 = await held();
    expect([...day1.keys()].sort()).toEqual([...day0.keys()].sort());
    for (const [id, f] of day1) {
      expect(f.CreatedAt, id).toBe(day0.get(id)?.CreatedAt);
      if (f.Compliance.Status !== "PASSED") expect(f.UpdatedAt, id).toBe(tomorrow.toISOString());
    }

    // Act 3: a person restores the quarantined secret
    const restored = await restoreSecret("app/flagged-20d", account, { dryRun: false });
    expect(restored.undone).toContain("release");
    await publishRestore((await account.describe("app/flagged-20d")) as Secret, tomorrow, deps);

    // Assess 3: resolved at once, CreatedAt kept
    const afterRestore = (await held()).get(ids.quarantine);
    expect(state(afterRestore)).toBe("PASSED RESOLVED ACTIVE INFORMATIONAL");
    expect(afterRestore?.CreatedAt).toBe(day0.get(ids.quarantine)?.CreatedAt);

    // Act 4: the stale secret is read again, the restored one too, and the deletion completes
    const later = new Date(NOW.getTime() + 2 * DAY);
    await readAgain(account, "app/stale", later);
    await readAgain(account, "app/flagged-20d", later);
    expect(account.remove(await arn("app/quarantined-20d"))).toBe(true);
    const third = await sweep(account, later, deps);

    // Assess 4
    expect(third.securityHub?.failed).toBe(0);
    const day2 = await held();
    expect(day2.size).toBe(9);
    expect(state(day2.get(ids.stale))).toBe("PASSED RESOLVED ACTIVE INFORMATIONAL");
    expect(state(day2.get(ids.quarantine))).toBe("PASSED RESOLVED ACTIVE INFORMATIONAL");
    expect(state(day2.get(ids.deletion))).toBe("PASSED RESOLVED ARCHIVED INFORMATIONAL");
    expect(day2.get(ids.deletion)?.CreatedAt).toBe(day0.get(ids.deletion)?.CreatedAt);
    // What was resolved or archived is forgotten; what is open is remembered.
    const remembered = (await deps.reported.list()).map((r) => findingId(r.kind, r.secretArn));
    expect(remembered).not.toContain(ids.stale);
    expect(remembered).not.toContain(ids.deletion);
    expect(remembered).toContain(findingId("unused", await arn("app/never-used")));
  }, 60_000);

  it("opens a rotation failure from its event, and the sweep resolves it once a rotation succeeds", async () => {
    // Prepare
    const deps = await securityHub();
    const account = accountOf([
      entry("app/db", {
        RotationEnabled: true,
        LastAccessedDate: "2026-11-22T00:00:00Z",
        LastRotatedDate: "2026-10-01T00:00:00Z",
      }),
    ]);
    const secret = await secretOf(account, "app/db");
    const id = findingId("rotation-failed", secret.arn);

    // Act 1: the rotation-failure route handles the event
    await processFindings([rotationFailedFinding(secret.arn)], {
      store: account,
      policy: POLICY,
      mode: "enforce",
      now: NOW,
      exemptPrincipals: [],
      securityHub: deps,
    });

    // Assess 1
    expect(state((await held()).get(id))).toBe("FAILED NEW ACTIVE MEDIUM");

    // Act 2: a sweep before any rotation succeeded keeps it open; one after resolves it
    await sweep(account, new Date(NOW.getTime() + DAY), deps);
    expect(state((await held()).get(id))).toBe("FAILED NEW ACTIVE MEDIUM");
    account.remove(secret.arn);
    account.add({ ...secret, lastRotatedDate: new Date(NOW.getTime() + DAY + 3_600_000) });
    await sweep(account, new Date(NOW.getTime() + 2 * DAY), deps);

    // Assess 2
    const resolved = (await held()).get(id);
    expect(state(resolved)).toBe("PASSED RESOLVED ACTIVE INFORMATIONAL");
    expect(resolved?.CreatedAt).toBe(NOW.toISOString());
  }, 60_000);
});

/** Security Hub that refuses every finding for a while. */
class DownSecurityHub extends MemorySecurityFindings {
  down = true;
  override async import(findings: AsffFinding[]): Promise<FindingsImportResult> {
    if (!this.down) return super.import(findings);
    return {
      imported: 0,
      failed: findings.map((f) => ({ id: f.Id, code: "ThrottlingException", message: "Rate exceeded" })),
    };
  }
}

describe("a Security Hub that fails", () => {
  it("never blocks the governance action, logs and counts what it lost, and the next sweep imports it", async () => {
    // Prepare
    const log = new RecordingLog();
    const deps = await securityHub(log);
    const sink = new DownSecurityHub();
    const account = exampleAccount(NOW);

    // Act: Security Hub refuses everything during the first sweep
    const first = await sweep(account, NOW, { ...deps, sink });

    // Assess: the lifecycle advanced all the same; the loss is logged with its metric field
    expect(first.outcomes.filter((o) => o.outcome === "done").length).toBeGreaterThan(0);
    expect((await secretOf(account, "app/stale")).tags["governor:stage"]).toBe("flagged");
    expect(first.securityHub).toEqual({ imported: 0, failed: 9 });
    const line = log.lines.find((l) => l.message === SECURITY_HUB_FAILED);
    expect(line?.extra.securityHubFailed).toBe(9);

    // Act: Security Hub is back for the next sweep
    sink.down = false;
    const second = await sweep(account, new Date(NOW.getTime() + DAY), { ...deps, sink });

    // Assess: every open finding is imported, none lost
    expect(second.securityHub?.failed).toBe(0);
    expect(sink.list().filter((f) => f.Compliance.Status === "FAILED").length).toBe(7);
  }, 60_000);
});
