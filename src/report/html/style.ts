/** The page's one stylesheet, inline and allowed by its hash. System fonts only: nothing is fetched. */
export const PAGE_STYLE = `
:root { --bg: #f4f6fb; --card: #fff; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --accent: #4f46e5; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background: linear-gradient(120deg, #1e1b4b, #4338ca 60%, #6366f1); color: #fff; padding: 28px 32px 72px; }
header h1 { margin: 0 0 6px; font-size: 24px; font-weight: 650; letter-spacing: -0.01em; }
header p { margin: 0; opacity: 0.85; }
.pill { display: inline-block; padding: 2px 10px; margin-left: 8px; border-radius: 999px; font-size: 12px;
  background: rgba(255,255,255,0.18); vertical-align: middle; }
.pill.enforce { background: #fde68a; color: #78350f; }
main { max-width: 1400px; margin: -52px auto 40px; padding: 0 24px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 14px; }
.card { background: var(--card); border-radius: 14px; padding: 16px 18px;
  box-shadow: 0 1px 2px rgba(15,23,42,0.06), 0 4px 16px rgba(15,23,42,0.06); }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; }
.card .value { font-size: 28px; font-weight: 700; margin-top: 4px; font-variant-numeric: tabular-nums; }
.card .hint { color: var(--muted); font-size: 12px; }
.card.good .value { color: #047857; }
.card.warn .value { color: #c2410c; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 14px; margin-top: 14px; }
h2 { margin: 0 0 2px; font-size: 16px; }
.caption { margin: 0 0 12px; color: var(--muted); font-size: 12px; }
.note { margin-top: 14px; padding: 10px 14px; border-radius: 10px; background: #fdf2f8; color: #9d174d; }
svg.chart { width: 100%; height: auto; display: block; font-family: inherit; }
svg .bar-label, svg .funnel-label { font-size: 13px; fill: var(--ink); font-weight: 600; }
svg .bar-value { font-size: 13px; fill: var(--ink); font-weight: 700; }
svg .bar-detail, svg .funnel-sub, svg .tick, svg .legend text { font-size: 11px; fill: var(--muted); }
svg .funnel-here { font-size: 13px; fill: var(--ink); font-weight: 600; }
svg .funnel-count { font-size: 15px; fill: #fff; font-weight: 700; }
svg .track { fill: #eef2ff; }
svg .funnel-neck { fill: #fde7d3; }
svg .axis { stroke: #94a3b8; stroke-width: 1.5; }
svg .stem { stroke: #cbd5e1; stroke-dasharray: 3 3; }
svg .due-label { font-size: 12px; fill: var(--ink); }
svg .empty { font-size: 13px; fill: var(--muted); }
svg .more { font-size: 11px; fill: var(--muted); font-style: italic; }
.legend-row { display: flex; flex-wrap: wrap; gap: 12px; margin: -4px 0 8px; font-size: 12px; color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 5px; vertical-align: -1px; }
.tools { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 0 0 12px; }
.tools input, .tools select { font: inherit; padding: 8px 12px; border: 1px solid var(--line); border-radius: 10px;
  background: #fff; }
.tools input { flex: 1 1 260px; }
.tools .count { color: var(--muted); }
.scroll { overflow-x: auto; }
#account-regions td, #deletions-due td[data-col="date"] { white-space: nowrap; }
#deletions-due td[data-col="name"] { overflow-wrap: anywhere; }
.scroll.short { max-height: 320px; overflow-y: auto; margin-top: 8px; }
table { width: 100%; border-collapse: collapse; }
th { position: sticky; top: 0; background: #f8fafc; text-align: left; border-bottom: 1px solid var(--line); }
th button { all: unset; cursor: pointer; display: block; padding: 10px; font-weight: 600; font-size: 12px;
  color: #334155; text-transform: uppercase; letter-spacing: 0.04em; }
th button:focus-visible { outline: 2px solid var(--accent); }
th[aria-sort="ascending"] .arrow::after { content: " \\25B2"; }
th[aria-sort="descending"] .arrow::after { content: " \\25BC"; }
td { padding: 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr:hover td { background: #f8faff; }
tr.unused td[data-col="name"] { box-shadow: inset 3px 0 0 #f59e0b; }
tr.silent td[data-col="accountId"] { box-shadow: inset 3px 0 0 #dc2626; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td[data-col="name"] { min-width: 170px; max-width: 300px; overflow-wrap: anywhere; }
td[data-col="lastAccessed"] { white-space: nowrap; }
td[data-col="nextStep"] { min-width: 150px; }
td { font-size: 13px; }
td[data-col="reason"], td[data-col="nextStep"] { max-width: 280px; color: #334155; }
.name { font-weight: 600; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.sub { color: var(--muted); font-size: 12px; }
.none { color: #94a3b8; }
.badge { display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: 12px; font-weight: 600;
  white-space: nowrap; background: #f1f5f9; color: #334155; }
.stage-flagged { background: #fef3c7; color: #92400e; }
.stage-quarantined { background: #ffedd5; color: #9a3412; }
.stage-deletion-scheduled { background: #fee2e2; color: #991b1b; }
.tone-danger { background: #fee2e2; color: #991b1b; }
.tone-warn { background: #ffedd5; color: #9a3412; }
.tone-info { background: #e0e7ff; color: #3730a3; }
.tone-ok { background: #d1fae5; color: #065f46; }
.sw-flagged { background: #f59e0b; } .sw-quarantined { background: #ea580c; }
.sw-deletion-scheduled { background: #dc2626; } .sw-none { background: #94a3b8; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin: 24px 0; }
[hidden] { display: none !important; }
`;
