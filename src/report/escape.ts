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

/** The UTF-16 budget `truncate` allows per grapheme by default: emoji with a modifier or a flag take four. */
const UNITS_PER_GRAPHEME = 4;

/** Cuts inside one grapheme at a code point boundary, so a surrogate pair is never split. */
function cutCodePoints(segment: string, units: number): string {
  let out = "";
  for (const point of segment) {
    if (out.length + point.length > units) break;
    out += point;
  }
  return out;
}

/**
 * Cuts to at most `max` graphemes (an emoji or a letter with its marks is one) and at most `maxUnits` UTF-16
 * units (default four per grapheme), ending with an ellipsis. The unit bound matters: one letter followed by
 * thousands of combining marks is a single grapheme, and would otherwise pass uncut.
 */
export function truncate(text: string, max: number, maxUnits: number = max * UNITS_PER_GRAPHEME): string {
  // Fast path: a string of at most `max` UTF-16 units has at most `max` graphemes.
  if (text.length <= Math.min(max, maxUnits)) return text;
  const parts: string[] = [];
  let units = 0;
  let count = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    const last = index + segment.length === text.length;
    if (last && count < max && units + segment.length <= maxUnits) {
      parts.push(segment);
      return parts.join("");
    }
    // More follows: keep room for the ellipsis.
    if (count < max - 1 && units + segment.length <= maxUnits - 1) {
      parts.push(segment);
      units += segment.length;
      count++;
      continue;
    }
    if (count < max - 1) parts.push(cutCodePoints(segment, maxUnits - 1 - units));
    parts.push("…");
    return parts.join("");
  }
  return parts.join("");
}

/**
 * A scheme URL in untrusted text (`https://evil.example/login`) would be auto-linked by Slack even inside
 * plain prose. A zero-width space after the scheme's colon, and one-dot leaders for the host's dots, keep it
 * readable but no longer a link; our own console link is built elsewhere and stays one.
 */
const SCHEME_URL = /\b([a-z][a-z0-9+.-]{0,30}):(\/\/)([^\s/?#`<>]*)/gi;

export function defangUrls(text: string): string {
  return text.replace(
    SCHEME_URL,
    (_, scheme: string, slashes: string, host: string) =>
      `${scheme}:\u200B${slashes}${host.replace(/\./g, "\u2024")}`,
  );
}

/** Escapes the three characters Slack reserves; the result shows the text literally. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };

/**
 * The exact inverse of `escapeMrkdwn` (one pass, so `&amp;lt;` gives `&lt;`, not `<`): for any text,
 * `escapeMrkdwn(unescapeMrkdwn(escapeMrkdwn(t))) === escapeMrkdwn(t)`. Any other `&` stays, to be escaped again.
 */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity);
}

/**
 * Cleans untrusted text: bidi controls made visible, other control characters removed, scheme URLs made
 * inert, newlines kept or not.
 */
export function sanitize(text: string, keepNewlines: boolean): string {
  const normalised = text.replace(/\r\n?/g, "\n");
  // Control characters go before URLs are looked for: `https:\u0000//` must not become a link once cleaned.
  const cleaned = neutraliseBidi(normalised).replace(CONTROL_CHARS, (c) =>
    c === "\n" || c === "\t" ? c : "",
  );
  return defangUrls(keepNewlines ? cleaned : cleaned.replace(/[\n\t]+/g, " "));
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
