import { describe, expect, it } from "vitest";
import { formatDuration, ProgressLine } from "../../src/cli/progress.js";

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [0.4, "0 s"],
    [42.5, "43 s"],
    [185, "3 min 05 s"],
    [3_725, "1 h 02 min"],
  ])("%s seconds: %s", (seconds, shown) => {
    expect(formatDuration(seconds)).toBe(shown);
  });
});

describe("ProgressLine", () => {
  /** A status line that records what is drawn, and a clock the test moves. */
  function harness() {
    const drawn: string[] = [];
    let now = 0;
    const line = new ProgressLine(
      { show: (text) => drawn.push(text), clear: () => drawn.push("<clear>") },
      "sweep",
      () => now,
    );
    return { drawn, line, at: (ms: number) => (now = ms) };
  }

  it("draws the count, the rate so far and the time left at that rate, at most every 250 ms", () => {
    // Prepare
    const { drawn, line, at } = harness();

    // Act: 100 actions, one every 40 ms (25 a second, the default pace of tags).
    for (let done = 0; done <= 100; done++) {
      at(done * 40);
      line.update({ done, total: 100 });
    }
    at(4_100);
    const seconds = line.finish();

    // Assess
    expect(drawn[0]).toBe("sweep: 0/100 actions (0%)");
    expect(drawn[1]).toBe("sweep: 7/100 actions (7%), 25.0/s, about 4 s left");
    expect(drawn).toContain("sweep: 49/100 actions (49%), 25.0/s, about 2 s left");
    expect(drawn.at(-2)).toBe("sweep: 100/100 actions (100%), 25.0/s, about 0 s left");
    expect(drawn.at(-1)).toBe("<clear>");
    // 4 s of run: a frame per 250 ms at most (7 actions apart), the last, and the clear.
    expect(drawn).toHaveLength(Math.ceil(100 / 7) + 2);
    expect(seconds).toBeCloseTo(4.1);
  });

  it("draws nothing for a plan with no action", () => {
    const { drawn, line } = harness();
    line.update({ done: 0, total: 0 });
    expect(drawn).toEqual([]);
  });
});
