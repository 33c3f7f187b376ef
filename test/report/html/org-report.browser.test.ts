import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrgView } from "../../../src/domain/org-view.js";
import type { OrgRollup } from "../../../src/policy/org-rollup.js";
import { launchChromium } from "../../helpers/browser.js";
import { runCli } from "../../helpers/cli.js";
import { HOSTILE_NAMES } from "./hostile-inventory.js";
import { hostileOrg } from "./hostile-org.js";

/**
 * The organization's HTML report in a real browser (Debian's Chromium, driven by playwright-core), made by
 * `governor org plan --html` from examples/org with hostile team and secret names added: no console or page error,
 * no request, the cards, charts and table equal the roll-up's JSON to the cent, sorting and filtering work, and
 * hostile names run nothing. Then `governor org report --input --html`: its silent governors and their filter.
 */

const NOW = "2026-11-23T00:00:00Z";
const { dir } = hostileOrg(NOW);
const html = join(dir, "org.html");
const viewHtml = join(dir, "org-view.html");

let browser: Browser;
let page: Page;
let rollup: OrgRollup;
const problems: string[] = [];
const dialogs: string[] = [];

const cents = (values: (string | number | null)[]) =>
  values.reduce<number>((t, v) => t + Math.round(Number(v) * 100), 0);
const dollars = (usd: number) => `$${usd.toFixed(2)}`;

async function open(file: string): Promise<Page> {
  const opened = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  opened.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  opened.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  opened.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  // Nothing may be fetched: any request but the file itself is a failure.
  opened.on("request", (r) => {
    if (r.url() !== `file://${file}`) problems.push(`request: ${r.url()}`);
  });
  await opened.goto(`file://${file}`);
  return opened;
}

