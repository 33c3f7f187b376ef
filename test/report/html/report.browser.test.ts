import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../helpers/browser.js";
import { runCli } from "../../helpers/cli.js";
import { HOSTILE_NAMES, hostileInventory } from "./hostile-inventory.js";

/**
 * The HTML report in a real browser (Debian's Chromium, driven by playwright-core): no console or page error, the
 * figures of the charts and the table equal the plan's JSON to the cent, sorting and filtering work, and hostile
 * names run nothing. One browser for the file.
 */

const NOW = "2026-11-23T00:00:00Z";
const { file, dir } = hostileInventory();
const html = join(dir, "report.html");

interface Plan {
  decisions: {
    arn: string;
    name: string;
    finding: string;
    stage: string | null;
    next?: { action: string; on: string };
    steps: { kind: string; recoveryWindowDays?: number }[];
  }[];
  secrets: { arn: string; name: string; team: string | null; monthlyCostUsd: number; unused: boolean }[];
  summary: { secrets: number; unused: number; unusedMonthlyCostUsd: number; monthlyCostUsd: number };
}

let browser: Browser;
let page: Page;
let plan: Plan;
const problems: string[] = [];
const dialogs: string[] = [];

const cents = (values: (string | null)[]) => values.reduce((t, v) => t + Math.round(Number(v) * 100), 0);

