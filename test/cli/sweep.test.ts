import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { expectTerminalSafe, HOSTILE, HOSTILE_SHOWN, hostileAccount } from "./hostile.js";

const NOW = "2026-11-23T10:00:00Z";

describe("governor sweep of a hostile account", () => {
  it("the table and the resource policy a quarantine would put show control characters, never send them", async () => {
    // Prepare
    const { file } = hostileAccount();

    // Act
    const { code, stdout, stderr } = await runCli(
      "sweep",
      "--account",
      file,
      "--now",
      NOW,
      "--mode",
      "report",
    );

    // Assess
    expect(code).toBe(0);
    expectTerminalSafe(
      stdout + stderr,
      `\napp/hostile${HOSTILE_SHOWN}  `,
      `Resource policy a quarantine of app/hostile${HOSTILE_SHOWN} would put:\n`,
      // The policy is printed as JSON: its strings escaped as JSON does, bidi and C1 included.
      '"AWS": "arn:aws:iam::123456789012:role/r\\u001b]0;pwned\\u0007',
      "\\u202eevil\\u2066\\r",
    );
  });

  it("--format json parses back to the same name and policy", async () => {
    // Prepare
    const { file } = hostileAccount();

    // Act
    const { code, stdout } = await runCli("sweep", "--account", file, "--now", NOW, "--format", "json");

    // Assess
    expect(code).toBe(0);
    expectTerminalSafe(stdout, "\\u202e", "\\u009b");
    const decisions = (
      JSON.parse(stdout) as {
        decisions: { name: string; policyDocument?: { Statement: { Principal: unknown }[] } }[];
      }
    ).decisions;
    const hostile = decisions.find((d) => d.name === `app/hostile${HOSTILE}`);
    expect(hostile?.policyDocument?.Statement[0]?.Principal).toEqual({
      AWS: `arn:aws:iam::123456789012:role/r${HOSTILE}`,
    });
  });
});
