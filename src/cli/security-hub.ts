import { makeDynamoDbClient } from "../adapters/aws-clients.js";
import { DynamoReportedFindings, MemoryReportedFindings } from "../adapters/reported-findings.js";
import { makeSecurityHubFindings } from "../adapters/security-hub.js";
import type { Log } from "../app/process-findings.js";
import type { SecurityHubDeps, SecurityHubSummary } from "../app/security-hub.js";
import { GovernorConfig } from "../config.js";
import type { Terminal } from "./io.js";
import { terminalJson } from "./terminal.js";

/** The CLI's log of Security Hub trouble: one JSON line on stderr, through the terminal's sanitiser. */
function stderrLog(io: Terminal): Log {
  const line = (message: string, extra: Record<string, unknown>[]) =>
    io.stderr(`governor: ${terminalJson({ message, ...Object.assign({}, ...extra) })}\n`);
  return { info: () => {}, warn: (m, ...x) => line(m, x), error: (m, ...x) => line(m, x) };
}

/**
 * Security Hub for `--live --security-hub`: the live account's Security Hub, and the stack's record of open
 * findings (GOVERNOR_STATE_TABLE, as `replay --live` uses the stack's ledger) so that the CLI and the functions
 * resolve each other's findings; without it the record is this run's only, and says so.
 */
export function liveSecurityHub(
  io: Terminal,
  config: GovernorConfig = new GovernorConfig(),
): SecurityHubDeps {
  const options = config.clientOptions;
  const table = config.stateTable;
  if (!table)
    io.stderr(
      "governor: note: GOVERNOR_STATE_TABLE is not set: findings reported by earlier runs cannot be resolved by this one (set it to the stack's StateTableName output)\n",
    );
  const log = stderrLog(io);
  return {
    sink: makeSecurityHubFindings(options, log),
    reported: table
      ? new DynamoReportedFindings(makeDynamoDbClient(options), table)
      : new MemoryReportedFindings(),
    log,
  };
}

/** One line on stderr saying what Security Hub took. */
export function reportSecurityHub(summary: SecurityHubSummary | undefined, io: Terminal): number {
  if (!summary) return 0;
  io.stderr(
    `security hub: ${summary.imported} finding${summary.imported === 1 ? "" : "s"} imported${summary.failed > 0 ? `, ${summary.failed} failed (the next sweep retries them)` : ""}\n`,
  );
  return summary.failed;
}
