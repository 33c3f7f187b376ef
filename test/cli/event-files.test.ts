import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { notHandled, readEventFiles } from "../../src/cli/event-files.js";
import { InputError } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";

const HANDLED = "examples/events/01-config-unused-noncompliant.json";
/** A Config event about an EBS volume: a well-formed EventBridge event of a resource the governor does not govern. */
const FOREIGN =
  "test/fixtures/events/published/config-compliance-ebsvolume-compliant-to-noncompliant-01.json";

function scratch(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "governor-events-")), name);
  writeFileSync(file, text);
  return file;
}

function errorOf(paths: string[]): string {
  try {
    readEventFiles(paths, { ignoreUnknown: false });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("readEventFiles", () => {
  it("reads an event, a list of them and a CloudTrail log file", () => {
    // Prepare
    const event = JSON.parse(readFileSync(HANDLED, "utf8"));
    const list = scratch("list.json", JSON.stringify([event, event]));

    // Act
    const files = readEventFiles([HANDLED, list], { ignoreUnknown: false });

    // Assess
    expect(files.map((f) => f.docs.length)).toEqual([1, 2]);
  });

  it.each([
    ["a bare number", "5", "no event the governor handles: The event is not a JSON object (got a number)"],
    ["an empty list", "[]", "no event the governor handles: it holds no event (an empty list)"],
    ["an empty object", "{}", "no event the governor handles: The event is not an EventBridge event"],
  ])("refuses %s: exit 2 unless --ignore-unknown", (_label, text, message) => {
    // Prepare
    const file = scratch("event.json", text);

    // Act
    const error = errorOf([file]);

    // Assess
    expect(error).toContain(`${file}: ${message}`);
    expect(error).toMatch(/--ignore-unknown skips such files$/);
    expect(readEventFiles([file], { ignoreUnknown: true })).toHaveLength(1);
  });

  it("refuses an event about a resource the governor does not govern", () => {
    expect(errorOf([FOREIGN])).toBe(
      `${FOREIGN}: no event the governor handles: The Config evaluation is for resource type AWS::EC2::Volume, not AWS::SecretsManager::Secret; --ignore-unknown skips such files`,
    );
    expect(notHandled(JSON.parse(readFileSync(HANDLED, "utf8")))).toBeUndefined();
  });

  it("takes a file in which one event of several is handled", () => {
    const mixed = scratch(
      "mixed.json",
      JSON.stringify([JSON.parse(readFileSync(FOREIGN, "utf8")), JSON.parse(readFileSync(HANDLED, "utf8"))]),
    );
    expect(readEventFiles([mixed], { ignoreUnknown: false })[0]?.docs).toHaveLength(2);
  });

  it("names the file, line and column of a JSON syntax error", () => {
    const file = scratch("broken.json", '{\n  "source": "aws.config",\n  "detail": {\n}');
    expect(errorOf([file])).toBe(
      `${file}:4:2: not valid JSON: unexpected the end of the file: expected ',' or '}'`,
    );
  });
});

describe("governor replay of a file the governor cannot handle", () => {
  it("exits 2 before acting on any file, even the good ones before it", async () => {
    // Prepare: an account saved with --write, so that any action would show in the file.
    const account = scratch("account.json", readFileSync("examples/account.json", "utf8"));
    const before = readFileSync(account, "utf8");
    const bare = scratch("five.json", "5");

    // Act
    const { code, stdout, stderr } = await runCli(
      "replay",
      HANDLED,
      bare,
      "--account",
      account,
      "--write",
      "--mode",
      "enforce",
      "--now",
      "2026-11-23T10:00:00Z",
    );

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `governor: ${bare}: no event the governor handles: The event is not a JSON object (got a number); --ignore-unknown skips such files\n`,
    );
    expect(readFileSync(account, "utf8")).toBe(before);
  });

  it("with --ignore-unknown, skips the file and acts on the rest: exit 0", async () => {
    // Act
    const { code, stdout } = await runCli(
      "replay",
      scratch("empty.json", "[]"),
      HANDLED,
      "--account",
      "examples/account.json",
      "--now",
      "2026-11-23T10:00:00Z",
      "--ignore-unknown",
    );

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain("rule: config-compliance");
  });
});
