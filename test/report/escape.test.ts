import { describe, expect, it } from "vitest";
import {
  code,
  codeBlock,
  defangUrls,
  escapeMrkdwn,
  neutraliseBidi,
  prose,
  shellQuote,
  truncate,
  truncateMrkdwn,
} from "../../src/report/escape.js";

/** A lone surrogate half: what a cut in the middle of a pair leaves. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** What Slack would turn into a link: a scheme followed by `://`. */
const SCHEME_URL = /[a-z][a-z0-9+.-]*:\/\//i;

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
    expect(truncate("👩‍👩‍👧‍👦".repeat(5), 3, 40)).toBe("👩‍👩‍👧‍👦👩‍👩‍👧‍👦…");
  });

  it("shows unknown and empty values in words", () => {
    expect(code(undefined)).toBe("_unknown_");
    expect(code("  ")).toBe("_(empty)_");
  });
});

describe("truncate", () => {
  it.each([
    ["a letter with 20,000 combining marks (one grapheme)", `a${"\u0301".repeat(20_000)}`, 200],
    ["Zalgo words", `z${"\u0336\u0321".repeat(500)} `.repeat(40), 100],
    ["emoji (surrogate pairs)", "😀".repeat(5_000), 300],
    ["a flag sequence", "🏳️‍🌈".repeat(2_000), 50],
  ])("cuts %s by UTF-16 length too, never splitting a pair", (_, text, max) => {
    // Act
    const cut = truncate(text, max);

    // Assess
    expect(cut.length).toBeLessThanOrEqual(max * 4);
    expect(cut.endsWith("…")).toBe(true);
    expect(cut).not.toMatch(LONE_SURROGATE);
  });

  it.each([
    ["ascii", "abcdef", 6, 24, "abcdef"],
    ["ascii over", "abcdefg", 6, 24, "abcde…"],
    ["units bound first", "😀😀😀😀", 10, 5, "😀😀…"],
    ["a pair is not split", "😀😀😀", 10, 4, "😀…"],
    [
      "a grapheme over the units is cut by code point",
      `e${"\u0301".repeat(10)}x`,
      5,
      6,
      `e${"\u0301".repeat(4)}…`,
    ],
    ["the last grapheme that fits is kept whole", "ab😀", 3, 4, "ab😀"],
  ])("%s: truncate(%j, %i, %i) is %j", (_, text, max, units, expected) => {
    expect(truncate(text, max, units)).toBe(expected);
  });

  it("passes a short value through untouched", () => {
    expect(truncate("🔐 مفتاح", 20)).toBe("🔐 مفتاح");
  });
});

describe("scheme URLs in untrusted text", () => {
  it.each([
    "https://evil.example/login",
    "see http://10.0.0.1:8080/x now",
    "HTTPS://EVIL.EXAMPLE",
    "ftp://files.evil.example/payload",
    "javascript://%0aalert(1)",
    "https:\u0000//evil.example/login",
    "two: https://a.example and http://b.example/c",
  ])("are no longer links: %j", (value) => {
    // Act
    const rendered = [code(value), codeBlock(value), prose(value)];

    // Assess
    for (const text of rendered) {
      expect(text.replace(/\u200B/g, "")).toMatch(/:\/\//);
      expect(text).not.toMatch(SCHEME_URL);
      expect(text).not.toMatch(/[a-z0-9]\.[a-z]{2,}\//i);
    }
  });

  it("keeps the rest of the text as it was", () => {
    expect(defangUrls("see https://evil.example/login?a=b now")).toBe(
      "see https:\u200B//evil\u2024example/login?a=b now",
    );
    expect(defangUrls("arn:aws:iam::123456789012:role/app")).toBe("arn:aws:iam::123456789012:role/app");
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
