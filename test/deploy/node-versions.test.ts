import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** What runs where, said once in package.json and in README's "Node versions", and true of this run. */
const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { engines?: { node?: string } }>;
};
const readme = readFileSync("README.md", "utf8").replace(/\s+/g, " ");

/** Does `version` (e.g. 20.20.2) satisfy a range of `^x.y.z` and `>=x[.y.z]` alternatives joined by `||`? */
function satisfies(version: string, range: string): boolean {
  const parse = (v: string) => v.split(".").map(Number).concat(0, 0).slice(0, 3) as [number, number, number];
  const compare = (a: number[], b: number[]) => a.reduce((d, x, i) => d || x - (b[i] as number), 0);
  const v = parse(version);
  return range.split("||").some((alternative) => {
    const part = alternative.trim();
    if (part.startsWith("^")) {
      const min = parse(part.slice(1));
      return v[0] === min[0] && compare(v, min) >= 0;
    }
    if (part.startsWith(">=")) return compare(v, parse(part.slice(2))) >= 0;
    throw new Error(`range form not handled here: ${part}`);
  });
}

describe("Node versions", () => {
  it("package.json and its lock file state the same range", () => {
    expect(lock.packages[""]?.engines?.node).toBe(manifest.engines.node);
  });

  it("the README states that range, the Lambda runtime and the SDK's date", () => {
    expect(readme).toContain(`\`engines\` allows Node \`${manifest.engines.node}\``);
    expect(readme).toContain("Lambda `nodejs22.x`");
    expect(readFileSync("serverless.yml", "utf8")).toMatch(/runtime: nodejs22\.x/);
    expect(readme).toContain("SDK releases after the first week of January 2027 require Node 22");
  });

  it("this run's Node is inside the range", () => {
    expect(satisfies(process.versions.node, manifest.engines.node)).toBe(true);
  });

  it.each([
    ["20.18.3", false],
    ["20.19.0", true],
    ["21.7.3", false],
    ["22.12.0", false],
    ["22.13.0", true],
    ["23.11.0", false],
    ["24.0.0", true],
  ])("reads the range as npm does: %s -> %s", (version, ok) => {
    expect(satisfies(version, manifest.engines.node)).toBe(ok);
  });
});
