import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEPLOY_PARAMS_FORMAT, deployParams, secretResourceOf } from "../../src/cli/compile.js";
import { readPolicyTexts } from "../../src/cli/io.js";
import { MANAGED_RULES } from "../../src/domain/config-rules.js";
import { loadCompiledPolicy } from "../../src/policy/compiled.js";
import { loadPolicy } from "../../src/policy/load.js";
import { runCli } from "../helpers/cli.js";
import { asPolicyFile } from "../policy/builders.js";

const scratch = () => mkdtempSync(join(tmpdir(), "governor-compile-"));

describe("governor compile", () => {
  it.each([
    ["the shipped policies/ (the default path)", [], "policies", ["policies/default.yml"]],
    [
      "a directory of files merged",
      ["--policy", "test/fixtures/policies/split"],
      "test/fixtures/policies/split",
      ["test/fixtures/policies/split/10-base.yml", "test/fixtures/policies/split/20-payments.yml"],
    ],
  ])("compiles %s into --out, creating its folder: exit 0", async (_label, args, dir, sources) => {
    // Prepare
    const out = join(scratch(), "nested", "policy.json");
    const { policy } = loadPolicy(readPolicyTexts(dir));

    // Act
    const { code, stdout, stderr } = await runCli("compile", ...args, "--out", out);

    // Assess
    const paramsFile = join(out, "..", "deploy-params.json");
    const params = deployParams(policy);
    const rules = MANAGED_RULES.filter((r) => params.configRules[r.identifier] === "true").map((r) => r.name);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(
      `${dir}: compiled to ${out} (${policy.rules.length} rules, mode ${policy.mode}; ${sources.join(", ")})\n` +
        `deploy parameters: ${paramsFile} (Config rules: ${rules.join(", ")}; unusedForDays ${params.unusedForDays})\n`,
    );
    expect(loadCompiledPolicy(readFileSync(out, "utf8"), out)).toStrictEqual({ policy, sources });
    expect(JSON.parse(readFileSync(paramsFile, "utf8"))).toStrictEqual(params);
  });

  it("derives the shipped policy's Config rules and threshold (the package test checks the template)", async () => {
    // Prepare
    const out = join(scratch(), "policy.json");

    // Act
    const { code } = await runCli("compile", "--out", out);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "..", "deploy-params.json"), "utf8"))).toStrictEqual({
      format: DEPLOY_PARAMS_FORMAT,
      configRules: {
        SECRETSMANAGER_SECRET_UNUSED: "true",
        SECRETSMANAGER_ROTATION_ENABLED_CHECK: "false",
        SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK: "true",
        SECRETSMANAGER_SECRET_PERIODIC_ROTATION: "false",
        SECRETSMANAGER_USING_CMK: "false",
      },
      unusedForDays: "90",
      maxDaysSinceRotation: "90",
      slackWebhookSecrets: [secretResourceOf("secrets-governor/slack/default")],
      slackAppSecrets: [secretResourceOf("secrets-governor/slack/signing-secret")],
    });
  });

  it("rejects a broken directory like validate: exit 1, every problem as file:line:col, nothing written", async () => {
    // Prepare
    const dir = scratch();
    const out = join(dir, "out", "policy.json");
    const validate = await runCli("validate", "--policy", "test/fixtures/policies/broken");

    // Act
    const { code, stdout, stderr } = await runCli(
      "compile",
      "--policy",
      "test/fixtures/policies/broken",
      "--out",
      out,
    );

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(validate.stderr);
    const lines = stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^\d+ problem\(s\) found\.$/);
    for (const line of lines.slice(0, -1))
      expect(line).toMatch(/^test\/fixtures\/policies\/broken\/\d\d-\w+\.yml:\d+:\d+: \S/);
    expect(lines).toContain(
      "test/fixtures/policies/broken/10-base.yml:6:12: unknown Slack route 'platform' (routes: default)",
    );
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    [
      "a missing policy path",
      ["--policy", "no/such/policies"],
      "governor: cannot read policy no/such/policies: ENOENT",
    ],
    ["an unknown option", ["--output", "x.json"], "unknown option '--output'"],
  ])("rejects %s: exit 2", async (_label, args, message) => {
    // Act
    const { code, stderr } = await runCli("compile", ...args);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it("rejects an --out it cannot write: exit 2", async () => {
    // Prepare: the output path is a directory.
    const dir = scratch();

    // Act
    const { code, stderr } = await runCli("compile", "--out", dir);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(`governor: cannot write compiled policy ${dir}: EISDIR\n`);
  });
});

