import type { Mode, Stage } from "../domain/decision.js";
import { actionIdOf, type ButtonReference, type SlackActionKind } from "../domain/slack-action.js";
import { routeHasActors } from "../policy/check-slack.js";
import { readStage } from "../policy/evaluate.js";
import type { Policy } from "../policy/schema.js";
import type { ReportItem } from "../ports.js";
import { code } from "./escape.js";
import { type ActionsBlock, actions, type Block, type ButtonElement, context, section } from "./message.js";

/** Makes the buttons of one item, or none: built per report, with the signing key and the time of sending. */
export type ButtonFactory = (item: ReportItem, mode: Mode) => ActionsBlock | undefined;

export const ACTIONS_BLOCK_ID = "secrets-governor.actions";

/** The stage the secret is in once the message is read: after the decision in enforce mode, as tagged in report. */
function stageNow(item: ReportItem, mode: Mode): Stage | null {
  if (mode === "enforce" || !item.secret) return item.decision.stage;
  return readStage(item.secret).stage;
}

/**
 * Which buttons make sense for an item: Keep and Snooze on an unused secret in the lifecycle (Snooze only while a
 * next stage is ahead), Restore on a quarantined or deletion-scheduled one. None on an exempt secret, and none at
 * all unless the item's route names people who may act, its channel and the workspace.
 */
export function buttonKinds(item: ReportItem, mode: Mode, policy: Policy): SlackActionKind[] {
  const { decision } = item;
  const route = decision.route;
  if (!routeHasActors(policy, route) || !policy.routes[route]?.channel || !policy.slack.teamId) return [];
  if (decision.guard === "exempt") return [];
  const stage = stageNow(item, mode);
  const kinds: SlackActionKind[] = [];
  if (decision.finding === "unused" && stage !== null) kinds.push("keep");
  if (decision.finding === "unused" && (stage === "flagged" || stage === "quarantined")) kinds.push("snooze");
  if (stage === "quarantined" || stage === "deletion-scheduled") kinds.push("restore");
  return kinds;
}

/** The factory the notifier uses: signs each button's reference with the stack's button key. */
export function buttonFactory(
  policy: Policy,
  sign: (ref: ButtonReference) => string,
  nowSeconds: () => number,
): ButtonFactory {
  return (item, mode) => {
    const kinds = buttonKinds(item, mode, policy);
    if (kinds.length === 0) return undefined;
    const issued = Math.floor(nowSeconds());
    const label: Record<SlackActionKind, string> = {
      keep: `Keep ${policy.slack.keep.days} days`,
      snooze: `Snooze ${policy.slack.snooze.days} days`,
      restore: "Restore",
    };
    const elements: ButtonElement[] = kinds.map((kind) => ({
      type: "button",
      action_id: actionIdOf(kind),
      text: { type: "plain_text", text: label[kind], emoji: false },
      value: sign({ action: kind, arn: item.decision.arn, route: item.decision.route, issued }),
      ...(kind === "keep" ? { style: "primary" as const } : {}),
    }));
    return actions(ACTIONS_BLOCK_ID, elements);
  };
}

/** A digest offers buttons for this many secrets, most advanced in the lifecycle first; the rest have their own. */
export const DIGEST_BUTTON_ITEMS = 5;
/** What the buttons may add to a digest's JSON, so the digest stays one message (Slack's ~12,000 limit). */
const DIGEST_BUTTONS_JSON_BUDGET = 6_000;
const STAGE_ORDER: Record<Stage, number> = { "deletion-scheduled": 0, quarantined: 1, flagged: 2 };

/**
 * The buttons of a digest: a line naming each secret (its name escaped, as in the list above) and its buttons,
 * for the first few secrets that have any. Each actions block has its own block_id, as Slack asks of a message.
 */
export function digestButtonBlocks(
  items: readonly ReportItem[],
  mode: Mode,
  buttons: ButtonFactory,
): Block[] {
  const actionable = items
    .map((item, index) => ({ item, index, block: buttons(item, mode) }))
    .filter((x): x is { item: ReportItem; index: number; block: ActionsBlock } => x.block !== undefined)
    .sort((a, b) => {
      const rank = (i: ReportItem) => (i.decision.stage ? STAGE_ORDER[i.decision.stage] : 3);
      return rank(a.item) - rank(b.item) || a.index - b.index;
    });
  if (actionable.length === 0) return [];
  const blocks: Block[] = [section("*Act from Slack*")];
  let used = 0;
  let shown = 0;
  for (const { item, block } of actionable) {
    if (shown >= DIGEST_BUTTON_ITEMS) break;
    const name = item.secret?.name ?? item.decision.name;
    const pair: Block[] = [
      context(`${code(name, 80)} · ${item.decision.stage ?? "unused"}`),
      { ...block, block_id: `${ACTIONS_BLOCK_ID}.${shown}` },
    ];
    const cost = JSON.stringify(pair).length;
    if (used + cost > DIGEST_BUTTONS_JSON_BUDGET) break;
    blocks.push(...pair);
    used += cost;
    shown++;
  }
  const more = actionable.length - shown;
  if (more > 0)
    blocks.push(
      context(`${more} more with buttons in their own alerts; \`governor restore\` works for any.`),
    );
  return blocks;
}
