import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * What the functions and the CLI import at run time must be a dependency, not a devDependency: `npm ci --omit=dev`
 * (and anyone installing the package) would otherwise miss it, although the bundles happen to carry it today.
 */

const root = join(import.meta.dirname, "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The packages a source file imports at run time: static value imports and dynamic imports, no `import type`. */
function runtimeImports(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/^import\s+(?!type\s)[^;]*?\bfrom\s+"([^"]+)"/gms))
    found.add(match[1] as string);
  for (const match of text.matchAll(/^import\s+"([^"]+)"/gm)) found.add(match[1] as string);
  for (const match of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) found.add(match[1] as string);
  return [...found]
    .filter((spec) => !spec.startsWith(".") && !spec.startsWith("node:") && !builtinModules.includes(spec))
    .map((spec) =>
      spec
        .split("/")
        .slice(0, spec.startsWith("@") ? 2 : 1)
        .join("/"),
    );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f));
}

describe("dependencies", () => {
  it("lists every package that src/, handlers/ and bin/ import at run time in dependencies", () => {
    const imported = new Map<string, string>();
    for (const file of [...sourceFiles("src"), ...sourceFiles("handlers"), "bin/governor.js"])
      for (const name of runtimeImports(readFileSync(join(root, file), "utf8"))) imported.set(name, file);
    expect(imported.size).toBeGreaterThan(5);
    for (const [name, file] of imported) {
      expect(manifest.dependencies[name], `${name} (imported by ${file})`).toBeDefined();
      expect(manifest.devDependencies[name], `${name} is also a devDependency`).toBeUndefined();
    }
    // The two the audit named: SQS (the alerts queue, src/composition/runtime.ts) and CloudTrail (preflight).
    expect(imported.has("@aws-sdk/client-sqs")).toBe(true);
    expect(imported.has("@aws-sdk/client-cloudtrail")).toBe(true);
  });

  it("keeps the @aws-sdk clients on one major line", () => {
    const majors = Object.entries(manifest.dependencies)
      .filter(([name]) => name.startsWith("@aws-sdk/"))
      .map(([, range]) => /^\^?(\d+)\./.exec(range)?.[1]);
    expect(new Set(majors)).toEqual(new Set(["3"]));
  });
});