beforeAll(async () => {
  const made = await runCli("org", "plan", dir, "--now", NOW, "--html", html);
  expect(made.code, made.stderr).toBe(0);
  const json = await runCli("org", "plan", dir, "--now", NOW, "--format", "json");
  rollup = JSON.parse(json.stdout);
  browser = await launchChromium();
  page = await open(html);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowTexts = (col: string) =>
  page.locator(`#account-regions tbody tr:visible td[data-col="${col}"]`).allTextContents();

describe("the organization's HTML report in Chromium (governor org plan --html)", { timeout: 60_000 }, () => {
  it("shows the summary cards with the roll-up's figures", async () => {
    const value = (id: string) => page.locator(`#${id} .value`).textContent();
    const t = rollup.totals;
    expect(await value("card-secrets")).toBe(String(t.secrets));
    expect(await value("card-cost")).toBe(dollars(t.monthlyCostUsd));
    expect(await value("card-unused")).toBe(String(t.unused));
    expect(await value("card-unused-cost")).toBe(dollars(t.unusedMonthlyCostUsd));
    expect(await value("card-realised")).toBe(dollars(t.realisedMonthlySavingsUsd));
    expect(await value("card-projected")).toBe(dollars(t.projectedMonthlySavingsUsd));
    expect(await value("card-due")).toBe(String(t.deletionsDueTotal));
    expect(await value("card-silent")).toBe("n/a");
  });

  it("charts the unused cost by account to the cent: each bar its account-regions', all the total", async () => {
    const bars = page.locator("#cost-by-account g.bar");
    const keys = await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-key")));
    const usd = await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-usd")));
    expect(cents(usd) / 100).toBe(rollup.totals.unusedMonthlyCostUsd);
    expect(await page.locator("#cost-by-account .bar-value").allTextContents()).toEqual(
      usd.map((u) => `$${u}`),
    );
    keys.forEach((key, i) => {
      const rows = rollup.accountRegions.filter((s) => s.accountId === key);
      expect(usd[i]).toBe((cents(rows.map((s) => s.unusedMonthlyCostUsd)) / 100).toFixed(2));
    });
    expect(new Set(keys)).toEqual(new Set(rollup.accountRegions.map((s) => s.accountId)));
  });

  it("charts the unused cost by team to the cent, hostile team names as labels", async () => {
    const bars = page.locator("#cost-by-team g.bar");
    const pairs = await bars.evaluateAll((els) =>
      els.map((e) => [e.getAttribute("data-key"), e.getAttribute("data-usd")]),
    );
    expect(pairs).toEqual(
      rollup.byTeam.filter((t) => t.unused > 0).map((t) => [t.team, t.unusedMonthlyCostUsd.toFixed(2)]),
    );
    expect(cents(pairs.map(([, usd]) => usd ?? null)) / 100).toBe(rollup.totals.unusedMonthlyCostUsd);
    expect(pairs.map(([key]) => key)).toContain(HOSTILE_NAMES[1]);
  });

  it("puts every deletion due in 7 days on the timeline and in the list beside it", async () => {
    const due = await page
      .locator("#timeline g.due")
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute("data-date"), Number(e.getAttribute("data-days"))]),
      );
    expect(due).toEqual(
      rollup.deletionsDue.map((d) => [
        d.on.slice(0, 10),
        Math.round((Date.parse(`${d.on.slice(0, 10)}T00:00:00Z`) - Date.parse(NOW)) / 86_400_000),
      ]),
    );
    expect(await page.locator("#deletions-due tbody .name").allTextContents()).toEqual(
      rollup.deletionsDue.map((d) => d.name),
    );
    expect(due.length).toBe(rollup.totals.deletionsDueTotal);
  });

  it("lists every account-region with the roll-up's figures, to the cent", async () => {
    expect(await page.locator("#account-regions tbody tr").count()).toBe(rollup.accountRegions.length);
    expect(await rowTexts("accountId")).toEqual(rollup.accountRegions.map((s) => s.accountId));
    expect(await rowTexts("region")).toEqual(rollup.accountRegions.map((s) => s.region));
    expect(await rowTexts("secrets")).toEqual(rollup.accountRegions.map((s) => String(s.secrets)));
    for (const key of [
      "monthlyCostUsd",
      "unusedMonthlyCostUsd",
      "realisedMonthlySavingsUsd",
      "projectedMonthlySavingsUsd",
    ] as const) {
      const usd = await page
        .locator(`#account-regions tbody tr td[data-col="${key}"]`)
        .evaluateAll((els) => els.map((e) => [e.getAttribute("data-usd"), e.textContent]));
      expect(usd).toEqual(rollup.accountRegions.map((s) => [s[key].toFixed(2), dollars(s[key])]));
    }
    expect(await rowTexts("deletionsDue")).toEqual(
      rollup.accountRegions.map((s) => String(s.deletionsDueTotal)),
    );
  });

  it("sorts by a column when its heading is clicked, and the other way on a second click", async () => {
    const costs = async () => (await rowTexts("unusedMonthlyCostUsd")).map((t) => Number(t.slice(1)));
    const header = page.locator('#account-regions th[data-key="unusedMonthlyCostUsd"]');
    await header.locator("button").click();
    const up = await costs();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(await header.getAttribute("aria-sort")).toBe("ascending");
    await header.locator("button").click();
    const down = await costs();
    expect(down).toEqual([...down].sort((a, b) => b - a));
    expect(await header.getAttribute("aria-sort")).toBe("descending");
    expect(new Set(up).size).toBeGreaterThan(1);

    await page.locator('#account-regions th[data-key="region"] button').click();
    const regions = await rowTexts("region");
    expect(regions).toEqual([...regions].sort());
    expect(
      await page.locator('#account-regions th[data-key="unusedMonthlyCostUsd"]').getAttribute("aria-sort"),
    ).toBe("none");
  });

  it("filters as one types, and by mode", async () => {
    await page.locator("#filter").fill("444455556666");
    expect((await rowTexts("accountId")).sort()).toEqual(["444455556666", "444455556666"]);
    expect(await page.locator("#shown").textContent()).toBe(`2 of ${rollup.accountRegions.length}`);
    await page.locator("#filter").fill("us-east");
    expect(await rowTexts("region")).toEqual(["us-east-1", "us-east-1", "us-east-1"]);
    await page.locator("#filter").fill("");
    await page.locator("#mode-filter").selectOption("enforce");
    expect(await rowTexts("accountId")).toEqual([]);
    await page.locator("#mode-filter").selectOption("report");
    expect((await rowTexts("accountId")).length).toBe(rollup.accountRegions.length);
    await page.locator("#mode-filter").selectOption("");
    // Offline: no heartbeat, so no silence to filter by.
    expect(await page.locator("#silent-filter").count()).toBe(0);
  });

  it("runs nothing from hostile team and secret names: no dialog, no injected element", async () => {
    for (const bar of await page.locator("#cost-by-team g.bar").all()) await bar.hover();
    // Labels may overlap another marker: hover each where it is, whatever lies on top.
    for (const due of await page.locator("#timeline g.due").all()) await due.hover({ force: true });
    for (const cell of await page.locator("#deletions-due tbody td").all()) await cell.hover();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(await page.locator("img, iframe, object, embed, svg svg, b, i").count()).toBe(0);
    expect(await page.locator("script").count()).toBe(2);
    expect(await page.locator("[onerror], [onmouseover], [onfocus], [onload], [autofocus]").count()).toBe(0);
    const listed = await page.locator("#deletions-due tbody .name").allTextContents();
    for (const i of [0, 2, 4]) expect(listed).toContain(HOSTILE_NAMES[i]);
    const labels = await page.locator("#cost-by-team g.bar title").allTextContents();
    for (const i of [1, 3]) expect(labels.some((l) => l.startsWith(`${HOSTILE_NAMES[i]}:`))).toBe(true);
  });

  it("has no console error, page error or request, and leaves a screenshot for review", async () => {
    mkdirSync("test-output", { recursive: true });
    await page.screenshot({ path: "test-output/org-report.png", fullPage: true });
    expect(problems).toEqual([]);
  });
});

