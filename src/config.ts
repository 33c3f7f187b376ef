import { isAbsolute, resolve } from "node:path";
import type { Mode } from "./domain/decision.js";
import { ACCOUNT_ID_RE, type StackIdentity } from "./domain/origin.js";
import { GovernorError } from "./errors.js";

/**
 * Where `governor compile` writes the compiled policy by default, and where the functions read it: relative to
 * the repository when packaging, to the Lambda task root when running (serverless.yml packages it there).
 */
export const DEFAULT_POLICY_FILE = ".governor/policy.json";

/** A configuration value is missing or wrong: the deployment is broken, not the event. */
export class ConfigError extends GovernorError {}

/**
 * The deployment's configuration, read from the environment once. Nothing else reads process.env.
 * Getters fail with a clear message when a value is wrong.
 */
export class GovernorConfig {
  constructor(private readonly env: Record<string, string | undefined> = process.env) {}

  get mode(): Mode {
    const value = this.env.GOVERNOR_MODE ?? "report";
    if (value !== "report" && value !== "enforce")
      throw new ConfigError(`GOVERNOR_MODE must be report or enforce, not '${value}'`);
    return value;
  }

  /** The mode from the environment only when it is set, so the policy file's mode applies otherwise. */
  get modeOverride(): Mode | undefined {
    return this.env.GOVERNOR_MODE === undefined ? undefined : this.mode;
  }

  /** The compiled policy file (`governor compile`); a relative path is taken from the Lambda task root. */
  get policyFile(): string {
    const file = this.env.GOVERNOR_POLICY_FILE || DEFAULT_POLICY_FILE;
    return isAbsolute(file) ? file : resolve(this.env.LAMBDA_TASK_ROOT || ".", file);
  }

  get breakGlassPrincipals(): string[] {
    return (this.env.GOVERNOR_BREAK_GLASS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /** The governor's own role: never denied by a quarantine, so it can always release one. */
  get roleArn(): string | undefined {
    return this.env.GOVERNOR_ROLE_ARN || undefined;
  }

  /** The governor's own role, as a list: its refused calls are the governor's, not incidents. */
  get selfPrincipals(): string[] {
    return this.roleArn ? [this.roleArn] : [];
  }

  /**
   * Principals a quarantine never denies: the governor's own role and the break-glass principals of the
   * deployment and of the policy (`policyBreakGlass`), each once. The functions and the CLI use the same list.
   */
  exemptPrincipals(policyBreakGlass: readonly string[]): string[] {
    return [...new Set([...this.selfPrincipals, ...this.breakGlassPrincipals, ...policyBreakGlass])];
  }

  get auditBus(): string {
    return this.env.GOVERNOR_AUDIT_BUS ?? "default";
  }

  /**
   * The organization's central event bus (stack parameter OrgBusArn); set: the sweep puts a summary and a
   * heartbeat on the audit bus after each run, and the stack's rule forwards them there. Unset: no org reporting.
   */
  get orgBusArn(): string | undefined {
    return this.env.GOVERNOR_ORG_BUS_ARN || undefined;
  }

  /** The sweep's schedule expression (stack parameter SweepSchedule), for the heartbeat's interval. */
  get sweepSchedule(): string {
    return this.env.GOVERNOR_SWEEP_SCHEDULE || "cron(0 6 * * ? *)";
  }

  get writeShare(): number {
    const value = Number(this.env.GOVERNOR_WRITE_SHARE ?? "0.5");
    if (!(value > 0 && value <= 1))
      throw new ConfigError(`GOVERNOR_WRITE_SHARE must be in (0, 1], not '${this.env.GOVERNOR_WRITE_SHARE}'`);
    return value;
  }

  /** The SQS queue that keeps alerts Slack did not take, until the next run delivers them. */
  get alertDeadLetterUrl(): string | undefined {
    return this.env.GOVERNOR_ALERT_DLQ_URL || undefined;
  }

  /** The stack's DynamoDB table for the event ledger and the access-failure windows; unset: memory only. */
  get stateTable(): string | undefined {
    return this.env.GOVERNOR_STATE_TABLE || undefined;
  }

  /** GOVERNOR_SECURITY_HUB (the stack parameter SecurityHub): import findings into Security Hub. Default off. */
  get securityHub(): boolean {
    const value = this.env.GOVERNOR_SECURITY_HUB ?? "disabled";
    if (value !== "enabled" && value !== "disabled")
      throw new ConfigError(`GOVERNOR_SECURITY_HUB must be enabled or disabled, not '${value}'`);
    return value === "enabled";
  }

  get region(): string | undefined {
    return this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION;
  }

  /** This stack's account: GOVERNOR_ACCOUNT_ID (the stack sets it), else the account of GOVERNOR_ROLE_ARN. */
  get accountId(): string | undefined {
    const value =
      this.env.GOVERNOR_ACCOUNT_ID || /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(this.roleArn ?? "")?.[1];
    if (value !== undefined && !ACCOUNT_ID_RE.test(value))
      throw new ConfigError(`GOVERNOR_ACCOUNT_ID must be a 12-digit account id, not '${value}'`);
    return value;
  }

  /** The account and region whose events the functions act on; every other event is refused. */
  get stack(): StackIdentity {
    const account = this.accountId;
    const region = this.region;
    if (!account)
      throw new ConfigError(
        "GOVERNOR_ACCOUNT_ID (or GOVERNOR_ROLE_ARN) is not set: the stack's own account is unknown",
      );
    if (!region) throw new ConfigError("AWS_REGION is not set: the stack's own region is unknown");
    return { account, region };
  }

  /** The central stack's table (org/serverless.yml): the organization plane's state. */
  get orgTable(): string {
    const value = this.env.GOVERNOR_ORG_TABLE;
    if (!value) throw new ConfigError("GOVERNOR_ORG_TABLE is not set: the central table is unknown");
    return value;
  }

  /** The name of the secret holding the org digest's Slack webhook URL (read by name, as the routes' are). */
  get orgWebhookSecret(): string {
    const value = this.env.GOVERNOR_ORG_WEBHOOK_SECRET;
    if (!value)
      throw new ConfigError("GOVERNOR_ORG_WEBHOOK_SECRET is not set: the org digest has no webhook");
    return value;
  }

  /** Set to point every SDK client at an emulator (moto_server). */
  get endpoint(): string | undefined {
    return this.env.AWS_ENDPOINT_URL || undefined;
  }

  /** The SDK clients' region (us-east-1 when none is set) and endpoint (AWS_ENDPOINT_URL: an emulator). */
  get clientOptions(): { region: string; endpoint?: string } {
    const endpoint = this.endpoint;
    return { region: this.region ?? "us-east-1", ...(endpoint ? { endpoint } : {}) };
  }
}
