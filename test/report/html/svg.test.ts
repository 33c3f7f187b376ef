import { describe, expect, it } from "vitest";
import { topSlices } from "../../../src/report/html/page.js";
import { barChart } from "../../../src/report/html/svg-bars.js";
import { funnelChart } from "../../../src/report/html/svg-funnel.js";
import { MAX_MARKERS, timelineChart } from "../../../src/report/html/svg-timeline.js";

const attrs = (svg: string, name: string) =>
  [...svg.matchAll(new RegExp(`${name}="([^"]*)"`, "g"))].map((m) => m[1]);

describe("barChart", () => {
  it("writes each bar's figures as text and data attributes, to the cent, the longest bar the largest", () => {
    const svg = barChart({
      id: "t",
      title: "t",
      empty: "none",
      bars: [
        { key: "data", label: "data", usd: 1.2000000000000002, secrets: 3, colour: "#000" },
        { key: "ops", label: "ops", usd: 0.4, secrets: 1, colour: "#000" },
      ],
    });
    expect(attrs(svg, "data-usd")).toEqual(["1.20", "0.40"]);
    expect(attrs(svg, "data-secrets")).toEqual(["3", "1"]);
    expect(svg).toContain(">$1.20</text>");
    expect(svg).toContain(">1 secret</text>");
    const widths = [...svg.matchAll(/<rect x="160" y="\d+" width="([\d.]+)" height="20" rx="5" fill=/g)].map(
      (m) => Number(m[1]),
    );
    expect(widths).toEqual([270, 90]);
  });

  it("says so when there is nothing to chart", () => {
    expect(barChart({ id: "t", title: "t", empty: "No unused secrets", bars: [] })).toContain(
      ">No unused secrets<",
    );
  });
});

describe("topSlices", () => {
  it("keeps the largest and sums the rest into one slice, so the chart still adds up", () => {
    const slices = Array.from({ length: 15 }, (_, i) => ({
      key: `t${i}`,
      label: `t${i}`,
      usd: 0.4,
      secrets: 1,
    }));
    const top = topSlices(slices, 12);
    expect(top).toHaveLength(12);
    expect(top[11]).toEqual({ key: "", label: "4 other teams", usd: 1.6, secrets: 4 });
    expect(top.reduce((t, s) => t + Math.round(s.usd * 100), 0)).toBe(600);
  });
});

describe("funnelChart", () => {
  it("carries each stage's reached, here and cost", () => {
    const svg = funnelChart([
      { stage: "flagged", reached: 7, here: 4, usd: 1.6 },
      { stage: "quarantined", reached: 3, here: 1, usd: 0.4 },
      { stage: "deletion-scheduled", reached: 2, here: 2, usd: 0.4 },
    ]);
    expect(attrs(svg, "data-reached")).toEqual(["7", "3", "2"]);
    expect(attrs(svg, "data-here")).toEqual(["4", "1", "2"]);
    expect(attrs(svg, "data-usd")).toEqual(["1.60", "0.40", "0.40"]);
  });
});

describe("timelineChart", () => {
  const due = (i: number) => ({
    arn: `a${i}`,
    name: `<b>n${i}</b>`,
    team: null,
    date: "2026-12-09",
    days: 16,
    kind: "final" as const,
  });

  it("places each deletion on its day, the names as text, and labels that would overlap on lanes of their own", () => {
    const svg = timelineChart([due(1), due(2)], "2026-11-23", 30);
    expect(attrs(svg, "data-date")).toEqual(["2026-12-09", "2026-12-09"]);
    expect(svg).not.toContain("<b>");
    expect(svg).toContain("&lt;b&gt;n1&lt;/b&gt;");
    const ys = [...svg.matchAll(/class="due-label">/g)].length;
    expect(ys).toBe(2);
    expect(new Set([...svg.matchAll(/<path d="M[\d.]+ ([\d.]+) l7 7/g)].map((m) => m[1])).size).toBe(2);
  });

  it(`draws at most ${MAX_MARKERS} markers and says how many more`, () => {
    const svg = timelineChart(
      Array.from({ length: MAX_MARKERS + 5 }, (_, i) => due(i)),
      "2026-11-23",
      30,
    );
    expect(attrs(svg, "data-date")).toHaveLength(MAX_MARKERS);
    expect(attrs(svg, "data-more")).toEqual(["5"]);
  });
});
