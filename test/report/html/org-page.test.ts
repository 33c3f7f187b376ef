import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { OrgView } from "../../../src/domain/org-view.js";
import type { OrgRollup } from "../../../src/policy/org-rollup.js";
import { runCli } from "../../helpers/cli.js";
import { HOSTILE_NAMES } from "./hostile-inventory.js";
import { hostileOrg } from "./hostile-org.js";

const NOW = "2026-11-23T00:00:00Z";
const { dir } = hostileOrg(NOW);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
const escaped = (name: string) =>
  name
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
const island = (html: string) =>
  /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
const card = (html: string, id: string) =>
  new RegExp(
    `<div class="card [^"]*" id="${id}"><div class="label">[^<]*</div><div class="value">([^<]*)</div>`,
  ).exec(html)?.[1];
const usdOf = (html: string, svg: string) =>
  [
    ...(new RegExp(`<svg id="${svg}"[\\s\\S]*?</svg>`).exec(html)?.[0] ?? "").matchAll(
      /data-usd="([\d.]+)"/g,
    ),
  ].map((m) => Math.round(Number(m[1]) * 100));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

async function orgPlanPage(): Promise<{ html: string; rollup: OrgRollup; stdout: string; stderr: string }> {
  const out = join(dir, "org.html");
  const made = await runCli("org", "plan", dir, "--now", NOW, "--html", out);
  expect(made.code, made.stderr).toBe(0);
  const json = await runCli("org", "plan", dir, "--now", NOW, "--format", "json");
  return { html: readFileSync(out, "utf8"), rollup: JSON.parse(json.stdout), ...made };
}

describe("the organization's HTML report (governor org plan --html)", () => {
  it("writes only the page with --html alone, and says what it holds on stderr", async () => {
    const { stdout, stderr, rollup } = await orgPlanPage();
    expect(stdout).toBe("");
    const t = rollup.totals;
    expect(stderr).toBe(
      `report: wrote ${join(dir, "org.html")}: ${t.accountRegions} account-regions, ${t.secrets} secrets, ${t.unused} unused ($${t.unusedMonthlyCostUsd.toFixed(2)}/month), ${t.deletionsDueTotal} deletions due in 7 days\n`,
    );
  });

  it("allows its one style and one script by hash and nothing else: no URL in the whole file", async () => {
    const { html } = await orgPlanPage();
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] as string);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
    expect(styles).toHaveLength(1);
    expect(scripts).toHaveLength(1);
    expect(csp).toBe(
      `default-src 'none'; style-src ${sha256(styles[0] as string)}; script-src ${sha256(scripts[0] as string)}; base-uri 'none'; form-action 'none'`,
    );
    expect(html).not.toMatch(/https?:|@import|url\(/i);
    expect(html.replace(/="[^"]*"/g, "")).not.toMatch(/<[^>]*\s(src|href|xlink:href|action|srcset)=/i);
    expect(html.match(/<script\b/g)).toHaveLength(2);
  });

  it("shows the roll-up's figures to the cent: cards, both charts, every account-region", async () => {
    const { html, rollup } = await orgPlanPage();
    const t = rollup.totals;
    expect(card(html, "card-secrets")).toBe(String(t.secrets));
    expect(card(html, "card-cost")).toBe(`$${t.monthlyCostUsd.toFixed(2)}`);
    expect(card(html, "card-unused")).toBe(String(t.unused));
    expect(card(html, "card-unused-cost")).toBe(`$${t.unusedMonthlyCostUsd.toFixed(2)}`);
    expect(card(html, "card-realised")).toBe(`$${t.realisedMonthlySavingsUsd.toFixed(2)}`);
    expect(card(html, "card-projected")).toBe(`$${t.projectedMonthlySavingsUsd.toFixed(2)}`);
    expect(card(html, "card-due")).toBe(String(t.deletionsDueTotal));
    expect(card(html, "card-silent")).toBe("n/a");
    const unused = Math.round(t.unusedMonthlyCostUsd * 100);
    expect(sum(usdOf(html, "cost-by-account"))).toBe(unused);
    expect(sum(usdOf(html, "cost-by-team"))).toBe(unused);
    const data = JSON.parse(island(html)) as { rows: { monthlyCostUsd: number }[] };
    expect(data.rows.map((r) => r.monthlyCostUsd)).toEqual(
      rollup.accountRegions.map((s) => s.monthlyCostUsd),
    );
    expect((html.match(/<tr data-row="/g) ?? []).length).toBe(rollup.accountRegions.length);
    expect(html.match(/<g class="due"/g)).toHaveLength(rollup.deletionsDue.length);
  });

  it("holds the hostile team and secret names only escaped: as text, in attributes, and in the JSON island", async () => {
    const { html } = await orgPlanPage();
    const json = island(html);
    const markup = html.replace(json, "");
    for (const name of HOSTILE_NAMES) {
      expect(markup).not.toContain(name);
      expect(markup).toContain(escaped(name));
    }
    // Team names as bar keys (an attribute), secret names on the timeline and in the list of deletions.
    expect(markup).toContain(`data-key="${escaped(HOSTILE_NAMES[1])}"`);
    expect(markup).toContain(`<div class="name">${escaped(HOSTILE_NAMES[0])}</div>`);
    expect(json).not.toContain("<");
    expect(markup).not.toMatch(/<(img|svg onload|iframe|object|embed)\b/i);
  });
});

describe("the organization's HTML report (governor org report --input --html)", () => {
  it("shows the view's figures and its silent governors; --format json adds the view on stdout", async () => {
    const out = join(dir, "org-report.html");
    const args = ["org", "report", "--input", "examples/org-events.json", "--now", "2026-11-23T12:00:00Z"];
    const { code, stdout, stderr } = await runCli(...args, "--html", out, "--format", "json");
    expect(code, stderr).toBe(0);
    const view = JSON.parse(stdout) as OrgView;
    expect(stderr).toContain(
      `report: wrote ${out}: 6 account-regions, 420 secrets, 33 unused ($13.20/month), 2 deletions due in 7 days, 1 silent governor\n`,
    );
    const html = readFileSync(out, "utf8");
    expect(card(html, "card-secrets")).toBe(String(view.totals.secrets));
    expect(card(html, "card-unused-cost")).toBe(`$${view.totals.unusedMonthlyCostUsd.toFixed(2)}`);
    expect(card(html, "card-silent")).toBe(String(view.silent.length));
    expect(sum(usdOf(html, "cost-by-account"))).toBe(Math.round(view.totals.unusedMonthlyCostUsd * 100));
    const rows = (
      JSON.parse(island(html)) as { rows: { accountId: string; region: string; silent: boolean }[] }
    ).rows;
    expect(rows.filter((r) => r.silent).map((r) => [r.accountId, r.region])).toEqual(
      view.silent.map((s) => [s.accountId, s.region]),
    );
    expect(html).toContain('<select id="silent-filter"');
  });
});
