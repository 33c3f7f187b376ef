/**
 * `npm run screenshot [-- OUT.png]`: the README's picture of the HTML report (docs/report.png), made from
 * examples/inventory.json on the example date, so anyone can make it again and get the same figures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli/main.js";
import { launchChromium } from "../test/helpers/browser.js";

const out = process.argv[2] ?? "docs/report.png";
const dir = mkdtempSync(join(tmpdir(), "governor-report-"));
const html = join(dir, "report.html");
try {
  const code = await main([
    "report",
    "--inventory",
    "examples/inventory.json",
    "--now",
    "2026-11-23T00:00:00Z",
    "--html",
    html,
  ]);
  if (code !== 0) throw new Error(`governor report exited ${code}`);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`file://${html}`);
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    await browser.close();
  }
  process.stdout.write(`screenshot: ${out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
