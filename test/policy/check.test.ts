import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPolicy } from "../../src/policy/check.js";
import { withDefaults } from "../../src/policy/defaults.js";
import { loadPolicy } from "../../src/policy/load.js";
import type { Match, Rule } from "../../src/policy/schema.js";
import { asPolicyFile, problemLines, problemsOf } from "./builders.js";

const ROUTES = `routes:
  default: { webhookSecret: slack/default }
  ops: { webhookSecret: slack/ops }
`;

function lines(text: string): string[] {
  return problemLines([{ path: "p.yml", text }]);
}

describe("checkPolicy: lifecycles", () => {
  it.each([
    [
      "stages out of time order",
      "rules:\n  - name: u\n    match: { finding: unused }\n    lifecycle:\n      quarantine: { afterDays: 30 }\n      scheduleDeletion: { afterDays: 14 }\n",
      [
        "p.yml:6:38: stages out of order: scheduleDeletion.afterDays (14) must be later than quarantine.afterDays (30)",
      ],
    ],
    [
      "deletion on the same day as the quarantine",
      "rules:\n  - name: u\n    match: { finding: unused }\n    lifecycle:\n      quarantine: { afterDays: 14 }\n      scheduleDeletion: { afterDays: 14 }\n",
      [
        "p.yml:6:38: stages out of order: scheduleDeletion.afterDays (14) must be later than quarantine.afterDays (14)",
      ],
    ],
    [
      "scheduleDeletion without quarantine",
      "rules:\n  - name: u\n    match: { finding: unused }\n    lifecycle:\n      scheduleDeletion: { afterDays: 30 }\n",
      ["p.yml:5:25: deletion always comes after a quarantine: add lifecycle.quarantine"],
    ],
    [
      "a recovery window under 7 days",
      "rules:\n  - name: u\n    match: { finding: unused }\n    lifecycle:\n      quarantine: { afterDays: 14 }\n      scheduleDeletion: { afterDays: 30, recoveryWindowDays: 6 }\n",
      ["p.yml:6:62: recoveryWindowDays must be 7 to 30 (got 6)"],
    ],
    [
      "a recovery window over 30 days",
      "rules:\n  - name: u\n    match: { finding: unused }\n    lifecycle:\n      quarantine: { afterDays: 14 }\n      scheduleDeletion: { afterDays: 30, recoveryWindowDays: 31 }\n",
      ["p.yml:6:62: recoveryWindowDays must be 7 to 30 (got 31)"],
    ],
    [
      "a lifecycle on a finding other than unused",
      "rules:\n  - name: u\n    match: { finding: rotation-disabled }\n    lifecycle: {}\n",
      ["p.yml:4:16: a lifecycle applies only to the 'unused' finding (finding: unused)"],
    ],
    [
      "a lifecycle on unused and another finding",
      "rules:\n  - name: u\n    match: { finding: [unused, not-using-cmk] }\n    lifecycle: {}\n",
      ["p.yml:4:16: a lifecycle applies only to the 'unused' finding (finding: unused)"],
    ],
    [
      "both a lifecycle and actions",
      "rules:\n  - name: u\n    match: { finding: unused }\n    lifecycle: {}\n    actions: [notify]\n",
      ["p.yml:5:14: a rule has either a lifecycle or actions, not both"],
    ],
    [
      "neither a lifecycle nor actions",
      "rules:\n  - name: u\n    match: { finding: unused }\n",
      ["p.yml:3:12: a rule needs a lifecycle or actions"],
    ],
    [
      "unusedForDays on another finding",
      "rules:\n  - name: r\n    match: { finding: rotation-failed }\n    unusedForDays: 30\n    actions: [notify]\n",
      ["p.yml:4:20: unusedForDays applies only to rules on the 'unused' finding"],
    ],
  ])("rejects %s", (_label, text, expected) => {
    // Act
    const found = lines(text);

    // Assess
    expect(found).toEqual(expected);
  });

  it("accepts the boundary recovery windows 7 and 30", () => {
    // Prepare
    const text = `rules:
  - name: short
    match: { finding: unused, name: "a/**" }
    lifecycle:
      quarantine: { afterDays: 1 }
      scheduleDeletion: { afterDays: 2, recoveryWindowDays: 7 }
  - name: long
    match: { finding: unused }
    lifecycle:
      quarantine: { afterDays: 1 }
      scheduleDeletion: { afterDays: 2, recoveryWindowDays: 30 }
`;

    // Act
    const { policy } = loadPolicy([{ path: "p.yml", text: asPolicyFile(text) }]);

    // Assess
    expect(policy.rules.map((r) => r.lifecycle?.scheduleDeletion?.recoveryWindowDays)).toEqual([7, 30]);
  });
});

