import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { readPolicyTexts } from "../../src/cli/io.js";
import { PolicyValidationError } from "../../src/errors.js";
import { COMPILED_POLICY_FORMAT, compilePolicy, loadCompiledPolicy } from "../../src/policy/compiled.js";
import { loadPolicy } from "../../src/policy/load.js";

const FILE = "/var/task/.governor/policy.json";

/** The compiled text of the shipped policies, as JSON to tamper with. */
function shipped(): { format: string; sources: string[]; policy: Record<string, unknown> } {
  const { policy, origins } = loadPolicy(readPolicyTexts("policies"));
  const sources = origins.files.map((f) => f.path);
  return JSON.parse(compilePolicy(policy, sources));
}

function problemsOf(text: string): { file: string; line?: number; col?: number; message: string }[] {
  try {
    loadCompiledPolicy(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyValidationError);
    return (error as PolicyValidationError).problems.map(({ file, line, col, message }) => ({
      file,
      line,
      col,
      message,
    }));
  }
  throw new Error("the compiled policy was accepted");
}

describe("compilePolicy and loadCompiledPolicy", () => {
  it.each([
    "policies",
    "test/fixtures/policies/split",
  ])("round-trips %s to exactly what loadPolicy returns", (dir) => {
    // Prepare
    const { policy, origins } = loadPolicy(readPolicyTexts(dir));
    const sources = origins.files.map((f) => f.path);

    // Act
    const text = compilePolicy(policy, sources);
    const loaded = loadCompiledPolicy(text, FILE);

    // Assess
    expect(loaded.policy).toStrictEqual(policy);
    expect(loaded.sources).toEqual(sources);
    expect(JSON.parse(text).format).toBe(COMPILED_POLICY_FORMAT);
  });

  it.each([
    [
      "YAML",
      "policies:\n  - default.yml\n",
      /^not a compiled policy: invalid JSON \(Unexpected token .+\); run 'governor compile'$/,
    ],
    ["an empty file", "", /^not a compiled policy: invalid JSON \(.+\); run 'governor compile'$/],
    [
      "a bare policy without the envelope",
      JSON.stringify({ mode: "report", rules: [] }),
      /^not a compiled policy: format missing, expected "secrets-governor\/compiled-policy@1"; run 'governor compile'$/,
    ],
    [
      "another format version",
      JSON.stringify({ ...shipped(), format: "secrets-governor/compiled-policy@2" }),
      /^not a compiled policy: format "secrets-governor\/compiled-policy@2", expected "secrets-governor\/compiled-policy@1"; run 'governor compile'$/,
    ],
    ["a JSON array", "[]", /^not a compiled policy: format missing/],
  ])("rejects %s as not a compiled policy", (_label, text, message) => {
    // Act
    const problems = problemsOf(text);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, line: 1, col: 1 });
    expect(problems[0]?.message).toMatch(message);
  });

  it("rejects a schema-invalid policy with every problem at its path", () => {
    // Prepare
    const doc = shipped();
    doc.policy.mode = "enforcing";
    doc.policy.colour = "blue";

    // Act
    const problems = problemsOf(JSON.stringify(doc));

    // Assess
    expect(problems.map((p) => p.message)).toEqual([
      "policy.mode: unknown value 'enforcing'; expected one of: report, enforce",
      "unknown key 'colour' in policy",
    ]);
    expect(problems.every((p) => p.file === FILE && p.line === 1 && p.col === 1)).toBe(true);
  });

  it("rejects a semantically invalid policy (the checks of the loader) with its path", () => {
    // Prepare
    const doc = shipped();
    doc.policy.routing = { ...(doc.policy.routing as object), default: "nowhere" };

    // Act
    const problems = problemsOf(JSON.stringify(doc));

    // Assess
    expect(problems).toEqual([
      {
        file: FILE,
        line: 1,
        col: 1,
        message: "policy.routing.default: unknown Slack route 'nowhere' (routes: default)",
      },
    ]);
  });

  it("carries no YAML parser: its bundle does not include yaml", async () => {
    // Act
    const result = await build({
      entryPoints: ["src/policy/compiled.ts"],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      logLevel: "silent",
    });

    // Assess
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("src/policy/check.ts");
    expect(inputs.filter((i) => /node_modules\/yaml\/|src\/policy\/(load|source)\.ts/.test(i))).toEqual([]);
  });
});
