import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  type FetchFunction,
  IncomingWebhook,
  IncomingWebhookHTTPError,
  IncomingWebhookRequestError,
} from "@slack/webhook";
import { AdapterError } from "../errors.js";
import type { DeliveryResult, FailedDelivery, Notifier, Report } from "../ports.js";
import { buildMessages } from "../report/build.js";
import type { RoutedMessage, SlackMessage } from "../report/message.js";
import { renderMessageText } from "../report/render-text.js";

/** Route name -> incoming webhook URL. The URL is a credential: it never appears in an error or a log. */
export interface WebhookResolver {
  resolve(route: string): Promise<string>;
}

/** The log this adapter writes to (Powertools Logger in Lambda, the console locally). */
export interface SlackLog {
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

const consoleLog: SlackLog = {
  warn: (message, extra) => console.warn(JSON.stringify({ level: "WARN", message, ...extra })),
  error: (message, extra) => console.error(JSON.stringify({ level: "ERROR", message, ...extra })),
};

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
}

/** Accepts https URLs, and http only on loopback (a local receiver in tests). Never echoes the value. */
function checkWebhookUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new AdapterError(`${where} does not hold a URL`, "GetSecretValue", false);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname)))
    throw new AdapterError(`${where} does not hold an https URL`, "GetSecretValue", false);
  return url.toString();
}

/** A secret's string: the URL itself, or JSON with `url`, `webhookUrl` or `webhook_url`. */
function urlFromSecretString(text: string, where: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return checkWebhookUrl(trimmed, where);
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    throw new AdapterError(`${where} holds JSON that does not parse`, "GetSecretValue", false);
  }
  const record = (doc ?? {}) as Record<string, unknown>;
  const value = record.url ?? record.webhookUrl ?? record.webhook_url;
  if (typeof value !== "string")
    throw new AdapterError(
      `${where} holds JSON without a url, webhookUrl or webhook_url field`,
      "GetSecretValue",
      false,
    );
  return checkWebhookUrl(value, where);
}

const NOT_RETRYABLE_SM_ERRORS = new Set([
  "ResourceNotFoundException",
  "AccessDeniedException",
  "DecryptionFailure",
  "InvalidRequestException",
  "InvalidParameterException",
]);

/**
 * Production resolver: each route's URL is read from its Secrets Manager secret (policy `routes.<name>.webhookSecret`)
 * on first use and cached for the life of the resolver, so build it once per container (at module scope or in the
 * runtime). This is the only GetSecretValue in the project, and it reads only these route secrets. A failed read
 * is not cached: the next send tries again.
 */
export class SecretsManagerWebhookResolver implements WebhookResolver {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly routes: Record<string, { webhookSecret: string }>,
  ) {}

  resolve(route: string): Promise<string> {
    const cached = this.cache.get(route);
    if (cached) return cached;
    const pending = this.read(route);
    this.cache.set(route, pending);
    pending.catch(() => this.cache.delete(route));
    return pending;
  }

  private async read(route: string): Promise<string> {
    const spec = Object.hasOwn(this.routes, route) ? this.routes[route] : undefined;
    if (!spec) throw new AdapterError(`unknown Slack route '${route}'`, "GetSecretValue", false);
    const where = `the webhook secret '${spec.webhookSecret}' of route '${route}'`;
    let text: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: spec.webhookSecret }));
      text = out.SecretString;
    } catch (error) {
      const name = (error as { name?: string }).name ?? "Error";
      throw new AdapterError(
        `could not read ${where}: ${name}`,
        "GetSecretValue",
        !NOT_RETRYABLE_SM_ERRORS.has(name),
        { cause: error },
      );
    }
    if (text === undefined) throw new AdapterError(`${where} has no SecretString`, "GetSecretValue", false);
    return urlFromSecretString(text, where);
  }
}

/** Every route to one URL (`--slack-url`). */
export class SingleUrlResolver implements WebhookResolver {
  private readonly url: string;
  constructor(url: string) {
    this.url = checkWebhookUrl(url, "the Slack webhook URL");
  }
  resolve(): Promise<string> {
    return Promise.resolve(this.url);
  }
}

