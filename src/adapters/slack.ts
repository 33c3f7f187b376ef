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
import type { ButtonFactory } from "../report/buttons.js";
import type { RoutedMessage, SlackMessage } from "../report/message.js";
import { renderMessageText } from "../report/render-text.js";

/** Route name -> incoming webhook URL. The URL is a credential: it never appears in an error or a log. */
export interface WebhookResolver {
  resolve(route: string): Promise<string>;
  /** Forgets a cached URL that Slack refused (a webhook rotated or revoked): the next resolve reads it afresh. */
  invalidate?(route: string): void;
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
 * is not cached: the next send tries again; nor is a URL Slack refuses (`invalidate`), so a rotated webhook is
 * picked up without a restart.
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
    pending.catch(() => {
      if (this.cache.get(route) === pending) this.cache.delete(route);
    });
    return pending;
  }

  invalidate(route: string): void {
    this.cache.delete(route);
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
  /**
   * Keep / Snooze / Restore buttons (src/report/buttons.ts), when the policy names people who may press them:
   * resolved per report, since it needs the button key. Failing to get it sends the alert without buttons.
   */
  buttons?: () => Promise<ButtonFactory | undefined>;
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
  /** Per request (default 10 s); never past the deadline. */
  timeoutMs?: number;
  /** The fetch the webhook client uses (default the global one). */
  fetch?: FetchFunction;
  /**
   * Epoch milliseconds by which delivery must be over (the invocation's end minus a margin). A wait or a request
   * that would pass it is not started: the message comes back failed, retryable, to be kept for a later run.
   */
  deadline?: number;
  /** The current time in epoch milliseconds, for the deadline and HTTP-date Retry-After (default Date.now). */
  clock?: () => number;
}

/** Slack's answers for a webhook that no longer exists as cached: rotated, revoked, or its channel gone. */
const GONE_STATUSES = new Set([403, 404, 410]);
const GONE_CODES = new Set(["no_service", "invalid_token", "channel_not_found", "channel_is_archived"]);

/** A request is not started with less time than this before the deadline. */
const MIN_REQUEST_MS = 1_000;

type Attempt =
  | { ok: true }
  | { ok: false; reason: string; retry: "backoff" | "no" | { afterMs: number }; gone?: boolean };

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

