import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

const SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/** Runs bin/governor.js as a user would, without the SDK's switch in the environment unless `extra` sets it. */
function governor(
  args: string[],
  extra: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...extra };
  if (!(SWITCH in extra)) delete env[SWITCH];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/governor.js", ...args], { env });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

// A live sweep against a closed port: the CLI builds its SDK clients (where the SDK warns), then fails to connect.
const LIVE_ON_A_CLOSED_PORT = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  GOVERNOR_ACCOUNT_ID: "123456789012",
};

describe("the governor command and the AWS SDK's Node version warning", () => {
  it("builds SDK clients without printing the SDK's Node version warning, on any Node", async () => {
    // Act
    const { stderr } = await governor(["sweep", "--live"], LIVE_ON_A_CLOSED_PORT);

    // Assess: the clients were built and used (the call failed), and stderr holds only the governor's own error.
    expect(stderr).toContain("ListSecrets failed: ECONNREFUSED");
    expect(stderr).not.toMatch(/NodeVersionSupportWarning|NodeDeprecationWarning|AWS SDK for JavaScript/);
  });

  it("leaves the switch to a user who sets it", async () => {
    // Act: the user asks to see the warning; on Node 22 and later there is none to see.
    const { stderr } = await governor(["sweep", "--live"], { ...LIVE_ON_A_CLOSED_PORT, [SWITCH]: "false" });

    // Assess
    expect(stderr).toContain("ListSecrets failed: ECONNREFUSED");
    const major = Number(process.versions.node.split(".")[0]);
    if (major < 22) expect(stderr).toContain("NodeVersionSupportWarning");
    else expect(stderr).not.toContain("NodeVersionSupportWarning");
  });

  it("prints the usage with nothing on stderr", async () => {
    const { code, stderr } = await governor(["help"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });
});
