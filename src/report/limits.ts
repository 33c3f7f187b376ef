import { truncateMrkdwn } from "./escape.js";
import { type Block, header, type SlackMessage } from "./message.js";

/**
 * Slack's limits (docs.slack.dev/reference/block-kit/blocks). `blocksJson` and `payloadJson` are ours: Slack
 * answers `msg_blocks_too_long` at about 13,000 characters of blocks JSON (slackapi/bolt-js#2509), so we stay
 * under 12,000; and it rejects very large payloads whatever their parts, so the whole payload, fallback text
 * included, stays under 16,000.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  text: 40_000,
  blocksJson: 12_000,
  payloadJson: 16_000,
} as const;

/** What `fitToSlackLimits` aims for, leaving room below the checked limits. */
const BLOCKS_JSON_TARGET = 11_500;
/** The fallback text is a notification's summary: the blocks carry the detail. */
const TEXT_TARGET = 3_000;
const PAYLOAD_JSON_TARGET = 15_500;

export interface LimitViolation {
  /** Where, e.g. `blocks[3].text.text`. */
  path: string;
  rule: keyof typeof SLACK_LIMITS | "shape";
  actual: number;
  max: number;
}

function textOf(value: unknown): string | undefined {
  if (value && typeof value === "object" && typeof (value as { text?: unknown }).text === "string")
    return (value as { text: string }).text;
  return undefined;
}

/** Checks a webhook payload (any JSON) against Slack's limits; an empty list means it will be accepted. */
export function checkSlackLimits(payload: unknown): LimitViolation[] {
  const violations: LimitViolation[] = [];
  const over = (path: string, rule: keyof typeof SLACK_LIMITS, actual: number) => {
    const max = SLACK_LIMITS[rule];
    if (actual > max) violations.push({ path, rule, actual, max });
  };
  if (!payload || typeof payload !== "object") return [{ path: "", rule: "shape", actual: 0, max: 0 }];
  const { text, blocks } = payload as { text?: unknown; blocks?: unknown };
  if (typeof text !== "string" || text.length === 0)
    violations.push({ path: "text", rule: "shape", actual: 0, max: 0 });
  else over("text", "text", text.length);
  if (blocks === undefined) return violations;
  if (!Array.isArray(blocks)) return [...violations, { path: "blocks", rule: "shape", actual: 0, max: 0 }];
  over("blocks", "blocks", blocks.length);
  over("blocks(json)", "blocksJson", JSON.stringify(blocks).length);
  over("(json)", "payloadJson", JSON.stringify(payload).length);
  blocks.forEach((block: unknown, i) => {
    const b = (block ?? {}) as { type?: unknown; text?: unknown; fields?: unknown; elements?: unknown };
    const at = `blocks[${i}]`;
    if (b.type === "header") over(`${at}.text.text`, "headerText", textOf(b.text)?.length ?? 0);
    if (b.type === "section") {
      const t = textOf(b.text);
      if (t !== undefined) over(`${at}.text.text`, "sectionText", t.length);
      if (Array.isArray(b.fields)) {
        over(`${at}.fields`, "fields", b.fields.length);
        b.fields.forEach((f: unknown, j) => {
          over(`${at}.fields[${j}].text`, "fieldText", textOf(f)?.length ?? 0);
        });
      }
      if (t === undefined && !Array.isArray(b.fields))
        violations.push({ path: at, rule: "shape", actual: 0, max: 0 });
    }
    if (b.type === "context" && Array.isArray(b.elements)) {
      over(`${at}.elements`, "contextElements", b.elements.length);
      b.elements.forEach((e: unknown, j) => {
        over(`${at}.elements[${j}].text`, "sectionText", textOf(e)?.length ?? 0);
      });
    }
  });
  return violations;
}

