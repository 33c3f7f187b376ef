import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { expectTerminalSafe, HOSTILE, HOSTILE_SHOWN, withoutOwnColours } from "./hostile.js";

const NOW = "2026-11-23T00:00:00Z";
const INVENTORY = "examples/inventory.json";
const COMPLIANCE = "test/fixtures/compliance/secretsmanager-rules.json";

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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

interface JsonPlan {
  mode: string;
  now: string;
  decisions: {
    arn: string;
    name: string;
    finding: string;
    action: string;
    stage: string | null;
    reason: string;
    guard: string | null;
    steps: unknown[];
  }[];
  summary: Record<string, number>;
  limit: Record<string, number>;
}

async function jsonPlan(...extra: string[]): Promise<JsonPlan> {
  const { code, stdout, stderr } = await run(
    "plan",
    "--inventory",
    INVENTORY,
    "--now",
    NOW,
    "--format",
    "json",
    ...extra,
  );
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as JsonPlan;
}

function actions(plan: JsonPlan): Record<string, [string, string | null, string | null]> {
  return Object.fromEntries(
    plan.decisions.map((d) => [`${d.name} ${d.finding}`, [d.action, d.stage, d.guard]]),
  );
}

describe("governor plan --format json", () => {
  it("plans the example inventory with the shipped policy", async () => {
    // Act
    const plan = await jsonPlan();

    // Assess
    expect(plan.mode).toBe("report");
    expect(plan.now).toBe("2026-11-23T00:00:00.000Z");
    expect(actions(plan)).toEqual({
      "app/stale unused": ["tag", "flagged", null],
      "app/never-used unused": ["tag", "flagged", null],
      "app/flagged-5d unused": ["none", "flagged", null],
      "app/flagged-20d unused": ["quarantine", "quarantined", null],
      "app/quarantined-20d unused": ["schedule-deletion", "deletion-scheduled", null],
      "app/used-again unused": ["untag", null, null],
      "rds!db-7f3a9c1e-2b4d-4e8f-9a6b-1c2d3e4f5a6b unused": ["none", null, "owning-service"],
      "breakglass/root-mfa unused": ["none", null, "exempt"],
      "app/replicated unused": ["none", null, "replicas-unknown"],
      "app/retired unused": ["none", "deletion-scheduled", "already-deleted"],
      "app/legacy-epoch unused": ["tag", "flagged", null],
    });
    expect(plan.summary).toEqual({
      secrets: 13,
      unused: 8,
      monthlyCostUsd: 4.8,
      unusedMonthlyCostUsd: 3.2,
      realisedMonthlySavingsUsd: 0.4,
      projectedMonthlySavingsUsd: 2.4,
    });
    expect(plan.limit).toEqual({ allowed: 2, planned: 2, withheld: 0 });
  });

  it("puts the documented keys first in every decision", async () => {
    // Act
    const plan = await jsonPlan();

    // Assess
    for (const decision of plan.decisions)
      expect(Object.keys(decision).slice(0, 7)).toEqual([
        "arn",
        "name",
        "finding",
        "action",
        "stage",
        "reason",
        "guard",
      ]);
    expect(plan.decisions[0]).toMatchObject({
      arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/stale-Ef34Gh",
      reason: "not read for 145 days (last read 2026-07-01): flagged, owner warned",
      next: { action: "quarantine", on: "2026-12-07" },
    });
  });

  it("--mode enforce overrides the policy file", async () => {
    // Act
    const plan = await jsonPlan("--mode", "enforce");

    // Assess
    expect(plan.mode).toBe("enforce");
  });

  it("--now with a non-UTC offset plans for that instant's UTC day", async () => {
    // Act: 2026-11-23T01:00+05:00 is 2026-11-22 in UTC, one day before the other tests.
    const plan = await run(
      "plan",
      "--inventory",
      INVENTORY,
      "--now",
      "2026-11-23T01:00:00+05:00",
      "--format",
      "json",
    );
    const parsed = JSON.parse(plan.stdout) as JsonPlan;
    const stale = parsed.decisions.find((d) => d.name === "app/stale");

    // Assess
    expect(parsed.now).toBe("2026-11-22T20:00:00.000Z");
    expect(stale?.steps[0]).toEqual({
      kind: "tag",
      tags: { "governor:stage": "flagged", "governor:stage-since": "2026-11-22" },
    });
    expect(stale?.reason).toContain("not read for 144 days");
  });

  it("--compliance takes Config's results over the planner's judgement", async () => {
    // Act
    const plan = await jsonPlan("--compliance", COMPLIANCE);
    const byKey = actions(plan);

    // Assess: app/active by ARN (NON_COMPLIANT but read 2 days ago); app/stale by plain name (COMPLIANT);
    // app/flagged-5d by partial ARN (COMPLIANT: the way back) and by a conformance-pack rotation rule.
    expect(byKey["app/active unused"]).toEqual(["none", null, "recently-accessed"]);
    expect(byKey["app/stale unused"]).toBeUndefined();
    expect(byKey["app/flagged-5d unused"]).toEqual(["untag", null, null]);
    expect(byKey["app/flagged-5d rotation-failed"]).toEqual(["notify", "flagged", null]);
    expect(byKey["app/never-used unused"]).toEqual(["tag", "flagged", null]);
    // app/active is not counted unused: the newest facts (recently-accessed) win over Config.
    expect(plan.summary.unused).toBe(6);
  });
});

