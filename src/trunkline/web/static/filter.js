// The FTBFS filter box without a round trip: hide the rows that do not contain the text.
// Without JavaScript the box is a GET form and the server filters the same way.
"use strict";
(function () {
  function init() {
    var input = document.querySelector("input[data-filter-table]");
    if (!input) { return; }
    var table = document.getElementById(input.dataset.filterTable);
    var count = document.getElementById("ftbfs-count");
    var total = count ? count.textContent.replace(/^\d+ of /, "") : "";
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr:not(.empty)"), function (tr) {
        var hit = tr.textContent.toLowerCase().indexOf(needle) !== -1;
        tr.hidden = !hit;
        if (hit) { shown += 1; }
      });
      if (count) { count.textContent = shown + " of " + total; }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
