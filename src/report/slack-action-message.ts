import type { SlackActionKind } from "../domain/slack-action.js";
import { code, prose } from "./escape.js";
import { consoleLink } from "./facts.js";
import { context, header, message, type SlackMessage, section } from "./message.js";

/** What a button press came to, for the message update sent to response_url. */
export interface ActionResult {
  kind: SlackActionKind;
  /** The Slack user id who pressed it: checked against `^[UW][A-Z0-9]+$` before it gets here. */
  user: string;
  name: string;
  region?: string;
  outcome: "done" | "skipped" | "failed";
  /** Our own words, though they may quote facts from the account (rendered as prose: escaped). */
  detail: string;
}

const TITLES: Record<SlackActionKind, Record<ActionResult["outcome"], string>> = {
  keep: { done: ":pushpin: Secret kept", skipped: ":pushpin: Nothing to keep", failed: ":x: Keep failed" },
  snooze: {
    done: ":zzz: Next stage snoozed",
    skipped: ":zzz: Nothing to snooze",
    failed: ":x: Snooze failed",
  },
  restore: {
    done: ":leftwards_arrow_with_hook: Secret restored",
    skipped: ":leftwards_arrow_with_hook: Nothing to restore",
    failed: ":x: Restore failed",
  },
};

/**
 * The update that replaces the alert once someone acted: who did what to which secret. The secret's name is
 * anyone's text and goes through the alerts' escaping (src/report/escape.ts); the user is a mention we build
 * from a checked id. The buttons are gone: one press per alert.
 */
export function actionResultMessage(result: ActionResult): SlackMessage & { replace_original: true } {
  const title = TITLES[result.kind][result.outcome];
  const who = `<@${result.user}>`;
  const blocks = [
    header(title),
    section(`*Secret* ${code(result.name, 200)}\n*By* ${who}\n${prose(result.detail, 600)}`),
    context(consoleLink(result.name, result.region)),
  ];
  const fallback = `${title.replace(/^:[a-z_]+: /, "")}: ${code(result.name, 200)} by ${who}`;
  return { ...message(fallback, blocks), replace_original: true };
}
