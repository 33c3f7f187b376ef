/** The Block Kit subset the governor sends, and the message shape an incoming webhook accepts. */

export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: "mrkdwn";
  text: string;
}

export interface HeaderBlock {
  type: "header";
  text: PlainText;
}

export interface SectionBlock {
  type: "section";
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}

export interface ContextBlock {
  type: "context";
  elements: Mrkdwn[];
}

export interface DividerBlock {
  type: "divider";
}

/** A button of ours: its value is a signed reference (src/domain/slack-action.ts), never a bare ARN. */
export interface ButtonElement {
  type: "button";
  action_id: string;
  text: PlainText;
  value: string;
  style?: "primary";
}

/** Keep / Snooze / Restore, shown only where the policy names people who may press them. */
export interface ActionsBlock {
  type: "actions";
  block_id: string;
  elements: ButtonElement[];
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock;

/** One webhook payload: the blocks and the plain-text fallback shown in notifications. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
  /** The console link is the only link and needs no preview; untrusted text must never unfurl. */
  unfurl_links?: false;
  unfurl_media?: false;
}

/** A message and the route (Slack channel) it goes to. */
export interface RoutedMessage {
  route: string;
  message: SlackMessage;
}

export function header(text: string): HeaderBlock {
  return { type: "header", text: { type: "plain_text", text, emoji: true } };
}

export function section(text: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text } };
}

export function fields(texts: string[]): SectionBlock {
  return { type: "section", fields: texts.map((text) => ({ type: "mrkdwn", text })) };
}

export function context(...texts: string[]): ContextBlock {
  return { type: "context", elements: texts.map((text) => ({ type: "mrkdwn", text })) };
}

export const divider: DividerBlock = { type: "divider" };

export function actions(blockId: string, elements: ButtonElement[]): ActionsBlock {
  return { type: "actions", block_id: blockId, elements };
}

export function message(text: string, blocks: Block[]): SlackMessage {
  return { text, blocks, unfurl_links: false, unfurl_media: false };
}
