import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * The argument handling of scripts/package.sh and scripts/deploy.sh, in their dry run (GOVERNOR_SCRIPT_DRY_RUN=1:
 * print each command instead of running it). test/deploy/package.test.ts packages for real.
 */

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

async function dryRun(script: string, args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const { stdout } = await run("bash", [`scripts/${script}.sh`, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GOVERNOR_SCRIPT_DRY_RUN: "1", ...env },
  });
  return stdout.trimEnd().split("\n");
}

const compile = (dir = "policies", prefix = "secrets-governor/slack/") =>
  `node bin/governor.js compile --policy ${dir} --out .governor/policy.json --slack-secret-prefix ${prefix}`;

describe("scripts/package.sh", () => {
  it.each([
    [["--param=slackSecretPrefix=chatops/"], "--param=slackSecretPrefix=chatops/ --stage dev"],
    [["--param", "slackSecretPrefix=chatops/"], "--param slackSecretPrefix=chatops/ --stage dev"],
  ])("%j: checks the routes against the deployment's webhook prefix, which osls gets too", async (args, expected) => {
    const lines = await dryRun("package", args);
    expect(lines).toEqual([compile("policies", "chatops/"), `node_modules/.bin/osls package ${expected}`]);
  });

  it.each([
    [[], "--stage dev"],
    [["--stage", "prod"], "--stage prod"],
    [["--stage=prod"], "--stage=prod"],
    [["-s", "prod"], "-s prod"],
    [["-s=prod", "--region", "eu-west-1"], "-s=prod --region eu-west-1"],
    [["--region", "eu-west-1", "--package", "out"], "--region eu-west-1 --package out --stage dev"],
  ])("%j: compiles, then packages with one stage: %s", async (args, expected) => {
    // Act
    const lines = await dryRun("package", args);

    // Assess
    expect(lines).toEqual([compile(), `node_modules/.bin/osls package ${expected}`]);
  });

  it.each([
    [["--param=policyDir=examples/policies"], {}, "examples/policies", "--stage dev"],
    [
      ["--param", "policyDir=examples/policies", "--param", "mode=enforce"],
      {},
      "examples/policies",
      "--param mode=enforce --stage dev",
    ],
    [
      ["--param=mode=enforce"],
      { GOVERNOR_POLICY_DIR: "team/policies" },
      "team/policies",
      "--param=mode=enforce --stage dev",
    ],
    [["--param=policyDir=cli/wins"], { GOVERNOR_POLICY_DIR: "team/policies" }, "cli/wins", "--stage dev"],
  ])("%j %j: compiles %s, and osls does not see the policyDir param", async (args, env, dir, expected) => {
    // Act
    const lines = await dryRun("package", args, env);

    // Assess
    expect(lines).toEqual([compile(dir), `node_modules/.bin/osls package ${expected}`]);
  });
});

describe("scripts/deploy.sh", () => {
  it.each([
    [[], "policies", "node_modules/.bin/osls deploy"],
    [
      ["--stage=prod", "--region", "eu-west-1"],
      "policies",
      "node_modules/.bin/osls deploy --stage=prod --region eu-west-1",
    ],
    [
      ["--param=policyDir=team", "--param=mode=enforce"],
      "team",
      "node_modules/.bin/osls deploy --param=mode=enforce",
    ],
  ])("%j: compiles %s first, then deploys", async (args, dir, deploy) => {
    // Act
    const lines = await dryRun("deploy", args);

    // Assess
    expect(lines).toEqual([compile(dir), deploy]);
  });

  it("is what `npm run deploy` runs, and `npm run package` the package script", () => {
    const { scripts } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts.deploy).toBe("bash scripts/deploy.sh");
    expect(scripts.package).toBe("bash scripts/package.sh");
  });
});