describe("checkPolicy: actions", () => {
  it.each([
    [
      "a tag action on a key outside governor:",
      "rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions:\n      - tag: { owner: platform }\n",
      ["p.yml:5:9: tag key 'owner': the governor only writes its own 'governor:' tags"],
    ],
    [
      "an untag action on a key outside governor:",
      "rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions:\n      - untag: [team]\n",
      ["p.yml:5:9: tag key 'team': the governor only writes its own 'governor:' tags"],
    ],
    [
      "a tag action on the reserved stage key",
      'rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions:\n      - tag: { "governor:stage": flagged }\n',
      ["p.yml:5:9: tag key 'governor:stage' is kept by the lifecycle; a rule cannot set it"],
    ],
    [
      "an untag action on the reserved stage-since key",
      "rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions:\n      - untag: [governor:stage-since]\n",
      ["p.yml:5:9: tag key 'governor:stage-since' is kept by the lifecycle; a rule cannot set it"],
    ],
    [
      "a tag action forging the proof of use",
      'rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions:\n      - tag: { "governor:used-on": "2099-01-01" }\n',
      ["p.yml:5:9: tag key 'governor:used-on' is kept by the lifecycle; a rule cannot set it"],
    ],
    [
      "an untag action removing the proof of use",
      "rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions:\n      - untag: [governor:used-on]\n",
      ["p.yml:5:9: tag key 'governor:used-on' is kept by the lifecycle; a rule cannot set it"],
    ],
    [
      "schedule-deletion without quarantine",
      "rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions: [notify, schedule-deletion]\n",
      ["p.yml:4:23: deletion always comes after a quarantine: list 'quarantine' in the same rule"],
    ],
    [
      "an action recovery window under 7 days",
      "rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions:\n      - quarantine\n      - schedule-deletion: { recoveryWindowDays: 5 }\n",
      ["p.yml:6:50: recoveryWindowDays must be 7 to 30 (got 5)"],
    ],
    [
      "an action recovery window over 30 days",
      "rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions:\n      - quarantine\n      - schedule-deletion: { recoveryWindowDays: 45 }\n",
      ["p.yml:6:50: recoveryWindowDays must be 7 to 30 (got 45)"],
    ],
    [
      "an action listed twice",
      "rules:\n  - name: r\n    match: { finding: rotation-disabled }\n    actions: [notify, notify]\n",
      ["p.yml:4:23: action 'notify' is listed twice"],
    ],
  ])("rejects %s", (_label, text, expected) => {
    // Act
    const found = lines(text);

    // Assess
    expect(found).toEqual(expected);
  });

  it("accepts governor: tags and a quarantine before a deletion", () => {
    // Prepare
    const text = `rules:
  - name: r
    match: { finding: rotation-disabled }
    actions:
      - tag: { "governor:rotation": required }
      - untag: ["governor:old"]
      - quarantine
      - schedule-deletion: { recoveryWindowDays: 7 }
`;

    // Act
    const { policy } = loadPolicy([{ path: "p.yml", text: asPolicyFile(text) }]);

    // Assess
    expect(policy.rules[0]?.actions).toHaveLength(4);
  });
});

