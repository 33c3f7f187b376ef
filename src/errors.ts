import type { AuditEntry } from "./domain/audit.js";

/** One base class for every error the governor raises on purpose; `cause` keeps the original. */
export class GovernorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that is not what we accept (an inventory, an event, a compliance file). Exit code 2 in the CLI. */
export class InputError extends GovernorError {
  constructor(
    message: string,
    readonly source?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface PolicyProblem {
  file: string;
  /** 1-based; absent for a problem of no place in a file (a directory without policy files). */
  line?: number;
  col?: number;
  message: string;
  /** Dotted path of the offending key inside the document, when there is one. */
  path?: string;
}

/** A problem as printed: `file:line:col: message`, or `file: message` when it has no place in the file. */
export function problemLine(p: PolicyProblem): string {
  return p.line === undefined ? `${p.file}: ${p.message}` : `${p.file}:${p.line}:${p.col ?? 1}: ${p.message}`;
}

/** A policy file or directory that does not validate. Carries every problem found, not only the first. */
export class PolicyValidationError extends GovernorError {
  constructor(readonly problems: PolicyProblem[]) {
    super(problems.map(problemLine).join("\n"));
  }
}

/** The blast-radius limit stopped a destructive action. */
export class LimitReachedError extends GovernorError {}

/** An AWS (or Slack) call failed after its own retries. `retryable` decides retry versus dead-letter. */
export class AdapterError extends GovernorError {
  constructor(
    message: string,
    readonly operation: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The secret no longer exists (deleted between event and action): a logged skip, not a failure. */
export class SecretNotFoundError extends GovernorError {
  constructor(readonly secretId: string) {
    super(`secret ${secretId} was not found`);
  }
}

/** A secret's resource policy the governor must not touch: malformed JSON, or too large once quarantined. */
export class ResourcePolicyError extends GovernorError {
  constructor(
    message: string,
    readonly reason: "malformed" | "too-large",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** AWS Config cannot answer (no rule, no recorder, access denied, outage): the sweep falls back to the inventory. */
export class ComplianceUnavailableError extends AdapterError {}

/** Audit entries EventBridge did not take, even on a second try; they are carried whole so none is lost. */
export class AuditDeliveryError extends AdapterError {
  constructor(
    message: string,
    retryable: boolean,
    readonly entries: AuditEntry[],
    options?: { cause?: unknown },
  ) {
    super(message, "PutEvents", retryable, options);
  }
}
