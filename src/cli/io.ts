import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import type { PolicyText } from "../policy/load.js";

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour on stdout: a terminal without NO_COLOR. */
  color: boolean;
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
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
  return files.map((file) => ({ path: file, text: readText(file, "policy file") }));
}
