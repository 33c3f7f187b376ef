import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOrgStateStore } from "../../src/adapters/org-state.js";
import { aggregateOrgBatch } from "../../src/app/org-aggregate.js";
import { commandHelp } from "../../src/cli/usage.js";
import { runCli } from "../helpers/cli.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import { motoDynamoClient } from "../helpers/moto-dynamodb.js";
import { heartbeatEvent, heartbeatOf, secretArnOf, summaryEvent, summaryOf } from "../helpers/org-events.js";
import { createOrgStateTable } from "../helpers/org-table.js";

const A = "111111111111";
const B = "222222222222";
const NOW = "2026-11-23T12:00:00Z";

const events = [
  summaryEvent(
    summaryOf(A, "eu-west-1", {
      secrets: 5,
      unused: 2,
      monthlyCostUsd: 2,
      unusedMonthlyCostUsd: 0.8,
      byTeam: [{ team: '=HYPERLINK("x")', secrets: 5, unused: 2, unusedMonthlyCostUsd: 0.8 }],
      deletionsDue: [
        { arn: secretArnOf(A, "eu-west-1", "old"), name: "old", team: "t", on: "2026-11-25T00:00:00Z" },
      ],
      deletionsDueTotal: 1,
    }),
  ),
  heartbeatEvent(heartbeatOf(A, "eu-west-1")),
  summaryEvent(summaryOf(B, "us-east-1", { mode: "enforce" })),
  // Forged: A speaking for B.
  summaryEvent(summaryOf(B, "eu-west-1"), { account: A }),
];

let dir = "";
let input = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "org-report-"));
  input = join(dir, "org-events.json");
  writeFileSync(input, JSON.stringify(events));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("governor org report --input", () => {
  it("prints the org view as a table, and says what it refused", async () => {
    const { code, stdout, stderr } = await runCli("org", "report", "--input", input, "--now", NOW);
    expect(code).toBe(0);
    expect(stderr).toContain("1 events refused and 0 ignored (1 account-mismatch)");
    expect(stdout).toContain("Organization: 2 accounts, 2 account-regions");
    expect(stdout).toContain("Secrets: 15 ($6.00/month)   unused: 4 ($1.60/month)");
    expect(stdout).toContain("Silent governors (1):");
    expect(stdout).toMatch(/222222222222\s+us-east-1\s+never/);
    expect(stdout).toMatch(/2026-11-25T00:00:00Z\s+old\s+111111111111/);
  });

  it("--format json is the whole view", async () => {
    const { code, stdout } = await runCli(
      "org",
      "report",
      "--input",
      input,
      "--now",
      NOW,
      "--format",
      "json",
    );
    expect(code).toBe(0);
    const view = JSON.parse(stdout);
    expect(view.totals).toMatchObject({ secrets: 15, monthlyCostUsd: 6, unusedMonthlyCostUsd: 1.6 });
    // Equal unused cost ($0.80): the costlier account first.
    expect(view.byAccount.map((a: { accountId: string }) => a.accountId)).toEqual([B, A]);
    expect(view.silent).toEqual([{ accountId: B, region: "us-east-1" }]);
  });

  it("--format csv has one row per account-region, formulas neutralised", async () => {
    const { code, stdout } = await runCli("org", "report", "--input", input, "--now", NOW, "--format", "csv");
    expect(code).toBe(0);
    expect(stdout.endsWith("\r\n")).toBe(true);
    expect(stdout.replace(/\r\n/g, "")).not.toContain("\n");
    const rows = parse(stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      expect.objectContaining({
        account: A,
        region: "eu-west-1",
        mode: "report",
        monthly_cost_usd: "2",
        silent: "false",
        deletions_due_7d: "1",
      }),
      expect.objectContaining({
        account: B,
        region: "us-east-1",
        mode: "enforce",
        monthly_cost_usd: "4",
        silent: "true",
        last_heartbeat: "",
      }),
    ]);
  });

  it("names the figures it shares with org plan's CSV by the same columns", async () => {
    const report = await runCli("org", "report", "--input", input, "--now", NOW, "--format", "csv");
    const plan = await runCli("org", "plan", "examples/org", "--now", NOW, "--format", "csv");
    const header = (csv: string) => csv.slice(0, csv.indexOf("\r\n")).split(",");
    const shared = [
      "account",
      "region",
      "mode",
      "secrets",
      "unused",
      "monthly_cost_usd",
      "unused_monthly_cost_usd",
      "realised_monthly_savings_usd",
      "projected_monthly_savings_usd",
      "deletions_due_7d",
    ];
    expect(header(report.stdout)).toEqual(expect.arrayContaining(shared));
    expect(header(plan.stdout)).toEqual(expect.arrayContaining(shared));
  });

  it("--html FILE writes the organization's HTML report and, alone, prints only a line on stderr", async () => {
    const out = join(dir, "org.html");
    const { code, stdout, stderr } = await runCli(
      "org",
      "report",
      "--input",
      input,
      "--now",
      NOW,
      "--html",
      out,
    );
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      `report: wrote ${out}: 2 account-regions, 15 secrets, 4 unused ($1.60/month), 1 deletion due in 7 days, 1 silent governor\n`,
    );
    const html = readFileSync(out, "utf8");
    // The formula-like team name is a label like any other: escaped text.
    expect(html).toContain('data-key="=HYPERLINK(&quot;x&quot;)"');
    const csv = await runCli(
      "org",
      "report",
      "--input",
      input,
      "--now",
      NOW,
      "--html",
      out,
      "--format",
      "csv",
    );
    expect(parse(csv.stdout, { columns: true })).toHaveLength(2);
    const bad = await runCli(
      "org",
      "report",
      "--input",
      input,
      "--html",
      join(dir, "no", "such", "dir.html"),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("cannot write the report");
  });

  it("refuses bad usage with exit 2", async () => {
    expect((await runCli("org", "report")).code).toBe(2);
    expect((await runCli("org", "report", "--input", input, "--table", "t")).code).toBe(2);
    expect((await runCli("org", "report", "--input", input, "--format", "xml")).code).toBe(2);
    const none = await runCli("org");
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/Subcommands:[\s\S]*\n {2}report +the organization's view/);
    expect((await runCli("org", "report", "--input", join(dir, "missing.json"))).code).toBe(2);
  });

  it("governor org report --help is its help", async () => {
    const { code, stdout } = await runCli("org", "report", "--help");
    expect(code).toBe(0);
    expect(stdout).toBe(commandHelp("org report"));
    expect((await runCli("help", "org", "report")).stdout).toBe(commandHelp("org report"));
  });
});

