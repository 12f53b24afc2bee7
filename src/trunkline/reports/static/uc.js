// trunkline upper-constraints page: sort by a column header click, filter by status.
// The page works without it (per-status pages, rows in file order).
(function () {
  "use strict";
  var table = document.querySelector("table.uc");
  if (!table) { return; }
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  var state = { col: -1, asc: true };
  function key(row, col) { return row.cells[col].getAttribute("data-key") || row.cells[col].textContent; }
  Array.prototype.forEach.call(headers, function (th, col) {
    th.setAttribute("data-sort", "1");
    th.addEventListener("click", function () {
      state.asc = state.col === col ? !state.asc : true;
      state.col = col;
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, col), y = key(b, col);
        var c = x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
        return state.asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var select = document.getElementById("uc-filter");
  if (select) {
    select.hidden = false;
    select.addEventListener("change", function () {
      Array.prototype.forEach.call(body.rows, function (r) {
        r.hidden = select.value !== "" && r.getAttribute("data-status") !== select.value;
      });
    });
  }
}());
