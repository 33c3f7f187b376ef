import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS, type CommandName, commandHelp } from "../../src/cli/usage.js";
import { runCli } from "../helpers/cli.js";

const NAMES = Object.keys(COMMANDS) as CommandName[];

describe("governor CMD --help", () => {
  it.each(
    NAMES.flatMap((name) => [[name, "--help"] as const, [name, "-h"] as const]),
  )("%s %s prints its own usage, options and an example, exit 0", async (name, flag) => {
    // Act
    const { code, stdout, stderr } = await runCli(...name.split(" "), flag);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toBe(commandHelp(name));
    expect(stdout.startsWith(`governor ${name}: `)).toBe(true);
    expect(stdout).toContain(`\nUsage:\n  governor ${name} `);
    for (const option of Object.keys(COMMANDS[name].options)) expect(stdout).toContain(`  --${option}`);
    expect(stdout).toMatch(/\nExamples?:\n {2}governor /);
    // Help goes to a terminal a person reads: no line runs past the help's width.
    for (const line of stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(110);
  });

  it("answers --help wherever it is among a command's arguments, before running anything", async () => {
    // Act: replay would otherwise read the event file and open the account.
    const { code, stdout } = await runCli("replay", "no-such-event.json", "--live", "--help");

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(commandHelp("replay"));
  });

  it("schema --help is the help, not the schema", async () => {
    const { code, stdout } = await runCli("schema", "--help");
    expect(code).toBe(0);
    expect(stdout).not.toContain('"$schema"');
    expect(stdout).toContain("--markdown");
  });

  it("governor help CMD is the same help", async () => {
    expect((await runCli("help", "sweep")).stdout).toBe(commandHelp("sweep"));
  });
});

describe("governor --version", () => {
  it.each(["--version", "-V", "version"])("%s prints the package version, exit 0", async (flag) => {
    // Prepare
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

    // Act
    const { code, stdout } = await runCli(flag);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(`governor ${version}\n`);
  });
});

describe("governor CMD with an option it does not take", () => {
  it.each(NAMES)("%s: exit 2 with the error, its usage line and where to read more", async (name) => {
    // Act: parsing checks first that every option the command takes is in its --help (exit 70 if not).
    const { code, stdout, stderr } = await runCli(...name.split(" "), "--no-such-option");

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe("");
    const lines = stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(`governor ${name}: unknown option '--no-such-option'`);
    expect(lines[1]).toBe(`usage: governor ${name} ${COMMANDS[name].synopsis[0]}`);
    expect(lines.at(-1)).toBe(`see 'governor ${name} --help'`);
    expect(lines).toHaveLength(COMMANDS[name].synopsis.length + 2);
  });
});