describe("checkPolicy: Slack routes", () => {
  it.each([
    [
      "routing.default",
      `${ROUTES}routing:\n  default: platform\n`,
      ["p.yml:5:12: unknown Slack route 'platform' (routes: default, ops)"],
    ],
    [
      "routing.map",
      `${ROUTES}routing:\n  map:\n    payments: ops\n    data: analytics\n`,
      ["p.yml:7:11: unknown Slack route 'analytics' (routes: default, ops)"],
    ],
    [
      "a rule's route",
      `${ROUTES}rules:\n  - name: r\n    match: { finding: rotation-failed }\n    route: oops\n    actions: [notify]\n`,
      ["p.yml:7:12: unknown Slack route 'oops' (routes: default, ops)"],
    ],
    [
      "a notify action's route",
      `${ROUTES}rules:\n  - name: r\n    match: { finding: rotation-failed }\n    actions:\n      - notify: { route: secops }\n`,
      ["p.yml:8:26: unknown Slack route 'secops' (routes: default, ops)"],
    ],
    [
      "the implicit default route when routes do not define it",
      "routes:\n  ops: { webhookSecret: slack/ops }\n",
      ["p.yml:1:1: unknown Slack route 'default' (routes: ops)"],
    ],
  ])("rejects an unknown route in %s", (_label, text, expected) => {
    // Act
    const found = lines(text);

    // Assess
    expect(found).toEqual(expected);
  });

  it("reports an unknown route at the file that set it, not the first file", () => {
    // Prepare
    const texts = [
      { path: "a.yml", text: `${ROUTES}` },
      { path: "b.yml", text: "# team routing\n\nrouting:\n  map:\n    payments: nowhere\n" },
    ];

    // Act
    const found = problemLines(texts);

    // Assess
    expect(found).toEqual(["b.yml:5:15: unknown Slack route 'nowhere' (routes: default, ops)"]);
  });
});

describe("checkPolicy: unreachable rules", () => {
  it.each([
    [
      "a rule after a broader one on the same finding",
      "  - name: all\n    match: { finding: rotation-disabled }\n    actions: [notify]\n  - name: app\n    match: { finding: rotation-disabled, name: app/** }\n    actions: [notify]\n",
      "p.yml:6:12: unreachable rule 'app': rule 'all' before it matches everything it does",
    ],
    [
      "a rule whose findings are all taken by an earlier rule",
      "  - name: both\n    match: { finding: [access-denied, decryption-failure] }\n    actions: [notify]\n  - name: kms\n    match: { finding: decryption-failure, tags: { exists: [team] } }\n    actions: [notify]\n",
      "p.yml:6:12: unreachable rule 'kms': rule 'both' before it matches everything it does",
    ],
    [
      "a later unused rule with a lower threshold (thresholds do not take part in matching)",
      "  - name: slow\n    match: { finding: unused }\n    unusedForDays: 180\n    lifecycle: {}\n  - name: fast\n    match: { finding: unused }\n    unusedForDays: 30\n    lifecycle: {}\n",
      "p.yml:7:12: unreachable rule 'fast': rule 'slow' before it matches everything it does",
    ],
    [
      "a tag that must both exist and be absent",
      "  - name: r\n    match: { finding: rotation-disabled, tags: { exists: [team], absent: [team] } }\n    actions: [notify]\n",
      "p.yml:3:12: unreachable rule 'r': tag 'team' cannot both exist and be absent",
    ],
    [
      "a tag that must both equal a value and be absent",
      "  - name: r\n    match: { finding: rotation-disabled, tags: { equals: { team: a }, absent: [team] } }\n    actions: [notify]\n",
      "p.yml:3:12: unreachable rule 'r': tag 'team' cannot both equal a value and be absent",
    ],
    [
      "an empty ageDays range",
      "  - name: r\n    match: { finding: rotation-disabled, ageDays: { gt: 10, lt: 11 } }\n    actions: [notify]\n",
      "p.yml:3:12: unreachable rule 'r': ageDays is an empty range",
    ],
    [
      "an empty daysSinceLastAccess range",
      "  - name: r\n    match: { finding: unused, daysSinceLastAccess: { gte: 100, lte: 99 } }\n    lifecycle: {}\n",
      "p.yml:3:12: unreachable rule 'r': daysSinceLastAccess is an empty range",
    ],
    [
      "managed: false with an owningService",
      "  - name: r\n    match: { finding: rotation-disabled, managed: false, owningService: rds }\n    actions: [notify]\n",
      "p.yml:3:12: unreachable rule 'r': managed: false excludes every owningService",
    ],
    [
      "daysSinceLastAccess below 0 days (days are never negative)",
      "  - name: r\n    match: { finding: unused, daysSinceLastAccess: { lt: 0 } }\n    lifecycle: {}\n",
      "p.yml:3:12: unreachable rule 'r': daysSinceLastAccess is an empty range",
    ],
    [
      "ageDays of at most a fraction of a day below 1, from 1",
      "  - name: r\n    match: { finding: rotation-disabled, ageDays: { gte: 0.5, lt: 1 } }\n    actions: [notify]\n",
      "p.yml:3:12: unreachable rule 'r': ageDays is an empty range",
    ],
    [
      "a negative ageDays bound",
      "  - name: r\n    match: { finding: rotation-disabled, ageDays: { gt: -5 } }\n    actions: [notify]\n",
      'p.yml:3:57: rules[0] "r" match.ageDays.gt: a number of days cannot be negative',
    ],
    [
      "a negative daysSinceLastAccess bound (it would never match)",
      "  - name: r\n    match: { finding: unused, daysSinceLastAccess: { lt: -1 } }\n    lifecycle: {}\n",
      'p.yml:3:58: rules[0] "r" match.daysSinceLastAccess.lt: a number of days cannot be negative',
    ],
  ])("rejects %s", (_label, rules, expected) => {
    // Act
    const found = lines(`rules:\n${rules}`);

    // Assess
    expect(found).toEqual([expected]);
  });

  it.each([
    [
      "a narrower rule before a broader one",
      "  - name: app\n    match: { finding: rotation-disabled, name: app/** }\n    actions: [notify]\n  - name: all\n    match: { finding: rotation-disabled }\n    actions: [notify]\n",
    ],
    [
      "an earlier rule on fewer findings",
      "  - name: kms\n    match: { finding: decryption-failure }\n    actions: [notify]\n  - name: both\n    match: { finding: [access-denied, decryption-failure] }\n    actions: [notify]\n",
    ],
    [
      "a range that holds exactly one day",
      "  - name: r\n    match: { finding: rotation-disabled, ageDays: { gte: 10, lte: 10 } }\n    actions: [notify]\n",
    ],
    [
      "a range from day 0",
      "  - name: r\n    match: { finding: rotation-disabled, ageDays: { gte: 0, lt: 1 } }\n    actions: [notify]\n",
    ],
  ])("accepts %s", (_label, rules) => {
    // Act
    const { policy } = loadPolicy([{ path: "p.yml", text: asPolicyFile(`rules:\n${rules}`) }]);

    // Assess
    expect(policy.rules.length).toBeGreaterThan(0);
  });
});

