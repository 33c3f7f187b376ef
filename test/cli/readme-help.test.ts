import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS, readmeHelpBlock } from "../../src/cli/usage.js";

describe("README, The CLI", () => {
  it("shows every command's --help as the command prints it", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const block = /<!-- cli-help:start -->\n([\s\S]*?)<!-- cli-help:end -->/.exec(readme)?.[1];
    expect(block).toBe(readmeHelpBlock());
    for (const command of Object.keys(COMMANDS)) expect(block).toContain(`governor ${command} --help`);
  });
});
