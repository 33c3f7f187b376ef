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
  return date.toISOString().slice(0, 10);
}

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
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000);
  const hasZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(text);
  const withZone = hasZone || !/T|\d{2}:\d{2}/.test(text) ? text : `${text}Z`;
  const parsed = new Date(/^\d{4}-\d{2}-\d{2}$/.test(withZone) ? `${withZone}T00:00:00Z` : withZone);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}
