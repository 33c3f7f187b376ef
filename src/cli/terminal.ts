/**
 * The one terminal sanitiser of the CLI. Everything it prints (secret names and ids, principals, user agents,
 * error messages, AWS resource names) may come from someone who wants the operator's terminal to do something:
 * set the window title (`ESC ] 0 ; … BEL`), plant a link (`ESC ] 8 ; ; url ESC \`), erase or overwrite a line
 * (`ESC [ 2K`, a bare CR), reorder it (bidi overrides) or hide part of it (zero-width characters). Each such
 * character is shown as a visible `[U+XXXX]` marker, the notation the Slack messages use for bidi controls, so
 * the operator sees that something was there and what it was.
 */

/**
 * What a terminal may act on or what hides text: control characters (C0, DEL, C1 with CSI U+009B and OSC
 * U+009D), format characters (bidi embeddings, overrides, isolates and marks; zero-width space, word joiner,
 * BOM, soft hyphen, tag characters), the line and paragraph separators, the Hangul fillers that render blank,
 * and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029\u115F\u1160\u3164\uFFA0]/gu;
/** Layout a multi-line text keeps. */
const LAYOUT = new Set(["\n", "\t"]);
/** Joiners inside words and emoji (ZWNJ, ZWJ): they hide nothing, and Persian or a family emoji need them. */
const JOINERS = new Set(["\u200C", "\u200D"]);

function marker(c: string): string {
  return `[U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}]`;
}

function clean(text: string, keep: (c: string) => boolean): string {
  return text.replace(UNSAFE, (c) => (keep(c) ? c : marker(c)));
}

/**
 * Text safe to print: newline and tab kept (a CRLF becomes a newline: nothing is printed between the two, so
 * nothing can be overwritten), every other unsafe character, a lone CR included, shown as `[U+XXXX]`.
 * Idempotent: a marker is plain ASCII.
 */
export function terminalSafe(text: string): string {
  return clean(text.replace(/\r\n/g, "\n"), (c) => LAYOUT.has(c) || JOINERS.has(c));
}

/**
 * CSV text safe to print: its CRLF record ends kept (RFC 4180), everything else as `terminalSafe` makes it, so a
 * cell's control character is a `[U+XXXX]` marker here as in any text the CLI prints.
 */
export function terminalCsv(text: string): string {
  return text
    .split("\r\n")
    .map((part) => clean(part, (c) => LAYOUT.has(c) || JOINERS.has(c)))
    .join("\r\n");
}

/** One value on one line (an id, a table cell): newline, tab and CR shown as markers too, so no line is forged. */
export function terminalSafeLine(text: string): string {
  return clean(text, (c) => JOINERS.has(c));
}

/**
 * JSON text with every unsafe character escaped as `\uXXXX`. JSON.stringify escapes C0 but leaves DEL, C1, bidi
 * controls and U+2028/9 raw; they can only occur inside strings, so the escape is valid JSON and parses back to
 * the same value.
 */
export function terminalJson(value: unknown, indent?: number): string {
  // Outside strings the only such characters are the indentation's newlines.
  return JSON.stringify(value, null, indent).replace(UNSAFE, (c) => (c === "\n" ? c : unicodeEscape(c)));
}

/** `\uXXXX` per UTF-16 unit: an astral character becomes its surrogate pair, as JSON requires. */
function unicodeEscape(c: string): string {
  let out = "";
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

const ANSI = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof ANSI;

/** A piece the CLI colours itself: its text is cleaned first, then wrapped in our own SGR codes. */
export interface Styled {
  readonly text: string;
  readonly colour: Colour;
}

/** What commands print: plain strings (cleaned), styled pieces, or lists of them. Never raw escape codes. */
export type Text = string | Styled | readonly Text[];

export function paint(text: string, colour: Colour | undefined): Text {
  return colour ? { text, colour } : text;
}

/** The parts with `separator` between them, as `Array.join` would, without losing their colours. */
export function joinText(parts: readonly Text[], separator: string): Text[] {
  return parts.flatMap((part, i) => (i === 0 ? [part] : [separator, part]));
}

/** Text as the terminal gets it: every string through `terminalSafe`, our colours added after, when enabled. */
export function renderText(text: Text, color: boolean): string {
  if (typeof text === "string") return terminalSafe(text);
  if (Array.isArray(text)) return text.map((part: Text) => renderText(part, color)).join("");
  const { text: raw, colour } = text as Styled;
  const safe = terminalSafe(raw);
  return color ? `\u001b[${ANSI[colour]}m${safe}\u001b[0m` : safe;
}

const ERASE_LINE = "\u001b[K";

/**
 * A status line redrawn in place: the line cleaned to one line, after a carriage return to its start and before
 * an erase of what a longer one left. The CR and the erase are the CLI's own, as its colours are.
 */
export function statusLineText(line: string): string {
  return `\r${terminalSafeLine(line)}${ERASE_LINE}`;
}

/** Erases the status line, so that what follows starts on a clean line. */
export const STATUS_LINE_CLEAR = `\r${ERASE_LINE}`;