beforeAll(async () => {
  const made = await runCli("report", "--inventory", file, "--now", NOW, "--html", html);
  expect(made.code, made.stderr).toBe(0);
  const json = await runCli("plan", "--inventory", file, "--now", NOW, "--format", "json");
  plan = JSON.parse(json.stdout);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  // Nothing may be fetched: any request but the file itself is a failure.
  page.on("request", (r) => {
    if (r.url() !== `file://${html}`) problems.push(`request: ${r.url()}`);
  });
  await page.goto(`file://${html}`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the HTML report in Chromium", { timeout: 60_000 }, () => {
  it("shows the summary cards with the plan's figures", async () => {
    const value = (id: string) => page.locator(`#${id} .value`).textContent();
    expect(await value("card-secrets")).toBe(String(plan.summary.secrets));
    expect(await value("card-unused")).toBe(String(plan.summary.unused));
    expect(await value("card-unused-cost")).toBe(`$${plan.summary.unusedMonthlyCostUsd.toFixed(2)}`);
  });

  it("charts the unused cost by team to the cent: each bar its team's unused secrets, all the summary", async () => {
    const bars = page.locator("#cost-by-team g.bar");
    const keys = await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-key")));
    const usd = await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-usd")));
    const shown = await page.locator("#cost-by-team .bar-value").allTextContents();
    expect(cents(usd) / 100).toBe(plan.summary.unusedMonthlyCostUsd);
    expect(shown).toEqual(usd.map((u) => `$${u}`));
    keys.forEach((key, i) => {
      const team = plan.secrets.filter((s) => s.unused && (s.team ?? "no team tag") === key);
      expect(usd[i]).toBe((cents(team.map((s) => String(s.monthlyCostUsd))) / 100).toFixed(2));
    });
    // Hostile team tags are chart labels too: as text.
    expect(keys).toContain(HOSTILE_NAMES[0]);
  });

  it("charts the same cost by stage, and the funnel counts the secrets in each stage", async () => {
    const usd = await page
      .locator("#cost-by-stage g.bar")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-usd")));
    expect(cents(usd) / 100).toBe(plan.summary.unusedMonthlyCostUsd);
    const here = await page
      .locator("#funnel g.funnel-step")
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute("data-stage"), Number(e.getAttribute("data-here"))]),
      );
    const lifecycle = plan.decisions.filter((d) => d.finding === "unused" && d.stage !== null);
    for (const [stage, count] of here) expect(count).toBe(lifecycle.filter((d) => d.stage === stage).length);
  });

  it("puts the deletions due in 30 days on the timeline", async () => {
    const due = await page
      .locator("#timeline g.due")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-date")));
    const day = (iso: string) => Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.parse(NOW)) / 86_400_000);
    const expected = plan.decisions.flatMap((d) => {
      const scheduling = d.steps.find((s) => s.kind === "schedule-deletion");
      if (d.next?.action === "schedule-deletion") return [d.next.on];
      if (scheduling)
        return [
          new Date(Date.parse(NOW) + (scheduling.recoveryWindowDays ?? 0) * 86_400_000)
            .toISOString()
            .slice(0, 10),
        ];
      return [];
    });
    expect(due.sort()).toEqual(expected.filter((d) => day(d) >= 0 && day(d) <= 30).sort());
    expect(due.length).toBeGreaterThan(0);
  });

  it("lists every decision in the table with its secret's cost, to the cent", async () => {
    const rows = page.locator("#secrets tbody tr");
    expect(await rows.count()).toBeGreaterThanOrEqual(plan.decisions.length);
    const secrets = new Map(plan.secrets.map((s) => [s.arn, s]));
    const names = await page.locator("#secrets tbody tr .name").allTextContents();
    const usd = await page
      .locator('#secrets tbody tr td[data-col="monthlyCostUsd"]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute("data-usd"), e.textContent]));
    plan.decisions.forEach((d, i) => {
      expect(names[i]).toBe(d.name);
      const cost = (secrets.get(d.arn)?.monthlyCostUsd ?? -1).toFixed(2);
      expect(usd[i]).toEqual([cost, `$${cost}`]);
    });
  });

  it("sorts by a column when its heading is clicked, and the other way on a second click", async () => {
    const costs = () =>
      page
        .locator('#secrets tbody tr td[data-col="monthlyCostUsd"]')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-usd"))));
    const header = page.locator('#secrets th[data-key="monthlyCostUsd"]');
    await header.locator("button").click();
    const up = await costs();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(await header.getAttribute("aria-sort")).toBe("ascending");
    await header.locator("button").click();
    const down = await costs();
    expect(down).toEqual([...down].sort((a, b) => b - a));
    expect(await header.getAttribute("aria-sort")).toBe("descending");
    expect(new Set(up)).toEqual(new Set([0, 0.4]));

    await page.locator('#secrets th[data-key="name"] button').click();
    const names = await page.locator("#secrets tbody tr .name").allTextContents();
    const sorted = await page.evaluate((list) => [...list].sort((a, b) => a.localeCompare(b)), names);
    expect(names).toEqual(sorted);
  });

  it("filters as one types, and by stage", async () => {
    const visible = () => page.locator("#secrets tbody tr:visible .name").allTextContents();
    await page.locator("#filter").fill("flagged-20d");
    expect(await visible()).toEqual(["app/flagged-20d"]);
    expect(await page.locator("#shown").textContent()).toMatch(/^1 of \d+$/);
    await page.locator("#filter").fill("onerror");
    expect(await visible()).toEqual([HOSTILE_NAMES[0]]);
    await page.locator("#filter").fill("no such secret anywhere");
    expect(await visible()).toEqual([]);
    await page.locator("#filter").fill("");
    await page.locator("#stage-filter").selectOption("quarantined");
    expect((await visible()).sort()).toEqual(
      plan.decisions
        .filter((d) => d.stage === "quarantined")
        .map((d) => d.name)
        .sort(),
    );
    await page.locator("#stage-filter").selectOption("");
    expect(await page.locator("#secrets tbody tr:visible").count()).toBe(
      await page.locator("#secrets tbody tr").count(),
    );
  });

  it("runs nothing from hostile names, tags and descriptions: no dialog, no injected element", async () => {
    await page.locator("#filter").fill("");
    await page.locator("#stage-filter").selectOption("");
    // Hover and focus what an injected handler would hang on.
    for (const cell of await page.locator('#secrets tbody td[data-col="name"]').all()) await cell.hover();
    for (const bar of await page.locator("#cost-by-team g.bar").all()) await bar.hover();
    await page.keyboard.press("Tab");
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(await page.locator("img, iframe, object, embed, svg svg, b, i").count()).toBe(0);
    expect(await page.locator("script").count()).toBe(2);
    expect(await page.locator("[onerror], [onmouseover], [onfocus], [onload], [autofocus]").count()).toBe(0);
    for (const name of HOSTILE_NAMES)
      expect(await page.locator("#secrets .name", { hasText: name }).count()).toBeGreaterThan(0);
  });

  it("has no console error, page error or request, and leaves a screenshot for review", async () => {
    await page.locator("#filter").fill("");
    mkdirSync("test-output", { recursive: true });
    await page.screenshot({ path: "test-output/report.png", fullPage: true });
    expect(problems).toEqual([]);
  });
});
