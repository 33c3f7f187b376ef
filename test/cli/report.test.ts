import { readFileSync, rmSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { terminalSafe } from "../../src/cli/terminal.js";
import { stepsText } from "../../src/report/html/model.js";
import { runCli } from "../helpers/cli.js";
import { FORMULA_NAMES, HOSTILE_NAMES, hostileInventory } from "../report/html/hostile-inventory.js";

const NOW = "2026-11-23T00:00:00Z";
const { file: INVENTORY, dir } = hostileInventory({ formula: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface JsonDecision {
  arn: string;
  name: string;
  finding: string;
  action: string;
  stage: string | null;
  reason: string;
  guard: string | null;
  rule: string | null;
  route: string;
  steps: Parameters<typeof stepsText>[0];
  next?: { action: string; on: string };
  trace: string[];
  outcome?: string;
  detail?: string;
}
interface JsonSecret {
  arn: string;
  team: string | null;
  owner: string | null;
  monthlyCostUsd: number;
  unused: boolean;
  lastAccessed: string | null;
}
interface JsonOutput {
  decisions: JsonDecision[];
  secrets: JsonSecret[];
  summary: Record<string, number>;
}

/** A cell as the CSV must show a JSON value, written apart from src/report/csv.ts: formulas quoted, text cleaned. */
function expectedCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  return terminalSafe(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

/** The CSV parsed back equals the JSON output: one row per decision, its secret's facts beside it. */
function expectCsvEqualsJson(csv: string, json: JsonOutput, outcomes = false): void {
  const records = parse(csv, { columns: true }) as Record<string, string>[];
  const secrets = new Map(json.secrets.map((s) => [s.arn, s]));
  expect(records).toHaveLength(json.decisions.length);
  records.forEach((record, i) => {
    const d = json.decisions[i] as JsonDecision;
    const s = secrets.get(d.arn) as JsonSecret;
    const expected: Record<string, string> = Object.fromEntries(
      Object.entries({
        arn: d.arn,
        name: d.name,
        team: s.team,
        owner: s.owner,
        finding: d.finding,
        rule: d.rule,
        stage: d.stage,
        action: d.action,
        guard: d.guard,
        reason: d.reason,
        route: d.route,
        steps: stepsText(d.steps),
        next_action: d.next?.action,
        next_date: d.next?.on,
        monthly_cost_usd: s.monthlyCostUsd,
        unused: s.unused,
        last_accessed: s.lastAccessed,
        trace: d.trace.join(" > "),
        ...(outcomes ? { outcome: d.outcome, detail: d.detail } : {}),
      }).map(([k, v]) => [k, expectedCell(v)]),
    );
    expect(record).toEqual(expected);
    // Numbers to the cent.
    expect(Number(record.monthly_cost_usd).toFixed(2)).toBe(s.monthlyCostUsd.toFixed(2));
  });
  const unused = records.filter((r) => r.unused === "true" && r.finding === "unused");
  const cents = unused.reduce((t, r) => t + Math.round(Number(r.monthly_cost_usd) * 100), 0);
  expect(cents / 100).toBe(json.summary.unusedMonthlyCostUsd);
}

async function json(...argv: string[]): Promise<JsonOutput> {
  const { code, stdout, stderr } = await runCli(...argv, "--format", "json");
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout);
}

async function csv(...argv: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(...argv, "--format", "csv");
  expect(code, stderr).toBe(0);
  return stdout;
}

describe("--format csv", () => {
  it("plan: the CSV parsed back equals the JSON output, row for row, with CRLF between records", async () => {
    const argv = ["plan", "--inventory", INVENTORY, "--now", NOW];
    const text = await csv(...argv);
    expect(text.split("\r\n")[0]).toBe(
      "arn,name,team,owner,finding,rule,stage,action,guard,reason,route,steps,next_action,next_date,monthly_cost_usd,unused,last_accessed,trace",
    );
    expectCsvEqualsJson(text, await json(...argv));
  });

  it("report: the same rows as plan", async () => {
    const argv = ["--inventory", INVENTORY, "--now", NOW];
    expect(await csv("report", ...argv)).toBe(await csv("plan", ...argv));
    expectCsvEqualsJson(await csv("report", ...argv), await json("report", ...argv));
  });

  it("sweep: each decision with its outcome and detail", async () => {
    const argv = ["sweep", "--account", "examples/account.json", "--now", NOW];
    const text = await csv(...argv);
    expect(text.split("\r\n")[0]).toMatch(/,trace,outcome,detail$/);
    expectCsvEqualsJson(text, await json(...argv), true);
  });

  it.each(FORMULA_NAMES)("neutralises %j at the start of a name, a team and an owner", async (name) => {
    const records = parse(await csv("plan", "--inventory", INVENTORY, "--now", NOW), {
      columns: true,
    }) as Record<string, string>[];
    const row = records.find((r) => r.owner === expectedCell(name));
    expect(row?.name).toBe(terminalSafe(`'${name}`));
    expect(row?.name?.startsWith("'")).toBe(true);
    // The formula names sit at odd and even places: half carry the name as team, half '<i>team</i>'.
    expect([terminalSafe(`'${name}`), "<i>team</i>"]).toContain(row?.team);
  });

  it("keeps the hostile markup names as plain text (CSV has no markup to escape)", async () => {
    const records = parse(await csv("plan", "--inventory", INVENTORY, "--now", NOW), {
      columns: true,
    }) as Record<string, string>[];
    for (const name of HOSTILE_NAMES) expect(records.map((r) => r.name)).toContain(name);
  });
});

describe("governor report", () => {
  it("--html alone: writes the file, says so on stderr, prints nothing on stdout", async () => {
    const out = `${dir}/alone.html`;
    const { code, stdout, stderr } = await runCli(
      "report",
      "--inventory",
      "examples/inventory.json",
      "--now",
      NOW,
      "--html",
      out,
    );
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `report: wrote ${out}: 13 secrets, 8 unused ($3.20/month), 2 deletions due in 30 days\n`,
    );
    expect(readFileSync(out, "utf8")).toMatch(/^<!doctype html>/);
  });

  it("--account: the sweep's decisions in report mode, and the account file left as it was", async () => {
    const before = readFileSync("examples/account.json", "utf8");
    const report = await json(
      "report",
      "--account",
      "examples/account.json",
      "--now",
      NOW,
      "--mode",
      "enforce",
    );
    const sweep = await json("sweep", "--account", "examples/account.json", "--now", NOW, "--mode", "report");
    expect(readFileSync("examples/account.json", "utf8")).toBe(before);
    const strip = ({
      outcome: _o,
      detail: _d,
      policyDocument: _p,
      ...rest
    }: JsonDecision & { policyDocument?: unknown }) => rest;
    expect(report.decisions).toEqual(sweep.decisions.map(strip));
    expect(report.summary).toEqual(sweep.summary);
    expect((report as unknown as { mode: string }).mode).toBe("enforce");
  });

  it("plan --html and sweep --html write the report beside their usual output", async () => {
    const plan = await runCli(
      "plan",
      "--inventory",
      "examples/inventory.json",
      "--now",
      NOW,
      "--html",
      `${dir}/p.html`,
    );
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("Secrets: 13");
    expect(readFileSync(`${dir}/p.html`, "utf8")).toContain('id="cost-by-team"');
    const sweep = await runCli(
      "sweep",
      "--account",
      "examples/account.json",
      "--now",
      NOW,
      "--html",
      `${dir}/s.html`,
    );
    expect(sweep.code).toBe(0);
    expect(readFileSync(`${dir}/s.html`, "utf8")).toContain(
      "sweep of the local account examples/account.json",
    );
  });

  it.each([
    [[], "needs --inventory FILE, --account FILE or --live"],
    [
      ["--inventory", "examples/inventory.json", "--live"],
      "give one of --inventory FILE, --account FILE or --live",
    ],
    [["--account", "examples/account.json", "--compliance", "x.json"], "--compliance goes with --inventory"],
    [
      ["--inventory", "examples/inventory.json", "--format", "xml"],
      "--format must be table, json or csv, not xml",
    ],
  ])("usage %j: exit 2, %s", async (argv, message) => {
    const { code, stderr } = await runCli("report", ...argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain("see 'governor report --help'");
  });

  it("a report that cannot be written is exit 2, named", async () => {
    const { code, stderr } = await runCli(
      "report",
      "--inventory",
      "examples/inventory.json",
      "--html",
      `${dir}/no/such/dir/r.html`,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot write the report .*r\.html: ENOENT/);
  });
});
