import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError, PolicyValidationError } from "../errors.js";
import type { PolicyText } from "../policy/load.js";
import {
  renderText,
  STATUS_LINE_CLEAR,
  statusLineText,
  type Text,
  terminalCsv,
  terminalJson,
} from "./terminal.js";

/** The raw outside world: the process's streams, or a test's capture. Only `terminal` writes to it. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour on stdout: a terminal without NO_COLOR. */
  color: boolean;
  /** stderr is a terminal: a long run may redraw a status line there. */
  stderrIsTTY?: boolean;
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
}

/**
 * What commands print through: the one chokepoint. Every text goes through the terminal sanitiser and the CLI's
 * own colours (`paint`, on stdout when `CliIO.color`) are added after it; JSON has every character a terminal
 * could act on escaped as `\uXXXX`. Properties, not methods, so a raw `CliIO` cannot be passed for one.
 */
export interface Terminal {
  readonly stdout: (...text: Text[]) => void;
  readonly stderr: (...text: Text[]) => void;
  /** A JSON document on stdout, indented, on its own line. */
  readonly json: (value: unknown) => void;
  /** A CSV document on stdout, its CRLF record ends kept (`terminalCsv`). */
  readonly csv: (text: string) => void;
  /**
   * A line on stderr redrawn in place (progress), only when stderr is a terminal. Cleaned to one line like any
   * text; the carriage return and erase-line around it are the CLI's own, as its colours are.
   */
  readonly status?: StatusLine;
  readonly cwd: string;
}

export interface StatusLine {
  show(line: string): void;
  /** Erases the line, so that what is printed next starts on a clean one. */
  clear(): void;
}

export function terminal(io: CliIO): Terminal {
  return {
    stdout: (...text) => io.stdout(renderText(text, io.color)),
    // Never coloured: `color` is about stdout, and stderr may well be a log file.
    stderr: (...text) => io.stderr(renderText(text, false)),
    json: (value) => io.stdout(renderText(`${terminalJson(value, 2)}\n`, false)),
    csv: (text) => io.stdout(terminalCsv(text)),
    ...(io.stderrIsTTY
      ? {
          status: {
            show: (line: string) => io.stderr(statusLineText(line)),
            clear: () => io.stderr(STATUS_LINE_CLEAR),
          },
        }
      : {}),
    cwd: io.cwd,
  };
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new InputError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      path,
      {
        cause: error,
      },
    );
  }
}

/** A policy file, or every .yml/.yaml file of a directory in name order. */
export function readPolicyTexts(path: string): PolicyText[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new InputError(
      `cannot read policy ${path}: ${(error as NodeJS.ErrnoException).code ?? "not found"}`,
      path,
      {
        cause: error,
      },
    );
  }
  const files = isDirectory
    ? readdirSync(path)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(path, f))
    : [path];
  if (files.length === 0)
    throw new PolicyValidationError([
      { file: path, message: "no policy files found: the directory has no .yml or .yaml file" },
    ]);
  return files.map((file) => ({ path: file, text: readText(file, "policy file") }));
}
