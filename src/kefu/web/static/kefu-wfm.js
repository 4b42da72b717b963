/* Kefu workforce plan: the requirement-versus-coverage chart, drawn with ECharts from the page's
   JSON data block (no inline script under the CSP). */
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("wfm-chart");
    var source = document.getElementById("wfm-data");
    if (!holder || !source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(holder, null, { renderer: "svg" });
    var labels = data.times.map(function (t) { return t.slice(5, 16).replace("T", " "); });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [data.labels.required, data.labels.staffed, data.labels.forecast] },
      grid: { left: 48, right: 48, top: 36, bottom: 72 },
      dataZoom: [{ type: "slider", bottom: 8 }, { type: "inside" }],
      xAxis: { type: "category", data: labels },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }],
      series: [
        { name: data.labels.required, type: "bar", data: data.required, itemStyle: { color: "#f2b8a0" } },
        { name: data.labels.staffed, type: "line", step: "end", data: data.staffed, symbol: "none",
          lineStyle: { width: 2, color: "#1f6feb" }, itemStyle: { color: "#1f6feb" } },
        { name: data.labels.forecast, type: "line", yAxisIndex: 1, data: data.forecast, symbol: "none",
          lineStyle: { type: "dashed", color: "#6e7781" }, itemStyle: { color: "#6e7781" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
