import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { HOSTILE_NAMES, hostileInventory } from "./hostile-inventory.js";

const NOW = "2026-11-23T00:00:00Z";
const { file, dir } = hostileInventory();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function report(): Promise<string> {
  const out = `${dir}/report.html`;
  const { code, stderr } = await runCli("report", "--inventory", file, "--now", NOW, "--html", out);
  expect(code, stderr).toBe(0);
  return readFileSync(out, "utf8");
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

describe("the HTML report's markup", () => {
  it("allows its one style and one script by hash and nothing else: no URL in the whole file", async () => {
    const html = await report();
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? "";
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] as string);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
    expect(styles).toHaveLength(1);
    expect(scripts).toHaveLength(1);
    expect(csp).toBe(
      `default-src 'none'; style-src ${sha256(styles[0] as string)}; script-src ${sha256(scripts[0] as string)}; base-uri 'none'; form-action 'none'`,
    );
    // Every < from the data is escaped, so a tag here is ours: none loads anything.
    expect(html).not.toMatch(/https?:|@import|url\(/i);
    // Attribute values (all double-quoted, their quotes escaped) set aside: no attribute that loads anything.
    expect(html.replace(/="[^"]*"/g, "")).not.toMatch(/<[^>]*\s(src|href|xlink:href|action|srcset)=/i);
    // The JSON island and the one script: no other script element, whatever the names hold.
    expect(html.match(/<script\b/g)).toHaveLength(2);
  });

  it("holds the hostile names only escaped: as text, in attributes, and in the JSON island", async () => {
    const html = await report();
    const island =
      /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    // Markup, the island aside: there quotes are JSON's and every < is \u003c.
    const markup = html.replace(island, "");
    for (const name of HOSTILE_NAMES) {
      expect(markup).not.toContain(name);
      expect(markup).toContain(
        name
          .replace(/&/g, "&amp;")
          .replace(/</g, "&lt;")
          .replace(/>/g, "&gt;")
          .replace(/"/g, "&quot;")
          .replace(/'/g, "&#39;"),
      );
    }
    expect(island).not.toContain("<");
    const rows = (JSON.parse(island) as { rows: { name: string }[] }).rows.map((r) => r.name);
    for (const name of HOSTILE_NAMES) expect(rows).toContain(name);
    expect(markup).not.toMatch(/<(img|svg onload|iframe|object|embed)\b/i);
  });
});
