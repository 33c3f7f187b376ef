import { parseArgs } from "node:util";
import { restoreSecret } from "../app/restore.js";
import { openAccount } from "./account.js";
import type { CliIO } from "./io.js";
import { UsageError } from "./usage.js";

/** `governor restore SECRET...`: undo everything the governor did to these secrets. */
export async function runRestore(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      account: { type: "string" },
      live: { type: "boolean" },
      write: { type: "boolean" },
      "dry-run": { type: "boolean" },
      format: { type: "string", default: "text" },
    },
  });
  if (positionals.length === 0) throw new UsageError("restore needs the name or ARN of at least one secret");
  const account = openAccount(values, new Date());
  const dryRun = values["dry-run"] ?? false;
  const results = [];
  for (const secretId of positionals) {
    const result = await restoreSecret(secretId, account.store, { dryRun });
    results.push(result);
    if (values.format !== "json") {
      const did = dryRun ? result.planned : result.undone;
      io.stdout(
        did.length === 0
          ? `${result.name}: nothing to undo\n`
          : `${result.name}: ${dryRun ? "would undo" : "undone"}: ${did.join(", ")}\n`,
      );
    }
  }
  account.save();
  if (values.format === "json")
    io.stdout(`${JSON.stringify({ results, account: account.local?.snapshot() ?? null }, null, 2)}\n`);
  return 0;
}
