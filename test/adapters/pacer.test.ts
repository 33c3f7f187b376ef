import { afterEach, describe, expect, it, vi } from "vitest";
import { WRITE_FAMILIES, type WriteFamily, WritePacer } from "../../src/adapters/pacer.js";

/** A clock that only moves when the pacer sleeps: elapsed time is exactly what pacing cost. */
function fakeTime() {
  const time = { now: 0, sleeps: 0 };
  return {
    time,
    clock: () => time.now,
    sleep: async (ms: number) => {
      time.sleeps += 1;
      time.now += ms;
    },
  };
}

/** The most calls seen in any window of `windowMs`, from sorted grant times. */
function maxInWindow(times: number[], windowMs: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

async function grantTimes(pacer: WritePacer, family: WriteFamily, calls: number, clock: () => number) {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    await pacer.take(family);
    times.push(clock());
  }
  return times;
}

describe("WritePacer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(WRITE_FAMILIES)("takes half of the 50/s quota by default for %s", async (family) => {
    const { time, clock, sleep } = fakeTime();
    const pacer = new WritePacer({ clock, sleep });
    expect(pacer.rate(family)).toBe(25);
    const times = await grantTimes(pacer, family, 255, clock);
    // A burst of 5, then one call every 40 ms: 250 calls on credit take 10 s.
    expect(time.now).toBeCloseTo(10_000, 6);
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(25 + 5);
    const sustained = times.slice(100);
    expect(maxInWindow(sustained, 1000)).toBeLessThanOrEqual(25);
  });

  it.each([
    { share: 1, rate: 50, calls: 110, elapsedMs: 2000 },
    { share: 0.2, rate: 10, calls: 22, elapsedMs: 2000 },
    { share: 0.02, rate: 1, calls: 4, elapsedMs: 3000 },
  ])("share $share gives $rate calls per second", async ({ share, rate, calls, elapsedMs }) => {
    const { time, clock, sleep } = fakeTime();
    const pacer = new WritePacer({ share, clock, sleep });
    expect(pacer.rate("tag")).toBeCloseTo(rate, 9);
    await grantTimes(pacer, "tag", calls, clock);
    expect(time.now).toBeCloseTo(elapsedMs, 6);
  });

  it("paces at a share of the quotas it is given, family by family", async () => {
    const { clock, sleep } = fakeTime();
    const pacer = new WritePacer({ share: 0.5, quotas: { tag: 500 }, clock, sleep });
    expect(pacer.rate("tag")).toBe(250);
    expect(pacer.rate("delete")).toBe(25);
    const times = await grantTimes(pacer, "tag", 1000, clock);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(250 + 50);
  });

  it("keeps the families apart: deletions do not wait for tagging", async () => {
    const { time, clock, sleep } = fakeTime();
    const pacer = new WritePacer({ clock, sleep, burst: 1 });
    await grantTimes(pacer, "tag", 26, clock);
    expect(time.now).toBeCloseTo(1000, 6);
    const before = time.sleeps;
    await pacer.take("delete");
    await pacer.take("restore");
    await pacer.take("resource-policy");
    expect(time.sleeps).toBe(before);
  });

  it("refills while idle, but never beyond the burst", async () => {
    const { time, clock, sleep } = fakeTime();
    const pacer = new WritePacer({ clock, sleep, burst: 3 });
    await grantTimes(pacer, "tag", 3, clock);
    expect(time.sleeps).toBe(0);
    time.now += 60_000;
    await grantTimes(pacer, "tag", 3, clock);
    expect(time.sleeps).toBe(0);
    await pacer.take("tag");
    expect(time.sleeps).toBe(1);
  });

  it("queues concurrent callers at the rate", async () => {
    vi.useFakeTimers();
    const pacer = new WritePacer({ clock: () => Date.now() });
    let done = 0;
    const all = Promise.all(
      Array.from({ length: 80 }, () =>
        pacer.take("resource-policy").then(() => {
          done += 1;
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(5);
    await vi.advanceTimersByTimeAsync(1000);
    expect(done).toBe(30);
    await vi.advanceTimersByTimeAsync(2000);
    expect(done).toBe(80);
    await all;
  });

  it.each([{ share: 0 }, { share: 1.5 }, { share: Number.NaN }, { burst: 0 }])("rejects %j", (options) => {
    expect(() => new WritePacer(options)).toThrow(RangeError);
  });
});
