import { parseArgs } from "node:util";
import { InputError, PolicyValidationError, problemLine, SecretNotFoundError } from "../errors.js";
import { loadPolicy } from "../policy/load.js";
import { policyReferenceMarkdown } from "../policy/reference.js";
import { policyJsonSchema } from "../policy/schema.js";
import { runCompile } from "./compile.js";
import { type CliIO, processIO, readPolicyTexts, type Terminal, terminal } from "./io.js";
import { runPlan } from "./plan.js";
import { USAGE, UsageError } from "./usage.js";

/** Policy problems printed at most: the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 50;

function runValidate(argv: string[], io: Terminal): number {
  const { values } = parseArgs({ args: argv, options: { policy: { type: "string", default: "policies" } } });
  const { policy, origins } = loadPolicy(readPolicyTexts(values.policy));
  const files = origins.files.map((f) => f.path).join(", ");
  io.stdout(`${values.policy}: valid (${policy.rules.length} rules, mode ${policy.mode}; ${files})\n`);
  return 0;
}

/**
 * The `governor` command. Returns the exit code; never throws. Commands and the error messages below write only
 * through `terminal(raw)`, the one place text is made safe for a terminal.
 */
export async function main(argv: string[], raw: CliIO = processIO()): Promise<number> {
  const io = terminal(raw);
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "validate":
        return runValidate(rest, io);
      case "compile":
        return runCompile(rest, io);
      case "schema":
        if (rest.includes("--markdown")) io.stdout(policyReferenceMarkdown());
        else io.json(policyJsonSchema());
        return 0;
      case "plan":
        return runPlan(rest, io);
      // Loaded on demand: these pull in the AWS SDK, which `plan` and `validate` never need.
      case "replay":
        return await (await import("./replay.js")).runReplay(rest, io);
      case "sweep":
        return await (await import("./sweep.js")).runSweepCommand(rest, io);
      case "restore":
        return await (await import("./restore.js")).runRestore(rest, io);
      case "preflight":
        return await (await import("./preflight.js")).runPreflight(rest, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof PolicyValidationError) {
      // The first ones, in reading order: a runaway file must not print a line per rule.
      const shown = error.problems.slice(0, MAX_PROBLEMS_SHOWN).map(problemLine);
      const more = error.problems.length - shown.length;
      if (more > 0) shown.push(`... and ${more} more`);
      io.stderr(`${shown.join("\n")}\n${error.problems.length} problem(s) found.\n`);
      return 1;
    }
    if (error instanceof InputError || error instanceof SecretNotFoundError) {
      io.stderr(`governor: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`governor: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.stderr(`governor: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}
