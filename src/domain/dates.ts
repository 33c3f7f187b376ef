/** Date arithmetic on UTC calendar days: AWS keeps LastAccessedDate to the day, in UTC. */
const DAY_MS = 86_400_000;

/** Whole UTC days since 1970-01-01 for an instant. */
export function utcDay(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

/** Calendar days from `from` to `to`, both taken as UTC dates (time of day ignored). */
export function daysBetween(from: Date, to: Date): number {
  return utcDay(to) - utcDay(from);
}

/** ISO-8601 date (YYYY-MM-DD) of an instant in UTC. */
export function isoDate(date: Date): string {
  const day = utcDay(date);
  let text = isoDateCache.get(day);
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    // Plans format the same few hundred days for every secret; keep them, within a bound.
    if (isoDateCache.size > 100_000) isoDateCache.clear();
    isoDateCache.set(day, text);
  }
  return text;
}

const isoDateCache = new Map<number, string>();

/** Midnight UTC (ms) of a YYYY-MM-DD calendar day, or NaN when that day does not exist. Cached. */
function calendarDayMs(day: string): number {
  let ms = calendarDayCache.get(day);
  if (ms === undefined) {
    ms = Date.parse(`${day}T00:00:00Z`);
    // V8 rolls 2026-02-30 over to March; a day that does not exist is an error.
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) ms = Number.NaN;
    if (calendarDayCache.size > 100_000) calendarDayCache.clear();
    calendarDayCache.set(day, ms);
  }
  return ms;
}

const calendarDayCache = new Map<string, number>();

/** Midnight UTC of `date` plus `days`. */
export function addDays(date: Date, days: number): Date {
  return new Date((utcDay(date) + days) * DAY_MS);
}

/**
 * Parses the date forms AWS CLI and SDK output use: ISO-8601 strings (with or without zone, taken as UTC when
 * without) and epoch seconds (number or numeric string, fractions allowed). Returns undefined when unparseable.
 */
export function parseAwsDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === "number") return Number.isFinite(value) ? new Date(value * 1000) : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (NUMERIC_RE.test(text)) return new Date(Number(text) * 1000);
  // Only ISO-8601 shapes: anything else V8 would read in the machine's own time zone ("Nov 21 2026").
  const iso = ISO_RE.exec(text);
  if (!iso) return undefined;
  const [, day, time, zone] = iso as unknown as [string, string, string | undefined, string | undefined];
  const midnight = calendarDayMs(day);
  if (Number.isNaN(midnight)) return undefined;
  if (time === undefined && (zone === undefined || zone === "Z" || zone === "z")) return new Date(midnight);
  const offset = zone ? zone.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2") : "Z";
  const parsed = new Date(`${day}T${time ?? "00:00:00"}${offset}`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/**
 * Parses a date the governor wrote itself into a tag (`governor:stage-since`, `governor:used-on`): an ISO-8601
 * date (YYYY-MM-DD, midnight UTC) or a full ISO-8601 timestamp. Unlike parseAwsDate it refuses epoch seconds: a
 * tag reading `20261122` is someone's typo, not the year 2612. Undefined for anything else.
 */
export function parseIsoDate(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return ISO_RE.test(text) ? parseAwsDate(text) : undefined;
}

/** "1 day", "2 days": a count of days as reasons print it. */
export function dayCount(days: number): string {
  return `${days} ${Math.abs(days) === 1 ? "day" : "days"}`;
}

const NUMERIC_RE = /^-?\d+(\.\d+)?$/;
const ISO_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?([zZ]|[+-]\d{2}:?\d{2})?$/;
