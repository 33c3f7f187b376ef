import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { expectTerminalSafe, HOSTILE, HOSTILE_SHOWN } from "./hostile.js";

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "governor-")), name);
  writeFileSync(file, text);
  return file;
}

/** Error messages quote what they were given: a secret id, an argument, a file's content, a policy value. */
describe("governor error messages with hostile input", () => {
  it.each([
    ["an unknown command", () => [`bogus${HOSTILE}`], 2, `governor: unknown command 'bogus${HOSTILE_SHOWN}'`],
    [
      "a secret id restore cannot find",
      () => ["restore", `app/x${HOSTILE}`, "--account", "examples/account.json"],
      2,
      `governor: secret app/x${HOSTILE_SHOWN} was not found`,
    ],
    [
      "an event file that is not JSON (its first character is quoted)",
      () => [
        "replay",
        tempFile("event.json", `\u001b]0;pwned\u0007\u202E not json`),
        "--account",
        "examples/account.json",
      ],
      2,
      ":1:1: not valid JSON: unexpected '[U+001B]': expected a value",
    ],
    [
      "a file name",
      () => ["replay", `/nonexistent/ev${HOSTILE}.json`, "--account", "examples/account.json"],
      2,
      `governor: cannot read event /nonexistent/ev${HOSTILE_SHOWN}.json: ENOENT`,
    ],
    [
      "a --now value",
      () => ["plan", "--inventory", "examples/inventory.json", "--now", `2026${HOSTILE}`],
      2,
      `governor plan: --now: not an ISO-8601 date: 2026${HOSTILE_SHOWN}`,
    ],
    [
      "a policy value (YAML escapes make control characters)",
      () => [
        "validate",
        "--policy",
        tempFile("policy.yml", 'version: 1\nmode: "report\\e]0;pwned\\a\\u202e\\r"\nrules: []\n'),
      ],
      1,
      "mode: unknown value 'report[U+001B]]0;pwned[U+0007][U+202E][U+000D]'",
    ],
  ])("shows the control characters of %s, never sends them", async (_, args, exit, shown) => {
    // Act
    const { code, stdout, stderr } = await runCli(...args());

    // Assess
    expect(code).toBe(exit);
    expectTerminalSafe(stdout + stderr, shown);
  });
});