describe("governor plan --format table", () => {
  it("prints aligned columns, the cost summary and the mode", async () => {
    // Act
    const { code, stdout } = await run("plan", "--inventory", INVENTORY, "--now", NOW);
    const lines = stdout.split("\n");
    const header = lines[0] ?? "";
    const starts = ["SECRET", "FINDING", "ACTION", "STAGE", "GUARD", "REASON"].map((h) => header.indexOf(h));

    // Assess
    expect(code).toBe(0);
    expect(starts.every((s, i) => i === 0 || s > (starts[i - 1] ?? 0))).toBe(true);
    const rows = lines.slice(1, 12);
    expect(rows).toHaveLength(11);
    for (const row of rows) {
      // Each column starts where its header starts, after at least two spaces.
      for (const start of starts.slice(1)) {
        expect(row.slice(start - 2, start)).toBe("  ");
        expect(row[start]).not.toBe(" ");
      }
    }
    expect(rows[4]).toMatch(
      /^app\/quarantined-20d\s+unused\s+schedule-deletion\s+deletion-scheduled\s+-\s+not read for 236 days/,
    );
    expect(stdout).toContain("Secrets: 13   unused: 8   monthly cost: $4.80   unused cost: $3.20/month");
    expect(stdout).toContain(
      "Savings: $0.40/month realised, $2.40/month projected once scheduled deletions complete",
    );
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("Mode: report (dry run): nothing was changed.");
    expect(stdout).not.toContain("\u001b[");
  });

  it("says so in enforce mode", async () => {
    // Act
    const { stdout } = await run("plan", "--inventory", INVENTORY, "--now", NOW, "--mode", "enforce");

    // Assess
    expect(stdout).toContain("Mode: enforce: these actions would be taken by the pipeline.");
  });

  it("reports when there is nothing to decide", async () => {
    // Act
    const { code, stdout } = await run(
      "plan",
      "--inventory",
      "test/fixtures/inventories/all-in-use.json",
      "--now",
      NOW,
    );

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain("No decisions: the policy has nothing to say about these secrets.");
    expect(stdout).toContain("Secrets: 2   unused: 0   monthly cost: $1.20");
  });
});

