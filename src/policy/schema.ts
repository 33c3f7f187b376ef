import * as z from "zod";
import { SEVERITY_LABELS } from "../domain/asff.js";
import { ACTION_KINDS } from "../domain/decision.js";
import { FINDING_TYPES } from "../domain/finding.js";

/**
 * The policy language. One zod schema is the source of truth: the loader validates with it, `governor schema`
 * prints the JSON Schema generated from it, and the policy reference in the README describes it.
 */

const glob = z
  .string()
  .min(1)
  .describe("A glob on the secret name: `*` within a path segment, `**` across `/`.");
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

const dayCount = z.number().int().min(0);
const positiveDays = z.number().int().min(1);

/** A bound of a range of days: days since a date in the past are never negative. */
const dayBound = z.number().min(0, "a number of days cannot be negative");

export const NumberRangeSchema = z
  .strictObject({
    gt: dayBound.optional(),
    gte: dayBound.optional(),
    lt: dayBound.optional(),
    lte: dayBound.optional(),
  })
  .describe("A range of whole days: any of gt, gte, lt, lte.");

export const MatchSchema = z
  .strictObject({
    finding: oneOrMany(z.enum(FINDING_TYPES)).describe("The finding type(s) this rule is about."),
    name: oneOrMany(glob).optional().describe("Secret name globs; any may match."),
    tags: z
      .strictObject({
        equals: z.record(z.string(), z.string()).optional().describe("Every tag key must have this value."),
        exists: z.array(z.string()).optional().describe("Every tag key must be present."),
        absent: z.array(z.string()).optional().describe("Every tag key must be absent."),
      })
      .optional(),
    owningService: oneOrMany(z.string())
      .optional()
      .describe("OwningService values (e.g. rds); any may match."),
    managed: z
      .boolean()
      .optional()
      .describe("true: only secrets managed by another service; false: only not."),
    replica: z
      .boolean()
      .optional()
      .describe("true: only replicas; false: only primaries and unreplicated secrets."),
    ageDays: NumberRangeSchema.optional().describe("Days since CreatedDate."),
    daysSinceLastAccess: NumberRangeSchema.optional().describe(
      "Days since last use: LastAccessedDate in any region, or a read the quarantine denied (`governor:used-on`); a secret never read counts from its CreatedDate.",
    ),
    neverAccessed: z
      .boolean()
      .optional()
      .describe("true: only secrets never read; false: only secrets read once."),
    rotationEnabled: z.boolean().optional(),
    kmsKey: oneOrMany(z.string())
      .optional()
      .describe("KMS key ids, ARNs or globs; `aws/secretsmanager` matches the AWS managed default key."),
  })
  .describe("Which secrets and findings a rule applies to. Every condition given must hold.");

const TagMapSchema = z.record(z.string().min(1).max(128), z.string().max(256));

export const ActionSchema = z.union(
  [
    z.enum(["notify", "quarantine", "release", "schedule-deletion", "cancel-deletion"]),
    z.strictObject({ notify: z.strictObject({ route: z.string().optional() }) }),
    z.strictObject({ tag: TagMapSchema }),
    z.strictObject({ untag: z.array(z.string().min(1)).min(1) }),
    z.strictObject({
      "schedule-deletion": z.strictObject({
        recoveryWindowDays: z.number().int().default(30),
        afterQuarantineDays: positiveDays.default(7),
      }),
    }),
  ],
  { error: `expected an action: one of ${ACTION_KINDS.join(", ")} (tag and untag take their keys)` },
);

export const LifecycleSchema = z
  .strictObject({
    flag: z
      .strictObject({ afterDays: dayCount.default(0) })
      .default({ afterDays: 0 })
      .describe("Tag the secret and warn its owner, this many days after it is first judged unused."),
    quarantine: z
      .strictObject({ afterDays: positiveDays })
      .optional()
      .describe(
        "Deny GetSecretValue to everyone but the governor and break-glass, this many days after flagging.",
      ),
    scheduleDeletion: z
      .strictObject({ afterDays: positiveDays, recoveryWindowDays: z.number().int().default(30) })
      .optional()
      .describe(
        "DeleteSecret with a recovery window, this many days after flagging; always after a quarantine.",
      ),
    whenUsedAgain: z
      .enum(["restore", "notify"])
      .default("restore")
      .describe("restore: release, cancel deletion and reset the lifecycle; notify: only tell the owner."),
  })
  .describe("The staged lifecycle of an unused secret.");

