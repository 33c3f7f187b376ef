import type { Policy, PolicyDocument } from "./schema.js";

export const DEFAULT_ROUTE_SECRET = "secrets-governor/slack/default";
/** Where the Slack app's signing secret lives unless the policy says otherwise (under slackSecretPrefix). */
export const DEFAULT_SIGNING_SECRET = "secrets-governor/slack/signing-secret";

/** A merged policy document with every default filled in. */
export function withDefaults(doc: PolicyDocument): Policy {
  const routes =
    doc.routes && Object.keys(doc.routes).length > 0
      ? doc.routes
      : { default: { webhookSecret: DEFAULT_ROUTE_SECRET } };
  return {
    mode: doc.mode ?? "report",
    exempt: {
      tags: doc.exempt?.tags ?? { "governor:exempt": "true" },
      names: doc.exempt?.names ?? [],
    },
    routes,
    routing: {
      tags: doc.routing?.tags ?? ["team", "owner"],
      map: doc.routing?.map ?? {},
      default: doc.routing?.default ?? "default",
    },
    limits: {
      perRun: doc.limits?.perRun ?? { count: 20, percent: 10 },
      perDay: doc.limits?.perDay ?? { count: 50, percent: 25 },
    },
    accessFailures: {
      windowMinutes: doc.accessFailures?.windowMinutes ?? 15,
      incidentAfter: doc.accessFailures?.incidentAfter ?? 3,
      onQuarantined: doc.accessFailures?.onQuarantined ?? "release",
      releaseAfter: doc.accessFailures?.releaseAfter ?? doc.accessFailures?.incidentAfter ?? 3,
    },
    breakGlassPrincipals: doc.breakGlassPrincipals ?? [],
    slack: {
      ...(doc.slack?.teamId ? { teamId: doc.slack.teamId } : {}),
      signingSecret: doc.slack?.signingSecret ?? DEFAULT_SIGNING_SECRET,
      ...(doc.slack?.botTokenSecret ? { botTokenSecret: doc.slack.botTokenSecret } : {}),
      keep: { days: doc.slack?.keep?.days ?? 90 },
      snooze: { days: doc.slack?.snooze?.days ?? 7, maxDays: doc.slack?.snooze?.maxDays ?? 30 },
    },
    rules: doc.rules ?? [],
  };
}
