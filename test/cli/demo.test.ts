import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

/** `npm start` as package.json has it, its glob expanded as the shell would. */
function startArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } };
  const [node, bin, ...args] = scripts.start.split(/\s+/);
  expect([node, bin]).toEqual(["node", "bin/governor.js"]);
  return args.flatMap((arg) =>
    arg === "examples/events/*.json"
      ? readdirSync("examples/events")
          .filter((f) => f.endsWith(".json"))
          .sort()
          .map((f) => join("examples/events", f))
      : [arg],
  );
}

const ENFORCE_LINE =
  "Enforce mode (--mode enforce) on the local account examples/account.json (in memory; --write saves it). The default is report: a dry run that changes nothing.";

describe("the demo (npm start)", () => {
  it("says on its first line that it enforces, on the embedded account, and that report is the default", async () => {
    // Act
    const { code, stdout } = await runCli(...startArgs());

    // Assess
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe(ENFORCE_LINE);
    expect(stdout).toMatch(/Mode: enforce, on the local account examples\/account\.json/);
  });

  it.each([
    ["in report mode", ["--mode", "report"]],
    ["with the policy's mode (report)", []],
    ["as JSON", ["--mode", "enforce", "--format", "json"]],
  ])("says nothing of the kind %s", async (_label, extra) => {
    // Act
    const { stdout } = await runCli(
      "replay",
      "examples/events/01-config-unused-noncompliant.json",
      "--account",
      "examples/account.json",
      "--now",
      "2026-11-23T10:00:00Z",
      ...extra,
    );

    // Assess
    expect(stdout).not.toContain("Enforce mode (--mode enforce)");
  });
});
