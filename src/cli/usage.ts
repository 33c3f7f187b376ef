import { DEFAULT_POLICY_FILE } from "../config.js";
import { GovernorError } from "../errors.js";
import {
  ACCOUNT,
  COMPLIANCE,
  type CommandHelp,
  HTML,
  INVENTORY,
  LIVE,
  MODE,
  NOW,
  POLICY,
  SECURITY_HUB,
  SLACK_STDOUT,
  SLACK_URL,
  WRITE,
} from "./help-options.js";
import { ORG_COMMANDS } from "./usage-org.js";

/** The command line was wrong: exit code 2, with the usage of `command` (or the list of commands). */
export class UsageError extends GovernorError {
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

export const COMMANDS = {
  validate: {
    summary: "check policy files: every problem as file:line:col, exit 1 if any",
    synopsis: ["[--policy PATH]"],
    options: { policy: POLICY },
    examples: ["governor validate", "governor validate --policy policies/default.yml"],
  },
  compile: {
    summary: "validate, then write the merged policy as JSON for the Lambda functions",
    synopsis: ["[--policy PATH] [--out FILE] [--slack-secret-prefix PREFIX]"],
    options: {
      policy: POLICY,
      out: { value: "FILE", text: `where to write the compiled policy (default ${DEFAULT_POLICY_FILE})` },
      "slack-secret-prefix": {
        value: "PREFIX",
        text: "the only webhook secrets the deployed role may read (default secrets-governor/slack/)",
      },
    },
    examples: ["governor compile", "governor compile --policy policies --out build/policy.json"],
    notes:
      "deploy-params.json is written beside FILE: the Config rules the policy needs, for the template.\nscripts/package.sh and scripts/deploy.sh run compile first.",
  },
  schema: {
    summary: "print the policy JSON Schema (2020-12), or the policy reference in Markdown",
    synopsis: ["[--markdown]"],
    options: {
      markdown: { text: "the policy reference (docs/policy-reference.md) instead of the JSON Schema" },
    },
    examples: [
      "governor schema > policy.schema.json",
      "governor schema --markdown > docs/policy-reference.md",
    ],
  },
  plan: {
    summary: "decide what the policy would do to an inventory; touches no AWS",
    synopsis: [
      "--inventory FILE [--compliance FILE] [--policy PATH] [--now ISO]",
      "[--mode report|enforce] [--format table|json|csv|asff] [--html FILE]",
    ],
    options: {
      inventory: INVENTORY,
      compliance: COMPLIANCE,
      policy: POLICY,
      now: NOW,
      mode: MODE,
      format: {
        value: "table|json|csv|asff",
        text: "table (default), json, csv (RFC 4180), or asff (the findings a sweep would import)",
      },
      html: HTML,
    },
    examples: [
      "governor plan --inventory examples/inventory.json --now 2026-11-23T00:00:00Z",
      "governor plan --inventory examples/inventory.json --format csv > plan.csv",
      "governor plan --inventory examples/inventory.json --format asff > findings.json",
    ],
  },
  report: {
    summary: "the HTML report (and table, JSON or CSV) of a plan: offline, or the live account read-only",
    synopsis: [
      "(--inventory FILE [--compliance FILE] | --account FILE | --live) [--policy PATH] [--now ISO]",
      "[--mode report|enforce] [--html FILE] [--format table|json|csv]",
    ],
    options: {
      inventory: INVENTORY,
      compliance: COMPLIANCE,
      account: ACCOUNT,
      live: LIVE,
      policy: POLICY,
      now: NOW,
      mode: {
        value: "report|enforce",
        text: "the mode the plan is for (default the policy's); the report changes nothing either way",
      },
      html: { value: "FILE", text: "write the HTML report to FILE" },
      format: {
        value: "table|json|csv",
        text: "also print the plan: table, json or csv (default: table without --html)",
      },
    },
    examples: [
      "governor report --inventory examples/inventory.json --now 2026-11-23T00:00:00Z --html report.html",
      "governor report --live --html report.html --format csv > secrets.csv",
    ],
    notes:
      "One self-contained file: charts as inline SVG, no URL, a Content-Security-Policy that allows only its own\nstyle and script. --account and --live read the account as the sweep does (ListSecrets, Config, the\nreplicated primaries described) and plan, but take no action, whatever the mode.",
  },
  replay: {
    summary: "run event files through the same code as the Lambda handlers",
    synopsis: [
      "EVENT.json... (--account FILE [--write] | --live) [--policy PATH] [--now ISO]",
      "[--mode report|enforce] [--format text|json] [--slack-url URL | --slack-stdout]",
      "[--account-id ID] [--region REGION] [--ignore-unknown]",
    ],
    options: {
      account: ACCOUNT,
      live: LIVE,
      write: WRITE,
      policy: POLICY,
      now: NOW,
      mode: MODE,
      format: { value: "text|json", text: "text (default) or json" },
      "slack-url": SLACK_URL,
      "slack-stdout": SLACK_STDOUT,
      "account-id": { value: "ID", text: "the account events must come from (default: the account's ARNs')" },
      region: { value: "REGION", text: "the region events must come from (default: the account's ARNs')" },
      "ignore-unknown": {
        text: "skip a file with no event the governor handles, instead of exiting 2 before acting",
      },
    },
    examples: [
      "governor replay examples/events/*.json --account examples/account.json --now 2026-11-23T10:00:00Z",
      "governor replay trail.json --live --mode report --ignore-unknown",
    ],
    notes:
      'A file holds an EventBridge event, an array of them, a CloudTrail record or log file ({"Records": [...]}).\nEvery file is read and checked before any is acted on: not JSON (file:line:col) or no event the governor\nhandles is bad input, exit 2.\nWith --live and GOVERNOR_STATE_TABLE (the state table of the stack), handled events and denied reads are\nrecorded in that table, shared with the functions; otherwise in memory, for the run.',
  },
  sweep: {
    summary: "the daily sweep: read the whole account, plan under the blast-radius limit, act",
    synopsis: [
      "(--account FILE [--write] | --live) [--policy PATH] [--now ISO] [--mode report|enforce]",
      "[--format table|json|csv] [--html FILE] [--slack-url URL | --slack-stdout]",
      "[--write-share SHARE] [--security-hub]",
    ],
    options: {
      account: ACCOUNT,
      live: LIVE,
      write: WRITE,
      policy: POLICY,
      now: NOW,
      mode: MODE,
      format: {
        value: "table|json|csv",
        text: "table (default), json, or csv (one row per decision, with its outcome)",
      },
      html: {
        value: "FILE",
        text: "also write the HTML report of the sweep (what it did or would do) to FILE",
      },
      "slack-url": SLACK_URL,
      "slack-stdout": SLACK_STDOUT,
      "write-share": {
        value: "SHARE",
        text: "the share of each Secrets Manager write quota to use, 0.01 to 0.5 (default GOVERNOR_WRITE_SHARE or 0.5)",
      },
      "security-hub": SECURITY_HUB,
    },
    examples: [
      "governor sweep --account examples/account.json --now 2026-11-23T00:00:00Z",
      "governor sweep --live --mode enforce --write-share 0.2",
      "governor sweep --live --security-hub",
    ],
    notes:
      "Live writes are paced to a share of the account's Secrets Manager quotas (50 requests/s per write family,\nshared with every application of the account and region): with the default 0.5, 25 tags a second. On a\nterminal the sweep shows its progress and an estimate of the time left on stderr.",
  },
  restore: {
    summary: "undo everything the governor did to these secrets",
    synopsis: [
      "SECRET... (--account FILE [--write] | --live [--security-hub]) [--dry-run]",
      "[--format text|json]",
    ],
    options: {
      account: ACCOUNT,
      live: LIVE,
      write: WRITE,
      "dry-run": { text: "say what would be undone, change nothing" },
      format: { value: "text|json", text: "text (default) or json" },
      "security-hub": {
        text: "with --live: resolve the secret's unused finding in Security Hub (PASSED, Workflow RESOLVED)",
      },
    },
    examples: [
      "governor restore app/db --account examples/account.json --dry-run",
      "governor restore app/db --live --security-hub",
    ],
  },
  preflight: {
    summary: "check the prerequisites the stack does not create (Config recorder, CloudTrail trail)",
    synopsis: ["[--region REGION]"],
    options: { region: { value: "REGION", text: "the region to check (default: the credential chain's)" } },
    examples: ["governor preflight --region eu-west-1"],
  },
  ...ORG_COMMANDS,
} satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** `governor CMD` and its synopsis, the continuation lines aligned under the first. */
export function usageLines(command: CommandName): string {
  const head = `governor ${command} `;
  return COMMANDS[command].synopsis
    .map((line, i) => `${i === 0 ? head : " ".repeat(head.length)}${line}`)
    .join("\n");
}

/** The width help is written for. */
const HELP_WIDTH = 100;

/** Words into lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** `governor CMD --help`. */
export function commandHelp(command: CommandName): string {
  const help: CommandHelp = COMMANDS[command];
  const flags: [string, string][] = Object.entries(help.options).map(([name, option]) => [
    `--${name}${option.value ? ` ${option.value}` : ""}`,
    option.text,
  ]);
  flags.push(["-h, --help", "this help"]);
  const width = Math.max(...flags.map(([flag]) => flag.length));
  const column = width + 4;
  const option = ([flag, text]: [string, string]) =>
    wrap(text, HELP_WIDTH - column)
      .map((line, i) => `${i === 0 ? `  ${flag.padEnd(width)}  ` : " ".repeat(column)}${line}`)
      .join("\n");
  return [
    `governor ${command}: ${help.summary}`,
    "",
    "Usage:",
    usageLines(command).replace(/^/gm, "  "),
    "",
    "Options:",
    ...flags.map(option),
    ...(help.notes ? ["", help.notes] : []),
    "",
    help.examples.length === 1 ? "Example:" : "Examples:",
    ...help.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));

export const USAGE = `governor: govern AWS Secrets Manager (report-only unless told to enforce)

Usage: governor COMMAND [OPTIONS]

Commands:
${Object.entries(COMMANDS)
  .map(([name, help]) => `  ${name.padEnd(width)}  ${help.summary}`)
  .join("\n")}

governor COMMAND --help shows a command's options and an example; governor --version its version.

Exit codes: 0 ok, 1 policy invalid, an action failed, an alert not delivered or a prerequisite missing,
2 bad input or usage, 70 an unexpected error (a bug).
`;

/** The README's per-command help block (between its `cli-help` markers): every command's `--help`, verbatim. */
export function readmeHelpBlock(): string {
  return (Object.keys(COMMANDS) as CommandName[])
    .map(
      (command) =>
        `<details><summary><code>governor ${command} --help</code></summary>\n\n\`\`\`text\n${commandHelp(command)}\`\`\`\n\n</details>\n`,
    )
    .join("\n");
}
