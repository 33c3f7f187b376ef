import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import { orgSummarySchema } from "../../src/domain/org-events.js";
import type { OrgRollup } from "../../src/policy/org-rollup.js";
import { runCli } from "../helpers/cli.js";

const root = join(import.meta.dirname, "..", "..");
const NOW = "2026-11-23T00:00:00Z";
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "org-plan-"));
  dirs.push(dir);
  for (const [name, doc] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(doc));
  return dir;
}

const secret = (account: string, region: string, name: string) => ({
  ARN: `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`,
  Name: name,
  CreatedDate: "2024-01-01T00:00:00Z",
  LastAccessedDate: "2026-11-20T00:00:00Z",
  Tags: [],
});

async function rollupOf(dir: string): Promise<OrgRollup> {
  const { code, stdout, stderr } = await runCli("org", "plan", dir, "--now", NOW, "--format", "json");
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as OrgRollup;
}

// The demo organization (examples/org): 3 accounts x 2 regions, planned with the shipped policy.
const DEMO_ROWS = [
  ["111122223333", "eu-west-1", 5, 2, 2.0, 0.8, 0, 0.8],
  ["111122223333", "us-east-1", 3, 1, 0.8, 0.4, 0.4, 0.4],
  ["444455556666", "eu-west-1", 6, 4, 2.4, 1.6, 0, 1.2],
  ["444455556666", "us-east-1", 4, 1, 1.2, 0.4, 0.4, 0.4],
  ["777788889999", "eu-west-1", 3, 2, 1.2, 0.8, 0, 0.8],
  ["777788889999", "us-east-1", 3, 1, 0.8, 0.4, 0.4, 0.4],
];

