import { type ParseArgsConfig, parseArgs } from "node:util";
import { closestWord } from "../policy/issues.js";
import { COMMANDS, type CommandName, UsageError } from "./usage.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * `parseArgs` for a command, with its mistakes said in our words as UsageErrors of that command (Node's own
 * messages speak of "positional arguments" and `--` terminators), and the closest option suggested. Every option
 * a command takes must be in its `--help` (COMMANDS), and every one there taken: a bug otherwise.
 */
export function parseCommandArgs<const O extends Options, const P extends boolean = false>(
  command: CommandName,
  argv: string[],
  config: { options: O; allowPositionals?: P },
) {
  const documented = Object.keys(COMMANDS[command].options);
  const taken = Object.keys(config.options);
  const undocumented = [
    ...taken.filter((o) => !documented.includes(o)),
    ...documented.filter((o) => !taken.includes(o)),
  ];
  if (undocumented.length > 0)
    throw new Error(`governor ${command}: options and --help differ on ${undocumented.join(", ")}`);

  const { tokens } = parseArgs({
    args: argv,
    options: config.options,
    strict: false,
    tokens: true,
    allowPositionals: true,
  });
  for (const token of tokens) {
    if (token.kind === "positional" && !config.allowPositionals)
      throw new UsageError(`unexpected argument '${token.value}'`, command);
    if (token.kind !== "option") continue;
    const spec = config.options[token.name];
    if (!spec) {
      const best = closestWord(token.name, taken);
      throw new UsageError(
        `unknown option '${token.rawName}'${best ? ` (did you mean '--${best}'?)` : ""}`,
        command,
      );
    }
    if (
      spec.type === "string" &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith("-")))
    )
      throw new UsageError(`${token.rawName} needs a value`, command);
    if (spec.type === "boolean" && token.value !== undefined)
      throw new UsageError(`${token.rawName} takes no value`, command);
  }
  return parseArgs({
    args: argv,
    options: config.options,
    allowPositionals: config.allowPositionals,
    strict: true,
  });
}
