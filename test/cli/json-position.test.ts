import { describe, expect, it } from "vitest";
import { jsonSyntaxError, lineAndColumn } from "../../src/cli/json-position.js";

/** Where and why, as `line:col: message`. */
function located(text: string): string | undefined {
  const error = jsonSyntaxError(text);
  if (!error) return undefined;
  const { line, col } = lineAndColumn(text, error.offset);
  return `${line}:${col}: ${error.message}`;
}

describe("jsonSyntaxError", () => {
  it.each([
    ["an empty file", "", "1:1: unexpected the end of the file: expected a value"],
    ["a missing value", '{"a": }', "1:7: unexpected '}': expected a value"],
    [
      "a trailing comma in an object",
      '{\n  "a": 1,\n}',
      "3:1: a comma before '}': JSON allows no trailing comma",
    ],
    ["a trailing comma in a list", "[1, 2,]", "1:7: a comma before ']': JSON allows no trailing comma"],
    [
      "an unquoted key",
      '{\n  "id": 1,\n  source: "x"\n}',
      "3:3: unexpected 's': expected a property name in double quotes",
    ],
    ["a missing colon", '{"a" 1}', "1:6: unexpected '1': expected ':' after the property name"],
    ["a missing comma", "[1 2]", "1:4: unexpected '2': expected ',' or ']'"],
    ["a list cut short", "[1, 2", "1:6: unexpected the end of the file: expected ',' or ']'"],
    ["text after the value", '{"a": 1} x', "1:10: unexpected 'x' after the JSON value"],
    ["a string that never ends", '{"a": "b}', "1:7: a string that never ends (no closing '\"')"],
    ["a raw newline in a string", '["a\nb"]', "1:4: a control character (U+000A) in a string: escape it"],
    ["a bad escape", '["\\x"]', "1:3: a bad escape in a string: '\\x'"],
    ["True in capitals", "True", "1:1: unexpected 'T': expected a value"],
    ["a number with a leading plus", "+1", "1:1: unexpected '+': expected a value"],
    ["single quotes", "{'a': 1}", "1:2: unexpected ''': expected a property name in double quotes"],
  ])("finds %s", (_label, text, expected) => {
    // Act, Assess: JSON.parse refuses each too.
    expect(() => JSON.parse(text)).toThrow();
    expect(located(text)).toBe(expected);
  });

  it.each([
    '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}}',
    "  [ ]  ",
    '"just a string"',
  ])("finds nothing wrong in valid JSON: %s", (text) => {
    expect(JSON.parse(text)).toBeDefined();
    expect(jsonSyntaxError(text)).toBeUndefined();
  });

  it("reads any depth of nesting without a stack overflow", () => {
    const text = "[".repeat(200_000);
    expect(located(text)).toBe("1:200001: unexpected the end of the file: expected a value");
  });
});
