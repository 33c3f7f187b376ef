import { describe, expect, it } from "vitest";
import { checkSlackLimits, fitToSlackLimits, SLACK_LIMITS } from "../../src/report/limits.js";
import { type Block, context, header, message, section } from "../../src/report/message.js";

describe("checkSlackLimits", () => {
  it("accepts a small message", () => {
    expect(checkSlackLimits(message("hi", [header("Title"), section("body")]))).toEqual([]);
  });

  it.each([
    ["51 blocks", { text: "x", blocks: Array.from({ length: 51 }, () => section("a")) }, "blocks"],
    ["a long header", { text: "x", blocks: [header("h".repeat(151))] }, "headerText"],
    ["a long section", { text: "x", blocks: [section("s".repeat(3001))] }, "sectionText"],
    [
      "a long field",
      { text: "x", blocks: [{ type: "section", fields: [{ type: "mrkdwn", text: "f".repeat(2001) }] }] },
      "fieldText",
    ],
    [
      "11 fields",
      {
        text: "x",
        blocks: [
          { type: "section", fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "f" })) },
        ],
      },
      "fields",
    ],
    ["a long fallback", { text: "t".repeat(40_001), blocks: [] }, "text"],
    [
      "too much JSON",
      { text: "x", blocks: Array.from({ length: 5 }, () => section("s".repeat(2900))) },
      "blocksJson",
    ],
    ["no text", { blocks: [] }, "shape"],
    [
      "a payload too large with its fallback text",
      { text: "t".repeat(6_000), blocks: Array.from({ length: 4 }, () => section("s".repeat(2_900))) },
      "payloadJson",
    ],
  ])("reports %s", (_, payload, rule) => {
    expect(checkSlackLimits(payload).map((v) => v.rule)).toContain(rule);
  });
});

describe("fitToSlackLimits", () => {
  it("splits 120 blocks over several messages, each repeating the header, losing nothing", () => {
    const body: Block[] = Array.from({ length: 120 }, (_, i) => section(`item ${i}`));
    const parts = fitToSlackLimits(message("many", [header("Many items"), ...body]));
    expect(parts.length).toBe(3);
    for (const part of parts) expect(checkSlackLimits(part)).toEqual([]);
    expect(parts.map((p) => (p.blocks[0] as { text: { text: string } }).text.text)).toEqual([
      "Many items (1/3)",
      "Many items (2/3)",
      "Many items (3/3)",
    ]);
    const texts = parts
      .flatMap((p) => p.blocks.slice(1))
      .map((b) => (b as { text: { text: string } }).text.text);
    expect(texts).toEqual(body.map((b) => (b as { text: { text: string } }).text.text));
  });

  it("splits by JSON size when blocks are large", () => {
    const body = Array.from({ length: 10 }, (_, i) => section(`${i}:${"s".repeat(2500)}`));
    const parts = fitToSlackLimits(message("big", body));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(checkSlackLimits(part)).toEqual([]);
    expect(parts.flatMap((p) => p.blocks)).toHaveLength(10);
  });

  it("cuts over-long texts instead of rejecting them", () => {
    const msg = message("t".repeat(50_000), [
      header("h".repeat(400)),
      section(`\`${"x".repeat(5000)}\``),
      context("c".repeat(4000)),
    ]);
    const parts = fitToSlackLimits(msg);
    expect(parts).toHaveLength(1);
    expect(checkSlackLimits(parts[0])).toEqual([]);
    expect((parts[0]?.text.length ?? 0) <= SLACK_LIMITS.text).toBe(true);
  });

  it.each([
    ["a long fallback", "t".repeat(39_000)],
    ["a fallback that JSON escapes double", '"\\'.repeat(10_000)],
    ["a fallback of combining marks", `a${"\u0301".repeat(45_000)}`],
  ])("keeps the whole payload within bounds, fallback text included: %s", (_, text) => {
    // Prepare: blocks just inside their own budget, so the text is what would push the payload over.
    const body = Array.from({ length: 4 }, (_, i) => section(`${i}:${"s".repeat(2_800)}`));

    // Act
    const parts = fitToSlackLimits(message(text, [header("Big"), ...body]));

    // Assess
    for (const part of parts) {
      expect(checkSlackLimits(part)).toEqual([]);
      expect(JSON.stringify(part).length).toBeLessThanOrEqual(SLACK_LIMITS.payloadJson);
      expect(part.text.length).toBeGreaterThan(0);
    }
    expect(parts.flatMap((p) => p.blocks.slice(1))).toEqual(body);
  });

  it("returns a small message unchanged", () => {
    const msg = message("hi", [header("Title"), section("body")]);
    expect(fitToSlackLimits(msg)).toEqual([msg]);
  });
});
