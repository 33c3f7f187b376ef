import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { neutralise, toCsv } from "../../src/report/csv.js";

describe("toCsv", () => {
  it("quotes commas, quotes and line breaks as RFC 4180 says, with CRLF between records", () => {
    const csv = toCsv(
      ["name", "note"],
      [
        ["a,b", 'say "hi"'],
        ["line\nbreak", "plain"],
      ],
    );
    expect(csv).toBe('name,note\r\n"a,b","say ""hi"""\r\n"line\nbreak",plain\r\n');
    expect(parse(csv)).toEqual([
      ["name", "note"],
      ["a,b", 'say "hi"'],
      ["line\nbreak", "plain"],
    ]);
  });

  it.each([
    ['=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'],
    ["+1+cmd", "'+1+cmd"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tlead", "'\tlead"],
    ["\rlead", "'\rlead"],
    ["plain", "plain"],
  ])("neutralises %j as %j", (cell, expected) => {
    expect(neutralise(cell)).toBe(expected);
    expect(parse(toCsv(["c"], [[cell]]))).toEqual([["c"], [expected]]);
  });

  it("keeps numbers as numbers (a negative amount is not a formula) and empties null cells", () => {
    expect(toCsv(["n", "m", "e"], [[-0.4, 12, null]])).toBe("n,m,e\r\n-0.4,12,\r\n");
  });

  it("refuses a row whose width is not the header's", () => {
    expect(() => toCsv(["a", "b"], [["only"]])).toThrow(/1 cells, the header 2/);
  });
});
