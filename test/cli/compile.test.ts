import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPolicyTexts } from "../../src/cli/io.js";
import { loadCompiledPolicy } from "../../src/policy/compiled.js";
import { loadPolicy } from "../../src/policy/load.js";
import { runCli } from "../helpers/cli.js";

const scratch = () => mkdtempSync(join(tmpdir(), "governor-compile-"));

describe("governor compile", () => {
  it.each([
    ["the shipped policies/ (the default path)", [], "policies", ["policies/default.yml"]],
    [
      "a directory of files merged",
      ["--policy", "test/fixtures/policies/split"],
      "test/fixtures/policies/split",
      ["test/fixtures/policies/split/10-base.yml", "test/fixtures/policies/split/20-payments.yml"],
    ],
  ])("compiles %s into --out, creating its folder: exit 0", async (_label, args, dir, sources) => {
    // Prepare
    const out = join(scratch(), "nested", "policy.json");
    const { policy } = loadPolicy(readPolicyTexts(dir));

    // Act
    const { code, stdout, stderr } = await runCli("compile", ...args, "--out", out);

    // Assess
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(
      `${dir}: compiled to ${out} (${policy.rules.length} rules, mode ${policy.mode}; ${sources.join(", ")})\n`,
    );
    expect(loadCompiledPolicy(readFileSync(out, "utf8"), out)).toStrictEqual({ policy, sources });
  });

  it("rejects a broken directory like validate: exit 1, every problem as file:line:col, nothing written", async () => {
    // Prepare
    const dir = scratch();
    const out = join(dir, "out", "policy.json");
    const validate = await runCli("validate", "--policy", "test/fixtures/policies/broken");

    // Act
    const { code, stdout, stderr } = await runCli(
      "compile",
      "--policy",
      "test/fixtures/policies/broken",
      "--out",
      out,
    );

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(validate.stderr);
    const lines = stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^\d+ problem\(s\) found\.$/);
    for (const line of lines.slice(0, -1))
      expect(line).toMatch(/^test\/fixtures\/policies\/broken\/\d\d-\w+\.yml:\d+:\d+: \S/);
    expect(lines).toContain(
      "test/fixtures/policies/broken/10-base.yml:6:12: unknown Slack route 'platform' (routes: default)",
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    [
      "a missing policy path",
      ["--policy", "no/such/policies"],
      "governor: cannot read policy no/such/policies: ENOENT",
    ],
    ["an unknown option", ["--output", "x.json"], "Unknown option '--output'"],
  ])("rejects %s: exit 2", async (_label, args, message) => {
    // Act
    const { code, stderr } = await runCli("compile", ...args);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it("rejects an --out it cannot write: exit 2", async () => {
    // Prepare: the output path is a directory.
    const dir = scratch();

    // Act
    const { code, stderr } = await runCli("compile", "--out", dir);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(`governor: cannot write compiled policy ${dir}: EISDIR\n`);
  });
});