describe("deployParams", () => {
  /** A policy file in a scratch directory, loaded as `compile` loads it. */
  function policyOf(yaml: string) {
    const file = join(scratch(), "policy.yml");
    writeFileSync(file, asPolicyFile(yaml));
    return loadPolicy(readPolicyTexts(file)).policy;
  }

  it("asks for the rule behind each finding the policy uses, and the smallest unused threshold", () => {
    // Prepare
    const policy = policyOf(`
version: 1
rules:
  - name: long-unused-payments
    match: { finding: unused, name: "payments/**" }
    unusedForDays: 120
    actions: [notify]
  - name: unused-elsewhere
    match: { finding: unused }
    unusedForDays: 60
    actions: [notify]
  - name: hygiene
    match: { finding: [rotation-disabled, rotation-overdue, not-using-cmk] }
    actions: [notify]
  - name: denied-reads
    match: { finding: access-denied }
    actions: [notify]
`);

    // Act
    const params = deployParams(policy);

    // Assess: access-denied comes from CloudTrail, and no rule is on rotation-failed.
    expect(params).toStrictEqual({
      format: DEPLOY_PARAMS_FORMAT,
      configRules: {
        SECRETSMANAGER_SECRET_UNUSED: "true",
        SECRETSMANAGER_ROTATION_ENABLED_CHECK: "true",
        SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK: "false",
        SECRETSMANAGER_SECRET_PERIODIC_ROTATION: "true",
        SECRETSMANAGER_USING_CMK: "true",
      },
      unusedForDays: "60",
      maxDaysSinceRotation: "90",
      slackWebhookSecrets: [secretResourceOf("secrets-governor/slack/default")],
      slackAppSecrets: [secretResourceOf("secrets-governor/slack/signing-secret")],
    });
  });

  it("asks for no Config rule when the policy has only CloudTrail findings; thresholds keep their defaults", () => {
    // Prepare
    const policy = policyOf(`
rules:
  - name: denied-reads
    match: { finding: [access-denied, decryption-failure] }
    actions: [notify]
`);

    // Act
    const params = deployParams(policy);

    // Assess
    expect(Object.values(params.configRules)).toEqual(MANAGED_RULES.map(() => "false"));
    expect(Object.keys(params.configRules)).toEqual(MANAGED_RULES.map((r) => r.identifier));
    expect(params.unusedForDays).toBe("90");
  });

  it("uses the default threshold for an unused rule that gives none", () => {
    // Prepare
    const policy = policyOf(`
rules:
  - name: unused
    match: { finding: unused }
    actions: [notify]
`);

    // Act and assess
    expect(deployParams(policy).unusedForDays).toBe("90");
  });
});

describe("governor compile: route secrets the role may read", () => {
  it("fails the build for a route whose webhook secret is outside the deployment's prefix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-routes-"));
    writeFileSync(
      join(dir, "p.yml"),
      "routes:\n  default: { webhookSecret: secrets-governor/slack/default }\n  ops: { webhookSecret: other/slack-hook }\nrules: []\nversion: 1\n",
    );
    const out = join(dir, "out", "policy.json");
    const { code, stderr } = await runCli("compile", "--policy", dir, "--out", out);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /p\.yml:3:\d+: route 'ops': webhook secret 'other\/slack-hook' is outside 'secrets-governor\/slack\/'/,
    );
    expect(existsSync(out)).toBe(false);
    const other = await runCli("compile", "--policy", dir, "--out", out, "--slack-secret-prefix", "");
    expect(other.code).toBe(0);
  });

  it("with buttons, lets the role read the signing secret too, and names the Slack app's secrets", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-slack-"));
    writeFileSync(
      join(dir, "p.yml"),
      "routes:\n  default:\n    webhookSecret: secrets-governor/slack/default\n    channel: C0GOVERN1\n    actors: { users: [U0OWNER01] }\nslack:\n  teamId: T0TEAM01\n  botTokenSecret: secrets-governor/slack/bot\nrules: []\nversion: 1\n",
    );
    const out = join(dir, "out", "policy.json");
    expect((await runCli("compile", "--policy", dir, "--out", out)).code).toBe(0);
    const params = JSON.parse(readFileSync(join(dir, "out", "deploy-params.json"), "utf8"));
    expect(params.slackWebhookSecrets).toEqual([
      secretResourceOf("secrets-governor/slack/default"),
      secretResourceOf("secrets-governor/slack/signing-secret"),
    ]);
    expect(params.slackAppSecrets).toEqual([
      secretResourceOf("secrets-governor/slack/bot"),
      secretResourceOf("secrets-governor/slack/signing-secret"),
    ]);
  });

  it("refuses a signing secret outside the prefix the roles may read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-slack-"));
    writeFileSync(join(dir, "p.yml"), "slack:\n  signingSecret: elsewhere/signing\nrules: []\nversion: 1\n");
    const { code, stderr } = await runCli(
      "compile",
      "--policy",
      dir,
      "--out",
      join(dir, "out", "policy.json"),
    );
    expect(code).toBe(1);
    expect(stderr).toContain(
      "p.yml:2:18: slack.signingSecret 'elsewhere/signing' is outside 'secrets-governor/slack/'",
    );
  });

  it("lets the role read exactly the routes' webhook secrets, each once, whatever their suffix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-routes-"));
    writeFileSync(
      join(dir, "p.yml"),
      "routes:\n  default: { webhookSecret: secrets-governor/slack/default }\n  ops: { webhookSecret: secrets-governor/slack/ops }\n  pay: { webhookSecret: secrets-governor/slack/ops }\nrules: []\nversion: 1\n",
    );
    const out = join(dir, "out", "policy.json");
    const { code } = await runCli("compile", "--policy", dir, "--out", out);
    expect(code).toBe(0);
    const params = JSON.parse(readFileSync(join(dir, "out", "deploy-params.json"), "utf8"));
    expect(params.slackWebhookSecrets).toEqual([
      {
        "Fn::Sub": `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:secrets-governor/slack/default-??????`,
      },
      {
        "Fn::Sub": `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:secrets-governor/slack/ops-??????`,
      },
    ]);
  });

  it.each([
    "secrets-governor/slack/*",
    "secrets-governor/slack/a?",
    `secrets-governor/slack/\${AWS::Region}`,
  ])("refuses a webhook secret %s that is not a plain secret name (it would widen the role's read)", async (name) => {
    const dir = mkdtempSync(join(tmpdir(), "governor-routes-"));
    writeFileSync(
      join(dir, "p.yml"),
      `version: 1\nroutes:\n  default: { webhookSecret: "${name}" }\nrules: []\n`,
    );
    const out = join(dir, "out", "policy.json");
    const { code, stderr } = await runCli("compile", "--policy", dir, "--out", out);
    expect(code).toBe(1);
    expect(stderr).toContain("no wildcard");
    expect(existsSync(out)).toBe(false);
  });
});
