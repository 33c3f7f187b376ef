import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliIO, terminal } from "../../src/cli/io.js";
import { renderTable } from "../../src/cli/table.js";
import {
  joinText,
  paint,
  renderText,
  terminalCsv,
  terminalJson,
  terminalSafe,
  terminalSafeLine,
} from "../../src/cli/terminal.js";
import { expectTerminalSafe, HOSTILE, HOSTILE_SHOWN } from "./hostile.js";

describe("terminalSafe", () => {
  it.each([
    ["ESC of a CSI sequence", "a\u001b[2Kb", "a[U+001B][2Kb"],
    ["an OSC window title", "\u001b]0;pwned\u0007", "[U+001B]]0;pwned[U+0007]"],
    ["an OSC 8 hyperlink", "\u001b]8;;https://x\u001b\\y", "[U+001B]]8;;https://x[U+001B]\\y"],
    ["C1 CSI, OSC and ST", "\u009b2J\u009d0;t\u009c", "[U+009B]2J[U+009D]0;t[U+009C]"],
    ["a bare CR", "id\rfake", "id[U+000D]fake"],
    ["backspace and NUL", "a\bb\u0000", "a[U+0008]b[U+0000]"],
    ["DEL", "a\u007f", "a[U+007F]"],
    [
      "bidi overrides and embeddings",
      "\u202Aa\u202Bb\u202Cc\u202Dd\u202E",
      "[U+202A]a[U+202B]b[U+202C]c[U+202D]d[U+202E]",
    ],
    ["bidi isolates", "\u2066a\u2067b\u2068c\u2069", "[U+2066]a[U+2067]b[U+2068]c[U+2069]"],
    ["bidi marks", "a\u200Eb\u200F", "a[U+200E]b[U+200F]"],
    [
      "zero-width space, word joiner, BOM, soft hyphen",
      "a\u200Bb\u2060c\uFEFFd\u00AD",
      "a[U+200B]b[U+2060]c[U+FEFF]d[U+00AD]",
    ],
    ["line and paragraph separators", "a\u2028b\u2029", "a[U+2028]b[U+2029]"],
    ["a Hangul filler that renders blank", "app/\u3164", "app/[U+3164]"],
    ["a tag character (astral)", "a\u{E0041}", "a[U+E0041]"],
    ["a lone surrogate (a cut emoji)", "a\uD83Db", "a[U+D83D]b"],
  ])("shows %s as markers", (_, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it.each([
    ["newlines and tabs (layout)", "a\n\tb\n"],
    ["a CRLF, as a newline", "a\r\nb"],
    ["emoji with joiners and a flag", "\u{1F468}\u200D\u{1F469}\u200D\u{1F467} \u{1F1EB}\u{1F1F7}"],
    [
      "right-to-left text and non-ASCII letters",
      "\u05E9\u05DC\u05D5\u05DD caf\u00E9 \u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",
    ],
    ["text that already shows a marker", "[U+001B]"],
  ])("keeps %s", (_, input) => {
    expect(terminalSafe(input)).toBe(input.replace("\r\n", "\n"));
  });

  it("is idempotent, and leaves nothing a terminal acts on", () => {
    const once = terminalSafe(HOSTILE);
    expect(terminalSafe(once)).toBe(once);
    expectTerminalSafe(once, HOSTILE_SHOWN);
  });
});

describe("terminalSafeLine", () => {
  it("also shows newline, tab and CR, so a value cannot forge or rewrite a line", () => {
    expect(terminalSafeLine("app/x\n  decision: none\tz\r\n")).toBe(
      "app/x[U+000A]  decision: none[U+0009]z[U+000D][U+000A]",
    );
  });
});

describe("terminalJson", () => {
  it("escapes what JSON.stringify leaves raw (DEL, C1, bidi, separators, zero-width) and parses back", () => {
    const value = { id: HOSTILE, more: ["\u2028\u2029", "a\u{E0041}", "tab\tnl\n"] };
    const json = terminalJson(value, 2);
    expectTerminalSafe(json, "\\u202e", "\\u009b", "\\u007f", "\\u2028", "\\udb40\\udc41", "\\u001b");
    expect(JSON.parse(json)).toEqual(value);
  });

  it("is JSON.stringify's output where there is nothing to escape", () => {
    const value = { a: [1, "b"], c: { d: null } };
    expect(terminalJson(value, 2)).toBe(JSON.stringify(value, null, 2));
    expect(terminalJson(value)).toBe(JSON.stringify(value));
  });
});

describe("renderText", () => {
  it("cleans every string and colours only the CLI's own styled pieces, after cleaning them", () => {
    const text = [paint(`name${HOSTILE}`, "bold"), " plain ", ["nested\u001b[8m", paint("x", undefined)]];
    expect(renderText(text, true)).toBe(
      `\u001b[1mname${terminalSafe(HOSTILE)}\u001b[0m plain nested[U+001B][8mx`,
    );
    expect(renderText(text, false)).toBe(`name${terminalSafe(HOSTILE)} plain nested[U+001B][8mx`);
  });

  it("joinText puts the separator between parts, as join would", () => {
    expect(renderText(joinText(["a", paint("b", "red"), "c"], "\n"), false)).toBe("a\nb\nc");
  });
});

describe("renderTable", () => {
  it("cleans each cell to one line before measuring it, so columns stay aligned", () => {
    const table = renderTable(
      ["NAME", "NOTE"],
      [
        [{ text: "a\u001bb" }, { text: "x\ny" }],
        [{ text: "long-name" }, { text: "-" }],
      ],
    );
    expect(renderText(table, false).split("\n")).toEqual([
      "NAME        NOTE",
      "a[U+001B]b  x[U+000A]y",
      "long-name   -",
    ]);
  });
});

/** A raw sink that records what reached it. */
function capture(color: boolean): { io: CliIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t), color, cwd: process.cwd() },
    out,
    err,
  };
}

