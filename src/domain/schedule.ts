/**
 * How often an EventBridge schedule expression fires, in minutes: the longest gap between two runs, so that the
 * organization plane judges an account-region silent only after two of its longest intervals.
 *
 * Syntax (EventBridge user guide, "Schedule expressions for rules"): `rate(value unit)` with unit minute(s),
 * hour(s) or day(s); `cron(minutes hours day-of-month month day-of-week year)`, six fields, UTC, one of
 * day-of-month and day-of-week `?`; `*`, `,`, `-`, `/`; `L` and `W` in day-of-month; `L` and `#` in day-of-week;
 * days of the week 1-7 = SUN-SAT or SUN..SAT; months 1-12 or JAN..DEC. The year field is ignored: a schedule
 * limited to some years still has its interval within them.
 */

export class ScheduleExpressionError extends Error {
  override readonly name = "ScheduleExpressionError";
}

/** The heartbeat carries at most a week (the contract's bound): a slower schedule is reported as a week. */
export const MAX_INTERVAL_MINUTES = 10_080;

const MINUTES_PER_DAY = 1440;
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export interface ScheduleInterval {
  /** The longest gap between two runs, at most MAX_INTERVAL_MINUTES. */
  minutes: number;
  /** The real longest gap was longer than MAX_INTERVAL_MINUTES. */
  capped: boolean;
}

/** The sweep interval of a schedule expression; throws ScheduleExpressionError when it is not one. */
export function scheduleInterval(expression: string): ScheduleInterval {
  const text = expression.trim();
  const minutes = text.startsWith("rate(")
    ? rateMinutes(text)
    : text.startsWith("cron(")
      ? cronMinutes(text)
      : fail(expression, "not rate(...) or cron(...)");
  return { minutes: Math.min(minutes, MAX_INTERVAL_MINUTES), capped: minutes > MAX_INTERVAL_MINUTES };
}

function fail(expression: string, why: string): never {
  throw new ScheduleExpressionError(`schedule expression '${expression}': ${why}`);
}

function rateMinutes(text: string): number {
  const match = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(text);
  if (!match) return fail(text, "a rate is rate(N minutes|hours|days)");
  const value = Number(match[1]);
  if (value < 1) return fail(text, "a rate must be at least 1");
  const unit = match[2] as string;
  return value * (unit.startsWith("minute") ? 1 : unit.startsWith("hour") ? 60 : MINUTES_PER_DAY);
}

/** Values of a numeric field (`*`, lists, ranges, steps), or undefined for `?`. */
function numbers(field: string, min: number, max: number, names: string[], text: string): Set<number> {
  const values = new Set<number>();
  const value = (part: string): number => {
    const upper = part.toUpperCase();
    const named = names.indexOf(upper);
    const n = named >= 0 ? named + min : /^\d+$/.test(part) ? Number(part) : Number.NaN;
    if (!(n >= min && n <= max)) fail(text, `'${part}' is out of ${min}-${max}`);
    return n;
  };
  for (const part of field.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) fail(text, `bad step in '${part}'`);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [min, max];
    else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      [from, to] = [value(a), value(b)];
      if (from > to) fail(text, `range '${range}' runs backwards`);
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
}

/** Whether a day matches the day-of-month field (`L`, `nW`, `LW` or numbers). */
function dayOfMonthMatcher(field: string, text: string): (date: Date) => boolean {
  const lastDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  if (field === "L") return (d) => d.getUTCDate() === lastDay(d);
  const weekday = /^(\d{1,2}|L)W$/.exec(field);
  if (weekday) {
    return (d) => {
      const last = lastDay(d);
      const target = weekday[1] === "L" ? last : Math.min(Number(weekday[1]), last);
      // The weekday nearest the target, within the month.
      const dow = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), target)).getUTCDay();
      let day = target;
      if (dow === 6) day = target === 1 ? 3 : target - 1;
      else if (dow === 0) day = target === last ? target - 2 : target + 1;
      return d.getUTCDate() === day;
    };
  }
  const days = numbers(field, 1, 31, [], text);
  return (d) => days.has(d.getUTCDate());
}

/** Whether a day matches the day-of-week field (`n#k`, `nL` or numbers, 1 = SUN). */
function dayOfWeekMatcher(field: string, text: string): (date: Date) => boolean {
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth) {
    const dow = [...numbers(nth[1] as string, 1, 7, WEEKDAYS, text)][0] as number;
    const k = Number(nth[2]);
    return (d) => d.getUTCDay() + 1 === dow && Math.ceil(d.getUTCDate() / 7) === k;
  }
  const last = /^(\w+)L$/.exec(field);
  if (last && field !== "L") {
    const dow = [...numbers(last[1] as string, 1, 7, WEEKDAYS, text)][0] as number;
    return (d) => d.getUTCDay() + 1 === dow && d.getUTCDate() + 7 > daysInMonth(d);
  }
  const days = numbers(field === "L" ? "7" : field, 1, 7, WEEKDAYS, text);
  return (d) => days.has(d.getUTCDay() + 1);
}

function daysInMonth(d: Date): number {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

function cronMinutes(text: string): number {
  const inner = /^cron\((.*)\)$/.exec(text)?.[1]?.trim() ?? "";
  const fields = inner.split(/\s+/);
  if (fields.length !== 6)
    return fail(text, "a cron has six fields: minutes hours day-of-month month day-of-week year");
  const [min = "", hour = "", dom = "", month = "", dow = ""] = fields;
  if ((dom === "?") === (dow === "?"))
    return fail(text, "exactly one of day-of-month and day-of-week must be ?");
  const minutes = [...numbers(min, 0, 59, [], text)].sort((a, b) => a - b);
  const hours = [...numbers(hour, 0, 23, [], text)].sort((a, b) => a - b);
  const months = numbers(month, 1, 12, MONTHS, text);
  const dayMatches = dom === "?" ? dayOfWeekMatcher(dow, text) : dayOfMonthMatcher(dom, text);
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m));
  const first = times[0] as number;
  const last = times[times.length - 1] as number;
  // Gaps within a day repeat every day it runs; between days, from the last run to the next day's first.
  let longest = first + MINUTES_PER_DAY - last;
  for (let i = 1; i < times.length; i++)
    longest = Math.max(longest, (times[i] as number) - (times[i - 1] as number));
  // Four years cover every weekday/month-length combination but a 28-year cycle's rarest: enough for a bound.
  const start = Date.UTC(2024, 0, 1);
  let previous: number | undefined;
  let runDays = 0;
  for (let day = 0; day < 4 * 366; day++) {
    const date = new Date(start + day * 86_400_000);
    if (!months.has(date.getUTCMonth() + 1) || !dayMatches(date)) continue;
    runDays++;
    if (previous !== undefined && day - previous > 1)
      longest = Math.max(longest, (day - previous) * MINUTES_PER_DAY - last + first);
    previous = day;
  }
  if (runDays === 0) return fail(text, "it never runs");
  return longest;
}
