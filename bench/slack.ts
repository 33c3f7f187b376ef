/**
 * Slack for a burst: the alerts of every batch of the burst, sent as the event handlers send them, to a local
 * webhook receiver that holds Slack's rate limit (about one message per second per channel, short bursts
 * tolerated; 429 with Retry-After beyond). Time is virtual: batches arrive when the burst finished them, and the
 * notifier's waits advance the clock, so the figures say how long a real run would wait without waiting for it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SingleUrlResolver, SlackNotifier } from "../src/adapters/slack.js";
import { notifyEventResults, notifySweep } from "../src/app/notify.js";
import type { FindingResult } from "../src/app/process-findings.js";
import type { SweepResult } from "../src/app/sweep.js";

/** Slack's incoming webhooks: one message a second per channel, a burst of a few tolerated. */
const RATE_PER_S = 1;
const BURST = 3;

export interface SlackFigures {
  findings: number;
  batches: number;
  messages: number;
  /** Requests Slack answered 429 (each retried after Retry-After). */
  rateLimited: number;
  waitedS: number;
  /** Messages of the sweep's digest and cost digest for the same findings. */
  sweepMessages: number;
  failed: number;
}

export async function benchSlack(
  batches: FindingResult[][],
  batchDoneS: number[],
  sweep: SweepResult,
): Promise<SlackFigures> {
  const clock = { nowMs: 0 };
  let tokens = BURST;
  let refilledAt = 0;
  let messages = 0;
  let rateLimited = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      tokens = Math.min(BURST, tokens + ((clock.nowMs - refilledAt) / 1000) * RATE_PER_S);
      refilledAt = clock.nowMs;
      if (tokens < 1) {
        rateLimited++;
        res.writeHead(429, { "retry-after": String(Math.ceil((1 - tokens) / RATE_PER_S)) });
        res.end("rate_limited");
        return;
      }
      tokens -= 1;
      messages++;
      res.writeHead(200);
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/bench`;
  let waitedMs = 0;
  const notifier = new SlackNotifier({
    resolver: new SingleUrlResolver(url),
    log: { warn() {}, error() {} },
    sleep: async (ms) => {
      waitedMs += ms;
      clock.nowMs += ms;
    },
    random: () => 0.5,
  });
  const log = { info() {}, warn() {}, error() {} };
  let failed = 0;
  const deadLetter = {
    put: async (alerts: unknown[]) => {
      failed += alerts.length;
    },
    take: async () => [],
  };
  try {
    const order = batches.map((_, i) => i).sort((a, b) => (batchDoneS[a] ?? 0) - (batchDoneS[b] ?? 0));
    for (const i of order) {
      clock.nowMs = Math.max(clock.nowMs, (batchDoneS[i] ?? 0) * 1000);
      await notifyEventResults(batches[i] as FindingResult[], {
        notifier,
        deadLetter,
        log,
        mode: "enforce",
        now: sweep.plan.now,
      });
    }
    const eventMessages = messages;
    await notifySweep(sweep, { notifier, deadLetter, log, mode: "enforce", now: sweep.plan.now });
    return {
      findings: batches.reduce((sum, b) => sum + b.length, 0),
      batches: batches.length,
      messages: eventMessages,
      rateLimited,
      waitedS: Math.round(waitedMs / 100) / 10,
      sweepMessages: messages - eventMessages,
      failed,
    };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
