import { describe, expect, it } from "vitest";
import { escapeHtml, jsonIsland, money } from "../../../src/report/html/escape.js";

describe("escapeHtml", () => {
  it.each([
    ["<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"],
    ["</script><script>alert(1)</script>", "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"],
    ['" onmouseover="alert(1)', "&quot; onmouseover=&quot;alert(1)"],
    ["' onfocus='x", "&#39; onfocus=&#39;x"],
    ["a & b &amp;", "a &amp; b &amp;amp;"],
    ["plain/name-1", "plain/name-1"],
  ])("%j as text and attribute value: %j", (text, expected) => {
    expect(escapeHtml(text)).toBe(expected);
    // Nothing of HTML's syntax is left raw.
    expect(escapeHtml(text)).not.toMatch(/[<>"']/);
  });

  it("drops control characters and shows bidi controls, so nothing reorders or hides the text", () => {
    expect(escapeHtml("a\u0000b\u001b[31mc\u007f\u009b")).toBe("ab[31mc");
    expect(escapeHtml("evil\u202Etxt.exe")).toBe("evil[U+202E]txt.exe");
    expect(escapeHtml(12.5)).toBe("12.5");
  });
});

describe("jsonIsland", () => {
  it("escapes every < so no </script> or <!-- can end the island, and parses back to the same value", () => {
    const value = { name: "</script><script>alert(1)</script>", c: "<!--", s: "\u2028\u2029" };
    const island = jsonIsland(value);
    expect(island).not.toContain("<");
    expect(island).not.toMatch(/[\u2028\u2029]/);
    expect(island).toContain("\\u003c/script>");
    expect(JSON.parse(island)).toEqual(value);
  });
});

describe("money", () => {
  it("is to the cent, as the plan's JSON", () => {
    expect([money(3.2), money(0), money(1.2000000000000002)]).toEqual(["$3.20", "$0.00", "$1.20"]);
  });
});