describe("terminal (the chokepoint of src/cli/io.ts)", () => {
  it("cleans stdout and stderr; colours stdout only", () => {
    const { io, out, err } = capture(true);
    const term = terminal(io);
    term.stdout(paint("ok", "green"), ` ${HOSTILE}\n`);
    term.stderr(paint("warn", "red"), ` ${HOSTILE}\n`);
    expect(out.join("")).toBe(`\u001b[32mok\u001b[0m ${terminalSafe(HOSTILE)}\n`);
    expect(err.join("")).toBe(`warn ${terminalSafe(HOSTILE)}\n`);
  });

  it("writes JSON that parses back to the same value, with nothing a terminal acts on", () => {
    const { io, out } = capture(true);
    terminal(io).json({ id: HOSTILE });
    expectTerminalSafe(out.join(""));
    expect(JSON.parse(out.join(""))).toEqual({ id: HOSTILE });
  });
});

describe("no text of the CLI bypasses the chokepoint", () => {
  const dir = "src/cli";
  const sources = readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), "utf8") }));

  it.each(
    sources.filter((s) => s.file !== "io.ts"),
  )("$file writes neither to process streams nor to the console", ({ text }) => {
    expect(text).not.toMatch(/process\.(stdout|stderr)|console\./);
  });

  it.each(sources.filter((s) => !["io.ts", "main.ts"].includes(s.file)))("$file never sees the raw CliIO", ({
    text,
  }) => {
    expect(text).not.toMatch(/\bCliIO\b/);
  });

  it("main hands the raw streams only to terminal()", () => {
    const main = sources.find((s) => s.file === "main.ts")?.text ?? "";
    expect(main.match(/\braw\b/g)).toHaveLength(3); // the doc comment, the parameter, terminal(raw)
    expect(main).toContain("const io = terminal(raw);");
  });

  it.each(sources.filter((s) => s.file !== "terminal.ts"))("$file emits no escape code of its own", ({
    text,
  }) => {
    expect(text).not.toMatch(/\\u001b|\\x1b|\\u\{1b\}|\\e\[/i);
  });
});

describe("terminalCsv", () => {
  it("keeps the CRLF record ends and a cell's line break, and shows every other control character", () => {
    expect(terminalCsv('a,b\r\n"x\ny",\u001b]0;t\u0007\r\n"\rlead",z\r\n')).toBe(
      'a,b\r\n"x\ny",[U+001B]]0;t[U+0007]\r\n"[U+000D]lead",z\r\n',
    );
  });
});