export interface SlackNotifierOptions {
  resolver: WebhookResolver;
  log?: SlackLog;
  /** Injectable for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); defaults to Math.random. */
  random?: () => number;
  /** Attempts per message for 5xx and network errors (default 4). */
  maxAttempts?: number;
  /** 429 answers honoured per message before giving up (default 5). */
  maxRateLimitRetries?: number;
  /** First backoff step (default 500 ms), doubled per attempt up to `maxDelayMs` (default 8 s), full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this (default 30 s) is not waited for: the delivery fails, retryable. */
  maxRetryAfterSeconds?: number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** The fetch the webhook client uses (default the global one). */
  fetch?: FetchFunction;
}

type Attempt = { ok: true } | { ok: false; reason: string; retry: "backoff" | "no" | { afterMs: number } };

/** Removes the webhook URL (and its path, the secret part) from any text before it is logged or returned. */
function redact(text: string, url: string): string {
  let out = text.split(url).join("[webhook url]");
  try {
    const { pathname, host } = new URL(url);
    if (pathname.length > 1) out = out.split(pathname).join("[webhook path]");
    out = out.split(host).join("[webhook host]");
  } catch {
    // The URL was validated when resolved; nothing else to remove.
  }
  return out;
}

/** Slack's error code from a 4xx body (`invalid_blocks`, `no_service`...), cut short: it is not ours to trust. */
function slackErrorCode(body: string): string {
  const code = body.trim().slice(0, 100);
  return /^[a-z0-9_]+$/i.test(code) ? code : "unexpected body";
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * Delivers reports to Slack incoming webhooks. The webhook client's own retries are switched off (`retries: 0`)
 * so that this class alone decides: 429 waits for Retry-After; 5xx and network errors back off exponentially with
 * full jitter, a bounded number of times; any other 4xx is final. Messages to one route go one at a time (Slack
 * allows about one a second per channel); routes go in parallel. Nothing throws: failures come back whole.
 */
export class SlackNotifier implements Notifier {
  private readonly log: SlackLog;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly maxRateLimitRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly fetchFn: FetchFunction;

  constructor(private readonly options: SlackNotifierOptions) {
    this.log = options.log ?? consoleLog;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.maxRateLimitRetries = Math.max(0, options.maxRateLimitRetries ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 8_000;
    this.maxRetryAfterMs = (options.maxRetryAfterSeconds ?? 30) * 1000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchFn = options.fetch ?? (globalThis.fetch as unknown as FetchFunction);
  }

  send(report: Report): Promise<DeliveryResult> {
    return this.deliver(buildMessages(report));
  }

  /** Sends prepared messages (also the way to retry the `failed` of an earlier result). */
  async deliver(messages: RoutedMessage[]): Promise<DeliveryResult> {
    const byRoute = new Map<string, SlackMessage[]>();
    for (const { route, message } of messages) {
      const list = byRoute.get(route);
      if (list) list.push(message);
      else byRoute.set(route, [message]);
    }
    const results = await Promise.all([...byRoute].map(([route, list]) => this.deliverRoute(route, list)));
    return {
      sent: results.reduce((n, r) => n + r.sent, 0),
      failed: results.flatMap((r) => r.failed),
    };
  }

  private async deliverRoute(route: string, messages: SlackMessage[]): Promise<DeliveryResult> {
    let url: string;
    try {
      url = await this.options.resolver.resolve(route);
    } catch (error) {
      const retryable = error instanceof AdapterError ? error.retryable : true;
      const reason = error instanceof Error ? error.message : "the webhook URL could not be resolved";
      this.log.error("Slack route could not be resolved", { route, reason, messages: messages.length });
      return { sent: 0, failed: messages.map((payload) => ({ route, reason, retryable, payload })) };
    }
    let sent = 0;
    const failed: FailedDelivery[] = [];
    for (const payload of messages) {
      const outcome = await this.deliverOne(route, url, payload);
      if (outcome) failed.push(outcome);
      else sent++;
    }
    return { sent, failed };
  }

  private async deliverOne(
    route: string,
    url: string,
    payload: SlackMessage,
  ): Promise<FailedDelivery | undefined> {
    let retryAfter: string | null = null;
    const fetchFn = this.fetchFn;
    // The webhook client hides response headers; keep Retry-After from the response it receives.
    const capturing: FetchFunction = async (input, init) => {
      const response = await fetchFn(input, init);
      retryAfter = response.headers.get("retry-after");
      return response;
    };
    const webhook = new IncomingWebhook(url, {
      fetch: capturing,
      timeout: this.timeoutMs,
      retryConfig: { retries: 0 },
    });
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      retryAfter = null;
      const attempt = await this.attempt(webhook, url, payload, () => retryAfter);
      if (attempt.ok) return undefined;
      const fail = (retryable: boolean): FailedDelivery => {
        this.log.error("Slack delivery failed", { route, reason: attempt.reason, retryable });
        return { route, reason: attempt.reason, retryable, payload };
      };
      if (attempt.retry === "no") return fail(false);
      if (attempt.retry === "backoff") {
        failures++;
        if (failures >= this.maxAttempts) return fail(true);
        const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (failures - 1));
        const delay = Math.floor(this.random() * cap);
        this.log.warn("Slack delivery will be retried", {
          route,
          reason: attempt.reason,
          attempt: failures,
          delayMs: delay,
        });
        await this.sleep(delay);
        continue;
      }
      rateLimited++;
      if (rateLimited > this.maxRateLimitRetries || attempt.retry.afterMs > this.maxRetryAfterMs)
        return fail(true);
      this.log.warn("Slack rate limit: waiting for Retry-After", { route, delayMs: attempt.retry.afterMs });
      await this.sleep(attempt.retry.afterMs);
    }
  }

  private async attempt(
    webhook: IncomingWebhook,
    url: string,
    payload: SlackMessage,
    retryAfter: () => string | null,
  ): Promise<Attempt> {
    try {
      await webhook.send(payload);
      return { ok: true };
    } catch (error) {
      return classifyError(error, url, retryAfter());
    }
  }
}

