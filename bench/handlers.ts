import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

export const HANDLERS = ["config-compliance", "access-failure", "rotation-failure", "sweep"] as const;
/** The central stack's handlers (org/serverless.yml), named as the bench rows show them. */
export const ORG_HANDLERS = {
  "org/aggregate": "org/handlers/aggregate.ts",
  "org/digest": "org/handlers/digest.ts",
} as const;

/** Median of a few runs: module load time is noisy on a shared two-core machine. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Milliseconds to import a module in a fresh Node process, measured inside that process. */
function coldLoadMs(file: string, runs = 5): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      env: {
        ...process.env,
        AWS_REGION: "us-east-1",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
    });
    if (out.status !== 0) throw new Error(`loading ${file} failed: ${out.stderr}`);
    times.push(Number(out.stdout.trim()));
  }
  return Math.round(median(times) * 10) / 10;
}

/**
 * Each handler bundled as the deployment bundles it (esbuild, minified, ESM, node22, the AWS SDK included),
 * its size, and the time to load it cold beside the time to load an empty module in the same way.
 */
export async function benchHandlers(): Promise<{
  handlers: Record<string, { bundleBytes: number; loadMs: number }>;
  referenceLoadMs: number;
}> {
  const dir = mkdtempSync(join(tmpdir(), "governor-bench-"));
  const empty = join(dir, "empty.mjs");
  writeFileSync(empty, "export const handler = async () => ({});\n");
  const referenceLoadMs = coldLoadMs(empty);
  const handlers: Record<string, { bundleBytes: number; loadMs: number }> = {};
  const entries: [string, string][] = [
    ...HANDLERS.map((name): [string, string] => [name, `handlers/${name}.ts`]),
    ...Object.entries(ORG_HANDLERS),
  ];
  for (const [name, entry] of entries) {
    const outfile = join(dir, `${name.replace("/", "-")}.mjs`);
    await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: "node",
      target: "node22",
      format: "esm",
      outfile,
      banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
      logLevel: "silent",
    });
    handlers[name] = { bundleBytes: statSync(outfile).size, loadMs: coldLoadMs(outfile) };
  }
  return { handlers, referenceLoadMs };
}
