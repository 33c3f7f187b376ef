import { describe, expect, it } from "vitest";
import { commandHelp } from "../../src/cli/usage.js";
import { runCli } from "../helpers/cli.js";

describe("governor org", () => {
  it("lists its subcommands on --help, exit 0, and without one, exit 2", async () => {
    const help = await runCli("org", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}stackset {2}make the packaged template a StackSet template/m);
    expect(help.stdout).toMatch(/^ {2}plan {6}the org-wide plan and cost roll-up/m);
    expect((await runCli("org")).code).toBe(2);
  });

  it.each([
    [["org", "plan", "--help"]],
    [["org", "plan", "examples/org", "-h"]],
    [["help", "org", "plan"]],
  ])("%j prints org plan's help", async (argv) => {
    const { code, stdout } = await runCli(...argv);
    expect(code).toBe(0);
    expect(stdout).toBe(commandHelp("org plan"));
  });

  it("names the closest subcommand of a mistyped one, exit 2", async () => {
    const { code, stdout, stderr } = await runCli("org", "stakset");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "governor org: unknown subcommand 'stakset' (did you mean 'stackset'?)\nsubcommands: stackset, plan, report\nsee 'governor org --help'\n",
    );
  });

  it("says a usage error in the subcommand's own words", async () => {
    const { code, stderr } = await runCli("org", "plan", "examples/org", "--formt", "csv");
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^governor org plan: unknown option '--formt' \(did you mean '--format'\?\)\nusage: governor org plan DIR/,
    );
  });
});
