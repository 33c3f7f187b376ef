import { createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod";

/**
 * Slack interactivity, the pure part: Slack's v0 request signature, the interaction payload we accept, and the
 * signed reference a button carries. Nothing here trusts a byte before `verifySlackSignature` said yes.
 */

/** Slack signs `v0:<timestamp>:<body>` with the app's signing secret (HMAC-SHA256, hex, prefixed `v0=`). */
export const SLACK_SIGNATURE_VERSION = "v0";
/** Slack's own advice: refuse a request whose timestamp is more than five minutes away from now (replays). */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;
/** An interaction payload is a few kilobytes; ours carry three buttons. Anything bigger is not Slack's. */
export const SLACK_MAX_BODY_BYTES = 64 * 1024;

/** The actions the governor offers. No button deletes or quarantines. */
export const SLACK_ACTIONS = ["keep", "snooze", "restore"] as const;
export type SlackActionKind = (typeof SLACK_ACTIONS)[number];
/** Block Kit action ids: a prefix of ours, so another app's button is never taken for one. */
export const ACTION_ID_PREFIX = "secrets-governor.";
export function actionIdOf(kind: SlackActionKind): string {
  return `${ACTION_ID_PREFIX}${kind}`;
}
export function actionKindOf(actionId: string): SlackActionKind | undefined {
  if (!actionId.startsWith(ACTION_ID_PREFIX)) return undefined;
  const kind = actionId.slice(ACTION_ID_PREFIX.length);
  return (SLACK_ACTIONS as readonly string[]).includes(kind) ? (kind as SlackActionKind) : undefined;
}

/** The governor's own tags for Keep and Snooze: facts a person decided, honoured by the engine until the date. */
export const KEPT_UNTIL_TAG = "governor:kept-until";
export const KEPT_BY_TAG = "governor:kept-by";
export const SNOOZED_UNTIL_TAG = "governor:snoozed-until";
export const SNOOZED_BY_TAG = "governor:snoozed-by";
export const SLACK_DECISION_TAGS = [KEPT_UNTIL_TAG, KEPT_BY_TAG, SNOOZED_UNTIL_TAG, SNOOZED_BY_TAG] as const;

export type SignatureRefusal = "missing-headers" | "stale-timestamp" | "bad-signature" | "too-large";

/**
 * Checks Slack's signature of a raw body. `nowSeconds` is the clock; the comparison is constant-time
 * (crypto.timingSafeEqual) over equal-length buffers, so the time taken tells nothing of the expected value.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function verifySlackSignature(
  request: { timestamp: string | undefined; signature: string | undefined; body: Buffer },
  signingSecret: string,
  nowSeconds: number,
): SignatureRefusal | undefined {
  if (request.body.length > SLACK_MAX_BODY_BYTES) return "too-large";
  const { timestamp, signature } = request;
  if (!timestamp || !signature) return "missing-headers";
  if (!/^\d{1,12}$/.test(timestamp)) return "stale-timestamp";
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) return "stale-timestamp";
  const expected = Buffer.from(
    `${SLACK_SIGNATURE_VERSION}=${slackSignatureHex(signingSecret, timestamp, request.body)}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "bad-signature";
  return undefined;
}

export function slackSignatureHex(signingSecret: string, timestamp: string, body: Buffer): string {
  return createHmac("sha256", signingSecret)
    .update(`${SLACK_SIGNATURE_VERSION}:${timestamp}:`)
    .update(body)
    .digest("hex");
}

const slackId = z.string().regex(/^[A-Z0-9]{2,32}$/, "a Slack id");

/**
 * The part of a block_actions payload the governor reads (https://docs.slack.dev/reference/interaction-payloads/
 * block_actions-payload); everything else Slack sends is ignored, not trusted.
 */
export const BlockActionsSchema = z.object({
  type: z.literal("block_actions"),
  team: z.object({ id: slackId }),
  user: z.object({
    id: slackId,
    username: z.string().max(200).optional(),
    name: z.string().max(200).optional(),
  }),
  channel: z.object({ id: slackId }).optional(),
  container: z
    .object({ message_ts: z.string().max(40).optional(), channel_id: slackId.optional() })
    .optional(),
  trigger_id: z.string().max(200).optional(),
  response_url: z.string().url().max(2000),
  actions: z
    .array(
      z.object({
        action_id: z.string().max(255),
        value: z.string().max(2000).optional(),
        action_ts: z.string().max(40),
      }),
    )
    .length(1, "exactly one action"),
});
export type BlockActions = z.infer<typeof BlockActionsSchema>;

/**
 * What a button says, signed: which secret, which route (so which channel and people), which action, when it
 * was issued. The value itself is untrusted text until its MAC checks out with the stack's key.
 */
export interface ButtonReference {
  action: SlackActionKind;
  arn: string;
  route: string;
  /** Issued, epoch seconds: a button older than BUTTON_MAX_AGE_DAYS is refused. */
  issued: number;
}

/** A button is good for this long: an old alert's button must not act on a secret that has moved on. */
export const BUTTON_MAX_AGE_DAYS = 30;
const REF_VERSION = "r1";

/** The key that signs buttons, derived from the signing secret: one secret to keep, and distinct uses. */
export function buttonKeyOf(signingSecret: string): Buffer {
  return createHmac("sha256", signingSecret).update("secrets-governor button reference v1").digest();
}

function mac(key: Buffer, body: string): string {
  return createHmac("sha256", key).update(body).digest("base64url");
}

export function signButton(ref: ButtonReference, key: Buffer): string {
  const body = Buffer.from(JSON.stringify([ref.action, ref.arn, ref.route, ref.issued])).toString(
    "base64url",
  );
  return `${REF_VERSION}.${body}.${mac(key, `${REF_VERSION}.${body}`)}`;
}

/** The reference a button value carries, or why it is not one of ours. */
export function readButton(
  value: string,
  key: Buffer,
  nowSeconds: number,
): { ref: ButtonReference } | { reason: string } {
  const parts = value.split(".");
  if (parts.length !== 3 || parts[0] !== REF_VERSION) return { reason: "not a governor button reference" };
  const [version, body, given] = parts as [string, string, string];
  const expected = Buffer.from(mac(key, `${version}.${body}`));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    return { reason: "the button's signature does not match: tampered or not ours" };
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { reason: "a signed reference that does not parse" };
  }
  const parsed = z
    .tuple([z.enum(SLACK_ACTIONS), z.string().max(2048), z.string().max(64), z.number().int()])
    .safeParse(fields);
  if (!parsed.success) return { reason: "a signed reference of another shape" };
  const [action, arn, route, issued] = parsed.data;
  if (nowSeconds - issued > BUTTON_MAX_AGE_DAYS * 86_400) return { reason: "the button has expired" };
  if (issued - nowSeconds > SLACK_MAX_SKEW_SECONDS) return { reason: "the button was issued in the future" };
  return { ref: { action, arn, route, issued } };
}
