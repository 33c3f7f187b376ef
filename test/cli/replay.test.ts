import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { runCli } from "../helpers/cli.js";
import { SlackReceiver } from "../helpers/slack-receiver.js";
import { expectTerminalSafe, HOSTILE, HOSTILE_SHOWN, withoutOwnColours } from "./hostile.js";

const NOW = "2026-11-23T10:00:00Z";
const EVENTS = readdirSync("examples/events")
  .sort()
  .map((f) => join("examples/events", f));

interface ReplayJson {
  mode: string;
  events: {
    file: string;
    rule: string | null;
    finding: { type: string; secret: string } | null;
    decisions: { name: string; action: string; guard: string | null; rule: string }[];
    actions: { name: string; action: string; outcome: string; policyDocument?: unknown }[];
    notes: string[];
    error?: string;
  }[];
  account: {
    SecretList: { ARN: string; Name: string; Tags?: { Key: string; Value: string }[] }[];
    ResourcePolicies: Record<string, unknown>;
  };
}

async function replay(...args: string[]): Promise<ReplayJson> {
  const { code, stdout, stderr } = await runCli("replay", ...args, "--now", NOW, "--format", "json");
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as ReplayJson;
}

/** The options of a replay in enforce mode on the example account, posting to a local Slack receiver. */
function enforcedTo(receiver: SlackReceiver): string[] {
  return [
    "--account",
    "examples/account.json",
    "--now",
    NOW,
    "--mode",
    "enforce",
    "--slack-url",
    receiver.url(),
  ];
}

function tagsOf(json: ReplayJson, name: string): Record<string, string> {
  const entry = json.account.SecretList.find((s) => s.Name === name);
  return Object.fromEntries((entry?.Tags ?? []).map((t) => [t.Key, t.Value]));
}

