import * as z from "zod";
import { actionIdOf, SLACK_ACTIONS } from "../domain/slack-action.js";
import type { FailedDelivery } from "../ports.js";
import { escapeMrkdwn, sanitize, truncate, unescapeMrkdwn } from "./escape.js";
import { CONSOLE_LINK_LABELS, consoleLink } from "./facts.js";
import { checkSlackLimits } from "./limits.js";
import {
  actions,
  type Block,
  type ButtonElement,
  context,
  divider,
  fields,
  header,
  message,
  type SlackMessage,
  section,
} from "./message.js";

/**
 * Re-validating a kept alert before it is posted again. The alert dead letter is a queue that anything allowed to
 * send to it can write, so what it holds is untrusted: a body is posted only when it is a message the governor's
 * own builders could have made (src/report/message.ts), to a route of the loaded policy. That means: only the
 * blocks and text objects the builders use, with no other field; every text already escaped exactly as the
 * builders escape untrusted text (so escaping it again changes nothing: no `<!channel>`, `<@U…>`, `<url|label>`,
 * bare scheme URL, control or bidi character); no link but the governor's own AWS console link, rebuilt and
 * compared; within Slack's limits. A governor-built alert passes unchanged, byte for byte; anything else is
 * refused whole, never repaired and posted.
 */

/** More than any alert the governor keeps: Slack's payload limit (16,000) plus the route and the failure reason. */
export const KEPT_BODY_MAX_CHARS = 24_000;

/** Part of an offending value quoted in a refusal's reason (which is logged, never posted). */
const QUOTED_CHARS = 40;

const mrkdwn = z.strictObject({ type: z.literal("mrkdwn"), text: z.string() });

const blockSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("header"),
    text: z.strictObject({ type: z.literal("plain_text"), text: z.string(), emoji: z.literal(true) }),
  }),
  z.strictObject({
    type: z.literal("section"),
    text: mrkdwn.optional(),
    fields: z.array(mrkdwn).min(1).optional(),
  }),
  z.strictObject({ type: z.literal("context"), elements: z.array(mrkdwn).min(1) }),
  z.strictObject({ type: z.literal("divider") }),
  // Our buttons: fixed labels and ids, a value shaped as a signed reference. Whether it is one of ours, for this
  // secret and not expired, is checked when it is pressed (src/app/slack-action.ts), not here.
  z.strictObject({
    type: z.literal("actions"),
    block_id: z.string().regex(/^secrets-governor\.actions(?:\.\d{1,2})?$/),
    elements: z
      .array(
        z.strictObject({
          type: z.literal("button"),
          action_id: z.enum(SLACK_ACTIONS.map(actionIdOf) as [string, ...string[]]),
          text: z.strictObject({
            type: z.literal("plain_text"),
            text: z.string().regex(/^(?:(?:Keep|Snooze) \d{1,3} days|Restore)$/),
            emoji: z.literal(false),
          }),
          value: z
            .string()
            .max(2000)
            .regex(/^r1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/),
          style: z.literal("primary").optional(),
        }),
      )
      .min(1)
      .max(SLACK_ACTIONS.length),
  }),
]);

const keptAlertSchema = z.strictObject({
  route: z.string().min(1),
  reason: z.string(),
  retryable: z.boolean(),
  payload: z.strictObject({
    text: z.string().min(1),
    blocks: z.array(blockSchema),
    unfurl_links: z.literal(false),
    unfurl_media: z.literal(false),
  }),
});

type ParsedBlock = z.infer<typeof blockSchema>;

function quote(text: string): string {
  return JSON.stringify(truncate(text, QUOTED_CHARS));
}

/** The governor's console link for the name and region the token names, compared with the token itself. */
function isConsoleLink(token: string): boolean {
  const bar = token.lastIndexOf("|");
  const label = CONSOLE_LINK_LABELS.find((l) => l === token.slice(bar + 1, -1));
  if (bar < 0 || label === undefined) return false;
  let url: URL;
  try {
    url = new URL(unescapeMrkdwn(token.slice(1, bar)));
  } catch {
    return false;
  }
  const name = url.searchParams.get("name");
  return name !== null && consoleLink(name, url.searchParams.get("region") ?? undefined, label) === token;
}

/** A run of text outside any link, as the builders would have rendered what it shows. */
function asEscaped(run: string, keepNewlines: boolean): string {
  return escapeMrkdwn(sanitize(unescapeMrkdwn(run), keepNewlines));
}

interface TextRule {
  /** The governor's console link may appear (mrkdwn blocks); elsewhere no `<…>` sequence at all. */
  links: boolean;
  keepNewlines: boolean;
}

