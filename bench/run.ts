/**
 * `npm run bench`: figures, not timed tests. Prints a table and writes bench/results.json.
 * Machine-dependent figures are measured beside a reference from the same run.
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseInventory } from "../src/domain/secret.js";
import { loadPolicy } from "../src/policy/load.js";
import { planAccount } from "../src/policy/plan.js";
import { readPolicyTexts } from "../src/cli/io.js";
import { syntheticInventory } from "./synthetic.js";

const now = new Date("2026-11-23T00:00:00Z");
const results: Record<string, unknown> = {};
const rows: [string, string, string][] = [];

function peakRssMiB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

async function benchPlan(count: number) {
  const text = syntheticInventory(count, now);
  const { policy } = loadPolicy(readPolicyTexts("policies"));
  globalThis.gc?.();
  const start = performance.now();
  const secrets = parseInventory(text, "synthetic");
  const plan = planAccount(secrets, policy, now, { mode: "report" });
  const wallS = (performance.now() - start) / 1000;
  results.plan = {
    secrets: count,
    wallS: Math.round(wallS * 1000) / 1000,
    secretsPerS: Math.round(count / wallS),
    peakRssMiB: peakRssMiB(),
    decisions: plan.decisions.length,
    target: { wallS: 2, peakRssMiB: 1024 },
  };
  rows.push(["plan", `${count} secrets (parse + plan)`, `${wallS.toFixed(3)} s, ${Math.round(count / wallS)} secrets/s, peak RSS ${peakRssMiB()} MiB (target < 2 s, < 1024 MiB)`]);
}

await benchPlan(100_000);

writeFileSync(new URL("./results.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
const width = Math.max(...rows.map((r) => r[1].length));
console.log(`bench (node ${process.version}, ${new Date().toISOString()})`);
for (const [name, what, figure] of rows) console.log(`${name.padEnd(8)} ${what.padEnd(width)}  ${figure}`);
