import { MemoryAlertDeadLetter } from "../adapters/alert-dead-letter.js";
import { createSingleUrlNotifier, StdoutNotifier } from "../adapters/slack.js";
import type { Log } from "../app/handle-batch.js";
import type { NotifyDeps } from "../app/notify.js";
import type { Mode } from "../domain/decision.js";
import type { Policy } from "../policy/schema.js";
import type { Terminal } from "./io.js";
import { terminalJson } from "./terminal.js";
import { UsageError } from "./usage.js";

export const SLACK_OPTIONS = {
  "slack-url": { type: "string" },
  "slack-stdout": { type: "boolean" },
} as const;

/** The CLI's Slack: its kept alerts live in memory, so whatever is left at the end must be shown, not lost. */
export interface CliSlack extends NotifyDeps {
  deadLetter: MemoryAlertDeadLetter;
}

/**
 * Prints every alert Slack did not take, whole, to stderr (a CLI run has no later run to deliver them) and
 * returns how many there were: the command then exits 1.
 */
export function reportUndelivered(slack: CliSlack | undefined, io: Terminal): number {
  if (!slack) return 0;
  for (const alert of slack.deadLetter.kept)
    io.stderr(
      `slack: not delivered to route ${alert.route} (${alert.reason}): ${terminalJson(alert.payload)}\n`,
    );
  return slack.deadLetter.kept.length;
}

/** `--slack-url URL` posts every route to one webhook-compatible URL; `--slack-stdout` prints the messages. */
export function slackFromOptions(
  values: { "slack-url"?: string; "slack-stdout"?: boolean },
  io: Terminal,
  mode: Mode,
  now: Date,
  policy: Policy,
): CliSlack | undefined {
  if (values["slack-url"] && values["slack-stdout"])
    throw new UsageError("give --slack-url or --slack-stdout, not both");
  const log: Log = {
    info: () => {},
    warn: (message, ...extra) => io.stderr(`slack: ${message} ${terminalJson(extra)}\n`),
    error: (message, ...extra) => io.stderr(`slack: ${message} ${terminalJson(extra)}\n`),
  };
  const deadLetter = new MemoryAlertDeadLetter();
  const common = { deadLetter, log, mode, now, defaultRoute: policy.routing.default, policy };
  if (values["slack-url"]) {
    let url: URL;
    try {
      url = new URL(values["slack-url"]);
    } catch {
      throw new UsageError(`--slack-url: not a URL`);
    }
    let notifier: CliSlack["notifier"];
    try {
      notifier = createSingleUrlNotifier(url.toString(), { log });
    } catch (error) {
      // Webhooks are https; plain http only on this machine (a local receiver).
      throw new UsageError(
        `--slack-url: ${(error as Error).message.replace("the Slack webhook URL does not hold", "not")}`,
      );
    }
    return { notifier, ...common };
  }
  if (values["slack-stdout"]) return { notifier: new StdoutNotifier((text) => io.stdout(text)), ...common };
  return undefined;
}
