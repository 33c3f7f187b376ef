import { neutraliseBidi } from "../escape.js";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
/** Control characters (C0 but tab and newline, DEL, C1): nothing a page should show. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * The one way untrusted text (a secret's name, tags, description, a reason quoting them) goes into the page, as
 * element text or as a double-quoted attribute value: the five characters HTML gives meaning escaped, control
 * characters dropped, and bidi controls shown as `[U+202E]` so they cannot reorder what follows. The markup
 * around it is ours; nothing untrusted is ever an element, an attribute name or a URL.
 */
export function escapeHtml(text: string | number): string {
  return neutraliseBidi(String(text))
    .replace(CONTROL, "")
    .replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/**
 * A value as the text of `<script type="application/json">`: JSON whose every `<` is `\u003c`, so no `</script>`
 * or `<!--` can end or bend the element; U+2028/U+2029 escaped too, harmless in JSON but not in every parser.
 */
export function jsonIsland(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Money as the plan's JSON has it, to the cent: `$12.40`. */
export function money(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/** Cuts a label for a chart (the whole text stays in its tooltip). */
export function shorten(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max - 1).join("")}…`;
}