/** Why a text is not one the governor's escaping leaves as it is, or undefined when it is. */
function foreignText(text: string, rule: TextRule): string | undefined {
  const runProblem = (run: string) => {
    const escaped = asEscaped(run, rule.keepNewlines);
    if (escaped === run) return undefined;
    let i = 0;
    while (i < run.length && run[i] === escaped[i]) i++;
    return `not escaped as the governor escapes text, near ${quote(run.slice(Math.max(0, i - 8)))}`;
  };
  let from = 0;
  for (const match of text.matchAll(/<[^<>]*>/g)) {
    const problem = runProblem(text.slice(from, match.index));
    if (problem) return problem;
    if (!rule.links || !isConsoleLink(match[0]))
      return `a link, mention or command the governor does not send: ${quote(match[0])}`;
    from = match.index + match[0].length;
  }
  return runProblem(text.slice(from));
}

const MRKDWN: TextRule = { links: true, keepNewlines: true };
const FALLBACK: TextRule = { links: false, keepNewlines: true };
const PLAIN: TextRule = { links: false, keepNewlines: false };

/** Every text of the payload, where it is, and the rule it must follow. */
function textsOf(text: string, blocks: ParsedBlock[]): [string, string, TextRule][] {
  const out: [string, string, TextRule][] = [["text", text, FALLBACK]];
  blocks.forEach((block, i) => {
    const at = `blocks[${i}]`;
    if (block.type === "header") out.push([`${at}.text.text`, block.text.text, PLAIN]);
    if (block.type === "section") {
      if (block.text) out.push([`${at}.text.text`, block.text.text, MRKDWN]);
      for (const [j, f] of (block.fields ?? []).entries())
        out.push([`${at}.fields[${j}].text`, f.text, MRKDWN]);
    }
    if (block.type === "context")
      for (const [j, e] of block.elements.entries()) out.push([`${at}.elements[${j}].text`, e.text, MRKDWN]);
  });
  return out;
}

/** The same blocks made again with the builders, so the payload has exactly their fields, in their order. */
function rebuild(block: ParsedBlock): Block | undefined {
  switch (block.type) {
    case "header":
      return header(block.text.text);
    case "section":
      // The builders make a section of a text or of fields, never both.
      if (block.text && !block.fields) return section(block.text.text);
      if (block.fields && !block.text) return fields(block.fields.map((f) => f.text));
      return undefined;
    case "context":
      return context(...block.elements.map((e) => e.text));
    case "divider":
      return divider;
    case "actions":
      return actions(
        block.block_id,
        block.elements.map((e) => ({
          type: "button" as const,
          action_id: e.action_id,
          text: { type: "plain_text" as const, text: e.text.text, emoji: e.text.emoji },
          value: e.value,
          ...(e.style ? { style: e.style } : {}),
        })) as ButtonElement[],
      );
  }
}

function parseJson(body: string): { doc: unknown } | { reason: string } {
  try {
    return { doc: JSON.parse(body) };
  } catch {
    return { reason: "the body is not JSON" };
  }
}

/**
 * A kept alert's body, re-validated: the alert to post again, or why it must not be posted. `routes` are the
 * loaded policy's route names; a route outside them is refused (its webhook would be looked up by that name).
 */
export function readKeptAlert(
  body: string,
  routes: readonly string[],
): { alert: FailedDelivery } | { reason: string } {
  if (body.length > KEPT_BODY_MAX_CHARS)
    return {
      reason: `the body is ${body.length} characters, more than any alert the governor keeps (${KEPT_BODY_MAX_CHARS})`,
    };
  const json = parseJson(body);
  if ("reason" in json) return json;
  const parsed = keptAlertSchema.safeParse(json.doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      reason: `not a message the governor builds (${issue?.path.join(".") || "body"}: ${issue?.message})`,
    };
  }
  const { route, reason, retryable, payload } = parsed.data;
  if (!routes.includes(route)) return { reason: `route ${quote(route)} is not one of the policy's routes` };
  const blocks: Block[] = [];
  for (const [i, block] of payload.blocks.entries()) {
    const rebuilt = rebuild(block);
    if (!rebuilt)
      return { reason: `not a message the governor builds (blocks.${i}: a section of text and fields)` };
    blocks.push(rebuilt);
  }
  for (const [at, text, rule] of textsOf(payload.text, payload.blocks)) {
    const problem = foreignText(text, rule);
    if (problem) return { reason: `${at}: ${problem}` };
  }
  const rebuilt: SlackMessage = message(payload.text, blocks);
  const over = checkSlackLimits(rebuilt)[0];
  if (over)
    return {
      reason: `${over.path || "payload"}: over Slack's ${over.rule} limit (${over.actual} > ${over.max})`,
    };
  return { alert: { route, reason, retryable, payload: rebuilt } };
}
