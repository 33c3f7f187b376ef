import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Decision, Stage } from "../../src/domain/decision.js";
import type { Finding } from "../../src/domain/finding.js";
import type { Report, ReportItem } from "../../src/ports.js";
import { buildMessages } from "../../src/report/build.js";
import {
  EXAMPLE_NOW,
  EXAMPLE_SUMMARY,
  exampleDecision,
  exampleSecret,
  examples,
} from "../../src/report/examples.js";
import { classifyDecision, MESSAGE_KINDS } from "../../src/report/item.js";
import { checkSlackLimits, SLACK_LIMITS } from "../../src/report/limits.js";
import type { SlackMessage } from "../../src/report/message.js";
import { renderExamples, withReadmeExamples } from "../../src/report/render-examples.js";

const HOSTILE = ["<!channel>", "<@U12345>", "<http://evil|click>", "*bold*"];

/** Every `<` left in the payload opens a console link we built; nothing else is a control sequence. */
function controlSequences(payload: unknown): string[] {
  return JSON.stringify(payload).match(/<[^>]*>/g) ?? [];
}

function expectOnlyOurLinks(payload: unknown): void {
  for (const seq of controlSequences(payload))
    expect(seq).toMatch(
      /^<https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/secretsmanager\/secret\?name=[^|<>\s]*\|[^<>]*>$/,
    );
  expect(JSON.stringify(payload)).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
}

describe("message kinds", () => {
  const byId = new Map(examples().map((e) => [e.id, e]));

  it("covers every kind", () => {
    const kinds = new Set(
      examples()
        .filter((e) => (e.report.kind ?? "items") === "items")
        .flatMap((e) => e.report.items.map((i) => classifyDecision(i.decision))),
    );
    expect([...kinds].sort()).toEqual([...MESSAGE_KINDS].sort());
  });

  it.each(
    examples().map((e) => [e.id, e] as const),
  )("%s: blocks match the snapshot and Slack's limits", (_, example) => {
    const messages = buildMessages(example.report);
    expect(messages).toHaveLength(1);
    for (const { message } of messages) {
      expect(checkSlackLimits(message)).toEqual([]);
      expectOnlyOurLinks(message);
    }
    expect(messages).toMatchSnapshot();
  });

  it("says plainly that nothing was changed in report mode, and never in enforce mode", () => {
    const dry = buildMessages(byId.get("quarantined-report-mode")?.report as Report)[0]?.message;
    const real = buildMessages(byId.get("quarantined")?.report as Report)[0]?.message;
    expect(JSON.stringify(dry)).toContain("nothing was changed");
    expect(dry?.text).toContain("nothing was changed");
    expect(JSON.stringify(real)).not.toContain("nothing was changed");
  });

  it("gives each item its facts: owner, last access, cost, next step, console link, the way out", () => {
    const text = JSON.stringify(buildMessages(byId.get("quarantined")?.report as Report));
    for (const part of [
      "`alice@example.com`",
      "2026-05-01 (206 days ago)",
      "$0.40/month",
      "schedule deletion on 2027-01-22",
      "https://eu-west-1.console.aws.amazon.com/secretsmanager/secret?name=payments%2Fstripe-api-key&amp;region=eu-west-1",
      "governor restore 'payments/stripe-api-key'",
      "governor:exempt=true",
    ])
      expect(text).toContain(part);
  });
});

