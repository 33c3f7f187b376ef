import { describe, expect, it } from "vitest";
import { parseCommandArgs } from "../../src/cli/args.js";
import { UsageError } from "../../src/cli/usage.js";

const RESTORE = {
  allowPositionals: true,
  options: {
    account: { type: "string" },
    live: { type: "boolean" },
    write: { type: "boolean" },
    "dry-run": { type: "boolean" },
    format: { type: "string", default: "text" },
    "security-hub": { type: "boolean" },
  },
} as const;

function usageErrorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("parseCommandArgs", () => {
  it("parses as parseArgs does, defaults included", () => {
    const { values, positionals } = parseCommandArgs(
      "restore",
      ["app/db", "--live", "--format=json"],
      RESTORE,
    );
    expect(values).toEqual({ live: true, format: "json" });
    expect(positionals).toEqual(["app/db"]);
  });

  it.each([
    ["a misspelt option", ["--dryrun"], "unknown option '--dryrun' (did you mean '--dry-run'?)"],
    ["an unknown short option", ["-x"], "unknown option '-x'"],
    ["a string option without its value", ["--account"], "--account needs a value"],
    ["a string option followed by another option", ["--account", "--live"], "--account needs a value"],
    ["a value for a switch", ["--live=yes"], "--live takes no value"],
  ])("says %s in its own words, as a usage error of the command", (_label, argv, message) => {
    // Act
    const error = usageErrorOf(() => parseCommandArgs("restore", argv, RESTORE));

    // Assess
    expect(error.message).toBe(message);
    expect(error.command).toBe("restore");
  });

  it("refuses an argument where the command takes none, and takes one after -- where it does", () => {
    expect(
      usageErrorOf(() =>
        parseCommandArgs("preflight", ["us-east-1"], { options: { region: { type: "string" } } }),
      ).message,
    ).toBe("unexpected argument 'us-east-1'");
    expect(parseCommandArgs("restore", ["--", "--odd-name"], RESTORE).positionals).toEqual(["--odd-name"]);
  });

  it("fails as a bug when a command takes an option its --help does not document", () => {
    expect(() =>
      parseCommandArgs("preflight", [], {
        options: { region: { type: "string" }, secret: { type: "boolean" } },
      }),
    ).toThrow("governor preflight: options and --help differ on secret");
  });
});