describe("governor org plan", () => {
  it("plans each account-region of the demo organization and rolls the figures up, to the cent", async () => {
    const rollup = await rollupOf(join(root, "examples/org"));

    expect(
      rollup.accountRegions.map((s) => [
        s.accountId,
        s.region,
        s.secrets,
        s.unused,
        s.monthlyCostUsd,
        s.unusedMonthlyCostUsd,
        s.realisedMonthlySavingsUsd,
        s.projectedMonthlySavingsUsd,
      ]),
    ).toEqual(DEMO_ROWS);
    // Each row is the summary a live governor of that account-region would send.
    for (const summary of rollup.accountRegions)
      expect(orgSummarySchema.safeParse(summary).success).toBe(true);
    expect(rollup.totals).toEqual({
      accounts: 3,
      accountRegions: 6,
      secrets: 24,
      unused: 11,
      monthlyCostUsd: 8.4,
      unusedMonthlyCostUsd: 4.4,
      realisedMonthlySavingsUsd: 1.2,
      projectedMonthlySavingsUsd: 4,
      byStage: { flagged: 1, quarantined: 3, "deletion-scheduled": 3 },
      deletionsDueTotal: 5,
      byMode: { report: 6, enforce: 0 },
    });
    expect(rollup.byTeam).toEqual([
      { team: "payments", secrets: 7, unused: 3, unusedMonthlyCostUsd: 1.2 },
      { team: "platform", secrets: 6, unused: 3, unusedMonthlyCostUsd: 1.2 },
      { team: "data", secrets: 6, unused: 2, unusedMonthlyCostUsd: 0.8 },
      { team: "(no team)", secrets: 2, unused: 1, unusedMonthlyCostUsd: 0.4 },
      { team: "ml", secrets: 2, unused: 1, unusedMonthlyCostUsd: 0.4 },
      { team: "erin", secrets: 1, unused: 1, unusedMonthlyCostUsd: 0.4 },
    ]);
    expect(rollup.deletionsDue.map((d) => [d.on.slice(0, 10), d.accountId, d.name])).toEqual([
      ["2026-11-23", "444455556666", "data/old-etl-s3-keys"],
      ["2026-11-26", "777788889999", "sandbox/hackathon-openai"],
      ["2026-11-26", "111122223333", "payments/2024-migration"],
      ["2026-11-27", "111122223333", "payments/old-merchant-db"],
      ["2026-11-28", "777788889999", "sandbox/old-vpn-psk"],
    ]);
  });

  it("agrees with governor plan on each file", async () => {
    for (const [account, region] of DEMO_ROWS) {
      const file = join(root, "examples/org", `${account}-${region}.json`);
      const single = await runCli("plan", "--inventory", file, "--now", NOW, "--format", "json");
      const { summary } = JSON.parse(single.stdout) as { summary: Record<string, number> };
      const row = (await rollupOf(join(root, "examples/org"))).accountRegions.find(
        (s) => s.accountId === account && s.region === region,
      );
      expect(row).toMatchObject(summary);
    }
  });

  it("is what npm run demo:org prints", async () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["demo:org"]).toBe(`node bin/governor.js org plan examples/org --now ${NOW}`);
    const { stdout } = await promisify(execFile)("sh", ["-c", pkg.scripts["demo:org"] as string], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(stdout).toMatch(/^111122223333 +eu-west-1 +report +5 +2 +\$2\.00 +\$0\.80 +\$0\.00 +\$0\.80 /m);
    expect(stdout).toMatch(
      /^TOTAL \(3 accounts\) +6 acct-regions +0 enforce +24 +11 +\$8\.40 +\$4\.40 +\$1\.20 +\$4\.00 /m,
    );
    expect(stdout).toMatch(/^payments +7 +3 +\$1\.20$/m);
    expect(stdout).toContain("Deletions due in the next 7 days (5):");
    expect(stdout).toMatch(/^2026-11-23 +444455556666 +eu-west-1 +data +data\/old-etl-s3-keys$/m);
    expect(stdout).toContain("Savings: $1.20/month realised, $4.00/month projected");
  });

  it("writes CSV rows of account-regions with a total, of teams, and of deletions due", async () => {
    const dir = join(root, "examples/org");
    const { stdout } = await runCli("org", "plan", dir, "--now", NOW, "--format", "csv");
    // RFC 4180 records end in CRLF, as plan's CSV does.
    expect(stdout.split("\r\n")).toHaveLength(9);
    expect(stdout.replace(/\r\n/g, "")).not.toContain("\n");
    const regions = parse(stdout, { columns: true });
    expect(regions).toHaveLength(7);
    expect(regions[6]).toMatchObject({
      account: "TOTAL",
      secrets: "24",
      monthly_cost_usd: "8.4",
      unused_monthly_cost_usd: "4.4",
    });
    const teams = parse(
      (await runCli("org", "plan", dir, "--now", NOW, "--format", "csv", "--rows", "teams")).stdout,
      {
        columns: true,
      },
    );
    expect(teams[0]).toEqual({ team: "payments", secrets: "7", unused: "3", unused_monthly_cost_usd: "1.2" });
    const due = parse(
      (await runCli("org", "plan", dir, "--now", NOW, "--format", "csv", "--rows", "deletions")).stdout,
      {
        columns: true,
      },
    );
    expect(due).toHaveLength(5);
  });

  it("--html FILE writes the organization's HTML report; --format adds the roll-up on stdout", async () => {
    const dir = folder({});
    const out = join(dir, "org.html");
    const alone = await runCli("org", "plan", join(root, "examples/org"), "--now", NOW, "--html", out);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toBe("");
    expect(alone.stderr).toBe(
      `report: wrote ${out}: 6 account-regions, 24 secrets, 11 unused ($4.40/month), 5 deletions due in 7 days\n`,
    );
    expect(readFileSync(out, "utf8")).toMatch(
      /id="card-unused-cost"><div class="label">Unused cost<\/div><div class="value">\$4\.40</,
    );
    const both = await runCli(
      "org",
      "plan",
      join(root, "examples/org"),
      "--now",
      NOW,
      "--html",
      out,
      "--format",
      "csv",
    );
    expect(both.code).toBe(0);
    expect(parse(both.stdout, { columns: true })).toHaveLength(7);
    const bad = await runCli(
      "org",
      "plan",
      join(root, "examples/org"),
      "--html",
      join(dir, "no", "such.html"),
    );
    expect(bad.code).toBe(2);
  });

  it("takes the account and region from the ARNs of a file not named ACCOUNT-REGION.json", async () => {
    const dir = folder({ "prod.json": { SecretList: [secret("210987654321", "ap-southeast-2", "a")] } });
    const rollup = await rollupOf(dir);
    expect(rollup.accountRegions.map((s) => [s.accountId, s.region, s.secrets])).toEqual([
      ["210987654321", "ap-southeast-2", 1],
    ]);
  });

  it.each([
    [
      "ARNs of another account than its name",
      { "111122223333-eu-west-1.json": { SecretList: [secret("444455556666", "eu-west-1", "a")] } },
      /111122223333-eu-west-1\.json: named for account 111122223333 in eu-west-1, but .* is in account 444455556666, eu-west-1/,
    ],
    [
      "ARNs of another region than its name",
      { "111122223333-eu-west-1.json": { SecretList: [secret("111122223333", "us-east-1", "a")] } },
      /named for account 111122223333 in eu-west-1, but .* us-east-1/,
    ],
    [
      "several accounts in one file",
      {
        "mixed.json": {
          SecretList: [secret("111122223333", "eu-west-1", "a"), secret("444455556666", "eu-west-1", "b")],
        },
      },
      /mixed\.json: secrets of several accounts or regions \(111122223333 eu-west-1, 444455556666 eu-west-1\)/,
    ],
    [
      "two files for one account-region",
      {
        "111122223333-eu-west-1.json": { SecretList: [secret("111122223333", "eu-west-1", "a")] },
        "more.json": { SecretList: [secret("111122223333", "eu-west-1", "b")] },
      },
      /both account 111122223333 in eu-west-1/,
    ],
    [
      "an empty file that does not say whose it is",
      { "empty.json": { SecretList: [] } },
      /name it ACCOUNT-REGION\.json/,
    ],
  ])("refuses %s, with exit 2 and nothing on stdout", async (_, files, message) => {
    const { code, stdout, stderr } = await runCli("org", "plan", folder(files), "--now", NOW);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
  });

  it("counts an empty account-region named ACCOUNT-REGION.json as a row of zeros", async () => {
    const rollup = await rollupOf(folder({ "111122223333-eu-west-1.json": { SecretList: [] } }));
    expect(rollup.accountRegions[0]).toMatchObject({
      accountId: "111122223333",
      secrets: 0,
      monthlyCostUsd: 0,
    });
  });

  it.each([
    [["org", "plan"], /needs one DIR/],
    [["org", "plan", "examples/org", "--format", "xml"], /--format must be table, json or csv/],
    [["org", "plan", "/nonexistent-dir"], /cannot read \/nonexistent-dir/],
    [["org", "plan", "test"], /no \.json inventories/],
  ])("%j: exit 2", async (argv, message) => {
    const { code, stderr } = await runCli(...argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
