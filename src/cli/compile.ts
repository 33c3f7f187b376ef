import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DEFAULT_POLICY_FILE } from "../config.js";
import { MANAGED_RULES } from "../domain/config-rules.js";
import { InputError, type PolicyProblem, PolicyValidationError } from "../errors.js";
import { slackActionsEnabled } from "../policy/check-slack.js";
import { compilePolicy, loadCompiledPolicy } from "../policy/compiled.js";
import { loadPolicy, type PolicyOrigins } from "../policy/load.js";
import { DEFAULT_UNUSED_FOR_DAYS, type Policy } from "../policy/schema.js";
import { parseCommandArgs } from "./args.js";
import { readPolicyTexts, type Terminal } from "./io.js";

export const DEPLOY_PARAMS_FORMAT = "secrets-governor/deploy-params@1";

/** serverless.yml's `slackSecretPrefix`: the only secrets whose values the role may read. */
export const DEFAULT_SLACK_SECRET_PREFIX = "secrets-governor/slack/";

/**
 * Every route's webhook secret must be one the deployed role may read: a route outside the prefix would fail
 * every alert at run time (AccessDenied), so it fails the build instead.
 */
function checkRouteSecrets(policy: Policy, origins: PolicyOrigins, prefix: string): void {
  const problems: PolicyProblem[] = [];
  for (const [name, route] of Object.entries(policy.routes)) {
    if (route.webhookSecret.startsWith(prefix)) continue;
    const path = ["routes", name, "webhookSecret"];
    const origin = origins.keys.get(`routes.${name}`) ?? origins.keys.get("routes") ?? origins.files[0];
    const at = origin ? origin.locate(path) : { line: 1, col: 1 };
    problems.push({
      file: origin?.path ?? "(policy)",
      ...at,
      path: path.join("."),
      message: `route '${name}': webhook secret '${route.webhookSecret}' is outside '${prefix}', the only secrets the governor's role may read (serverless.yml slackSecretPrefix)`,
    });
  }
  for (const key of ["signingSecret", "botTokenSecret"] as const) {
    const name = policy.slack[key];
    if (name === undefined || name.startsWith(prefix)) continue;
    const path = ["slack", key];
    const origin = origins.keys.get(`slack.${key}`) ?? origins.keys.get("slack") ?? origins.files[0];
    problems.push({
      file: origin?.path ?? "(policy)",
      ...(origin ? origin.locate(path) : { line: 1, col: 1 }),
      path: path.join("."),
      message: `slack.${key} '${name}' is outside '${prefix}', the only secrets the governor's roles may read (serverless.yml slackSecretPrefix)`,
    });
  }
  if (problems.length > 0) throw new PolicyValidationError(problems);
}
/** The deploy parameters are written beside the compiled policy, under this name. */
export const DEPLOY_PARAMS_FILE_NAME = "deploy-params.json";
/**
 * SECRETSMANAGER_SECRET_PERIODIC_ROTATION's own default. The policy language has no threshold for
 * `rotation-overdue`: the engine compares a secret with its own rotation schedule.
 */
export const DEFAULT_MAX_DAYS_SINCE_ROTATION = 90;

/**
 * What the stack takes from the policy at package time; serverless.yml reads it with `${file(...)}`. Every value
 * is a string because each becomes a CloudFormation parameter default or a Config rule input parameter.
 */
export interface DeployParams {
  format: typeof DEPLOY_PARAMS_FORMAT;
  /** Per managed rule identifier: "true" when a policy rule is on the finding that rule reports. */
  configRules: Record<string, "true" | "false">;
  /** SECRETSMANAGER_SECRET_UNUSED's unusedForDays. */
  unusedForDays: string;
  /** SECRETSMANAGER_SECRET_PERIODIC_ROTATION's maxDaysSinceRotation. */
  maxDaysSinceRotation: string;
  /**
   * The routes' webhook secrets as IAM resources, one `Fn::Sub` each: the only secret values the role may read
   * (serverless/iam.yml). Secrets Manager appends `-` and six random characters to a secret's name in its ARN.
   */
  slackWebhookSecrets: { "Fn::Sub": string }[];
  /**
   * The Slack app's secrets (signing secret, bot token) as IAM resources: the only values the slack-action
   * function may read (serverless/functions/slack-action.yml), and secrets neither role may change.
   */
  slackAppSecrets: { "Fn::Sub": string }[];
}

