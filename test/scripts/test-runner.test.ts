import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { allPassed, readProgress, toRunAgain } from "../../scripts/test.js";

/**
 * scripts/test.ts, the stall guard `npm test` runs vitest under: a worker that never answers again stops the run,
 * the files it left are run once more, and a file that stalls twice fails the run. The stalls are real: the
 * fixtures in test/fixtures/stall block their worker with Atomics.wait, where no test timeout can fire.
 */

const FIXTURES = resolve("test/fixtures/stall");
const fixture = (name: string) => join(FIXTURES, `${name}.check.ts`);
let dir: string;

function guard(files: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  dir = mkdtempSync(join(tmpdir(), "governor-stall-"));
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/test.ts", `--config=${join(FIXTURES, "vitest.config.ts")}`, ...files],
      {
        env: {
          ...process.env,
          GOVERNOR_TEST_STALL_SECONDS: "3",
          GOVERNOR_TEST_REPORTER: "default",
          STALL_FIXTURE_DIR: dir,
          NO_COLOR: "1",
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the test run's stall guard", { timeout: 60_000 }, () => {
  it("runs again the file whose worker stopped answering, and passes when it passes then", async () => {
    // Act
    const { code, stderr, stdout } = await guard([fixture("passes"), fixture("wedges-once")]);

    // Assess: the quiet is reported with the file that is running, then one stall, one file run again.
    expect(stderr).toMatch(
      /no test file started or finished for \d+ s \(1 of 2 done\); running:\n {2}.*wedges-once/,
    );
    expect(stderr).toContain(
      `no test file started or finished for 3 s: stopped vitest with 1 files passed, 0 failed and 1 unfinished; running these again:\n  ${fixture("wedges-once")}\n`,
    );
    expect(stdout).toMatch(/Test Files {2}1 passed \(1\)/);
    expect(stderr).toContain("of the 1 test files run again, all passed\n");
    expect(code).toBe(0);
  });

  it("fails the run when a file failed before the stall, even if it passes when run again", async () => {
    const { code, stderr } = await guard([fixture("fails-once"), fixture("wedges-once")]);
    expect(stderr).toContain("stopped vitest with 0 files passed, 1 failed and 1 unfinished");
    expect(stderr).toContain(
      "of the 2 test files run again, all passed; 1 had failed before the stall, which fails the run",
    );
    expect(code).toBe(1);
  });

  it("runs the whole suite again when every file ended but the run never did (a lost message)", async () => {
    const { code, stderr, stdout } = await guard([fixture("passes"), fixture("loses-finish-once")]);
    expect(stderr).toContain(
      "every test file finished, but vitest stopped answering for 3 s without ending the run",
    );
    expect(stderr).toContain("running all 2 again");
    expect(stdout).toMatch(/Test Files {2}2 passed \(2\)/);
    expect(code).toBe(0);
  });

  it("fails the run when a file stalls twice, naming it", async () => {
    const { code, stderr } = await guard([fixture("passes"), fixture("wedges")]);
    expect(stderr).toContain(`these test files stalled twice:\n  ${fixture("wedges")}`);
    expect(code).toBe(1);
  });

  it("passes vitest's own exit code through when nothing stalls: a failing test fails the run, once", async () => {
    const { code, stderr, stdout } = await guard([fixture("passes"), fixture("fails")]);
    expect(stderr).not.toContain("test guard:");
    expect(stdout).toMatch(/Test Files {2}1 failed \| 1 passed \(2\)/);
    expect(code).toBe(1);
  });
});

describe("the progress the reporter writes", () => {
  const lines = [
    { event: "planned", files: ["/a.test.ts", "/b.test.ts", "/c.test.ts", "/d.test.ts"] },
    { event: "started", file: "/a.test.ts" },
    { event: "ended", file: "/a.test.ts", state: "passed" },
    { event: "ended", file: "/b.test.ts", state: "failed" },
    { event: "ended", file: "/c.test.ts", state: "skipped" },
    { event: "started", file: "/d.test.ts" },
  ]
    .map((l) => JSON.stringify(l))
    .join("\n");

  it("runs again what never ended and what failed, not what passed or was skipped; a line cut off is ignored", () => {
    const progress = readProgress(`${lines}\n{"event":"ended","file":"/d.te`);
    expect(toRunAgain(progress)).toEqual(["/b.test.ts", "/d.test.ts"]);
    expect(allPassed(progress)).toBe(false);
  });

  it("counts a run as passed only when every planned file passed or was skipped and no error was reported", () => {
    const done = `${lines}\n${JSON.stringify({ event: "ended", file: "/d.test.ts", state: "passed" })}`;
    const fixed = done.replace('"/b.test.ts","state":"failed"', '"/b.test.ts","state":"passed"');
    expect(allPassed(readProgress(fixed))).toBe(true);
    expect(allPassed(readProgress(`${fixed}\n{"event":"run-ended","reason":"failed","errors":1}`))).toBe(
      false,
    );
    expect(allPassed(readProgress(""))).toBe(false);
    const ended = (reason: string) =>
      `${fixed}\n${JSON.stringify({ event: "run-ended", reason, errors: 0 })}`;
    expect(allPassed(readProgress(ended("interrupted")))).toBe(false);
    expect(allPassed(readProgress(ended("passed")))).toBe(true);
  });
});
