import { describe, expect, it } from "vitest";
import { inPool } from "../../src/app/pool.js";

describe("inPool", () => {
  it("answers in the items' order with at most `limit` tasks in flight", async () => {
    let running = 0;
    let peak = 0;
    const results = await inPool([30, 5, 20, 1, 10, 2], 3, async (ms) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running--;
      return ms * 2;
    });
    expect(results).toEqual([30, 5, 20, 1, 10, 2].map((ms) => ({ ok: true, value: ms * 2 })));
    expect(peak).toBe(3);
  });

  it("keeps each failure to its own item; the others still run", async () => {
    const seen: number[] = [];
    const results = await inPool([1, 2, 3], 2, async (n) => {
      seen.push(n);
      if (n === 2) throw new Error("two failed");
      return n;
    });
    expect(seen.sort()).toEqual([1, 2, 3]);
    expect(results[0]).toEqual({ ok: true, value: 1 });
    expect(results[1]?.ok).toBe(false);
    expect(results[2]).toEqual({ ok: true, value: 3 });
  });

  it("runs nothing for no items", async () => {
    expect(await inPool([], 4, async () => 1)).toEqual([]);
  });
});
