import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Decision } from "../../src/domain/decision.js";
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
import { checkSlackLimits } from "../../src/report/limits.js";
import { renderExamples } from "../../src/report/render-examples.js";

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
    expect(json).toContain("&lt;http://evil|click&gt;");
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

describe("docs/slack-examples.md", () => {
  it("is up to date with the builders (node --import tsx src/report/render-examples.ts)", () => {
    expect(readFileSync("docs/slack-examples.md", "utf8")).toBe(renderExamples());
  });
});
