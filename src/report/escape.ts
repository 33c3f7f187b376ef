/**
 * Rendering untrusted text (names, descriptions, tag values, principals, user agents, error messages) in Slack
 * mrkdwn. Slack decodes only `&amp;`, `&lt;` and `&gt;`; everything between `<` and `>` is a control sequence
 * (mentions, links), so escaping those three characters neutralises `<!channel>`, `<@U…>` and `<http://x|y>`.
 * Formatting characters (`*`, `_`, `~`, backticks) are made inert by rendering values inside code spans.
 */

/** Bidi embedding/override/isolate controls: they can reorder the rest of the line (a "Trojan Source" trick). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
/** Control characters (C0, DEL, C1); tab and newline are handled by the caller's choice. */
const CONTROL_CHARS = /\p{Cc}/gu;

/** Replaces each bidi control with a visible marker such as `[U+202E]`, so the attempt stays visible. */
export function neutraliseBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `[U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}]`);
}

/** Does the text hold anything `neutraliseBidi` or the control filter would change? */
export function hasControlCharacters(text: string): boolean {
  return new RegExp(BIDI_CONTROLS.source).test(text) || new RegExp(CONTROL_CHARS.source, "u").test(text);
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Cuts to at most `max` graphemes (an emoji or a letter with its marks is one), ending with an ellipsis. */
export function truncate(text: string, max: number): string {
  // Fast path: a string of at most `max` UTF-16 units has at most `max` graphemes.
  if (text.length <= max) return text;
  const parts: string[] = [];
  for (const { segment } of graphemes.segment(text)) {
    if (parts.length === max) {
      parts[max - 1] = "…";
      return parts.join("");
    }
    parts.push(segment);
  }
  return parts.join("");
}

/** Escapes the three characters Slack reserves; the result shows the text literally. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cleans untrusted text: bidi controls made visible, other control characters removed, newlines kept or not. */
export function sanitize(text: string, keepNewlines: boolean): string {
  const normalised = text.replace(/\r\n?/g, "\n");
  const cleaned = neutraliseBidi(normalised).replace(CONTROL_CHARS, (c) =>
    c === "\n" || c === "\t" ? c : "",
  );
  return keepNewlines ? cleaned : cleaned.replace(/[\n\t]+/g, " ");
}

/** A backtick would close the code span: show a look-alike (modifier letter grave accent) instead. */
function inertBackticks(text: string): string {
  return text.replace(/`/g, "\u02CB");
}

/**
 * An untrusted value as an inline code span, on one line, cut to `max` graphemes. Inside a code span Slack
 * applies no bold/italic/strike and no links; `&`, `<`, `>` are still escaped because Slack parses them first.
 */
export function code(value: string | undefined, max = 200): string {
  if (value === undefined) return "_unknown_";
  const clean = truncate(sanitize(value, false).trim(), max);
  if (clean === "") return "_(empty)_";
  return `\`${escapeMrkdwn(inertBackticks(clean))}\``;
}

/** An untrusted multi-line value (an error message, a description) as a code block, cut to `max` graphemes. */
export function codeBlock(value: string | undefined, max = 500): string {
  if (value === undefined) return "_unknown_";
  const clean = truncate(sanitize(value, true).trim(), max);
  if (clean === "") return "_(empty)_";
  return `\`\`\`${escapeMrkdwn(inertBackticks(clean))}\`\`\``;
}

/**
 * Untrusted text in running prose (a decision's reason quotes facts from the account): escaped, and the
 * formatting characters replaced by look-alikes so `*bold*` or `_x_` cannot restyle or fake our own text.
 */
export function prose(value: string, max = 1000): string {
  const clean = truncate(sanitize(value, false).trim(), max);
  return escapeMrkdwn(
    clean.replace(/\*/g, "\u2217").replace(/_/g, "\uFF3F").replace(/~/g, "\u223C").replace(/`/g, "\u02CB"),
  );
}

/** Single-quotes a value for a POSIX shell, so a copied command cannot run anything else. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Cuts already-rendered mrkdwn to `max` characters without breaking an entity (`&amp;`), our link (`<url|x>`)
 * or a code span, and marks the cut with an ellipsis. Last-resort guard behind the per-value limits.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 8));
  // Do not split a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const amp = cut.lastIndexOf("&");
  if (amp > cut.lastIndexOf(";")) cut = cut.slice(0, amp);
  const open = cut.lastIndexOf("<");
  if (open > cut.lastIndexOf(">")) cut = cut.slice(0, open);
  const fences = cut.split("```").length - 1;
  if (fences % 2 === 1) return `${cut}…\`\`\``;
  const ticks = cut.replace(/```/g, "").split("`").length - 1;
  return ticks % 2 === 1 ? `${cut}…\`` : `${cut}…`;
}
