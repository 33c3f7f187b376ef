/**
 * The pages' one script, inline and allowed by its hash in the Content-Security-Policy; the account report and
 * the organisation report share it. It reads the rows, and which table, filters and sort ranks they have, from
 * the JSON island, and only hides (`hidden`) and reorders the server-rendered rows: no data is ever turned into
 * markup.
 */
export const PAGE_SCRIPT = `(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const rows = data.rows;
  const spec = data.table;
  const table = document.getElementById(spec.id);
  const tbody = table.tBodies[0];
  const byIndex = new Map();
  for (const tr of tbody.querySelectorAll("tr")) byIndex.set(Number(tr.dataset.row), tr);
  const filter = document.getElementById("filter");
  const selects = spec.selects
    .map((s) => ({ key: s.key, empty: s.empty, element: document.getElementById(s.id) }))
    .filter((s) => s.element !== null);
  const shown = document.getElementById("shown");
  const ranks = spec.ranks;
  const text = (r) =>
    spec.search
      .map((key) => r[key])
      .filter((v) => v !== null && v !== undefined)
      .join(" ")
      .toLowerCase();
  const haystacks = rows.map(text);
  const headers = Array.from(table.querySelectorAll("th[data-key]"));
  let sortKey = null;
  let direction = 1;
  const value = (r, key) => (Object.hasOwn(ranks, key) ? (ranks[key][r[key]] ?? 0) : r[key]);
  const compare = (a, b) => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b));
  };
  function apply() {
    const query = filter.value.trim().toLowerCase();
    let count = 0;
    rows.forEach((r, i) => {
      const visible =
        (!query || haystacks[i].includes(query)) &&
        selects.every((s) => !s.element.value || String(r[s.key] ?? s.empty) === s.element.value);
      byIndex.get(i).hidden = !visible;
      if (visible) count++;
    });
    shown.textContent = count + " of " + rows.length;
  }
  function sortBy(key) {
    direction = sortKey === key ? -direction : 1;
    sortKey = key;
    const order = rows.map((_, i) => i);
    order.sort((a, b) => {
      const va = value(rows[a], key);
      const vb = value(rows[b], key);
      if (va === null || va === undefined || vb === null || vb === undefined) return compare(va, vb) || a - b;
      return compare(va, vb) * direction || a - b;
    });
    for (const i of order) tbody.appendChild(byIndex.get(i));
    for (const th of headers)
      th.setAttribute("aria-sort", th.dataset.key !== key ? "none" : direction > 0 ? "ascending" : "descending");
  }
  for (const th of headers) th.querySelector("button").addEventListener("click", () => sortBy(th.dataset.key));
  filter.addEventListener("input", apply);
  for (const s of selects) s.element.addEventListener("change", apply);
  apply();
})();
`;

/** What the script is told of a page's table, through the JSON island: our constants, never the data's. */
export interface TableSpec {
  /** The table element's id. */
  id: string;
  /** The row fields the filter box searches. */
  search: readonly string[];
  /** Drop-downs that keep the rows whose `key` (null read as `empty`) equals their value; "" keeps all. */
  selects: readonly { id: string; key: string; empty: string }[];
  /** Fields sorted by rank rather than by value (the lifecycle stages, in lifecycle order). */
  ranks: Record<string, Record<string, number>>;
}