/** What to do after a failed post: wait for Retry-After, back off, or give up. Reasons never carry the URL. */
function classifyError(error: unknown, url: string, retryAfter: string | null): Attempt {
  if (error instanceof IncomingWebhookHTTPError) {
    const status = error.statusCode;
    if (status === 429) {
      const seconds = parseRetryAfter(retryAfter);
      const reason = `HTTP 429 rate limited${seconds === undefined ? "" : ` (Retry-After ${seconds}s)`}`;
      return seconds === undefined
        ? { ok: false, reason, retry: "backoff" }
        : { ok: false, reason, retry: { afterMs: seconds * 1000 } };
    }
    const reason = redact(`HTTP ${status} ${slackErrorCode(error.body)}`, url);
    return { ok: false, reason, retry: status >= 500 ? "backoff" : "no" };
  }
  if (error instanceof IncomingWebhookRequestError) {
    const cause = error.original.cause as { code?: unknown; message?: unknown } | undefined;
    const detail =
      typeof cause?.code === "string"
        ? cause.code
        : error.original.name === "TimeoutError"
          ? "timeout"
          : typeof cause?.message === "string"
            ? cause.message
            : error.original.message;
    return { ok: false, reason: redact(`network error: ${detail}`.slice(0, 300), url), retry: "backoff" };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { ok: false, reason: redact(`unexpected error: ${message}`.slice(0, 300), url), retry: "backoff" };
}

/** `--slack-url URL`: every route posts to this one URL. */
export function createSingleUrlNotifier(
  url: string,
  options: Omit<SlackNotifierOptions, "resolver"> = {},
): SlackNotifier {
  return new SlackNotifier({ ...options, resolver: new SingleUrlResolver(url) });
}

/** `--slack-stdout`: prints each message readably, route by route, instead of posting it. */
export class StdoutNotifier implements Notifier {
  constructor(private readonly write: (text: string) => void = (text) => process.stdout.write(text)) {}

  async send(report: Report): Promise<DeliveryResult> {
    const messages = buildMessages(report);
    return this.deliver(messages);
  }

  async deliver(messages: RoutedMessage[]): Promise<DeliveryResult> {
    for (const { route, message } of messages) this.write(`${renderMessageText(route, message)}\n`);
    return { sent: messages.length, failed: [] };
  }
}