describe("hostile inputs", () => {
  const secret = exampleSecret("app/db", {
    description: "🔐 مفتاح قاعدة البيانات \u202Egnp.exe <!here> *urgent*",
    tags: { owner: "<!subteam^S1|@ops> `x`", team: "<#C12345>" },
  });
  const finding: Finding = {
    type: "access-denied",
    secretId: HOSTILE.join(" "),
    source: "cloudtrail",
    status: "open",
    observedAt: EXAMPLE_NOW,
    access: {
      api: "GetSecretValue",
      principalArn: "arn:aws:iam::123456789012:user/<!everyone>",
      userAgent: `${HOSTILE.join(" ")} ~strike~ _it_ \u2066rtl\u2069`,
      errorCode: "AccessDeniedException",
      errorMessage: `denied: ${HOSTILE.join(" ")}\n\`\`\`injected\`\`\``,
      sourceIp: "<http://10.0.0.1|home>",
    },
  };
  const item: ReportItem = {
    secret,
    finding,
    decision: exampleDecision(secret, { finding: "access-denied", reason: `caller <@U999> said *hi*` }),
  };

  it("neutralises mentions, links, formatting and bidi overrides from a denied GetSecretValue", () => {
    const [routed] = buildMessages({ mode: "enforce", now: EXAMPLE_NOW, items: [item] });
    expect(routed).toBeDefined();
    expect(checkSlackLimits(routed?.message)).toEqual([]);
    expectOnlyOurLinks(routed?.message);
    const json = JSON.stringify(routed?.message);
    expect(json).toContain("&lt;!channel&gt;");
    expect(json).toContain("&lt;@U12345&gt;");
    expect(json).toContain("&lt;http:\u200B//evil|click&gt;");
    expect(json).toContain("[U+202E]");
    // Emoji and right-to-left text survive.
    expect(json).toContain("🔐 مفتاح قاعدة البيانات");
    // Untrusted `*bold*` only ever appears inside a code span (or with look-alike stars in prose).
    const texts = routed?.message.blocks.flatMap((b) =>
      b.type === "section" ? [b.text?.text ?? "", ...(b.fields ?? []).map((f) => f.text)] : [],
    );
    for (const t of texts ?? []) {
      const outsideCode = t.replace(/```[\s\S]*?```/g, "").replace(/`[^`]*`/g, "");
      expect(outsideCode).not.toContain("*bold*");
      expect(outsideCode).not.toContain("~strike~");
    }
  });

  it("cuts a 512-character name with an ellipsis and keeps the message within limits", () => {
    const long = exampleSecret(`team/${"n".repeat(507)}`);
    const [routed, ...rest] = buildMessages({
      mode: "enforce",
      now: EXAMPLE_NOW,
      items: [
        { secret: long, decision: exampleDecision(long, { action: "quarantine", stage: "quarantined" }) },
      ],
    });
    expect(rest).toEqual([]);
    expect(checkSlackLimits(routed?.message)).toEqual([]);
    const json = JSON.stringify(routed?.message);
    expect(json).toContain("n…`");
    // Only the console link carries the full name (it must open the right secret).
    expect(json.replace(/<https:[^>]*>/g, "")).not.toContain("n".repeat(300));
    expect(json).toContain(`name=team%2F${"n".repeat(507)}&amp;region=eu-west-1`);
    // The restore command of a cut name would be wrong: the message points to the console instead.
    expect(json).toContain("with the secret's full name");
  });

  it("keeps 10,000 findings in one digest within limits, destructive first, and says how many more", () => {
    const decisions: ReportItem[] = Array.from({ length: 10_000 }, (_, i) => {
      const s = exampleSecret(`svc-${i}/${"<!channel>".repeat(i % 3)}key`);
      const action: Decision["action"] =
        i % 1000 === 7 ? "schedule-deletion" : i % 100 === 3 ? "quarantine" : "tag";
      return { secret: s, decision: exampleDecision(s, { action, stage: "flagged" }) };
    });
    const routed = buildMessages({
      mode: "report",
      kind: "digest",
      now: EXAMPLE_NOW,
      items: decisions,
      summary: EXAMPLE_SUMMARY,
      failedDeliveries: 3,
    });
    expect(routed).toHaveLength(1);
    const msg = routed[0]?.message;
    expect(checkSlackLimits(msg)).toEqual([]);
    expectOnlyOurLinks(msg);
    const json = JSON.stringify(msg);
    expect(json).toMatch(/…and 99\d\d more/);
    expect(json).toContain("3 alerts failed to send last time");
    expect(json).toContain("nothing was changed");
    const lines = (msg?.blocks ?? [])
      .flatMap((b) => (b.type === "section" && b.text ? b.text.text.split("\n") : []))
      .filter((l) => l.includes("would "));
    expect(lines[0]).toContain("would schedule deletion");
    expect(lines.slice(0, 10).every((l) => l.includes("would schedule deletion"))).toBe(true);
    expect(lines[10]).toContain("would quarantine");
  });

  it("makes one digest per route", () => {
    const a = exampleSecret("a");
    const b = exampleSecret("b");
    const routed = buildMessages({
      mode: "enforce",
      kind: "digest",
      now: EXAMPLE_NOW,
      items: [
        { secret: a, decision: exampleDecision(a, { route: "ops" }) },
        { secret: b, decision: exampleDecision(b, { route: "payments" }) },
        { secret: b, decision: exampleDecision(b, { route: "ops" }) },
      ],
    });
    expect(routed.map((r) => r.route)).toEqual(["ops", "payments"]);
  });
});

/** Every text of a message: header, sections, fields, context lines, and the fallback. */
function textsOf(msg: SlackMessage | undefined): string[] {
  if (!msg) return [];
  return [
    msg.text,
    ...msg.blocks.flatMap((b) => {
      if (b.type === "header") return [b.text.text];
      if (b.type === "section") return [b.text?.text ?? "", ...(b.fields ?? []).map((f) => f.text)];
      if (b.type === "context") return b.elements.map((e) => e.text);
      return [];
    }),
  ];
}

function only(report: Report): SlackMessage {
  const routed = buildMessages(report);
  expect(routed).toHaveLength(1);
  return routed[0]?.message as SlackMessage;
}

describe("hostile sizes", () => {
  const marks = (n: number) => `a${"\u0301".repeat(n)}`;

  it("keeps an alert whose every caller-controlled field is one letter with 20,000 combining marks within limits", () => {
    // Prepare
    const secret = exampleSecret("app/db", { description: marks(20_000), tags: { owner: marks(20_000) } });
    const item: ReportItem = {
      secret,
      finding: {
        type: "access-denied",
        secretId: marks(20_000),
        source: "cloudtrail",
        status: "open",
        observedAt: EXAMPLE_NOW,
        access: {
          api: marks(5_000),
          principalArn: marks(20_000),
          principalType: marks(5_000),
          userAgent: marks(20_000),
          errorCode: marks(5_000),
          errorMessage: marks(20_000),
          sourceIp: marks(5_000),
        },
      },
      decision: exampleDecision(secret, {
        finding: "access-denied",
        rule: "access-failures",
        reason: marks(20_000),
      }),
    };

    // Act
    const routed = buildMessages({ mode: "enforce", now: EXAMPLE_NOW, items: [item] });

    // Assess
    expect(routed.length).toBeGreaterThan(0);
    for (const { message } of routed) {
      expect(checkSlackLimits(message)).toEqual([]);
      expect(JSON.stringify(message).length).toBeLessThanOrEqual(SLACK_LIMITS.payloadJson);
    }
  });
});

describe("bare URLs in untrusted text", () => {
  it("are not links in the reason, the caller, the error message or the fallback; the console link stays one", () => {
    // Prepare
    const secret = exampleSecret("app/db", { description: "docs at https://wiki.evil.example/db" });
    const item: ReportItem = {
      secret,
      finding: {
        type: "rotation-failed",
        secretId: secret.arn,
        source: "cloudtrail",
        status: "open",
        observedAt: EXAMPLE_NOW,
        message: "rotation failed: sign in again at https://evil.example/login",
      },
      decision: exampleDecision(secret, {
        finding: "rotation-failed",
        rule: "rotation-failures",
        action: "notify",
        steps: [{ kind: "notify", route: "payments" }],
        reason: "rotation-failed: sign in again at https://evil.example/login",
      }),
    };

    // Act
    const msg = only({ mode: "enforce", now: EXAMPLE_NOW, items: [item] });

    // Assess
    const withoutOurLink = textsOf(msg).map((t) => t.replace(/<https:\/\/[^|>]+\|[^>]+>/g, ""));
    for (const text of withoutOurLink) expect(text).not.toMatch(/[a-z]+:\/\//i);
    expect(msg.text).toContain("evil\u2024example/login");
    expect(JSON.stringify(msg)).toContain(
      "<https://eu-west-1.console.aws.amazon.com/secretsmanager/secret?name=app%2Fdb&amp;region=eu-west-1|Open in the AWS console>",
    );
    expectOnlyOurLinks(msg);
  });
});

describe("a read denied by the governor's own quarantine", () => {
  const principal = "arn:aws:sts::123456789012:assumed-role/payments-api/i-0abc";
  function feedback(
    stage: Stage,
    overrides: Partial<Decision>,
    secretOverrides: Partial<ReturnType<typeof exampleSecret>> = {},
  ): ReportItem {
    const secret = exampleSecret("payments/stripe-api-key", {
      tags: { team: "payments", "governor:stage": stage, "governor:stage-since": "2026-11-16" },
      ...secretOverrides,
    });
    return {
      secret,
      finding: {
        type: "access-denied",
        secretId: secret.name,
        source: "cloudtrail",
        status: "open",
        observedAt: EXAMPLE_NOW,
        access: { api: "GetSecretValue", principalArn: principal, errorCode: "AccessDeniedException" },
      },
      decision: exampleDecision(secret, {
        finding: "access-denied",
        rule: "quarantine-feedback",
        reason: `${principal} still reads it (GetSecretValue denied while ${stage}): the secret is in use`,
        ...overrides,
      }),
    };
  }
  const released = {
    action: "release" as const,
    steps: [
      { kind: "release" as const },
      { kind: "untag" as const, keys: ["governor:stage", "governor:stage-since"] },
      { kind: "notify" as const, route: "payments" },
    ],
    stage: null,
  };

  it.each([
    [
      "released (enforce)",
      "enforce" as const,
      feedback("quarantined", released),
      [
        "Secret still in use: quarantine released",
        "*Stage*\nnone (released from `quarantined`)",
        "Now the quarantine is released",
      ],
    ],
    [
      "would be released (report mode)",
      "report" as const,
      feedback("quarantined", released),
      [
        "quarantine would be released",
        "*Stage*\n`quarantined` (would be released)",
        "Enforce mode would release it",
      ],
    ],
    [
      "a pending deletion cancelled",
      "enforce" as const,
      feedback(
        "deletion-scheduled",
        { ...released, action: "cancel-deletion", steps: [{ kind: "cancel-deletion" }, ...released.steps] },
        { deletedDate: new Date("2026-12-16T00:00:00Z") },
      ),
      [
        "deletion cancelled",
        "released from `deletion-scheduled`",
        "scheduled for deletion",
        "*Next step*\nnone",
      ],
    ],
    [
      "kept in place (onQuarantined: notify)",
      "enforce" as const,
      feedback("quarantined", {
        action: "notify",
        steps: [{ kind: "notify", route: "payments" }],
        stage: "quarantined",
      }),
      ["Quarantined secret is still in use", "The quarantine stays in place", "*Stage*\n`quarantined`"],
    ],
  ])("%s: says the governor's quarantine denied it, names the caller and the stage", (_, mode, item, parts) => {
    // Act
    const msg = only({ mode, now: EXAMPLE_NOW, items: [item] });

    // Assess
    const json = JSON.stringify(msg);
    expect(json).toContain(
      "Denied by the governor's own quarantine:* `arn:aws:sts::123456789012:assumed-role/payments-api/i-0abc`",
    );
    for (const part of parts) expect(json).toContain(JSON.stringify(part).slice(1, -1));
    expect(json).not.toContain("the governor did not block this read");
    expect(json).not.toContain('*Stage*\\nnone"');
    expect(checkSlackLimits(msg)).toEqual([]);
  });
});

describe("rotation failures", () => {
  function rotation(stage: Stage | null, overrides: Partial<Decision> = {}): ReportItem {
    const secret = exampleSecret("payments/reporting-db", {
      rotationEnabled: true,
      tags: stage ? { team: "payments", "governor:stage": stage, "governor:stage-since": "2026-11-09" } : {},
    });
    return {
      secret,
      decision: exampleDecision(secret, {
        finding: "rotation-failed",
        rule: "rotation-failures",
        action: "notify",
        steps: [{ kind: "notify", route: "payments" }],
        stage,
        reason:
          stage === "quarantined" || stage === "deletion-scheduled"
            ? `caused by the governor's own ${stage === "quarantined" ? "quarantine" : "deletion"}: rotation cannot read the secret (expected, not an alarm)`
            : "rotation-failed: connect ETIMEDOUT",
        ...overrides,
      }),
    };
  }

  it.each([
    ["quarantined", "Rotation failed, as expected: the secret is quarantined"],
    ["deletion-scheduled", "Rotation failed, as expected: the secret is scheduled for deletion"],
  ] as const)("caused by the governor's own stage %s: an expected consequence, not an alarm", (stage, title) => {
    // Act
    const msg = only({ mode: "enforce", now: EXAMPLE_NOW, items: [rotation(stage)] });

    // Assess
    const head = msg.blocks[0];
    expect(head?.type === "header" ? head.text.text : "").toBe(`:information_source: ${title}`);
    expect(msg.text.startsWith(title)).toBe(true);
    expect(JSON.stringify(msg)).toContain("Expected, not an alarm:");
    expect(JSON.stringify(msg)).not.toContain("Secret rotation failed");
  });

  it("not caused by the governor: still the alarm", () => {
    const msg = only({ mode: "enforce", now: EXAMPLE_NOW, items: [rotation(null)] });
    expect(msg.text.startsWith("Secret rotation failed")).toBe(true);
  });

  it.each([
    [
      "the date the caller worked out",
      "flagged" as const,
      { next: { action: "quarantine" as const, on: "2026-11-23" } },
      "quarantine on 2026-11-23",
    ],
    [
      "the stage it goes on from",
      "flagged" as const,
      {},
      "the lifecycle goes on from `flagged` (since 2026-11-09); `governor plan` shows when",
    ],
    [
      "the stage it goes on from",
      "quarantined" as const,
      {},
      "the lifecycle goes on from `quarantined` (since 2026-11-09); `governor plan` shows when",
    ],
  ])("mid-lifecycle, shows the lifecycle's next step: %s (%s)", (_, stage, overrides, next) => {
    // Act
    const msg = only({ mode: "enforce", now: EXAMPLE_NOW, items: [rotation(stage, overrides)] });

    // Assess
    const facts = msg.blocks.find((b) => b.type === "section" && b.fields);
    const field =
      facts?.type === "section" ? facts.fields?.find((f) => f.text.startsWith("*Next step*")) : undefined;
    expect(field?.text).toBe(`*Next step*\n${next}`);
  });
});

describe("digests", () => {
  it("show their notes as context lines, escaped", () => {
    // Prepare
    const note =
      "Config compliance could not be read (<!channel> AccessDenied); unused is judged from ListSecrets";

    // Act
    const routed = buildMessages({
      mode: "enforce",
      kind: "digest",
      now: EXAMPLE_NOW,
      items: [],
      route: "platform",
      notes: [note],
    });

    // Assess
    expect(routed.map((r) => r.route)).toEqual(["platform"]);
    const contexts = routed[0]?.message.blocks.filter((b) => b.type === "context") ?? [];
    expect(JSON.stringify(contexts)).toContain(
      ":warning: Config compliance could not be read (&lt;!channel&gt; AccessDenied); unused is judged from ListSecrets",
    );
  });

  it.each([
    ["cost", "platform"],
    ["digest", "platform"],
    ["cost", undefined],
  ] as const)("send a %s with no items to the report's route (%s)", (kind, route) => {
    const routed = buildMessages({
      mode: "enforce",
      kind,
      now: EXAMPLE_NOW,
      items: [],
      ...(route ? { route } : {}),
    });
    expect(routed.map((r) => r.route)).toEqual([route ?? "default"]);
  });

  it("list the unused secrets in the cost digest, most advanced first, and count the rest", () => {
    // Prepare: 40 unused secrets in every stage, given in the worst order.
    const stages: (Stage | null)[] = [null, "flagged", "quarantined", "deletion-scheduled"];
    const items: ReportItem[] = Array.from({ length: 40 }, (_, i) => {
      const stage = stages[i % 4] ?? null;
      const s = exampleSecret(
        `svc/key-${i}`,
        stage === "deletion-scheduled" ? { deletedDate: new Date("2026-12-20T00:00:00Z") } : {},
      );
      return { secret: s, decision: exampleDecision(s, { stage }) };
    });
    const rotation = exampleSecret("svc/rotating");
    items.push({ secret: rotation, decision: exampleDecision(rotation, { finding: "rotation-failed" }) });

    // Act
    const msg = only({ mode: "enforce", kind: "cost", now: EXAMPLE_NOW, items, summary: EXAMPLE_SUMMARY });

    // Assess
    expect(checkSlackLimits(msg)).toEqual([]);
    const lines = msg.blocks
      .flatMap((b) => (b.type === "section" && b.text ? b.text.text.split("\n") : []))
      .filter((l) => l.includes("`svc/"));
    expect(lines).toHaveLength(25);
    const order = lines.map((l) => /\*(deletion-scheduled|quarantined|flagged|unused)\*/.exec(l)?.[1]);
    expect(order).toEqual([
      ...Array(10).fill("deletion-scheduled"),
      ...Array(10).fill("quarantined"),
      ...Array(5).fill("flagged"),
    ]);
    const json = JSON.stringify(msg);
    expect(json).toContain("(30 unused, 10 pending deletion (not billed))");
    expect(json).toContain("…and 15 more.");
    expect(json).not.toContain("svc/rotating");
  });
});

describe("docs/slack-examples.md", () => {
  it("is up to date with the builders (node --import tsx src/report/render-examples.ts)", () => {
    expect(readFileSync("docs/slack-examples.md", "utf8")).toBe(renderExamples());
  });

  it("is in the README too, rendered the same way", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(withReadmeExamples(readme)).toBe(readme);
    expect(readme).toContain("#### Daily cost digest");
  });
});
