import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PolicyValidationError } from "../../src/errors.js";
import { DEFAULT_ROUTE_SECRET, loadPolicy, type PolicyText } from "../../src/policy/load.js";
import { problemLines, problemsOf } from "./builders.js";

function fixtureDir(name: string): PolicyText[] {
  const dir = join("test/fixtures/policies", name);
  return readdirSync(dir)
    .sort()
    .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
}

const RULE = `rules:
  - name: unused-secrets
    match:
      finding: unused
    lifecycle:
      quarantine: { afterDays: 14 }
`;

describe("loadPolicy: the shipped policy", () => {
  it("loads policies/default.yml with every value as written", () => {
    // Prepare
    const text = readFileSync("policies/default.yml", "utf8");

    // Act
    const { policy, origins } = loadPolicy([{ path: "policies/default.yml", text }]);

    // Assess
    expect(policy.mode).toBe("report");
    expect(policy.rules.map((r) => r.name)).toEqual([
      "unused-secrets",
      "rotation-failures",
      "access-failures",
    ]);
    expect(policy.rules[0]?.lifecycle).toEqual({
      flag: { afterDays: 0 },
      quarantine: { afterDays: 14 },
      scheduleDeletion: { afterDays: 30, recoveryWindowDays: 30 },
      whenUsedAgain: "restore",
    });
    expect(policy.routing).toEqual({ tags: ["team"], map: {}, default: "default" });
    expect(policy.limits).toEqual({ perRun: { count: 20, percent: 10 }, perDay: { count: 50, percent: 25 } });
    expect(policy.accessFailures.onQuarantined).toBe("release");
    expect(origins.files.map((f) => f.path)).toEqual(["policies/default.yml"]);
  });

  it("fills in every default for a minimal file", () => {
    // Act
    const { policy } = loadPolicy([{ path: "min.yml", text: RULE }]);

    // Assess
    expect(policy).toMatchObject({
      mode: "report",
      exempt: { tags: { "governor:exempt": "true" }, names: [] },
      routes: { default: { webhookSecret: DEFAULT_ROUTE_SECRET } },
      routing: { tags: ["team", "owner"], map: {}, default: "default" },
      accessFailures: { windowMinutes: 15, incidentAfter: 3, onQuarantined: "release" },
      breakGlassPrincipals: [],
    });
    expect(policy.rules[0]?.lifecycle?.flag).toEqual({ afterDays: 0 });
    expect(policy.rules[0]?.lifecycle?.whenUsedAgain).toBe("restore");
  });

  it("fills in the defaults of a schedule-deletion action", () => {
    // Prepare
    const text = `rules:
  - name: purge
    match: { finding: rotation-disabled }
    actions: [quarantine, { schedule-deletion: {} }]
`;

    // Act
    const { policy } = loadPolicy([{ path: "p.yml", text }]);

    // Assess
    expect(policy.rules[0]?.actions?.[1]).toEqual({
      "schedule-deletion": { recoveryWindowDays: 30, afterQuarantineDays: 7 },
    });
  });

  it("rejects an empty list of files", () => {
    // Act
    const problems = problemsOf([]);

    // Assess
    expect(problems).toEqual([{ file: "(policy)", line: 1, col: 1, message: "no policy files found" }]);
  });
});

