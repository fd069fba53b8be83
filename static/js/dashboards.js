// Charts of the dashboards, drawn with the vendored Chart.js from data the page carries in
// <script type="application/json"> elements (json_script): no inline script, no CDN. Every chart
// has its figures in a table next to it, so the page says the same without JavaScript.
(function () {
  "use strict";

  const PALETTE = ["#2f6fdf", "#d9822b", "#3a9d5d", "#b33a3a"];

  function config(kind, data) {
    const datasets = data.series.map((series, index) => ({
      label: series.label,
      data: series.data,
      borderColor: PALETTE[index % PALETTE.length],
      backgroundColor: PALETTE[index % PALETTE.length],
      spanGaps: true,
      tension: 0.2,
    }));
    const scales = {
      x: { stacked: Boolean(data.stacked) },
      y: { stacked: Boolean(data.stacked), beginAtZero: true },
    };
    if (data.max) scales.y.max = data.max;
    if (kind === "bar") scales.y.ticks = { precision: 0 };
    return {
      type: kind,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: { legend: { position: "bottom" } },
      },
    };
  }

  function draw(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      const existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      new window.Chart(canvas, config(canvas.dataset.kind, JSON.parse(source.textContent)));
    });
  }

  if (window.htmx) {
    // Runs for the page as loaded and again for each part htmx swaps in (the period picker).
    window.htmx.onLoad(draw);
  } else {
    document.addEventListener("DOMContentLoaded", () => draw(document));
  }
})();
