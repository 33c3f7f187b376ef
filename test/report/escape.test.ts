import { describe, expect, it } from "vitest";
import {
  code,
  codeBlock,
  escapeMrkdwn,
  neutraliseBidi,
  prose,
  shellQuote,
  truncate,
  truncateMrkdwn,
} from "../../src/report/escape.js";

/** No raw control sequence survives: every `<` Slack would parse must be gone. */
function assertInert(rendered: string): void {
  expect(rendered).not.toMatch(/<[!@#]/);
  expect(rendered).not.toMatch(/<https?:/);
  expect(rendered).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
}

describe("escapeMrkdwn", () => {
  it.each([
    ["a & b", "a &amp; b"],
    ["<!channel>", "&lt;!channel&gt;"],
    ["<@U12345>", "&lt;@U12345&gt;"],
    ["<http://evil|click>", "&lt;http://evil|click&gt;"],
    ["&lt;", "&amp;lt;"],
  ])("%s -> %s", (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });
});

describe("code", () => {
  it.each([
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U12345>",
    "<#C12345>",
    "<!subteam^S123|@oncall>",
    "<http://evil|click>",
    "*bold* _it_ ~st~",
  ])("renders %s inert inside a code span", (value) => {
    const rendered = code(value);
    assertInert(rendered);
    expect(rendered.startsWith("`")).toBe(true);
    expect(rendered.endsWith("`")).toBe(true);
    expect(rendered.slice(1, -1)).not.toContain("`");
  });

  it("replaces backticks so a value cannot close its code span", () => {
    expect(code("a`*b*`c")).toBe("`a\u02CB*b*\u02CBc`");
  });

  it("keeps emoji and right-to-left text, and makes bidi overrides visible", () => {
    expect(code("🔐 مفتاح الدفع")).toBe("`🔐 مفتاح الدفع`");
    expect(code("evil\u202Etxt.exe")).toBe("`evil[U+202E]txt.exe`");
    expect(neutraliseBidi("\u2066x\u2069")).toBe("[U+2066]x[U+2069]");
  });

  it("puts the value on one line and drops control characters", () => {
    expect(code("a\nb\r\nc\u0000d\u0007")).toBe("`a b cd`");
  });

  it("cuts long values with an ellipsis, by grapheme", () => {
    const rendered = code("x".repeat(512), 100);
    expect(rendered).toBe(`\`${"x".repeat(99)}…\``);
    expect(truncate("👩‍👩‍👧‍👦".repeat(5), 3)).toBe("👩‍👩‍👧‍👦👩‍👩‍👧‍👦…");
  });

  it("shows unknown and empty values in words", () => {
    expect(code(undefined)).toBe("_unknown_");
    expect(code("  ")).toBe("_(empty)_");
  });
});

describe("codeBlock and prose", () => {
  it("keeps newlines in a code block, inert", () => {
    const rendered = codeBlock("line 1 <!here>\n```\nline 3");
    assertInert(rendered);
    expect(rendered).toBe("```line 1 &lt;!here&gt;\n\u02CB\u02CB\u02CB\nline 3```");
  });

  it("replaces formatting characters in prose with look-alikes", () => {
    const rendered = prose("managed by *rds* <@U1> _x_ ~y~ `z`");
    assertInert(rendered);
    expect(rendered).not.toMatch(/[*_~`]/);
  });
});

describe("shellQuote", () => {
  it("quotes a name so a copied command runs nothing else", () => {
    expect(shellQuote("a'; rm -rf /; '")).toBe(`'a'\\''; rm -rf /; '\\'''`);
  });
});

describe("truncateMrkdwn", () => {
  it.each([
    ["`code span that is long`", 12],
    ["```block that is long```", 14],
    ["x &amp; y &amp; z &amp;", 15],
    ["see <https://example.com/a|link> now", 20],
  ])("cuts %s without breaking syntax", (text, max) => {
    const cut = truncateMrkdwn(text, max);
    expect(cut.length).toBeLessThanOrEqual(max);
    expect(cut.endsWith("…") || cut.endsWith("`")).toBe(true);
    expect((cut.match(/`/g) ?? []).length % 2).toBe(0);
    expect(cut).not.toMatch(/&[a-z]*…/);
    expect(cut).not.toMatch(/<[^>]*$/);
  });

  it("leaves short text alone", () => {
    expect(truncateMrkdwn("short", 10)).toBe("short");
  });
});
