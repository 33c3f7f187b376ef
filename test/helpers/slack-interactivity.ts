import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FunctionUrlEvent, FunctionUrlResult } from "../../handlers/slack-action.js";
import { slackSignatureHex } from "../../src/domain/slack-action.js";

/** The signing secret of the tests' Slack app. */
export const TEST_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const TEAM = "T0TEAM01";
export const CHANNEL = "C0GOVERN1";
export const OWNER = "U0OWNER01";
export const ADMIN = "U0ADMIN01";
export const ADMINS_GROUP = "S0ADMINS1";
export const STRANGER = "U0STRANGR";

/** A Slack policy for the tests: route `default` posts to CHANNEL, OWNER and the admins group may act. */
export const SLACK_POLICY_YAML = `version: 1
mode: enforce
routes:
  default:
    webhookSecret: secrets-governor/slack/default
    channel: ${CHANNEL}
    actors:
      users: [${OWNER}]
      userGroups: [${ADMINS_GROUP}]
slack:
  teamId: ${TEAM}
  botTokenSecret: secrets-governor/slack/bot-token
  keep: { days: 90 }
  snooze: { days: 7, maxDays: 30 }
rules:
  - name: unused-secrets
    match: { finding: unused }
    unusedForDays: 90
    lifecycle:
      flag: { afterDays: 0 }
      quarantine: { afterDays: 14 }
      scheduleDeletion: { afterDays: 30, recoveryWindowDays: 30 }
`;

export interface PressSpec {
  actionId: string;
  value: string;
  user?: string;
  team?: string;
  channel?: string;
  messageTs?: string;
  actionTs?: string;
  triggerId?: string;
  responseUrl: string;
}

/** A block_actions payload as Slack sends it, as a form body. */
export function pressBody(spec: PressSpec): string {
  const payload = {
    type: "block_actions",
    team: { id: spec.team ?? TEAM, domain: "example" },
    user: { id: spec.user ?? OWNER, username: "owner", team_id: spec.team ?? TEAM },
    api_app_id: "A0APP0001",
    token: "legacy-verification-token-unused",
    container: {
      type: "message",
      message_ts: spec.messageTs ?? "1765000000.000100",
      channel_id: spec.channel ?? CHANNEL,
      is_ephemeral: false,
    },
    trigger_id: spec.triggerId ?? "1234567890.123456789.abcdef",
    channel: { id: spec.channel ?? CHANNEL, name: "governance" },
    response_url: spec.responseUrl,
    actions: [
      {
        type: "button",
        block_id: "secrets-governor.actions",
        action_id: spec.actionId,
        value: spec.value,
        action_ts: spec.actionTs ?? "1765000001.000200",
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Slack's headers for a body signed at `timestamp` (seconds) with `secret`. */
export function slackHeaders(
  body: string,
  timestamp: number,
  secret = TEST_SIGNING_SECRET,
): Record<string, string> {
  const ts = String(timestamp);
  return {
    "content-type": "application/x-www-form-urlencoded",
    "x-slack-request-timestamp": ts,
    "x-slack-signature": `v0=${slackSignatureHex(secret, ts, Buffer.from(body))}`,
  };
}

/**
 * The handler served as a Lambda function URL on 127.0.0.1: each HTTP request becomes a payload format 2.0
 * event (headers lower-cased, the body base64-encoded when the request asks with `x-test-base64: 1`, as the
 * function URL does for binary content types), and the result becomes the HTTP response.
 */
export class FunctionUrlServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(
    handler: (event: FunctionUrlEvent) => Promise<FunctionUrlResult>,
  ): Promise<FunctionUrlServer> {
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const raw = Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === "string") headers[k.toLowerCase()] = v;
        const base64 = headers["x-test-base64"] === "1";
        const event: FunctionUrlEvent = {
          version: "2.0",
          headers,
          body: base64 ? raw.toString("base64") : raw.toString("utf8"),
          isBase64Encoded: base64,
          requestContext: { http: { method: req.method ?? "GET" } },
        };
        try {
          const result = await handler(event);
          res.writeHead(result.statusCode, result.headers);
          res.end(result.body);
        } catch (error) {
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(`handler threw: ${(error as Error).message}`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return new FunctionUrlServer(server, `http://127.0.0.1:${port}/`);
  }

  async post(
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string }> {
    const response = await fetch(this.url, { method: "POST", headers, body });
    return { status: response.status, text: await response.text() };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