/** Retry-After in seconds: delay-seconds, or an HTTP date (RFC 9110 section 10.2.3) measured from `nowMs`. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP date names a day of the week and a time; a bare number with a sign or a point is neither form.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/**
 * Delivers reports to Slack incoming webhooks. The webhook client's own retries are switched off (`retries: 0`)
 * so that this class alone decides: 429 waits for Retry-After; 5xx and network errors back off exponentially with
 * full jitter, a bounded number of times; a refused webhook (403/404/410, `no_service`, `invalid_token`) is read
 * again once, in case it was rotated; any other 4xx is final. Nothing waits past the deadline. Messages to one
 * route go one at a time (Slack allows about one a second per channel); routes go in parallel. Nothing throws:
 * failures come back whole.
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
  private readonly clock: () => number;
  private readonly deadline: number | undefined;

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
    this.clock = options.clock ?? Date.now;
    this.deadline = options.deadline;
  }

  /**
   * The same notifier (same resolver, so the same cached URLs) with a deadline for one invocation: build the
   * notifier once per container and call this per invocation.
   */
  withDeadline(deadline: number | undefined): SlackNotifier {
    const options: SlackNotifierOptions = { ...this.options };
    if (deadline === undefined) delete options.deadline;
    else options.deadline = deadline;
    return new SlackNotifier(options);
  }

  async send(report: Report): Promise<DeliveryResult> {
    let buttons: ButtonFactory | undefined;
    try {
      buttons = await this.options.buttons?.();
    } catch (error) {
      // An alert without buttons still warns its owner; one not sent warns no one.
      this.log.warn("slack buttons unavailable", { error: (error as Error).message });
    }
    return this.deliver(buildMessages(report, undefined, buttons));
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

  /** Milliseconds left before the deadline (Infinity without one). */
  private remainingMs(): number {
    return this.deadline === undefined ? Number.POSITIVE_INFINITY : this.deadline - this.clock();
  }

  private async resolveUrl(route: string): Promise<{ url: string } | { reason: string; retryable: boolean }> {
    try {
      return { url: await this.options.resolver.resolve(route) };
    } catch (error) {
      const retryable = error instanceof AdapterError ? error.retryable : true;
      const reason = error instanceof Error ? error.message : "the webhook URL could not be resolved";
      return { reason, retryable };
    }
  }

  private async deliverRoute(route: string, messages: SlackMessage[]): Promise<DeliveryResult> {
    const resolved = await this.resolveUrl(route);
    if (!("url" in resolved)) {
      this.log.error("Slack route could not be resolved", {
        route,
        reason: resolved.reason,
        messages: messages.length,
      });
      return {
        sent: 0,
        failed: messages.map((payload) => ({
          route,
          reason: resolved.reason,
          retryable: resolved.retryable,
          payload,
        })),
      };
    }
    let url = resolved.url;
    // A refused webhook is read again once per delivery, whichever message meets the refusal first.
    let refreshed = false;
    let sent = 0;
    const failed: FailedDelivery[] = [];
    for (const payload of messages) {
      let outcome = await this.deliverOne(route, url, payload);
      if (outcome?.gone && !refreshed && this.options.resolver.invalidate) {
        refreshed = true;
        this.options.resolver.invalidate(route);
        const fresh = await this.resolveUrl(route);
        if ("url" in fresh && fresh.url !== url) {
          this.log.warn("Slack webhook refused; retrying with the URL read again", { route });
          url = fresh.url;
          outcome = await this.deliverOne(route, url, payload);
        } else
          outcome = {
            ...outcome,
            reason:
              "url" in fresh
                ? `${outcome.reason}; the route's webhook secret still holds this URL`
                : `${outcome.reason}; reading the webhook again failed: ${fresh.reason}`,
          };
      }
      if (outcome) {
        this.log.error("Slack delivery failed", {
          route,
          reason: outcome.reason,
          retryable: outcome.retryable,
        });
        failed.push({ route, reason: outcome.reason, retryable: outcome.retryable, payload });
      } else sent++;
    }
    return { sent, failed };
  }

  /** One message to one URL, with its retries; undefined when Slack took it. */
  private async deliverOne(
    route: string,
    url: string,
    payload: SlackMessage,
  ): Promise<{ reason: string; retryable: boolean; gone: boolean } | undefined> {
    let failures = 0;
    let rateLimited = 0;
    let last = "not sent";
    for (;;) {
      const remaining = this.remainingMs();
      if (remaining < MIN_REQUEST_MS)
        return {
          reason: `${failures + rateLimited > 0 ? `${last}; ` : ""}delivery deadline reached`,
          retryable: true,
          gone: false,
        };
      const attempt = await this.attempt(url, payload, Math.min(this.timeoutMs, remaining));
      if (attempt.ok) return undefined;
      last = attempt.reason;
      if (attempt.retry === "no")
        return { reason: attempt.reason, retryable: false, gone: attempt.gone === true };
      let delay: number;
      if (attempt.retry === "backoff") {
        failures++;
        if (failures >= this.maxAttempts) return { reason: attempt.reason, retryable: true, gone: false };
        const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (failures - 1));
        delay = Math.floor(this.random() * cap);
      } else {
        rateLimited++;
        if (rateLimited > this.maxRateLimitRetries || attempt.retry.afterMs > this.maxRetryAfterMs)
          return { reason: attempt.reason, retryable: true, gone: false };
        delay = attempt.retry.afterMs;
      }
      // Waiting would leave no time to send: stop now, so the message is kept rather than lost with the invocation.
      if (delay + MIN_REQUEST_MS > this.remainingMs())
        return { reason: `${attempt.reason}; delivery deadline reached`, retryable: true, gone: false };
      this.log.warn(
        attempt.retry === "backoff"
          ? "Slack delivery will be retried"
          : "Slack rate limit: waiting for Retry-After",
        { route, reason: attempt.reason, attempt: failures + rateLimited, delayMs: delay },
      );
      await this.sleep(delay);
    }
  }

  private async attempt(url: string, payload: SlackMessage, timeoutMs: number): Promise<Attempt> {
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
      timeout: timeoutMs,
      retryConfig: { retries: 0 },
    });
    try {
      await webhook.send(payload);
      return { ok: true };
    } catch (error) {
      return classifyError(error, url, retryAfter, this.clock());
    }
  }
}

/** What to do after a failed post: wait for Retry-After, back off, or give up. Reasons never carry the URL. */
function classifyError(error: unknown, url: string, retryAfter: string | null, nowMs: number): Attempt {
  if (error instanceof IncomingWebhookHTTPError) {
    const status = error.statusCode;
    if (status === 429) {
      const seconds = parseRetryAfter(retryAfter, nowMs);
      const reason = `HTTP 429 rate limited${seconds === undefined ? "" : ` (Retry-After ${seconds}s)`}`;
      return seconds === undefined
        ? { ok: false, reason, retry: "backoff" }
        : { ok: false, reason, retry: { afterMs: seconds * 1000 } };
    }
    const code = slackErrorCode(error.body);
    const reason = redact(`HTTP ${status} ${code}`, url);
    if (status >= 500) return { ok: false, reason, retry: "backoff" };
    return { ok: false, reason, retry: "no", gone: GONE_STATUSES.has(status) || GONE_CODES.has(code) };
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
