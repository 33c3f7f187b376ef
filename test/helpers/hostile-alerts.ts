import type { AlertDeadLetter, FailedDelivery, KeptAlert } from "../../src/ports.js";
import { buildMessages } from "../../src/report/build.js";
import { examples } from "../../src/report/examples.js";
import { context, divider, fields, header, message, section } from "../../src/report/message.js";

/**
 * Bodies anything allowed to send to the alert queue could put there, each posing as a kept alert: none may reach
 * a webhook. Used by the dead-letter tests with the memory fake, the Slack receiver and SQS on moto.
 */
export const HOSTILE_KEPT_BODIES: Record<string, string> = {
  "<!channel> in a section": keptBody(
    "default",
    message("x", [header(":lock: Unused"), section("<!channel> hi")]),
  ),
  "<!here> in the fallback": keptBody("default", message("<!here> re-login now", [section("x")])),
  "<@U123> in a context": keptBody("default", message("x", [context("ping <@U123>")])),
  "a phishing link in a section": keptBody(
    "default",
    message("Session expired", [section("<https://evil.example|Click to re-login>")]),
  ),
  "a mrkdwn link in a field": keptBody(
    "default",
    message("x", [fields(["*Secret*\n<https://evil.example|app/db>"])]),
  ),
  "an image block": keptBody(
    "default",
    message("x", [{ type: "image", image_url: "https://evil.example/a.png", alt_text: "a" } as never]),
  ),
  "an actions block with a button URL": keptBody(
    "default",
    message("x", [
      {
        type: "actions",
        elements: [
          { type: "button", text: { type: "plain_text", text: "Re-login" }, url: "https://evil.example" },
        ],
      } as never,
    ]),
  ),
  "an oversize payload": keptBody(
    "default",
    message(
      "x",
      Array.from({ length: 60 }, () => divider),
    ),
  ),
  "an oversize body": keptBody("default", message("x".repeat(30_000), [section("x")])),
  "an unknown route": keptBody("attacker", message("x", [section("an innocent-looking message")])),
  "a body that is not JSON": "{not json <!channel>",
};

/** A failed delivery as the governor's dead letter stores it. */
export function keptBody(route: string, payload: unknown): string {
  return JSON.stringify({ route, reason: "HTTP 503", retryable: true, payload });
}

/** A real alert of the governor's builders (the example quarantine, with its console link), failed on `route`. */
export function genuineAlert(route: string): FailedDelivery {
  const example = examples().find((e) => e.id === "quarantined");
  const built = buildMessages(example?.report ?? { mode: "enforce", items: [] })[0];
  if (!built) throw new Error("the example quarantine builds no message");
  return { route, reason: "HTTP 503", retryable: true, payload: built.message };
}

/** A dead letter holding bodies as they are (as a queue does), recording which were acked. */
export class BodiesDeadLetter implements AlertDeadLetter {
  readonly acked: string[] = [];
  failAcks = false;

  constructor(readonly bodies: { id: string; body: string }[]) {}

  async put(failed: FailedDelivery[]): Promise<void> {
    for (const f of failed) this.bodies.push({ id: `put-${this.bodies.length}`, body: JSON.stringify(f) });
  }

  async take(max: number): Promise<KeptAlert[]> {
    return this.bodies.slice(0, max).map((entry) => ({
      ...entry,
      ack: async () => {
        if (this.failAcks) throw new Error("DeleteMessage failed: ThrottlingException");
        this.acked.push(entry.id);
        this.bodies.splice(this.bodies.indexOf(entry), 1);
      },
    }));
  }
}

/** Any Slack control sequence or bare URL in a payload other than the governor's console link. */
export function foreignSequences(payload: unknown): string[] {
  const json = JSON.stringify(payload).replace(
    /<https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/secretsmanager\/secret\?name=[^|<>\s]*\|[^<>]*>/g,
    "",
  );
  return [...(json.match(/<[^>]*>/g) ?? []), ...(json.match(/[a-z]+:\/\/[^\s"]*/gi) ?? [])];
}
