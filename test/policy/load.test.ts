import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PolicyValidationError } from "../../src/errors.js";
import { DEFAULT_ROUTE_SECRET, loadPolicy, POLICY_LIMITS, type PolicyText } from "../../src/policy/load.js";
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
    const { policy } = loadPolicy([{ path: "min.yml", text: `version: 1\n${RULE}` }]);

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
    const text = `version: 1
rules:
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
    expect(problems).toEqual([{ file: "(policy)", message: "no policy files found" }]);
  });
});

describe("loadPolicy: syntax and schema errors", () => {
  it.each([
    [
      "a YAML syntax error, at its line and column",
      "mode: report\nrules:\n  - name: x\n    match: [finding: unused\n",
      [/^p\.yml:5:1: YAML: /],
    ],
    [
      "a duplicated key",
      "mode: report\nmode: enforce\n",
      ["p.yml:2:1: YAML: key 'mode' is given twice in the same mapping"],
    ],
    [
      "an unknown key inside a lifecycle, at the key itself, with a suggestion",
      "rules:\n  - name: x\n    match:\n      finding: unused\n    lifecycle:\n      quarantien: { afterDays: 3 }\n",
      ["p.yml:6:7: unknown key 'quarantien' in rules[0] \"x\" lifecycle (did you mean 'quarantine'?)"],
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
      ["p.yml:3:31: unknown key 'nmae' in rules[0] \"x\" match (did you mean 'name'?)"],
    ],
    [
      "wrong types, all of them",
      "mode: 3\nlimits:\n  perRun: { count: -1 }\nrules:\n  - name: Bad_Name\n    match: { finding: unused }\n    unusedForDays: 0\n    lifecycle: {}\n",
      [
        'p.yml:1:7: mode: expected one of "report", "enforce", got 3',
        "p.yml:3:20: limits.perRun.count: must be at least 0, not -1",
        "p.yml:5:11: rules[0] \"Bad_Name\" name: rule names are lower-case words joined by '-'",
        'p.yml:7:20: rules[0] "Bad_Name" unusedForDays: must be at least 1, not 0',
      ],
    ],
    [
      "a negative unusedForDays",
      "rules:\n  - name: x\n    match: { finding: unused }\n    unusedForDays: -3\n    lifecycle: {}\n",
      ['p.yml:4:20: rules[0] "x" unusedForDays: must be at least 1, not -3'],
    ],
    [
      "an unknown action",
      "rules:\n  - name: x\n    match: { finding: rotation-failed }\n    actions: [notify, explode]\n",
      [
        'p.yml:4:23: rules[0] "x" actions[1]: expected an action: one of notify, tag, untag, quarantine, release, schedule-deletion, cancel-deletion (tag and untag take their keys)',
      ],
    ],
    [
      "a fractional quarantine delay",
      "rules:\n  - name: x\n    match: { finding: unused }\n    lifecycle:\n      quarantine: { afterDays: 1.5 }\n",
      ['p.yml:5:32: rules[0] "x" lifecycle.quarantine.afterDays: expected a whole number, got 1.5'],
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
      ["p.yml:3:31: unknown key 'ownigService' in rules[0] \"x\" match (did you mean 'owningService'?)"],
    ],
    [
      "a misspelt match condition (a letter left out, mid-word)",
      "rules:\n  - name: x\n    match: { finding: unused, rotatonEnabled: true }\n    lifecycle: {}\n",
      ["p.yml:3:31: unknown key 'rotatonEnabled' in rules[0] \"x\" match (did you mean 'rotationEnabled'?)"],
    ],
    [
      "a misspelt lifecycle (a letter doubled)",
      "rules:\n  - name: x\n    match: { finding: unused }\n    lifeccycle: {}\n",
      ["p.yml:4:5: unknown key 'lifeccycle' in rules[0] \"x\" (did you mean 'lifecycle'?)"],
    ],
    [
      "misspelt actions",
      "rules:\n  - name: x\n    match: { finding: rotation-disabled }\n    acions: [notify]\n",
      ["p.yml:4:5: unknown key 'acions' in rules[0] \"x\" (did you mean 'actions'?)"],
    ],
    [
      "a misspelt key inside an action object",
      "rules:\n  - name: x\n    match: { finding: rotation-disabled }\n    actions:\n      - quarantine\n      - schedule-deletion: { recoveryWindow: 7 }\n",
      [
        "p.yml:6:30: unknown key 'recoveryWindow' in rules[0] \"x\" actions[1].schedule-deletion (did you mean 'recoveryWindowDays'?)",
      ],
    ],
    [
      "a misspelt key of a notify action",
      "rules:\n  - name: x\n    match: { finding: rotation-disabled }\n    actions: [{ notify: { rout: ops } }]\n",
      ["p.yml:4:27: unknown key 'rout' in rules[0] \"x\" actions[0].notify (did you mean 'route'?)"],
    ],
    [
      "a misspelt finding type",
      "rules:\n  - name: x\n    match: { finding: unsed }\n    lifecycle: {}\n",
      [
        "p.yml:3:23: rules[0] \"x\" match.finding: unknown value 'unsed' (did you mean 'unused'?); expected one of: unused, rotation-disabled, rotation-failed, rotation-overdue, not-using-cmk, access-denied, decryption-failure",
      ],
    ],
    [
      "a misspelt finding type in a list, at its item",
      "rules:\n  - name: x\n    match:\n      finding: [rotation-disabled, not-usng-cmk]\n    actions: [notify]\n",
      [
        "p.yml:4:36: rules[0] \"x\" match.finding[1]: unknown value 'not-usng-cmk' (did you mean 'not-using-cmk'?); expected one of: unused, rotation-disabled, rotation-failed, rotation-overdue, not-using-cmk, access-denied, decryption-failure",
      ],
    ],
    [
      "a finding type far from any, with the valid ones",
      "rules:\n  - name: x\n    match: { finding: stale }\n    lifecycle: {}\n",
      [
        "p.yml:3:23: rules[0] \"x\" match.finding: unknown value 'stale'; expected one of: unused, rotation-disabled, rotation-failed, rotation-overdue, not-using-cmk, access-denied, decryption-failure",
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
        "p.yml:4:23: rules[0] \"x\" actions[1]: expected an action: one of notify, tag, untag, quarantine, release, schedule-deletion, cancel-deletion (tag and untag take their keys); did you mean 'quarantine'?",
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
      loadPolicy([{ path: "a.yml", text: "mdoe: report\nroutez: {}\nversion: 1\nrules: []\n" }]);
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

    // Assess: with the semantic problems of the merge in the same run (the first definition standing), in
    // reading order.
    expect(lines).toEqual([
      "a.yml:1:1: unknown Slack route 'default' (routes: ops)",
      'b.yml:1:7: mode: "enforce" conflicts with "report" defined in a.yml',
      'b.yml:3:8: routes.ops: {"webhookSecret":"b"} conflicts with {"webhookSecret":"a"} defined in a.yml',
      "b.yml:5:11: rule 'unused-secrets' is already defined in a.yml",
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

/** The problems of one file, loaded as given (no `version` or `rules` added), as the CLI prints them. */
function linesOf(text: string, path = "p.yml"): string[] {
  try {
    loadPolicy([{ path, text }]);
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.message.split("\n");
    throw error;
  }
  throw new Error("expected the policy to be rejected");
}

describe("loadPolicy: a file that governs nothing is an error, not an empty policy", () => {
  it.each([
    [
      "an empty file",
      "",
      ["p.yml:1:1: the file is empty (truncated?): a policy file starts with 'version: 1' and has rules"],
    ],
    [
      "a file of comments only",
      "# the policy\n\n",
      ["p.yml:1:1: the file is empty (truncated?): a policy file starts with 'version: 1' and has rules"],
    ],
    [
      "an empty mapping",
      "{}\n",
      [
        "p.yml:1:1: version: required but missing (expected 1)",
        "p.yml:2:1: the policy has no 'rules:' (a truncated file?): it would govern nothing; write 'rules: []' to govern nothing on purpose",
      ],
    ],
    [
      "a mode only",
      "mode: enforce\n",
      [
        "p.yml:1:1: version: required but missing (expected 1)",
        "p.yml:2:1: the policy has no 'rules:' (a truncated file?): it would govern nothing; write 'rules: []' to govern nothing on purpose",
      ],
    ],
    [
      "a file cut before its rules",
      "version: 1\nmode: enforce\nroutes:\n  default: { webhookSecret: secrets-governor/slack/default }\n",
      [
        "p.yml:5:1: the policy has no 'rules:' (a truncated file?): it would govern nothing; write 'rules: []' to govern nothing on purpose",
      ],
    ],
    [
      "a number",
      "5\n",
      ["p.yml:1:1: a policy file must be a mapping of keys (version: 1, rules: ...), not 5"],
    ],
    [
      "a list",
      "- mode\n- report\n",
      ["p.yml:1:1: a policy file must be a mapping of keys (version: 1, rules: ...), not a list"],
    ],
    ["another version", "version: 2\nrules: []\n", ["p.yml:1:10: version: expected 1, got 2"]],
    [
      "a version in quotes",
      'version: "1"\nrules: []\n',
      ['p.yml:1:10: version: expected the number 1, got the text "1" (write it without quotes)'],
    ],
  ])("rejects %s", (_label, text, expected) => {
    expect(linesOf(text)).toEqual(expected);
  });

  it("accepts a policy that says it has no rules: rules: []", () => {
    // Act
    const { policy } = loadPolicy([{ path: "p.yml", text: "version: 1\nrules: []\n" }]);

    // Assess
    expect(policy.rules).toEqual([]);
  });

  it("takes the rules from any file of a directory, and wants a version in each file", () => {
    // Prepare
    const base = { path: "10-base.yml", text: "version: 1\nmode: report\n" };
    const team = { path: "20-team.yml", text: `version: 1\n${RULE}` };
    const bare = { path: "30-more.yml", text: "mode: report\n" };

    // Act
    const { policy } = loadPolicy([base, team]);
    const problems = (() => {
      try {
        loadPolicy([base, team, bare]);
      } catch (error) {
        return (error as Error).message;
      }
    })();

    // Assess
    expect(policy.rules.map((r) => r.name)).toEqual(["unused-secrets"]);
    expect(problems).toBe("30-more.yml:1:1: version: required but missing (expected 1)");
  });
});

describe("loadPolicy: the YAML library's limits and errors, each at file:line:col", () => {
  const BOMB = [
    "version: 1",
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
    "rules: []",
    "",
  ].join("\n");

  it.each([
    [
      "an alias bomb (billion laughs)",
      BOMB,
      [
        "p.yml:3:8: YAML: Excessive alias count indicates a resource exhaustion attack (its aliases expand to more than 100 values)",
      ],
    ],
    [
      "an alias of a value that contains it",
      "version: 1\nexempt: &a\n  names: *a\nrules: []\n",
      ["p.yml:3:10: YAML: alias *a refers to a value that contains it: it would never end"],
    ],
    [
      "an alias of no anchor",
      "version: 1\nmode: *nope\nrules: []\n",
      ["p.yml:2:7: YAML: Unresolved alias (the anchor must be set before the alias): nope"],
    ],
    [
      "a key that is a list (JavaScript would make it text, with a warning on stderr)",
      "version: 1\n? [a, b]\n: 1\nrules: []\n",
      ["p.yml:2:3: YAML: a key must be a plain word, not a list or a mapping"],
    ],
    [
      "an unknown tag (the library only warns)",
      "version: 1\nmode: !loud report\nrules: []\n",
      ["p.yml:2:7: YAML: Unresolved tag: !loud; a policy file needs no YAML tags"],
    ],
    [
      "two documents in one file",
      "version: 1\nrules: []\n---\nmode: enforce\n",
      [
        "p.yml:3:1: YAML: the file holds more than one YAML document (a '---' line); a policy file is one document",
      ],
    ],
  ])("reports %s", (_label, text, expected) => {
    expect(linesOf(text)).toEqual(expected);
  });

  it("reports nesting too deep for the parser once, not once per level", () => {
    // Act
    const lines = linesOf(`version: 1\nrules: ${"[".repeat(5_000)}\n`);

    // Assess: where the parser's stack ran out depends on the stack, not on the file.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^p\.yml:2:\d+: YAML: the file is nested too deeply for the YAML parser \(Maximum call stack size exceeded\)$/,
    );
  });

  it("reports a timestamp or binary value by what YAML made of it", () => {
    expect(
      linesOf(
        "version: 1\nmode: !!binary aGVsbG8=\nrules:\n  - name: !!timestamp 2026-01-01\n    match: { finding: unused }\n    lifecycle: {}\n",
      ),
    ).toEqual([
      'p.yml:2:16: mode: expected one of "report", "enforce", got binary data (!!binary)',
      "p.yml:4:23: rules[0].name: expected text, got a date (YAML read it as a timestamp; quote it to keep it as text)",
    ]);
  });

  it("refuses a file over the size limit before parsing it, naming the limit", () => {
    // Prepare
    const text = `version: 1\nrules: []\n#${"x".repeat(POLICY_LIMITS.fileCharacters)}\n`;

    // Act
    const lines = linesOf(text);

    // Assess
    expect(lines).toEqual([
      `p.yml:1:1: the file has ${text.length} characters; a policy file may have at most ${POLICY_LIMITS.fileCharacters} (POLICY_LIMITS.fileCharacters)`,
    ]);
  });

  it("refuses more rules than the limit, at the first one over it, naming the limit", () => {
    // Prepare
    const rules = Array.from(
      { length: POLICY_LIMITS.rules + 1 },
      (_, i) => `  - { name: r-${i}, match: { finding: unused, name: "t-${i}/*" }, lifecycle: {} }\n`,
    );
    const text = `version: 1\nrules:\n${rules.join("")}`;

    // Act
    const lines = linesOf(text);

    // Assess
    expect(lines).toEqual([
      `p.yml:${POLICY_LIMITS.rules + 3}:5: the policy has ${POLICY_LIMITS.rules + 1} rules; it may have at most ${POLICY_LIMITS.rules} (POLICY_LIMITS.rules)`,
    ]);
  });
});

