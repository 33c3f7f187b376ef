import { isCloudTrailRecord, wrapCloudTrailRecord } from "../domain/cloudtrail-record.js";
import { parseEvent } from "../domain/events.js";
import { matchRule } from "../domain/rules.js";
import { InputError } from "../errors.js";
import { readText } from "./io.js";
import { jsonSyntaxError, lineAndColumn } from "./json-position.js";

/** One input file of `replay`: the events in it, as the handlers would receive them. */
export interface EventFile {
  file: string;
  docs: unknown[];
}

/** The JSON of a file, or an InputError at `file:line:col` saying what breaks it. */
export function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const at = jsonSyntaxError(text);
    if (!at)
      throw new InputError(`${file}: not valid JSON: ${(error as Error).message}`, file, { cause: error });
    const { line, col } = lineAndColumn(text, at.offset);
    throw new InputError(`${file}:${line}:${col}: not valid JSON: ${at.message}`, file, { cause: error });
  }
}

/** Why the governor does nothing with this document, or undefined when it handles it. */
export function notHandled(doc: unknown): string | undefined {
  const parsed = parseEvent(doc);
  if (!parsed.ok) return parsed.reason;
  return matchRule(doc) === null ? "no rule in rules/ matches this event" : undefined;
}

/**
 * Every event file, read and checked before any is acted on: an event, an array of them, or CloudTrail's own
 * records (a log file's Records, a bare record). A file that is not JSON, or holds no event the governor
 * handles, is bad input (an InputError: exit 2), unless `ignoreUnknown` says such files are to be skipped.
 */
export function readEventFiles(paths: readonly string[], options: { ignoreUnknown: boolean }): EventFile[] {
  return paths.map((file) => {
    const parsed = parseJson(file, readText(file, "event"));
    const list: unknown[] = Array.isArray(parsed)
      ? parsed
      : Array.isArray((parsed as { Records?: unknown })?.Records)
        ? (parsed as { Records: unknown[] }).Records
        : [parsed];
    const docs = list.map((doc) => (isCloudTrailRecord(doc) ? wrapCloudTrailRecord(doc) : doc));
    if (!options.ignoreUnknown && !docs.some((doc) => notHandled(doc) === undefined)) {
      const why = docs.length === 0 ? "it holds no event (an empty list)" : notHandled(docs[0]);
      throw new InputError(
        `${file}: no event the governor handles${docs.length > 1 ? ` among ${docs.length}` : ""}: ${why?.replace(/\.$/, "")}; --ignore-unknown skips such files`,
        file,
      );
    }
    return { file, docs };
  });
}