describe("loadPolicy: syntax and schema errors", () => {
  it.each([
    [
      "a YAML syntax error, at its line and column",
      "mode: report\nrules:\n  - name: x\n    match: [finding: unused\n",
      [/^p\.yml:5:1: YAML: /],
    ],
    ["a duplicated key", "mode: report\nmode: enforce\n", [/^p\.yml:2:1: YAML: Map keys must be unique/]],
    [
      "a list instead of a mapping",
      "- mode\n- report\n",
      ["p.yml:1:1: a policy file must be a mapping of keys"],
    ],
    [
      "an unknown key inside a lifecycle, at the key itself, with a suggestion",
      "rules:\n  - name: x\n    match:\n      finding: unused\n    lifecycle:\n      quarantien: { afterDays: 3 }\n",
      ["p.yml:6:7: unknown key 'quarantien' in rules.0.lifecycle (did you mean 'quarantine'?)"],
    ],
    [
      "unknown top-level keys, each with a suggestion",
      "version: 1\nmdoe: report\n\n  # a comment\nroutez: {}\n",
      [
        "p.yml:2:1: unknown key 'mdoe' (did you mean 'mode'?)",
        "p.yml:5:1: unknown key 'routez' (did you mean 'routes'?)",
      ],
    ],
    [
      "an unknown key far from any known one",
      "exempt:\n  colour: blue\n",
      ["p.yml:2:3: unknown key 'colour' in exempt (expected one of: tags, names)"],
    ],
    [
      "an unknown match condition",
      "rules:\n  - name: x\n    match: { finding: unused, nmae: app/* }\n    lifecycle: {}\n",
      ["p.yml:3:31: unknown key 'nmae' in rules.0.match (did you mean 'name'?)"],
    ],
    [
      "wrong types, all of them",
      "mode: 3\nlimits:\n  perRun: { count: -1 }\nrules:\n  - name: Bad_Name\n    match: { finding: unused }\n    unusedForDays: 0\n    lifecycle: {}\n",
      [
        'p.yml:1:7: mode: Invalid option: expected one of "report"|"enforce"',
        "p.yml:3:20: limits.perRun.count: Too small: expected number to be >=0",
        "p.yml:5:11: rules.0.name: rule names are lower-case words joined by '-'",
        "p.yml:7:20: rules.0.unusedForDays: Too small: expected number to be >=1",
      ],
    ],
    [
      "a negative unusedForDays",
      "rules:\n  - name: x\n    match: { finding: unused }\n    unusedForDays: -3\n    lifecycle: {}\n",
      ["p.yml:4:20: rules.0.unusedForDays: Too small: expected number to be >=1"],
    ],
    [
      "an unknown action",
      "rules:\n  - name: x\n    match: { finding: rotation-failed }\n    actions: [notify, explode]\n",
      [
        "p.yml:4:23: rules.0.actions.1: expected an action: one of notify, tag, untag, quarantine, release, schedule-deletion, cancel-deletion (tag and untag take their keys)",
      ],
    ],
    [
      "a fractional quarantine delay",
      "rules:\n  - name: x\n    match: { finding: unused }\n    lifecycle:\n      quarantine: { afterDays: 1.5 }\n",
      ["p.yml:5:32: rules.0.lifecycle.quarantine.afterDays: Invalid input: expected int, received number"],
    ],
  ])("reports %s", (_label, text, expected) => {
    // Act
    const lines = problemLines([{ path: "p.yml", text }]);

    // Assess
    expect(lines).toHaveLength(expected.length);
    for (const [i, want] of expected.entries()) {
      if (typeof want === "string") expect(lines[i]).toBe(want);
      else expect(lines[i]).toMatch(want);
    }
  });

  it.each([
    [
      "a misspelt match condition (a letter left out)",
      "rules:\n  - name: x\n    match: { finding: unused, ownigService: rds }\n    lifecycle: {}\n",
      ["p.yml:3:31: unknown key 'ownigService' in rules.0.match (did you mean 'owningService'?)"],
    ],
    [
      "a misspelt match condition (a letter left out, mid-word)",
      "rules:\n  - name: x\n    match: { finding: unused, rotatonEnabled: true }\n    lifecycle: {}\n",
      ["p.yml:3:31: unknown key 'rotatonEnabled' in rules.0.match (did you mean 'rotationEnabled'?)"],
    ],
    [
      "a misspelt lifecycle (a letter doubled)",
      "rules:\n  - name: x\n    match: { finding: unused }\n    lifeccycle: {}\n",
      ["p.yml:4:5: unknown key 'lifeccycle' in rules.0 (did you mean 'lifecycle'?)"],
    ],
    [
      "misspelt actions",
      "rules:\n  - name: x\n    match: { finding: rotation-disabled }\n    acions: [notify]\n",
      ["p.yml:4:5: unknown key 'acions' in rules.0 (did you mean 'actions'?)"],
    ],
    [
      "a misspelt key inside an action object",
      "rules:\n  - name: x\n    match: { finding: rotation-disabled }\n    actions:\n      - quarantine\n      - schedule-deletion: { recoveryWindow: 7 }\n",
      [
        "p.yml:6:30: unknown key 'recoveryWindow' in rules.0.actions.1.schedule-deletion (did you mean 'recoveryWindowDays'?)",
      ],
    ],
    [
      "a misspelt key of a notify action",
      "rules:\n  - name: x\n    match: { finding: rotation-disabled }\n    actions: [{ notify: { rout: ops } }]\n",
      ["p.yml:4:27: unknown key 'rout' in rules.0.actions.0.notify (did you mean 'route'?)"],
    ],
    [
      "a misspelt finding type",
      "rules:\n  - name: x\n    match: { finding: unsed }\n    lifecycle: {}\n",
      [
        "p.yml:3:23: rules.0.match.finding: unknown value 'unsed' (did you mean 'unused'?); expected one of: unused, rotation-disabled, rotation-failed, rotation-overdue, not-using-cmk, access-denied, decryption-failure",
      ],
    ],
    [
      "a misspelt finding type in a list, at its item",
      "rules:\n  - name: x\n    match:\n      finding: [rotation-disabled, not-usng-cmk]\n    actions: [notify]\n",
      [
        "p.yml:4:36: rules.0.match.finding.1: unknown value 'not-usng-cmk' (did you mean 'not-using-cmk'?); expected one of: unused, rotation-disabled, rotation-failed, rotation-overdue, not-using-cmk, access-denied, decryption-failure",
      ],
    ],
    [
      "a finding type far from any, with the valid ones",
      "rules:\n  - name: x\n    match: { finding: stale }\n    lifecycle: {}\n",
      [
        "p.yml:3:23: rules.0.match.finding: unknown value 'stale'; expected one of: unused, rotation-disabled, rotation-failed, rotation-overdue, not-using-cmk, access-denied, decryption-failure",
      ],
    ],
    [
      "a misspelt mode",
      "mode: enforc\n",
      ["p.yml:1:7: mode: unknown value 'enforc' (did you mean 'enforce'?); expected one of: report, enforce"],
    ],
    [
      "a misspelt action name",
      "rules:\n  - name: x\n    match: { finding: rotation-failed }\n    actions: [notify, quarantin]\n",
      [
        "p.yml:4:23: rules.0.actions.1: expected an action: one of notify, tag, untag, quarantine, release, schedule-deletion, cancel-deletion (tag and untag take their keys); did you mean 'quarantine'?",
      ],
    ],
    [
      "a short unknown key, not taken for a short known one",
      "limits:\n  perRun: { xy: 1 }\n",
      ["p.yml:2:13: unknown key 'xy' in limits.perRun (expected one of: count, percent)"],
    ],
  ])("suggests the closest by edit distance for %s", (_label, text, expected) => {
    // Act
    const lines = problemLines([{ path: "p.yml", text }]);

    // Assess
    expect(lines).toEqual(expected);
  });

  it("reports the problems of every file, not only the first file's", () => {
    // Prepare
    const texts = [
      { path: "a.yml", text: "mode: loud\n" },
      { path: "b.yml", text: "rules: [\n" },
      { path: "c.yml", text: "mdoe: report\n" },
    ];

    // Act
    const files = problemsOf(texts).map((p) => p.file);

    // Assess
    expect(new Set(files)).toEqual(new Set(["a.yml", "b.yml", "c.yml"]));
  });

  it("throws a PolicyValidationError whose message has one file:line:col line per problem", () => {
    // Act
    let error: unknown;
    try {
      loadPolicy([{ path: "a.yml", text: "mdoe: report\nroutez: {}\n" }]);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(PolicyValidationError);
    expect((error as Error).message.split("\n")).toEqual([
      "a.yml:1:1: unknown key 'mdoe' (did you mean 'mode'?)",
      "a.yml:2:1: unknown key 'routez' (did you mean 'routes'?)",
    ]);
  });
});

describe("loadPolicy: a directory of files", () => {
  it("merges the files: rules concatenated in file order, exempt names unioned, equal values accepted", () => {
    // Prepare
    const texts = fixtureDir("split");

    // Act
    const { policy, origins } = loadPolicy(texts);

    // Assess
    expect(policy.rules.map((r) => r.name)).toEqual(["unused-secrets", "payments-rotation"]);
    expect(policy.exempt.names).toEqual(["breakglass/**", "payments/hsm/*"]);
    expect(policy.exempt.tags).toEqual({ "governor:exempt": "true" });
    expect(Object.keys(policy.routes)).toEqual(["default", "payments"]);
    expect(origins.rules.map((r) => [r.file.path, r.index])).toEqual([
      ["test/fixtures/policies/split/10-base.yml", 0],
      ["test/fixtures/policies/split/20-payments.yml", 0],
    ]);
  });

  it.each([
    [
      "the same mode with different values",
      "mode: report\n",
      "# team\nmode: enforce\n",
      'b.yml:2:7: mode: "enforce" conflicts with "report" defined in a.yml',
    ],
    [
      "the same rule name in two files",
      RULE,
      "\n\nrules:\n  - name: unused-secrets\n    match: { finding: unused, name: x }\n    lifecycle: {}\n",
      "b.yml:4:11: rule 'unused-secrets' is already defined in a.yml",
    ],
    [
      "the same route with another webhook secret",
      "routes:\n  ops: { webhookSecret: slack/ops }\n",
      "routes:\n  default: { webhookSecret: slack/default }\n  ops:\n    webhookSecret: slack/ops-2\n",
      'b.yml:4:5: routes.ops: {"webhookSecret":"slack/ops-2"} conflicts with {"webhookSecret":"slack/ops"} defined in a.yml',
    ],
    [
      "the same exempt tag with another value",
      'exempt:\n  tags: { keep: "yes" }\n',
      'exempt:\n  tags:\n    keep: "no"\n',
      'b.yml:3:11: exempt.tags.keep: "no" conflicts with "yes" defined in a.yml',
    ],
    [
      "different routing tag lists",
      "routing:\n  tags: [team]\n",
      "routing:\n  tags: [owner]\n",
      'b.yml:2:9: routing.tags: ["owner"] conflicts with ["team"] defined in a.yml',
    ],
  ])("rejects %s at the second file's line", (_label, first, second, expected) => {
    // Act
    const lines = problemLines([
      { path: "a.yml", text: first },
      { path: "b.yml", text: second },
    ]);

    // Assess
    expect(lines).toEqual([expected]);
  });

  it("reports every conflict between the files", () => {
    // Prepare
    const texts = [
      { path: "a.yml", text: `mode: report\nroutes:\n  ops: { webhookSecret: a }\n${RULE}` },
      { path: "b.yml", text: `mode: enforce\nroutes:\n  ops: { webhookSecret: b }\n${RULE}` },
    ];

    // Act
    const lines = problemLines(texts);

    // Assess: with the semantic problems of the merge in the same run (the first definition standing).
    expect(lines).toEqual([
      'b.yml:1:7: mode: "enforce" conflicts with "report" defined in a.yml',
      'b.yml:3:8: routes.ops: {"webhookSecret":"b"} conflicts with {"webhookSecret":"a"} defined in a.yml',
      "b.yml:5:11: rule 'unused-secrets' is already defined in a.yml",
      "a.yml:1:1: unknown Slack route 'default' (routes: ops)",
    ]);
  });

  it("reports a file's schema errors and the conflicts between the other files in one run", () => {
    const lines = problemLines([
      { path: "a.yml", text: "mode: report\n" },
      { path: "b.yml", text: "mode: enforce\n" },
      { path: "c.yml", text: "limits: { perRun: { count: -1 } }\n" },
    ]);
    expect(lines.some((l) => l.startsWith('b.yml:1:7: mode: "enforce" conflicts'))).toBe(true);
    expect(lines.some((l) => l.startsWith("c.yml:"))).toBe(true);
  });
});