describe("governor plan: bad input", () => {
  it.each([
    [
      "a malformed inventory names the secret and the field",
      ["--inventory", "examples/inventory-malformed.json"],
      'governor: examples/inventory-malformed.json: SecretList[1] (app/stale): field LastAccessedDate: expected a date (ISO-8601 or epoch seconds), got "last tuesday"',
    ],
    [
      "a missing inventory file",
      ["--inventory", "test/fixtures/inventories/nope.json"],
      "governor: cannot read inventory test/fixtures/inventories/nope.json: ENOENT",
    ],
    [
      "a missing compliance file",
      ["--inventory", INVENTORY, "--compliance", "nope.json"],
      "governor: cannot read compliance file nope.json: ENOENT",
    ],
    [
      "a compliance file of the wrong shape",
      ["--inventory", INVENTORY, "--compliance", INVENTORY],
      "governor: examples/inventory.json: missing field EvaluationResults",
    ],
    [
      "a missing policy path",
      ["--inventory", INVENTORY, "--policy", "no/such/dir"],
      "governor: cannot read policy no/such/dir: ENOENT",
    ],
  ])("%s: exit 2", async (_label, args, message) => {
    // Act
    const { code, stdout, stderr } = await run("plan", "--now", NOW, ...args);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
  });

  it.each([
    ["no --inventory", ["plan"], "needs --inventory FILE (the JSON of 'aws secretsmanager list-secrets')"],
    [
      "a bad --format",
      ["plan", "--inventory", INVENTORY, "--format", "xml"],
      "--format must be table, json, csv or asff, not xml",
    ],
    [
      "a bad --mode",
      ["plan", "--inventory", INVENTORY, "--mode", "yolo"],
      "--mode must be report or enforce, not yolo",
    ],
    [
      "a bad --now",
      ["plan", "--inventory", INVENTORY, "--now", "next friday"],
      "--now: not an ISO-8601 date: next friday",
    ],
    ["an unknown option", ["plan", "--inventory", INVENTORY, "--dry-run"], "unknown option '--dry-run'"],
    [
      "a misspelt option",
      ["plan", "--inventroy", INVENTORY],
      "unknown option '--inventroy' (did you mean '--inventory'?)",
    ],
    ["an option without its value", ["plan", "--inventory"], "--inventory needs a value"],
  ])("bad usage (%s): exit 2 with the error and plan's usage line only", async (_label, argv, message) => {
    // Act
    const { code, stderr } = await run(...argv);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(
      [
        `governor plan: ${message}`,
        "usage: governor plan --inventory FILE [--compliance FILE] [--policy PATH] [--now ISO]",
        "                     [--mode report|enforce] [--format table|json|csv|asff] [--html FILE]",
        "see 'governor plan --help'",
        "",
      ].join("\n"),
    );
  });

  it("an unknown command: exit 2 with the commands and the closest one, not the whole usage", async () => {
    // Act
    const { code, stdout, stderr } = await run("pln");

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "governor: unknown command 'pln' (did you mean 'plan'?)\ncommands: validate, compile, schema, plan, report, replay, sweep, restore, preflight, org\nsee 'governor --help'\n",
    );
  });

  it("with no command prints the usage and exits 2; help exits 0", async () => {
    // Act
    const [none, help, helpPlan] = [await run(), await run("help"), await run("help", "plan")];

    // Assess
    expect(none.code).toBe(2);
    expect(none.stdout).toContain("Commands:");
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(none.stdout);
    expect(helpPlan.code).toBe(0);
    expect(helpPlan.stdout).toContain("  governor plan --inventory FILE");
  });
});