describe("examples/org-events.json, the README's offline example", () => {
  it("shows three accounts, one silent governor, two deletions due, and refuses the forged summary", async () => {
    const { code, stdout, stderr } = await runCli(
      "org",
      "report",
      "--input",
      "examples/org-events.json",
      "--now",
      NOW,
    );
    expect(code).toBe(0);
    expect(stderr).toContain("1 events refused and 0 ignored (1 account-mismatch)");
    expect(stdout).toContain("Organization: 3 accounts, 6 account-regions");
    expect(stdout).toContain("Secrets: 420 ($168.00/month)   unused: 33 ($13.20/month)");
    expect(stdout).toMatch(/777788889999\s+us-east-1\s+2026-11-21T06:00:05.000Z\s+1440 min/);
    expect(stdout).toMatch(/111122223333\s+2\s+enforce\s+90\s+\$36\.00/);
  });
});

describe("governor org report --table", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it("reads the central table live (AWS_ENDPOINT_URL: moto)", async () => {
    const client = motoDynamoClient(moto.endpoint);
    const table = await createOrgStateTable(client, "org-report");
    await aggregateOrgBatch(
      events.map((e, i) => ({ id: String(i), body: JSON.stringify(e) })),
      {
        store: new DynamoOrgStateStore(client, table),
        now: new Date(NOW),
        log: { info() {}, warn() {}, error() {} },
      },
    );
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_REGION: "us-east-1",
    });
    try {
      const { code, stdout } = await runCli(
        "org",
        "report",
        "--table",
        table,
        "--now",
        NOW,
        "--format",
        "json",
      );
      expect(code).toBe(0);
      expect(JSON.parse(stdout).totals.secrets).toBe(15);
      // The same view as the organization's HTML report.
      const out = join(dir, "org-table.html");
      const page = await runCli("org", "report", "--table", table, "--now", NOW, "--html", out);
      expect(page.code, page.stderr).toBe(0);
      expect(page.stdout).toBe("");
      const html = readFileSync(out, "utf8");
      expect(html).toContain(`central table ${table}`);
      expect(html).toMatch(/id="card-secrets"><div class="label">Secrets<\/div><div class="value">15</);
      expect(html).toMatch(
        /id="card-silent"><div class="label">Silent governors<\/div><div class="value">1</,
      );
    } finally {
      process.env = saved;
    }
  });
});
