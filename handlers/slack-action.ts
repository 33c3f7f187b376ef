import {
  admitSlackAction,
  handleSlackAction,
  type SlackActionDeps,
  type SlackHttpRequest,
  type SlackHttpResponse,
} from "../src/app/slack-action.js";
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

/** The writable stream Lambda hands a streaming handler, as we use it. */
export interface ResponseStream {
  end(body?: string): void;
}

/** `awslambda`, the global Lambda's Node.js runtime provides to response-streaming functions. */
export interface StreamingRuntime {
  streamifyResponse(
    fn: (event: FunctionUrlEvent, stream: ResponseStream, context?: unknown) => Promise<void>,
  ): unknown;
  HttpResponseStream: {
    from(
      stream: ResponseStream,
      prelude: { statusCode: number; headers: Record<string, string> },
    ): ResponseStream;
  };
}

/**
 * The same handler for a function URL in RESPONSE_STREAM mode: Slack gets its answer (200, or the refusal) as soon
 * as the press is verified, authorised and claimed, and the stream is closed; the work and the message update
 * through response_url follow, within the same invocation (Lambda runs the handler until it returns:
 * https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html). Slack's 3 s are then spent on
 * checks and one DynamoDB write, never on Secrets Manager.
 */
export function makeStreamingHandler(
  deps: (now: Date) => SlackActionDeps,
  http: StreamingRuntime["HttpResponseStream"],
) {
  const answer = (stream: ResponseStream, response: SlackHttpResponse) =>
    http
      .from(stream, { statusCode: response.status, headers: { "content-type": "text/plain; charset=utf-8" } })
      .end(response.body);
  return async (event: FunctionUrlEvent, stream: ResponseStream): Promise<void> => {
    const method = event.requestContext?.http?.method ?? "POST";
    if (method !== "POST") return answer(stream, { status: 405, body: "POST only" });
    const context = deps(new Date());
    const request = requestOf(event) ?? { headers: {}, body: Buffer.alloc(SLACK_MAX_BODY_BYTES + 1) };
    const admission = await admitSlackAction(request, context);
    if ("response" in admission) return answer(stream, admission.response);
    answer(stream, { status: 200, body: "" });
    await admission.work();
  };
}

const lambda = (globalThis as { awslambda?: StreamingRuntime }).awslambda;

/** Streaming where Lambda's runtime offers it (serverless/functions/slack-action.yml asks for RESPONSE_STREAM). */
export const handler =
  typeof lambda?.streamifyResponse === "function" && lambda.HttpResponseStream
    ? lambda.streamifyResponse(makeStreamingHandler(slackActionDeps, lambda.HttpResponseStream))
    : makeHandler(slackActionDeps);
