import type { Mode, Stage } from "../domain/decision.js";
import { actionIdOf, type ButtonReference, type SlackActionKind } from "../domain/slack-action.js";
import { routeHasActors } from "../policy/check-slack.js";
import { readStage } from "../policy/evaluate.js";
import type { Policy } from "../policy/schema.js";
import type { ReportItem } from "../ports.js";
import { type ActionsBlock, actions, type ButtonElement } from "./message.js";

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