export const RuleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "rule names are lower-case words joined by '-'")
      .describe("Unique across all policy files."),
    description: z.string().optional(),
    match: MatchSchema,
    unusedForDays: positiveDays
      .optional()
      .describe("For unused rules: days without access (or since creation, if never read). Default 90."),
    lifecycle: LifecycleSchema.optional(),
    actions: z.array(ActionSchema).min(1).optional(),
    route: z
      .string()
      .optional()
      .describe("Send this rule's decisions to this Slack route instead of routing's."),
    severity: z
      .enum(SEVERITY_LABELS)
      .optional()
      .describe(
        "Severity.Label of this rule's Security Hub findings (rules on unused, rotation-failed, access-denied, decryption-failure). Default: unused LOW when flagged, MEDIUM when quarantined, HIGH when deletion is scheduled; rotation-failed MEDIUM; access-failure incidents MEDIUM.",
      ),
  })
  .describe("A rule: the first rule that matches a secret and finding decides.");

const LimitSchema = z.strictObject({
  count: z.number().int().min(0).optional().describe("At most this many destructive actions."),
  percent: z.number().min(0).max(100).optional().describe("At most this share of all secrets (rounded up)."),
});

const slackChannelId = z.string().regex(/^[CG][A-Z0-9]{2,31}$/, "a Slack channel id (C… or G…)");
const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,31}$/, "a Slack user id (U… or W…)");
const slackGroupId = z.string().regex(/^S[A-Z0-9]{2,31}$/, "a Slack user-group id (S…)");
const secretName = z
  .string()
  .regex(
    /^[A-Za-z0-9/_+=.@-]{1,512}$/,
    "a secret name: letters, digits and /_+=.@- (no wildcard: the role may read exactly this secret)",
  );

/** The maximum a person may keep a secret out of the lifecycle from Slack: a year, then it is judged again. */
export const MAX_KEEP_DAYS = 365;

export const SlackSchema = z
  .strictObject({
    teamId: z
      .string()
      .regex(/^[TE][A-Z0-9]{2,31}$/, "a Slack workspace (team) id (T…) or Enterprise Grid id (E…)")
      .optional()
      .describe("The Slack workspace whose requests are honoured; every other is refused."),
    signingSecret: secretName
      .optional()
      .describe(
        "Secrets Manager secret (by name) holding the Slack app's signing secret. Never governed by the governor.",
      ),
    botTokenSecret: secretName
      .optional()
      .describe(
        "Secrets Manager secret (by name) holding a bot token with usergroups:read, needed only for routes' userGroups.",
      ),
    keep: z
      .strictObject({
        days: z
          .number()
          .int()
          .min(1)
          .max(MAX_KEEP_DAYS)
          .default(90)
          .describe("How long Keep exempts a secret."),
      })
      .optional(),
    snooze: z
      .strictObject({
        days: z.number().int().min(1).default(7).describe("How far Snooze pushes the next stage back."),
        maxDays: z
          .number()
          .int()
          .min(1)
          .max(MAX_KEEP_DAYS)
          .default(30)
          .describe("The latest a snooze may reach, counted from the day it is pressed."),
      })
      .optional(),
  })
  .describe(
    "Acting from Slack: Keep, Snooze and Restore buttons on the alerts, for the people each route names.",
  );