describe("the org view's HTML report in Chromium (governor org report --input --html)", {
  timeout: 60_000,
}, () => {
  it("shows the silent governors and filters by them", async () => {
    const args = ["org", "report", "--input", "examples/org-events.json", "--now", "2026-11-23T12:00:00Z"];
    const made = await runCli(...args, "--html", viewHtml);
    expect(made.code, made.stderr).toBe(0);
    const view = JSON.parse((await runCli(...args, "--format", "json")).stdout) as OrgView;
    const viewPage = await open(viewHtml);
    expect(await viewPage.locator("#card-silent .value").textContent()).toBe(String(view.silent.length));
    expect(await viewPage.locator("#card-unused-cost .value").textContent()).toBe(
      dollars(view.totals.unusedMonthlyCostUsd),
    );
    await viewPage.locator("#silent-filter").selectOption("true");
    const visible = (col: string) =>
      viewPage.locator(`#account-regions tbody tr:visible td[data-col="${col}"]`).allTextContents();
    expect(await visible("accountId")).toEqual(view.silent.map((s) => s.accountId));
    expect(await visible("region")).toEqual(view.silent.map((s) => s.region));
    expect(await visible("silent")).toEqual(view.silent.map(() => "yes"));
    await viewPage.locator("#silent-filter").selectOption("false");
    expect((await visible("accountId")).length).toBe(view.accountRegions - view.silent.length);
    await viewPage.locator("#mode-filter").selectOption("enforce");
    expect(await visible("mode")).toEqual(Array(view.modes.enforce).fill("enforce"));
    await viewPage.screenshot({ path: "test-output/org-view-report.png", fullPage: true });
    await viewPage.close();
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
