import { closestWord } from "../policy/issues.js";
import type { Terminal } from "./io.js";
import { COMMANDS, commandHelp, isCommand } from "./usage.js";

type Run = (argv: string[], io: Terminal) => number | Promise<number>;

/**
 * `governor org SUBCOMMAND`: the organization plane's commands. One line per subcommand (its help is the
 * `"org NAME"` entry of COMMANDS in src/cli/usage.ts), each loaded on demand.
 */
const SUBCOMMANDS: Record<string, () => Promise<Run>> = {
  stackset: async () => (await import("./org-stackset.js")).runOrgStackset,
  plan: async () => (await import("./org-plan.js")).runOrgPlan,
  report: async () => (await import("./org-report.js")).runOrgReport,
};

/** The org subcommands and their summaries. */
export function orgUsage(): string {
  const names = Object.keys(SUBCOMMANDS).filter((name) => isCommand(`org ${name}`));
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map(
    (n) => `  ${n.padEnd(width)}  ${COMMANDS[`org ${n}` as keyof typeof COMMANDS].summary}`,
  );
  return `governor org: the organization plane\n\nUsage: governor org SUBCOMMAND [OPTIONS]\n\nSubcommands:\n${lines.join("\n")}\n\ngovernor org SUBCOMMAND --help shows its options and an example.\n`;
}

export async function runOrg(argv: string[], io: Terminal): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io.stdout(orgUsage());
    return sub === undefined ? 2 : 0;
  }
  const name = `org ${sub}`;
  const load = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (!load || !isCommand(name)) {
    const best = closestWord(sub, Object.keys(SUBCOMMANDS));
    io.stderr(
      `governor org: unknown subcommand '${sub}'${best ? ` (did you mean '${best}'?)` : ""}\nsubcommands: ${Object.keys(SUBCOMMANDS).join(", ")}\nsee 'governor org --help'\n`,
    );
    return 2;
  }
  const end = rest.indexOf("--");
  if ((end === -1 ? rest : rest.slice(0, end)).some((a) => a === "--help" || a === "-h")) {
    io.stdout(commandHelp(name));
    return 0;
  }
  return await (await load())(rest, io);
}
