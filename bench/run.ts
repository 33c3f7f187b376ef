/**
 * `npm run bench`: figures, not timed tests. Prints a table and writes bench/results.json.
 * Machine-dependent figures are measured beside a reference from the same run.
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { readPolicyTexts } from "../src/cli/io.js";
import { parseInventory } from "../src/domain/secret.js";
import { loadPolicy } from "../src/policy/load.js";
import { planAccount } from "../src/policy/plan.js";
import { benchHandlers } from "./handlers.js";
import { syntheticInventory } from "./synthetic.js";

const now = new Date("2026-11-23T00:00:00Z");
const results: Record<string, unknown> = {};
const rows: [string, string, string][] = [];

function peakRssMiB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function benchPlan(count: number) {
  const text = syntheticInventory(count, now);
  const { policy } = loadPolicy(readPolicyTexts("policies"));
  const walls: number[] = [];
  let decisions = 0;
  // Reference: JSON.parse of the same text, the least any planner must do with it.
  const refStart = performance.now();
  JSON.parse(text);
  const referenceS = (performance.now() - refStart) / 1000;
  for (let run = 0; run < 3; run++) {
    globalThis.gc?.();
    const start = performance.now();
    const secrets = parseInventory(text, "synthetic");
    decisions = planAccount(secrets, policy, now, { mode: "report" }).decisions.length;
    walls.push((performance.now() - start) / 1000);
  }
  const wallS = median(walls);
  results.plan = {
    secrets: count,
    wallS: Math.round(wallS * 1000) / 1000,
    runsS: walls.map((w) => Math.round(w * 1000) / 1000),
    secretsPerS: Math.round(count / wallS),
    peakRssMiB: peakRssMiB(),
    decisions,
    referenceJsonParseS: Math.round(referenceS * 1000) / 1000,
    target: { wallS: 2, peakRssMiB: 1024 },
  };
  rows.push([
    "plan",
    `${count} secrets, parse + plan (median of 3)`,
    `${wallS.toFixed(3)} s, ${Math.round(count / wallS)} secrets/s, peak RSS ${peakRssMiB()} MiB; JSON.parse alone ${referenceS.toFixed(3)} s (target < 2 s, < 1024 MiB)`,
  ]);
}

await benchPlan(100_000);

const { handlers, referenceLoadMs } = await benchHandlers();
results.handlers = handlers;
results.handlersReference = {
  emptyModuleLoadMs: referenceLoadMs,
  target: { bundleBytes: 1_000_000, loadMs: 150 },
};
for (const [name, figures] of Object.entries(handlers))
  rows.push([
    "handler",
    name,
    `${(figures.bundleBytes / 1024).toFixed(0)} KiB minified, cold load ${figures.loadMs} ms (empty module ${referenceLoadMs} ms; target < 1 MB, < 150 ms)`,
  ]);

writeFileSync(new URL("./results.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
const width = Math.max(...rows.map((r) => r[1].length));
console.log(`bench (node ${process.version}, ${new Date().toISOString()})`);
for (const [name, what, figure] of rows) console.log(`${name.padEnd(8)} ${what.padEnd(width)}  ${figure}`);