describe("governor plan of an imperfect inventory", () => {
  function inventoryFile(doc: unknown): string {
    const file = join(mkdtempSync(join(tmpdir(), "governor-")), "inventory.json");
    writeFileSync(file, JSON.stringify(doc));
    return file;
  }

  it("says why a secret with neither CreatedDate nor LastAccessedDate is skipped", async () => {
    // Prepare
    const file = inventoryFile({
      SecretList: [
        {
          ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/undated-Qq11Ww",
          Name: "app/undated",
        },
      ],
    });

    // Act
    const table = await run("plan", "--inventory", file, "--now", NOW);
    const json = await run("plan", "--inventory", file, "--now", NOW, "--format", "json");

    // Assess
    const reason = "no CreatedDate or LastAccessedDate: cannot judge whether it is unused, so it is skipped";
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^app\/undated +unused +none +- +- +no CreatedDate or LastAccessedDate: /m);
    const plan = JSON.parse(json.stdout) as JsonPlan;
    expect(plan.decisions.map((d) => [d.name, d.finding, d.action, d.reason])).toContainEqual([
      "app/undated",
      "unused",
      "none",
      reason,
    ]);
    expect(plan.summary).toMatchObject({ secrets: 1, unused: 0, monthlyCostUsd: 0.4 });
  });

  it("counts it once in the cost and warns on stderr, keeping stdout the plan", async () => {
    // Prepare: the example inventory with its first secret listed again at the end.
    const inventory = JSON.parse(readFileSync(INVENTORY, "utf8"));
    inventory.SecretList.push(inventory.SecretList[0]);
    const file = inventoryFile(inventory);

    // Act
    const { code, stdout, stderr } = await run("plan", "--inventory", file, "--now", NOW, "--format", "json");

    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe(
      `governor: warning: ${file}: SecretList[13] (app/active) is listed twice (the same ARN as SecretList[0]): counted once\n`,
    );
    const plan = JSON.parse(stdout) as JsonPlan;
    const once = await jsonPlan();
    expect(plan.summary).toEqual(once.summary);
    expect(plan.summary).toMatchObject({ secrets: 13, monthlyCostUsd: 4.8 });
    expect(plan.decisions).toEqual(once.decisions);
  });
});

describe("governor plan of hostile names", () => {
  /** The example inventory plus a stale secret whose name, and the owning service a reason quotes, are hostile. */
  function hostileInventory(): string {
    const inventory = JSON.parse(readFileSync(INVENTORY, "utf8"));
    const stale = inventory.SecretList.find((s: { Name: string }) => s.Name === "app/stale");
    inventory.SecretList.push(
      {
        ...stale,
        ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/hostile-Zz99Yy",
        Name: `app/hostile${HOSTILE}`,
      },
      {
        ...stale,
        ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/owned-Yy88Xx",
        Name: "app/owned",
        OwningService: `rds${HOSTILE}`,
      },
    );
    const file = join(mkdtempSync(join(tmpdir(), "governor-")), "inventory.json");
    writeFileSync(file, JSON.stringify(inventory));
    return file;
  }

  it("the table shows their control characters on one row each, never sends them, and keeps its colours", async () => {
    // Prepare: a terminal without NO_COLOR.
    let stdout = "";
    let stderr = "";
    const io: CliIO = {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      color: true,
      cwd: process.cwd(),
    };

    // Act
    const code = await main(["plan", "--inventory", hostileInventory(), "--now", NOW], io);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain("\u001b[1mSECRET");
    expect(stdout).toContain("\u001b[36mtag");
    const plain = withoutOwnColours(stdout);
    expectTerminalSafe(plain + stderr, `managed by rds${HOSTILE_SHOWN}: report only`);
    expect(plain).toMatch(new RegExp(`^app/hostile${escapeRegExp(HOSTILE_SHOWN)}  +unused  +tag  `, "m"));
  });

  it("--format json parses back to the same names, with what a terminal would act on escaped", async () => {
    // Act
    const { code, stdout } = await run(
      "plan",
      "--inventory",
      hostileInventory(),
      "--now",
      NOW,
      "--format",
      "json",
    );

    // Assess
    expect(code).toBe(0);
    expectTerminalSafe(stdout, "\\u202e", "\\u009d");
    const names = (JSON.parse(stdout) as JsonPlan).decisions.map((d) => d.name);
    expect(names).toContain(`app/hostile${HOSTILE}`);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
