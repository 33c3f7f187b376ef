import { restoreSecret } from "../app/restore.js";
import { openAccount } from "./account.js";
import { parseCommandArgs } from "./args.js";
import type { Terminal } from "./io.js";
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
    },
  });
  if (positionals.length === 0) throw new UsageError("needs the name or ARN of at least one secret");
  const account = openAccount(values, new Date());
  const dryRun = values["dry-run"] ?? false;
  const results = [];
  for (const secretId of positionals) {
    const result = await restoreSecret(secretId, account.store, { dryRun });
    results.push(result);
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
  return 0;
}
