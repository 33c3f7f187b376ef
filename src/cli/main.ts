import { readFileSync } from "node:fs";
import { ConfigError } from "../config.js";
import { InputError, PolicyValidationError, problemLine, SecretNotFoundError } from "../errors.js";
import { closestWord } from "../policy/issues.js";
import { loadPolicy } from "../policy/load.js";
import { policyReferenceMarkdown } from "../policy/reference.js";
import { policyJsonSchema } from "../policy/schema.js";
import { parseCommandArgs } from "./args.js";
import { runCompile, warnIfNoRules } from "./compile.js";
import { type CliIO, processIO, readPolicyTexts, type Terminal, terminal } from "./io.js";
import { runPlan } from "./plan.js";
import {
  COMMANDS,
  type CommandName,
  commandHelp,
  isCommand,
  USAGE,
  UsageError,
  usageLines,
} from "./usage.js";

/** Policy problems printed at most: the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 50;

function runValidate(argv: string[], io: Terminal): number {
  const { values } = parseCommandArgs("validate", argv, {
    options: { policy: { type: "string", default: "policies" } },
  });
  const { policy, origins } = loadPolicy(readPolicyTexts(values.policy));
  const files = origins.files.map((f) => f.path).join(", ");
  io.stdout(`${values.policy}: valid (${policy.rules.length} rules, mode ${policy.mode}; ${files})\n`);
  warnIfNoRules(policy.rules.length, io);
  return 0;
}

function runSchema(argv: string[], io: Terminal): number {
  const { values } = parseCommandArgs("schema", argv, { options: { markdown: { type: "boolean" } } });
  if (values.markdown) io.stdout(policyReferenceMarkdown());
  else io.json(policyJsonSchema());
  return 0;
}

/** The package's version, from package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return String((JSON.parse(text) as { version?: unknown }).version);
}

/** `--help` or `-h` anywhere before a `--`. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** A usage error: what was wrong, the usage of that command and where to read more; not the whole usage. */
function usageError(error: UsageError, io: Terminal, running: CommandName | undefined): number {
  const command = error.command ?? running;
  if (command) {
    io.stderr(
      `governor ${command}: ${error.message}\nusage: ${usageLines(command).replace(/\n/g, "\n       ")}\nsee 'governor ${command} --help'\n`,
    );
  } else {
    io.stderr(
      `governor: ${error.message}\ncommands: ${Object.keys(COMMANDS).join(", ")}\nsee 'governor --help'\n`,
    );
  }
  return 2;
}

/**
 * The `governor` command. Returns the exit code; never throws. Commands and the error messages below write only
 * through `terminal(raw)`, the one place text is made safe for a terminal.
 */
export async function main(argv: string[], raw: CliIO = processIO()): Promise<number> {
  const io = terminal(raw);
  // `governor org SUB ...`: the organization commands are "org SUB" in the one help table (src/cli/usage.ts).
  const [command, ...rest] =
    argv[0] === "org" && argv[1] !== undefined && !argv[1].startsWith("-")
      ? [`org ${argv[1]}`, ...argv.slice(2)]
      : argv;
  try {
    if (isCommand(command) && asksForHelp(rest)) {
      io.stdout(commandHelp(command));
      return 0;
    }
    switch (command) {
      case "validate":
        return runValidate(rest, io);
      case "compile":
        return runCompile(rest, io);
      case "schema":
        return runSchema(rest, io);
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
      case "org report":
        return await (await import("./org-report.js")).runOrgReport(rest, io);
      case "org":
        throw new UsageError(
          `org needs a command: ${Object.keys(COMMANDS)
            .filter((c) => c.startsWith("org "))
            .map((c) => c.slice(4))
            .join(", ")}`,
        );
      case "--version":
      case "-V":
      case "version":
        io.stdout(`governor ${packageVersion()}\n`);
        return 0;
      case "help": {
        const name = rest[0] === "org" && rest[1] ? `org ${rest[1]}` : rest[0];
        if (isCommand(name)) {
          io.stdout(commandHelp(name));
          return 0;
        }
        io.stdout(USAGE);
        return 0;
      }
      case undefined:
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default: {
        const best = closestWord(command, Object.keys(COMMANDS));
        throw new UsageError(`unknown command '${command}'${best ? ` (did you mean '${best}'?)` : ""}`);
      }
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
    if (error instanceof InputError || error instanceof SecretNotFoundError || error instanceof ConfigError) {
      io.stderr(`governor: ${error.message}\n`);
      return 2;
    }
    const running = isCommand(command) ? command : undefined;
    if (error instanceof UsageError) return usageError(error, io, running);
    if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS"))
      return usageError(new UsageError((error as Error).message), io, running);
    io.stderr(`governor: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}