describe("checkPolicy: every problem at once", () => {
  it("reports every semantic problem of a broken directory, each at its own file:line:col", () => {
    // Prepare
    const dir = "test/fixtures/policies/broken";
    const texts = readdirSync(dir)
      .sort()
      .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));

    // Act
    const found = problemsOf(texts).map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`);

    // Assess
    expect(found).toEqual([
      "test/fixtures/policies/broken/10-base.yml:6:12: unknown Slack route 'platform' (routes: default)",
      "test/fixtures/policies/broken/10-base.yml:12:38: stages out of order: scheduleDeletion.afterDays (14) must be later than quarantine.afterDays (30)",
      "test/fixtures/policies/broken/10-base.yml:12:62: recoveryWindowDays must be 7 to 30 (got 3)",
      "test/fixtures/policies/broken/20-team.yml:7:9: tag key 'owner': the governor only writes its own 'governor:' tags",
      "test/fixtures/policies/broken/20-team.yml:8:26: unknown Slack route 'security' (routes: default)",
      "test/fixtures/policies/broken/20-team.yml:11:15: deletion always comes after a quarantine: list 'quarantine' in the same rule",
    ]);
  });
});

describe("checkPolicy: escalations the sweep can carry out", () => {
  it.each([
    ["access-denied", "quarantine"],
    ["[access-denied, decryption-failure]", "quarantine"],
  ])("rejects %s -> %s: those findings never reach the sweep", (finding, action) => {
    const text = `rules:\n  - name: r\n    match: { finding: ${finding} }\n    actions: [notify, ${action}]\n`;
    const problems = lines(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^p\.yml:4:\d+: 'quarantine' on .* can never run: those findings come only from CloudTrail events/,
    );
  });

  it.each([
    "not-using-cmk",
    "[access-denied, rotation-failed]",
  ])("accepts a quarantine on %s, which the sweep reads from Config", (finding) => {
    const text = `rules:\n  - name: r\n    match: { finding: ${finding} }\n    actions: [quarantine]\n`;
    expect(loadPolicy([{ path: "p.yml", text: asPolicyFile(text) }]).policy.rules[0]?.actions).toEqual([
      "quarantine",
    ]);
  });
});

describe("checkPolicy: unreachable rules among many", () => {
  /** The pairwise definition the index must agree with: the first earlier rule whose conditions `later` has. */
  function coveredByPairwise(rules: Rule[]): (string | undefined)[] {
    return rules.map(
      (later, index) =>
        rules.slice(0, index).find((earlier) => {
          const findings = [earlier.match.finding].flat();
          if (![later.match.finding].flat().every((f) => findings.includes(f))) return false;
          return Object.entries(earlier.match).every(
            ([key, value]) =>
              key === "finding" ||
              value === undefined ||
              JSON.stringify(value) === JSON.stringify((later.match as Record<string, unknown>)[key]),
          );
        })?.name,
    );
  }

  function unreachableNames(rules: Rule[]): (string | undefined)[] {
    const policy = withDefaults({ version: 1, rules });
    const byRule = new Map<number, string>();
    for (const p of checkPolicy(policy, { rules: [], keys: new Map(), files: [] })) {
      const found = /unreachable rule '.*': rule '(.*)' before it/.exec(p.message);
      const index = Number(/^rules\.(\d+)\./.exec(p.path ?? "")?.[1]);
      if (found?.[1]) byRule.set(index, found[1]);
    }
    return rules.map((_, i) => byRule.get(i));
  }

  /** Rules drawn from a small vocabulary, so that many cover one another. Deterministic (a linear congruence). */
  function randomRules(count: number, seed: number): Rule[] {
    let state = seed;
    const pick = <T>(items: readonly T[]): T => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return items[state % items.length] as T;
    };
    const findings = ["unused", "rotation-disabled", "not-using-cmk"] as const;
    return Array.from({ length: count }, (_, i) => {
      const match: Match = { finding: pick([findings[0], findings[1], [findings[1], findings[2]]]) };
      const name = pick([undefined, "app/**", "db/*"]);
      if (name) match.name = name;
      const managed = pick([undefined, true, false]);
      if (managed !== undefined) match.managed = managed;
      const tags = pick([undefined, { exists: ["team"] }, { absent: ["owner"] }]);
      if (tags) match.tags = tags;
      const rotation = pick([undefined, undefined, true]);
      if (rotation !== undefined) match.rotationEnabled = rotation;
      return { name: `r-${i}`, match, actions: ["notify" as const] };
    });
  }

  it.each([1, 2, 3])("names the same first covering rule as the pairwise definition (seed %i)", (seed) => {
    // Prepare
    const rules = randomRules(400, seed);

    // Act
    const found = unreachableNames(rules);

    // Assess
    const expected = coveredByPairwise(rules);
    expect(expected.filter(Boolean).length).toBeGreaterThan(100);
    expect(found).toEqual(expected);
  });

  it("checks 20,000 rules in well under the time a pairwise check takes (minutes)", () => {
    // Prepare: each rule on its own name, as a policy with one rule per team would be.
    const rules: Rule[] = Array.from({ length: 20_000 }, (_, i) => ({
      name: `team-${i}`,
      match: {
        finding: (["unused", "rotation-disabled", "not-using-cmk"] as const)[i % 3] ?? "unused",
        name: `team-${i}/**`,
        tags: { exists: ["team"] },
        ...(i % 2 ? { managed: false } : {}),
      },
      actions: ["notify"],
    }));
    const policy = withDefaults({ version: 1, rules });
    const started = performance.now();

    // Act
    const problems = checkPolicy(policy, { rules: [], keys: new Map(), files: [] });

    // Assess
    expect(problems).toEqual([]);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
