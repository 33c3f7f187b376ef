import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm test`'s vitest step, under a stall guard. vitest waits on its workers with no deadline: a worker that stops
 * answering (a lost IPC message, an event loop that never turns again) leaves the run waiting forever, past every
 * test and hook timeout (vitest-dev/vitest#10162; nodejs/node#55834 for one such loss). Here, when no file starts
 * or finishes for GOVERNOR_TEST_STALL_SECONDS (default 300; the slowest file takes about 25 s), the run is
 * stopped, the files that had not finished are named and run once more with any that failed (for their full
 * report). A file that stalls twice fails the run, and so does a file that failed before the stall, even when it
 * passes the second time. A stall after every file finished runs the whole suite again (what vitest reports only
 * at the end, unhandled errors, is otherwise unknown); a run that ended but whose vitest does not exit is stopped
 * after a minute and judged on what it reported.
 *
 * Usage: node --import tsx scripts/test.ts [--vitest-option=value ...] [file filters ...]
 * GOVERNOR_TEST_REPORTER picks vitest's reporter (default "default"; .ci/run uses "minimal": failures only).
 */

const VITEST = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
const REPORTER = fileURLToPath(new URL("./test-progress-reporter.ts", import.meta.url));
const EXIT_GRACE_MS = 60_000;
/** A quiet this long is reported (with the files running), so a log shows where a stall began. */
const QUIET_MS = 60_000;
const POLL_MS = 1_000;

export interface Progress {
  planned: string[];
  started: Set<string>;
  /** File -> its final state ("passed", "failed", "skipped"). */
  ended: Map<string, string>;
  runEnded?: { reason: string; errors: number };
}

/** Parses the reporter's lines (a line cut off by a kill is ignored). */
export function readProgress(text: string): Progress {
  const progress: Progress = { planned: [], started: new Set(), ended: new Map() };
  for (const line of text.split("\n")) {
    let event: {
      event?: string;
      files?: string[];
      file?: string;
      state?: string;
      reason?: string;
      errors?: number;
    };
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (event.event === "planned") progress.planned = event.files ?? [];
    else if (event.event === "started" && event.file) progress.started.add(event.file);
    else if (event.event === "ended" && event.file) progress.ended.set(event.file, event.state ?? "failed");
    else if (event.event === "run-ended")
      progress.runEnded = { reason: event.reason ?? "", errors: event.errors ?? 0 };
  }
  return progress;
}

/** The files to run again: those that never finished, and those that failed (so their errors are printed in full). */
export function toRunAgain(progress: Progress): string[] {
  return progress.planned.filter((f) => {
    const state = progress.ended.get(f);
    return state === undefined || state === "failed";
  });
}

/** The files that started and have not finished. */
export function running(progress: Progress): string[] {
  return [...progress.started].filter((f) => !progress.ended.has(f));
}

/** Did every planned file finish without a failure? */
export function allPassed(progress: Progress): boolean {
  return (
    progress.planned.length > 0 &&
    progress.planned.every((f) => ["passed", "skipped"].includes(progress.ended.get(f) ?? "")) &&
    (progress.runEnded?.errors ?? 0) === 0 &&
    (progress.runEnded === undefined || progress.runEnded.reason === "passed")
  );
}

interface Attempt {
  progress: Progress;
  /** vitest's exit code, or null when the guard stopped it. */
  code: number | null;
  stalled: boolean;
}

function say(text: string): void {
  process.stderr.write(`\ntest guard: ${text}\n`);
}

/** One vitest run, stopped (its whole process group: workers, moto_server, Chromium) when it stalls. */
function attempt(args: readonly string[], stallMs: number): Promise<Attempt> {
  const dir = mkdtempSync(join(tmpdir(), "governor-test-"));
  const file = join(dir, "progress.ndjson");
  const child = spawn(
    process.execPath,
    [
      VITEST,
      "run",
      `--reporter=${process.env.GOVERNOR_TEST_REPORTER ?? "default"}`,
      `--reporter=${REPORTER}`,
      ...args,
    ],
    {
      stdio: "inherit",
      detached: true,
      env: { ...process.env, GOVERNOR_TEST_PROGRESS: file },
    },
  );
  const stop = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const forward = (signal: NodeJS.Signals) => () => stop(signal);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);

  return new Promise((done) => {
    let size = 0;
    let lastChange = Date.now();
    let endedAt: number | undefined;
    let stalled = false;
    let quietSaid = false;
    const read = () => readProgress(existsSync(file) ? readFileSync(file, "utf8") : "");
    const finish = (code: number | null) => {
      clearInterval(timer);
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      const progress = read();
      rmSync(dir, { recursive: true, force: true });
      done({ progress, code, stalled });
    };
    child.once("exit", (code) => {
      // The group may still hold a moto_server or a browser a test left behind: stop it with its vitest.
      stop("SIGKILL");
      finish(code);
    });
    const timer = setInterval(() => {
      const now = Date.now();
      const current = existsSync(file) ? statSync(file).size : 0;
      if (current !== size) {
        size = current;
        lastChange = now;
        quietSaid = false;
        if (endedAt === undefined && read().runEnded) endedAt = now;
      }
      if (endedAt !== undefined && now - endedAt > EXIT_GRACE_MS) {
        say(
          `vitest reported the end of the run but did not exit within ${EXIT_GRACE_MS / 1000} s: stopped it`,
        );
        endedAt = now;
        stop("SIGKILL");
      } else if (endedAt === undefined && !quietSaid && now - lastChange > Math.min(QUIET_MS, stallMs / 2)) {
        quietSaid = true;
        const progress = read();
        say(
          `no test file started or finished for ${Math.round((now - lastChange) / 1000)} s (${progress.ended.size} of ${progress.planned.length} done); running:\n  ${running(progress).join("\n  ") || "(none)"}`,
        );
      }
      if (endedAt === undefined && !stalled && now - lastChange > stallMs) {
        stalled = true;
        stop("SIGKILL");
      }
    }, POLL_MS);
  });
}

async function main(argv: string[]): Promise<number> {
  const stallMs = Number(process.env.GOVERNOR_TEST_STALL_SECONDS ?? 300) * 1000;
  const first = await attempt(argv, stallMs);
  if (!first.stalled) {
    if (first.code !== null) return first.code;
    return allPassed(first.progress) ? 0 : 1;
  }
  const { planned, ended } = first.progress;
  if (planned.length === 0) {
    say(`vitest planned no test file within ${stallMs / 1000} s: stopped it`);
    return 1;
  }
  const failed = planned.filter((f) => ended.get(f) === "failed");
  const unfinished = planned.filter((f) => !ended.has(f));
  // Every file ended but the run did not: what vitest reports only at its end (unhandled errors) is unknown,
  // so the whole run goes again.
  const again = unfinished.length === 0 && failed.length === 0 ? planned : toRunAgain(first.progress);
  say(
    unfinished.length === 0 && failed.length === 0
      ? `every test file finished, but vitest stopped answering for ${stallMs / 1000} s without ending the run: stopped it; running all ${again.length} again`
      : `no test file started or finished for ${stallMs / 1000} s: stopped vitest with ${ended.size - failed.length} files passed, ${failed.length} failed and ${unfinished.length} unfinished; running these again:\n  ${again.join("\n  ")}`,
  );
  // The same options, only these files: a shard of them would leave some out. (Options take their value as
  // --name=value; a file left out by any other mistake shows below as never ended.)
  const options = argv.filter((a) => a.startsWith("-") && !a.startsWith("--shard"));
  const second = await attempt([...options, ...again.map((f) => resolve(f))], stallMs);
  const notRun = again.filter((f) => !second.progress.ended.has(f));
  if (second.stalled) {
    say(`these test files stalled twice:\n  ${notRun.join("\n  ")}`);
    return 1;
  }
  const passedAgain =
    notRun.length === 0 &&
    again.every((f) => ["passed", "skipped"].includes(second.progress.ended.get(f) ?? "")) &&
    (second.code ?? (allPassed(second.progress) ? 0 : 1)) === 0;
  if (notRun.length > 0) say(`these test files were not run again:\n  ${notRun.join("\n  ")}`);
  // A file that failed before the stall fails the run, even when it passes the second time.
  say(
    `of the ${again.length} test files run again, ${passedAgain ? "all passed" : "some did not pass (above)"}${failed.length > 0 ? `; ${failed.length} had failed before the stall, which fails the run` : ""}`,
  );
  return passedAgain && failed.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2)).then((code) => process.exit(code));
