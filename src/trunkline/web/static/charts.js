// Draw each <figure class="chart"> from the data <table> inside it, with the vendored
// Chart.js. The table stays in the page (in a <details>) as the chart's text version.
"use strict";
(function () {
  var COLORS = {
    SUCCESS: "#1a7f37", FAILED: "#c0262d", RETRY: "#d4a72c", median: "#0b5cad", p90: "#8250df"
  };
  var PALETTE = ["#0b5cad", "#c0262d", "#1a7f37", "#8250df", "#d4a72c", "#57606a"];

  function num(text) {
    var t = text.trim();
    return t === "" ? null : Number(t);
  }

  function draw(fig) {
    var table = fig.querySelector("table.chart-data");
    if (!table || typeof Chart === "undefined") { return; }
    var names = Array.prototype.map.call(
      table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); }
    ).slice(1);
    var labels = [];
    var series = names.map(function () { return []; });
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
      labels.push(tr.querySelector("th").textContent.trim());
      Array.prototype.forEach.call(tr.querySelectorAll("td"), function (td, i) {
        series[i].push(num(td.textContent));
      });
    });
    var kind = fig.dataset.kind === "line" ? "line" : "bar";
    var stacked = fig.dataset.stacked === "true";
    var datasets = names.map(function (name, i) {
      var color = COLORS[name] || PALETTE[i % PALETTE.length];
      return { label: name, data: series[i], backgroundColor: color, borderColor: color,
               spanGaps: true, tension: 0, pointRadius: 3 };
    });
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", fig.querySelector("figcaption").textContent);
    var box = document.createElement("div");
    box.className = "chart-box";
    box.appendChild(canvas);
    fig.insertBefore(box, table);
    var details = document.createElement("details");
    var summary = document.createElement("summary");
    summary.textContent = "Data table";
    details.appendChild(summary);
    fig.insertBefore(details, table);
    details.appendChild(table);
    new Chart(canvas, {
      type: kind,
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { stacked: stacked, title: { display: true, text: fig.dataset.xLabel } },
          y: { stacked: stacked, beginAtZero: true, title: { display: true, text: fig.dataset.yLabel } }
        }
      }
    });
    fig.dataset.drawn = String(datasets.reduce(function (n, d) {
      return n + d.data.filter(function (v) { return v !== null; }).length;
    }, 0));
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.chart"), draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
