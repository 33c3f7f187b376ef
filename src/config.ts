import { isAbsolute, resolve } from "node:path";
import type { Mode } from "./domain/decision.js";
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

  get region(): string | undefined {
    return this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION;
  }

  /** Set to point every SDK client at an emulator (moto_server). */
  get endpoint(): string | undefined {
    return this.env.AWS_ENDPOINT_URL || undefined;
  }
}
