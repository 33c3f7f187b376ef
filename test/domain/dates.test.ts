import { describe, expect, it } from "vitest";
import {
  addDays,
  dayCount,
  daysBetween,
  isoDate,
  parseAwsDate,
  parseIsoDate,
  utcDay,
} from "../../src/domain/dates.js";

describe("parseAwsDate", () => {
  it.each([
    ["ISO with Z", "2026-11-21T10:00:00Z", "2026-11-21T10:00:00.000Z"],
    ["ISO with +00:00 (AWS CLI)", "2026-11-21T10:00:00+00:00", "2026-11-21T10:00:00.000Z"],
    ["ISO with microseconds (Config)", "2026-11-22T10:00:00.123000+00:00", "2026-11-22T10:00:00.123Z"],
    ["ISO with a non-UTC offset", "2026-11-23T01:00:00+05:00", "2026-11-22T20:00:00.000Z"],
    ["ISO with an offset without colon", "2026-11-23T01:00:00+0500", "2026-11-22T20:00:00.000Z"],
    ["ISO without zone is UTC", "2026-11-21T10:00:00", "2026-11-21T10:00:00.000Z"],
    ["ISO with a space and no zone is UTC", "2026-11-21 10:00:00", "2026-11-21T10:00:00.000Z"],
    ["a date alone is midnight UTC", "2026-11-21", "2026-11-21T00:00:00.000Z"],
    ["the leap day", "2028-02-29", "2028-02-29T00:00:00.000Z"],
    ["epoch seconds", 1751328000, "2025-07-01T00:00:00.000Z"],
    ["fractional epoch seconds", 1704067200.123, "2024-01-01T00:00:00.123Z"],
    ["epoch seconds as a string", "1751328000.5", "2025-07-01T00:00:00.500Z"],
    ["a Date", new Date("2026-01-01T00:00:00Z"), "2026-01-01T00:00:00.000Z"],
  ])("parses %s", (_label, value, expected) => {
    // Act
    const date = parseAwsDate(value);

    // Assess
    expect(date?.toISOString()).toBe(expected);
  });

  it.each([
    ["free text", "last tuesday"],
    ["a locale date (would depend on the machine's time zone)", "Nov 21 2026"],
    ["an empty string", "   "],
    ["an impossible month", "2026-13-01"],
    ["a day that does not exist (V8 would roll it into March)", "2026-02-30T00:00:00Z"],
    ["no leap day in 2026", "2026-02-29"],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["an invalid Date", new Date("nope")],
    ["a boolean", true],
    ["an object", { date: "2026-01-01" }],
  ])("rejects %s", (_label, value) => {
    // Act
    const date = parseAwsDate(value);

    // Assess
    expect(date).toBeUndefined();
  });
});

describe("UTC day arithmetic", () => {
  it.each([
    ["same day, different hours", "2026-11-23T00:00:00Z", "2026-11-23T23:59:59Z", 0],
    ["one second across midnight", "2026-11-22T23:59:59Z", "2026-11-23T00:00:00Z", 1],
    ["exactly 90 days", "2026-08-25T00:00:00Z", "2026-11-23T00:00:00Z", 90],
    ["91 days", "2026-08-24T12:00:00Z", "2026-11-23T00:00:00Z", 91],
    ["across a leap day", "2028-02-28T00:00:00Z", "2028-03-01T00:00:00Z", 2],
    ["a non-UTC offset counts by its UTC date", "2026-11-23T01:00:00+05:00", "2026-11-23T00:00:00Z", 1],
    ["backwards is negative", "2026-11-23T00:00:00Z", "2026-11-20T00:00:00Z", -3],
  ])("daysBetween: %s", (_label, from, to, expected) => {
    // Act
    const days = daysBetween(new Date(from), new Date(to));

    // Assess
    expect(days).toBe(expected);
  });

  it.each([
    ["a plain day", "2026-11-23T15:00:00Z", 14, "2026-12-07T00:00:00.000Z"],
    ["into the leap day", "2028-02-28T10:00:00Z", 1, "2028-02-29T00:00:00.000Z"],
    ["over the leap day", "2028-02-29T00:00:00Z", 1, "2028-03-01T00:00:00.000Z"],
    ["across the year", "2026-12-25T00:00:00Z", 30, "2027-01-24T00:00:00.000Z"],
    ["zero days is midnight of the same UTC day", "2026-11-23T01:00:00+05:00", 0, "2026-11-22T00:00:00.000Z"],
  ])("addDays: %s", (_label, from, days, expected) => {
    // Act
    const date = addDays(new Date(from), days);

    // Assess
    expect(date.toISOString()).toBe(expected);
  });

  it.each([
    ["UTC midnight", "2026-11-23T00:00:00Z", "2026-11-23"],
    [
      "a +05:00 offset one hour after its midnight is still yesterday in UTC",
      "2026-11-23T01:00:00+05:00",
      "2026-11-22",
    ],
    ["a -08:00 evening is tomorrow in UTC", "2026-11-22T20:00:00-08:00", "2026-11-23"],
    ["the leap day", "2028-02-29T23:59:59Z", "2028-02-29"],
  ])("isoDate: %s", (_label, value, expected) => {
    // Act
    const text = isoDate(new Date(value));

    // Assess
    expect(text).toBe(expected);
  });

  it("utcDay counts whole days since the epoch, flooring before 1970", () => {
    // Act
    const days = [utcDay(new Date("1970-01-02T00:00:00Z")), utcDay(new Date("1969-12-31T23:00:00Z"))];

    // Assess
    expect(days).toEqual([1, -1]);
  });
});

describe("parseIsoDate (dates the governor writes into tags)", () => {
  it.each([
    ["a date", "2026-11-22", "2026-11-22T00:00:00.000Z"],
    ["a date with spaces around it", " 2026-11-22 ", "2026-11-22T00:00:00.000Z"],
    ["a full timestamp in UTC", "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.000Z"],
    ["a full timestamp with milliseconds", "2026-11-22T10:00:00.250Z", "2026-11-22T10:00:00.250Z"],
    ["a full timestamp with an offset", "2026-11-22T10:00:00+01:00", "2026-11-22T09:00:00.000Z"],
    ["a compact numeric date (not epoch seconds)", "20261122", undefined],
    ["epoch seconds", "1795305600", undefined],
    ["epoch seconds as a number", 1795305600, undefined],
    ["a day that does not exist", "2026-02-30", undefined],
    ["free text", "last week", undefined],
    ["nothing", undefined, undefined],
  ])("%s", (_label, value, expected) => {
    // Act
    const date = parseIsoDate(value);

    // Assess
    expect(date?.toISOString()).toBe(expected);
  });
});

describe("dayCount", () => {
  it.each([
    [0, "0 days"],
    [1, "1 day"],
    [2, "2 days"],
    [-1, "-1 day"],
    [145, "145 days"],
  ])("%i -> %s", (days, expected) => {
    // Act
    const text = dayCount(days);

    // Assess
    expect(text).toBe(expected);
  });
});
