/* Kefu analytics: draws the dashboard's ECharts charts from the page's JSON block, switches
   their metric, sorts the KPI tables, and puts the wallboard into full screen. Tooltips are
   drawn on the canvas (richText): HTML tooltips would need inline styles, which our CSP refuses. */
(function () {
  "use strict";

  var ACCENT = "#2563eb";
  var PREVIOUS = "#98a2b3";
  var PALETTE = ["#2563eb", "#0d9488", "#f59e0b", "#8b5cf6", "#ef4444", "#64748b"];
  var FONT = getComputedStyle(document.body).fontFamily;
  var charts = [];
  var data = null;

  function readData() {
    var block = document.getElementById("analytics-data");
    if (!block) {
      return null;
    }
    try {
      return JSON.parse(block.textContent);
    } catch (error) {
      return null;
    }
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_match, name) {
      return String(values[name]);
    });
  }

  function duration(seconds) {
    var total = Math.max(0, Math.round(seconds));
    var text = data.text;
    if (total < 60) {
      return fill(text.wait_seconds, { s: total });
    }
    if (total < 3600) {
      return fill(text.wait_minutes, { m: Math.floor(total / 60), s: total % 60 });
    }
    return fill(text.wait_hours, { h: Math.floor(total / 3600), m: Math.floor((total % 3600) / 60) });
  }

  function formatValue(unit, value) {
    if (value === null || value === undefined || isNaN(value)) {
      return "—";
    }
    if (unit === "seconds") {
      return duration(value);
    }
    if (unit === "ratio") {
      return (value * 100).toFixed(1) + "%";
    }
    return Math.round(value).toLocaleString();
  }

  function axisLabel(unit) {
    return function (value) {
      if (unit === "seconds") {
        var minutes = value / 60;
        return (minutes < 10 ? Math.round(minutes * 10) / 10 : Math.round(minutes)) + "";
      }
      if (unit === "ratio") {
        return Math.round(value * 1000) / 10 + "%";
      }
      return value.toLocaleString();
    };
  }

  function base() {
    return {
      animationDuration: 300,
      textStyle: { fontFamily: FONT },
      aria: { enabled: false }, // the container carries its own label and a data table
      tooltip: { renderMode: "richText", confine: true }
    };
  }

  function padded(values, length) {
    var out = (values || []).slice(0, length);
    while (out.length < length) {
      out.push(null);
    }
    return out;
  }

  function trendOption(key) {
    var trend = data.trend;
    var metric = trend.metrics.filter(function (m) { return m.key === key; })[0];
    var length = trend.labels.length;
    var series = [{
      name: data.text.current, type: "line", data: trend.current[key], color: ACCENT,
      symbol: "circle", symbolSize: 5, lineStyle: { width: 2 },
      areaStyle: metric.unit === "count" ? { opacity: 0.08 } : undefined
    }];
    if (trend.previous) {
      series.push({
        name: data.text.previous, type: "line", data: padded(trend.previous[key], length),
        color: PREVIOUS, symbol: "none", lineStyle: { width: 1.5, type: "dashed" }
      });
    }
    var option = base();
    option.grid = { left: 56, right: 20, top: 40, bottom: 28 };
    option.legend = { top: 0, right: 0, data: series.map(function (s) { return s.name; }) };
    option.tooltip.trigger = "axis";
    option.tooltip.valueFormatter = function (value) { return formatValue(metric.unit, value); };
    option.xAxis = { type: "category", data: trend.labels, boundaryGap: metric.unit === "count" };
    option.yAxis = {
      type: "value", name: metric.unit === "seconds" ? data.text.minutes : "",
      axisLabel: { formatter: axisLabel(metric.unit) }, splitLine: { lineStyle: { color: "#eef1f5" } }
    };
    option.series = series;
    return { option: option, label: metric.label };
  }

  function distributionOption(key) {
    var dist = data.distribution;
    var metric = dist.metrics.filter(function (m) { return m.key === key; })[0];
    var total = metric.counts.reduce(function (a, b) { return a + b; }, 0);
    var option = base();
    option.grid = { left: 48, right: 12, top: 16, bottom: 64 };
    option.tooltip.trigger = "axis";
    option.tooltip.formatter = function (items) {
      var item = items[0];
      var share = total ? " (" + (100 * item.value / total).toFixed(1) + "%)" : "";
      return item.name + "\n" + data.text.count + ": " + item.value + share;
    };
    option.xAxis = {
      type: "category", data: dist.labels, axisLabel: { interval: 0, rotate: 35, fontSize: 11 }
    };
    option.yAxis = { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef1f5" } } };
    option.series = [{ type: "bar", data: metric.counts, color: ACCENT, barMaxWidth: 36 }];
    return option;
  }

  function channelsOption() {
    var option = base();
    option.color = PALETTE;
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (item) {
      return item.name + "\n" + Math.round(item.value).toLocaleString() + " (" + item.percent.toFixed(1) + "%)";
    };
    option.legend = { bottom: 0, type: "scroll" };
    option.series = [{
      type: "pie", radius: ["42%", "68%"], center: ["50%", "45%"], data: data.channels,
      label: { formatter: function (item) { return item.name + "\n" + item.percent.toFixed(1) + "%"; } },
      avoidLabelOverlap: true
    }];
    return option;
  }

  function heatmapOption() {
    var heat = data.heatmap;
    var hours = [];
    for (var h = 0; h < 24; h += 1) {
      hours.push(String(h));
    }
    var option = base();
    option.grid = { left: 48, right: 12, top: 8, bottom: 56 };
    option.tooltip.formatter = function (item) {
      return heat.days[item.value[1]] + " " + item.value[0] + ":00\n" + data.text.count + ": " + item.value[2];
    };
    option.xAxis = { type: "category", data: hours, splitArea: { show: true } };
    option.yAxis = { type: "category", data: heat.days, inverse: true, splitArea: { show: true } };
    option.visualMap = {
      min: 0, max: Math.max(1, heat.max), calculable: false, orient: "horizontal",
      left: "center", bottom: 0, itemHeight: 120, itemWidth: 10,
      inRange: { color: ["#f1f5fd", "#93b4f5", "#1d4ed8"] }
    };
    option.series = [{ type: "heatmap", data: heat.cells, itemStyle: { borderColor: "#fff", borderWidth: 1 } }];
    return option;
  }

  function start(element) {
    element.textContent = "";
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function drawTrend(element) {
    var chart = start(element);
    var select = document.getElementById("trend-metric");
    function show() {
      var built = trendOption(select ? select.value : "conversations");
      chart.setOption(built.option, { notMerge: true });
      var template = element.getAttribute("data-aria");
      if (template) {
        element.setAttribute("aria-label", fill(template, { metric: built.label }));
      }
    }
    show();
    if (select) {
      select.addEventListener("change", show);
    }
  }

  function drawDistribution(element) {
    var chart = start(element);
    var radios = document.querySelectorAll("input[name=dist-metric]");
    function show() {
      var checked = document.querySelector("input[name=dist-metric]:checked");
      chart.setOption(distributionOption(checked ? checked.value : "first_response_time"), { notMerge: true });
    }
    show();
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", show);
    });
  }

  function drawCharts() {
    data = readData();
    if (!data || !window.echarts) {
      return;
    }
    var drawers = {
      trend: drawTrend,
      distribution: drawDistribution,
      channels: function (element) { start(element).setOption(channelsOption()); },
      heatmap: function (element) { start(element).setOption(heatmapOption()); }
    };
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (element) {
      var draw = drawers[element.getAttribute("data-chart")];
      if (draw) {
        draw(element);
      }
    });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 120);
    });
  }

  // ---- sortable KPI tables: numbers in data-sort; missing values stay last either way ----

  function sortTable(table, column, heading) {
    var descending = heading.getAttribute("aria-sort") !== "descending";
    Array.prototype.forEach.call(table.querySelectorAll("thead th"), function (th) {
      th.removeAttribute("aria-sort");
    });
    heading.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    function key(row) {
      var text = row.cells[column].getAttribute("data-sort");
      return text === "" || text === null ? null : parseFloat(text);
    }
    rows.sort(function (a, b) {
      var x = key(a);
      var y = key(b);
      if (x === null || y === null) {
        return (x === null) - (y === null);
      }
      return descending ? y - x : x - y;
    });
    rows.forEach(function (row, index) {
      row.cells[0].textContent = String(index + 1);
      body.appendChild(row);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".sort-button");
    if (button) {
      var table = button.closest("table");
      sortTable(table, parseInt(button.getAttribute("data-sort-column"), 10), button.closest("th"));
      return;
    }
    var full = event.target.closest && event.target.closest("[data-fullscreen]");
    if (full && document.documentElement.requestFullscreen) {
      var target = document.getElementById(full.getAttribute("data-fullscreen")) || document.documentElement;
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        target.requestFullscreen().catch(function () {});
      }
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.requestSubmit();
    }
  });

  function ready() {
    if (document.documentElement.requestFullscreen) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-fullscreen]"), function (b) {
        b.hidden = false;
      });
    }
    drawCharts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
