/* The operations dashboard (IOC): fetches the JSON figures and draws them with Apache ECharts (Vietnamese
   locale), again every `data-refresh` seconds without reloading the page. Tooltips render as rich text on the
   canvas (no HTML), so names from the database are never interpreted as markup. */
(function () {
  "use strict";
  var root = document.getElementById("ioc");
  if (!root || !window.echarts) { return; }
  var labels = JSON.parse(document.getElementById("ioc-labels").textContent);
  var lang = (document.documentElement.lang || "vi").slice(0, 2) === "vi" ? "VI" : "EN";
  var fmt = new Intl.NumberFormat(lang === "VI" ? "vi-VN" : "en-GB", {maximumFractionDigits: 2});
  var charts = {};
  var base = {tooltip: {trigger: "item", renderMode: "richText"}, animation: false};

  function chart(id) {
    if (!charts[id]) {
      var el = document.getElementById(id);
      charts[id] = echarts.init(el, null, {locale: lang, renderer: "canvas"});
    }
    return charts[id];
  }
  function num(v) { return v === null || v === undefined ? "–" : fmt.format(v); }
  function setField(name, value) {
    var el = root.querySelector('[data-field="' + name + '"]');
    if (el) { el.textContent = value; }
  }
  function hbar(id, rows, valueKey, name, color) {
    chart(id).setOption(Object.assign({}, base, {
      grid: {left: 8, right: 40, top: 10, bottom: 10, containLabel: true},
      xAxis: {type: "value", axisLabel: {formatter: num}},
      yAxis: {type: "category", inverse: true, data: rows.map(function (r) { return String(r.label || r.key || ""); }),
              axisLabel: {width: 160, overflow: "truncate"}},
      series: [{type: "bar", name: name, data: rows.map(function (r) { return r[valueKey]; }),
                itemStyle: {color: color}, label: {show: true, position: "right", formatter: function (p) { return num(p.value); }}}]
    }), true);
  }
  function draw(d) {
    setField("total", num(d.total));
    setField("max_total", num(d.max_total));
    setField("on_time_rate", num(d.on_time_rate));
    setField("as_of", d.as_of);
    setField("due_soon", num(d.due_soon.count));
    chart("chart-gauge").setOption(Object.assign({}, base, {
      series: [{type: "gauge", min: 0, max: d.max_total || 100, progress: {show: true},
                detail: {formatter: function (v) { return num(v); }, fontSize: 22},
                data: [{value: d.total === null ? 0 : d.total, name: labels.index}]}]
    }), true);
    chart("chart-groups").setOption(Object.assign({}, base, {
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {data: [labels.score, labels.max]},
      grid: {left: 8, right: 30, top: 30, bottom: 10, containLabel: true},
      yAxis: {type: "category", inverse: true, data: d.groups.map(function (g) { return g.label; }),
              axisLabel: {width: 130, overflow: "truncate"}},
      xAxis: {type: "value", axisLabel: {formatter: num}},
      series: [{type: "bar", name: labels.score, data: d.groups.map(function (g) { return g.score; }),
                label: {show: true, position: "right", formatter: function (p) { return num(p.value); }}},
               {type: "bar", name: labels.max, data: d.groups.map(function (g) { return g.max; }), itemStyle: {color: "#d0d7de"}}]
    }), true);
    chart("chart-levels").setOption(Object.assign({}, base, {
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {data: [labels.onTime, labels.late]},
      grid: {left: 8, right: 10, top: 30, bottom: 10, containLabel: true},
      xAxis: {type: "category", data: d.by_level.map(function (r) { return r.label; })},
      yAxis: {type: "value"},
      series: [{type: "bar", stack: "t", name: labels.onTime, data: d.by_level.map(function (r) { return r.on_time; }), itemStyle: {color: "#2e7d32"}},
               {type: "bar", stack: "t", name: labels.late, data: d.by_level.map(function (r) { return r.late; }), itemStyle: {color: "#c62828"}}]
    }), true);
    chart("chart-trend").setOption(Object.assign({}, base, {
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {data: [labels.index, labels.rate]},
      grid: {left: 8, right: 10, top: 30, bottom: 10, containLabel: true},
      xAxis: {type: "category", data: d.trend.map(function (r) { return r.month; })},
      yAxis: [{type: "value", min: 0}, {type: "value", min: 0, max: 100}],
      series: [{type: "line", name: labels.index, data: d.trend.map(function (r) { return r.total; })},
               {type: "line", name: labels.rate, yAxisIndex: 1, data: d.trend.map(function (r) { return r.on_time_rate === null ? null : Math.round(r.on_time_rate * 100) / 100; })}]
    }), true);
    hbar("chart-late-agency", d.late_by_agency, "late", labels.late, "#c62828");
    hbar("chart-late-procedure", d.late_by_procedure, "late", labels.late, "#ef6c00");
    hbar("chart-due", d.due_soon.by_agency, "count", labels.dueSoon, "#f9a825");
    var s = d.satisfaction;
    chart("chart-satisfaction").setOption(Object.assign({}, base, {
      legend: {bottom: 0},
      series: [{type: "pie", radius: ["35%", "65%"], label: {formatter: function (p) { return p.name + ": " + num(p.value); }},
                data: [{name: labels.satisfied, value: s.satisfied}, {name: labels.unsatisfied, value: s.unsatisfied},
                       {name: labels.complaints, value: s.complaints}]}]
    }), true);
    root.setAttribute("data-loaded", "1");
  }
  function load() {
    fetch(root.getAttribute("data-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(draw)
      .catch(function () { root.setAttribute("data-error", "1"); });
  }
  load();
  var every = parseInt(root.getAttribute("data-refresh"), 10) || 60;
  window.setInterval(load, every * 1000);
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();
