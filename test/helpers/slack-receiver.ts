import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkSlackLimits, type LimitViolation } from "../../src/report/limits.js";

/** How the receiver answers one request; unscripted requests get 200 `ok` (or 400 when over Slack's limits). */
export type ScriptedAnswer =
  | { status: 429; retryAfter?: string }
  | { status: number; body?: string }
  | { drop: true };

export interface ReceivedRequest {
  path: string;
  payload: unknown;
  violations: LimitViolation[];
  status: number;
}

/**
 * A local stand-in for Slack's incoming webhooks on 127.0.0.1 (port 0). Every payload is checked with
 * `checkSlackLimits` and answered 400 `invalid_blocks` when over a limit, as Slack would. Answers can be scripted
 * (429 with Retry-After, 5xx, 404 `no_service`, a dropped connection); everything that arrives is recorded.
 */
export class SlackReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly answers: ScriptedAnswer[] = [];
  private readonly server = createServer((req, res) => this.handle(req, res));

  private port = 0;

  private constructor() {}

  static async start(): Promise<SlackReceiver> {
    const receiver = new SlackReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    receiver.port = (receiver.server.address() as AddressInfo).port;
    return receiver;
  }

  /** A webhook URL on this receiver; the path plays the part of Slack's secret token. */
  url(path = "/services/T0000/B0000/s3cr3tT0k3n"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Queues answers for the next requests, in order. */
  script(...answers: ScriptedAnswer[]): void {
    this.answers.push(...answers);
  }

  /** Forgets the answers not yet given: Slack is back. */
  clearScript(): void {
    this.answers.length = 0;
  }

  /** Payloads answered 200, in arrival order. */
  get accepted(): unknown[] {
    return this.requests.filter((r) => r.status === 200).map((r) => r.payload);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        payload = undefined;
      }
      const violations = checkSlackLimits(payload);
      const answer = this.answers.shift();
      const record = (status: number) =>
        this.requests.push({ path: req.url ?? "", payload, violations, status });
      if (answer && "drop" in answer) {
        record(0);
        req.socket.destroy();
        return;
      }
      if (answer) {
        const headers: Record<string, string> = { "content-type": "text/plain" };
        if (answer.status === 429 && "retryAfter" in answer && answer.retryAfter !== undefined)
          headers["retry-after"] = answer.retryAfter;
        record(answer.status);
        res.writeHead(answer.status, headers);
        res.end(
          "body" in answer && answer.body !== undefined
            ? answer.body
            : answer.status === 429
              ? "rate_limited"
              : "error",
        );
        return;
      }
      if (violations.length > 0) {
        record(400);
        res.writeHead(400, { "content-type": "text/plain" });
        res.end("invalid_blocks");
        return;
      }
      record(200);
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  }
}
