import type { Block, SlackMessage } from "./message.js";

/**
 * Mrkdwn made readable on a terminal: our links as `label (url)`, entities decoded. Safe because every `<…>`
 * left in a built message is a link we made; untrusted `<` arrives here as `&lt;`.
 */
export function mrkdwnToText(text: string): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, (_, url: string, label: string) => `${label} (${url})`)
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

function renderBlock(block: Block): string {
  switch (block.type) {
    case "header":
      return `# ${block.text.text}`;
    case "divider":
      return "  ----";
    case "context":
      return block.elements.map((e) => indent(mrkdwnToText(e.text), "  > ")).join("\n");
    case "section": {
      const parts: string[] = [];
      if (block.text) parts.push(indent(mrkdwnToText(block.text.text), "  "));
      if (block.fields)
        parts.push(
          block.fields.map((f) => indent(mrkdwnToText(f.text).replace("\n", ": "), "  • ")).join("\n"),
        );
      return parts.join("\n");
    }
    case "actions":
      return `  [${block.elements.map((e) => e.text.text).join("] [")}]`;
  }
}

/** A message as text: the route, the blocks in order, and the notification fallback. */
export function renderMessageText(route: string, message: SlackMessage): string {
  const lines = [
    `=== Slack route ${route} ===`,
    ...message.blocks.map(renderBlock),
    `  (notification: ${mrkdwnToText(message.text)})`,
  ];
  return lines.join("\n");
}
