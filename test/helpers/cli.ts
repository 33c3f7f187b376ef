import { spawn } from "node:child_process";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";

/** Runs the governor command in-process and captures what it prints. */
export async function runCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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

/**
 * Runs bin/governor.js as a user would, in a process of its own, with `env` over this one's (and NO_COLOR).
 * A run that outlives `timeoutMs` is killed, so a test never waits on it past its own timeout.
 */
export function runGovernor(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/governor.js", ...args], {
      env: { ...process.env, NO_COLOR: "1", ...env },
      timeout: timeoutMs,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
