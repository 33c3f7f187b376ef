import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { expectTerminalSafe, HOSTILE, HOSTILE_SHOWN, hostileAccount } from "./hostile.js";

describe("governor restore of a hostile name", () => {
  it.each([
    ["undoing", [], `app/hostile${HOSTILE_SHOWN}: undone: untag\n`],
    ["a dry run", ["--dry-run"], `app/hostile${HOSTILE_SHOWN}: would undo: untag\n`],
  ])("%s prints the name with its control characters shown, never sent", async (_, extra, line) => {
    // Prepare
    const { file, arn } = hostileAccount();

    // Act
    const { code, stdout, stderr } = await runCli("restore", arn, "--account", file, ...extra);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(line);
    expectTerminalSafe(stdout + stderr);
  });

  it("--format json parses back to the name, with what a terminal would act on escaped", async () => {
    // Prepare
    const { file, arn } = hostileAccount();

    // Act
    const { code, stdout } = await runCli("restore", arn, "--account", file, "--format", "json");

    // Assess
    expect(code).toBe(0);
    expectTerminalSafe(stdout, "\\u202e", "\\u009b");
    expect((JSON.parse(stdout) as { results: { name: string }[] }).results[0]?.name).toBe(
      `app/hostile${HOSTILE}`,
    );
  });
});
