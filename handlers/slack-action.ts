import { handleSlackAction, type SlackActionDeps, type SlackHttpRequest } from "../src/app/slack-action.js";
import { slackActionDeps } from "../src/composition/slack-action-runtime.js";
import { SLACK_MAX_BODY_BYTES } from "../src/domain/slack-action.js";

/**
 * A Lambda function URL request (payload format 2.0), the fields we read. Sample:
 * `{"version":"2.0","rawPath":"/","headers":{"content-type":"application/x-www-form-urlencoded",
 * "x-slack-request-timestamp":"1765000000","x-slack-signature":"v0=…"},"requestContext":{"http":{"method":"POST"}},
 * "body":"cGF5bG9hZD0…","isBase64Encoded":true}`
 */
export interface FunctionUrlEvent {
  version?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const plain = (statusCode: number, body: string): FunctionUrlResult => ({
  statusCode,
  headers: { "content-type": "text/plain; charset=utf-8" },
  body,
});

/** The raw body bytes Slack signed: base64-decoded when the function URL encoded them. */
export function requestOf(event: FunctionUrlEvent): SlackHttpRequest | undefined {
  const text = event.body ?? "";
  // Bounded before decoding: base64 is 4/3 the size of what it carries.
  if (text.length > Math.ceil((SLACK_MAX_BODY_BYTES * 4) / 3) + 4) return undefined;
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  return { headers, body: event.isBase64Encoded ? Buffer.from(text, "base64") : Buffer.from(text, "utf8") };
}

/** Lambda entry for Slack's interactivity requests (Keep, Snooze, Restore). Tests call makeHandler with fakes. */
export function makeHandler(deps: (now: Date) => SlackActionDeps) {
  return async (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
    const method = event.requestContext?.http?.method ?? "POST";
    if (method !== "POST") return plain(405, "POST only");
    const request = requestOf(event);
    const context = deps(new Date());
    const response = request
      ? await handleSlackAction(request, context)
      : await handleSlackAction({ headers: {}, body: Buffer.alloc(SLACK_MAX_BODY_BYTES + 1) }, context);
    return plain(response.status, response.body);
  };
}

export const handler = makeHandler(slackActionDeps);
