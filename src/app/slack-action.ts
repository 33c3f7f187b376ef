import { createHash } from "node:crypto";
import type { AuditEntry } from "../domain/audit.js";
import type { Mode } from "../domain/decision.js";
import type { StackIdentity } from "../domain/origin.js";
import { parseSecretArn } from "../domain/secret.js";
import {
  actionKindOf,
  type BlockActions,
  BlockActionsSchema,
  type ButtonReference,
  buttonKeyOf,
  readButton,
  SLACK_MAX_BODY_BYTES,
  type SlackActionKind,
  verifySlackSignature,
} from "../domain/slack-action.js";
import { AdapterError, SecretNotFoundError } from "../errors.js";
import type { Policy } from "../policy/schema.js";
import { ownSecretOf } from "../policy/slack-decisions.js";
import type {
  AuditSink,
  EventLedger,
  LedgerEntry,
  SecretStore,
  SlackAppSecrets,
  SlackDirectory,
  SlackResponder,
} from "../ports.js";
import { actionResultMessage } from "../report/slack-action-message.js";
import type { Log } from "./handle-batch.js";
import { recordAudit } from "./process-findings.js";
import { carryOut } from "./slack-action-steps.js";

/** An HTTP request as the function URL hands it over: header names lower-cased, the raw body bytes. */
export interface SlackHttpRequest {
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface SlackHttpResponse {
  status: number;
  body: string;
}

export interface SlackActionDeps {
  policy: Policy;
  mode: Mode;
  stack: StackIdentity;
  store: SecretStore;
  ledger: EventLedger;
  secrets: SlackAppSecrets;
  responder: SlackResponder;
  directory?: SlackDirectory;
  audit?: AuditSink;
  log?: Log;
  now: Date;
  /** How long a claim holds before a crashed invocation's is taken again (the function's timeout). */
  holdMs?: number;
}

/** The ledger's route for button presses: its own key space in the shared state table. */
export const SLACK_ACTION_ROUTE = "slack-action";
/** The log line of a refused request; its field `slackActionRefused` feeds the metric and its alarm. */
export const SLACK_ACTION_REFUSED = "slack action refused";

export type RefusalReason =
  | "too-large"
  | "missing-headers"
  | "stale-timestamp"
  | "bad-signature"
  | "malformed"
  | "wrong-team"
  | "unknown-action"
  | "tampered"
  | "foreign-secret"
  | "wrong-channel"
  | "not-allowed"
  | "replay"
  | "own-secret";

const STATUS: Record<RefusalReason, number> = {
  "too-large": 413,
  "missing-headers": 401,
  "stale-timestamp": 401,
  "bad-signature": 401,
  malformed: 400,
  "wrong-team": 403,
  "unknown-action": 400,
  tampered: 403,
  "foreign-secret": 403,
  "wrong-channel": 403,
  "not-allowed": 403,
  replay: 409,
  "own-secret": 403,
};

/**
 * A press either refused at once (its response), or admitted: verified, authorised and claimed, with the work
 * still to do. The streaming handler answers Slack 200 before it does the work; the buffered one after.
 */
export type Admission = { response: SlackHttpResponse } | { work: () => Promise<SlackHttpResponse> };

async function refusal(...args: Parameters<typeof refuse>): Promise<Admission> {
  return { response: await refuse(...args) };
}

/** One press, answered once its work is done (tests, and any caller that cannot answer first). */
export async function handleSlackAction(
  request: SlackHttpRequest,
  deps: SlackActionDeps,
): Promise<SlackHttpResponse> {
  const admission = await admitSlackAction(request, deps);
  return "response" in admission ? admission.response : admission.work();
}

/** A request we will not act on: logged, counted, audited (outcome refused), and answered with its status. */
async function refuse(
  deps: SlackActionDeps,
  reason: RefusalReason,
  detail: string,
  context: { kind?: SlackActionKind; arn?: string; user?: string } = {},
): Promise<SlackHttpResponse> {
  deps.log?.warn(SLACK_ACTION_REFUSED, { reason, detail, slackActionRefused: 1, ...context });
  await recordAudit(
    deps.audit,
    [auditOf(deps, context.kind, context.arn, "refused", `${reason}: ${detail}`, context.user)],
    deps.log,
  );
  return { status: STATUS[reason], body: `refused: ${reason}` };
}

function auditOf(
  deps: SlackActionDeps,
  kind: SlackActionKind | undefined,
  arn: string | undefined,
  outcome: AuditEntry["outcome"],
  detail: string,
  user?: string,
): AuditEntry {
  const resource = arn ? parseSecretArn(arn)?.resource : undefined;
  return {
    time: deps.now.toISOString(),
    mode: deps.mode,
    arn: arn ?? "",
    name: resource ? resource.replace(/-[A-Za-z0-9]{6}$/, "") : "",
    finding: "slack-action",
    action: kind ? `slack-${kind}` : "slack-action",
    guard: null,
    outcome,
    detail: user ? `${detail} (by Slack user ${user})` : detail,
  };
}

/** The interaction payload from a form body (`payload=<JSON>`), or undefined when it is not one. */
function payloadOf(request: SlackHttpRequest): BlockActions | undefined {
  const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return undefined;
  const form = new URLSearchParams(request.body.toString("utf8"));
  const text = form.get("payload");
  if (text === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = BlockActionsSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

async function allowed(deps: SlackActionDeps, route: string, user: string): Promise<boolean> {
  const actors = deps.policy.routes[route]?.actors;
  if (actors?.users?.includes(user)) return true;
  for (const group of actors?.userGroups ?? []) {
    if (!deps.directory) return false;
    if ((await deps.directory.membersOf(group)).includes(user)) return true;
  }
  return false;
}

/**
 * One press of a Keep, Snooze or Restore button. Verified before anything is parsed (size, Slack's signature,
 * its timestamp), then authorised from the policy (workspace, the route's channel and people) and from the
 * button's own signed reference (which secret, this account's, for this route), claimed once in the state table,
 * and only then carried out. Nothing here deletes or quarantines.
 */
export async function admitSlackAction(request: SlackHttpRequest, deps: SlackActionDeps): Promise<Admission> {
  const nowSeconds = Math.floor(deps.now.getTime() / 1000);
  if (request.body.length > SLACK_MAX_BODY_BYTES)
    return refusal(
      deps,
      "too-large",
      `a body of ${request.body.length} bytes (at most ${SLACK_MAX_BODY_BYTES})`,
    );
  let signingSecret: string;
  try {
    signingSecret = await deps.secrets.signingSecret();
  } catch (error) {
    // Nothing can be verified, so nothing is acted on; the error names the secret, never a value.
    deps.log?.error("slack signing secret unavailable", { error: (error as Error).message });
    return { response: { status: 503, body: "unavailable" } };
  }
  const bad = verifySlackSignature(
    {
      timestamp: request.headers["x-slack-request-timestamp"],
      signature: request.headers["x-slack-signature"],
      body: request.body,
    },
    signingSecret,
    nowSeconds,
  );
  if (bad) return refusal(deps, bad, "Slack's v0 signature did not verify");

  const payload = payloadOf(request);
  if (!payload) return refusal(deps, "malformed", "not a block_actions payload with one action");
  const user = payload.user.id;
  if (!deps.policy.slack.teamId || payload.team.id !== deps.policy.slack.teamId)
    return refusal(deps, "wrong-team", `workspace ${payload.team.id}`, { user });
  const action = payload.actions[0] as BlockActions["actions"][number];
  const kind = actionKindOf(action.action_id);
  if (!kind) return refusal(deps, "unknown-action", "an action id the governor does not offer", { user });

  const read = readButton(action.value ?? "", buttonKeyOf(signingSecret), nowSeconds);
  if ("reason" in read) return refusal(deps, "tampered", read.reason, { kind, user });
  const ref: ButtonReference = read.ref;
  if (ref.action !== kind)
    return refusal(deps, "tampered", `a ${ref.action} reference on a ${kind} button`, { kind, user });
  const arn = parseSecretArn(ref.arn);
  if (!arn || arn.accountId !== deps.stack.account || arn.region !== deps.stack.region)
    return refusal(deps, "foreign-secret", "the secret is not this stack's account and region", {
      kind,
      arn: ref.arn,
      user,
    });
  const channel = payload.channel?.id ?? payload.container?.channel_id;
  const route = Object.hasOwn(deps.policy.routes, ref.route) ? deps.policy.routes[ref.route] : undefined;
  if (!route?.channel || channel !== route.channel)
    return refusal(deps, "wrong-channel", `channel ${channel ?? "unknown"} is not route ${ref.route}'s`, {
      kind,
      arn: ref.arn,
      user,
    });
  let permitted: boolean;
  try {
    permitted = await allowed(deps, ref.route, user);
  } catch (error) {
    deps.log?.error("slack user groups unavailable", { error: (error as Error).message, user });
    await recordAudit(
      deps.audit,
      [auditOf(deps, kind, ref.arn, "failed", `user groups unavailable: ${(error as Error).message}`, user)],
      deps.log,
    );
    return { response: { status: 503, body: "unavailable" } };
  }
  if (!permitted)
    return refusal(deps, "not-allowed", `user ${user} may not act on route ${ref.route}`, {
      kind,
      arn: ref.arn,
      user,
    });

  // One press acts once: a replay of this request, a second click on the same button, or a Slack retry finds
  // the claim (the message and button are the key; the press itself the content).
  const entry: LedgerEntry = {
    route: SLACK_ACTION_ROUTE,
    eventId: createHash("sha256")
      .update(`${channel}\n${payload.container?.message_ts ?? ""}\n${action.action_id}\n${action.value}`)
      .digest("hex"),
    content: `${action.action_ts}\n${payload.trigger_id ?? ""}\n${user}`,
  };
  const claim = await deps.ledger.claim(entry, deps.holdMs ?? 30_000);
  if (claim !== "claimed")
    return refusal(
      deps,
      "replay",
      claim === "done" ? "this request was already handled" : `this button was already pressed (${claim})`,
      {
        kind,
        arn: ref.arn,
        user,
      },
    );

  return {
    work: async () => {
      let result: { outcome: "done" | "skipped"; detail: string };
      try {
        const secret = await deps.store.describe(ref.arn);
        if (!secret) throw new SecretNotFoundError(ref.arn);
        const own = ownSecretOf(secret, deps.policy);
        if (own) {
          await deps.ledger.complete(entry);
          const refused = await refuse(
            deps,
            "own-secret",
            `${own}: the governor never governs its own secrets`,
            {
              kind,
              arn: ref.arn,
              user,
            },
          );
          // Slack may have had its answer already (streaming): the message says it too.
          await respond(
            deps,
            payload.response_url,
            kind,
            user,
            ref.arn,
            "skipped",
            `Refused: ${own}, which the governor never governs.`,
          );
          return refused;
        }
        result = await carryOut(kind, secret, user, deps);
      } catch (error) {
        if (error instanceof SecretNotFoundError) {
          result = { outcome: "skipped", detail: "The secret no longer exists." };
        } else {
          // Given back, so that pressing again (or Slack's retry) can act.
          await deps.ledger.release(entry).catch(() => {});
          const detail = error instanceof AdapterError ? error.message : String(error);
          deps.log?.error("slack action failed", { kind, secret: ref.arn, user, error: detail });
          await recordAudit(deps.audit, [auditOf(deps, kind, ref.arn, "failed", detail, user)], deps.log);
          await respond(
            deps,
            payload.response_url,
            kind,
            user,
            ref.arn,
            "failed",
            "It failed; nothing was left half done that the next sweep would not finish. Try again.",
          );
          return { status: 500, body: "failed" };
        }
      }
      await deps.ledger.complete(entry);
      await recordAudit(
        deps.audit,
        [auditOf(deps, kind, ref.arn, result.outcome, result.detail, user)],
        deps.log,
      );
      deps.log?.info("slack action", { kind, secret: ref.arn, user, outcome: result.outcome });
      await respond(deps, payload.response_url, kind, user, ref.arn, result.outcome, result.detail);
      return { status: 200, body: "" };
    },
  };
}

async function respond(
  deps: SlackActionDeps,
  url: string,
  kind: SlackActionKind,
  user: string,
  arn: string,
  outcome: "done" | "skipped" | "failed",
  detail: string,
): Promise<void> {
  const parsed = parseSecretArn(arn);
  const name = parsed ? parsed.resource.replace(/-[A-Za-z0-9]{6}$/, "") : arn;
  try {
    await deps.responder.respond(
      url,
      actionResultMessage({
        kind,
        user,
        name,
        ...(parsed ? { region: parsed.region } : {}),
        outcome,
        detail,
      }),
    );
  } catch (error) {
    // The action stands; the audit has it. Only the message still shows the buttons.
    deps.log?.warn("slack response failed", { error: (error as Error).message });
  }
}
