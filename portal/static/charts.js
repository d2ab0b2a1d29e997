/* Draws the page's charts with the vendored Chart.js (portal/static/vendor/chartjs/).
 *
 * Each chart is a <canvas data-chart="ID"> inside <figure class="chart">, with its numbers in
 * <script type="application/json" id="ID"> (made by portal/charts.py: type, labels, datasets
 * with label/data/colour, stacked, horizontal, max, unit, decimals). The same numbers are in
 * the figure's table, so nothing is lost when scripts are off. Once drawn, the canvas gets
 * data-drawn="true" (the browser test waits for it).
 *
 * The page's CSP allows no inline script or style attribute: this file is loaded with
 * <script src defer>, and sizes are set through element.style, which the CSP permits.
 */
(function () {
  "use strict";

  var reducedMotion =
    window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function readSpec(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    return source ? JSON.parse(source.textContent) : null;
  }

  function formatter(decimals) {
    return function (value) {
      return typeof value === "number" ? value.toFixed(decimals) : value;
    };
  }

  function options(spec) {
    var format = formatter(spec.decimals || 0);
    var valueAxis = {
      beginAtZero: true,
      stacked: spec.stacked,
      title: { display: Boolean(spec.unit), text: spec.unit },
      ticks: { precision: spec.decimals ? undefined : 0 },
      grid: { color: "#e4e7eb" },
    };
    if (spec.max !== null && spec.max !== undefined) {
      valueAxis.max = spec.max;
    }
    var categoryAxis = { stacked: spec.stacked, ticks: { autoSkip: true }, grid: { display: false } };
    return {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: spec.horizontal ? "y" : "x",
      animation: reducedMotion ? false : { duration: 400 },
      plugins: {
        legend: { display: spec.datasets.length > 1, position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (item) {
              var value = spec.horizontal ? item.parsed.x : item.parsed.y;
              return item.dataset.label + ": " + format(value);
            },
          },
        },
      },
      scales: spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
    };
  }

  function draw(canvas) {
    var spec = readSpec(canvas);
    if (!spec) {
      return;
    }
    if (spec.horizontal && canvas.parentElement) {
      // One row per category: the box grows with the number of bars.
      var rows = Math.max(spec.labels.length, 3);
      canvas.parentElement.style.height = Math.min(4 + rows * 2.2, 40) + "rem";
    }
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: dataset.colour,
            borderColor: dataset.colour,
            borderWidth: 0,
            maxBarThickness: 44,
          };
        }),
      },
      options: options(spec),
    });
    canvas.dataset.drawn = "true";
  }

  function drawAll() {
    if (typeof window.Chart === "undefined") {
      return; // the library did not load: the tables still carry the numbers
    }
    var font = window.getComputedStyle(document.body).fontFamily;
    if (font) {
      window.Chart.defaults.font.family = font;
    }
    window.Chart.defaults.color = "#1f2328";
    var canvases = document.querySelectorAll("figure.chart canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      try {
        draw(canvas);
      } catch (error) {
        // One broken chart must not keep the others from being drawn.
        if (window.console) {
          window.console.error("chart", canvas.id, error);
        }
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