describe("loadPolicy: zod's issues in the policy's words", () => {
  it.each([
    [
      "a word for a number",
      "unusedForDays: ten",
      'rules[0] "u" unusedForDays: expected a number, got the text "ten"',
    ],
    ["a list for a mapping", "match: [unused]", 'rules[0] "u" match: expected a mapping of keys, got a list'],
    ["an empty list of actions", "actions: []", 'rules[0] "u" actions: needs at least 1 entry'],
    ["a percentage over 100", null, "limits.perRun.percent: must be at most 100, not 150"],
  ])("says %s as the file shows it", (_label, line, expected) => {
    // Prepare
    const text =
      line === null
        ? "version: 1\nlimits:\n  perRun: { percent: 150 }\nrules: []\n"
        : `version: 1\nrules:\n  - name: u\n    ${line.startsWith("match") ? line : "match: { finding: unused }"}\n    ${line.startsWith("match") ? "lifecycle: {}" : line}\n${line.startsWith("actions") || line.startsWith("match") ? "" : "    lifecycle: {}\n"}`;

    // Act
    const lines = linesOf(text);

    // Assess
    expect(lines.map((l) => l.replace(/^p\.yml:\d+:\d+: /, ""))).toContain(expected);
  });

  it("sorts every problem of a file by line, whichever check found it", () => {
    // Prepare: a schema problem after a YAML-free one, a conflict-free file.
    const text =
      "version: 1\nrouting: { default: nowhere }\nrules:\n  - name: a\n    match: { finding: rotation-disabled }\n    actions: [notify]\n  - name: b\n    match: { finding: rotation-disabled, name: x }\n    actions: [notify]\n";

    // Act
    const lines = linesOf(text);

    // Assess
    expect(lines).toEqual([
      "p.yml:2:21: unknown Slack route 'nowhere' (routes: default)",
      "p.yml:8:12: unreachable rule 'b': rule 'a' before it matches everything it does",
    ]);
  });
});
