import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { runCli } from "../helpers/cli.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
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

describe("governor sweep --write-share", () => {
  it.each([
    ["0", "--write-share must be a number from 0.01 to 0.5"],
    ["0.6", "--write-share must be a number from 0.01 to 0.5"],
    ["half", "--write-share must be a number from 0.01 to 0.5"],
  ])("refuses %s: exit 2", async (share, message) => {
    const { code, stderr } = await runCli("sweep", "--live", "--write-share", share);
    expect(code).toBe(2);
    expect(stderr).toContain(`governor sweep: ${message}`);
  });

  it("a GOVERNOR_WRITE_SHARE out of range is a configuration error: exit 2, not an unexpected one", async () => {
    // Prepare
    const saved = process.env.GOVERNOR_WRITE_SHARE;
    process.env.GOVERNOR_WRITE_SHARE = "2";

    // Act
    const { code, stderr } = await runCli("sweep", "--live").finally(() => {
      if (saved === undefined) delete process.env.GOVERNOR_WRITE_SHARE;
      else process.env.GOVERNOR_WRITE_SHARE = saved;
    });

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe("governor: GOVERNOR_WRITE_SHARE must be in (0, 1], not '2'\n");
  });

  it("refuses it without --live: only the live account's writes are paced", async () => {
    const { code, stderr } = await runCli(
      "sweep",
      "--account",
      "examples/account.json",
      "--write-share",
      "0.1",
    );
    expect(code).toBe(2);
    expect(stderr).toContain(
      "governor sweep: --write-share paces the live account's writes: give it with --live",
    );
  });
});

/** main() with stderr as a terminal (or not): what it wrote to each stream. */
async function runOnTerminal(stderrIsTTY: boolean, ...argv: string[]) {
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
    stderrIsTTY,
    cwd: process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe("governor sweep --live: the pace it keeps, and its progress on a terminal", () => {
  let moto: Moto;
  let client: SecretsManagerClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, MOTO_ENV, { AWS_ENDPOINT_URL: moto.endpoint });
    client = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
  });
  afterAll(async () => {
    client.destroy();
    await moto.stop();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
  beforeEach(async () => {
    await moto.reset();
    // moto never sets LastAccessedDate: every secret counts from its CreatedDate, today; --now is far ahead.
    for (let i = 0; i < 12; i++)
      await client.send(new CreateSecretCommand({ Name: `app/s${i}`, SecretString: "unread" }));
  });

  const SWEEP = ["sweep", "--live", "--mode", "enforce", "--now", "2027-06-01T06:00:00Z", "--format", "json"];

  it("paces 12 tags at a tenth of the tag quota (5/s): says so, redraws its progress with the time left, clears it", async () => {
    // Prepare
    const started = performance.now();

    // Act
    const { code, stdout, stderr } = await runOnTerminal(true, ...SWEEP, "--write-share", "0.1");

    // Assess: the run took the pace it announced (11 tags after the first, at 5 a second).
    const seconds = (performance.now() - started) / 1000;
    expect(code).toBe(0);
    expect(
      JSON.parse(stdout).decisions.filter((d: { outcome: string }) => d.outcome === "done"),
    ).toHaveLength(12);
    expect(seconds).toBeGreaterThan(2);
    expect(
      stderr.startsWith(
        "sweep: 12 actions to take. Secrets Manager writes are paced at 5 calls/s per write family: 10% of the 50/s quota that every application of this account and region shares (--write-share 0.01..0.5, or GOVERNOR_WRITE_SHARE, changes it). At least 2 s.\n",
      ),
    ).toBe(true);
    // Each frame: a carriage return, the line, an erase of the rest of the line (shown here as <erase>).
    const frames = stderr
      .split("\r")
      .slice(1)
      .map((f) => f.replaceAll("\u001b[K", "<erase>"));
    expect(frames[0]).toBe("sweep: 0/12 actions (0%)<erase>");
    expect(
      frames.some((f) => /^sweep: \d+\/12 actions \(\d+%\), [\d.]+\/s, about \d+ s left<erase>$/.test(f)),
    ).toBe(true);
    expect(frames.at(-2)).toMatch(/^sweep: 12\/12 actions \(100%\), [\d.]+\/s, about 0 s left<erase>$/);
    expect(frames.at(-1)).toMatch(/^<erase>sweep: 12 actions in \d+ s\n$/);
  });

  it("on a pipe or a log file: the pace and the time taken, no redrawn line", async () => {
    // Act
    const { code, stderr } = await runOnTerminal(false, ...SWEEP);

    // Assess: the default share, half the quota.
    expect(code).toBe(0);
    expect(stderr).not.toContain("\r");
    expect(stderr).toMatch(
      /^sweep: 12 actions to take\. Secrets Manager writes are paced at 25 calls\/s per write family: 50% of the 50\/s quota .*\nsweep: 12 actions in \d+ s\n$/,
    );
  });
});
