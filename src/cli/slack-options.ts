import { MemoryAlertDeadLetter } from "../adapters/alert-dead-letter.js";
import { createSingleUrlNotifier, StdoutNotifier } from "../adapters/slack.js";
import type { Log } from "../app/handle-batch.js";
import type { NotifyDeps } from "../app/notify.js";
import type { Mode } from "../domain/decision.js";
import type { CliIO } from "./io.js";
import { UsageError } from "./usage.js";

export const SLACK_OPTIONS = {
  "slack-url": { type: "string" },
  "slack-stdout": { type: "boolean" },
} as const;

/** `--slack-url URL` posts every route to one webhook-compatible URL; `--slack-stdout` prints the messages. */
export function slackFromOptions(
  values: { "slack-url"?: string; "slack-stdout"?: boolean },
  io: CliIO,
  mode: Mode,
  now: Date,
): NotifyDeps | undefined {
  if (values["slack-url"] && values["slack-stdout"])
    throw new UsageError("give --slack-url or --slack-stdout, not both");
  const log: Log = {
    info: () => {},
    warn: (message, ...extra) => io.stderr(`slack: ${message} ${JSON.stringify(extra)}\n`),
    error: (message, ...extra) => io.stderr(`slack: ${message} ${JSON.stringify(extra)}\n`),
  };
  const deadLetter = new MemoryAlertDeadLetter();
  if (values["slack-url"]) {
    let url: URL;
    try {
      url = new URL(values["slack-url"]);
    } catch {
      throw new UsageError(`--slack-url: not a URL`);
    }
    return { notifier: createSingleUrlNotifier(url.toString(), { log }), deadLetter, log, mode, now };
  }
  if (values["slack-stdout"])
    return { notifier: new StdoutNotifier((text) => io.stdout(text)), deadLetter, log, mode, now };
  return undefined;
}