/** Cuts every text of a block to its limit (safely for mrkdwn). */
function fitBlock(block: Block): Block {
  switch (block.type) {
    case "header": {
      const t = block.text.text;
      if (t.length <= SLACK_LIMITS.headerText) return block;
      return header(`${t.slice(0, SLACK_LIMITS.headerText - 1).replace(/[\uD800-\uDBFF]$/, "")}…`);
    }
    case "section": {
      const out: Block = { type: "section" };
      if (block.text)
        out.text = { type: "mrkdwn", text: truncateMrkdwn(block.text.text, SLACK_LIMITS.sectionText) };
      if (block.fields)
        out.fields = block.fields
          .slice(0, SLACK_LIMITS.fields)
          .map((f) => ({ type: "mrkdwn", text: truncateMrkdwn(f.text, SLACK_LIMITS.fieldText) }));
      return out;
    }
    case "context":
      return {
        type: "context",
        elements: block.elements
          .slice(0, SLACK_LIMITS.contextElements)
          .map((e) => ({ type: "mrkdwn", text: truncateMrkdwn(e.text, SLACK_LIMITS.sectionText) })),
      };
    default:
      return block;
  }
}

function jsonLength(value: unknown): number {
  return JSON.stringify(value).length;
}

/** A block that alone exceeds the JSON budget: shorten its texts until it fits. */
function shrinkBlock(block: Block, budget: number): Block {
  let current = block;
  let limit = 2000;
  while (jsonLength(current) > budget && limit > 100) {
    const l = limit;
    const cut = (t: string) => truncateMrkdwn(t, l);
    if (current.type === "section")
      current = {
        type: "section",
        ...(current.text ? { text: { type: "mrkdwn", text: cut(current.text.text) } } : {}),
        ...(current.fields
          ? { fields: current.fields.map((f) => ({ type: "mrkdwn", text: cut(f.text) })) }
          : {}),
      };
    else if (current.type === "context")
      current = {
        type: "context",
        elements: current.elements.map((e) => ({ type: "mrkdwn", text: cut(e.text) })),
      };
    limit = Math.floor(limit / 2);
  }
  return current;
}

/**
 * Makes a message acceptable to Slack: texts cut to their limits, and blocks that do not fit one message
 * (50 blocks, ~12,000 characters of JSON) split over several messages, each repeating the header marked
 * "(n/m)". Never drops a block; never returns a message that `checkSlackLimits` rejects.
 */
export function fitToSlackLimits(msg: SlackMessage): SlackMessage[] {
  const text = msg.text.length > 0 ? truncateMrkdwn(msg.text, TEXT_TARGET) : "(no text)";
  const blocks = msg.blocks.map(fitBlock);
  const first = blocks[0];
  const head = first?.type === "header" ? first : undefined;
  const body = head ? blocks.slice(1) : blocks;
  const headRoom = head ? jsonLength(head) + 40 : 0;
  const budget = BLOCKS_JSON_TARGET - headRoom;
  const maxBody = SLACK_LIMITS.blocks - (head ? 1 : 0);

  const chunks: Block[][] = [];
  let chunk: Block[] = [];
  let size = 2;
  for (const raw of body) {
    const block = jsonLength(raw) + 1 > budget ? shrinkBlock(raw, budget - 1) : raw;
    const add = jsonLength(block) + 1;
    if (chunk.length > 0 && (chunk.length >= maxBody || size + add > budget)) {
      chunks.push(chunk);
      chunk = [];
      size = 2;
    }
    chunk.push(block);
    size += add;
  }
  if (chunk.length > 0 || chunks.length === 0) chunks.push(chunk);
  if (chunks.length === 1)
    return [withinPayload({ ...msg, text, blocks: head ? [head, ...(chunks[0] ?? [])] : (chunks[0] ?? []) })];

  const total = chunks.length;
  return chunks.map((part, i) => {
    const mark = ` (${i + 1}/${total})`;
    const blocksOut: Block[] = head
      ? [
          fitBlock(
            header(
              `${head.text.text.slice(0, SLACK_LIMITS.headerText - mark.length - 1).replace(/[\uD800-\uDBFF]$/, "")}${mark}`,
            ),
          ),
          ...part,
        ]
      : part;
    return withinPayload({
      ...msg,
      text: i === 0 ? `${text}${mark}` : `(continued${mark})`,
      blocks: blocksOut,
    });
  });
}

/**
 * The blocks are already within their budget; the fallback text takes what is left of the payload's. JSON
 * escapes can make the text cost more than its length, so it is cut until the whole payload fits.
 */
function withinPayload(msg: SlackMessage): SlackMessage {
  let current = msg;
  let limit = current.text.length;
  while (jsonLength(current) > PAYLOAD_JSON_TARGET && limit > 40) {
    limit = Math.floor(limit / 2);
    current = { ...current, text: truncateMrkdwn(msg.text, limit) };
  }
  return current;
}
