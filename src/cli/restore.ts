import { restoreSecret } from "../app/restore.js";
import { publishRestore } from "../app/security-hub.js";
import { openAccount } from "./account.js";
import { parseCommandArgs } from "./args.js";
import type { Terminal } from "./io.js";
import { liveSecurityHub, reportSecurityHub } from "./security-hub.js";
import { terminalSafeLine } from "./terminal.js";
import { UsageError } from "./usage.js";

/** `governor restore SECRET...`: undo everything the governor did to these secrets. */
export async function runRestore(argv: string[], io: Terminal): Promise<number> {
  const { values, positionals } = parseCommandArgs("restore", argv, {
    allowPositionals: true,
    options: {
      account: { type: "string" },
      live: { type: "boolean" },
      write: { type: "boolean" },
      "dry-run": { type: "boolean" },
      format: { type: "string", default: "text" },
      "security-hub": { type: "boolean" },
    },
  });
  if (positionals.length === 0) throw new UsageError("needs the name or ARN of at least one secret");
  if (values["security-hub"] && (!values.live || values["dry-run"]))
    throw new UsageError(
      "--security-hub resolves the live account's findings: give it with --live, without --dry-run",
    );
  const now = new Date();
  const account = openAccount(values, now);
  const dryRun = values["dry-run"] ?? false;
  const securityHub = values["security-hub"] ? liveSecurityHub(io) : undefined;
  let unimported = 0;
  const results = [];
  for (const secretId of positionals) {
    const result = await restoreSecret(secretId, account.store, { dryRun });
    results.push(result);
    if (securityHub) {
      // After the restore, never instead of it: a Security Hub failure is reported, the restore stands.
      const secret = await account.store.describe(result.arn);
      if (secret) unimported += reportSecurityHub(await publishRestore(secret, now, securityHub), io);
    }
    if (values.format !== "json") {
      const did = dryRun ? result.planned : result.undone;
      const name = terminalSafeLine(result.name);
      io.stdout(
        did.length === 0
          ? `${name}: nothing to undo\n`
          : `${name}: ${dryRun ? "would undo" : "undone"}: ${did.join(", ")}\n`,
      );
    }
  }
  account.save();
  if (values.format === "json") io.json({ results, account: account.local?.snapshot() ?? null });
  return unimported > 0 ? 1 : 0;
}
