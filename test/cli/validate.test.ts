import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { MAX_PROBLEMS_SHOWN, main } from "../../src/cli/main.js";

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    color: false,
    cwd: process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe("governor validate", () => {
  it.each([
    [
      "the shipped policies/ (the default path)",
      [],
      "policies: valid (3 rules, mode report; policies/default.yml)",
    ],
    [
      "one file",
      ["--policy", "policies/default.yml"],
      "policies/default.yml: valid (3 rules, mode report; policies/default.yml)",
    ],
    [
      "a directory of files merged",
      ["--policy", "test/fixtures/policies/split"],
      "test/fixtures/policies/split: valid (2 rules, mode report; test/fixtures/policies/split/10-base.yml, test/fixtures/policies/split/20-payments.yml)",
    ],
  ])("accepts %s: exit 0", async (_label, args, message) => {
    // Act
    const { code, stdout, stderr } = await run("validate", ...args);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(`${message}\n`);
    expect(stderr).toBe("");
  });

  it("rejects a broken directory with exit 1 and every problem as file:line:col", async () => {
    // Act
    const { code, stdout, stderr } = await run("validate", "--policy", "test/fixtures/policies/broken");

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.split("\n")).toEqual([
      "test/fixtures/policies/broken/10-base.yml:6:12: unknown Slack route 'platform' (routes: default)",
      "test/fixtures/policies/broken/10-base.yml:12:38: stages out of order: scheduleDeletion.afterDays (14) must be later than quarantine.afterDays (30)",
      "test/fixtures/policies/broken/10-base.yml:12:62: recoveryWindowDays must be 7 to 30 (got 3)",
      "test/fixtures/policies/broken/20-team.yml:7:9: tag key 'owner': the governor only writes its own 'governor:' tags",
      "test/fixtures/policies/broken/20-team.yml:8:26: unknown Slack route 'security' (routes: default)",
      "test/fixtures/policies/broken/20-team.yml:11:15: deletion always comes after a quarantine: list 'quarantine' in the same rule",
      "6 problem(s) found.",
      "",
    ]);
  });

  it.each([
    [
      "a missing path",
      ["--policy", "no/such/policies"],
      2,
      "governor: cannot read policy no/such/policies: ENOENT",
    ],
    ["an unknown option", ["--polcy", "policies"], 2, "unknown option '--polcy' (did you mean '--policy'?)"],
  ])("rejects %s", async (_label, args, exit, message) => {
    // Act
    const { code, stderr } = await run("validate", ...args);

    // Assess
    expect(code).toBe(exit);
    expect(stderr).toContain(message);
  });
});

describe("governor schema", () => {
  it("prints the policy JSON Schema", async () => {
    // Act
    const { code, stdout } = await run("schema");
    const schema = JSON.parse(stdout) as { title: string; properties: Record<string, unknown> };

    // Assess
    expect(code).toBe(0);
    expect(schema.title).toBe("secrets-governor policy");
    expect(Object.keys(schema.properties)).toContain("rules");
  });
});

describe("bin/governor.js", () => {
  it("runs as a command: validate exits 0 on the shipped policies", () => {
    // Act
    const child = spawnSync(process.execPath, ["bin/governor.js", "validate"], {
      encoding: "utf8",
      timeout: 30_000,
    });

    // Assess
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(child.stdout).toBe("policies: valid (3 rules, mode report; policies/default.yml)\n");
  });
});

describe("fixtures", () => {
  it("every fixture of the policy, inventory and compliance folders is used by a test", () => {
    // Prepare
    const fixtures = ["policies", "inventories", "compliance"].flatMap((d) =>
      filesUnder(join("test/fixtures", d)),
    );
    const tests = filesUnder("test")
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");

    // Act: a file in a directory fixture counts as used when its directory is named.
    const unused = fixtures.filter(
      (f) => !tests.includes(f) && !tests.includes(f.slice(0, f.lastIndexOf("/"))),
    );

    // Assess
    expect(fixtures.length).toBeGreaterThan(0);
    expect(unused).toEqual([]);
  });
});

describe("governor validate: files that cannot be a policy", () => {
  function scratchFile(name: string, text: string): string {
    const dir = mkdtempSync(join(tmpdir(), "governor-validate-"));
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  }

  it.each([
    ["an empty file", "", ":1:1: the file is empty (truncated?)"],
    ["a file with a mode only", "mode: enforce\n", ":1:1: version: required but missing (expected 1)"],
    [
      "an alias bomb",
      `version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n${"bcdefgh"
        .split("")
        .map((k, i) => `${k}: &${k} [${Array(10).fill(`*${"abcdefgh"[i]}`).join(", ")}]`)
        .join("\n")}\nrules: []\n`,
      ":3:8: YAML: Excessive alias count indicates a resource exhaustion attack",
    ],
  ])("rejects %s with file:line:col and exit 1, never exit 70", async (_label, text, shown) => {
    // Prepare
    const file = scratchFile("p.yml", text);

    // Act
    const { code, stdout, stderr } = await run("validate", "--policy", file);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${file}${shown}`);
    expect(stderr).not.toContain("unexpected error");
  });

  it("names the directory that holds no policy file", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "governor-empty-"));
    writeFileSync(join(dir, "README.txt"), "not a policy\n");

    // Act
    const { code, stderr } = await run("validate", "--policy", dir);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe(
      `${dir}: no policy files found: the directory has no .yml or .yaml file\n1 problem(s) found.\n`,
    );
  });

  it(`prints the first ${MAX_PROBLEMS_SHOWN} problems in line order and counts the rest`, async () => {
    // Prepare: 60 rules with a wrong name each.
    const rules = Array.from(
      { length: 60 },
      (_, i) => `  - { name: Rule_${i}, match: { finding: unused }, lifecycle: {} }`,
    );
    const file = scratchFile("p.yml", `version: 1\nrules:\n${rules.join("\n")}\n`);

    // Act
    const { code, stderr } = await run("validate", "--policy", file);

    // Assess
    const lines = stderr.trimEnd().split("\n");
    expect(code).toBe(1);
    expect(lines).toHaveLength(MAX_PROBLEMS_SHOWN + 2);
    expect(lines[0]).toBe(
      `${file}:3:13: rules[0] "Rule_0" name: rule names are lower-case words joined by '-'`,
    );
    expect(lines[MAX_PROBLEMS_SHOWN - 1]).toMatch(new RegExp(`^${file}:${MAX_PROBLEMS_SHOWN + 2}:`));
    expect(lines.slice(-2)).toEqual([`... and ${60 - MAX_PROBLEMS_SHOWN} more`, "60 problem(s) found."]);
  });
});
