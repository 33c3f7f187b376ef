import { describe, expect, it } from "vitest";
import {
  MAX_INTERVAL_MINUTES,
  ScheduleExpressionError,
  scheduleInterval,
} from "../../src/domain/schedule.js";

describe("scheduleInterval", () => {
  it.each([
    ["rate(1 minute)", 1],
    ["rate(5 minutes)", 5],
    ["rate(1 hour)", 60],
    ["rate(12 hours)", 720],
    ["rate(1 day)", 1440],
    ["rate(3 days)", 4320],
    // The stack's default: daily at 06:00 UTC.
    ["cron(0 6 * * ? *)", 1440],
    ["cron(0 6,18 * * ? *)", 720],
    // Uneven hours: the longest gap counts (18:00 to 06:00).
    ["cron(0 6,12,18 * * ? *)", 720],
    ["cron(*/15 * * * ? *)", 15],
    // The last run at 17:40, the next at 08:00.
    ["cron(0/20 8-17 * * ? *)", 860],
    // Weekdays only: Friday 06:00 to Monday 06:00.
    ["cron(0 6 ? * MON-FRI *)", 3 * 1440],
    ["cron(0 6 ? * 2-6 *)", 3 * 1440],
    ["cron(30 2 ? * SUN *)", 7 * 1440],
    ["cron(0 6 ? * 1 *)", 7 * 1440],
  ])("%s: every %i minutes at the longest", (expression, minutes) => {
    expect(scheduleInterval(expression)).toEqual({ minutes, capped: false });
  });

  it.each([
    "cron(0 6 1 * ? *)",
    "cron(0 6 L * ? *)",
    "cron(0 6 15W * ? *)",
    "cron(0 6 ? * 2#1 *)",
    "cron(0 6 ? * 6L *)",
    "cron(0 0 1 JAN ? *)",
  ])("%s: slower than weekly, reported as a week and capped", (expression) => {
    expect(scheduleInterval(expression)).toEqual({ minutes: MAX_INTERVAL_MINUTES, capped: true });
  });

  it.each([
    "rate(0 minutes)",
    "rate(5 weeks)",
    "rate(five minutes)",
    "cron(0 6 * * * *)",
    "cron(0 6 ? * ? *)",
    "cron(0 6 * *)",
    "cron(61 6 * * ? *)",
    "cron(0 24 * * ? *)",
    "cron(0 6 ? * 8 *)",
    "cron(0 6 31 FEB ? *)",
    "every day",
    "",
  ])("refuses %j", (expression) => {
    expect(() => scheduleInterval(expression)).toThrow(ScheduleExpressionError);
  });
});