export const PolicyDocumentSchema = z
  .strictObject({
    version: z
      .literal(1)
      .describe(
        "Policy language version: 1. Required in every file, so an empty or truncated file is an error, not a policy that governs nothing.",
      ),
    mode: z.enum(["report", "enforce"]).optional().describe("report (default): decide and report only."),
    exempt: z
      .strictObject({
        tags: z
          .record(z.string(), z.string())
          .optional()
          .describe("Tag key -> value ('*' for any value) that exempts a secret."),
        names: z.array(glob).optional().describe("Name globs that exempt a secret."),
      })
      .optional(),
    routes: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9-_]*$/, "route names are lower-case words"),
        z.strictObject({
          webhookSecret: z
            .string()
            .regex(
              /^[A-Za-z0-9/_+=.@-]{1,512}$/,
              "a secret name: letters, digits and /_+=.@- (no wildcard: the role may read exactly this secret)",
            )
            .describe("Secrets Manager secret (by name) holding the incoming webhook URL."),
          description: z.string().optional(),
          channel: slackChannelId
            .optional()
            .describe(
              "The Slack channel id (C…) this route's webhook posts to: a button is honoured only from there.",
            ),
          actors: z
            .strictObject({
              users: z.array(slackUserId).optional().describe("Slack user ids (U… or W…) who may act."),
              userGroups: z
                .array(slackGroupId)
                .optional()
                .describe("Slack user-group ids (S…) whose members may act (needs slack.botTokenSecret)."),
            })
            .optional()
            .describe(
              "Who may press Keep, Snooze and Restore on this route's alerts. Nobody named: no buttons are shown.",
            ),
        }),
      )
      .optional()
      .describe("Slack routes by name."),
    slack: SlackSchema.optional(),
    routing: z
      .strictObject({
        tags: z.array(z.string()).optional().describe("Tag keys, in order, whose value names the route."),
        map: z
          .record(z.string(), z.string())
          .optional()
          .describe("Tag value -> route name, when they differ."),
        default: z.string().optional().describe("The route for everything else."),
      })
      .optional(),
    limits: z
      .strictObject({
        perRun: LimitSchema.optional(),
        perDay: LimitSchema.optional(),
      })
      .optional()
      .describe("Blast-radius limit on quarantine and schedule-deletion."),
    accessFailures: z
      .strictObject({
        windowMinutes: positiveDays.optional().describe("Aggregation window per secret and principal."),
        incidentAfter: positiveDays.optional().describe("Failures within the window that make an incident."),
        onQuarantined: z
          .enum(["release", "notify"])
          .optional()
          .describe("A read denied by the governor's own quarantine proves use: release it, or only notify."),
        releaseAfter: positiveDays
          .optional()
          .describe(
            "Denied reads by one principal within the window that prove use of a quarantined secret (default: incidentAfter; 1 means one is enough).",
          ),
      })
      .optional(),
    breakGlassPrincipals: z
      .array(z.string().regex(/^arn:/, "expected a principal ARN (arn:...)"))
      .optional()
      .describe("Principal ARNs (globs allowed) a quarantine never denies."),
    rules: z.array(RuleSchema).optional(),
  })
  .describe("A secrets-governor policy file. A directory of files is merged.");

export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;
export type Rule = z.infer<typeof RuleSchema>;
export type Match = z.infer<typeof MatchSchema>;
export type Lifecycle = z.infer<typeof LifecycleSchema>;
export type ActionSpec = z.infer<typeof ActionSchema>;
export type NumberRange = z.infer<typeof NumberRangeSchema>;

/** A merged, validated policy with every default filled in. */
export interface Policy {
  mode: "report" | "enforce";
  exempt: { tags: Record<string, string>; names: string[] };
  routes: Record<string, RoutePolicy>;
  slack: SlackPolicy;
  routing: { tags: string[]; map: Record<string, string>; default: string };
  limits: { perRun: { count?: number; percent?: number }; perDay: { count?: number; percent?: number } };
  accessFailures: {
    windowMinutes: number;
    incidentAfter: number;
    onQuarantined: "release" | "notify";
    releaseAfter: number;
  };
  breakGlassPrincipals: string[];
  rules: Rule[];
}

export interface RoutePolicy {
  webhookSecret: string;
  description?: string;
  channel?: string;
  actors?: { users?: string[]; userGroups?: string[] };
}

/** The Slack app's settings, defaults filled in (src/policy/defaults.ts). */
export interface SlackPolicy {
  teamId?: string;
  signingSecret: string;
  botTokenSecret?: string;
  keep: { days: number };
  snooze: { days: number; maxDays: number };
}

export const DEFAULT_UNUSED_FOR_DAYS = 90;

/** The formats JSON Schema 2020-12 defines; zod writes others of its own (e.g. `starts_with`) that strict validators reject. */
export const STANDARD_FORMATS: ReadonlySet<string> = new Set([
  "date-time",
  "date",
  "time",
  "duration",
  "email",
  "idn-email",
  "hostname",
  "idn-hostname",
  "ipv4",
  "ipv6",
  "uri",
  "uri-reference",
  "iri",
  "iri-reference",
  "uuid",
  "uri-template",
  "json-pointer",
  "relative-json-pointer",
  "regex",
]);

/** The JSON Schema of a policy file (input form: defaults make keys optional). */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicyDocumentSchema, {
    io: "input",
    target: "draft-2020-12",
    // A non-standard format says nothing a `pattern` does not (zod writes both): keep only the pattern.
    override: (ctx) => {
      const format = ctx.jsonSchema.format;
      if (format !== undefined && !STANDARD_FORMATS.has(format)) delete ctx.jsonSchema.format;
    },
  });
  return {
    ...schema,
    $id: "https://secrets-governor.dev/policy.schema.json",
    title: "secrets-governor policy",
  };
}
