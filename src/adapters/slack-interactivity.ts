import { AdapterError } from "../errors.js";
import type { SlackDirectory, SlackResponder } from "../ports.js";
import type { SlackMessage } from "../report/message.js";

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Slack's response URLs live here; a payload naming any other is not Slack's, and is never posted to. */
export const SLACK_RESPONSE_ORIGIN = "https://hooks.slack.com";

/** Is this a response URL we may post to? Only the allowed origins, over their own scheme, by exact origin. */
export function allowedResponseUrl(url: string, origins: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return origins.includes(parsed.origin) && parsed.username === "" && parsed.password === "";
}

/**
 * Posts a message update to response_url (https://docs.slack.dev/interactivity/handling-user-interaction,
 * "replace_original"). Only to Slack's origin (tests add a loopback one), with a short timeout: the function must
 * answer Slack within 3 s.
 */
export class FetchSlackResponder implements SlackResponder {
  constructor(
    private readonly options: { origins?: readonly string[]; timeoutMs?: number; fetch?: Fetch } = {},
  ) {}

  async respond(url: string, message: SlackMessage & { replace_original: boolean }): Promise<void> {
    const origins = this.options.origins ?? [SLACK_RESPONSE_ORIGIN];
    if (!allowedResponseUrl(url, origins))
      throw new AdapterError("response_url is not Slack's: not posted", "respond", false);
    const fetchFn = this.options.fetch ?? (globalThis.fetch as Fetch);
    let response: Response;
    try {
      response = await fetchFn(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
        redirect: "error",
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 1_500),
      });
    } catch (error) {
      throw new AdapterError(`response_url: ${(error as Error).message}`, "respond", true, { cause: error });
    }
    await response.text().catch(() => "");
    if (!response.ok)
      throw new AdapterError(`response_url answered ${response.status}`, "respond", response.status >= 500);
  }
}

/**
 * Members of a user group, from Slack's usergroups.users.list with a bot token (scope usergroups:read), cached
 * for a few minutes: a click must not wait on Slack's Web API twice.
 */
export class HttpSlackDirectory implements SlackDirectory {
  private readonly cache = new Map<string, { users: string[]; at: number }>();

  constructor(
    private readonly token: () => Promise<string | undefined>,
    private readonly options: {
      apiBase?: string;
      fetch?: Fetch;
      maxAgeMs?: number;
      clock?: () => number;
    } = {},
  ) {}

  async membersOf(groupId: string): Promise<string[]> {
    const clock = this.options.clock ?? Date.now;
    const hit = this.cache.get(groupId);
    if (hit && clock() - hit.at < (this.options.maxAgeMs ?? 300_000)) return hit.users;
    const token = await this.token();
    if (!token)
      throw new AdapterError("no Slack bot token: user groups cannot be looked up", "usergroups", false);
    const fetchFn = this.options.fetch ?? (globalThis.fetch as Fetch);
    const base = this.options.apiBase ?? "https://slack.com/api";
    let body: { ok?: boolean; users?: unknown; error?: string };
    try {
      const response = await fetchFn(
        `${base}/usergroups.users.list?usergroup=${encodeURIComponent(groupId)}`,
        {
          method: "GET",
          headers: { authorization: `Bearer ${token}` },
          redirect: "error",
          signal: AbortSignal.timeout(1_000),
        },
      );
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new AdapterError(`usergroups.users.list: ${(error as Error).message}`, "usergroups", true, {
        cause: error,
      });
    }
    if (!body.ok || !Array.isArray(body.users))
      throw new AdapterError(`usergroups.users.list: ${String(body.error ?? "not ok")}`, "usergroups", false);
    const users = body.users.filter((u): u is string => typeof u === "string");
    this.cache.set(groupId, { users, at: clock() });
    return users;
  }
}

/** Groups held in memory: tests, the demo. */
export class MemorySlackDirectory implements SlackDirectory {
  constructor(private readonly groups: Record<string, string[]> = {}) {}

  async membersOf(groupId: string): Promise<string[]> {
    return Object.hasOwn(this.groups, groupId) ? (this.groups[groupId] as string[]) : [];
  }
}

/** Responses kept in memory: tests. */
export class MemorySlackResponder implements SlackResponder {
  readonly sent: { url: string; message: SlackMessage & { replace_original: boolean } }[] = [];

  async respond(url: string, message: SlackMessage & { replace_original: boolean }): Promise<void> {
    this.sent.push({ url, message });
  }
}
