/**
 * The page's one script, inline and allowed by its hash in the Content-Security-Policy. It reads the rows from the
 * JSON island and only hides (`hidden`) and reorders the server-rendered rows: no data is ever turned into markup.
 */
export const PAGE_SCRIPT = `(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const rows = data.rows;
  const tbody = document.querySelector("#secrets tbody");
  const byIndex = new Map();
  for (const tr of tbody.querySelectorAll("tr")) byIndex.set(Number(tr.dataset.row), tr);
  const filter = document.getElementById("filter");
  const stageFilter = document.getElementById("stage-filter");
  const shown = document.getElementById("shown");
  const stageRank = { flagged: 1, quarantined: 2, "deletion-scheduled": 3 };
  const text = (r) =>
    [r.name, r.team, r.owner, r.description, r.finding, r.stage, r.action, r.guard, r.reason, r.nextStep, r.outcome]
      .filter((v) => v !== null && v !== undefined)
      .join(" ")
      .toLowerCase();
  const haystacks = rows.map(text);
  const headers = Array.from(document.querySelectorAll("#secrets th[data-key]"));
  let sortKey = null;
  let direction = 1;
  const value = (r, key) => (key === "stage" ? (stageRank[r.stage] ?? 0) : r[key]);
  const compare = (a, b) => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b));
  };
  function apply() {
    const query = filter.value.trim().toLowerCase();
    const stage = stageFilter.value;
    let count = 0;
    rows.forEach((r, i) => {
      const visible = (!query || haystacks[i].includes(query)) && (!stage || (r.stage ?? "none") === stage);
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
  stageFilter.addEventListener("change", apply);
  apply();
})();
`;