/** The IAM resource of a secret known by name: its ARN in the stack's account and region, any random suffix. */
export function secretResourceOf(name: string): { "Fn::Sub": string } {
  return {
    "Fn::Sub": `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${name}-??????`,
  };
}

/**
 * The Config rules a policy needs, and their parameters. unusedForDays is the smallest threshold of the rules on
 * `unused`: Config then reports every secret some rule could judge unused, and the engine judges each against its
 * own rule's threshold. A larger one would make Config call COMPLIANT, which the engine reads as "used again", a
 * secret that a rule with a smaller threshold has flagged.
 */
export function deployParams(policy: Policy): DeployParams {
  const findings = new Set(policy.rules.flatMap((rule) => [rule.match.finding].flat()));
  const configRules: Record<string, "true" | "false"> = {};
  for (const rule of MANAGED_RULES)
    configRules[rule.identifier] = findings.has(rule.finding) ? "true" : "false";
  const thresholds = policy.rules
    .filter((rule) => [rule.match.finding].flat().includes("unused"))
    .map((rule) => rule.unusedForDays ?? DEFAULT_UNUSED_FOR_DAYS);
  return {
    format: DEPLOY_PARAMS_FORMAT,
    configRules,
    unusedForDays: String(thresholds.length > 0 ? Math.min(...thresholds) : DEFAULT_UNUSED_FOR_DAYS),
    maxDaysSinceRotation: String(DEFAULT_MAX_DAYS_SINCE_ROTATION),
    // With buttons, the notifier signs them with a key derived from the signing secret: it reads that one too.
    slackWebhookSecrets: [
      ...new Set([
        ...Object.values(policy.routes).map((route) => route.webhookSecret),
        ...(slackActionsEnabled(policy) ? [policy.slack.signingSecret] : []),
      ]),
    ]
      .sort()
      .map(secretResourceOf),
    slackAppSecrets: [
      policy.slack.signingSecret,
      ...(policy.slack.botTokenSecret ? [policy.slack.botTokenSecret] : []),
    ]
      .sort()
      .map(secretResourceOf),
  };
}

function writeOutput(path: string, text: string, what: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(
      `cannot write ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      path,
      { cause: error },
    );
  }
}

/** A policy that says `rules: []` is valid, and governs nothing: said on stderr, so no one deploys it by mistake. */
export function warnIfNoRules(rules: number, io: Terminal): void {
  if (rules === 0)
    io.stderr("warning: the policy has no rules ('rules: []'): the governor would do nothing\n");
}

/**
 * `governor compile`: validates the policy files exactly as `validate` does, then writes the merged policy as
 * JSON for the Lambda package, and beside it the deploy parameters the stack derives from it (scripts/package.sh).
 * Nothing is written unless the policy is valid.
 */
export function runCompile(argv: string[], io: Terminal): number {
  const { values } = parseCommandArgs("compile", argv, {
    options: {
      policy: { type: "string", default: "policies" },
      out: { type: "string", default: DEFAULT_POLICY_FILE },
      "slack-secret-prefix": { type: "string", default: DEFAULT_SLACK_SECRET_PREFIX },
    },
  });
  const { policy, origins } = loadPolicy(readPolicyTexts(values.policy));
  checkRouteSecrets(policy, origins, values["slack-secret-prefix"]);
  const sources = origins.files.map((f) => f.path);
  const text = compilePolicy(policy, sources);
  // Read it back as the functions will, so what the package step accepts a cold start accepts too.
  loadCompiledPolicy(text, values.out);
  writeOutput(values.out, text, "compiled policy");
  const params = deployParams(policy);
  const paramsFile = join(dirname(values.out), DEPLOY_PARAMS_FILE_NAME);
  writeOutput(paramsFile, `${JSON.stringify(params, null, 2)}\n`, "deploy parameters");
  const rules = MANAGED_RULES.filter((rule) => params.configRules[rule.identifier] === "true").map(
    (rule) => rule.name,
  );
  io.stdout(
    `${values.policy}: compiled to ${values.out} (${policy.rules.length} rules, mode ${policy.mode}; ${sources.join(", ")})\n` +
      `deploy parameters: ${paramsFile} (Config rules: ${rules.join(", ") || "none"}; unusedForDays ${params.unusedForDays})\n`,
  );
  warnIfNoRules(policy.rules.length, io);
  return 0;
}