describe("governor replay", () => {
  it("runs each example event through the handlers' code, in order, against the local account", async () => {
    const json = await replay(...EVENTS, "--account", "examples/account.json", "--mode", "enforce");
    expect(json.events.map((e) => [e.file, e.rule, e.finding?.type ?? null])).toEqual([
      ["01-config-unused-noncompliant.json", "config-compliance", "unused"],
      ["02-config-unused-noncompliant-duplicate.json", "config-compliance", null],
      ["03-getsecretvalue-denied-by-quarantine.json", "access-failure", "access-denied"],
      ["03b-getsecretvalue-denied-by-quarantine-again.json", "access-failure", "access-denied"],
      ["03c-getsecretvalue-denied-by-quarantine-third.json", "access-failure", "access-denied"],
      ["04-rotation-failed.json", "rotation-failure", "rotation-failed"],
      ["05-getsecretvalue-accessdenied.json", "access-failure", "access-denied"],
      ["06-config-unused-compliant-again.json", "config-compliance", "unused"],
    ]);
    const actions = json.events.map((e) => e.actions.map((a) => `${a.action}:${a.outcome}`));
    expect(actions).toEqual([
      ["tag:done"],
      [],
      [],
      [],
      ["release:done"],
      ["notify:done"],
      [],
      ["untag:done"],
    ]);
    // The second delivery of the first event (same id) is skipped by the ledger, as the handlers skip it.
    expect(json.events[1]?.notes).toEqual([
      "event c3b590f2-f209-5dbe-ac5e-52453914e2eb was handled before: a duplicate delivery, skipped",
    ]);
    // One role's reads denied by the quarantine: the third in the window proves use (releaseAfter: 3).
    expect(json.events[2]?.notes[0]).toBe(
      "1 of 3 failures within 15 minutes: not yet proof of use; the secret stays quarantined",
    );
    expect(json.events[4]?.decisions[0]?.rule).toBe("quarantine-feedback");
    expect(json.events[6]?.notes[0]).toMatch(/1 of 3 failures/);
    expect(tagsOf(json, "app/stale")).toMatchObject({
      "governor:stage": "flagged",
      "governor:stage-since": "2026-11-23",
    });
    expect(tagsOf(json, "app/quarantined-20d")["governor:stage"]).toBeUndefined();
    const arn = json.account.SecretList.find((s) => s.Name === "app/quarantined-20d")?.ARN ?? "";
    const released = json.account.ResourcePolicies[arn] as { Statement: { Sid?: string }[] };
    expect(released.Statement.map((s) => s.Sid)).toEqual(["ReportingReadsIt"]);
  });

  it("in report mode decides the same but changes nothing", async () => {
    const json = await replay(...EVENTS, "--account", "examples/account.json", "--mode", "report");
    expect(json.mode).toBe("report");
    expect(json.events[0]?.actions[0]?.outcome).toBe("planned");
    expect(tagsOf(json, "app/stale")["governor:stage"]).toBeUndefined();
    expect(tagsOf(json, "app/quarantined-20d")["governor:stage"]).toBe("quarantined");
  });

  it("replaying every event twice gives the same account and no second destructive action", async () => {
    const once = await replay(...EVENTS, "--account", "examples/account.json", "--mode", "enforce");
    const twice = await replay(
      ...EVENTS,
      ...EVENTS,
      "--account",
      "examples/account.json",
      "--mode",
      "enforce",
    );
    expect(twice.account).toEqual(once.account);
    const secondHalf = twice.events.slice(EVENTS.length).flatMap((e) => e.actions);
    expect(secondHalf.filter((a) => a.outcome === "done" && a.action !== "notify")).toEqual([]);
  });

  it("leaves a due quarantine to the sweep, which shows the full resource policy it would put", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-"));
    const event = JSON.parse(readFileSync("examples/events/01-config-unused-noncompliant.json", "utf8"));
    const account = JSON.parse(readFileSync("examples/account.json", "utf8"));
    // app/flagged-20d is due for quarantine: point the Config event at it.
    const arn = account.SecretList.find((s: { Name: string }) => s.Name === "app/flagged-20d").ARN;
    event.detail.resourceId = arn;
    event.detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.resourceId = arn;
    const file = join(dir, "quarantine.json");
    await import("node:fs").then((fs) => fs.writeFileSync(file, JSON.stringify(event)));
    const json = await replay(file, "--account", "examples/account.json", "--mode", "enforce");
    const action = json.events[0]?.actions[0];
    expect(action).toMatchObject({ name: "app/flagged-20d", action: "none", outcome: "skipped" });
    expect(tagsOf(json, "app/flagged-20d")["governor:stage"]).toBe("flagged");
    const kept = json.account.ResourcePolicies[arn] as { Statement: { Sid?: string }[] };
    expect(kept.Statement.map((s) => s.Sid)).toEqual(["ReportingReadsIt"]);

    const sweep = await runCli(
      "sweep",
      ...["--account", "examples/account.json", "--mode", "report", "--now", NOW, "--format", "json"],
    );
    expect(sweep.code).toBe(0);
    const decisions = JSON.parse(sweep.stdout).decisions as {
      name: string;
      action: string;
      outcome: string;
      policyDocument?: { Statement: { Sid?: string; Effect: string; Action: unknown }[] };
    }[];
    const quarantine = decisions.find((d) => d.name === "app/flagged-20d");
    expect(quarantine).toMatchObject({ action: "quarantine", outcome: "planned" });
    const statements = quarantine?.policyDocument?.Statement ?? [];
    expect(statements.map((s) => s.Sid)).toEqual(["ReportingReadsIt", "SecretsGovernorQuarantine"]);
    expect(statements[1]).toMatchObject({ Effect: "Deny", Action: "secretsmanager:GetSecretValue" });

    const table = await runCli(
      "sweep",
      "--account",
      "examples/account.json",
      "--mode",
      "report",
      "--now",
      NOW,
    );
    expect(table.stdout).toContain("Resource policy a quarantine of app/flagged-20d would put:");
    expect(table.stdout).toContain('"Sid": "SecretsGovernorQuarantine"');
  });

  it("--write saves the final state to the account file, and restore undoes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-"));
    const file = join(dir, "account.json");
    copyFileSync("examples/account.json", file);
    await replay(EVENTS[0] as string, "--account", file, "--mode", "enforce", "--write");
    const saved = JSON.parse(readFileSync(file, "utf8")) as ReplayJson["account"];
    expect(tagsOf({ account: saved } as ReplayJson, "app/stale")["governor:stage"]).toBe("flagged");
    const restored = await runCli("restore", "app/stale", "--account", file, "--write");
    expect(restored.stdout).toBe("app/stale: undone: untag\n");
    const after = JSON.parse(readFileSync(file, "utf8")) as ReplayJson["account"];
    expect(tagsOf({ account: after } as ReplayJson, "app/stale")["governor:stage"]).toBeUndefined();
  });

  it("with --ignore-unknown, reports a malformed or foreign event and carries on with the next", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-"));
    const bad = join(dir, "bad.json");
    const foreign = join(dir, "foreign.json");
    const fs = await import("node:fs");
    fs.writeFileSync(
      bad,
      JSON.stringify({ "detail-type": "Config Rules Compliance Change", source: "aws.config" }),
    );
    fs.copyFileSync(
      "test/fixtures/events/published/config-compliance-ebsvolume-compliant-to-noncompliant-01.json",
      foreign,
    );
    const json = await replay(
      bad,
      foreign,
      EVENTS[0] as string,
      "--account",
      "examples/account.json",
      "--ignore-unknown",
    );
    expect(json.events[0]?.error).toBeTruthy();
    expect(json.events[1]?.rule).toBeNull();
    expect(json.events[1]?.error).toBeTruthy();
    expect(json.events[2]?.actions[0]?.action).toBe("tag");
  });

  it("a file that is not JSON is exit 2 with the file, line and column named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-"));
    const file = join(dir, "broken.json");
    (await import("node:fs")).writeFileSync(file, '{\n  "id": 1,\n  not json\n}');
    const result = await runCli("replay", file, "--account", "examples/account.json");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `governor: ${file}:3:3: not valid JSON: unexpected 'n': expected a property name in double quotes\n`,
    );
  });

  it("needs an account, and events", async () => {
    expect((await runCli("replay", EVENTS[0] as string)).code).toBe(2);
    expect((await runCli("replay", "--account", "examples/account.json")).code).toBe(2);
  });

  it("prints each event, finding, decision, outcome and resulting state for people", async () => {
    const result = await runCli(
      "replay",
      ...EVENTS,
      "--account",
      "examples/account.json",
      "--now",
      NOW,
      "--mode",
      "enforce",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "01-config-unused-noncompliant.json\n  rule: config-compliance\n  finding: unused (open) on app/stale",
    );
    expect(result.stdout).toContain("state: governor:stage=flagged governor:stage-since=2026-11-23");
    expect(result.stdout).toContain("Mode: enforce");
  });

  it("--slack-stdout prints the alerts", async () => {
    const result = await runCli(
      "replay",
      ...EVENTS.slice(2, 5),
      "--account",
      "examples/account.json",
      "--now",
      NOW,
      "--mode",
      "enforce",
      "--slack-stdout",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("app/quarantined-20d");
    expect(result.stdout).toMatch(/route default|#default|default/);
  });
});

