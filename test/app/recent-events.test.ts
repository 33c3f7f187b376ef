import { describe, expect, it } from "vitest";
import { RecentEvents } from "../../src/app/recent-events.js";

describe("RecentEvents", () => {
  it("remembers what it was given, and forgets the oldest beyond its capacity", () => {
    const recent = new RecentEvents(2);
    for (const id of ["a", "b", "c"]) recent.add(id);
    expect([recent.has("a"), recent.has("b"), recent.has("c"), recent.size]).toEqual([false, true, true, 2]);
  });
});
