"use strict";
// The scenario table's filter (status, area, words) and printing with every fold open. A
// filter can come in the address (report.html#status=failed&area=replay&q=drift), so a link
// can point at a view. Runs once, at the end of the page; no network, no other files.
window.addEventListener("error", (e) => { document.documentElement.dataset.scriptError = String(e.message); });
(() => {
  const status = document.getElementById("filter-status");
  const area = document.getElementById("filter-area");
  const text = document.getElementById("filter-text");
  const count = document.getElementById("filter-count");
  const rows = Array.from(document.querySelectorAll("#scenario-table tbody tr"));
  const apply = () => {
    const s = status.value, a = area.value, q = text.value.trim().toLowerCase();
    let shown = 0;
    for (const row of rows) {
      const words = (row.textContent + " " + (row.dataset.reason || "")).toLowerCase();
      const keep = (!s || row.dataset.status === s) && (!a || row.dataset.area === a) && (!q || words.includes(q));
      row.hidden = !keep;
      if (keep) shown += 1;
    }
    count.textContent = shown + " of " + rows.length + " shown";
  };
  const fromAddress = () => {
    const wanted = new URLSearchParams(window.location.hash.slice(1));
    if (!["status", "area", "q"].some((k) => wanted.has(k))) return false;
    status.value = wanted.get("status") || "";
    area.value = wanted.get("area") || "";
    text.value = wanted.get("q") || "";
    apply();
    return true;
  };
  const showFiltered = () => {
    if (fromAddress()) document.getElementById("scenarios").scrollIntoView();
  };
  window.addEventListener("hashchange", showFiltered);
  showFiltered();
  status.addEventListener("change", apply);
  area.addEventListener("change", apply);
  text.addEventListener("input", apply);
  apply();
  window.addEventListener("beforeprint", () => {
    for (const d of document.querySelectorAll("details")) d.open = true;
  });
  document.documentElement.dataset.ready = "yes";
})();