describe("governor replay --slack-url", () => {
  it("posts the alerts to the webhook, one message per route per event", async () => {
    const receiver = await SlackReceiver.start();
    try {
      const { code } = await runCli(
        "replay",
        "examples/events/01-config-unused-noncompliant.json",
        ...enforcedTo(receiver),
      );
      expect(code).toBe(0);
      expect(receiver.accepted).toHaveLength(1);
      expect(JSON.stringify(receiver.accepted[0])).toContain("app/stale");
    } finally {
      await receiver.close();
    }
  });

  it("shows every alert Slack refused, whole, and exits 1: a CLI run has no later run to deliver it", async () => {
    const receiver = await SlackReceiver.start();
    receiver.script({ status: 404, body: "no_service" });
    try {
      const { code, stderr } = await runCli(
        "replay",
        "examples/events/01-config-unused-noncompliant.json",
        ...enforcedTo(receiver),
      );
      expect(code).toBe(1);
      expect(stderr).toMatch(/slack: not delivered to route default \(.*404.*\): \{.*app\/stale/);
      expect(stderr).not.toContain("s3cr3tT0k3n");
    } finally {
      await receiver.close();
    }
  });
});

describe("governor replay of CloudTrail's own records", () => {
  it.each([
    ["a bare record", (record: unknown) => record],
    ["a CloudTrail log file", (record: unknown) => ({ Records: [record] })],
  ])("takes %s as EventBridge would deliver it", async (_, shape) => {
    const record = JSON.parse(
      readFileSync("test/fixtures/events/published/cloudtrail-getsecretvalue-accessdenied-01.json", "utf8"),
    );
    const dir = mkdtempSync(join(tmpdir(), "governor-"));
    const file = join(dir, "record.json");
    await import("node:fs").then((fs) => fs.writeFileSync(file, JSON.stringify(shape(record))));
    // The recording is of account 123123123123 in us-west-2: replayed as that account's stack.
    const json = await replay(
      file,
      "--account",
      "examples/account.json",
      "--account-id",
      "123123123123",
      "--region",
      "us-west-2",
    );
    expect(json.events[0]?.rule).toBe("access-failure");
    expect(json.events[0]?.finding).toMatchObject({ type: "access-denied" });
    expect(json.events[0]?.error).toBeUndefined();
  });
});

describe("governor replay --slack-url, refused", () => {
  it("takes only https, or http on this machine: anything else is a usage error", async () => {
    const { code, stderr } = await runCli(
      "replay",
      "examples/events/01-config-unused-noncompliant.json",
      ...["--account", "examples/account.json", "--slack-url", "http://hooks.example.internal:8080/x"],
    );
    expect(code).toBe(2);
    expect(stderr).toContain("--slack-url: not an https URL");
  });
});

describe("governor replay of the governor's own refused call", () => {
  it("reports it as such when GOVERNOR_ROLE_ARN names the role, as the Lambda does", async () => {
    const event = JSON.parse(readFileSync("examples/events/05-getsecretvalue-accessdenied.json", "utf8"));
    event.detail.userIdentity.arn = "arn:aws:sts::123456789012:assumed-role/secrets-governor-dev/handler";
    const dir = mkdtempSync(join(tmpdir(), "governor-"));
    const file = join(dir, "own.json");
    await import("node:fs").then((fs) => fs.writeFileSync(file, JSON.stringify(event)));
    process.env.GOVERNOR_ROLE_ARN = "arn:aws:iam::123456789012:role/secrets-governor-dev";
    try {
      const json = await replay(file, "--account", "examples/account.json", "--mode", "enforce");
      expect(json.events[0]?.decisions[0]?.rule).toBe("own-call-refused");
    } finally {
      delete process.env.GOVERNOR_ROLE_ARN;
    }
  });
});

describe("governor replay of hostile denied reads", () => {
  it("alerts on probes for a secret that does not exist, with every caller-controlled field neutralised", async () => {
    // Prepare: three denied reads (the incident threshold) whose secretId and user agent carry Slack syntax.
    const base = JSON.parse(readFileSync("examples/events/05-getsecretvalue-accessdenied.json", "utf8"));
    const dir = mkdtempSync(join(tmpdir(), "governor-"));
    const files = [0, 1, 2].map((i) => {
      const event = structuredClone(base);
      event.id = `hostile-${i}`;
      event.detail.eventID = `hostile-${i}`;
      event.detail.requestParameters.secretId =
        "app/x<!channel> <@U123ABC> <http://evil.example|click> *bold*";
      event.detail.userAgent = "curl <!here> <http://evil.example/login|login>";
      const file = join(dir, `${i}.json`);
      writeFileSync(file, JSON.stringify(event));
      return file;
    });
    const receiver = await SlackReceiver.start();
    try {
      // Act
      const { code } = await runCli("replay", ...files, ...enforcedTo(receiver));

      // Assess
      expect(code).toBe(0);
      expect(receiver.accepted).toHaveLength(1);
      const payload = JSON.stringify(receiver.accepted[0]);
      expect(payload).toContain("probing for secret names");
      for (const control of ["<!channel>", "<!here>", "<@U123ABC>", "<http://evil", "|click>"])
        expect(payload).not.toContain(control);
      expect(payload).toContain("&lt;!channel&gt;");
      expect(receiver.requests.every((r) => r.violations.length === 0)).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});

describe("governor replay of hostile terminal text", () => {
  /**
   * Three denied reads (the incident threshold) in the example account's account and region, whose secret id,
   * principal, user agent and error message carry terminal escape sequences.
   */
  function hostileDeniedReads(): string[] {
    const base = JSON.parse(readFileSync("examples/events/05-getsecretvalue-accessdenied.json", "utf8"));
    const dir = mkdtempSync(join(tmpdir(), "governor-"));
    return [0, 1, 2].map((i) => {
      const event = structuredClone(base);
      event.id = `terminal-${i}`;
      event.detail.eventID = `terminal-${i}`;
      event.detail.requestParameters.secretId = `app/x${HOSTILE}`;
      event.detail.userIdentity.arn = `arn:aws:sts::123456789012:assumed-role/Probe/x${HOSTILE}`;
      event.detail.userAgent = `ua-probe${HOSTILE}`;
      event.detail.errorMessage = `denied${HOSTILE}`;
      const file = join(dir, `${i}.json`);
      writeFileSync(file, JSON.stringify(event));
      return file;
    });
  }

  it("prints ids, principals, user agents and error messages with their control characters shown, never sent", async () => {
    // Act
    const { code, stdout, stderr } = await runCli(
      "replay",
      ...hostileDeniedReads(),
      ...["--account", "examples/account.json", "--now", NOW, "--mode", "enforce", "--slack-stdout"],
    );

    // Assess
    expect(code).toBe(0);
    expectTerminalSafe(
      stdout + stderr,
      `  finding: access-denied (open) on app/x${HOSTILE_SHOWN}\n`,
      `  note: secret app/x${HOSTILE_SHOWN} does not exist`,
      `by arn:aws:sts::123456789012:assumed-role/Probe/x${HOSTILE_SHOWN} for a secret`,
    );
    // The Slack rendering (--slack-stdout) carries the user agent and error message, inert: no ESC, bidi shown.
    expect(stdout).toMatch(/User agent\*: `ua-probe\]0;pwned.*\[U\+202E\]evil/);
    expect(stdout).toMatch(/```denied\]0;pwned.*\[U\+202E\]evil/);
  });

  it("--format json stays valid JSON, parses back to the hostile values, and escapes what JSON.stringify leaves", async () => {
    // Act
    const { code, stdout } = await runCli(
      "replay",
      ...hostileDeniedReads(),
      ...["--account", "examples/account.json", "--now", NOW, "--format", "json"],
    );

    // Assess
    expect(code).toBe(0);
    expectTerminalSafe(stdout, "\\u202e", "\\u009b", "\\u007f", "\\u001b");
    const json = JSON.parse(stdout) as {
      events: { finding: { secret: string; access: Record<string, unknown> } }[];
    };
    expect(json.events[0]?.finding.secret).toBe(`app/x${HOSTILE}`);
    expect(json.events[0]?.finding.access).toMatchObject({
      principalArn: `arn:aws:sts::123456789012:assumed-role/Probe/x${HOSTILE}`,
      userAgent: `ua-probe${HOSTILE}`,
      errorMessage: `denied${HOSTILE}`,
    });
  });

  it("an alert Slack refused is printed on stderr as JSON that parses back, with nothing a terminal acts on", async () => {
    // Prepare
    const receiver = await SlackReceiver.start();
    receiver.script({ status: 404, body: "no_service" });
    try {
      // Act
      const { code, stderr } = await runCli("replay", ...hostileDeniedReads(), ...enforcedTo(receiver));

      // Assess
      expect(code).toBe(1);
      expectTerminalSafe(stderr, "slack: not delivered to route default");
      const line = stderr.split("\n").find((l) => l.startsWith("slack: not delivered")) ?? "";
      const payload = JSON.parse(line.slice(line.indexOf("{"))) as unknown;
      expect(JSON.stringify(payload)).toContain("ua-probe");
    } finally {
      await receiver.close();
    }
  });

  it("keeps its own colours on a terminal while a hostile secret name and tag value are shown inert", async () => {
    // Prepare: a secret of the example account whose name and a governor tag carry the sequences.
    const dir = mkdtempSync(join(tmpdir(), "governor-"));
    const account = JSON.parse(readFileSync("examples/account.json", "utf8"));
    const stale = account.SecretList.find((s: { Name: string }) => s.Name === "app/stale");
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/hostile-Zz99Yy";
    account.SecretList.push({
      ...stale,
      ARN: arn,
      Name: `app/hostile${HOSTILE}`,
      Tags: [
        { Key: "team", Value: "data" },
        { Key: "governor:note", Value: HOSTILE },
      ],
    });
    const accountFile = join(dir, "account.json");
    writeFileSync(accountFile, JSON.stringify(account));
    const event = JSON.parse(readFileSync("examples/events/01-config-unused-noncompliant.json", "utf8"));
    event.detail.resourceId = arn;
    event.detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.resourceId = arn;
    const eventFile = join(dir, "event.json");
    writeFileSync(eventFile, JSON.stringify(event));
    let stdout = "";
    let stderr = "";

    // Act: a terminal without NO_COLOR.
    const code = await main(
      ["replay", eventFile, "--account", accountFile, "--now", NOW, "--mode", "enforce"],
      {
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
        color: true,
        cwd: process.cwd(),
      },
    );

    // Assess: our SGR codes around the file name and the action; nothing else of ours or theirs.
    expect(code).toBe(0);
    expect(stdout).toContain("\u001b[1mevent.json\u001b[0m\n");
    expect(stdout).toContain("  decision: \u001b[36mtag\u001b[0m: ");
    expectTerminalSafe(
      withoutOwnColours(stdout) + stderr,
      `  finding: unused (open) on app/hostile${HOSTILE_SHOWN}\n`,
      `  state: governor:note=${HOSTILE_SHOWN} governor:stage=flagged`,
    );
  });
});

describe("governor replay: the security review's attacks", () => {
  const QUARANTINE_DENIAL = "examples/events/03-getsecretvalue-denied-by-quarantine.json";
  const ATTACKER = "arn:aws:sts::999999999999:assumed-role/attacker/x";

  /** Copies of an event with a forged field, each with its own id, in a temporary folder. */
  // biome-ignore lint/suspicious/noExplicitAny: a forged event is edited field by field, as an attacker would
  function forgedFiles(count: number, forge: (event: Record<string, any>, i: number) => void): string[] {
    const dir = mkdtempSync(join(tmpdir(), "governor-forged-"));
    return Array.from({ length: count }, (_, i) => {
      const event = JSON.parse(readFileSync(QUARANTINE_DENIAL, "utf8"));
      event.id = `forged-${i}`;
      event.detail.eventTime = `2026-11-23T09:1${i}:00Z`;
      forge(event, i);
      const file = join(dir, `forged-${i}.json`);
      writeFileSync(file, JSON.stringify(event));
      return file;
    });
  }

  it("a caller of another account denied GetSecretValue, three times, in enforce mode: a probe, no release", async () => {
    const files = forgedFiles(3, (event) => {
      event.detail.userIdentity = { type: "AssumedRole", arn: ATTACKER, accountId: "999999999999" };
      event.detail.errorMessage = `User: ${ATTACKER} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${event.detail.requestParameters.secretId} with an explicit deny in a resource-based policy`;
    });
    const json = await replay(...files, "--account", "examples/account.json", "--mode", "enforce");
    expect(json.events.flatMap((e) => e.actions.map((a) => `${a.action}:${a.outcome}`))).toEqual([
      "notify:done",
    ]);
    expect(json.events[2]?.decisions[0]?.rule).toBe("quarantine-probe");
    expect(tagsOf(json, "app/quarantined-20d")["governor:stage"]).toBe("quarantined");
  });

  it("refuses an event of another account, exits 2 and changes nothing", async () => {
    const [file] = forgedFiles(1, (event) => {
      event.account = "999999999999";
      event.detail.recipientAccountId = "999999999999";
    });
    const { code, stdout, stderr } = await runCli(
      "replay",
      file as string,
      "--account",
      "examples/account.json",
      "--now",
      NOW,
      "--mode",
      "enforce",
    );
    expect(code).toBe(2);
    expect(stdout).toMatch(/event refused: not this stack's account 123456789012 and region us-east-1: /);
    expect(stdout).toContain("Mode: enforce");
    expect(stderr).toMatch(/1 event refused: not of account 123456789012 in us-east-1/);
  });

  it("takes --account-id and --region as the stack's own, and rejects an account id that is not one", async () => {
    const refused = await runCli(
      "replay",
      QUARANTINE_DENIAL,
      "--account",
      "examples/account.json",
      "--account-id",
      "111122223333",
      "--format",
      "json",
    );
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout).events[0].refused).toMatch(/envelope is account "123456789012"/);
    const bad = await runCli(
      "replay",
      QUARANTINE_DENIAL,
      "--account",
      "examples/account.json",
      "--account-id",
      "12",
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--account-id must be a 12-digit account id/);
  });
});
